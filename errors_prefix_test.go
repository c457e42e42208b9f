package kyc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
	"github.com/kycgo/kyc/credentials"
	"github.com/kycgo/kyc/kyctest"
)

// errorTexts collects the errors of many calls, each under a label.
type errorTexts struct {
	t    *testing.T
	errs []labelledErr
}

type labelledErr struct {
	label string
	err   error
}

func (e *errorTexts) add(label string, err error) {
	e.t.Helper()
	require.Error(e.t, err, label)
	e.errs = append(e.errs, labelledErr{label, err})
}

// TestErrorsHaveOnePrefix drives bad input, bad answers, API errors, transport failures, ticket
// failures and callbacks, on kyc1 and API 3.0, and checks every message reads as a Go error
// reads: it starts with "kyc: " and says "kyc:" once.
func TestErrorsHaveOnePrefix(t *testing.T) {
	e := &errorTexts{t: t}
	ctx := context.Background()
	quick := func() context.Context {
		qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		t.Cleanup(cancel)
		return qctx
	}
	face := func(c *kyc.Client, c2 context.Context) error {
		_, err := c.Face.GetFaceID(c2, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user001",
			Name: testName, IDNo: testIDNo})
		return err
	}

	// Bad input and bad options.
	_, err := kyc.New("", "secret")
	e.add("New: empty appId", err)
	_, err = kyc.New("IDAKYCT1", "secret", kyc.WithBaseURL("ftp://x"))
	e.add("New: bad base URL", err)
	_, err = kyc.NewCloud("", "")
	e.add("NewCloud: empty", err)

	srv, c := newPair(t, kyc.WithNFCKey("00112233445566778899AABBCCDDEEFF"))
	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "bad order!", UserID: "user001"})
	e.add("GetFaceID: bad orderNo", err)
	_, err = c.NonceTicket(ctx, "")
	e.add("NonceTicket: empty userId", err)
	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "", Media: kyc.NoMedia})
	e.add("QueryResult: empty orderNo", err)

	// API errors and bad answers on kyc1, with every fault kyctest has.
	for _, f := range []kyctest.Fault{{Drop: true}, {Truncate: true}, {Status: 502}, {Status: 404}, {Code: "400101"},
		{Code: "66660015"}, {Code: "999999"}, {Code: "66660000"}, {Latency: time.Second}} {
		for _, ep := range []string{kyctest.EndpointFaceIDPlus, kyctest.EndpointQueryFaceRecord, kyctest.EndpointNonceTicket, kyctest.EndpointAccessToken} {
			srv.ClearFaults()
			f.Endpoint = ep
			srv.Fail(f)
			label := fmt.Sprintf("%s %+v", ep, f)
			switch ep {
			case kyctest.EndpointFaceIDPlus:
				e.add(label, face(c, quick()))
			case kyctest.EndpointQueryFaceRecord:
				_, err = c.Face.QueryResult(quick(), kyc.FaceQuery{OrderNo: newOrderNo(), Media: kyc.PhotoAndVideo})
				e.add(label, err)
			case kyctest.EndpointNonceTicket:
				_, err = c.Face.SDKParams(quick(), &kyc.FaceID{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user001", FaceID: "faceid0001"})
				e.add(label, err)
			case kyctest.EndpointAccessToken:
				// A fresh client, so that the fault hits its first token fetch.
				fresh, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
					kyc.WithRetry(3, time.Millisecond, 2*time.Millisecond))
				require.NoError(t, err)
				_, err = fresh.SignTicket(quick())
				e.add(label, err)
			}
		}
	}
	srv.ClearFaults()
	// No result, reused orderNo, wrong credentials, wrong NFC key.
	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: newOrderNo(), Media: kyc.NoMedia})
	e.add("no result", err)
	orderNo := newOrderNo()
	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo})
	e.add("reused orderNo", err)
	wrong, err := kyc.New(srv.AppID, "not-the-secret", kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
	require.NoError(t, err)
	e.add("wrong secret", face(wrong, ctx))
	_, err = wrong.Face.VerifyCallback(ctx, map[string][]string{"orderNo": {"order001"}, "code": {"0"}, "newSignature": {strings.Repeat("A", 40)}})
	e.add("callback with no tickets", err)
	// Callbacks: forged, incomplete.
	_, err = c.Face.VerifyCallback(ctx, map[string][]string{"orderNo": {"order001"}, "code": {"0"}, "newSignature": {strings.Repeat("A", 40)}})
	e.add("forged callback", err)
	_, err = c.Face.VerifyCallback(ctx, map[string][]string{"orderNo": {"order001"}})
	e.add("callback without a signature", err)
	_, err = c.Will.VerifyCallback(ctx, map[string][]string{"orderNo": {"order001"}, "code": {"0"}, "newSignature": {strings.Repeat("A", 40)}})
	e.add("forged will callback", err)
	// An NFC result that does not decrypt (the client's key is not the server's).
	nfcOrder := newOrderNo()
	_, err = c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: nfcOrder, UserID: "user001", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	reqID, err := srv.CompleteNFC(nfcOrder, kyctest.SampleNFCCard())
	require.NoError(t, err)
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: nfcOrder, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrDecrypt)
	e.add("NFC wrong key", err)
	// The caller's writer fails while media stream into it.
	_, err = c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)}, kyc.FaceWriters{Video: failingWriter{}})
	e.add("media writer fails", err)
	// Hardening refusals: media that never arrives, a polluted callback, an untrusted store
	// directory, the NFC query cap.
	lagSrv := kyctest.NewServer(kyctest.WithMediaDelay(10))
	t.Cleanup(lagSrv.Close)
	lag, err := kyc.New(lagSrv.AppID, lagSrv.Secret, kyc.WithBaseURL(lagSrv.URL), kyc.WithClock(lagSrv.Clock),
		kyc.WithMediaWait(2, 0))
	require.NoError(t, err)
	_, err = lag.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: appJourney(t, lagSrv, lag, kyc.Plus, kyctest.OutcomePass)}, kyc.FaceWriters{Photo: io.Discard})
	require.ErrorIs(t, err, kyc.ErrMediaNotReady)
	e.add("media not ready", err)
	_, err = c.Face.VerifyCallback(ctx, map[string][]string{"orderNo": {"order001", "order002"}, "code": {"0"},
		"newSignature": {strings.Repeat("A", 40)}})
	e.add("polluted callback", err)
	openDir := t.TempDir()
	require.NoError(t, os.Chmod(openDir, 0o777))
	_, err = kyc.NewFileStore(openDir)
	require.ErrorIs(t, err, kyc.ErrUntrustedFile)
	e.add("world-writable store directory", err)
	for range 10 {
		_, _ = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: nfcOrder, ReqID: reqID})
	}
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: nfcOrder, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	e.add("NFC query cap", err)
	// Connection refused, body over the cap, a redirect, a closed client.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadURL := "http://" + ln.Addr().String()
	ln.Close()
	dead, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(deadURL), kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = dead.SignTicket(ctx)
	e.add("connection refused", err)
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"code":"0","access_token":"` + strings.Repeat("a", 4096) + `","expire_in":7200}`))
	}))
	t.Cleanup(big.Close)
	capped, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(big.URL), kyc.WithMaxBodySize(1024))
	require.NoError(t, err)
	_, err = capped.AccessToken(ctx)
	e.add("body over the cap", err)
	redir := httptest.NewServer(http.RedirectHandler("http://127.0.0.1:1/x", http.StatusFound))
	t.Cleanup(redir.Close)
	rc, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(redir.URL))
	require.NoError(t, err)
	_, err = rc.AccessToken(ctx)
	e.add("redirect", err)
	require.NoError(t, rc.Close())
	_, err = rc.AccessToken(ctx)
	e.add("closed", err)

	// API 3.0: bad input, wrong credentials, faults, kyc1 calls on a cloud-only client.
	csrv, cc := newCloudPair(t, nil)
	_, err = cc.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1 2"})
	e.add("DetectAuth: bad RuleId", err)
	_, err = cc.SignTicket(ctx)
	e.add("kyc1 call on a cloud client", err)
	for _, f := range []kyctest.Fault{{Code: "RequestLimitExceeded"}, {Code: "InternalError"}, {Code: "AuthFailure.SignatureFailure"},
		{Status: 503}, {Drop: true}, {Truncate: true}, {Latency: time.Second}} {
		csrv.ClearFaults()
		f.Endpoint = "DetectAuth"
		csrv.Fail(f)
		_, err = cc.Detect.Auth(quick(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
		e.add(fmt.Sprintf("DetectAuth %+v", f), err)
	}
	csrv.ClearFaults()
	_, err = cc.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: "00000000-0000-0000-0000-000000000000"})
	e.add("GetEidResult: unknown token", err)
	wc, err := kyc.NewCloud("AKIDwrong", "wrongkey", kyc.WithCloudEndpoint(csrv.URL), kyc.WithClock(csrv.Clock))
	require.NoError(t, err)
	_, err = wc.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
	e.add("API 3.0: wrong credentials", err)

	// A stale ticket whose replacement cannot be fetched: both failures in one message.
	stale, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = stale.SignTicket(ctx)
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointFaceIDPlus, Code: "400101", Times: 1})
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Status: 502})
	e.add("stale ticket, refetch fails", face(stale, ctx))
	srv.ClearFaults()
	// A ticket store that fails, with a message of its own that has the prefix.
	fs, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithTicketStore(&failingStore{MemoryStore: kyc.NewMemoryStore()}))
	require.NoError(t, err)
	_, err = fs.SignTicket(ctx)
	require.NoError(t, err)
	e.add("store unavailable", fs.RefreshTickets(ctx))

	// API 3.0 wrappers: the bill and the eID wait.
	csrv.Fail(kyctest.Fault{Endpoint: "GetWeChatBillDetails", Code: "InternalError"})
	_, err = cc.Billing.FetchDay(ctx, kyc.Day{Year: 2026, Month: 1, Day: 2}, kyctest.DefaultRuleID)
	e.add("bill", err)
	csrv.Fail(kyctest.Fault{Endpoint: "CheckEidTokenStatus", Code: "InternalError"})
	_, err = cc.EID.WaitTokenStatus(ctx, "00000000-0000-0000-0000-000000000000")
	e.add("eID wait", err)
	csrv.ClearFaults()

	// API 3.0 additions: CallCloud, the checks, credential providers, encryption.
	e.add("CallCloud: bad action", cc.CallCloud(ctx, "not an action", nil, nil))
	e.add("CallCloud: service error", cc.CallCloud(ctx, "MobileStatus", map[string]string{}, nil))
	ch := checks.New(cc)
	_, err = ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{})
	e.add("checks: missing fields", err)
	csrv.Fail(kyctest.Fault{Endpoint: "IdCardVerification", Code: "InternalError"})
	_, err = ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: cloudName, IDCard: cloudIDCard})
	e.add("checks: service error", err)
	csrv.ClearFaults()
	for label, p := range map[string]kyc.CloudCredentialsProvider{
		"provider: bad secret id":   credentials.Static("bad id with spaces", "key", ""),
		"provider: fails":           failingProvider{},
		"provider: already expired": expiredProvider{},
	} {
		pc, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(p), kyc.WithCloudEndpoint(csrv.URL),
			kyc.WithClock(csrv.Clock))
		require.NoError(t, err)
		_, err = pc.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
		e.add(label, err)
	}
	_, err = kyc.NewCloud("AKIDx", "key", kyc.WithCloudEncryption("AES-256-CBC", "not a key"))
	e.add("encryption: bad public key", err)

	var bad []string
	for _, le := range e.errs {
		msg := le.err.Error()
		if !strings.HasPrefix(msg, "kyc: ") || strings.Count(msg, "kyc:") != 1 {
			bad = append(bad, le.label+": "+msg)
		}
	}
	require.Greater(t, len(e.errs), 50)
	require.Empty(t, bad, "%d of %d messages without exactly one leading \"kyc: \"", len(bad), len(e.errs))
}

// failingStore refuses leases with an error that, like the stores of this module, has its own
// "kyc: " prefix.
type failingStore struct {
	*kyc.MemoryStore
}

func (failingStore) Lease(context.Context, string, time.Duration) (kyc.Lease, error) {
	return nil, errors.New("kyc: ticket store: unavailable")
}

// TestWrongCredentialsAndReusedOrderNo: a refused appId or secret matches ErrUnauthorized (not
// ErrInvalidSignature: a new ticket cannot help), and a reused orderNo is named as such.
func TestWrongCredentialsAndReusedOrderNo(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	for _, appID := range []string{srv.AppID, "IDAUNKNOWN"} {
		wrong, err := kyc.New(appID, "not-the-secret", kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
		require.NoError(t, err)
		_, err = wrong.SignTicket(ctx)
		require.ErrorIs(t, err, kyc.ErrUnauthorized)
		require.NotErrorIs(t, err, kyc.ErrInvalidSignature)
		require.Contains(t, err.Error(), "appId or secret refused")
		require.NotContains(t, err.Error(), "not-the-secret")
	}
	// The same refusal code on a signed call is still a signature refusal.
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointFaceIDPlus, Code: "400105"})
	_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user001", Name: testName, IDNo: testIDNo})
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
	require.NotErrorIs(t, err, kyc.ErrUnauthorized)
	srv.ClearFaults()

	orderNo := newOrderNo()
	req := kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo}
	_, err = c.Face.GetFaceID(ctx, req)
	require.NoError(t, err)
	_, err = c.Face.GetFaceID(ctx, req)
	require.ErrorIs(t, err, kyc.ErrBadRequest)
	require.Contains(t, err.Error(), "orderNo used before")
	will := kyc.WillFaceIDRequest{OrderNo: newOrderNo(), UserID: "user001", Name: testName, IDNo: testIDNo,
		Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}}
	_, err = c.Will.GetFaceID(ctx, will)
	require.NoError(t, err)
	_, err = c.Will.GetFaceID(ctx, will)
	require.ErrorIs(t, err, kyc.ErrBadRequest)
	require.Contains(t, err.Error(), "orderNo used before")
	// The same code on a query is not about an orderNo.
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: "400106"})
	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
	require.ErrorIs(t, err, kyc.ErrBadRequest)
	require.NotContains(t, err.Error(), "orderNo used before")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// failingProvider fails with a message of its own that has the prefix, as a provider of this
// module's credentials package would.
type failingProvider struct{}

func (failingProvider) Retrieve(context.Context) (kyc.CloudCredentials, error) {
	return kyc.CloudCredentials{}, errors.New("kyc: credentials: metadata service unavailable")
}

// expiredProvider hands out credentials that expired an hour ago.
type expiredProvider struct{}

func (expiredProvider) Retrieve(context.Context) (kyc.CloudCredentials, error) {
	return kyc.CloudCredentials{SecretID: "AKIDexpired", SecretKey: "key", Token: "tok",
		Expires: time.Now().Add(-time.Hour)}, nil
}
