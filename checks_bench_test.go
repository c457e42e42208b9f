package kyc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
	"github.com/kycgo/kyc/internal/tc3"
)

// idCardVerificationAnswer is an IdCardVerification success as the service writes it.
const idCardVerificationAnswer = `{"Response":{"Result":"0","Description":"姓名和身份证号一致",` +
	`"RequestId":"0f1e2d3c-4b5a-4697-8877-665544332211"}}`

// The IdCardVerification of the benchmarks: the body the SDK sends for it, byte for byte.
var (
	benchIDCardVerification     = checks.IDCardVerificationRequest{Name: cloudName, IDCard: cloudIDCard}
	benchIDCardVerificationBody = `{"IdCard":"` + cloudIDCard + `","Name":"` + cloudName + `"}`
)

// checksBenchServer answers every request with idCardVerificationAnswer and keeps the last body.
func checksBenchServer(b *testing.B, last *atomic.Value) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		last.Store(string(body))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(idCardVerificationAnswer)))
		io.WriteString(w, idCardVerificationAnswer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkCheckIDCardVerify is one element check through the typed call of package checks
// (check, encode, CallCloud: sign, send, decode, check the answer);
// BenchmarkCheckIDCardVerifyPlainHTTP is the floor, and BenchmarkCheckIDCardVerifyPaired runs
// the two alternately and reports the ratio of their times (x-plain). Target: at most 1.25x.
func BenchmarkCheckIDCardVerify(b *testing.B) {
	call, check := checkIDCardSDK(b)
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
	check()
}

func BenchmarkCheckIDCardVerifyPlainHTTP(b *testing.B) {
	call := checkIDCardPlain(b)
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}

func BenchmarkCheckIDCardVerifyPaired(b *testing.B) {
	sdk, check := checkIDCardSDK(b)
	tSDK, tPlain := paired(b, sdk, checkIDCardPlain(b))
	b.ReportMetric(tSDK/tPlain, "x-plain")
	check()
}

func checkIDCardSDK(b *testing.B) (call, check func()) {
	var last atomic.Value
	srv := checksBenchServer(b, &last)
	c, err := kyc.NewCloud("AKIDbench", "benchsecret", kyc.WithCloudEndpoint(srv.URL))
	require.NoError(b, err)
	ch := checks.New(c)
	ctx := context.Background()
	return func() {
			res, err := ch.IDCard.Verify(ctx, benchIDCardVerification)
			if err != nil || !res.Passed() {
				b.Fatal(err)
			}
		}, func() {
			require.Equal(b, benchIDCardVerificationBody, last.Load(), "the plain benchmark sends the same body")
		}
}

func checkIDCardPlain(b *testing.B) func() {
	var last atomic.Value
	srv := checksBenchServer(b, &last)
	body := []byte(benchIDCardVerificationBody)
	ts := time.Now().Unix()
	auth := tc3.Authorization("AKIDbench", "benchsecret",
		tc3.JSONPost(strings.TrimPrefix(srv.URL, "http://"), "faceid", ts, body))
	tsText := strconv.FormatInt(ts, 10)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return func() {
		req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-TC-Action", "IdCardVerification")
		req.Header.Set("X-TC-Version", "2018-03-01")
		req.Header.Set("X-TC-Timestamp", tsText)
		req.Header.Set("Authorization", auth)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
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
