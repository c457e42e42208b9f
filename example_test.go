package kyc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// exampleClient starts the fake service and a client for it; real code passes its WBappid and
// secret and no base URL.
func exampleClient() (*kyctest.Server, *kyc.Client) {
	srv := kyctest.NewServer()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	return srv, c
}

func ExampleSign() {
	// Spec A 3.4, vector 1: the upload and SDK-start signature of the manual's example.
	sign := kyc.Sign("XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS",
		"IDAXXXXX", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", kyc.APIVersion)
	fmt.Println(sign)
	// Output: D7606F1741DDCF90757DA924EDCF152A200AC7F0
}

func ExampleNewNonce() {
	nonce := kyc.NewNonce()
	fmt.Println(len(nonce), kyc.CheckNonce(nonce) == nil)
	// Output: 32 true
}

func ExampleCheckNonce() {
	err := kyc.CheckNonce("too-short")
	fmt.Println(errors.Is(err, kyc.ErrInvalidInput))
	// Output: true
}

func ExampleLookupCode() {
	info, _ := kyc.LookupCode("66660004")
	fmt.Println(info.EN)
	fmt.Println(info.Billed(kyc.ProductPlus, kyc.ChannelApp), errors.Is(info.Class, kyc.ErrVerificationFailed))
	// Output:
	// cannot confirm it is the same person
	// true true
}

func ExampleNew() {
	// One client per appId, made once at start-up and shared; New sends nothing. Every process
	// and host that uses the appId shares one ticket store (kyc.NewFileStore on one host,
	// redisstore across hosts): a token fetch cuts the previous token's life to a minute.
	store := kyc.NewMemoryStore()
	c, err := kyc.New("IDAKYCT1", "secretFromTheConsole", // the WBappid and its secret
		kyc.WithTicketStore(store),
		kyc.WithLogger(slog.New(slog.DiscardHandler)), // metadata only, never values
		kyc.WithTimeout(10*time.Second),
	)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Println(c.AppID())

	// Bad arguments are an *InputError, before anything is sent.
	_, err = kyc.New("", "secret")
	fmt.Println(err)
	// Output:
	// IDAKYCT1
	// kyc: invalid appId: must not be empty
}

func ExampleClient_SignTicket() {
	srv, c := exampleClient()
	defer srv.Close()
	ticket, err := c.SignTicket(context.Background())
	fmt.Println(len(ticket) > 0, err)
	// Output: true <nil>
}

func ExampleClient_AccessToken() {
	srv, c := exampleClient()
	defer srv.Close()
	token, err := c.AccessToken(context.Background())
	fmt.Println(len(token) > 0, err)
	// Output: true <nil>
}

func ExampleClient_Tickets() {
	srv, c := exampleClient()
	defer srv.Close()
	unit, _ := c.Tickets(context.Background())
	fmt.Println(unit.ExpiresAt().Sub(unit.FetchedAt)) // the SIGN ticket's 3600 s
	// Output: 1h0m0s
}

func ExampleClient_NonceTicket() {
	srv, c := exampleClient()
	defer srv.Close()
	ticket, _ := c.NonceTicket(context.Background(), "user001")
	again, _ := c.NonceTicket(context.Background(), "user001")
	fmt.Println(ticket != again) // never cached: single use
	// Output: true
}

func ExampleClient_RefreshTickets() {
	srv, c := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	before, _ := c.SignTicket(ctx)
	_ = c.RefreshTickets(ctx)
	after, _ := c.SignTicket(ctx)
	fmt.Println(before != after)
	// Output: true
}

func ExampleFaceService_GetFaceID() {
	srv, c := exampleClient()
	defer srv.Close()
	face, err := c.Face.GetFaceID(context.Background(), kyc.FaceIDRequest{
		Version: kyc.Plus, OrderNo: "order20260001", UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001", // invented
	})
	fmt.Println(err, len(face.FaceID))
	// Output: <nil> 32
}

func ExampleFaceService_GetPCFaceID() {
	srv, c := exampleClient()
	defer srv.Close()
	face, err := c.Face.GetPCFaceID(context.Background(), kyc.PCFaceIDRequest{
		OrderNo: "order20260002", UserID: "user001", Name: "示例用户", IDNo: "KYCTEST0000000001",
	})
	fmt.Println(err, face.FaceID[:2])
	// Output: <nil> wb
}

func ExampleFaceService_SDKParams() {
	srv, c := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	face, _ := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: "order20260003", UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001"})
	start, _ := c.Face.SDKParams(ctx, face)
	// A handler returns start as JSON to the app, which passes the values to the SDK.
	fmt.Println(start.Product, start.Version, len(start.Sign))
	// Output: enhanced 1.0.0 40
}

func ExampleFaceService_H5LoginURL() {
	srv, c := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	face, _ := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order20260004", UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001"})
	login, _ := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: "https://partner.example/kyc/callback", From: kyc.FromBrowser})
	u, _ := url.Parse(login)
	// Answer the browser with http.Redirect(w, r, login, http.StatusFound); never put it in a page.
	fmt.Println(u.Path, u.Query().Get("from"), u.Query().Get("url"))
	// Output: /api/web/login browser https://partner.example/kyc/callback
}

func ExampleFaceService_PCLoginURL() {
	srv, c := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	face, _ := c.Face.GetPCFaceID(ctx, kyc.PCFaceIDRequest{OrderNo: "order20260005", UserID: "user001", Name: "示例用户", IDNo: "KYCTEST0000000001"})
	login, _ := c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: face, CallbackURL: "https://partner.example/kyc/callback"})
	u, _ := url.Parse(login)
	fmt.Println(u.Path, u.Query().Get("h5faceId") == face.FaceID)
	// Output: /api/pc/login true
}

func ExampleFaceService_VerifyCallback() {
	srv, c := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	_, _ = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order20260006", UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001"})
	// Where the browser comes back after the person finished (here made by the fake service).
	back, _ := srv.CallbackURL("order20260006", kyctest.OutcomePass, "https://partner.example/kyc/callback")
	u, _ := url.Parse(back)
	cb, err := c.Face.VerifyCallback(ctx, u.Query())
	fmt.Println(err, cb.Passed(), cb.SignedFields, cb.UnsignedFields)
	// Then confirm with QueryResult: the callback can be replayed.
	// Output: <nil> true [appId orderNo code] [faceId liveRate]
}

func ExampleFaceService_VerifyCallbackRequest() {
	srv, c := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := c.Face.VerifyCallbackRequest(r.Context(), r)
		if err != nil {
			http.Error(w, "bad callback", http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, cb.Code)
	})
	r, _ := http.NewRequestWithContext(ctx, "GET", "https://partner.example/kyc/callback?code=0&orderNo=order1&newSignature=0000000000000000000000000000000000000000", nil)
	rec := &responseRecorder{header: http.Header{}}
	handler.ServeHTTP(rec, r)
	fmt.Println(rec.status)
	// Output: 400
}

type responseRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *responseRecorder) Header() http.Header { return r.header }
func (r *responseRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.body.Write(p)
}
func (r *responseRecorder) WriteHeader(s int) { r.status = s }

// completedOrder runs an App SDK journey in the fake service for the query examples.
func completedOrder(srv *kyctest.Server, c *kyc.Client, orderNo string, o kyctest.Outcome) {
	ctx := context.Background()
	_, _ = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001"})
	_ = srv.Complete(orderNo, o)
}

func ExampleFaceService_QueryResult() {
	srv, c := exampleClient()
	defer srv.Close()
	completedOrder(srv, c, "order20260007", kyctest.OutcomeNotSamePerson)
	res, err := c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: "order20260007", Media: kyc.NoMedia})
	fmt.Println(err, res.Passed(), res.Code, errors.Is(res.Err(), kyc.ErrVerificationFailed))
	// Output: <nil> false 66660004 true
}

func ExampleFaceService_QueryResultTo() {
	srv, c := exampleClient()
	defer srv.Close()
	completedOrder(srv, c, "order20260008", kyctest.OutcomePass)
	var photo, video bytes.Buffer // files or object-storage uploads in real code
	res, err := c.Face.QueryResultTo(context.Background(), kyc.FaceQuery{OrderNo: "order20260008"}, kyc.FaceWriters{Photo: &photo, Video: &video})
	fmt.Println(err, res.Passed(), photo.Len() > 0, video.Len() > 0)
	// Output: <nil> true true true
}

func ExampleFaceService_WaitForMedia() {
	srv, c := exampleClient()
	defer srv.Close()
	completedOrder(srv, c, "order20260009", kyctest.OutcomePass)
	res, err := c.Face.WaitForMedia(context.Background(), kyc.FaceQuery{OrderNo: "order20260009", Media: kyc.PhotoOnly})
	fmt.Println(err, len(res.Photo) > 0, len(res.Video)) // the video was not asked for
	// Output: <nil> true 0
}

func ExampleFaceService_QueryPhotos() {
	srv, c := exampleClient()
	defer srv.Close()
	completedOrder(srv, c, "order20260010", kyctest.OutcomePass)
	photos, err := c.Face.QueryPhotos(context.Background(), kyc.FaceQuery{OrderNo: "order20260010"})
	fmt.Println(err, len(photos.Photos))
	// Output: <nil> 3
}

func ExampleRiskInfo_ShieldTags() {
	risk := kyc.RiskInfo{DeviceInfoLevel: "3", LivenessInfoTag: "03,04"}
	tags, unknown := risk.ShieldTags()
	fmt.Println(tags, unknown, risk.HighRiskDevice())
	for _, tag := range tags {
		if tag == 3 { // a tag is its number in the manual
			fmt.Println("re-capture:", tag.Chinese())
		}
	}
	// Output:
	// [suspected re-capture attack suspected synthetic attack] [] true
	// re-capture: 疑似翻拍攻击
}

func ExampleMedia() {
	photo := kyc.Media([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	fmt.Printf("%v %x %s\n", photo, photo, photo) // never the content
	// Output: Media(4 bytes) Media(4 bytes) Media(4 bytes)
}

func ExampleClient_AppID() {
	c, _ := kyc.New("IDAXXXXX", "secret")
	fmt.Println(c.AppID())
	// Output: IDAXXXXX
}
