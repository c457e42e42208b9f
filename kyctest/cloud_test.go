package kyctest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/tc3"
)

// cloudPost sends an API 3.0 request signed with the server's pair at its clock's time; edit
// changes the request after signing.
func cloudPost(t *testing.T, srv *Server, action, body string, edit func(r *http.Request)) map[string]any {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	ts := srv.Clock.Now().Unix()
	host := strings.TrimPrefix(srv.URL, "http://")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-TC-Action", action)
	r.Header.Set("X-TC-Version", "2018-03-01")
	r.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("Authorization", tc3.Authorization(srv.SecretID, srv.SecretKey, tc3.JSONPost(host, "faceid", ts, []byte(body))))
	if edit != nil {
		edit(r)
	}
	resp, err := srv.ts.Client().Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := decode(t, raw)
	out, ok := m["Response"].(map[string]any)
	require.True(t, ok, "body: %s", raw)
	require.NotEmpty(t, out["RequestId"])
	return out
}

func errorCode(m map[string]any) string {
	e, _ := m["Error"].(map[string]any)
	c, _ := e["Code"].(string)
	return c
}

func TestCloudAuthentication(t *testing.T) {
	srv := NewServer(WithCloudCredentials("AKIDKYCTESTONE", "keyOne"), WithCloudCredentials("AKIDKYCTESTTWO", "keyTwo"))
	defer srv.Close()
	require.Equal(t, "AKIDKYCTESTONE", srv.SecretID)
	require.Equal(t, "keyOne", srv.SecretKey)
	const body = `{"RuleId":"1"}`
	ok := cloudPost(t, srv, "DetectAuth", body, nil)
	require.Empty(t, errorCode(ok))
	require.NotEmpty(t, ok["BizToken"])

	resign := func(id, key string, mutate func(*tc3.Request)) func(*http.Request) {
		return func(r *http.Request) {
			ts, _ := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
			req := tc3.JSONPost(strings.TrimPrefix(srv.URL, "http://"), "faceid", ts, []byte(body))
			if mutate != nil {
				mutate(&req)
			}
			r.Header.Set("Authorization", tc3.Authorization(id, key, req))
		}
	}
	for name, c := range map[string]struct {
		edit func(*http.Request)
		code string
	}{
		"second key":          {resign("AKIDKYCTESTTWO", "keyTwo", nil), ""},
		"wrong key":           {resign("AKIDKYCTESTONE", "keyTwo", nil), "AuthFailure.SignatureFailure"},
		"unknown id":          {resign("AKIDNOBODY", "keyOne", nil), "AuthFailure.SecretIdNotFound"},
		"other body":          {resign("AKIDKYCTESTONE", "keyOne", func(r *tc3.Request) { r.Payload = []byte(`{"RuleId":"2"}`) }), "AuthFailure.SignatureFailure"},
		"other service":       {resign("AKIDKYCTESTONE", "keyOne", func(r *tc3.Request) { r.Service = "cvm" }), "AuthFailure.SignatureFailure"},
		"host not signed":     {resign("AKIDKYCTESTONE", "keyOne", func(r *tc3.Request) { r.Headers = r.Headers[:1] }), "AuthFailure.SignatureFailure"},
		"date of another day": {resign("AKIDKYCTESTONE", "keyOne", func(r *tc3.Request) { r.Timestamp -= 86400 }), "AuthFailure.SignatureFailure"},
		"garbage auth":        {func(r *http.Request) { r.Header.Set("Authorization", "Basic abc") }, "AuthFailure.InvalidAuthorization"},
		"no version":          {func(r *http.Request) { r.Header.Del("X-TC-Version") }, "MissingParameter"},
		"old version":         {func(r *http.Request) { r.Header.Set("X-TC-Version", "2017-03-12") }, "NoSuchVersion"},
		"no timestamp":        {func(r *http.Request) { r.Header.Del("X-TC-Timestamp") }, "MissingParameter"},
		"form body":           {func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, "InvalidParameter"},
		"unexpected token":    {func(r *http.Request) { r.Header.Set("X-TC-Token", "t") }, "AuthFailure.TokenFailure"},
	} {
		got := cloudPost(t, srv, "DetectAuth", body, c.edit)
		require.Equal(t, c.code, errorCode(got), name)
	}

	// The timestamp must be within 5 minutes of the server's clock, either way.
	for _, skew := range []time.Duration{-SignatureWindow - time.Second, SignatureWindow + time.Second} {
		got := cloudPost(t, srv, "DetectAuth", body, func(r *http.Request) {
			ts := srv.Clock.Now().Add(skew).Unix()
			r.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
			r.Header.Set("Authorization", tc3.Authorization(srv.SecretID, srv.SecretKey, tc3.JSONPost(strings.TrimPrefix(srv.URL, "http://"), "faceid", ts, []byte(body))))
		})
		require.Equal(t, "AuthFailure.SignatureExpire", errorCode(got), skew)
	}
}

// TestCloudVerifiesPublishedVector replays the docs/README.md's first TC3 vector byte for byte
// against the verifier (same host header, body, timestamp and Authorization), with the vector's ID
// number replaced by an obviously invented one and its digest recomputed (internal/tc3's test
// says how).
func TestCloudVerifiesPublishedVector(t *testing.T) {
	const id, key, ts = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", 1795971494
	srv := NewServer(WithCloudCredentials(id, key))
	defer srv.Close()
	srv.Clock.Advance(time.Unix(ts, 0).Sub(srv.Clock.Now()))
	body := `{"IdCard":"TEST00000000000001","Name":"张三","RuleId":"1"}` // an obviously invented ID number
	got := cloudPost(t, srv, "DetectAuth", body, func(r *http.Request) {
		r.Host = "127.0.0.1:36105"
		r.Header.Set("X-TC-Timestamp", strconv.Itoa(ts))
		r.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+id+"/2026-11-29/faceid/tc3_request, SignedHeaders=content-type;host, "+
			"Signature=4e166c0b7f278fb1f347a3dcd86d6cb5cd7616072f5fc1cf5ba6fa64a60e986f")
	})
	require.Empty(t, errorCode(got), "%v", got)
	require.NotEmpty(t, got["BizToken"])
	// One bit off in the signature is refused.
	got = cloudPost(t, srv, "DetectAuth", body, func(r *http.Request) {
		r.Host = "127.0.0.1:36105"
		r.Header.Set("X-TC-Timestamp", strconv.Itoa(ts))
		r.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+id+"/2026-11-29/faceid/tc3_request, SignedHeaders=content-type;host, "+
			"Signature=4e166c0b7f278fb1f347a3dcd86d6cb5cd7616072f5fc1cf5ba6fa64a60e986e")
	})
	require.Equal(t, "AuthFailure.SignatureFailure", errorCode(got))
}

func TestCloudActionsAndParameters(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	require.Equal(t, "InvalidAction", errorCode(cloudPost(t, srv, "DescribeNothing", `{}`, nil)))
	require.Equal(t, 1, srv.Requests(EndpointCloudOther))
	require.Equal(t, "UnknownParameter", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":"1","Nmae":"x"}`, nil)))
	require.Equal(t, "InvalidParameter", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":1}`, nil)))
	require.Equal(t, "MissingParameter", errorCode(cloudPost(t, srv, "DetectAuth", `{}`, nil)))
	require.Equal(t, "InvalidParameterValue.RuleIdNotExist", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":"2"}`, nil)))
	require.Equal(t, "InvalidParameterValue", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":"1","Name":"a","IdCard":"kyctest1x"}`, nil)))
	require.Equal(t, "InvalidParameterValue", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":"1","RedirectUrl":"/x"}`, nil)))
	require.Equal(t, "InvalidParameterValue", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":"1","ImageBase64":"!!"}`, nil)))
	require.Equal(t, "MissingParameter", errorCode(cloudPost(t, srv, "GetEidToken", `{}`, nil)))
	require.Equal(t, "InvalidParameter", errorCode(cloudPost(t, srv, "GetEidToken", `{"MerchantId":"m","Config":{"InputType":"4"}}`, nil)))
	require.Equal(t, CodeTokenIllegal, errorCode(cloudPost(t, srv, "CheckEidTokenStatus", `{"EidToken":"nope"}`, nil)))
	require.Equal(t, CodeTokenIllegal, errorCode(cloudPost(t, srv, "GetEidResult", `{"EidToken":"nope"}`, nil)))
	require.Equal(t, "InvalidParameterValue", errorCode(cloudPost(t, srv, "GetEidResult", `{"EidToken":"nope","InfoType":"4"}`, nil)))

	// A token is bound to its RuleId.
	auth := cloudPost(t, srv, "DetectAuth", `{"RuleId":"1"}`, nil)
	tok := auth["BizToken"].(string)
	require.Equal(t, CodeTokenIllegal, errorCode(cloudPost(t, srv, "GetDetectInfoEnhanced", `{"BizToken":"`+tok+`","RuleId":"2"}`, nil)))
	require.Equal(t, "InvalidParameterValue", errorCode(cloudPost(t, srv, "GetDetectInfoEnhanced", `{"BizToken":"`+tok+`","RuleId":"1","InfoType":"7"}`, nil)))
	info := cloudPost(t, srv, "GetDetectInfoEnhanced", `{"BizToken":"`+tok+`","RuleId":"1","InfoType":"1"}`, nil)
	text := info["Text"].(map[string]any)
	require.Equal(t, json.Number("17"), text["ErrCode"], "flow not completed")

	// The legacy action answers a JSON document in a string.
	require.NoError(t, srv.CompleteDetect(tok, DetectAttempt{ErrCode: "0", NoCompare: false}))
	legacy := cloudPost(t, srv, "GetDetectInfo", `{"BizToken":"`+tok+`","RuleId":"1","InfoType":"1"}`, nil)
	doc := decode(t, []byte(legacy["DetectInfo"].(string)))
	items := doc["Text"].(map[string]any)["Detail"].(map[string]any)["LivenessData"].([]any)
	require.Len(t, items, 1)

	// A fault's code on an API 3.0 action answers the API 3.0 error frame.
	srv.Fail(Fault{Endpoint: "DetectAuth", Code: "RequestLimitExceeded", Times: 1})
	require.Equal(t, "RequestLimitExceeded", errorCode(cloudPost(t, srv, "DetectAuth", `{"RuleId":"1"}`, nil)))
}

func TestCloudNoCompareAttempt(t *testing.T) {
	srv := NewServer(WithRule("9", ProductBasic))
	defer srv.Close()
	tok := cloudPost(t, srv, "DetectAuth", `{"RuleId":"9"}`, nil)["BizToken"].(string)
	require.NoError(t, srv.CompleteDetect(tok, DetectAttempt{ErrCode: "1001", NoCompare: true}, DetectAttempt{ErrCode: "2016", Charged: new(false)}))
	text := cloudPost(t, srv, "GetDetectInfoEnhanced", `{"BizToken":"`+tok+`","RuleId":"9","InfoType":"1"}`, nil)["Text"].(map[string]any)
	items := text["LivenessDetail"].([]any)
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	for _, k := range []string{"ReqTime", "Seq", "Idcard", "Name", "Sim", "IsNeedCharge", "Comparestatus"} {
		require.Nil(t, first[k], k)
	}
	require.Equal(t, false, second["IsNeedCharge"], "the test's choice wins over the catalogue")
	require.ErrorIs(t, srv.CompleteDetect("nope"), ErrUnknownBizToken)
	info, ok := srv.DetectToken(tok)
	require.True(t, ok)
	require.Equal(t, 2, info.Attempts)
	require.Equal(t, "2016", info.ErrCode)
	require.Equal(t, ProductBasic, info.Product)
}

func TestCloudBillPaging(t *testing.T) {
	srv := NewServer(WithBillPageSize(2))
	defer srv.Close()
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	for i := range 5 {
		require.NoError(t, srv.SeedBill(day.String(), DefaultRuleID, BillRecord{BizToken: fmt.Sprintf("T%d", i), ChargeCount: new(i),
			Details: []DetectAttempt{{ErrCode: "0", At: day.Start().Add(time.Hour)}}}))
	}
	require.ErrorIs(t, srv.SeedBill(day.String(), "404"), ErrUnknownRule)
	page := func(cursor string) map[string]any {
		return cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"`+day.String()+`","Cursor":`+cursor+`,"RuleId":"1"}`, nil)
	}
	p := page("0")
	require.Equal(t, true, p["HasNextPage"])
	require.Equal(t, json.Number("2"), p["NextCursor"])
	recs := p["WeChatBillDetails"].([]any)
	require.Len(t, recs, 2)
	require.Equal(t, json.Number("1"), recs[1].(map[string]any)["ChargeCount"], "the seeded ChargeCount wins")
	p = page("4")
	require.Equal(t, false, p["HasNextPage"])
	require.Len(t, p["WeChatBillDetails"].([]any), 1)
	p = page("99")
	require.Equal(t, false, p["HasNextPage"])
	require.Empty(t, p["WeChatBillDetails"].([]any))

	require.Equal(t, "MissingParameter", errorCode(cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"`+day.String()+`"}`, nil)))
	require.Equal(t, "InvalidParameterValue", errorCode(cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"2026/11/01","Cursor":0}`, nil)))
	today := kyc.DayOf(srv.Clock.Now())
	require.Equal(t, "InvalidParameter", errorCode(cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"`+today.String()+`","Cursor":0}`, nil)))
	require.Equal(t, "InvalidParameter", errorCode(cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"`+today.AddDays(-400).String()+`","Cursor":0}`, nil)))
	// Before 06:00 China time the day before is not closed yet.
	srv.Clock.Advance(today.Start().Add(5*time.Hour + 59*time.Minute).Sub(srv.Clock.Now()))
	require.Equal(t, "InvalidParameter", errorCode(cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"`+today.AddDays(-1).String()+`","Cursor":0}`, nil)))
	srv.Clock.Advance(2 * time.Minute)
	require.Empty(t, errorCode(cloudPost(t, srv, "GetWeChatBillDetails", `{"Date":"`+today.AddDays(-1).String()+`","Cursor":0}`, nil)))
}

func TestCloudEidStates(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := cloudPost(t, srv, "GetEidToken", `{"MerchantId":"m","Config":{"InputType":"1"}}`, nil)["EidToken"].(string)
	status := func() any { return cloudPost(t, srv, "CheckEidTokenStatus", `{"EidToken":"`+tok+`"}`, nil)["Status"] }
	require.Equal(t, "init", status())
	require.NoError(t, srv.StartEid(tok))
	require.Equal(t, "doing", status())
	require.NoError(t, srv.CompleteEid(tok, "2016"))
	require.Equal(t, "finished", status())
	res := cloudPost(t, srv, "GetEidResult", `{"EidToken":"`+tok+`"}`, nil)
	require.Equal(t, json.Number("2016"), res["Text"].(map[string]any)["ErrCode"])
	require.Nil(t, res["EidInfo"], "no identity for a failed journey")
	require.ErrorIs(t, srv.StartEid(tok), ErrEidFinished)
	require.ErrorIs(t, srv.StartEid("nope"), ErrUnknownEidToken)
	// Results are kept 3 days.
	srv.Clock.Advance(ResultLifetime + time.Second)
	require.Equal(t, CodeTokenExpired, errorCode(cloudPost(t, srv, "GetEidResult", `{"EidToken":"`+tok+`"}`, nil)))
}

func TestNewUUID(t *testing.T) {
	for range 100 {
		u := newUUID()
		require.Len(t, u, 36)
		require.Equal(t, byte('4'), u[14])
		require.Contains(t, "89AB", string(u[19]))
		require.Equal(t, strings.ToUpper(u), u)
	}
}
