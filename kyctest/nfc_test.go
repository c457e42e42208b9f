package kyctest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"

	gmcipher "github.com/emmansun/gmsm/cipher"
	"github.com/emmansun/gmsm/padding"
	"github.com/emmansun/gmsm/sm4"
	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

const testNFCKey = "7F26724F72D48EBA5AD3848B30B81122"

func (e *faceEnv) certID(orderNo, nfcType string) map[string]any {
	e.t.Helper()
	b := map[string]string{"appId": e.srv.AppID, "orderNo": orderNo, "userId": "nfcUser1", "version": "1.0.0",
		"nonce": kyc.NewNonce(), "nfcType": nfcType}
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["orderNo"], b["nonce"], b["version"]) // orderNo, not userId
	return e.post("/api/server/getOcrCertId", b)
}

func (e *faceEnv) nfcResult(orderNo, reqID string, extra ...string) map[string]any {
	e.t.Helper()
	return e.post("/api/v2/nfcpaas/getIdcardNfcResult", e.queryBody(orderNo, append([]string{"reqId", reqID}, extra...)...))
}

// openNFC decrypts nfcEnResult as a partner would (docs/C-ocr-will-nfc-eid.md §6.5).
func openNFC(t *testing.T, keyHex string, res map[string]any) map[string]any {
	t.Helper()
	ct, err := base64.StdEncoding.DecodeString(res["nfcEnResult"].(string))
	require.NoError(t, err)
	key, _ := hex.DecodeString(keyHex)
	block, err := sm4.NewCipher(key)
	require.NoError(t, err)
	gmcipher.NewECBDecrypter(block).CryptBlocks(ct, ct)
	pt, err := padding.NewPKCS7Padding(16).Unpad(ct)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(pt, &m))
	return m
}

func TestNFCFlow(t *testing.T) {
	e := newFaceEnv(t, WithNFCKey(testNFCKey), WithMedia(100, 100))
	require.Equal(t, testNFCKey, e.srv.NFCKey())
	m := e.certID("nfc0001", "1")
	require.Equal(t, json.Number("0"), m["code"], "a JSON number, as documented: %v", m)
	certID := resultOf(t, m)["ocrCertId"].(string)
	require.NotEmpty(t, certID)
	info, ok := e.srv.NFCOrder("nfc0001")
	require.True(t, ok)
	require.Equal(t, certID, info.CertID)
	require.Equal(t, json.Number(codeOrderReused), e.certID("nfc0001", "1")["code"])
	require.Equal(t, json.Number("66660000"), e.certID("nfc0002", "2")["code"])

	_, err := e.srv.CompleteNFC("nope", SampleNFCCard())
	require.ErrorIs(t, err, ErrUnknownOrder)
	reqID, err := e.srv.CompleteNFC("nfc0001", SampleNFCCard())
	require.NoError(t, err)
	_, err = e.srv.CompleteNFC("nfc0001", SampleNFCCard())
	require.ErrorIs(t, err, ErrOrderCompleted)

	m = e.nfcResult("nfc0001", reqID, "getPhoto", "1")
	require.Equal(t, "0", m["code"])
	card := openNFC(t, testNFCKey, resultOf(t, m))
	require.Equal(t, "nfc0001", card["orderNo"])
	require.Equal(t, reqID, card["reqId"])
	require.Equal(t, SampleNFCCard().IDNo, card["idcard"])
	require.NotContains(t, card, "enName")
	require.Contains(t, card, "frontPhoto")
	require.NotContains(t, openNFC(t, testNFCKey, resultOf(t, e.nfcResult("nfc0001", reqID))), "portraitPhoto")

	require.Equal(t, "66664004", e.nfcResult("nfc0001", "rqother")["code"])
	for i := 3; i <= NFCReqIDMaxQueries; i++ {
		require.Equal(t, "0", e.nfcResult("nfc0001", reqID)["code"], "query %d", i)
	}
	require.Equal(t, "66664003", e.nfcResult("nfc0001", reqID)["code"])
	info, _ = e.srv.NFCOrder("nfc0001")
	require.Equal(t, NFCReqIDMaxQueries, info.Queries)

	// The permit: English name, no nation or address.
	require.Equal(t, json.Number("0"), e.certID("nfc0003", "3")["code"])
	reqID, err = e.srv.CompleteNFC("nfc0003", SampleNFCCard())
	require.NoError(t, err)
	card = openNFC(t, testNFCKey, resultOf(t, e.nfcResult("nfc0003", reqID)))
	require.Equal(t, SampleNFCCard().EnName, card["enName"])
	require.NotContains(t, card, "nation")
	require.NotContains(t, card, "address")

	// Past the window: 66664005. The ocrCertId expires after five minutes.
	require.Equal(t, json.Number("0"), e.certID("nfc0004", "1")["code"])
	e.srv.Clock.Advance(NFCReqIDWindow)
	require.Equal(t, "66664005", e.nfcResult("nfc0003", reqID)["code"])
	_, err = e.srv.CompleteNFC("nfc0004", SampleNFCCard())
	require.ErrorIs(t, err, ErrFaceIDExpired)
	// A bad signature.
	b := e.queryBody("nfc0003", "reqId", reqID)
	b["sign"] = "0000000000000000000000000000000000000000"
	require.Equal(t, "400101", e.post("/api/v2/nfcpaas/getIdcardNfcResult", b)["code"])
}

func TestNFCKeyOption(t *testing.T) {
	a, b := NewServer(), NewServer()
	defer a.Close()
	defer b.Close()
	require.Len(t, a.NFCKey(), 32)
	require.NotEqual(t, a.NFCKey(), b.NFCKey(), "a random key per server")
	require.Panics(t, func() { NewServer(WithNFCKey("7F26")) })
}
