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
	"strings"
	"sync/atomic"
	"time"

	"github.com/kycgo/kyc/internal/transport"
	"github.com/kycgo/kyc/internal/wire"
)

// DefaultBaseURL is the kyc1 partner API host.
const DefaultBaseURL = "https://kyc1.qcloud.com"

// Defaults for the options of New.
const (
	DefaultTimeout      = 30 * time.Second // per attempt; results with video can be tens of MB
	DefaultAttempts     = 3
	DefaultMinBackoff   = 200 * time.Millisecond
	DefaultMaxBackoff   = 5 * time.Second
	DefaultRefreshAfter = 20 * time.Minute // spec A 2.1: refresh every 20 minutes
	DefaultMaxBodySize  = 64 << 20         // a 20 MB video is about 27 MB of base64
	DefaultStoreRecheck = 15 * time.Second
)

// Clock tells the time. Tests pass a controllable one (kyctest.Clock); the default is time.Now.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Client talks to the kyc1 partner API for one appId. It is safe for concurrent use; create one
// per appId and share it.
type Client struct {
	// Face is face verification: uploads, SDK start values, H5 logins, callbacks, results.
	Face *FaceService

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
	store        TicketStore
	sharedStore  bool

	sdkLicence string
	mediaTries int
	mediaWait  time.Duration

	tickets *ticketManager
	primary *appTickets
}

// Option configures a Client. Options are checked by New, which reports the first bad one.
type Option func(*Client) error

// WithBaseURL sets the kyc1 host (default https://kyc1.qcloud.com), e.g. a kyctest server's URL.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidInput("base URL", "must be an absolute http or https URL")
		}
		if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return invalidInput("base URL", "must not carry a query, fragment or user info")
		}
		c.baseURL = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client. Its Timeout should be zero or generous: each attempt is
// bounded by WithTimeout instead.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return invalidInput("HTTP client", "must not be nil")
		}
		c.hc = hc
		return nil
	}
}

// WithTimeout bounds each attempt of each call (default 30 s). The caller's context bounds the
// whole call, retries included.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return invalidInput("timeout", "must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithRetry sets how many attempts a retryable call gets (at least 1; default 3) and the bounds of
// the jittered exponential backoff between them (default 200 ms to 5 s).
func WithRetry(attempts int, minBackoff, maxBackoff time.Duration) Option {
	return func(c *Client) error {
		if attempts < 1 || attempts > 10 {
			return invalidInput("retry attempts", "must be between 1 and 10")
		}
		if minBackoff <= 0 || maxBackoff < minBackoff {
			return invalidInput("retry backoff", "needs 0 < min <= max")
		}
		c.attempts, c.backoff = attempts, transport.Backoff{Min: minBackoff, Max: maxBackoff}
		return nil
	}
}

// WithLogger sets where debug lines go. They carry metadata only (endpoint, status, code,
// attempt, duration, sizes), never a value that was sent or received.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return invalidInput("logger", "must not be nil")
		}
		c.log = l
		return nil
	}
}

// WithTicketStore shares the access token and SIGN ticket through store (default: a private
// MemoryStore). Every process and instance that uses one appId must share one store: a token
// fetch cuts the previous token's life to about a minute (spec A 2.1).
func WithTicketStore(store TicketStore) Option {
	return func(c *Client) error {
		if store == nil {
			return invalidInput("ticket store", "must not be nil")
		}
		c.store, c.sharedStore = store, true
		return nil
	}
}

// WithClock sets the clock used to judge ticket lifetimes (tests use kyctest's clock).
func WithClock(clock Clock) Option {
	return func(c *Client) error {
		if clock == nil {
			return invalidInput("clock", "must not be nil")
		}
		c.clock = clock
		return nil
	}
}

// WithRefreshAfter sets the age at which the ticket unit is refreshed in the background (default
// 20 minutes, as the manual recommends). It must be under the SIGN ticket's 60 minutes.
func WithRefreshAfter(d time.Duration) Option {
	return func(c *Client) error {
		if d < time.Second || d >= time.Hour {
			return invalidInput("refresh interval", "must be at least 1 s and under 60 minutes")
		}
		c.refreshAfter = d
		return nil
	}
}

// WithMaxBodySize caps how many bytes of a response are read (default 64 MiB).
func WithMaxBodySize(n int64) Option {
	return func(c *Client) error {
		if n < 1024 {
			return invalidInput("max body size", "must be at least 1024 bytes")
		}
		c.maxBody = n
		return nil
	}
}

// WithStoreRecheck sets how often a client that shares a TicketStore re-reads it to adopt a unit
// another instance fetched (default 15 s, well inside the one-minute overlap).
func WithStoreRecheck(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 || d > 50*time.Second {
			return invalidInput("store recheck interval", "must be positive and at most 50 s")
		}
		c.storeRecheck = d
		return nil
	}
}

// WithSDKLicence adds the SDK licence from the console (keyLicence / licence, bound to the App's
// bundle id) to the start values returned for the apps.
func WithSDKLicence(licence string) Option {
	return func(c *Client) error {
		if licence == "" || strings.ContainsAny(licence, " \t\r\n") {
			return invalidInput("licence", "must be the licence string from the console")
		}
		c.sdkLicence = licence
		return nil
	}
}

// WithMediaWait sets how the media wait helpers poll for a photo or video that is not there yet:
// tries queries, interval apart (default 3 tries, 2 s apart, as the manual advises).
func WithMediaWait(tries int, interval time.Duration) Option {
	return func(c *Client) error {
		if tries < 1 || tries > 20 || interval < 0 || interval > time.Minute {
			return invalidInput("media wait", "needs 1-20 tries and an interval of at most a minute")
		}
		c.mediaTries, c.mediaWait = tries, interval
		return nil
	}
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
	c := &Client{
		appID:        appID,
		baseURL:      DefaultBaseURL,
		clock:        systemClock{},
		timeout:      DefaultTimeout,
		attempts:     DefaultAttempts,
		backoff:      transport.Backoff{Min: DefaultMinBackoff, Max: DefaultMaxBackoff},
		maxBody:      DefaultMaxBodySize,
		refreshAfter: DefaultRefreshAfter,
		storeRecheck: DefaultStoreRecheck,
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
		c.hc = defaultHTTPClient()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.store == nil {
		c.store = NewMemoryStore()
	}
	c.budget = transport.NewBudget(100, 5)
	c.tickets = newTicketManager(c)
	c.primary = c.tickets.app(appID, secret)
	c.Face = &FaceService{c: c}
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

func checkAppID(appID string) error {
	switch {
	case appID == "":
		return invalidInput("appId", "must not be empty")
	case len(appID) > 32 || !isAlnum(appID):
		return invalidInput("appId", "must be up to 32 letters and digits")
	}
	return nil
}

func checkSecret(secret string) error {
	switch {
	case secret == "":
		return invalidInput("secret", "must not be empty")
	case len(secret) > 128 || strings.ContainsAny(secret, " \t\r\n"):
		return invalidInput("secret", "must be at most 128 characters without spaces")
	}
	return nil
}

// checkUserID applies the manual's rule for userId / user_id: at most 32 characters and "no
// special characters" (spec A 2.3). Read strictly: ASCII letters and digits only, which is the
// reading that cannot be refused by the service.
func checkUserID(userID string) error {
	switch {
	case userID == "":
		return invalidInput("userId", "must not be empty")
	case len(userID) > 32:
		return invalidInput("userId", "must be at most 32 characters")
	case !isAlnum(userID):
		return invalidInput("userId", "must contain only ASCII letters and digits")
	}
	return nil
}

// request is one logical call on the kyc1 host.
type request struct {
	op      string // signer-table endpoint name, for logs and errors
	method  string
	path    string
	query   url.Values
	body    any    // marshalled to JSON when non-nil
	orderNo string // POSTs carry ?orderNo= as well as the body field (spec A 4)
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
}

// maxEnvelope caps the non-media part of a streamed answer.
const maxEnvelope = 1 << 20

// send performs req with retries and decodes the answer into out (the "result" object, or the
// whole answer for topLevel requests). A non-zero code is an *APIError, returned with the
// envelope so that callers can read a verdict's result.
func (c *Client) send(ctx context.Context, req *request, out any) (*wire.Envelope, error) {
	var body []byte
	if req.body != nil {
		var err error
		if p, ok := req.body.(params); ok {
			body = p.appendJSON(nil)
		} else if body, err = json.Marshal(req.body); err != nil {
			return nil, fmt.Errorf("kyc: %s: encoding request: %w", req.op, err)
		}
	}
	target := c.baseURL + req.path
	switch {
	case req.orderNo != "":
		target += "?orderNo=" + url.QueryEscape(req.orderNo)
	case len(req.query) > 0:
		target += "?" + req.query.Encode()
	}
	for attempt := 1; ; attempt++ {
		env, retry, err := c.attempt(ctx, req, target, body, out, attempt)
		if err == nil {
			c.budget.Refund()
			return env, nil
		}
		if !retry || attempt >= c.attempts || ctx.Err() != nil || !c.budget.Take() {
			return env, err
		}
		if serr := transport.Sleep(ctx, c.backoff.Delay(attempt)); serr != nil {
			return env, err
		}
	}
}

// attempt sends once. retry says whether sending again is safe and useful.
func (c *Client) attempt(ctx context.Context, req *request, target string, body []byte, out any, n int) (env *wire.Envelope, retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	debug := c.log.Enabled(ctx, slog.LevelDebug)
	// Whether the request was written decides if a minting call may be resent.
	var wrote atomic.Bool
	if req.mint {
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
		})
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(actx, req.method, target, rd)
	if err != nil {
		return nil, false, fmt.Errorf("kyc: %s: %w", req.op, transport.RedactError(err))
	}
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	hreq.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.hc.Do(hreq)
	if err != nil {
		err = transport.RedactError(err)
		if debug {
			c.log.DebugContext(ctx, "kyc request failed", "op", req.op, "attempt", n, "duration", time.Since(start), "sent", wrote.Load())
		}
		// A call that mints something is resent only if the request never left; others always.
		return nil, !req.mint || !wrote.Load() || isDialError(err), fmt.Errorf("kyc: %s: %w", req.op, err)
	}
	defer resp.Body.Close()
	env = new(wire.Envelope)
	var size int64
	if req.media != nil && resp.StatusCode == http.StatusOK {
		var written int64
		size, written, err = c.decodeStream(resp.Body, resp.ContentLength, req, env)
		if err != nil {
			if debug {
				c.log.DebugContext(ctx, "kyc response failed", "op", req.op, "attempt", n, "status", resp.StatusCode, "duration", time.Since(start))
			}
			return nil, !req.mint && written == 0 && !errors.Is(err, errWriter), err
		}
	} else {
		raw, rerr := transport.ReadCapped(resp.Body, c.maxBody)
		size = int64(len(raw))
		if rerr != nil {
			if errors.Is(rerr, transport.ErrBodyTooLarge) {
				return nil, false, fmt.Errorf("kyc: %s: %w: body over %d bytes", req.op, ErrBadResponse, c.maxBody)
			}
			return nil, !req.mint, fmt.Errorf("kyc: %s: reading response: %w", req.op, transport.RedactError(rerr))
		}
		resultOK, derr := decodeAnswer(raw, env, out, req.topLevel)
		if derr != nil || (env.Code == "" && resp.StatusCode == http.StatusOK) {
			if debug {
				c.log.DebugContext(ctx, "kyc response", "op", req.op, "attempt", n, "status", resp.StatusCode, "bytes", size, "duration", time.Since(start))
			}
			if resp.StatusCode != http.StatusOK {
				return nil, !req.mint && retryableStatus(resp.StatusCode), &APIError{Op: req.op, HTTPStatus: resp.StatusCode}
			}
			return nil, !req.mint, fmt.Errorf("kyc: %s: %w: not a kyc1 answer (%d bytes)", req.op, ErrBadResponse, len(raw))
		}
		if out != nil && env.Code.OK() && !resultOK {
			return env, false, fmt.Errorf("kyc: %s: %w: answer does not decode", req.op, ErrBadResponse)
		}
		out = nil
	}
	if debug {
		c.log.DebugContext(ctx, "kyc response", "op", req.op, "attempt", n, "status", resp.StatusCode,
			"code", string(env.Code), "bytes", size, "duration", time.Since(start))
	}
	if !env.Code.OK() {
		apiErr := c.apiError(req.op, resp.StatusCode, env)
		return env, !req.mint && (apiErr.Retryable() || retryableStatus(resp.StatusCode)), apiErr
	}
	if out != nil && env.HasResult() {
		if derr := json.Unmarshal(env.Result, out); derr != nil {
			return env, false, fmt.Errorf("kyc: %s: %w: result does not decode", req.op, ErrBadResponse)
		}
	}
	return env, false, nil
}

// decodeAnswer decodes a buffered answer: the envelope into env and, for a successful answer,
// its payload into out (the "result" object, or the whole answer for oauth2 calls) in the same
// pass. resultOK reports that out was filled. Unsuccessful or odd answers are decoded again with
// the result kept raw in env.Result.
func decodeAnswer(raw []byte, env *wire.Envelope, out any, topLevel bool) (resultOK bool, err error) {
	if out != nil && !topLevel {
		holder := struct {
			wire.Envelope
			Result any `json:"result"`
		}{Result: out}
		if json.Unmarshal(raw, &holder) == nil && holder.Code.OK() {
			*env = holder.Envelope
			return true, nil
		}
	}
	*env = wire.Envelope{}
	if err := json.Unmarshal(raw, env); err != nil {
		return false, err
	}
	if out != nil && topLevel && env.Code.OK() {
		return json.Unmarshal(raw, out) == nil, nil
	}
	return false, nil
}

// errWriter marks a failure of the caller's writer: resending would not help.
var errWriter = errors.New("kyc: writing media")

// decodeStream decodes a streamed answer: media to req.media's writers (capped at maxBody in
// all), the rest into env. It returns the bytes read and the media bytes written.
func (c *Client) decodeStream(body io.Reader, contentLength int64, req *request, env *wire.Envelope) (size, written int64, err error) {
	cr := &countingReader{r: body}
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
	counts, derr := wire.DecodeStream(cr, sink, maxEnvelope, env)
	for _, n := range counts {
		written += n
	}
	if derr == nil {
		return cr.n, written, nil
	}
	switch {
	case errors.Is(derr, errMediaTooLarge):
		return cr.n, written, fmt.Errorf("kyc: %s: %w: media over %d bytes", req.op, ErrBadResponse, c.maxBody)
	case errors.Is(derr, errWriter):
		return cr.n, written, fmt.Errorf("kyc: %s: %w", req.op, derr)
	case errors.Is(derr, io.ErrUnexpectedEOF):
		return cr.n, written, fmt.Errorf("kyc: %s: reading response: %w", req.op, io.ErrUnexpectedEOF)
	}
	return cr.n, written, fmt.Errorf("kyc: %s: %w: %v", req.op, ErrBadResponse, derr)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

var errMediaTooLarge = errors.New("media exceeds the body size limit")

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

func (c *Client) apiError(op string, status int, env *wire.Envelope) *APIError {
	e := &APIError{
		Op:              op,
		Code:            string(env.Code),
		Msg:             env.Msg,
		BizSeqNo:        env.BizSeqNo,
		OrderNo:         env.OrderNo,
		TransactionTime: string(env.TransactionTime),
		HTTPStatus:      status,
	}
	if env.HasResult() && (e.BizSeqNo == "" || e.OrderNo == "") {
		var meta wire.ResultMeta
		if json.Unmarshal(env.Result, &meta) == nil {
			e.BizSeqNo = firstNonEmpty(e.BizSeqNo, meta.BizSeqNo)
			e.OrderNo = firstNonEmpty(e.OrderNo, meta.OrderNo)
			e.TransactionTime = firstNonEmpty(e.TransactionTime, string(meta.TransactionTime))
		}
	}
	return e
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
