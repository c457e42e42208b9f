package kyc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/credentials"
	"github.com/kycgo/kyc/kyctest"
)

// newCloudPair starts a fake server and an API 3.0-only client that shares its clock; retries
// and eID polls are quick.
func newCloudPair(t testing.TB, srvOpts []kyctest.Option, opts ...kyc.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	base := []kyc.Option{kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond), kyc.WithEIDPollInterval(time.Millisecond)}
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, append(base, opts...)...)
	require.NoError(t, err)
	return srv, c
}

// Invented identity for the WeChat journeys.
const (
	cloudName   = "测试用户"
	cloudIDCard = "KYCTEST0000000001"
)

func apiErr(t *testing.T, err error) *kyc.APIError {
	t.Helper()
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}

func TestDetectJourney(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard,
		RedirectURL: "https://partner.example/back", Extra: "order-42"})
	require.NoError(t, err)
	require.Len(t, auth.BizToken, 36)
	require.Contains(t, auth.URL, auth.BizToken)
	require.NotEmpty(t, auth.RequestID)
	info, ok := srv.DetectToken(auth.BizToken)
	require.True(t, ok)
	require.Equal(t, kyctest.ProductPlus, info.Product)
	require.Equal(t, info.Created.Add(kyc.BizTokenLifetime), info.Expires)

	// Before any attempt: flow not completed (17), nothing to bill, no media.
	req := kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID}
	res, err := c.Detect.InfoEnhanced(ctx, req)
	require.NoError(t, err)
	require.False(t, res.Passed())
	require.Equal(t, "17", res.Text.Code())
	require.Empty(t, res.Text.LivenessDetail)
	require.Empty(t, res.Video)

	// One failed attempt (billed for Plus), then a pass.
	first := srv.Clock.Now().Add(-time.Minute)
	require.NoError(t, srv.CompleteDetect(auth.BizToken,
		kyctest.DetectAttempt{ErrCode: "2016", At: first, Seq: "seq-fail-1"},
		kyctest.DetectAttempt{ErrCode: "0"}))
	res, err = c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, BestFrames: 2})
	require.NoError(t, err)
	require.True(t, res.Passed())
	tx := res.Text
	require.Equal(t, cloudName, tx.Name)
	require.Equal(t, cloudIDCard, tx.IDCard)
	require.Equal(t, "order-42", tx.Extra)
	require.Len(t, tx.LivenessDetail, 2)
	d0, d1 := tx.LivenessDetail[0], tx.LivenessDetail[1]
	require.Equal(t, "seq-fail-1", d0.Seq)
	require.Equal(t, "2016", d0.ErrCode)
	require.True(t, d0.Charged())
	at, ok := d0.Time()
	require.True(t, ok)
	require.Equal(t, first.UnixMilli(), at.UnixMilli())
	require.Equal(t, "0", d1.ErrCode)
	require.True(t, d1.Charged())
	require.NotContains(t, d0.IDCard, "0000000", "the service masks the ID number in the items")
	require.NotEqual(t, cloudName, d0.Name)
	require.NotEmpty(t, res.BestFrame)
	require.Len(t, res.BestFrames, 2)
	require.NotEmpty(t, res.Video)
	require.NotNil(t, res.IDCard)
	require.NotEmpty(t, res.IDCard.Front)

	// Parts: text only carries no media.
	res, err = c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Empty(t, res.Video)
	require.Empty(t, res.BestFrame)

	// The legacy action: the same attempts, decoded from the JSON string.
	legacy, err := c.Detect.Info(ctx, req)
	require.NoError(t, err)
	require.True(t, legacy.Passed())
	require.Len(t, legacy.Text.LivenessDetail, 2)
	require.Equal(t, "seq-fail-1", legacy.Text.LivenessDetail[0].Seq)
	require.NotEmpty(t, legacy.Video)
	require.NotEmpty(t, legacy.BestFrame)
	require.NotEmpty(t, legacy.RequestID)

	// A passed journey takes no more attempts.
	require.ErrorIs(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"}), kyctest.ErrDetectFinished)
	require.Equal(t, 1, srv.Requests("DetectAuth"))
	require.Equal(t, 3, srv.Requests("GetDetectInfoEnhanced"))
	require.Equal(t, 1, srv.Requests("GetDetectInfo"))
}

func TestDetectRequestsRefusedLocally(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 100)...)
	for name, req := range map[string]kyc.DetectAuthRequest{
		"no rule":          {},
		"rule with space":  {RuleID: "1 2"},
		"name without id":  {RuleID: "1", Name: cloudName},
		"id without name":  {RuleID: "1", IDCard: cloudIDCard},
		"long name":        {RuleID: "1", Name: strings.Repeat("名", 33), IDCard: cloudIDCard},
		"lower-case x":     {RuleID: "1", Name: cloudName, IDCard: "kyctest0000000001"},
		"id punctuation":   {RuleID: "1", Name: cloudName, IDCard: "KYCTEST-000001"},
		"relative url":     {RuleID: "1", RedirectURL: "/back"},
		"ftp url":          {RuleID: "1", RedirectURL: "ftp://partner.example/"},
		"long extra":       {RuleID: "1", Extra: strings.Repeat("e", 1025)},
		"control in extra": {RuleID: "1", Extra: "a\x00b"},
		"not an image":     {RuleID: "1", Photo: []byte("definitely not a photo, only text in here.")},
		"photo too large":  {RuleID: "1", Photo: append(jpeg, make([]byte, 3<<20)...)},
	} {
		_, err := c.Detect.Auth(ctx, req)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
		require.NotContains(t, err.Error(), cloudName)
		require.NotContains(t, err.Error(), cloudIDCard)
	}
	for name, req := range map[string]kyc.DetectInfoRequest{
		"no token":            {RuleID: "1"},
		"no rule":             {BizToken: "T"},
		"frames out of range": {BizToken: "T", RuleID: "1", BestFrames: 11},
		"frames without part": {BizToken: "T", RuleID: "1", Parts: kyc.PartText, BestFrames: 1},
		"avatar without part": {BizToken: "T", RuleID: "1", Parts: kyc.PartText, IDCardAvatar: true},
		"unknown part":        {BizToken: "T", RuleID: "1", Parts: 1 << 6},
	} {
		_, err := c.Detect.InfoEnhanced(ctx, req)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	_, err := c.Detect.Info(ctx, kyc.DetectInfoRequest{BizToken: "T", RuleID: "1", BestFrames: 1})
	require.ErrorIs(t, err, kyc.ErrInvalidInput, "the legacy action has no best-frame count")
	require.Zero(t, srv.TotalRequests())
}

func TestDetectServerRefusals(t *testing.T) {
	_, c := newCloudPair(t, nil)
	ctx := context.Background()
	_, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "999"})
	require.Equal(t, "InvalidParameterValue.RuleIdNotExist", apiErr(t, err).Code)
	require.ErrorIs(t, err, kyc.ErrBadRequest)
	_, err = c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: "CE661F1A-0F1E-45BD-BE13-34C05CEA7681", RuleID: "1"})
	require.Equal(t, kyctest.CodeTokenIllegal, apiErr(t, err).Code)
}

func TestCloudCallsNeedCredentials(t *testing.T) {
	srv, c := newPair(t, kyc.WithCloudEndpoint("http://127.0.0.1:1"))
	ctx := context.Background()
	_, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	var ie *kyc.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "SecretId", ie.Field)
	_, err = c.EID.TokenStatus(ctx, "T")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	for range c.Billing.Day(ctx, kyc.DayOf(time.Now()).AddDays(-3), "") {
	}
	_, err = c.Billing.FetchDay(ctx, kyc.DayOf(time.Now()).AddDays(-3), "")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.Zero(t, srv.TotalRequests())
}

func TestNewCloudRefusesKYC1Calls(t *testing.T) {
	srv, c := newCloudPair(t, nil, kyc.WithBaseURL("http://127.0.0.1:1"))
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.Contains(t, err.Error(), "NewCloud")
	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order1", UserID: "user1"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.Empty(t, c.AppID())
	require.Zero(t, srv.TotalRequests())

	for name, args := range map[string][2]string{"no id": {"", "k"}, "no key": {"id", ""}, "space": {"id x", "k"}, "non-ascii": {"id", "ключ"}} {
		_, err := kyc.NewCloud(args[0], args[1])
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	for name, opt := range map[string]kyc.Option{
		"endpoint with path": kyc.WithCloudEndpoint("https://faceid.tencentcloudapi.com/x"),
		"endpoint relative":  kyc.WithCloudEndpoint("faceid.tencentcloudapi.com"),
		"region":             kyc.WithCloudRegion("AP Guangzhou"),
		"language":           kyc.WithCloudLanguage("fr-FR"),
		"poll":               kyc.WithEIDPollInterval(0),
		"credentials":        kyc.WithCloudCredentials("", "k"),
	} {
		_, err := kyc.NewCloud("id", "key", opt)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
}

func TestCloudAuthFailures(t *testing.T) {
	srv, _ := newCloudPair(t, []kyctest.Option{kyctest.WithCloudTemporaryCredentials("AKIDTEMPKYCTEST", "tempkey", "session-token-1")})
	ctx := context.Background()
	call := func(id, key string, opts ...kyc.Option) error {
		base := []kyc.Option{kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock), kyc.WithRetry(3, time.Millisecond, time.Millisecond)}
		c, err := kyc.NewCloud(id, key, append(base, opts...)...)
		require.NoError(t, err)
		_, err = c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
		return err
	}
	require.NoError(t, call(srv.SecretID, srv.SecretKey))

	err := call(srv.SecretID, srv.SecretKey+"x")
	ae := apiErr(t, err)
	require.Equal(t, "AuthFailure.SignatureFailure", ae.Code)
	require.Equal(t, "DetectAuth", ae.Op)
	require.Equal(t, http.StatusOK, ae.HTTPStatus)
	require.Len(t, ae.RequestID, 36)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
	require.Contains(t, err.Error(), "requestId "+ae.RequestID)
	require.NotContains(t, err.Error(), srv.SecretKey)

	require.Equal(t, "AuthFailure.SecretIdNotFound", apiErr(t, call("AKIDNOBODY", srv.SecretKey)).Code)

	// The timestamp comes from the client's clock: 6 minutes off is refused, 4 minutes is not.
	skewed := kyctest.NewClock()
	skewed.Advance(srv.Clock.Now().Sub(time.Now()) + 6*time.Minute)
	err = call(srv.SecretID, srv.SecretKey, kyc.WithClock(skewed))
	require.Equal(t, "AuthFailure.SignatureExpire", apiErr(t, err).Code)
	require.ErrorIs(t, err, kyc.ErrExpired)
	skewed.Advance(-12 * time.Minute)
	require.Equal(t, "AuthFailure.SignatureExpire", apiErr(t, call(srv.SecretID, srv.SecretKey, kyc.WithClock(skewed))).Code)
	skewed.Advance(10 * time.Minute)
	require.NoError(t, call(srv.SecretID, srv.SecretKey, kyc.WithClock(skewed)))

	// Temporary credentials need their session token.
	temporary := func(token string) kyc.Option {
		return kyc.WithCloudCredentialsProvider(credentials.Static("AKIDTEMPKYCTEST", "tempkey", token))
	}
	require.NoError(t, call("", "", temporary("session-token-1")))
	require.Equal(t, "AuthFailure.TokenFailure", apiErr(t, call("", "", temporary("other"))).Code)
	require.Equal(t, "AuthFailure.TokenFailure", apiErr(t, call("AKIDTEMPKYCTEST", "tempkey")).Code)

	// Region and language headers are accepted.
	require.NoError(t, call(srv.SecretID, srv.SecretKey, kyc.WithCloudRegion("ap-guangzhou"), kyc.WithCloudLanguage("en-US")))
	// Authentication failures are not retried, except that a provider's refused token is
	// fetched again and sent once more (the "other" token: 11 requests for 10 calls).
	require.Equal(t, 11, srv.Requests("DetectAuth"))
}

func TestTokenLifetimes(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
	require.NoError(t, err)
	eid, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "KYCTESTMERCHANT"})
	require.NoError(t, err)

	// EidToken: 600 s.
	srv.Clock.Advance(kyc.EIDTokenLifetime - time.Second)
	st, err := c.EID.TokenStatus(ctx, eid.EIDToken)
	require.NoError(t, err)
	require.Equal(t, kyc.EIDInit, st)
	srv.Clock.Advance(time.Second)
	st, err = c.EID.TokenStatus(ctx, eid.EIDToken)
	require.NoError(t, err)
	require.Equal(t, kyc.EIDTimeout, st)
	require.True(t, st.Final())
	require.ErrorIs(t, srv.CompleteEid(eid.EIDToken, "0"), kyctest.ErrEidTokenExpired)
	_, err = c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: eid.EIDToken})
	require.Equal(t, kyctest.CodeTokenExpired, apiErr(t, err).Code)
	require.ErrorIs(t, err, kyc.ErrExpired)

	// BizToken: 7200 s for the journey; the result stays 3 days.
	srv.Clock.Advance(kyc.BizTokenLifetime - kyc.EIDTokenLifetime)
	require.ErrorIs(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"}), kyctest.ErrBizTokenExpired)
	res, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1", Parts: kyc.PartText})
	require.NoError(t, err)
	require.Equal(t, "15", res.Text.Code(), "token expired without an attempt")
	srv.Clock.Advance(kyc.ResultRetention)
	_, err = c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1"})
	require.Equal(t, kyctest.CodeTokenExpired, apiErr(t, err).Code)
	require.ErrorIs(t, err, kyc.ErrExpired)
}

func TestCloudRetries(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
	require.NoError(t, err)
	req := kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1", Parts: kyc.PartText}

	for _, code := range []string{"RequestLimitExceeded", "InternalError", "RequestLimitExceeded.UinLimitExceeded", "InternalError.NewSubCode"} {
		srv.ResetCounts()
		srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Code: code, Times: 2})
		_, err := c.Detect.InfoEnhanced(ctx, req)
		require.NoError(t, err, code)
		require.Equal(t, 3, srv.Requests("GetDetectInfoEnhanced"), code)
	}
	// A final code is not resent; three busy answers use up the attempts.
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Code: "InvalidParameterValue", Times: 1})
	_, err = c.Detect.InfoEnhanced(ctx, req)
	require.ErrorIs(t, err, kyc.ErrBadRequest)
	require.Equal(t, 1, srv.Requests("GetDetectInfoEnhanced"))
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Code: "RequestLimitExceeded", Times: 3})
	_, err = c.Detect.InfoEnhanced(ctx, req)
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	require.Equal(t, 3, srv.Requests("GetDetectInfoEnhanced"))
	// HTTP failures and truncated bodies are retried too.
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Status: 502, Times: 1})
	srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Truncate: true, Times: 1})
	_, err = c.Detect.InfoEnhanced(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 3, srv.Requests("GetDetectInfoEnhanced"))

	// Minting actions are not resent once the request reached the service.
	for _, f := range []kyctest.Fault{{Code: "RequestLimitExceeded"}, {Code: "InternalError"}, {Status: 503}, {Drop: true}, {Truncate: true}} {
		for _, action := range []string{"DetectAuth", "GetEidToken"} {
			srv.ResetCounts()
			f.Endpoint, f.Times = action, 1
			srv.Fail(f)
			if action == "DetectAuth" {
				_, err = c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
			} else {
				_, err = c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1"})
			}
			require.Error(t, err, "%s %+v", action, f)
			require.Equal(t, 1, srv.Requests(action), "%s %+v", action, f)
			srv.ClearFaults()
		}
	}
}

// failFirst fails the first request before it is written (as a refused connection does), then
// passes requests on.
type failFirst struct {
	calls atomic.Int32
	next  http.RoundTripper
}

func (f *failFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.calls.Add(1) == 1 {
		return nil, errors.New("connection refused before sending")
	}
	return f.next.RoundTrip(r)
}

func TestMintResentWhenNeverSent(t *testing.T) {
	ft := &failFirst{next: http.DefaultTransport}
	srv, c := newCloudPair(t, nil, kyc.WithHTTPClient(&http.Client{Transport: ft}))
	auth, err := c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: "1"})
	require.NoError(t, err)
	require.NotEmpty(t, auth.BizToken)
	require.Equal(t, int32(2), ft.calls.Load())
	require.Equal(t, 1, srv.Requests("DetectAuth"))
}

func TestEIDJourney(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	tok, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "KYCTESTMERCHANT", Name: cloudName, IDCard: cloudIDCard,
		RedirectURL: "https://partner.example/eid", Config: &kyc.EIDTokenConfig{InputType: kyc.EIDInputPartner}})
	require.NoError(t, err)
	require.NotEmpty(t, tok.URL)
	st, err := c.EID.TokenStatus(ctx, tok.EIDToken)
	require.NoError(t, err)
	require.Equal(t, kyc.EIDInit, st)

	res, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: tok.EIDToken})
	require.NoError(t, err)
	require.Equal(t, "17", res.Text.Code(), "not finished yet")
	require.Nil(t, res.EIDInfo)

	require.NoError(t, srv.StartEid(tok.EIDToken))
	done := make(chan struct{})
	var waited kyc.EIDStatus
	var werr error
	go func() {
		defer close(done)
		waited, werr = c.EID.WaitTokenStatus(ctx, tok.EIDToken)
	}()
	require.Eventually(t, func() bool { return srv.Requests("CheckEidTokenStatus") >= 4 }, 5*time.Second, time.Millisecond)
	require.NoError(t, srv.CompleteEid(tok.EIDToken, "0"))
	<-done
	require.NoError(t, werr)
	require.Equal(t, kyc.EIDFinished, waited)

	res, err = c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: tok.EIDToken, BestFrames: 2})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.NotNil(t, res.EIDInfo)
	require.NotEmpty(t, res.EIDInfo.EIDCode)
	require.NotEmpty(t, res.EIDInfo.EIDSign)
	require.NotEmpty(t, res.EIDInfo.DesKey)
	require.NotEmpty(t, res.EIDInfo.UserInfo)
	require.Len(t, res.Text.LivenessDetail, 1)
	require.True(t, res.Text.LivenessDetail[0].Charged(), "0 is billed for eID")
	require.Len(t, res.BestFrames, 2)
	require.ErrorIs(t, srv.CompleteEid(tok.EIDToken, "0"), kyctest.ErrEidFinished)

	for name, req := range map[string]kyc.EIDTokenRequest{
		"no merchant":      {},
		"long merchant":    {MerchantID: strings.Repeat("m", 51)},
		"partner no id":    {MerchantID: "M", Config: &kyc.EIDTokenConfig{InputType: kyc.EIDInputPartner}},
		"bad input type":   {MerchantID: "M", Config: &kyc.EIDTokenConfig{InputType: "9"}},
		"bad mode":         {MerchantID: "M", Config: &kyc.EIDTokenConfig{IntentionMode: "4"}},
		"blank questions":  {MerchantID: "M", Config: &kyc.EIDTokenConfig{IntentionMode: "2", IntentionQuestions: make([]kyc.IntentionQuestion, 2)}},
		"long verify text": {MerchantID: "M", Config: &kyc.EIDTokenConfig{IntentionVerifyText: strings.Repeat("读", 121)}},
		"name only":        {MerchantID: "M", Name: cloudName},
		"bad redirect":     {MerchantID: "M", RedirectURL: "javascript:alert(1)"},
	} {
		srv.ResetCounts()
		_, err := c.EID.Token(ctx, req)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
		require.Zero(t, srv.TotalRequests(), name)
	}
	for name, req := range map[string]kyc.EIDResultRequest{
		"no token":     {},
		"video":        {EIDToken: "T", Parts: kyc.PartVideo},
		"four frames":  {EIDToken: "T", BestFrames: 4},
		"frames alone": {EIDToken: "T", Parts: kyc.PartText, BestFrames: 1},
	} {
		_, err := c.EID.Result(ctx, req)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	_, err = c.EID.WaitTokenStatus(ctx, "")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
}

func TestEIDWaitToleratesTwoErrorsInARow(t *testing.T) {
	srv, c := newCloudPair(t, nil, kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	ctx := context.Background()
	tok, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1"})
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: "CheckEidTokenStatus", Code: "InternalError", Times: 2})
	srv.Fail(kyctest.Fault{Endpoint: "CheckEidTokenStatus", Status: 502, Times: 1}) // not in a row with the first two
	go func() {
		for srv.Requests("CheckEidTokenStatus") < 6 {
			time.Sleep(time.Millisecond)
		}
		_ = srv.CompleteEid(tok.EIDToken, "2016")
	}()
	// Polls 1-2 fail, 3 fails too: three in a row end the wait.
	st, err := c.EID.WaitTokenStatus(ctx, tok.EIDToken)
	require.ErrorIs(t, err, kyc.ErrBusy)
	require.Contains(t, err.Error(), "3 errors in a row")
	require.Equal(t, kyc.EIDStatus(""), st)

	// Two errors, a success, two errors: the wait goes on to the end.
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: "CheckEidTokenStatus", Code: "InternalError", Times: 2})
	done := make(chan struct{})
	go func() {
		defer close(done)
		st, err = c.EID.WaitTokenStatus(ctx, tok.EIDToken)
	}()
	for srv.Requests("CheckEidTokenStatus") < 3 {
		time.Sleep(time.Millisecond)
	}
	srv.Fail(kyctest.Fault{Endpoint: "CheckEidTokenStatus", Code: "InternalError", Times: 2})
	<-done
	require.NoError(t, err)
	require.Equal(t, kyc.EIDFinished, st)
	require.GreaterOrEqual(t, srv.Requests("CheckEidTokenStatus"), 6)
}

func TestEIDWaitEndsWithContext(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	tok, err := c.EID.Token(context.Background(), kyc.EIDTokenRequest{MerchantID: "M1"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Requests("CheckEidTokenStatus") < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	st, err := c.EID.WaitTokenStatus(ctx, tok.EIDToken)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, kyc.EIDInit, st, "the last status seen")
}
