package kyc_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
)

// idCardVerificationAnswer is an IdCardVerification success as the service writes it.
const idCardVerificationAnswer = `{"Response":{"Result":"0","Description":"姓名和身份证号一致",` +
	`"RequestId":"0f1e2d3c-4b5a-4697-8877-665544332211"}}`

// The IdCardVerification of the benchmarks: the body the SDK sends for it, byte for byte.
var (
	benchIDCardVerification     = checks.IDCardVerificationRequest{Name: cloudName, IDCard: cloudIDCard}
	benchIDCardVerificationBody = `{"IdCard":"` + cloudIDCard + `","Name":"` + cloudName + `"}`
)

// BenchmarkCheckIDCardVerify: one element check through the typed call of package checks (check,
// encode, CallCloud: sign, send, decode, check the answer) in "sdk"; the floor, a plain POST with
// a TC3 header computed once, in "plain"; the two alternately in "paired", which reports the
// ratio of their times (x-plain). Target: at most 1.25x.
func BenchmarkCheckIDCardVerify(b *testing.B) {
	b.Run("sdk", func(b *testing.B) {
		call, check := checkIDCardSDK(b)
		b.ReportAllocs()
		for b.Loop() {
			call()
		}
		check()
	})
	b.Run("plain", func(b *testing.B) {
		call := checkIDCardPlain(b)
		b.ReportAllocs()
		for b.Loop() {
			call()
		}
	})
	b.Run("paired", func(b *testing.B) {
		sdk, check := checkIDCardSDK(b)
		tSDK, tPlain := paired(b, sdk, checkIDCardPlain(b))
		b.ReportMetric(tSDK/tPlain, "x-plain")
		check()
	})
}

func checkIDCardSDK(b *testing.B) (call, check func()) {
	var ch *checks.Client
	return sdkCloudBench(b, idCardVerificationAnswer, benchIDCardVerificationBody, func(ctx context.Context, c *kyc.Client) bool {
		if ch == nil {
			ch = checks.New(c)
		}
		res, err := ch.IDCard.Verify(ctx, benchIDCardVerification)
		return err == nil && res.Passed()
	})
}

func checkIDCardPlain(b *testing.B) func() {
	var last atomic.Value
	post := plainCloudPost(b, answeringServer(b, &last, idCardVerificationAnswer), "IdCardVerification",
		[]byte(benchIDCardVerificationBody))
	return func() {
		raw := post()
		var out struct {
			Response struct {
				Error *struct {
					Code, Message string
				}
				Result      string
				Description string
				RequestID   string `json:"RequestId"`
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil || out.Response.Error != nil || out.Response.Result != "0" {
			b.Fatalf("bad answer %s", raw)
		}
	}
}
