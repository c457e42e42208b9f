package kyc_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Invented identity data that must never surface.
const (
	canarySecret = "CanarySecretZq7Wm2Lx9Pt4Rk8Vn3Hs6Jd1"
	canaryName   = "金丝雀测试"
	canaryIDNo   = "KYCCANARY000000001"
)

// lockedBuffer collects log output from concurrent goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCanaryNothingSensitiveInLogsOrErrors drives every public call, successes and every kind
// of failure, with debug logging on, and looks for the secret, every token and ticket the
// server handed out, a name and an ID number in all log output and every error string.
func TestCanaryNothingSensitiveInLogsOrErrors(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithApp("IDACANRY", canarySecret))
	defer srv.Close()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	jsonLogger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithLogger(logger), kyc.WithRetry(2, time.Millisecond, 2*time.Millisecond), kyc.WithTimeout(10*time.Second))
	require.NoError(t, err)
	ctx := context.Background()

	var texts []string // every error string and every formatted value we produce
	var secrets = []string{canarySecret, canaryName, canaryIDNo}
	note := func(v ...any) {
		for _, x := range v {
			if x == nil {
				continue
			}
			texts = append(texts, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x))
		}
	}

	tok, err := c.AccessToken(ctx)
	require.NoError(t, err)
	sign, err := c.SignTicket(ctx)
	require.NoError(t, err)
	unit, err := c.Tickets(ctx)
	require.NoError(t, err)
	note(unit, &unit)
	jsonLogger.Info("unit", "unit", unit)
	secrets = append(secrets, tok, sign)
	nonce, err := c.NonceTicket(ctx, "user001")
	require.NoError(t, err)
	secrets = append(secrets, nonce)
	nonce2, err := c.NonceTicket(ctx, canaryIDNo) // an ID number used as a user id: still never shown
	require.NoError(t, err)
	secrets = append(secrets, nonce2)
	require.NoError(t, c.RefreshTickets(ctx))
	unit2, err := c.Tickets(ctx)
	require.NoError(t, err)
	secrets = append(secrets, unit2.AccessToken, unit2.SignTicket)

	// Failures of every kind, on every oauth2 endpoint.
	_, err = c.NonceTicket(ctx, canaryName)
	note(err)
	// Calls in the failure loops get a short deadline so that latency faults end quickly;
	// everything else has the default per-attempt timeout, so a loaded machine cannot fail it.
	quick := func() context.Context {
		qctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
		t.Cleanup(cancel)
		return qctx
	}
	for _, f := range []kyctest.Fault{
		{Drop: true}, {Truncate: true}, {Status: 502}, {Code: "400101"}, {Code: "999999"}, {Code: "66660000"},
		{Latency: time.Second},
	} {
		for _, ep := range []string{kyctest.EndpointAccessToken, kyctest.EndpointSignTicket, kyctest.EndpointNonceTicket} {
			srv.ClearFaults()
			f.Endpoint = ep
			srv.Fail(f)
			note(c.RefreshTickets(quick()))
			_, err := c.NonceTicket(quick(), canaryIDNo)
			note(err)
		}
	}
	srv.ClearFaults()
	// A dead server: the transport error carries the request URL.
	dead := kyctest.NewServer(kyctest.WithApp("IDACANRY", canarySecret))
	deadURL := dead.URL
	dead.Close()
	c2, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(deadURL), kyc.WithLogger(logger),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c2.AccessToken(ctx)
	require.Error(t, err)
	note(err)
	// Bad configuration and bad input.
	_, err = kyc.New("IDACANRY", canarySecret+" ")
	note(err)
	_, err = kyc.New(canaryName, canarySecret)
	note(err)
	note(kyc.CheckNonce(canaryIDNo))

	all := logs.String() + "\n" + strings.Join(texts, "\n")
	require.Contains(t, all, "kyc response", "debug logging was on")
	require.Contains(t, all, "REDACTED", "the transport error was redacted, not dropped")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.NotContains(t, all, s)
	}
}

// TestCanaryFace does the same for every face call: the name, ID number and photo go in, and
// must not come out in logs, errors or formatted values.
func TestCanaryFace(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithApp("IDACANRY", canarySecret), kyctest.WithMedia(4000, 9000))
	defer srv.Close()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithLogger(logger), kyc.WithRetry(2, time.Millisecond, 2*time.Millisecond), kyc.WithTimeout(10*time.Second),
		kyc.WithMediaWait(2, time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("CANARYPHOTOCONTENT-0123456789-CANARYPHOTOCONTENT")...)
	photoB64 := base64.StdEncoding.EncodeToString(photo)
	secrets := []string{canarySecret, canaryName, canaryIDNo, photoB64[8:40]}
	var texts []string
	note := func(v ...any) {
		for _, x := range v {
			if x != nil {
				texts = append(texts, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x), fmt.Sprintf("%s", x))
			}
		}
	}
	logger.Info("request", "req", kyc.FaceIDRequest{Name: canaryName, IDNo: canaryIDNo, Photo: photo})

	for _, v := range []kyc.Version{kyc.Plus, kyc.Enhanced, kyc.Basic} {
		orderNo := newOrderNo()
		req := kyc.FaceIDRequest{Version: v, OrderNo: orderNo, UserID: "user001", Name: canaryName, IDNo: canaryIDNo}
		note(req, &req)
		face, err := c.Face.GetFaceID(ctx, req)
		require.NoError(t, err)
		start, err := c.Face.SDKParams(ctx, &kyc.FaceID{Version: v, OrderNo: orderNo, UserID: "user001", FaceID: face.FaceID})
		require.NoError(t, err)
		secrets = append(secrets, start.Sign)
		require.NoError(t, srv.CheckNonceSignature(start.AppID, start.UserID, start.Nonce, start.Sign))
		require.NoError(t, srv.Complete(orderNo, kyctest.OutcomeNotSamePerson))
		res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
		require.NoError(t, err)
		note(res, *res, res.Photo, res.Err())
		secrets = append(secrets, base64.StdEncoding.EncodeToString(res.Photo)[8:40], base64.StdEncoding.EncodeToString(res.Video)[8:40])
		_, err = c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: orderNo}, kyc.FaceWriters{Photo: io.Discard, Video: io.Discard})
		require.NoError(t, err)
		p, err := c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: orderNo})
		require.NoError(t, err)
		note(p, p.Photos)
	}
	// Own-photo comparison, PC journey, H5 login and callbacks.
	pcOrder := newOrderNo()
	pcReq := kyc.PCFaceIDRequest{OrderNo: pcOrder, UserID: "user002", Photo: photo, PhotoType: kyc.PhotoHD}
	note(pcReq)
	pc, err := c.Face.GetPCFaceID(ctx, pcReq)
	require.NoError(t, err)
	login, err := c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: pc.FaceID, OrderNo: pcOrder, UserID: "user002", OptimalDomain: pc.OptimalDomain, PC: true}, CallbackURL: "https://partner.example/cb"})
	require.NoError(t, err)
	secrets = append(secrets, mustQuery(t, login).Get("sign"))
	cbURL, err := srv.CallbackURL(pcOrder, kyctest.OutcomePass, "https://partner.example/cb")
	require.NoError(t, err)
	q := mustQuery(t, cbURL)
	cb, err := c.Face.VerifyCallback(ctx, q)
	require.NoError(t, err)
	note(cb)
	q.Set("code", "66660004")
	_, err = c.Face.VerifyCallback(ctx, q)
	note(err)

	// Every failure kind on the upload and the query, with the name and ID number in the request.
	// Calls in the failure loops get a short deadline so that latency faults end quickly;
	// everything else has the default per-attempt timeout, so a loaded machine cannot fail it.
	quick := func() context.Context {
		qctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
		t.Cleanup(cancel)
		return qctx
	}
	for _, f := range []kyctest.Fault{{Drop: true}, {Truncate: true}, {Status: 502}, {Code: "400101"}, {Code: "66660015"}, {Latency: time.Second}} {
		for _, ep := range []string{kyctest.EndpointFaceIDPlus, kyctest.EndpointQueryFaceRecord, kyctest.EndpointQueryPhotoInfo} {
			srv.ClearFaults()
			f.Endpoint = ep
			srv.Fail(f)
			_, err := c.Face.GetFaceID(quick(), kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user003", Name: canaryName, IDNo: canaryIDNo})
			note(err)
			_, err = c.Face.QueryResult(quick(), kyc.FaceQuery{OrderNo: pcOrder, Media: kyc.PhotoAndVideo})
			note(err)
			_, err = c.Face.WaitForMedia(quick(), kyc.FaceQuery{OrderNo: pcOrder, Media: kyc.PhotoOnly})
			note(err)
			_, err = c.Face.QueryPhotos(quick(), kyc.FaceQuery{OrderNo: pcOrder})
			note(err)
		}
	}
	srv.ClearFaults()
	// Refused input quotes no value.
	for _, req := range []kyc.FaceIDRequest{
		{Version: kyc.Plus, OrderNo: "o1", UserID: "u1", Name: canaryName},
		{Version: kyc.Plus, OrderNo: "o1", UserID: "u1", Name: canaryName + "\n", IDNo: canaryIDNo},
		{Version: kyc.Plus, OrderNo: "o1", UserID: "u1", Name: canaryName, IDNo: canaryIDNo + "-"},
		{Version: kyc.Plus, OrderNo: "o1", UserID: "u1", Photo: photo[:3], PhotoType: kyc.PhotoHD},
	} {
		_, err := c.Face.GetFaceID(ctx, req)
		require.Error(t, err)
		note(err)
	}

	all := logs.String() + "\n" + strings.Join(texts, "\n")
	require.Contains(t, all, "kyc response")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.NotContains(t, all, s)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Query()
}
