package kyc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

var orderSeq atomic.Int64

func newOrderNo() string { return fmt.Sprintf("T%d%d", time.Now().UnixNano()%1e9, orderSeq.Add(1)) }

var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'}, make([]byte, 2000)...)

// Invented identities only.
const (
	testName = "测试用户"
	testIDNo = "KYCTEST0000000001"
)

func TestFaceInputLimitsSendNothing(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	ok := kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order001", UserID: "user001", Name: testName, IDNo: testIDNo}
	with := func(f func(r *kyc.FaceIDRequest)) kyc.FaceIDRequest { r := ok; f(&r); return r }
	bigPhoto := append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, kyc.MaxPhotoSize)...)
	uploads := []struct {
		name  string
		req   kyc.FaceIDRequest
		field string
	}{
		{"no version", with(func(r *kyc.FaceIDRequest) { r.Version = "" }), "version"},
		{"empty orderNo", with(func(r *kyc.FaceIDRequest) { r.OrderNo = "" }), "orderNo"},
		{"orderNo over 32", with(func(r *kyc.FaceIDRequest) { r.OrderNo = strings.Repeat("1", 33) }), "orderNo"},
		{"orderNo with a symbol", with(func(r *kyc.FaceIDRequest) { r.OrderNo = "order-1" }), "orderNo"},
		{"empty userId", with(func(r *kyc.FaceIDRequest) { r.UserID = "" }), "userId"},
		{"userId over 32", with(func(r *kyc.FaceIDRequest) { r.UserID = strings.Repeat("u", 33) }), "userId"},
		{"userId with a symbol", with(func(r *kyc.FaceIDRequest) { r.UserID = "user_1" }), "userId"},
		{"name without idNo", with(func(r *kyc.FaceIDRequest) { r.IDNo = "" }), "name/idNo"},
		{"idNo without name", with(func(r *kyc.FaceIDRequest) { r.Name = "" }), "name/idNo"},
		{"neither identity nor photo", with(func(r *kyc.FaceIDRequest) { r.Name, r.IDNo = "", "" }), "name/idNo"},
		{"blank name", with(func(r *kyc.FaceIDRequest) { r.Name = "  " }), "name"},
		{"name over 64", with(func(r *kyc.FaceIDRequest) { r.Name = strings.Repeat("名", 65) }), "name"},
		{"name with a control character", with(func(r *kyc.FaceIDRequest) { r.Name = "a\nb" }), "name"},
		{"idNo over 32", with(func(r *kyc.FaceIDRequest) { r.IDNo = strings.Repeat("1", 33) }), "idNo"},
		{"idNo with a symbol", with(func(r *kyc.FaceIDRequest) { r.IDNo = "1234-5678" }), "idNo"},
		{"lower-case x", with(func(r *kyc.FaceIDRequest) { r.IDNo = "99999999999999999x" }), "idNo"},
		{"photo without type", with(func(r *kyc.FaceIDRequest) { r.Photo = jpeg }), "sourcePhotoType"},
		{"photo type without photo", with(func(r *kyc.FaceIDRequest) { r.PhotoType = kyc.PhotoHD }), "sourcePhotoType"},
		{"unknown photo type", with(func(r *kyc.FaceIDRequest) { r.Photo, r.PhotoType = jpeg, "3" }), "sourcePhotoType"},
		{"photo over 500 KB", with(func(r *kyc.FaceIDRequest) { r.Photo, r.PhotoType = bigPhoto, kyc.PhotoHD }), "sourcePhotoStr"},
		{"photo not an image", with(func(r *kyc.FaceIDRequest) { r.Photo, r.PhotoType = []byte("GIF89a......"), kyc.PhotoHD }), "sourcePhotoStr"},
		{"nonce of 31", with(func(r *kyc.FaceIDRequest) {}), "nonce"},
		{"nonce with a symbol", with(func(r *kyc.FaceIDRequest) {}), "nonce"},
	}
	nonces := map[string]string{"nonce of 31": strings.Repeat("a", 31), "nonce with a symbol": strings.Repeat("a", 31) + "!"}
	for _, tc := range uploads {
		t.Run(tc.name, func(t *testing.T) {
			var opts []kyc.CallOption
			if n, ok := nonces[tc.name]; ok {
				opts = append(opts, kyc.WithNonce(n))
			}
			_, err := c.Face.GetFaceID(ctx, tc.req, opts...)
			var ie *kyc.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
			require.NotContains(t, err.Error(), testName)
			require.NotContains(t, err.Error(), testIDNo)
		})
	}
	pcOK := kyc.PCFaceIDRequest{OrderNo: "order001", UserID: "user001", Name: testName, IDNo: testIDNo}
	for name, req := range map[string]kyc.PCFaceIDRequest{
		"pc: bad orderNo": {OrderNo: "x y", UserID: pcOK.UserID, Name: testName, IDNo: testIDNo},
		"pc: no identity": {OrderNo: "order001", UserID: "user001"},
		"pc: bad photo":   {OrderNo: "order001", UserID: "user001", Photo: []byte("nope"), PhotoType: kyc.PhotoHD},
	} {
		_, err := c.Face.GetPCFaceID(ctx, req)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	// Start values and login URLs.
	_, err := c.Face.SDKParams(ctx, &kyc.FaceID{Version: "", OrderNo: "order001", UserID: "user001", FaceID: "face001"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "order001", UserID: "user001", FaceID: "face001"}, kyc.WithNonce("short"))
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "order-1", UserID: "user001", FaceID: "face001"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "order001", UserID: "user001", FaceID: "face/001"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	login := kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: "face001", OrderNo: "order001", UserID: "user001", Version: kyc.Plus}, CallbackURL: "https://partner.example/cb"}
	for name, mut := range map[string]func(*kyc.H5LoginRequest){
		"no faceId":          func(r *kyc.H5LoginRequest) { r.Face.FaceID = "" },
		"relative callback":  func(r *kyc.H5LoginRequest) { r.CallbackURL = "/cb" },
		"callback not http":  func(r *kyc.H5LoginRequest) { r.CallbackURL = "javascript:alert(1)" },
		"from unknown":       func(r *kyc.H5LoginRequest) { r.From = "desktop" },
		"bad userId":         func(r *kyc.H5LoginRequest) { r.Face.UserID = "a b" },
		"bad optimalDomain":  func(r *kyc.H5LoginRequest) { r.Face.OptimalDomain = "evil.example/path" },
		"optimalDomain user": func(r *kyc.H5LoginRequest) { r.Face.OptimalDomain = "a@evil.example" },
	} {
		r, face := login, *login.Face
		r.Face = &face
		mut(&r)
		_, err := c.Face.H5LoginURL(ctx, r)
		require.Error(t, err, name)
	}
	_, err = c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: "wb1", OrderNo: "order001", UserID: "user001", PC: true}, CallbackURL: "ftp://x"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "order 1", Media: kyc.NoMedia})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: ""})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	for _, q := range []url.Values{
		{"orderNo": {"o1"}, "newSignature": {strings.Repeat("A", 40)}},
		{"code": {"0"}, "newSignature": {strings.Repeat("A", 40)}},
		{"code": {"0"}, "orderNo": {"o1"}},
		{"code": {"0"}, "orderNo": {"o1"}, "newSignature": {"ABC"}},
	} {
		_, err := c.Face.VerifyCallback(ctx, q)
		require.Error(t, err)
	}
	require.Equal(t, 0, srv.TotalRequests(), "nothing may be sent for bad input")
}

// appJourney runs the App SDK path for one version and outcome and returns the order number.
func appJourney(t *testing.T, srv *kyctest.Server, c *kyc.Client, v kyc.Version, outcome kyctest.Outcome) string {
	t.Helper()
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "user42"
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: v, OrderNo: orderNo, UserID: userID, Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	require.NotEmpty(t, face.FaceID)
	require.Equal(t, orderNo, face.OrderNo)
	require.Equal(t, userID, face.UserID)
	require.Equal(t, v, face.Version)

	start, err := c.Face.SDKParams(ctx, face)
	require.NoError(t, err)
	require.Equal(t, orderNo, start.OrderNo)
	require.Equal(t, userID, start.UserID)
	require.Equal(t, face.FaceID, start.FaceID)
	require.Equal(t, v.String(), start.Product)
	require.Equal(t, srv.AppID, start.AppID)
	require.Equal(t, kyc.APIVersion, start.Version)
	require.NoError(t, kyc.CheckNonce(start.Nonce))
	// The SDK's login with these values: a fresh NONCE ticket for this user, used once.
	require.NoError(t, srv.CheckNonceSignature(start.AppID, start.UserID, start.Nonce, start.Sign))
	require.Error(t, srv.CheckNonceSignature(start.AppID, start.UserID, start.Nonce, start.Sign))
	require.NoError(t, srv.Complete(orderNo, outcome))
	return orderNo
}

func TestAppSDKJourneyEachVersion(t *testing.T) {
	srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMedia(3000, 50000)})
	ctx := context.Background()
	for _, v := range []kyc.Version{kyc.Plus, kyc.Enhanced, kyc.Basic} {
		t.Run(v.String(), func(t *testing.T) {
			orderNo := appJourney(t, srv, c, v, kyctest.OutcomePass)
			res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
			require.NoError(t, err)
			require.True(t, res.Passed())
			require.NoError(t, res.Err())
			require.Equal(t, orderNo, res.OrderNo)
			require.NotEmpty(t, res.LiveRate)
			require.Empty(t, res.Photo)
			if v == kyc.Basic {
				require.Nil(t, res.Risk, "Basic has no riskInfo")
			} else {
				require.NotNil(t, res.Risk)
			}
			full, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
			require.NoError(t, err)
			require.Len(t, full.Photo, 3000)
			require.Len(t, full.Video, 50000)
			photoOnly, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
			require.NoError(t, err)
			require.Equal(t, full.Photo, photoOnly.Photo)
			require.Empty(t, photoOnly.Video)
			videoOnly, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.VideoOnly})
			require.NoError(t, err)
			require.Equal(t, full.Video, videoOnly.Video)
			require.Empty(t, videoOnly.Photo)

			var photo, video bytes.Buffer
			streamed, err := c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: orderNo}, kyc.FaceWriters{Photo: &photo, Video: &video})
			require.NoError(t, err)
			require.True(t, streamed.Passed())
			require.Equal(t, []byte(full.Photo), photo.Bytes())
			require.Equal(t, []byte(full.Video), video.Bytes())

			photos, err := c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: orderNo})
			require.NoError(t, err)
			require.NotEmpty(t, photos.Photos)
			require.LessOrEqual(t, len(photos.Photos), 3)
		})
	}
}

func newPairWith(t testing.TB, sopts []kyctest.Option, opts ...kyc.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer(sopts...)
	t.Cleanup(srv.Close)
	base := []kyc.Option{kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond)}
	c, err := kyc.New(srv.AppID, srv.Secret, append(base, opts...)...)
	require.NoError(t, err)
	return srv, c
}

func TestVerdicts(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	for _, tc := range []struct {
		outcome kyctest.Outcome
		code    string
	}{
		{kyctest.OutcomeNotSamePerson, "66660004"},
		{kyctest.OutcomeNameIDMismatch, "66660010"},
		{kyctest.OutcomeSpoof, "66665001"},
	} {
		orderNo := appJourney(t, srv, c, kyc.Plus, tc.outcome)
		res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
		require.NoError(t, err, "a failed verdict is a result, not an error")
		require.False(t, res.Passed())
		require.Equal(t, tc.code, res.Code)
		require.ErrorIs(t, res.Err(), kyc.ErrVerificationFailed)
		info, ok := kyc.LookupCode(res.Code)
		require.True(t, ok)
		require.True(t, info.Billed(kyc.ProductPlus, kyc.ChannelApp))
	}
	quit := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomeUserQuit)
	_, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: quit, Media: kyc.NoMedia})
	require.ErrorIs(t, err, kyc.ErrNoResult)
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "66660011", ae.Code)

	// Results are kept three days.
	kept := appJourney(t, srv, c, kyc.Enhanced, kyctest.OutcomePass)
	srv.Clock.Advance(72*time.Hour + time.Minute)
	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: kept, Media: kyc.NoMedia})
	require.ErrorIs(t, err, kyc.ErrNoResult)
}

func TestFaceIDExpiresAfterFiveMinutes(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	orderNo := newOrderNo()
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user1", Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	// The login URL can still be built (it is signed locally), but the service refuses the
	// expired faceId when the browser opens it.
	srv.Clock.Advance(5*time.Minute + time.Second)
	require.ErrorIs(t, srv.Complete(orderNo, kyctest.OutcomePass), kyctest.ErrFaceIDExpired)
	login, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: face.FaceID, OrderNo: orderNo, UserID: "user1", OptimalDomain: face.OptimalDomain, Version: face.Version}, CallbackURL: "https://partner.example/cb"})
	require.NoError(t, err)
	resp, err := http.Get(login)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	// A reused orderNo is refused by the service, and the upload is not resent.
	srv.ResetCounts()
	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user1", Name: testName, IDNo: testIDNo})
	require.Error(t, err)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointFaceIDPlus))
}

func TestUploadNotResentOnceItReachedTheServer(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.NoError(t, err)
	for _, f := range []kyctest.Fault{{Status: 502}, {Code: "999999"}, {Truncate: true}} {
		srv.ClearFaults()
		srv.ResetCounts()
		f.Endpoint, f.Times = kyctest.EndpointFaceIDPlus, 1
		srv.Fail(f)
		_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user1", Name: testName, IDNo: testIDNo})
		require.Error(t, err)
		require.Equal(t, 1, srv.Requests(kyctest.EndpointFaceIDPlus), "%+v: a mint call is never resent after it reached the server", f)
	}
	// A stale-ticket answer means nothing was minted: renewed and resent once.
	srv.ClearFaults()
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointFaceIDPlus, Code: "400101", Times: 1})
	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user1", Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointFaceIDPlus))
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
}

func TestQueriesRetriedOnBusyAndStale(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: "999999", Times: 1})
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Status: 503, Times: 1})
	res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, 3, srv.Requests(kyctest.EndpointQueryFaceRecord))

	// The SIGN ticket is replaced elsewhere; past the overlap the query is refused, the unit
	// renewed and the query re-signed once.
	srv.ReplaceToken(srv.AppID)
	srv.Clock.Advance(61 * time.Second)
	srv.ResetCounts()
	res, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, 2, srv.Requests(kyctest.EndpointQueryFaceRecord))
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
}

func TestWaitForMedia(t *testing.T) {
	t.Run("arrives on the third try", func(t *testing.T) {
		srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMediaDelay(2)}, kyc.WithMediaWait(3, 10*time.Millisecond))
		orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
		srv.ResetCounts()
		res, err := c.Face.WaitForMedia(context.Background(), kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
		require.NoError(t, err)
		require.NotEmpty(t, res.Photo)
		require.NotEmpty(t, res.Video)
		require.Equal(t, 3, srv.Requests(kyctest.EndpointQueryFaceRecord))
	})
	t.Run("never arrives", func(t *testing.T) {
		srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMediaDelay(10)}, kyc.WithMediaWait(3, 10*time.Millisecond))
		orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
		srv.ResetCounts()
		res, err := c.Face.WaitForMedia(context.Background(), kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
		require.ErrorIs(t, err, kyc.ErrNoResult)
		require.NotNil(t, res)
		require.True(t, res.Passed())
		require.Equal(t, 3, srv.Requests(kyctest.EndpointQueryFaceRecord))
	})
	t.Run("ends with the context", func(t *testing.T) {
		srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMediaDelay(10)}, kyc.WithMediaWait(3, time.Minute))
		orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Face.WaitForMedia(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("no wait for a failed verdict", func(t *testing.T) {
		srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMediaDelay(10)}, kyc.WithMediaWait(3, time.Minute))
		orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomeNotSamePerson)
		res, err := c.Face.WaitForMedia(context.Background(), kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
		require.NoError(t, err)
		require.Equal(t, "66660004", res.Code)
	})
}

// browser follows an H5 login URL through the simulator's page the way a person would: it loads
// the page, submits the form for the chosen outcome, and returns the callback URL it is sent to.
func browser(t *testing.T, loginURL, outcomeLabel string) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(loginURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(page))
	form := parseForm(t, string(page), outcomeLabel)
	base, _ := url.Parse(loginURL)
	action, err := base.Parse(form.action)
	require.NoError(t, err)
	resp, err = hc.PostForm(action.String(), form.values)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	// The one-time login signature cannot be used again.
	again, err := hc.Get(loginURL)
	require.NoError(t, err)
	again.Body.Close()
	require.NotEqual(t, 200, again.StatusCode)
	return loc
}

type htmlForm struct {
	action string
	values url.Values
}

var (
	formRe   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>`)
	inputRe  = regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
	buttonRe = regexp.MustCompile(`(?s)<button[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>(.*?)</button>`)
)

// parseForm finds the form whose submit button mentions label and returns what submitting it
// would send.
func parseForm(t *testing.T, page, label string) htmlForm {
	t.Helper()
	for _, m := range formRe.FindAllStringSubmatch(page, -1) {
		vals := url.Values{}
		for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
			vals.Set(in[1], unescapeHTML(in[2]))
		}
		for _, b := range buttonRe.FindAllStringSubmatch(m[2], -1) {
			if strings.Contains(strings.ToLower(b[3]), strings.ToLower(label)) || strings.EqualFold(b[2], label) {
				vals.Set(b[1], unescapeHTML(b[2]))
				return htmlForm{action: unescapeHTML(m[1]), values: vals}
			}
		}
	}
	t.Fatalf("no form with a button for %q in the simulator page", label)
	return htmlForm{}
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestMobileH5Journey(t *testing.T) {
	_, c := newPair(t)
	ctx := context.Background()
	for _, v := range []kyc.Version{kyc.Plus, kyc.Enhanced} {
		t.Run(v.String(), func(t *testing.T) {
			orderNo, userID := newOrderNo(), "h5user1"
			face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: v, OrderNo: orderNo, UserID: userID, Name: testName, IDNo: testIDNo, RealTimeOnly: true})
			require.NoError(t, err)
			require.NotEmpty(t, face.OptimalDomain)
			login, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: face.FaceID, OrderNo: orderNo, UserID: userID, OptimalDomain: face.OptimalDomain, Version: face.Version}, CallbackURL: "https://partner.example/kyc/callback?session=abc", From: kyc.FromBrowser, SkipResultPage: true})
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(login, "http://"+face.OptimalDomain+"/api/web/login?"), login)

			cb := browser(t, login, "pass")
			require.Equal(t, "partner.example", cb.Host)
			require.Equal(t, "abc", cb.Query().Get("session"), "the partner's own query survives")
			got, err := c.Face.VerifyCallback(ctx, cb.Query())
			require.NoError(t, err)
			require.True(t, got.Passed())
			require.Equal(t, orderNo, got.OrderNo)
			require.Equal(t, face.FaceID, got.FaceID)
			require.Equal(t, []string{"appId", "orderNo", "code"}, got.SignedFields)
			require.Contains(t, got.UnsignedFields, "liveRate")
			require.False(t, got.PreviousTicket)

			res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
			require.NoError(t, err)
			require.True(t, res.Passed())
			require.NotEmpty(t, res.Photo)
			photos, err := c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: orderNo})
			require.NoError(t, err)
			require.NotEmpty(t, photos.Photos)
		})
	}
}

func TestPCH5Journey(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "pcuser1"
	face, err := c.Face.GetPCFaceID(ctx, kyc.PCFaceIDRequest{OrderNo: orderNo, UserID: userID, Photo: jpeg, PhotoType: kyc.PhotoHD})
	require.NoError(t, err)
	login, err := c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: face.FaceID, OrderNo: orderNo, UserID: userID, OptimalDomain: face.OptimalDomain, PC: true}, CallbackURL: "https://partner.example/pc/callback"})
	require.NoError(t, err)
	require.Contains(t, login, "/api/pc/login?")
	cb := browser(t, login, "not-same-person")
	require.NotEmpty(t, cb.Query().Get("newSign"))
	require.Empty(t, cb.Query().Get("liveRate"))
	got, err := c.Face.VerifyCallback(ctx, cb.Query())
	require.NoError(t, err)
	require.False(t, got.Passed())
	require.Equal(t, "66660004", got.Code)
	require.Equal(t, face.FaceID, got.FaceID)
	res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
	require.NoError(t, err)
	require.Equal(t, "66660004", res.Code)
	require.Equal(t, kyctest.OutcomeNotSamePerson, mustOrder(t, srv, orderNo).Outcome)
}

func mustOrder(t *testing.T, srv *kyctest.Server, orderNo string) kyctest.OrderInfo {
	t.Helper()
	o, ok := srv.Order(orderNo)
	require.True(t, ok)
	return o
}

func TestCallbackTamperingAndRotation(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "h5user2"
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: userID, Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	cbURL, err := srv.CallbackURL(orderNo, kyctest.OutcomeNotSamePerson, "https://partner.example/cb")
	require.NoError(t, err)
	cb, err := url.Parse(cbURL)
	require.NoError(t, err)
	q := cb.Query()
	_, err = c.Face.VerifyCallback(ctx, q)
	require.NoError(t, err)

	changedCode := url.Values{}
	for k, v := range q {
		changedCode[k] = v
	}
	changedCode.Set("code", "0")
	_, err = c.Face.VerifyCallback(ctx, changedCode)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)

	changedOrder := url.Values{}
	for k, v := range q {
		changedOrder[k] = v
	}
	changedOrder.Set("orderNo", newOrderNo())
	_, err = c.Face.VerifyCallback(ctx, changedOrder)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)

	// Unsigned fields can change without the signature noticing: the result says so.
	changedRate := url.Values{}
	for k, v := range q {
		changedRate[k] = v
	}
	changedRate.Set("liveRate", "100")
	got, err := c.Face.VerifyCallback(ctx, changedRate)
	require.NoError(t, err)
	require.Contains(t, got.UnsignedFields, "liveRate")
	require.Equal(t, face.FaceID, got.FaceID)

	// A rotation between login and callback: the callback was signed with the previous ticket.
	old, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.NoError(t, c.RefreshTickets(ctx))
	signed := url.Values{"code": {"0"}, "orderNo": {orderNo}, "faceId": {face.FaceID},
		"newSignature": {kyc.Sign(old, srv.AppID, orderNo, "0")}}
	got, err = c.Face.VerifyCallback(ctx, signed)
	require.NoError(t, err)
	require.True(t, got.PreviousTicket)
	// Lower-case hex is accepted (the manual calls the signature case-insensitive).
	signed.Set("newSignature", strings.ToLower(kyc.Sign(old, srv.AppID, orderNo, "0")))
	_, err = c.Face.VerifyCallbackRequest(ctx, httpRequest(t, "https://partner.example/cb?"+signed.Encode()))
	require.NoError(t, err)
	// Two rotations later the old ticket no longer counts.
	require.NoError(t, c.RefreshTickets(ctx))
	_, err = c.Face.VerifyCallback(ctx, signed)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
}

func httpRequest(t *testing.T, raw string) *http.Request {
	r, err := http.NewRequest("GET", raw, nil)
	require.NoError(t, err)
	return r
}

func TestSDKStartMarshalsForTheApp(t *testing.T) {
	srv, c := newPair(t, kyc.WithSDKLicence("LICENCEFROMCONSOLE"))
	orderNo := newOrderNo()
	face, err := c.Face.GetFaceID(context.Background(), kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: orderNo, UserID: "u1", Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	start, err := c.Face.SDKParams(context.Background(), &kyc.FaceID{Version: kyc.Enhanced, OrderNo: orderNo, UserID: "u1", FaceID: face.FaceID}, kyc.WithNonce(face.Nonce))
	require.NoError(t, err)
	require.Equal(t, face.Nonce, start.Nonce)
	require.Equal(t, "LICENCEFROMCONSOLE", start.Licence)
	require.Equal(t, "GRADE", start.VerifyMode)
	require.NoError(t, srv.CheckNonceSignature(srv.AppID, "u1", start.Nonce, start.Sign))
}

// The start and login calls take the upload's own value, and refuse one from another journey
// (a will faceId for the face SDK, a PC h5faceId for the app or mobile H5, a mobile one for the
// PC login, or none) before a NONCE ticket is spent.
func TestStartsRefuseAnotherJourneysFaceID(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	face, err := c.Face.GetFaceID(ctx, okUpload())
	require.NoError(t, err)
	pcReq := kyc.PCFaceIDRequest{OrderNo: newOrderNo(), UserID: "user1", Name: testName, IDNo: testIDNo}
	pc, err := c.Face.GetPCFaceID(ctx, pcReq)
	require.NoError(t, err)
	require.True(t, pc.PC)
	require.Equal(t, pcReq.UserID, pc.UserID)
	will, err := c.Will.GetFaceID(ctx, okWill())
	require.NoError(t, err)
	require.Zero(t, will.Version)
	require.Equal(t, okWill().UserID, will.UserID)
	const cb = "https://partner.example/cb"
	before := srv.TotalRequests()
	for name, call := range map[string]func() error{
		"face SDK, nil":         func() error { return second(c.Face.SDKParams(ctx, nil)) },
		"face SDK, will faceId": func() error { return second(c.Face.SDKParams(ctx, will)) },
		"face SDK, PC h5faceId": func() error { return second(c.Face.SDKParams(ctx, pc)) },
		"face H5, nil":          func() error { return second(c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{CallbackURL: cb})) },
		"face H5, will faceId":  func() error { return second(c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: will, CallbackURL: cb})) },
		"face H5, PC h5faceId":  func() error { return second(c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: pc, CallbackURL: cb})) },
		"PC login, nil":         func() error { return second(c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{CallbackURL: cb})) },
		"PC login, app faceId":  func() error { return second(c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: face, CallbackURL: cb})) },
		"will SDK, nil":         func() error { return second(c.Will.SDKParams(ctx, nil)) },
		"will SDK, face faceId": func() error { return second(c.Will.SDKParams(ctx, face)) },
		"will SDK, PC h5faceId": func() error { return second(c.Will.SDKParams(ctx, pc)) },
		"will H5, face faceId":  func() error { return second(c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: face, CallbackURL: cb})) },
		"will H5, nil":          func() error { return second(c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{CallbackURL: cb})) },
		"NFC SDK, nil":          func() error { return second(c.NFC.SDKParams(ctx, nil)) },
	} {
		var ie *kyc.InputError
		require.ErrorAs(t, call(), &ie, name)
	}
	require.Equal(t, before, srv.TotalRequests(), "nothing may be sent, no NONCE ticket spent")
	// Each value works with its own journey.
	_, err = c.Face.SDKParams(ctx, face)
	require.NoError(t, err)
	_, err = c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: pc, CallbackURL: cb})
	require.NoError(t, err)
	_, err = c.Will.SDKParams(ctx, will)
	require.NoError(t, err)
}
