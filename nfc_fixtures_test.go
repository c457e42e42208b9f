package kyc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/emmansun/gmsm/sm4"
	"github.com/stretchr/testify/require"
)

const docNFCKey = "7F26724F72D48EBA5AD3848B30B81122"

type sm4Vector struct {
	Name         string `json:"name"`
	KeyHex       string `json:"keyHex"`
	PlainHex     string `json:"plainHex"`
	PlainText    string `json:"plainText"`
	CipherHex    string `json:"cipherHex"`
	CipherBase64 string `json:"cipherBase64"`
}

func loadSM4Vectors(t testing.TB) []sm4Vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "nfc", "sm4_vectors.json"))
	require.NoError(t, err)
	var file struct {
		Vectors []sm4Vector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.Len(t, file.Vectors, 3)
	return file.Vectors
}

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// The GB/T 32907 standard vector (one block, no padding) and docs/C-ocr-will-nfc-eid.md §6.5's derived vectors.
func TestSM4Vectors(t *testing.T) {
	for _, v := range loadSM4Vectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			key := mustHex(t, v.KeyHex)
			if v.CipherHex != "" {
				block, err := sm4.NewCipher(key)
				require.NoError(t, err)
				out := make([]byte, 16)
				block.Encrypt(out, mustHex(t, v.PlainHex))
				require.Equal(t, v.CipherHex, hex.EncodeToString(out))
				block.Decrypt(out, out)
				require.Equal(t, v.PlainHex, hex.EncodeToString(out))
				return
			}
			ct, err := base64.StdEncoding.DecodeString(v.CipherBase64)
			require.NoError(t, err)
			pt, err := sm4Open(key, bytes.Clone(ct))
			require.NoError(t, err)
			require.Equal(t, v.PlainText, string(pt))
			// The manual's Java helper uses the ASCII hex as the key: that is a different key.
			_, err = sm4Open([]byte(v.KeyHex)[:16], bytes.Clone(ct))
			require.ErrorIs(t, err, ErrDecrypt)
		})
	}
	v := loadSM4Vectors(t)[2]
	ct, _ := base64.StdEncoding.DecodeString(v.CipherBase64)
	card, err := decryptNFC(mustHex(t, v.KeyHex), bytes.Clone(ct))
	require.NoError(t, err)
	require.Equal(t, "o1", card.OrderNo)
	require.Equal(t, "r1", card.ReqID)
	require.Equal(t, "张三", card.Name)
	require.NotContains(t, card.String(), "张三")
}

// A wrong key or a corrupt ciphertext is ErrDecrypt, never a record.
func TestNFCDecryptFailures(t *testing.T) {
	vectors := loadSM4Vectors(t)
	key := mustHex(t, docNFCKey)
	ct, _ := base64.StdEncoding.DecodeString(vectors[2].CipherBase64)
	wrong := bytes.Clone(key)
	wrong[15] ^= 1
	flipLast := bytes.Clone(ct)
	flipLast[len(flipLast)-1] ^= 0x80
	flipFirst := bytes.Clone(ct)
	flipFirst[0] ^= 1
	plain, _ := base64.StdEncoding.DecodeString(vectors[1].CipherBase64) // decrypts to text that is not JSON
	for name, tc := range map[string]struct{ key, ct []byte }{
		"wrong key":             {wrong, ct},
		"zero key":              {make([]byte, 16), ct},
		"short key":             {key[:8], ct},
		"truncated":             {key, ct[:len(ct)-16]},
		"not whole blocks":      {key, ct[:len(ct)-1]},
		"empty":                 {key, nil},
		"last block corrupted":  {key, flipLast},
		"first block corrupted": {key, flipFirst},
		"plaintext is not JSON": {key, plain},
		"ciphertext of the hex": {key, []byte(hex.EncodeToString(ct[:16]))},
	} {
		t.Run(name, func(t *testing.T) {
			card, err := decryptNFC(tc.key, bytes.Clone(tc.ct))
			require.ErrorIs(t, err, ErrDecrypt)
			require.Nil(t, card)
			require.NotContains(t, err.Error(), "张三")
		})
	}
	// Any key but the right one, over many keys: never a record.
	for i := range 2000 {
		k := bytes.Clone(key)
		k[i%16] ^= byte(1 + i/16)
		card, err := decryptNFC(k, bytes.Clone(ct))
		require.True(t, errors.Is(err, ErrDecrypt) && card == nil, "key %x", k)
	}
	for _, bad := range []string{"", "7F26", docNFCKey + "0", "zz26724F72D48EBA5AD3848B30B81122"} {
		_, err := parseNFCKey(bad)
		require.ErrorIs(t, err, ErrInvalidInput)
	}
}

func TestNFCFixturesReplay(t *testing.T) {
	ctx := context.Background()
	for name, f := range loadFixtures(t, "nfc") {
		t.Run(name, func(t *testing.T) {
			exp := func(k string) string { s, _ := f.Expect[k].(string); return s }
			switch f.Endpoint {
			case "": // the SM4 vectors: TestSM4Vectors
			case endpointNFCCertID:
				c, fs := newProductClient(t, map[string][]byte{"/api/server/getOcrCertId": f.Response})
				res, err := c.NFC.GetCertID(ctx, NFCCertIDRequest{OrderNo: "orderNo596551", UserID: "user001", CardType: NFCHKMacauPermit},
					WithNonce("kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"))
				require.NoError(t, err)
				require.Equal(t, exp("certId"), res.CertID)
				require.Equal(t, exp("orderNo"), res.OrderNo)
				require.Equal(t, exp("bizSeqNo"), res.BizSeqNo)
				var body map[string]string
				require.NoError(t, json.Unmarshal(fs.bodies["/api/server/getOcrCertId"], &body))
				require.Equal(t, "3", body["nfcType"])
				require.Equal(t, "orderNo596551", fs.queries["/api/server/getOcrCertId"].Get("orderNo"))
				// Spec C 6.2's worked example: the orderNo is signed, not the userId.
				require.Equal(t, Sign("ticket_string", "IDAXXXXX", "orderNo596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"), body["sign"])
			case endpointNFCResult:
				var key struct {
					Key string `json:"key"`
				}
				raw, _ := os.ReadFile(filepath.Join("testdata", "nfc", name+".json"))
				require.NoError(t, json.Unmarshal(raw, &key))
				c, fs := newProductClient(t, map[string][]byte{"/api/v2/nfcpaas/getIdcardNfcResult": f.Response}, WithNFCKey(key.Key))
				res, err := c.NFC.QueryResult(ctx, NFCQuery{OrderNo: "o1", ReqID: "r1", Photos: true})
				require.NoError(t, err)
				require.Equal(t, exp("orderNo"), res.Card.OrderNo)
				require.Equal(t, exp("reqId"), res.Card.ReqID)
				require.Equal(t, exp("name"), res.Card.Name)
				require.Equal(t, exp("bizSeqNo"), res.BizSeqNo)
				var body map[string]string
				require.NoError(t, json.Unmarshal(fs.bodies["/api/v2/nfcpaas/getIdcardNfcResult"], &body))
				require.Equal(t, "r1", body["reqId"])
				require.Equal(t, "1", body["getPhoto"])
				// The decrypted record must be for the order and read asked about.
				_, err = c.NFC.QueryResult(ctx, NFCQuery{OrderNo: "o2", ReqID: "r1"})
				require.ErrorIs(t, err, ErrBadResponse)
			default:
				t.Fatalf("fixture %s: no replay for endpoint %q", name, f.Endpoint)
			}
		})
	}
}

// FuzzNFCDecrypt feeds arbitrary ciphertexts, and arbitrary plaintexts encrypted with the right
// key, to the decrypt-and-parse path: never a panic; a failure is ErrDecrypt or ErrBadResponse;
// a wrong key never yields a record.
func FuzzNFCDecrypt(f *testing.F) {
	key := mustHex(f, docNFCKey)
	for _, v := range loadSM4Vectors(f)[1:] {
		ct, _ := base64.StdEncoding.DecodeString(v.CipherBase64)
		f.Add(ct, []byte(v.PlainText))
	}
	f.Add([]byte{}, []byte(`{"orderNo":1,"frontPhoto":"/9j/","portraitPhoto":"%%%"}`))
	f.Add(make([]byte, 32), []byte(`{"name":null,"idcard":["x"]}`))
	wrong := bytes.Clone(key)
	wrong[0] ^= 0xFF
	f.Fuzz(func(t *testing.T, ct, plain []byte) {
		check := func(card *NFCCard, err error) {
			if (card == nil) == (err == nil) {
				t.Fatalf("want exactly one of a card and an error")
			}
			if err != nil && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrBadResponse) {
				t.Fatalf("untyped error %v", err)
			}
		}
		check(decryptNFC(key, bytes.Clone(ct)))
		// Encrypt plain with the right key, then decrypt it with the right and a wrong key.
		sealed := sm4Seal(t, key, plain)
		card, err := decryptNFC(key, bytes.Clone(sealed))
		check(card, err)
		// A wrong key gives random bytes: never a record (a random plaintext that passes the
		// padding check and parses as a JSON object is astronomically unlikely).
		if card, err := decryptNFC(wrong, bytes.Clone(sealed)); card != nil {
			t.Fatalf("a wrong key produced a record: %v %v", card, err)
		}
	})
}

// sm4Seal is SM4-ECB-PKCS7 encryption, the service's side.
func sm4Seal(t *testing.T, key, plain []byte) []byte {
	block, err := sm4.NewCipher(key)
	require.NoError(t, err)
	n := 16 - len(plain)%16
	ct := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(n)}, n)...)
	for i := 0; i < len(ct); i += 16 {
		block.Encrypt(ct[i:i+16], ct[i:i+16])
	}
	return ct
}
