package kyc_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Tests added where a planted bug survived the suite, or where an important rule was guarded by
// a single test. Each names the rule it guards.

// TestNFCQueryLimitAnswerIsNotResent: 66664003 (the reqId's ten queries are used up) cannot
// recover within the reqId's life, so the client sends it once, even with retries enabled.
func TestNFCQueryLimitAnswerIsNotResent(t *testing.T) {
	srv, c := newNFCPair(t, kyc.WithRetry(3, time.Millisecond, time.Millisecond))
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointNFCResult, Code: "66664003"})
	_, err := c.NFC.QueryResult(context.Background(), kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointNFCResult))

	// A busy answer on the same call is resent (the control).
	srv.ClearFaults()
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointNFCResult, Code: "66664006", Times: 1})
	_, err = c.NFC.QueryResult(context.Background(), kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointNFCResult))
}

// TestCallbackSignedBeforeAFleetRotation: an instance that adopts a new unit another instance
// saved keeps its old SIGN ticket for callbacks signed before the rotation (the rule "current or
// previous ticket", reached here through the store rather than through RefreshTickets).
func TestCallbackSignedBeforeAFleetRotation(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	store := kyc.NewMemoryStore()
	client := func() *kyc.Client {
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithTicketStore(store))
		require.NoError(t, err)
		return c
	}
	a, b := client(), client()
	ctx := context.Background()
	_, err := b.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "fleetcb01", UserID: "fleetUser1", Name: "测试丁", IDNo: "TEST00000000000004"})
	require.NoError(t, err)
	old, err := b.SignTicket(ctx)
	require.NoError(t, err)
	raw, err := srv.CallbackURL("fleetcb01", kyctest.OutcomePass, "https://partner.example/back")
	require.NoError(t, err)
	u, err := url.Parse(raw)
	require.NoError(t, err)

	// Fifty minutes later the other instance rotates and saves; b, which made no call meanwhile,
	// re-reads the store when the callback comes (its recheck interval has passed) and adopts
	// the saved unit rather than fetching. The callback arrives a minute after the rotation: inside the
	// previous ticket's two-minute window.
	srv.Clock.Advance(50 * time.Minute)
	require.NoError(t, a.RefreshTickets(ctx))
	fresh, err := a.SignTicket(ctx)
	require.NoError(t, err)
	require.NotEqual(t, old, fresh)
	srv.Clock.Advance(time.Minute)
	srv.ResetCounts()
	cb, err := b.Face.VerifyCallback(ctx, u.Query())
	require.NoError(t, err)
	require.True(t, cb.PreviousTicket)
	require.True(t, cb.Passed())
	adopted, err := b.SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, fresh, adopted, "b adopted the saved unit")
	require.Zero(t, srv.Requests(kyctest.EndpointSignTicket), "adopted, not fetched")
}

// TestMalformedCallbacksFetchNothing: a callback that cannot be genuine (no code, no orderNo, a
// signature that is not 40 characters, a bad orderNo) is refused before any ticket is fetched,
// so a flood of junk callbacks costs the token endpoint nothing.
func TestMalformedCallbacksFetchNothing(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	sig40 := strings.Repeat("A", 40)
	for name, q := range map[string]url.Values{
		"39 characters":    {"code": {"0"}, "orderNo": {"order0001"}, "newSignature": {sig40[:39]}},
		"41 characters":    {"code": {"0"}, "orderNo": {"order0001"}, "newSignature": {sig40 + "A"}},
		"no signature":     {"code": {"0"}, "orderNo": {"order0001"}},
		"no code":          {"orderNo": {"order0001"}, "newSignature": {sig40}},
		"no orderNo":       {"code": {"0"}, "newSignature": {sig40}},
		"orderNo too long": {"code": {"0"}, "orderNo": {strings.Repeat("o", 33)}, "newSign": {sig40}},
	} {
		_, err := c.Face.VerifyCallback(ctx, q)
		require.Error(t, err, name)
		if strings.Contains(name, "characters") || name == "no signature" {
			require.ErrorIs(t, err, kyc.ErrInvalidSignature, name)
		} else {
			require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
		}
		_, err = c.Will.VerifyCallback(ctx, q)
		require.Error(t, err, name)
	}
	require.Zero(t, srv.TotalRequests())
}

// TestResultVerdictTable: for every kyc1 result type only code "0" passes; anything else,
// including an absent code, is a failed verdict carrying its code (a second, table-driven test
// beside the journeys).
func TestResultVerdictTable(t *testing.T) {
	type verdict struct {
		passed bool
		err    error
	}
	results := map[string]func(code string) verdict{
		"face": func(code string) verdict {
			r := &kyc.FaceResult{Code: code}
			return verdict{r.Passed(), r.Err()}
		},
		"will": func(code string) verdict {
			r := &kyc.WillResult{Code: code}
			return verdict{r.Passed(), r.Err()}
		},
		"bank card": func(code string) verdict {
			r := &kyc.BankCardResult{Code: code}
			return verdict{r.Passed(), r.Err()}
		},
		"ID card": func(code string) verdict {
			r := &kyc.IDCardResult{Code: code, FrontCode: code, BackCode: code}
			ok := r.Err() == nil
			require.Equal(t, ok, r.FrontOK())
			require.Equal(t, ok, r.BackOK())
			return verdict{ok, r.Err()}
		},
	}
	for name, of := range results {
		for _, code := range []string{"0", "", "66660004", "66666006", "-9011", "00", " 0"} {
			v := of(code)
			require.Equal(t, code == "0", v.passed, "%s %q", name, code)
			if code == "0" {
				require.NoError(t, v.err, "%s %q", name, code)
				continue
			}
			var ae *kyc.APIError
			require.ErrorAs(t, v.err, &ae, "%s %q", name, code)
			require.Equal(t, code, ae.Code, "%s %q", name, code)
		}
	}
}

// TestCloudAnswersWithoutTheirTokenAreBadResponses: an API 3.0 success that lacks the one value
// the action exists for (DetectAuth's BizToken, GetEidToken's EidToken, CheckEidTokenStatus's
// Status) is ErrBadResponse, never a zero value handed to the caller.
func TestCloudAnswersWithoutTheirTokenAreBadResponses(t *testing.T) {
	answers := map[string]string{
		"DetectAuth":          `{"Response":{"BizToken":"","Url":"https://h5.example/x","RequestId":"req-1"}}`,
		"GetEidToken":         `{"Response":{"EidToken":"","Url":"https://h5.example/x","RequestId":"req-2"}}`,
		"CheckEidTokenStatus": `{"Response":{"Status":"","RequestId":"req-3"}}`,
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answers[r.Header.Get("X-TC-Action")])
	}))
	t.Cleanup(ts.Close)
	c, err := kyc.NewCloud("AKIDTESTONLY", "testOnlySecretKey0000000000000000", kyc.WithCloudEndpoint(ts.URL),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
	require.ErrorIs(t, err, kyc.ErrBadResponse, "DetectAuth")
	_, err = c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "KYCTESTMERCHANT"})
	require.ErrorIs(t, err, kyc.ErrBadResponse, "GetEidToken")
	_, err = c.EID.TokenStatus(ctx, "0A1B2C3D-0000-4000-8000-000000000001")
	require.ErrorIs(t, err, kyc.ErrBadResponse, "CheckEidTokenStatus")
}

// TestNFCResultForAnotherReadIsRefused: the reqId is not signed, so a result for another read of
// the same order can come back (a proxy or a server mix-up); the decrypted reqId must match the
// one asked for.
func TestNFCResultForAnotherReadIsRefused(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithNFCKey(docNFCKey))
	t.Cleanup(srv.Close)
	var asked, served string // the proxy swaps asked for served in the query body
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/nfcpaas/getIdcardNfcResult" && asked != "" {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "proxy: reading the request", http.StatusBadGateway)
				return
			}
			b = bytes.Replace(b, []byte(asked), []byte(served), 1)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(proxy.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(docNFCKey))
	require.NoError(t, err)
	ctx := context.Background()
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err, "through the proxy, unchanged")

	asked, served = "other"+reqID[5:], reqID
	require.Len(t, asked, len(served))
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: asked})
	require.ErrorIs(t, err, kyc.ErrBadResponse)
}

// TestBillCutoffBoundary: a day's bill can be fetched from 06:00 China time the next day
// (docs/B-h5-wechat-billing.md, Date and T15), not a second before; a second test beside TestBillDayRefusedLocally. (The
// kyctest clock runs on real time, so the test stands one second before the cutoff.)
func TestBillCutoffBoundary(t *testing.T) {
	d := kyc.Day{Year: 2026, Month: 3, Day: 31}
	want := time.Date(2026, 4, 1, 6, 0, 0, 0, time.FixedZone("UTC+8", 8*3600))
	require.True(t, want.Equal(kyc.BillAvailableAt(d)), "%s", kyc.BillAvailableAt(d))

	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	clock := kyctest.NewClock()
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(clock))
	require.NoError(t, err)
	yesterday := kyc.DayOf(clock.Now()).AddDays(-1)
	at := func(target time.Time) {
		clock.Advance(target.Sub(clock.Now()))
		srv.Clock.Advance(target.Sub(srv.Clock.Now()))
	}
	at(kyc.BillAvailableAt(yesterday).Add(-time.Second))
	_, err = c.Billing.FetchDay(context.Background(), yesterday, "")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.Zero(t, srv.TotalRequests())
	at(kyc.BillAvailableAt(yesterday))
	_, err = c.Billing.FetchDay(context.Background(), yesterday, "")
	require.NoError(t, err)
	require.NotZero(t, srv.TotalRequests())
}

// TestNFCQueryCapUnderConcurrency: twenty concurrent queries of one reqId send exactly ten
// requests; the others are refused locally (ErrRateLimited) without reaching the service.
func TestNFCQueryCapUnderConcurrency(t *testing.T) {
	srv, c := newNFCPair(t)
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	srv.ResetCounts()
	var wg sync.WaitGroup
	errs := make([]error, 2*kyc.NFCReqIDMaxQueries)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = c.NFC.QueryResult(context.Background(), kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
		})
	}
	wg.Wait()
	ok, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, kyc.ErrRateLimited):
			limited++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	require.Equal(t, kyc.NFCReqIDMaxQueries, ok)
	require.Equal(t, kyc.NFCReqIDMaxQueries, limited)
	require.Equal(t, kyc.NFCReqIDMaxQueries, srv.Requests(kyctest.EndpointNFCResult))
}

// TestNewSubCodeTakesItsParentsClass: an API 3.0 sub-code the catalogue does not list, answered
// by the service, still matches its parent's class through the client's whole error path.
func TestNewSubCodeTakesItsParentsClass(t *testing.T) {
	srv, c := newCloudPair(t, nil, kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	for code, class := range map[string]error{
		"RequestLimitExceeded.KycTestNew":  kyc.ErrRateLimited,
		"InvalidParameterValue.KycTestNew": kyc.ErrBadRequest,
		"InternalError.KycTestNew":         kyc.ErrBusy,
	} {
		srv.Fail(kyctest.Fault{Endpoint: "DetectAuth", Code: code, Times: 1})
		_, err := c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
		var ae *kyc.APIError
		require.ErrorAs(t, err, &ae, code)
		require.Equal(t, code, ae.Code)
		require.ErrorIs(t, err, class, code)
	}
}

// TestWaitForMediaNeedsEveryPartAskedFor: when the photo is there and the video never comes,
// asking for both keeps trying and ends in ErrNoResult, while asking for the photo alone returns
// at once (a second test for the rule, with media that arrives in part).
func TestWaitForMediaNeedsEveryPartAskedFor(t *testing.T) {
	srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMedia(1200, 0)}, kyc.WithMediaWait(3, time.Millisecond))
	orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
	ctx := context.Background()
	srv.ResetCounts()
	res, err := c.Face.WaitForMedia(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
	require.ErrorIs(t, err, kyc.ErrNoResult)
	require.NotEmpty(t, res.Photo)
	require.Empty(t, res.Video)
	require.Equal(t, 3, srv.Requests(kyctest.EndpointQueryFaceRecord))

	srv.ResetCounts()
	res, err = c.Face.WaitForMedia(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
	require.NoError(t, err)
	require.NotEmpty(t, res.Photo)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointQueryFaceRecord))
}

// TestStaleTicketCodesEndToEnd: each answer that says the ticket or token was not accepted
// (400101, 400102, 400105) is an ErrInvalidSignature that the client retries exactly once with
// a freshly fetched unit (a second test beside the catalogue table).
func TestStaleTicketCodesEndToEnd(t *testing.T) {
	for _, code := range []string{"400101", "400102", "400105"} {
		srv, c := newPair(t)
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: code})
		_, err := c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: "stale0001", Media: kyc.NoMedia})
		require.ErrorIs(t, err, kyc.ErrInvalidSignature, code)
		var ae *kyc.APIError
		require.ErrorAs(t, err, &ae, code)
		require.Equal(t, code, ae.Code)
		require.Equal(t, 2, srv.Requests(kyctest.EndpointQueryFaceRecord), code)
		require.Equal(t, 2, srv.Requests(kyctest.EndpointSignTicket), "%s: a fresh unit for the retry", code)
	}
}
