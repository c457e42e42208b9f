package kyc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

var cloudAlgorithms = []string{kyctest.AlgorithmAES256CBC, kyctest.AlgorithmSM4GCM}

// newEncryptedPair starts a fake server and an API 3.0 client that encrypts with the server's
// public key for alg.
func newEncryptedPair(t *testing.T, alg string) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithRetry(2, time.Millisecond, time.Millisecond), kyc.WithCloudEncryption(alg, srv.CloudEncryptionKey(alg)))
	require.NoError(t, err)
	return srv, c
}

// lastEncrypted is the fake's record of the last encrypted request of action.
func lastEncrypted(t *testing.T, srv *kyctest.Server, action string) kyctest.EncryptedRequest {
	t.Helper()
	all := srv.EncryptedRequests()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Action == action {
			return all[i]
		}
	}
	t.Fatalf("no encrypted %s request recorded", action)
	return kyctest.EncryptedRequest{}
}

// checkCiphertextOnWire asserts that the listed identity fields arrived as base64 ciphertext,
// not as the plain values, and that the fake recovered the plain values.
func checkCiphertextOnWire(t *testing.T, rec kyctest.EncryptedRequest, alg string) {
	t.Helper()
	require.Equal(t, alg, rec.Algorithm)
	require.ElementsMatch(t, []string{"Name", "IdCard"}, rec.EncryptList)
	want := map[string]string{"Name": cloudName, "IdCard": cloudIDCard}
	for f, plain := range want {
		wire := rec.Wire[f]
		require.NotEqual(t, plain, wire, f)
		require.NotContains(t, wire, plain, f)
		_, err := base64.StdEncoding.DecodeString(wire)
		require.NoError(t, err, "%s is base64 on the wire", f)
		require.Equal(t, plain, rec.Plain[f], f)
	}
}

func TestEncryptionDetectRoundTrip(t *testing.T) {
	for _, alg := range cloudAlgorithms {
		t.Run(alg, func(t *testing.T) {
			srv, c := newEncryptedPair(t, alg)
			ctx := context.Background()
			auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
			require.NoError(t, err)
			checkCiphertextOnWire(t, lastEncrypted(t, srv, "DetectAuth"), alg)

			// The service kept the decrypted identity: asked for an encrypted answer, the client
			// opens it with this request's key.
			for name, req := range map[string]kyc.DetectInfoRequest{
				"fields": {BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText, EncryptText: true},
				"body":   {BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText, EncryptBody: true},
			} {
				info, err := c.Detect.InfoEnhanced(ctx, req)
				require.NoError(t, err, name)
				require.NotNil(t, info.Text, name)
				require.Equal(t, cloudName, info.Text.Name, name)
				require.Equal(t, cloudIDCard, info.Text.IDCard, name)
				require.Equal(t, "17", info.Text.Code(), name) // the journey has not run: the rest decoded too
				require.NotEmpty(t, info.RequestID, name)
			}
		})
	}
}

func TestEncryptionEIDRoundTrip(t *testing.T) {
	for _, alg := range cloudAlgorithms {
		t.Run(alg, func(t *testing.T) {
			srv, c := newEncryptedPair(t, alg)
			_, err := c.EID.Token(context.Background(), kyc.EIDTokenRequest{MerchantID: "0NSJ2103010000000001",
				Name: cloudName, IDCard: cloudIDCard, Config: &kyc.EIDTokenConfig{InputType: kyc.EIDInputPartner}})
			require.NoError(t, err)
			checkCiphertextOnWire(t, lastEncrypted(t, srv, "GetEidToken"), alg)
		})
	}
}

// Every request draws its own key and IV (crypto/rand), in the helper's key format.
func TestEncryptionFreshKeyPerRequest(t *testing.T) {
	for _, alg := range cloudAlgorithms {
		t.Run(alg, func(t *testing.T) {
			srv, c := newEncryptedPair(t, alg)
			for range 8 {
				_, err := c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
				require.NoError(t, err)
			}
			recs := srv.EncryptedRequests()
			require.Len(t, recs, 8)
			keyLen, ivLen := 32, 16
			if alg == kyctest.AlgorithmSM4GCM {
				keyLen, ivLen = 16, 12
			}
			keys, ivs, names := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, r := range recs {
				require.Len(t, r.Key, keyLen)
				require.Len(t, r.IV, ivLen)
				require.Equal(t, "", strings.Trim(string(r.Key), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
				keys[string(r.Key)], ivs[string(r.IV)], names[r.Wire["Name"]] = true, true, true
			}
			require.Len(t, keys, 8, "a key was reused")
			require.Len(t, ivs, 8, "an IV was reused")
			require.Len(t, names, 8, "the same name encrypted twice to the same ciphertext")
		})
	}
}

// A key wrapped with another public key does not unwrap: the service's DecryptSystemError.
func TestEncryptionWrongKey(t *testing.T) {
	for _, alg := range cloudAlgorithms {
		t.Run(alg, func(t *testing.T) {
			other := kyctest.NewServer()
			defer other.Close()
			srv := kyctest.NewServer()
			defer srv.Close()
			c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
				kyc.WithCloudEncryption(alg, other.CloudEncryptionKey(alg)))
			require.NoError(t, err)
			_, err = c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
			ae := apiErr(t, err)
			require.Equal(t, kyctest.CodeDecryptSystemError, ae.Code)
			require.ErrorIs(t, err, kyc.ErrBadRequest)
			require.NotContains(t, err.Error(), cloudName)
			require.Empty(t, srv.EncryptedRequests())
		})
	}
}

func TestEncryptionOptionChecked(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	rsaPEM, sm2PEM := srv.CloudEncryptionKey(kyctest.AlgorithmAES256CBC), srv.CloudEncryptionKey(kyctest.AlgorithmSM4GCM)
	bare := strings.Join(strings.Split(strings.TrimSpace(rsaPEM), "\n")[1:len(strings.Split(strings.TrimSpace(rsaPEM), "\n"))-1], "")
	for name, tc := range map[string]struct {
		alg, key string
		ok       bool
	}{
		"rsa":               {kyctest.AlgorithmAES256CBC, rsaPEM, true},
		"sm2":               {kyctest.AlgorithmSM4GCM, sm2PEM, true},
		"bare base64":       {kyctest.AlgorithmAES256CBC, bare, true},
		"unknown algorithm": {"AES-128-ECB", rsaPEM, false},
		"empty key":         {kyctest.AlgorithmAES256CBC, "", false},
		"rsa for sm4":       {kyctest.AlgorithmSM4GCM, rsaPEM, false},
		"sm2 for aes":       {kyctest.AlgorithmAES256CBC, sm2PEM, false},
		"garbage":           {kyctest.AlgorithmAES256CBC, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", false},
		"not base64":        {kyctest.AlgorithmAES256CBC, "not a key!", false},
		"certificate type":  {kyctest.AlgorithmAES256CBC, strings.ReplaceAll(rsaPEM, "RSA PUBLIC KEY", "CERTIFICATE"), false},
	} {
		_, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEncryption(tc.alg, tc.key))
		if tc.ok {
			require.NoError(t, err, name)
			continue
		}
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, name)
	}
}

func TestEncryptedAnswerRefusedLocally(t *testing.T) {
	srv, c := newCloudPair(t, nil) // no WithCloudEncryption
	req := kyc.DetectInfoRequest{BizToken: "CE661F1A-0F1E-45BD-BE13-34C05CEA7681", RuleID: kyctest.DefaultRuleID, EncryptText: true}
	_, err := c.Detect.InfoEnhanced(context.Background(), req)
	var ie *kyc.InputError
	require.ErrorAs(t, err, &ie)

	esrv, ec := newEncryptedPair(t, kyctest.AlgorithmSM4GCM)
	_, err = ec.Detect.Info(context.Background(), req) // the legacy action has no encrypted answers
	require.ErrorAs(t, err, &ie)
	req.EncryptBody = true
	_, err = ec.Detect.InfoEnhanced(context.Background(), req)
	require.ErrorAs(t, err, &ie)
	require.Zero(t, esrv.TotalRequests())
	require.Zero(t, srv.TotalRequests())

	// Without the option nothing is encrypted: no Encryption object reaches the service.
	_, err = c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
	require.NoError(t, err)
	require.Empty(t, srv.EncryptedRequests())
}

// An encrypted answer that does not open is a bad response, never a panic or plain garbage.
func TestEncryptedAnswerThatDoesNotOpen(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	for name, body := range map[string]string{
		"body not base64":  `{"Response":{"EncryptedBody":"!!","Encryption":{"Iv":"AAAAAAAAAAAAAAAA"},"RequestId":"r1"}}`,
		"body wrong key":   `{"Response":{"EncryptedBody":"AAAAAAAAAAAAAAAAAAAAAA==","Encryption":{"Iv":"AAAAAAAAAAAAAAAA","TagList":["AAAAAAAAAAAAAAAAAAAAAA=="]},"RequestId":"r1"}}`,
		"no body":          `{"Response":{"EncryptedBody":null,"RequestId":"r1"}}`,
		"iv not base64":    `{"Response":{"EncryptedBody":"AAAA","Encryption":{"Iv":"?"},"RequestId":"r1"}}`,
		"text wrong key":   `{"Response":{"Text":{"Name":"AAAAAAAAAAAAAAAAAAAAAA=="},"Encryption":{"EncryptList":["Name"],"Iv":"AAAAAAAAAAAAAAAA","TagList":["AAAAAAAAAAAAAAAAAAAAAA=="]},"RequestId":"r1"}}`,
		"unknown listed":   `{"Response":{"Text":{"Name":"x"},"Encryption":{"EncryptList":["Mobile"]},"RequestId":"r1"}}`,
		"short tag in gcm": `{"Response":{"Text":{"Name":"AAAA"},"Encryption":{"EncryptList":["Name"],"Iv":"AAAAAAAAAAAAAAAA","TagList":["AA=="]},"RequestId":"r1"}}`,
	} {
		fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
		for _, alg := range cloudAlgorithms {
			c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(fake.URL),
				kyc.WithCloudEncryption(alg, srv.CloudEncryptionKey(alg)), kyc.WithRetry(1, time.Millisecond, time.Millisecond))
			require.NoError(t, err)
			whole := strings.HasPrefix(name, "body") || name == "no body" || name == "iv not base64"
			_, err = c.Detect.InfoEnhanced(context.Background(), kyc.DetectInfoRequest{BizToken: "CE661F1A-0F1E-45BD-BE13-34C05CEA7681",
				RuleID: "1", Parts: kyc.PartText, EncryptText: !whole, EncryptBody: whole})
			require.Error(t, err, name+" "+alg)
			require.True(t, errors.Is(err, kyc.ErrBadResponse), "%s %s: %v", name, alg, err)
		}
		fake.Close()
	}
}
