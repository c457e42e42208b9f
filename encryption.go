package kyc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"
)

// Envelope encryption of the API 3.0 personal fields (Tencent Cloud's "敏感数据加密" guide,
// https://cloud.tencent.com/document/product/1007/47180): each request that carries a name or an
// ID number gets a fresh symmetric key and IV from crypto/rand, the listed fields are sent as
// ciphertext, and the key travels wrapped with the service's public key in the Encryption object
// (EncryptList, CiphertextBlob, Iv, Algorithm, TagList). Answers encrypted for the same request
// (GetDetectInfoEnhanced) are opened with that key. The key lives in memory for the one call and
// is wiped when it ends; it is never logged nor written anywhere.
//
// Where Tencent's documents leave the format open, this follows Tencent's official Go helper
// (faceid-api-crypto-golang v1.0.2), which is what the service is known to accept:
//   - the key is 32 (AES) or 16 (SM4) random characters of [A-Za-z0-9], used as raw bytes;
//   - Iv is base64 of 16 random bytes (AES-256-CBC) or 12 (SM4-GCM), not a 16-character string;
//   - the SM2-wrapped key is C1C3C2 with the 0x04 point prefix;
//   - one Iv serves every field of a request (the object has a single Iv), so with SM4-GCM the
//     same nonce is reused across the (at most four) fields of one request under a key used for
//     that request only: the protocol's choice, not ours.
//
// The service's public keys are not embedded: pass the key shown in the faceid console to
// WithCloudEncryption. A key compiled into this package could not be checked here against the
// console and would silently go stale if Tencent rotated it.

// The two values of Encryption.Algorithm.
const (
	algAES256CBC = "AES-256-CBC" // the service's default; key wrapped with RSA PKCS#1 v1.5
	algSM4GCM    = "SM4-GCM"     // key wrapped with SM2 (C1C3C2); one GCM tag per field in TagList
)

// encryptBodyField is the EncryptList entry that asks for the whole answer encrypted (with
// IsEncryptResponse); its spelling, EncryptionBody and not EncryptedBody, is the helper's.
const encryptBodyField = "EncryptionBody"

// cloudCipher is the public half set by WithCloudEncryption.
type cloudCipher struct {
	algorithm string
	rsaKey    *rsa.PublicKey   // AES-256-CBC
	sm2Key    *ecdsa.PublicKey // SM4-GCM
}

// WithCloudEncryption encrypts the personal fields of the API 3.0 requests (Name and IdCard of
// DetectAuth and GetEidToken) under a fresh key per request, wrapped with the service's public
// key, and lets DetectInfoRequest ask for encrypted answers. algorithm is "AES-256-CBC" (with
// the RSA public key) or "SM4-GCM" (with the SM2 public key); publicKeyPEM is the key from the
// faceid console, as PEM (PKCS#1 "RSA PUBLIC KEY" or PKIX "PUBLIC KEY") or as its bare base64.
// New checks both and sends nothing. No key is built in: see the console.
func WithCloudEncryption(algorithm, publicKeyPEM string) Option {
	return func(c *Client) error {
		cc, err := parseCloudCipher(algorithm, publicKeyPEM)
		if err != nil {
			return err
		}
		c.cloud.cipher = cc
		return nil
	}
}

func parseCloudCipher(algorithm, publicKeyPEM string) (*cloudCipher, error) {
	const field = "cloud encryption key"
	if algorithm != algAES256CBC && algorithm != algSM4GCM {
		return nil, invalidInput("cloud encryption algorithm", `must be "AES-256-CBC" or "SM4-GCM"`)
	}
	der, err := publicKeyDER(publicKeyPEM)
	if err != nil {
		return nil, invalidInput(field, err.Error())
	}
	cc := &cloudCipher{algorithm: algorithm}
	var pub any
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		pub = k
	} else if pub, err = smx509.ParsePKIXPublicKey(der); err != nil {
		return nil, invalidInput(field, "not an RSA or SM2 public key")
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if algorithm != algAES256CBC {
			return nil, invalidInput(field, "an RSA key goes with AES-256-CBC; SM4-GCM needs the SM2 key")
		}
		if k.N.BitLen() < 1024 {
			return nil, invalidInput(field, "RSA key shorter than 1024 bits")
		}
		cc.rsaKey = k
	case *ecdsa.PublicKey:
		if algorithm != algSM4GCM || k.Curve != sm2.P256() {
			return nil, invalidInput(field, "an SM2 key goes with SM4-GCM; AES-256-CBC needs the RSA key")
		}
		cc.sm2Key = k
	default:
		return nil, invalidInput(field, "not an RSA or SM2 public key")
	}
	return cc, nil
}

// publicKeyDER reads a PEM block, or the base64 of the DER the console may show without armour.
func publicKeyDER(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("must be the service's public key from the faceid console")
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		b, rest := pem.Decode([]byte(s))
		if b == nil || strings.TrimSpace(string(rest)) != "" {
			return nil, errors.New("not one PEM block")
		}
		if b.Type != "RSA PUBLIC KEY" && b.Type != "PUBLIC KEY" {
			return nil, errors.New(`PEM type must be "RSA PUBLIC KEY" or "PUBLIC KEY"`)
		}
		return b.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, errors.New("neither PEM nor base64")
	}
	return der, nil
}

// envelope is one request's symmetric key and IV. wipe clears the key when the call ends.
type envelope struct {
	algorithm string
	key, iv   []byte
	blob      string // the key wrapped with the public key, base64
}

// newEnvelope draws a fresh key and IV from crypto/rand and wraps the key.
func (cc *cloudCipher) newEnvelope() (*envelope, error) {
	keyLen, ivLen := 32, aes.BlockSize
	if cc.algorithm == algSM4GCM {
		keyLen, ivLen = sm4.BlockSize, 12
	}
	e := &envelope{algorithm: cc.algorithm, key: make([]byte, keyLen), iv: make([]byte, ivLen)}
	// The key is letters and digits used as raw bytes, as the official helper makes it
	// (docs/D-api3-actions.md §4.2), drawn like a nonce.
	fillAlnum(e.key)
	if _, err := rand.Read(e.iv); err != nil {
		return nil, fmt.Errorf("kyc: encryption: %w", err)
	}
	var wrapped []byte
	var err error
	if cc.rsaKey != nil {
		wrapped, err = rsa.EncryptPKCS1v15(rand.Reader, cc.rsaKey, e.key) //nolint:staticcheck // the service's scheme
	} else {
		wrapped, err = sm2.Encrypt(rand.Reader, cc.sm2Key, e.key, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C3C2))
	}
	if err != nil {
		return nil, fmt.Errorf("kyc: encryption: wrapping the key failed")
	}
	e.blob = base64.StdEncoding.EncodeToString(wrapped)
	return e, nil
}

// wipe clears the key: it is needed for this call only.
func (e *envelope) wipe() {
	if e != nil {
		clear(e.key)
	}
}

// aead returns the SM4-GCM cipher of the key.
func (e *envelope) aead() (cipher.AEAD, error) {
	b, err := sm4.NewCipher(e.key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// seal encrypts one value: the base64 ciphertext and, for SM4-GCM, the base64 tag.
func (e *envelope) seal(plain []byte) (ct, tag string, err error) {
	if e.algorithm == algSM4GCM {
		g, err := e.aead()
		if err != nil {
			return "", "", err
		}
		out := g.Seal(nil, e.iv, plain, nil)
		n := len(out) - g.Overhead()
		return base64.StdEncoding.EncodeToString(out[:n]), base64.StdEncoding.EncodeToString(out[n:]), nil
	}
	b, err := aes.NewCipher(e.key)
	if err != nil {
		return "", "", err
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	buf := make([]byte, len(plain)+pad)
	copy(buf, plain)
	for i := len(plain); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(b, e.iv).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), "", nil
}

// errOpen is what a value that does not decrypt gives; it never quotes the value.
var errOpen = errors.New("does not decrypt with this request's key")

// open decrypts one base64 value with iv (the answer's) and, for SM4-GCM, its base64 tag.
func (e *envelope) open(ct string, iv []byte, tag string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(ct)
	if err != nil {
		return nil, errOpen
	}
	if e.algorithm == algSM4GCM {
		t, err := base64.StdEncoding.DecodeString(tag)
		g, gerr := e.aead()
		if err != nil || gerr != nil || len(iv) != g.NonceSize() || len(t) != g.Overhead() {
			return nil, errOpen
		}
		plain, err := g.Open(nil, iv, append(raw, t...), nil)
		if err != nil {
			return nil, errOpen
		}
		return plain, nil
	}
	b, err := aes.NewCipher(e.key)
	if err != nil || len(iv) != aes.BlockSize || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, errOpen
	}
	buf := make([]byte, len(raw))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(buf, raw)
	pad := int(buf[len(buf)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errOpen
	}
	for _, p := range buf[len(buf)-pad:] {
		if int(p) != pad {
			return nil, errOpen
		}
	}
	return buf[:len(buf)-pad], nil
}

// encryptionWire is the Encryption object, in requests and answers.
type encryptionWire struct {
	EncryptList    []string `json:"EncryptList"`
	CiphertextBlob string   `json:"CiphertextBlob"`
	Iv             string   `json:"Iv"`
	Algorithm      string   `json:"Algorithm"`
	TagList        []string `json:"TagList"`
}

// object returns the request's Encryption object for the fields listed (tags in their order).
func (e *envelope) object(list, tags []string) *encryptionWire {
	if tags == nil {
		tags = []string{} // the helper sends [] rather than null
	}
	return &encryptionWire{EncryptList: list, CiphertextBlob: e.blob, Iv: base64.StdEncoding.EncodeToString(e.iv),
		Algorithm: e.algorithm, TagList: tags}
}

// sealIdentity encrypts the non-empty name and ID number of a DetectAuth or GetEidToken request
// and returns them with the Encryption object to send; without WithCloudEncryption, or with
// nothing to encrypt, it returns them unchanged and a nil object. The key is wiped before it
// returns: these answers carry nothing encrypted.
func (cfg *cloudConfig) sealIdentity(name, idCard string) (string, string, *encryptionWire, error) {
	if cfg.cipher == nil || (name == "" && idCard == "") {
		return name, idCard, nil, nil
	}
	e, err := cfg.cipher.newEnvelope()
	if err != nil {
		return "", "", nil, err
	}
	defer e.wipe()
	var list, tags []string
	fields := [2]struct {
		wire string
		v    string
	}{{"IdCard", idCard}, {"Name", name}}
	for i, f := range fields {
		if f.v == "" {
			continue
		}
		ct, tag, err := e.seal([]byte(f.v))
		if err != nil {
			return "", "", nil, fmt.Errorf("kyc: encryption: %s: %w", f.wire, err)
		}
		fields[i].v = ct
		list = append(list, f.wire)
		if tag != "" {
			tags = append(tags, tag)
		}
	}
	return fields[1].v, fields[0].v, e.object(list, tags), nil
}
