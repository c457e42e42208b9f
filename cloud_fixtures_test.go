package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc/internal/tc3"
)

type cloudFixture struct {
	Name     string          `json:"name"`
	Source   string          `json:"source"`
	Action   string          `json:"action"`
	Note     string          `json:"note"`
	Response json.RawMessage `json:"response"`
	Expect   map[string]any  `json:"expect"`
}

func loadCloudFixtures(t testing.TB) map[string]cloudFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cloud", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]cloudFixture{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx cloudFixture
		require.NoError(t, json.Unmarshal(raw, &fx), f)
		require.NotEmpty(t, fx.Name, f)
		require.NotEmpty(t, fx.Source, f)
		require.NotEmpty(t, fx.Action, f)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out
}

// fakeCloud answers API 3.0 requests from canned bodies by X-TC-Action, and checks that each
// request is signed as the TC3 rule says.
type fakeCloud struct {
	t       testing.TB
	mu      sync.Mutex
	answers map[string][]byte
	status  int
	calls   map[string]int
	bodies  map[string][]byte
	headers map[string]http.Header
}

func (f *fakeCloud) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	action := r.Header.Get("X-TC-Action")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[action]++
	f.bodies[action], f.headers[action] = body, r.Header.Clone()
	ans, ok := f.answers[action]
	status := f.status
	if status == 0 {
		status = 200
	}
	if !ok {
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader("not found")), Request: r}, nil
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(ans)), Body: io.NopCloser(bytes.NewReader(ans)), Request: r}, nil
}

func newCloudFixtureClient(t testing.TB, answers map[string][]byte, opts ...Option) (*Client, *fakeCloud) {
	t.Helper()
	fs := &fakeCloud{t: t, answers: answers, calls: map[string]int{}, bodies: map[string][]byte{}, headers: map[string]http.Header{}}
	base := []Option{WithHTTPClient(&http.Client{Transport: fs}), WithRetry(3, time.Millisecond, time.Millisecond)}
	c, err := NewCloud("AKIDFIXTURE", "fixtureKey", append(base, opts...)...)
	require.NoError(t, err)
	return c, fs
}

func TestCloudFixturesReplay(t *testing.T) {
	ctx := context.Background()
	for name, f := range loadCloudFixtures(t) {
		t.Run(name, func(t *testing.T) {
			c, fs := newCloudFixtureClient(t, map[string][]byte{f.Action: f.Response})
			exp := func(k string) string { s, _ := f.Expect[k].(string); return s }
			expN := func(k string) int { n, _ := f.Expect[k].(float64); return int(n) }
			expList := func(k string) []any { l, _ := f.Expect[k].([]any); return l }
			checkText := func(tx *DetectText) {
				require.NotNil(t, tx)
				require.Equal(t, exp("errCode"), tx.Code())
				require.Len(t, tx.LivenessDetail, expN("details"))
				charged := 0
				for i, d := range tx.LivenessDetail {
					if d.Charged() {
						charged++
					}
					if codes := expList("codes"); codes != nil {
						require.Equal(t, codes[i], d.ErrCode)
					}
					if ids := expList("idCards"); ids != nil {
						require.Equal(t, ids[i], d.IDCard)
					}
				}
				require.Equal(t, expN("charged"), charged)
			}
			var err error
			switch {
			case exp("code") != "":
				switch f.Action {
				case "GetDetectInfoEnhanced":
					_, err = c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1"})
				case "CheckEidTokenStatus":
					_, err = c.EID.TokenStatus(ctx, "T")
				case "GetEidResult":
					_, err = c.EID.Result(ctx, EIDResultRequest{EIDToken: "T"})
				}
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				require.Equal(t, exp("code"), ae.Code)
				require.Equal(t, exp("requestId"), ae.RequestID)
				require.Equal(t, f.Action, ae.Op)
				class := map[string]error{"ErrInvalidSignature": ErrInvalidSignature, "ErrRateLimited": ErrRateLimited, "ErrExpired": ErrExpired}[exp("class")]
				require.ErrorIs(t, err, class)
				require.Equal(t, expN("attempts"), fs.calls[f.Action])
			case f.Action == "DetectAuth":
				res, err := c.Detect.Auth(ctx, DetectAuthRequest{RuleID: "1"})
				require.NoError(t, err)
				require.Equal(t, exp("bizToken"), res.BizToken)
				require.Equal(t, exp("requestId"), res.RequestID)
				require.Contains(t, res.URL, res.BizToken)
			case f.Action == "GetDetectInfoEnhanced" && f.Expect["videoSeqs"] != nil:
				// The documented shape: VideoData is an object carrying LivenessVideo and, with
				// IsReturnAllVideo, every attempt's video in LivenessVideos.
				res, err := c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", AllVideos: true})
				require.NoError(t, err)
				checkText(res.Text)
				require.Equal(t, exp("sim"), res.Text.Sim)
				require.Equal(t, exp("requestId"), res.RequestID)
				require.Len(t, res.BestFrame, expN("bestFrameBytes"))
				require.Len(t, res.Video, expN("videoBytes"))
				seqs, sizes := expList("videoSeqs"), expList("videosBytes")
				require.Len(t, res.Videos, len(seqs))
				for i, v := range res.Videos {
					require.Equal(t, seqs[i], v.Seq)
					require.Len(t, v.Video, int(sizes[i].(float64)))
					require.Empty(t, v.Path)
				}
				var sent map[string]any
				require.NoError(t, json.Unmarshal(fs.bodies[f.Action], &sent))
				require.Equal(t, true, sent["IsReturnAllVideo"])
			case f.Action == "GetDetectInfoEnhanced":
				res, err := c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", Parts: PartText})
				require.NoError(t, err)
				checkText(res.Text)
				require.Equal(t, exp("sim"), res.Text.Sim)
				require.Equal(t, exp("requestId"), res.RequestID)
				require.Empty(t, res.Video)
				require.Nil(t, res.Text.LivenessDetail[1].IsNeedCharge, "null stays null")
			case f.Action == "GetDetectInfo":
				res, err := c.Detect.Info(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1"})
				require.NoError(t, err)
				checkText(res.Text)
				require.Len(t, res.BestFrame, expN("bestFrameBytes"))
				require.Len(t, res.Video, expN("videoBytes"))
				require.Equal(t, exp("requestId"), res.RequestID)
			case f.Action == "GetEidToken":
				res, err := c.EID.Token(ctx, EIDTokenRequest{MerchantID: "M"})
				require.NoError(t, err)
				require.Equal(t, exp("eidToken"), res.EIDToken)
				require.Equal(t, exp("requestId"), res.RequestID)
			case f.Action == "GetEidResult":
				res, err := c.EID.Result(ctx, EIDResultRequest{EIDToken: "T"})
				require.NoError(t, err)
				checkText(res.Text)
				require.Len(t, res.BestFrame, expN("bestFrameBytes"))
				require.Equal(t, exp("eidCode"), res.EIDInfo.EIDCode)
				require.Equal(t, exp("eidSign"), res.EIDInfo.EIDSign)
				require.Equal(t, exp("desKey"), res.EIDInfo.DesKey)
				require.Equal(t, exp("userInfo"), res.EIDInfo.UserInfo)
				require.Equal(t, exp("requestId"), res.RequestID)
			case f.Action == "CheckEidTokenStatus":
				st, err := c.EID.TokenStatus(ctx, "T")
				require.NoError(t, err)
				require.Equal(t, EIDStatus(exp("status")), st)
			case f.Action == "GetWeChatBillDetails":
				d := DayOf(time.Now()).AddDays(-2)
				b, err := c.Billing.FetchDay(ctx, d, "1")
				require.NoError(t, err)
				require.Len(t, b.Records, expN("records"))
				var codes, ids []any
				for i, r := range b.Records {
					require.Equal(t, expList("chargeCounts")[i], float64(r.ChargeCount))
					for _, cd := range r.ChargeDetails {
						codes, ids = append(codes, cd.ErrorCode), append(ids, cd.IDCard)
					}
				}
				require.Equal(t, expList("codes"), codes)
				require.Equal(t, expList("idCards"), ids)
				var sent map[string]any
				require.NoError(t, json.Unmarshal(fs.bodies[f.Action], &sent))
				require.Equal(t, map[string]any{"Date": d.String(), "Cursor": 0.0, "RuleId": "1"}, sent)
			default:
				t.Fatalf("no replay for %s", f.Action)
			}
			// Every request carries the API 3.0 headers and a signature that verifies.
			h := fs.headers[f.Action]
			require.Equal(t, f.Action, h.Get("X-TC-Action"))
			require.Equal(t, cloudVersion, h.Get("X-TC-Version"))
			require.Equal(t, "application/json", h.Get("Content-Type"))
			require.Empty(t, h.Get("X-TC-Region"))
			cred, perr := tc3.Parse(h.Get("Authorization"))
			require.NoError(t, perr)
			require.Equal(t, "AKIDFIXTURE", cred.SecretID)
			var ts int64
			_, serr := fmtSscan(h.Get("X-TC-Timestamp"), &ts)
			require.NoError(t, serr)
			want := tc3.Signature("fixtureKey", tc3.JSONPost("faceid.tencentcloudapi.com", "faceid", ts, fs.bodies[f.Action]))
			require.Equal(t, want, cred.Signature)
		})
	}
}

func TestCloudAnswersThatAreNotAnswers(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]struct {
		status  int
		body    string
		class   error
		retried bool
	}{
		"html 502":         {502, "<html>bad gateway</html>", ErrBusy, true},
		"html 200":         {200, "<html>hello</html>", ErrBadResponse, true},
		"no Response":      {200, `{"Foo": 1}`, ErrBadResponse, true},
		"null Response":    {200, `{"Response": null}`, ErrBadResponse, true},
		"Response string":  {200, `{"Response": "x"}`, ErrBadResponse, true},
		"error no code":    {200, `{"Response": {"Error": {"Message": "x"}, "RequestId": "r"}}`, ErrBadResponse, true},
		"wrong field type": {200, `{"Response": {"Status": 5, "RequestId": "r"}}`, ErrBadResponse, false},
		"429":              {429, `{}`, ErrRateLimited, true},
		"404 API error":    {404, `{"Response": {"Error": {"Code": "InvalidAction", "Message": "x"}, "RequestId": "r"}}`, ErrBadRequest, false},
	} {
		t.Run(name, func(t *testing.T) {
			cl, fs := newCloudFixtureClient(t, map[string][]byte{"CheckEidTokenStatus": []byte(c.body)})
			fs.status = c.status
			_, err := cl.EID.TokenStatus(ctx, "T")
			require.ErrorIs(t, err, c.class)
			require.NotContains(t, err.Error(), c.body)
			want := 1
			if c.retried {
				want = 3
			}
			require.Equal(t, want, fs.calls["CheckEidTokenStatus"])
		})
	}
	// A body past the cap is refused without retrying.
	big := `{"Response": {"Status": "` + strings.Repeat("x", 4096) + `", "RequestId": "r"}}`
	cl, fs := newCloudFixtureClient(t, map[string][]byte{"CheckEidTokenStatus": []byte(big)}, WithMaxBodySize(1024))
	_, err := cl.EID.TokenStatus(ctx, "T")
	require.ErrorIs(t, err, ErrBadResponse)
	require.Equal(t, 1, fs.calls["CheckEidTokenStatus"])
	// A bill whose cursor does not advance is refused rather than looped on.
	loop := `{"Response": {"HasNextPage": true, "NextCursor": 0, "WeChatBillDetails": [], "RequestId": "r"}}`
	cl, _ = newCloudFixtureClient(t, map[string][]byte{"GetWeChatBillDetails": []byte(loop)})
	_, err = cl.Billing.FetchDay(ctx, DayOf(time.Now()).AddDays(-2), "")
	require.ErrorIs(t, err, ErrBadResponse)
	// A transport failure is redacted and keeps its cause.
	cl, _ = newCloudFixtureClient(t, nil, WithHTTPClient(&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, context.DeadlineExceeded
	})}))
	_, err = cl.EID.TokenStatus(ctx, "T")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, errors.Is(err, ErrBadResponse))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCloudHeadersAndEndpoint(t *testing.T) {
	var got *http.Request
	var body []byte
	cl, err := NewCloud("", "", WithCloudEndpoint("https://faceid.ap-shanghai.tencentcloudapi.com"),
		WithCloudRegion("ap-shanghai"), WithCloudLanguage("en-US"),
		WithCloudCredentialsProvider(&staticCreds{creds: CloudCredentials{SecretID: "AKIDX", SecretKey: "key", Token: "tok"}}),
		WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r
			body, _ = io.ReadAll(r.Body)
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"Response":{"Status":"init","RequestId":"r"}}`))}, nil
		})}))
	require.NoError(t, err)
	st, err := cl.EID.TokenStatus(context.Background(), "TOKEN1")
	require.NoError(t, err)
	require.Equal(t, EIDInit, st)
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "https://faceid.ap-shanghai.tencentcloudapi.com/", got.URL.String())
	require.Equal(t, "ap-shanghai", got.Header.Get("X-TC-Region"))
	require.Equal(t, "tok", got.Header.Get("X-TC-Token"))
	require.Equal(t, "en-US", got.Header.Get("X-TC-Language"))
	require.JSONEq(t, `{"EidToken":"TOKEN1"}`, string(body))
	cred, err := tc3.Parse(got.Header.Get("Authorization"))
	require.NoError(t, err)
	var ts int64
	_, err = fmtSscan(got.Header.Get("X-TC-Timestamp"), &ts)
	require.NoError(t, err)
	require.Equal(t, tc3.Signature("key", tc3.JSONPost("faceid.ap-shanghai.tencentcloudapi.com", "faceid", ts, body)), cred.Signature)
}

func fmtSscan(s string, n *int64) (int, error) { return fmt.Sscan(s, n) }
