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
	"github.com/kycgo/kyc/internal/tc3"
)

// detectAuthAnswer is a DetectAuth success as the service writes it.
const detectAuthAnswer = `{"Response":{"BizToken":"CE661F1A-0F1E-45BD-BE13-34C05CEA7681",` +
	`"Url":"https://open.weixin.qq.com/connect/oauth2/authorize?token=CE661F1A-0F1E-45BD-BE13-34C05CEA7681",` +
	`"RequestId":"f904f4cf-75db-4f8f-a5ec-dc4f942c7f7a"}}`

// cloudBenchServer answers every request with detectAuthAnswer and checks nothing, so that the
// two benchmarks below measure the client side only.
// The last body it received is kept in last.
func cloudBenchServer(b *testing.B, last *atomic.Value) *httptest.Server {
	return answeringServer(b, last, detectAuthAnswer)
}

// answeringServer answers every request with answer and keeps the last body it received.
func answeringServer(b *testing.B, last *atomic.Value, answer string) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		last.Store(string(body))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		io.WriteString(w, answer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// The DetectAuth of both benchmarks: the body the SDK sends for it, byte for byte.
var (
	benchDetectAuth = kyc.DetectAuthRequest{RuleID: "1", Name: cloudName, IDCard: cloudIDCard,
		RedirectURL: "https://partner.example/back"}
	benchDetectAuthBody = `{"RuleId":"1","IdCard":"` + cloudIDCard + `","Name":"` + cloudName +
		`","RedirectUrl":"https://partner.example/back"}`
)

// BenchmarkDetectAuth is one API 3.0 call end to end (check, encode, sign, send, decode, check
// the answer); BenchmarkDetectAuthPlainHTTP is the floor it is measured against, and
// BenchmarkDetectAuthPaired runs the two alternately and reports the ratio of their times
// (x-plain), which the machine's load affects alike. The targets: at most 1.25x the time and
// 1.6x the allocations (allocs/op of the first two).
func BenchmarkDetectAuth(b *testing.B) {
	call, check := detectAuthSDK(b)
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
	check()
}

func BenchmarkDetectAuthPlainHTTP(b *testing.B) {
	call := detectAuthPlain(b)
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}

func BenchmarkDetectAuthPaired(b *testing.B) {
	sdk, check := detectAuthSDK(b)
	tSDK, tPlain := paired(b, sdk, detectAuthPlain(b))
	b.ReportMetric(tSDK/tPlain, "x-plain")
	check()
}

// detectAuthSDK returns one DetectAuth through the SDK, and a check, to run after, that it sent
// the body the plain benchmark sends.
func detectAuthSDK(b *testing.B) (call, check func()) {
	return sdkCloudBench(b, detectAuthAnswer, benchDetectAuthBody, func(ctx context.Context, c *kyc.Client) bool {
		res, err := c.Detect.Auth(ctx, benchDetectAuth)
		return err == nil && res.BizToken != ""
	})
}

// sdkCloudBench returns one call of op through an API 3.0 client against a server answering
// answer, and a check, to run after, that the client sent wantBody (what the plain benchmark
// sends).
func sdkCloudBench(b *testing.B, answer, wantBody string, op func(context.Context, *kyc.Client) bool) (call, check func()) {
	var last atomic.Value
	srv := answeringServer(b, &last, answer)
	c, err := kyc.NewCloud("AKIDbench", "benchsecret", kyc.WithCloudEndpoint(srv.URL))
	require.NoError(b, err)
	ctx := context.Background()
	return func() {
			if !op(ctx, c) {
				b.Fatal("the call failed")
			}
		}, func() {
			require.Equal(b, wantBody, last.Load(), "the plain benchmark sends the same body")
		}
}

// detectAuthPlain returns one POST of the same body with plain net/http and a TC3 header
// computed once, decoding the same answer.
func detectAuthPlain(b *testing.B) func() {
	var last atomic.Value
	post := plainCloudPost(b, cloudBenchServer(b, &last), "DetectAuth", []byte(benchDetectAuthBody))
	return func() {
		raw := post()
		var out struct {
			Response struct {
				Error *struct {
					Code, Message string
				}
				BizToken  string
				URL       string `json:"Url"`
				RequestID string `json:"RequestId"`
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil || out.Response.Error != nil || out.Response.BizToken == "" {
			b.Fatalf("bad answer %s", raw)
		}
	}
}

// plainCloudPost returns one POST of body to srv as action with plain net/http and a TC3 header
// computed once; it returns the answer's bytes.
func plainCloudPost(b *testing.B, srv *httptest.Server, action string, body []byte) func() []byte {
	ts := time.Now().Unix()
	auth := tc3.Authorization("AKIDbench", "benchsecret",
		tc3.JSONPost(strings.TrimPrefix(srv.URL, "http://"), "faceid", ts, body))
	tsText := strconv.FormatInt(ts, 10)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return func() []byte {
		req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-TC-Action", action)
		req.Header.Set("X-TC-Version", "2018-03-01")
		req.Header.Set("X-TC-Timestamp", tsText)
		req.Header.Set("Authorization", auth)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return raw
	}
}

// paired runs op and base alternately (each first on every other round), timing each, and
// returns and reports their times per call. On a shared machine the load changes from one second
// to the next: paired rounds see the same load, separate benchmarks do not. Where the process's
// CPU time can be read (processCPU), it is reported too, as cpu-x: the ratio of the CPU time
// spent in op's halves to that in base's, which other processes' load hardly affects (the
// process's own work in a half, such as a test server's or the collector's, is counted in it).
func paired(b *testing.B, op, base func()) (opNs, baseNs float64) {
	var tOp, tBase, cOp, cBase time.Duration
	rounds := 0
	for b.Loop() {
		first, second := op, base
		tFirst, tSecond, cFirst, cSecond := &tOp, &tBase, &cOp, &cBase
		if rounds%2 == 1 {
			first, second = base, op
			tFirst, tSecond, cFirst, cSecond = &tBase, &tOp, &cBase, &cOp
		}
		c0, t0 := processCPU(), time.Now()
		first()
		c1, t1 := processCPU(), time.Now()
		second()
		c2 := processCPU()
		*tFirst += t1.Sub(t0)
		*tSecond += time.Since(t1)
		*cFirst += c1 - c0
		*cSecond += c2 - c1
		rounds++
	}
	opNs, baseNs = float64(tOp.Nanoseconds())/float64(rounds), float64(tBase.Nanoseconds())/float64(rounds)
	b.ReportMetric(opNs, "op-ns")
	b.ReportMetric(baseNs, "base-ns")
	if cBase > 0 {
		b.ReportMetric(float64(cOp)/float64(cBase), "cpu-x")
	}
	return opNs, baseNs
}
