package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/kycgo/kyc/internal/transport"
	"github.com/kycgo/kyc/internal/wire"
)

// defaultBaseURL is the kyc1 partner API host.
const defaultBaseURL = "https://kyc1.qcloud.com"

// Defaults for the options of New.
const (
	defaultTimeout      = 30 * time.Second // per attempt; results with video can be tens of MB
	defaultAttempts     = 3
	defaultMinBackoff   = 200 * time.Millisecond
	defaultMaxBackoff   = 5 * time.Second
	defaultRefreshAfter = 20 * time.Minute // docs/A-auth-sign-face.md §2.1: refresh every 20 minutes
	defaultMaxBodySize  = 64 << 20         // a 20 MB video is about 27 MB of base64
	defaultStoreRecheck = 15 * time.Second
)

// Clock tells the time. Tests pass a controllable one (kyctest.Clock); the default is time.Now.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Client talks to the kyc1 partner API for one appId and, with WithCloudCredentials (or made by
// NewCloud), to the Tencent Cloud API 3.0 actions (Detect, EID, Billing). It is safe for
// concurrent use; create one per appId and share it.
//
// Make one with New (the WBappid and its secret) or NewCloud (API 3.0 only), with the Options
// (WithTicketStore to share tickets among instances, WithLogger, ...); see the New example. In
// tests, kyctest.Server.ClientOptions points one at the fake service. Close it when done.
type Client struct {
	// Face is face verification: uploads, SDK start values, H5 logins, callbacks, results.
	Face *FaceService
	// OCR is ID-card and bank-card OCR: SDK start values and results (its own appId with
	// WithOCRCredentials).
	OCR *OCRService
	// Will is will verification (意愿核身): upload, SDK start values, H5 login, callback, result.
	Will *WillService
	// NFC is NFC ID-card reading (实证 NFC): ocrCertId, SDK start values, decrypted result.
	NFC *NFCService
	// Detect is the WeChat journeys on API 3.0 (mini program, WeChat H5): DetectAuth mints a
	// BizToken, GetDetectInfoEnhanced reads the result. Needs WithCloudCredentials or NewCloud.
	Detect *DetectService
	// EID is E证通 on API 3.0: GetEidToken, GetEidResult, CheckEidTokenStatus and a wait helper.
	EID *EIDService
	// Billing is the WeChat-channel bill (GetWeChatBillDetails) and its reconciliation.
	Billing *BillingService

	appID string

	baseURL      string
	hc           *http.Client
	log          *slog.Logger
	clock        Clock
	systemClock  bool // clock is the default one: the ticket fast path may use timers
	timeout      time.Duration
	attempts     int
	backoff      transport.Backoff
	budget       *transport.Budget
	maxBody      int64
	refreshAfter time.Duration
	storeRecheck time.Duration
	// refreshTimeout is set by WithRefreshTimeout (refresh.go); 0 means defaultRefreshTimeout.
	refreshTimeout time.Duration
	store          TicketStore
	sharedStore    bool

	sdkLicence licences
	mediaTries int
	mediaWait  time.Duration

	ocrAppID, ocrSecret string // WithOCRCredentials; empty means the client's own
	nfcKey              []byte // WithNFCKey: the SM4 key that decrypts nfcEnResult

	cloud cloudConfig // API 3.0 (cloud.go): credentials, endpoint, region

	obs Observer // WithObserver; nil: no events (observe.go)

	tickets *ticketManager
	primary *appTickets

	// Close (close.go): closed makes later calls fail with ErrClosed; bg ends with Close and
	// bounds the background refreshes and store re-reads, which bgWG counts; ownTransport says
	// the HTTP client is the one New made, whose idle connections Close may close.
	closed       atomic.Bool
	bg           context.Context
	stopBG       context.CancelFunc
	bgMu         sync.Mutex
	bgWG         sync.WaitGroup
	ownTransport bool
}

// New returns a client for appID and its secret. It checks its arguments and options and sends
// nothing.
func New(appID, secret string, opts ...Option) (*Client, error) {
	if err := checkAppID(appID); err != nil {
		return nil, err
	}
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	return newClient(appID, secret, opts)
}

// newClient builds a client; appID and secret are empty for NewCloud (cloud.go).
func newClient(appID, secret string, opts []Option) (*Client, error) {
	c := &Client{
		appID:        appID,
		baseURL:      defaultBaseURL,
		clock:        systemClock{},
		timeout:      defaultTimeout,
		attempts:     defaultAttempts,
		backoff:      transport.Backoff{Min: defaultMinBackoff, Max: defaultMaxBackoff},
		maxBody:      defaultMaxBodySize,
		refreshAfter: defaultRefreshAfter,
		storeRecheck: defaultStoreRecheck,
		mediaTries:   3,
		mediaWait:    2 * time.Second,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, invalidInput("option", "must not be nil")
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	_, c.systemClock = c.clock.(systemClock)
	if c.hc == nil {
		c.hc, c.ownTransport = defaultHTTPClient(), true
	}
	c.hc = transport.WithoutRedirects(c.hc)
	c.bg, c.stopBG = context.WithCancel(context.Background())
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.store == nil {
		c.store = NewMemoryStore()
	}
	c.budget = transport.NewBudget(100, 5)
	c.tickets = newTicketManager(c.ticketConfig())
	c.primary = c.tickets.app(appID, secret)
	c.Face = &FaceService{c: c}
	c.OCR = newOCRService(c)
	c.Will = &WillService{c: c}
	c.NFC = newNFCService(c)
	c.Detect = &DetectService{c: c}
	c.EID = &EIDService{c: c}
	c.Billing = &BillingService{c: c}
	return c, nil
}

// AppID returns the appId the client was made for.
func (c *Client) AppID() string { return c.appID }

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 64
	t.MaxIdleConnsPerHost = 32
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 20 * time.Second
	t.ExpectContinueTimeout = time.Second
	return &http.Client{Transport: t}
}

// request is one logical call on the kyc1 host.
type request struct {
	op      string // signer-table endpoint name, for logs and errors
	method  string
	path    string
	query   any    // a struct with `url` tags, encoded by go-querystring
	body    any    // marshalled to JSON when non-nil
	orderNo string // POSTs carry ?orderNo= as well as the body field (docs/A-auth-sign-face.md §4)
	// mint marks calls that create something (a faceId, an ocrCertId): they are resent only when
	// the first attempt provably never reached the server.
	mint bool
	// topLevel: the answer's fields sit beside "code" (oauth2), not inside "result".
	topLevel bool
	// media, when set, streams the named base64 fields of "result" into writers as the answer
	// arrives, with memory bounded whatever their size. Such a call is resent only while nothing
	// has been written. It is called once the answer's headers are in, with its Content-Length
	// (-1 when unknown).
	media func(contentLength int64) wire.MediaSink
	// verdict: the caller reads a failed answer's result itself when it is a verdict, and
	// completes the *APIError from it otherwise (verdictOrErr): it is not read here, so that
	// the result is decoded once either way.
	verdict bool
	// beforeAttempt, when set, runs before every attempt is sent; its error ends the call
	// unsent and is returned as it is (the NFC query counts its attempts with it).
	beforeAttempt func(ctx context.Context) error
}

// maxEnvelope caps the non-media part of a streamed answer.
const maxEnvelope = 1 << 20

// exchange is the protocol-specific half of one logical call: the kyc1 envelope (kyc1Call) or
// the API 3.0 envelope (cloudCall, cloud.go). The shared half, roundTrip, owns everything
// else: attempts and their timeout, retries with jittered backoff and the retry budget, the
// mint rule, redaction of transport errors and the debug lines.
type exchange interface {
	// newRequest builds one attempt's request, bound to ctx. It runs for every attempt, so
	// per-attempt headers (the TC3 timestamp and signature) are always fresh.
	newRequest(ctx context.Context) (*http.Request, error)
	// readResponse decodes an answer. Its retry says whether sending again may help; the loop
	// never resends a minting call once an answer came back.
	readResponse(resp *http.Response) (answer, error)
}

// answer is what the debug line and the retry decision need from a decoded response.
type answer struct {
	code  string // the service's code, "" when the body was not an answer
	size  int64  // bytes read
	retry bool
}

// roundTrip performs one logical call with retries. mint marks calls that create something (a
// faceId, an ocrCertId, a BizToken, an EidToken): they are resent only when the request
// provably never reached the server.
func (c *Client) roundTrip(ctx context.Context, op string, mint bool, x exchange) (err error) {
	attempt := 1
	if o := c.obs; o != nil { // observe.go; nothing is added to a call without an Observer
		var start time.Time
		ctx, start = callStart(ctx, o, op, x)
		defer func() { callEnd(ctx, o, op, x, attempt, start, err) }()
	}
	for ; ; attempt++ {
		retry, err := c.attempt(ctx, op, mint, x, attempt)
		if err == nil {
			c.budget.Refund()
			return nil
		}
		if !retry || attempt >= c.attempts || ctx.Err() != nil || !c.budget.Take() {
			return err
		}
		if serr := transport.Sleep(ctx, c.backoff.Delay(attempt)); serr != nil {
			return err
		}
	}
}

// attempt sends once. retry says whether sending again is safe and useful.
func (c *Client) attempt(ctx context.Context, op string, mint bool, x exchange, n int) (retry bool, err error) {
	if c.closed.Load() {
		return false, errClosed(op)
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	debug := c.log.Enabled(ctx, slog.LevelDebug)
	// Whether the request was written decides if a minting call may be resent.
	var wrote atomic.Bool
	if mint {
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
		})
	}
	hreq, err := x.newRequest(actx)
	if err != nil {
		return false, err
	}
	start := time.Now()
	resp, err := c.hc.Do(hreq)
	if err != nil {
		err = transport.RedactError(err)
		if debug {
			c.log.DebugContext(ctx, "kyc request failed", "op", op, "attempt", n, "duration", time.Since(start), "sent", wrote.Load())
		}
		// A call that mints something is resent only if the request never left; others always.
		return !mint || !wrote.Load() || isDialError(err), wrapf(err, "%s", op)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// Never followed (see withoutRedirects) and never resent: the request reached something,
		// and a minting call may have minted. The Location is not quoted: it may carry anything.
		if debug {
			c.log.DebugContext(ctx, "kyc response refused: redirect", "op", op, "attempt", n,
				"status", resp.StatusCode, "duration", time.Since(start))
		}
		return false, fmt.Errorf("kyc: %s: %w: HTTP %d redirect refused (redirects are never followed)",
			op, ErrBadResponse, resp.StatusCode)
	}
	a, err := x.readResponse(resp)
	if debug {
		if a.code == "" && err != nil {
			c.log.DebugContext(ctx, "kyc response failed", "op", op, "attempt", n, "status", resp.StatusCode,
				"bytes", a.size, "duration", time.Since(start))
		} else {
			c.log.DebugContext(ctx, "kyc response", "op", op, "attempt", n, "status", resp.StatusCode,
				"code", a.code, "bytes", a.size, "duration", time.Since(start))
		}
	}
	return a.retry && !mint, err
}

// send performs a kyc1 request with retries and decodes the answer into out (the "result"
// object, or the whole answer for topLevel requests). A non-zero code is an *APIError, returned
// with the envelope so that callers can read a verdict's result.
func (c *Client) send(ctx context.Context, req *request, out any) (*wire.Envelope, error) {
	if c.appID == "" {
		return nil, errCloudOnly()
	}
	k := &kyc1Call{c: c, req: req, out: out}
	if req.body != nil {
		var err error
		if p, ok := req.body.(params); ok {
			k.body = p.appendJSON(nil)
		} else if k.body, err = json.Marshal(req.body); err != nil {
			return nil, fmt.Errorf("kyc: %s: encoding request: %w", req.op, err)
		}
	}
	k.target = c.baseURL + req.path
	switch {
	case req.orderNo != "":
		k.target += "?orderNo=" + url.QueryEscape(req.orderNo)
	case req.query != nil:
		q, err := query.Values(req.query)
		if err != nil {
			return nil, fmt.Errorf("kyc: %s: encoding query: %w", req.op, err)
		}
		k.target += "?" + q.Encode()
	}
	err := c.roundTrip(ctx, req.op, req.mint, k)
	return k.env, err
}

// errCloudOnly is what kyc1 calls answer on a client made by NewCloud.
func errCloudOnly() error {
	return &InputError{Field: "appId",
		Reason: "this client was made by NewCloud for the API 3.0 actions only; kyc1 calls need a client from kyc.New(appID, secret)"}
}

// kyc1Call is the kyc1 half of a call: a GET with a query or a POST with a JSON body and
// ?orderNo=, answered by {"code","msg","bizSeqNo","transactionTime","result"}.
type kyc1Call struct {
	c      *Client
	req    *request
	out    any
	target string
	body   []byte
	env    *wire.Envelope // the last attempt's envelope, nil if it had none
}

func (k *kyc1Call) newRequest(ctx context.Context) (*http.Request, error) {
	if k.req.beforeAttempt != nil {
		if err := k.req.beforeAttempt(ctx); err != nil {
			return nil, err
		}
	}
	var rd io.Reader
	if k.body != nil {
		rd = bytes.NewReader(k.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, k.req.method, k.target, rd)
	if err != nil {
		return nil, fmt.Errorf("kyc: %s: %w", k.req.op, transport.RedactError(err))
	}
	if k.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	return hreq, nil
}

func (k *kyc1Call) readResponse(resp *http.Response) (answer, error) {
	c, req, out := k.c, k.req, k.out
	k.env = nil
	env := new(wire.Envelope)
	var a answer
	if req.media != nil && resp.StatusCode == http.StatusOK {
		size, written, err := c.decodeStream(resp.Body, resp.ContentLength, req, env)
		a.size = size
		if err != nil {
			// Resending cannot help when the caller's writer failed or the answer is over the
			// cap (the same answer would come again).
			a.retry = written == 0 && !errors.Is(err, errWriter) && !errors.Is(err, errOverCap)
			return a, err
		}
	} else {
		raw, rerr := transport.ReadCapped(resp.Body, c.maxBody)
		a.size = int64(len(raw))
		if rerr != nil {
			if errors.Is(rerr, transport.ErrBodyTooLarge) {
				return a, fmt.Errorf("kyc: %s: %w: body over %d bytes", req.op, ErrBadResponse, c.maxBody)
			}
			a.retry = true
			return a, fmt.Errorf("kyc: %s: reading response: %w", req.op, transport.RedactError(rerr))
		}
		resultOK, derr := decodeAnswer(raw, env, out, req.topLevel)
		if derr != nil || (env.Code == "" && resp.StatusCode == http.StatusOK) {
			if resp.StatusCode != http.StatusOK {
				a.retry = retryableStatus(resp.StatusCode)
				return a, &APIError{Op: req.op, HTTPStatus: resp.StatusCode}
			}
			a.retry = true
			return a, fmt.Errorf("kyc: %s: %w: not a kyc1 answer (%d bytes)", req.op, ErrBadResponse, len(raw))
		}
		a.code = string(env.Code)
		if out != nil && env.Code.OK() && !resultOK {
			k.env = env
			return a, fmt.Errorf("kyc: %s: %w: answer does not decode", req.op, ErrBadResponse)
		}
		out = nil
	}
	a.code = string(env.Code)
	k.env = env
	if !env.Code.OK() {
		apiErr := c.apiError(req.op, resp.StatusCode, env, req.verdict)
		a.retry = apiErr.Retryable() || retryableStatus(resp.StatusCode)
		return a, apiErr
	}
	if out != nil && env.HasResult() {
		if derr := json.Unmarshal(env.Result, out); derr != nil {
			return a, fmt.Errorf("kyc: %s: %w: result does not decode", req.op, ErrBadResponse)
		}
	}
	return a, nil
}

// decodeAnswer decodes a buffered answer once: the envelope into env, with the result object
// kept as the raw bytes it was (a slice of raw, not a copy), then, for a successful answer
// only, that result into out. A failed answer's result is left raw for apiError, the one
// place that reads it, so no answer is decoded twice and out is never filled from a failed
// one. resultOK reports that out was filled (or that there was no result to fill it with).
// For topLevel calls (oauth2) out is the whole answer and embeds its frame (framed): one
// decode fills both.
func decodeAnswer(raw []byte, env *wire.Envelope, out any, topLevel bool) (resultOK bool, err error) {
	if topLevel {
		f, ok := out.(framed)
		if !ok {
			return false, fmt.Errorf("kyc: internal: a top-level answer must be framed") // a programming error in this package
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return false, err
		}
		*env = *f.frame()
		return true, nil
	}
	var holder struct {
		wire.Envelope
		Result rawResult `json:"result"` // shadows Envelope.Result
	}
	if err := json.Unmarshal(raw, &holder); err != nil {
		return false, err
	}
	*env = holder.Envelope
	env.Result = json.RawMessage(holder.Result)
	if out == nil || !env.Code.OK() || !env.HasResult() {
		return true, nil
	}
	return json.Unmarshal(env.Result, out) == nil, nil
}

// framed is an answer whose fields sit beside the frame's (the oauth2 answers): it embeds the
// frame and hands it out, so that one decode fills both.
type framed interface{ frame() *wire.Envelope }

// rawResult keeps a result object as its bytes, without the copy json.RawMessage makes: the
// slice is of the answer's own buffer, which lives as long as the call.
type rawResult []byte

func (r *rawResult) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

// decodeStream decodes a streamed answer: media to req.media's writers (capped at maxBody in
// all), the rest into env. It returns the bytes read and the media bytes written.
func (c *Client) decodeStream(body io.Reader, contentLength int64, req *request, env *wire.Envelope) (size, written int64, err error) {
	// WithMaxBodySize bounds the bytes read, as on the buffered path; the decoded media are
	// bounded by it too (limitedWriter), and the rest of the answer by maxEnvelope.
	cr := &countingReader{capped: transport.CappedReader{R: body, Left: c.maxBody}}
	limit := &mediaLimit{left: c.maxBody}
	media := req.media(contentLength)
	sink := wire.MediaSink{Fields: map[string]io.Writer{}, Lists: map[string]func(int) (io.Writer, error){}}
	for name, w := range media.Fields {
		sink.Fields[name] = &limitedWriter{w: w, l: limit}
	}
	for name, next := range media.Lists {
		sink.Lists[name] = func(i int) (io.Writer, error) {
			w, err := next(i)
			if err != nil || w == nil {
				return w, err
			}
			return &limitedWriter{w: w, l: limit}, nil
		}
	}
	counts, derr := wire.DecodeStream(cr, sink, min(maxEnvelope, c.maxBody), env)
	for _, n := range counts {
		written += n
	}
	if derr == nil {
		return cr.n, written, nil
	}
	switch {
	case errors.Is(derr, transport.ErrBodyTooLarge):
		return cr.n, written, fmt.Errorf("kyc: %s: %w: %w of %d bytes", req.op, ErrBadResponse, errOverCap, c.maxBody)
	case errors.Is(derr, errMediaTooLarge):
		return cr.n, written, fmt.Errorf("kyc: %s: %w: media %w of %d bytes", req.op, ErrBadResponse, errOverCap, c.maxBody)
	case errors.Is(derr, errWriter):
		return cr.n, written, fmt.Errorf("kyc: %s: %w", req.op, derr)
	case errors.Is(derr, wire.ErrSyntax), errors.Is(derr, wire.ErrTooLarge), errors.Is(derr, wire.ErrBase64),
		errors.Is(derr, wire.ErrType):
		return cr.n, written, fmt.Errorf("kyc: %s: %w: %v", req.op, ErrBadResponse, derr)
	}
	// The body ended early or could not be read (the connection failed, or the context ended
	// mid-body): keep the cause, so errors.Is(err, context.DeadlineExceeded) holds.
	return cr.n, written, fmt.Errorf("kyc: %s: reading response: %w", req.op, transport.RedactError(derr))
}

// countingReader counts the bytes read through its capped reader (held by value: one
// allocation per answer, not two).
type countingReader struct {
	capped transport.CappedReader
	n      int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.capped.Read(p)
	c.n += int64(n)
	return n, err
}

type mediaLimit struct{ left int64 }

// limitedWriter caps the media written across all fields of one answer, and marks the caller's
// own write errors so they are not retried.
type limitedWriter struct {
	w io.Writer
	l *mediaLimit
}

func (lw *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > lw.l.left {
		return 0, errMediaTooLarge
	}
	lw.l.left -= int64(len(p))
	n, err := lw.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("%w: %w", errWriter, err)
	}
	return n, nil
}

// apiError is the *APIError of a failed answer, with the bizSeqNo, orderNo and transactionTime
// its result repeats (addResultMeta) unless the caller reads that result itself (verdict).
func (c *Client) apiError(op string, status int, env *wire.Envelope, verdict bool) *APIError {
	e := &APIError{
		Op:              op,
		Code:            string(env.Code),
		Msg:             env.Msg,
		BizSeqNo:        env.BizSeqNo,
		OrderNo:         env.OrderNo,
		TransactionTime: string(env.TransactionTime),
		HTTPStatus:      status,
	}
	if !verdict {
		addResultMeta(e, env)
	}
	return e
}

// addResultMeta fills what e lacks of the bizSeqNo, orderNo and transactionTime that env's
// result object repeats.
func addResultMeta(e *APIError, env *wire.Envelope) {
	if env.HasResult() && (e.BizSeqNo == "" || e.OrderNo == "") {
		var meta wire.ResultMeta
		if json.Unmarshal(env.Result, &meta) == nil {
			e.BizSeqNo = firstNonEmpty(e.BizSeqNo, meta.BizSeqNo)
			e.OrderNo = firstNonEmpty(e.OrderNo, meta.OrderNo)
			e.TransactionTime = firstNonEmpty(e.TransactionTime, string(meta.TransactionTime))
		}
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// isDialError reports a failure to connect: the request cannot have reached the server.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
