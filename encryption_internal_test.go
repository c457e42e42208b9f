package kyc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// testCiphers makes a cloudCipher per algorithm from fresh key pairs.
func testCiphers(tb testing.TB) map[string]*cloudCipher {
	tb.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		tb.Fatal(err)
	}
	sk, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	sder, err := smx509.MarshalPKIXPublicKey(&sk.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*cloudCipher{}
	for alg, p := range map[string]*pem.Block{
		algAES256CBC: {Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)},
		algSM4GCM:    {Type: "PUBLIC KEY", Bytes: sder},
	} {
		cc, err := parseCloudCipher(alg, string(pem.EncodeToMemory(p)))
		if err != nil {
			tb.Fatal(err)
		}
		out[alg] = cc
	}
	return out
}

// BenchmarkSealIdentity is the cost WithCloudEncryption adds to DetectAuth: a fresh key and IV,
// the key wrapped (RSA-1024 or SM2), two fields encrypted.
func BenchmarkSealIdentity(b *testing.B) {
	for alg, cc := range testCiphers(b) {
		cfg := &cloudConfig{cipher: cc}
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := cfg.sealIdentity("测试用户", "KYCTEST0000000001"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzEncryptedAnswer feeds arbitrary answer members to the decryption of GetDetectInfoEnhanced:
// it must fail with an error or succeed, never panic.
func FuzzEncryptedAnswer(f *testing.F) {
	ciphers := testCiphers(f)
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAA", "Name", true)
	f.Add("", "", "", "", false)
	f.Add("!!", "A", "AAAA", "Response.Text.IdCard", false)
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 33)), "", base64.StdEncoding.EncodeToString(make([]byte, 12)), "OcrName", true)
	f.Fuzz(func(t *testing.T, value, tag, iv, listed string, whole bool) {
		for _, cc := range ciphers {
			e, err := cc.newEnvelope()
			if err != nil {
				t.Fatal(err)
			}
			b := &detectInfoEncBody{EncryptedBody: value,
				Encryption: &encryptionWire{EncryptList: []string{listed}, Iv: iv, TagList: []string{tag}}}
			b.Text = &DetectText{Name: value, IDCard: value}
			_ = b.open(e, whole)
		}
	})
}
