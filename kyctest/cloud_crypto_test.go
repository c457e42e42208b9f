package kyctest_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/emmansun/gmsm/padding"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"
	"github.com/stretchr/testify/require"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"

	"github.com/kycgo/kyc/kyctest"
)

// testEnvelope builds an Encryption object the way the reference describes, with this test's own
// code (not the SDK's): key and IV, the listed values encrypted, the key wrapped.
type testEnvelope struct {
	alg     string
	key, iv []byte
	obj     map[string]any
}

func newTestEnvelope(t *testing.T, srv *kyctest.Server, alg string) *testEnvelope {
	t.Helper()
	der, _ := pem.Decode([]byte(srv.CloudEncryptionKey(alg)))
	require.NotNil(t, der)
	e := &testEnvelope{alg: alg, key: []byte("0123456789abcdefABCDEFGHIJKLMNOP"), iv: make([]byte, 16)}
	var blob []byte
	var err error
	if alg == kyctest.AlgorithmSM4GCM {
		e.key, e.iv = e.key[:16], make([]byte, 12)
		pub, perr := smx509.ParsePKIXPublicKey(der.Bytes)
		require.NoError(t, perr)
		blob, err = sm2.Encrypt(rand.Reader, pub.(*ecdsa.PublicKey), e.key, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C3C2))
	} else {
		pub, perr := x509.ParsePKCS1PublicKey(der.Bytes)
		require.NoError(t, perr)
		blob, err = rsa.EncryptPKCS1v15(rand.Reader, pub, e.key) //nolint:staticcheck // the service's scheme
	}
	require.NoError(t, err)
	_, _ = rand.Read(e.iv)
	e.obj = map[string]any{"EncryptList": []string{}, "CiphertextBlob": base64.StdEncoding.EncodeToString(blob),
		"Iv": base64.StdEncoding.EncodeToString(e.iv), "Algorithm": alg, "TagList": []string{}}
	return e
}

// seal encrypts v as field name of params, listing it.
func (e *testEnvelope) seal(params map[string]any, name, v string) {
	if e.alg == kyctest.AlgorithmSM4GCM {
		b, _ := sm4.NewCipher(e.key)
		g, _ := cipher.NewGCM(b)
		out := g.Seal(nil, e.iv, []byte(v), nil)
		params[name] = base64.StdEncoding.EncodeToString(out[:len(out)-16])
		e.obj["TagList"] = append(e.obj["TagList"].([]string), base64.StdEncoding.EncodeToString(out[len(out)-16:]))
	} else {
		b, _ := aes.NewCipher(e.key)
		buf := padding.NewPKCS7Padding(16).Pad([]byte(v))
		cipher.NewCBCEncrypter(b, e.iv).CryptBlocks(buf, buf)
		params[name] = base64.StdEncoding.EncodeToString(buf)
	}
	e.obj["EncryptList"] = append(e.obj["EncryptList"].([]string), name)
}

// send sends DetectAuth with Tencent's common client and returns the service error code ("" on
// success).
func sendDetectAuth(t *testing.T, srv *kyctest.Server, params map[string]any) string {
	t.Helper()
	oc := newOfficialClient(t, srv)
	req := tchttp.NewCommonRequest("faceid", "2018-03-01", "DetectAuth")
	require.NoError(t, req.SetActionParameters(params))
	err := oc.client.Send(req, tchttp.NewCommonResponse())
	var se *tcerr.TencentCloudSDKError
	if errors.As(err, &se) {
		return se.Code
	}
	require.NoError(t, err)
	return ""
}

func TestEncryptionEnvelopesJudged(t *testing.T) {
	for _, alg := range []string{kyctest.AlgorithmAES256CBC, kyctest.AlgorithmSM4GCM} {
		t.Run(alg, func(t *testing.T) {
			srv := kyctest.NewServer()
			defer srv.Close()
			build := func(mut func(e *testEnvelope, p map[string]any)) map[string]any {
				e := newTestEnvelope(t, srv, alg)
				p := map[string]any{"RuleId": kyctest.DefaultRuleID}
				e.seal(p, "IdCard", "KYCTEST0000000001")
				e.seal(p, "Name", "测试用户")
				if mut != nil {
					mut(e, p)
				}
				p["Encryption"] = e.obj
				return p
			}
			require.Equal(t, "", sendDetectAuth(t, srv, build(nil)))
			rec := srv.EncryptedRequests()
			require.Len(t, rec, 1)
			require.Equal(t, map[string]string{"IdCard": "KYCTEST0000000001", "Name": "测试用户"}, rec[0].Plain)

			for name, tc := range map[string]struct {
				mut  func(e *testEnvelope, p map[string]any)
				code string
			}{
				"unsupported field": {func(e *testEnvelope, p map[string]any) { e.seal(p, "RedirectUrl", "https://x.example") }, kyctest.CodeUnsupportEncryptField},
				"no blob":           {func(e *testEnvelope, p map[string]any) { delete(e.obj, "CiphertextBlob") }, "InvalidParameter"},
				"no iv":             {func(e *testEnvelope, p map[string]any) { delete(e.obj, "Iv") }, "InvalidParameter"},
				"bad algorithm":     {func(e *testEnvelope, p map[string]any) { e.obj["Algorithm"] = "DES" }, "InvalidParameter"},
				"unknown member":    {func(e *testEnvelope, p map[string]any) { e.obj["Key"] = "x" }, "UnknownParameter"},
				"manual iv text":    {func(e *testEnvelope, p map[string]any) { e.obj["Iv"] = "1234567890123456" }, kyctest.CodeDecryptSystemError},
				"blob not base64":   {func(e *testEnvelope, p map[string]any) { e.obj["CiphertextBlob"] = "!!" }, kyctest.CodeDecryptSystemError},
				"value tampered": {func(e *testEnvelope, p map[string]any) {
					p["Name"] = base64.StdEncoding.EncodeToString(make([]byte, 16))
				}, kyctest.CodeDecryptSystemError},
				"plain value": {func(e *testEnvelope, p map[string]any) { p["IdCard"] = "KYCTEST0000000001" }, kyctest.CodeDecryptSystemError},
			} {
				require.Equal(t, tc.code, sendDetectAuth(t, srv, build(tc.mut)), name)
			}
			require.Len(t, srv.EncryptedRequests(), 1, "refused requests are not recorded")
		})
	}
}

// The whole-body answer: EncryptedBody opens with the request's key and the answer's own Iv
// (and tag), and holds the answer's members.
func TestEncryptedBodyAnswer(t *testing.T) {
	for _, alg := range []string{kyctest.AlgorithmAES256CBC, kyctest.AlgorithmSM4GCM} {
		srv := kyctest.NewServer()
		require.Equal(t, "", sendDetectAuth(t, srv, map[string]any{"RuleId": "1", "Name": "测试用户", "IdCard": "KYCTEST0000000001"}))
		oc := newOfficialClient(t, srv)
		auth := tchttp.NewCommonResponse()
		req := tchttp.NewCommonRequest("faceid", "2018-03-01", "DetectAuth")
		require.NoError(t, req.SetActionParameters(map[string]any{"RuleId": "1", "Name": "测试用户", "IdCard": "KYCTEST0000000001"}))
		require.NoError(t, oc.client.Send(req, auth))
		var minted struct{ Response struct{ BizToken string } }
		require.NoError(t, json.Unmarshal(auth.GetBody(), &minted))

		e := newTestEnvelope(t, srv, alg)
		e.obj["EncryptList"], e.obj["TagList"] = []string{"EncryptionBody"}, nil
		raw := tchttp.NewCommonResponse()
		req = tchttp.NewCommonRequest("faceid", "2018-03-01", "GetDetectInfoEnhanced")
		require.NoError(t, req.SetActionParameters(map[string]any{"BizToken": minted.Response.BizToken, "RuleId": "1",
			"InfoType": "1", "IsEncryptResponse": true, "Encryption": e.obj}))
		require.NoError(t, oc.client.Send(req, raw))
		var ans struct {
			Response struct {
				Text       any
				Encryption struct {
					Iv      string
					TagList []string
				}
				EncryptedBody string
			}
		}
		require.NoError(t, json.Unmarshal(raw.GetBody(), &ans))
		require.Nil(t, ans.Response.Text, "nothing in clear")
		iv, _ := base64.StdEncoding.DecodeString(ans.Response.Encryption.Iv)
		require.NotEqual(t, e.iv, iv)
		ct, _ := base64.StdEncoding.DecodeString(ans.Response.EncryptedBody)
		var plain []byte
		if alg == kyctest.AlgorithmSM4GCM {
			b, _ := sm4.NewCipher(e.key)
			g, _ := cipher.NewGCM(b)
			tag, _ := base64.StdEncoding.DecodeString(ans.Response.Encryption.TagList[0])
			var err error
			plain, err = g.Open(nil, iv, append(ct, tag...), nil)
			require.NoError(t, err)
		} else {
			b, _ := aes.NewCipher(e.key)
			cipher.NewCBCDecrypter(b, iv).CryptBlocks(ct, ct)
			var err error
			plain, err = padding.NewPKCS7Padding(16).Unpad(ct)
			require.NoError(t, err)
		}
		var body struct{ Text struct{ Name string } }
		require.NoError(t, json.Unmarshal(plain, &body))
		require.Equal(t, "测试用户", body.Text.Name)
		srv.Close()
	}
}
