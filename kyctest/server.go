// Package kyctest is a fake kyc1 service (https://kyc1.qcloud.com) for tests that must run
// offline: an httptest server that issues access tokens and SIGN/NONCE tickets with the real
// lifetimes on a controllable Clock, applies the one-minute overlap when a token is replaced,
// enforces NONCE single use, counts requests and injects faults.
//
//	srv := kyctest.NewServer()
//	defer srv.Close()
//	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
//
// The Tencent Cloud API 3.0 actions of the WeChat and eID channels (DetectAuth, GetDetectInfoEnhanced,
// GetDetectInfo, GetEidToken, GetEidResult, CheckEidTokenStatus, GetWeChatBillDetails) are served at
// POST / with TC3 signatures checked against SecretID and SecretKey (cloud.go, with the fake's
// own TC3 verifier); ClientOptions points a client's API 3.0 calls here too.
//
// It also serves face verification (face.go, h5.go): the Plus, Enhanced, Basic and PC-H5 uploads
// mint a faceId (5 minutes on the Clock) per orderNo; a test decides the outcome with Complete, or
// a person picks it on the H5 login page (a plain HTML form, no script), which redirects to the
// partner url with the signed callback parameters; queryfacerecord and queryphotoinfo then answer
// the verdict, with deterministic fake media, for 3 days. Every signature is checked with the
// fake's own signer table (signer.go, written from the manual, not taken from the SDK) and a bad one
// answers 400101. StartSDK plays the App SDK's login with the start values an app is given; it and
// the H5, PC and will login pages refuse a faceId presented with another orderNo, userId or SDK
// (400106).
//
// Drivers play the user's side for tests of partner code, with no HTML to read (drivers.go):
// FinishH5 and FinishWillH5 follow an H5 login URL as a browser and return the signed partner
// callback URL; PlaySDK, PlayWillSDK, PlayIDCardOCRSDK, PlayBankCardOCRSDK and PlayNFCSDK play
// the App SDKs from the start values a backend made. Outcomes are the typed constants Outcome
// and WillOutcome; the simulator pages offer exactly these.
//
// The uploads answer optimalDomain = the server's own host:port (plain http, no scheme), so a login
// URL built on it comes back here; clients should use the scheme of their base URL with it.
//
// Nothing it logs or returns as an error contains a secret, a token, a ticket, a name or an ID
// number.
package kyctest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// DefaultAppID is the id of the app every Server registers (an invented WBappid).
const DefaultAppID = "IDAKYCT1"

// Default lifetimes (docs/A-auth-sign-face.md §2.1-2.3).
const (
	DefaultTokenLifetime       = 7200 * time.Second
	DefaultSignTicketLifetime  = 3600 * time.Second
	DefaultNonceTicketLifetime = 120 * time.Second
	// DefaultOverlap is how long a replaced token, and the SIGN tickets replaced with it, keep
	// working ("旧的只有一分钟的并存期", docs/A-auth-sign-face.md §2.1).
	DefaultOverlap = 60 * time.Second
)

// Server is a running fake kyc1 service. Its exported fields are set by NewServer and must not
// be changed afterwards.
type Server struct {
	URL    string // base URL, e.g. http://127.0.0.1:port (loopback only)
	AppID  string // the default app: DefaultAppID unless WithApp gave it a secret
	Secret string // the default app's secret: random per server unless WithApp set it
	Clock  *Clock // the clock every lifetime is judged on

	// SecretID and SecretKey sign the API 3.0 actions (cloud.go): the first pair given to
	// WithCloudCredentials, or a random pair.
	SecretID  string
	SecretKey string

	cfg    config
	ts     *httptest.Server
	routes map[string][]*route // by path; written only before the server starts
	closed chan struct{}       // closed by Close: ends fault latencies
	once   sync.Once

	mu       sync.Mutex // guards apps, orders and sessions
	apps     map[string]*app
	orders   map[orderKey]*order   // face orders by appId and orderNo (face.go)
	sessions map[string]*h5Session // H5 pages waiting for an outcome, by form token (h5.go)
	domain   string                // host:port of the listener: the optimalDomain of every upload
	ocr      *ocrState             // OCR results (ocr.go)
	will     *willState            // will orders and their H5 pages (will.go)
	nfc      *nfcState             // NFC reads (nfc.go)
	cloud    *cloudState           // API 3.0 actions (cloud.go)
	sts      *stsState             // temporary credentials: AssumeRole, CVM role (cloud_sts.go)

	statsMu sync.Mutex // guards counts, total and faults
	counts  map[string]int
	total   int
	faults  []*activeFault
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	clock                                   *Clock
	apps                                    []appSecret
	tokenLife, signLife, nonceLife, overlap time.Duration
	numeric                                 bool
	photoBytes, videoBytes, mediaDelay      int // fake media (face.go)
	listener                                net.Listener
	nfcKey                                  []byte      // WithNFCKey (nfc.go)
	cloud                                   cloudConfig // WithCloudCredentials, WithRule, WithBillPageSize (cloud.go)
}

type appSecret struct{ id, secret string }

// WithClock makes the server judge lifetimes on c, so that a test can share one clock between
// servers and clients. A nil c is ignored.
func WithClock(c *Clock) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// WithApp registers an app (OCR may use its own appId); its tokens and tickets are separate from
// every other app's. Registering DefaultAppID sets the default app's secret. An empty appID or
// secret is a programming error and makes NewServer panic.
func WithApp(appID, secret string) Option {
	return func(cfg *config) { cfg.apps = append(cfg.apps, appSecret{appID, secret}) }
}

// WithLifetimes sets the lifetimes of access tokens, SIGN tickets and NONCE tickets, and the
// overlap a replaced token keeps; zero (or negative) keeps the default (7200 s, 3600 s, 120 s,
// 60 s).
func WithLifetimes(token, signTicket, nonceTicket, overlap time.Duration) Option {
	return func(cfg *config) {
		set := func(dst *time.Duration, d time.Duration) {
			if d > 0 {
				*dst = d
			}
		}
		set(&cfg.tokenLife, token)
		set(&cfg.signLife, signTicket)
		set(&cfg.nonceLife, nonceTicket)
		set(&cfg.overlap, overlap)
	}
}

// WithNumericFields makes the server send "code" and "expire_in" as JSON numbers instead of
// strings; the real service does both (docs/README.md, "Endpoint catalogue").
func WithNumericFields() Option {
	return func(cfg *config) { cfg.numeric = true }
}

// WithListener serves on l (for instance a fixed address for front-end work, as `kyc fake
// --addr` does) instead of a random loopback port. The server closes l on Close.
func WithListener(l net.Listener) Option {
	return func(cfg *config) { cfg.listener = l }
}

// NewServer starts a fake kyc1 service on a loopback port. Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		tokenLife: DefaultTokenLifetime,
		signLife:  DefaultSignTicketLifetime,
		nonceLife: DefaultNonceTicketLifetime,
		overlap:   DefaultOverlap,

		photoBytes: DefaultPhotoBytes,
		videoBytes: DefaultVideoBytes,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = NewClock()
	}
	s := &Server{
		AppID:  DefaultAppID,
		Secret: randomString(40, alnum),
		Clock:  cfg.clock,
		cfg:    cfg,
		routes: make(map[string][]*route),
		closed: make(chan struct{}),
		apps:   make(map[string]*app),
		counts: make(map[string]int),

		orders:   make(map[orderKey]*order),
		sessions: make(map[string]*h5Session),
	}
	s.apps[s.AppID] = &app{id: s.AppID, secret: s.Secret}
	for _, a := range cfg.apps {
		if a.id == "" || a.secret == "" {
			panic("kyctest: WithApp needs a non-empty appID and secret")
		}
		if a.id == s.AppID {
			s.Secret = a.secret
		}
		s.apps[a.id] = &app{id: a.id, secret: a.secret}
	}

	s.registerOAuth()
	s.registerFace()
	s.registerH5()
	s.registerOCR()
	s.registerWill()
	s.registerNFC()
	s.registerSTS()
	s.registerCloud()

	s.ts = httptest.NewUnstartedServer(s)
	if cfg.listener != nil {
		s.ts.Listener.Close()
		s.ts.Listener = cfg.listener
	}
	s.domain = s.ts.Listener.Addr().String()
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// Close ends pending fault latencies, then shuts the server down and waits for requests in
// flight to finish.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed) })
	s.ts.Close()
}

// route is one endpoint of the fake service.
type route struct {
	endpoint string
	method   string
	when     func(*http.Request) bool // nil: every request to the path
	h        http.HandlerFunc
	code     func(w http.ResponseWriter, code string) // answers a Fault.Code; nil: the kyc1 envelope
}

// handleRow registers h as endpoint (an Endpoint* name) at the method and path of its row in the
// fake's signer table (signer.go).
func (s *Server) handleRow(endpoint string, h func(w http.ResponseWriter, r *http.Request)) {
	r := row(endpoint)
	s.handle(endpoint, r.method, r.path, h)
}

// handle registers h as endpoint (an Endpoint* name) at method and path. Every request is
// counted under endpoint and passed through the faults before h sees it. Call it only from
// NewServer, before the server starts.
func (s *Server) handle(endpoint, method, path string, h func(w http.ResponseWriter, r *http.Request)) {
	s.handleWhen(endpoint, method, path, nil, h)
}

// handleWhen is handle for endpoints that share a path (api_ticket serves both SIGN and NONCE):
// the first route registered for the path whose when accepts the request serves it.
func (s *Server) handleWhen(endpoint, method, path string, when func(*http.Request) bool, h func(w http.ResponseWriter, r *http.Request)) {
	s.routes[path] = append(s.routes[path], &route{endpoint: endpoint, method: method, when: when, h: h})
}

// match finds the route for r, preferring one whose method matches.
func (s *Server) match(r *http.Request) *route {
	var found *route
	for _, rt := range s.routes[r.URL.Path] {
		if rt.when != nil && !rt.when(r) {
			continue
		}
		if rt.method == r.Method {
			return rt
		}
		if found == nil {
			found = rt
		}
	}
	return found
}

// ServeHTTP counts the request, applies the faults that match it, then serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := s.match(r)
	s.count(rt)
	if rt == nil {
		http.NotFound(w, r)
		return
	}
	if s.applyFaults(w, r, rt) {
		return
	}
	s.serve(w, r, rt)
}

// serve runs the route's handler once the faults have let the request through.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *route) {
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	rt.h(w, r)
}

func (s *Server) count(rt *route) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.total++
	if rt != nil {
		s.counts[rt.endpoint]++
	}
}

// Requests returns how many requests arrived for an endpoint name (EndpointAccessToken,
// EndpointSignTicket, EndpointNonceTicket, ...), faulted ones included.
func (s *Server) Requests(endpoint string) int {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.counts[endpoint]
}

// TotalRequests returns how many requests arrived at all, including ones for unknown paths.
func (s *Server) TotalRequests() int {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.total
}

// ResetCounts sets every request counter back to zero.
func (s *Server) ResetCounts() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	clear(s.counts)
	s.total = 0
}
