package kyc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// redirectFront serves srv, except that requests whose path ends with one of paths are answered
// with status and a Location on target (same path and query). It counts those requests.
type redirectFront struct {
	srv    *kyctest.Server
	target string
	status int
	paths  []string // "" redirects everything
	hits   atomic.Int64
}

func (f *redirectFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, p := range f.paths {
		if p == "" || strings.HasSuffix(r.URL.Path, p) {
			f.hits.Add(1)
			http.Redirect(w, r, f.target+r.URL.RequestURI(), f.status)
			return
		}
	}
	f.srv.ServeHTTP(w, r)
}

// countingServer counts every request it receives and answers 200 with an empty kyc1 success.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"code":"0","msg":"ok","result":{"faceId":"x"}}`))
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// TestRedirectsAreNeverFollowed: a 3xx answer from the API host (kyc1 and API 3.0) ends the call
// with ErrBadResponse; the Location's host receives nothing (not the secret in the token query,
// not the access token, not the name and ID number of an upload); a minting call is sent once;
// and a client passed with WithHTTPClient is left as it was.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, own := range []bool{false, true} {
			name := http.StatusText(status)
			if own {
				name += "/caller's client"
			}
			t.Run(name, func(t *testing.T) {
				evil, evilHits := countingServer(t)
				srv := kyctest.NewServer()
				t.Cleanup(srv.Close)

				var userHC *http.Client
				var followed atomic.Int64
				opts := []kyc.Option{kyc.WithClock(srv.Clock), kyc.WithRetry(3, time.Millisecond, 2*time.Millisecond)}
				if own {
					userHC = &http.Client{
						Transport: http.DefaultTransport.(*http.Transport).Clone(),
						CheckRedirect: func(*http.Request, []*http.Request) error {
							followed.Add(1)
							return nil // the caller's client would follow
						},
						Timeout: time.Minute,
					}
					opts = append(opts, kyc.WithHTTPClient(userHC))
				}
				var before http.Client
				if own {
					before = *userHC
				}
				newClient := func(front *redirectFront) *kyc.Client {
					fs := httptest.NewServer(front)
					t.Cleanup(fs.Close)
					c, err := kyc.New(srv.AppID, srv.Secret, append([]kyc.Option{kyc.WithBaseURL(fs.URL)}, opts...)...)
					require.NoError(t, err)
					t.Cleanup(func() { c.Close() })
					return c
				}
				ctx := context.Background()

				// The access-token GET carries the secret in its query.
				front := &redirectFront{srv: srv, target: evil.URL, status: status, paths: []string{"/api/oauth2/access_token"}}
				c := newClient(front)
				_, err := c.AccessToken(ctx)
				require.ErrorIs(t, err, kyc.ErrBadResponse)
				require.Contains(t, err.Error(), "redirect")
				require.NotContains(t, err.Error(), evil.URL)
				require.Equal(t, int64(1), front.hits.Load(), "a redirect is not retried")

				// The SIGN-ticket GET carries the access token in its query.
				front = &redirectFront{srv: srv, target: evil.URL, status: status, paths: []string{"/api/oauth2/api_ticket"}}
				c = newClient(front)
				_, err = c.SignTicket(ctx)
				require.ErrorIs(t, err, kyc.ErrBadResponse)
				require.Equal(t, int64(1), front.hits.Load())

				// A minting upload with a name and ID number in its body: sent once.
				front = &redirectFront{srv: srv, target: evil.URL, status: status, paths: []string{"/api/server/getPlusFaceId"}}
				c = newClient(front)
				_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user001",
					Name: testName, IDNo: testIDNo})
				require.ErrorIs(t, err, kyc.ErrBadResponse)
				require.Equal(t, int64(1), front.hits.Load(), "the mint is sent once")

				// API 3.0: DetectAuth mints a BizToken and carries the identity.
				cfront := &redirectFront{srv: srv, target: evil.URL, status: status, paths: []string{""}}
				cs := httptest.NewServer(cfront)
				t.Cleanup(cs.Close)
				cc, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, append([]kyc.Option{kyc.WithCloudEndpoint(cs.URL)}, opts...)...)
				require.NoError(t, err)
				t.Cleanup(func() { cc.Close() })
				_, err = cc.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
				require.ErrorIs(t, err, kyc.ErrBadResponse)
				require.Equal(t, int64(1), cfront.hits.Load(), "the mint is sent once")

				require.Zero(t, evilHits.Load(), "the redirect target received nothing")
				require.Zero(t, followed.Load(), "the caller's CheckRedirect was not consulted")
				if own {
					after := *userHC
					require.Equal(t, reflect.ValueOf(before.CheckRedirect).Pointer(), reflect.ValueOf(after.CheckRedirect).Pointer(),
						"the caller's client keeps its CheckRedirect")
					require.Same(t, before.Transport, after.Transport)
					require.Equal(t, before.Timeout, after.Timeout)
				}
			})
		}
	}
}

// stallServer serves srv except for requests to path: those get a 200 with a Content-Length,
// the first part of a kyc1 answer, and then nothing until the request's context ends. started
// is closed once the part was written.
type stallServer struct {
	srv     *kyctest.Server
	path    string
	started chan struct{}
	once    sync.Once
}

func (s *stallServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, s.path) {
		s.srv.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "100000")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(`{"code":"0","msg":"ok","bizSeqNo":"1","result":{"faceCode":"0","orderNo":"o1","video":"AAAA`))
	http.NewResponseController(w).Flush()
	s.once.Do(func() { close(s.started) })
	<-r.Context().Done()
}

// headerSignal closes headers once a response to a request whose path ends with path has
// returned from the transport: the body has not been read yet.
type headerSignal struct {
	path    string
	headers chan struct{}
	once    sync.Once
}

func (h *headerSignal) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, h.path) {
		h.once.Do(func() { close(h.headers) })
	}
	return resp, err
}

// TestContextErrorsKeepTheirIdentity: a call ended by its context's deadline or cancellation
// while the answer's body is arriving matches context.DeadlineExceeded or context.Canceled, not
// ErrBadResponse: a streamed media query (QueryResultTo) and a buffered call (the token fetch).
func TestContextErrorsKeepTheirIdentity(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	calls := map[string]struct {
		path string
		call func(c *kyc.Client, ctx context.Context) error
	}{
		"streamed": {"/queryfacerecord", func(c *kyc.Client, ctx context.Context) error {
			var video strings.Builder
			_, err := c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: "order001"}, kyc.FaceWriters{Video: &video})
			return err
		}},
		"buffered": {"/access_token", func(c *kyc.Client, ctx context.Context) error {
			_, err := c.AccessToken(ctx)
			return err
		}},
	}
	// Each case gets its own stalling front and client, so no signal crosses cases.
	setup := func(t *testing.T, path string) (*kyc.Client, chan struct{}) {
		fs := httptest.NewServer(&stallServer{srv: srv, path: path, started: make(chan struct{})})
		t.Cleanup(fs.Close)
		sig := &headerSignal{path: path, headers: make(chan struct{})}
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(fs.URL), kyc.WithClock(srv.Clock),
			kyc.WithRetry(3, time.Millisecond, 2*time.Millisecond), kyc.WithHTTPClient(&http.Client{Transport: sig}))
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		if path != "/access_token" {
			_, err = c.SignTicket(context.Background()) // tickets first: the context is for the query
			require.NoError(t, err)
		}
		return c, sig.headers
	}
	for name, tc := range calls {
		t.Run(name+"/deadline", func(t *testing.T) {
			c, _ := setup(t, tc.path)
			// The server stalls until the request ends, so only the deadline can end the call.
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := tc.call(c, ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded, "%v", err)
			require.NotErrorIs(t, err, kyc.ErrBadResponse)
		})
		t.Run(name+"/cancel", func(t *testing.T) {
			c, headers := setup(t, tc.path)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-headers // the answer's headers are in, its body is not: cancel mid-body
				cancel()
			}()
			err := tc.call(c, ctx)
			require.ErrorIs(t, err, context.Canceled, "%v", err)
			require.NotErrorIs(t, err, kyc.ErrBadResponse)
		})
	}
}

// TestCloseEndsEverything: Close stops the background refresh in flight and the ticket timers,
// closes the idle connections of the transport New made, and later calls fail with ErrClosed;
// the goroutine count returns to what it was before the client existed.
func TestCloseEndsEverything(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	baseline := runtime.NumGoroutine()

	// A system-clock client arms the fast-path timer; a test-clock one is pushed into a
	// background refresh that the service answers slowly.
	sys, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = sys.SignTicket(ctx)
	require.NoError(t, err)
	_, err = sys.SignTicket(ctx) // fast path, timer armed
	require.NoError(t, err)

	// Its transport holds token fetches until their context ends: only Close can end the refresh.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	held := make(chan struct{}, 10)
	var fetches atomic.Int64
	hold := rtFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/access_token") && fetches.Add(1) > 1 {
			held <- struct{}{}
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		return tr.RoundTrip(r)
	})
	clk, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithRefreshAfter(time.Minute), kyc.WithRefreshTimeout(5*time.Minute), kyc.WithTimeout(5*time.Minute),
		kyc.WithHTTPClient(&http.Client{Transport: hold}))
	require.NoError(t, err)
	_, err = clk.SignTicket(ctx)
	require.NoError(t, err)
	srv.Clock.Advance(2 * time.Minute)
	_, err = clk.SignTicket(ctx) // past refreshAt: starts a background refresh, serves the current unit
	require.NoError(t, err)
	<-held // the background refresh is in flight

	require.NoError(t, sys.Close())
	// The refresh in flight would last minutes: Close must end it, not wait it out.
	closed := make(chan error, 1)
	go func() { closed <- clk.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not end the background refresh")
	}
	require.NoError(t, clk.Close(), "Close twice is fine")
	tr.CloseIdleConnections() // the caller's transport is the caller's to close

	// Goroutines wind down asynchronously (server connections see the close): poll, bounded.
	var now int
	for i := 0; i < 500; i++ {
		if now = runtime.NumGoroutine(); now <= baseline {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, now, baseline, "goroutines left after Close")

	for _, c := range []*kyc.Client{sys, clk} {
		_, err = c.SignTicket(ctx)
		require.ErrorIs(t, err, kyc.ErrClosed)
		_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "order001", Media: kyc.NoMedia})
		require.ErrorIs(t, err, kyc.ErrClosed)
		_, err = c.NonceTicket(ctx, "user001")
		require.ErrorIs(t, err, kyc.ErrClosed)
	}
	require.Equal(t, int64(2), fetches.Load(), "nothing sent after Close")
}

// TestCloseLeavesTheCallersTransport: Close does not close the connections of a client passed
// with WithHTTPClient; the caller may still use it.
func TestCloseLeavesTheCallersTransport(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	closed := &closeCounter{RoundTripper: http.DefaultTransport.(*http.Transport).Clone()}
	hc := &http.Client{Transport: closed}
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.SignTicket(context.Background())
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.Zero(t, closed.n.Load(), "the caller's idle connections were closed")
	_, err = c.AccessToken(context.Background())
	require.True(t, errors.Is(err, kyc.ErrClosed))
}

type closeCounter struct {
	http.RoundTripper
	n atomic.Int64
}

func (c *closeCounter) CloseIdleConnections() { c.n.Add(1) }

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRetryBudgetBoundsAnOutage: against a service that answers 999999 to everything, N calls
// with 3 attempts each send at most N first attempts plus what the retry budget allows (100
// tokens, 5 a retry: 20 retries), not 3N requests.
func TestRetryBudgetBoundsAnOutage(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: "999999"})
	const calls = 40
	for range calls {
		_, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "order001", Media: kyc.NoMedia})
		require.ErrorIs(t, err, kyc.ErrBusy)
	}
	sent := srv.Requests(kyctest.EndpointQueryFaceRecord)
	require.GreaterOrEqual(t, sent, calls+1, "the budget allows some retries")
	require.LessOrEqual(t, sent, calls+100/5, "retries beyond the budget (3 attempts a call would be %d)", 3*calls)
}

// TestKYC1AnswersAreCapped: with WithMaxBodySize(1024) a 2 KB kyc1 answer ends in ErrBadResponse,
// on the buffered path (the token fetch) and the streamed one (the result query, whose large
// part here is not media), and is not fetched again.
func TestKYC1AnswersAreCapped(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	pad := strings.Repeat("x", 2048)
	answers := map[string][]byte{
		"/access_token":    []byte(`{"code":"0","msg":"` + pad + `","access_token":"tok","expire_in":7200}`),
		"/queryfacerecord": []byte(`{"code":"0","msg":"` + pad + `","result":{"orderNo":"order001","liveRate":"99"}}`),
	}
	for path, answer := range answers {
		t.Run(path, func(t *testing.T) {
			var hits atomic.Int64
			fs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, path) {
					hits.Add(1)
					w.Header().Set("Content-Type", "application/json")
					w.Write(answer)
					return
				}
				srv.ServeHTTP(w, r)
			}))
			t.Cleanup(fs.Close)
			c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(fs.URL), kyc.WithClock(srv.Clock),
				kyc.WithMaxBodySize(1024), kyc.WithRetry(3, time.Millisecond, 2*time.Millisecond))
			require.NoError(t, err)
			t.Cleanup(func() { c.Close() })
			if path == "/access_token" {
				_, err = c.AccessToken(ctx)
			} else {
				_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "order001", Media: kyc.NoMedia})
			}
			require.ErrorIs(t, err, kyc.ErrBadResponse)
			require.Contains(t, err.Error(), "1024 bytes")
			require.Equal(t, int64(1), hits.Load(), "an answer over the cap is not fetched again")
		})
	}
}

// TestKYC1MintsAreNeverResent: for every kyc1 call that mints something, a connection dropped
// after the request was written ends the call with an error after exactly one request.
func TestKYC1MintsAreNeverResent(t *testing.T) {
	srv, c := newPair(t, kyc.WithNFCKey("00112233445566778899AABBCCDDEEFF"))
	ctx := context.Background()
	_, err := c.SignTicket(ctx) // warm: the uploads below reuse a kept-alive connection
	require.NoError(t, err)
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("an invented photo, not a face")...) // a JPEG's first bytes
	mints := map[string]func() error{
		kyctest.EndpointFaceIDPlus: func() error {
			_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user001", Name: testName, IDNo: testIDNo})
			return err
		},
		kyctest.EndpointFaceIDEnhanced: func() error {
			_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: newOrderNo(), UserID: "user001", Name: testName, IDNo: testIDNo})
			return err
		},
		kyctest.EndpointFaceIDBasic: func() error {
			_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Basic, OrderNo: newOrderNo(), UserID: "user001", Name: testName, IDNo: testIDNo})
			return err
		},
		kyctest.EndpointFaceIDPC: func() error {
			_, err := c.Face.GetPCFaceID(ctx, kyc.PCFaceIDRequest{OrderNo: newOrderNo(), UserID: "user001", Photo: photo, PhotoType: kyc.PhotoHD})
			return err
		},
		kyctest.EndpointWillFaceID: func() error {
			_, err := c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: newOrderNo(), UserID: "user001", Name: testName, IDNo: testIDNo,
				Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}})
			return err
		},
		kyctest.EndpointNFCCertID: func() error {
			_, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: newOrderNo(), UserID: "user001", CardType: kyc.NFCIDCard})
			return err
		},
	}
	for ep, mint := range mints {
		t.Run(ep, func(t *testing.T) {
			require.NoError(t, mint(), "the call works without the fault")
			srv.ResetCounts()
			srv.Fail(kyctest.Fault{Endpoint: ep, Drop: true})
			t.Cleanup(srv.ClearFaults)
			err := mint()
			require.Error(t, err)
			require.Equal(t, 1, srv.Requests(ep), "a mint that may have reached the service is never resent")
		})
	}
}
