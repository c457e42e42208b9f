// Package transport holds the parts of the request path that do not know the kyc1 API: the
// retry policy and its budget, context-aware backoff, redaction of secrets from URLs and errors,
// and a capped body reader.
package transport

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Backoff is a capped exponential backoff with full jitter.
type Backoff struct {
	Min, Max time.Duration
}

// Delay returns the wait before retry number n (n = 1 for the first retry).
func (b Backoff) Delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	ceil := b.Min
	for i := 1; i < n && ceil < b.Max; i++ {
		ceil *= 2
	}
	if ceil > b.Max {
		ceil = b.Max
	}
	if ceil <= 0 {
		return 0
	}
	// Full jitter, but never below half the ceiling so retries do not bunch at zero.
	half := ceil / 2
	return half + rand.N(ceil-half+1)
}

// Sleep waits d or until ctx ends, whichever is first; it returns ctx.Err() in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Budget limits retries across all calls of a client, so that an outage does not multiply the
// load on the service: each retry spends RetryCost tokens, each success returns one, up to Cap.
type Budget struct {
	mu     sync.Mutex
	tokens int
	cap    int
	cost   int
}

// NewBudget returns a full budget of capacity tokens where a retry costs cost tokens.
func NewBudget(capacity, cost int) *Budget {
	return &Budget{tokens: capacity, cap: capacity, cost: cost}
}

// Take spends the cost of one retry; false means the budget is exhausted and the caller should
// not retry.
func (b *Budget) Take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < b.cost {
		return false
	}
	b.tokens -= b.cost
	return true
}

// Refund returns one token after a success.
func (b *Budget) Refund() {
	b.mu.Lock()
	if b.tokens < b.cap {
		b.tokens++
	}
	b.mu.Unlock()
}

// sensitiveParams are query parameters whose values never appear in a log line or an error.
var sensitiveParams = map[string]bool{
	"secret": true, "access_token": true, "ticket": true, "sign": true, "newsign": true,
	"newsignature": true, "idno": true, "name": true, "user_id": true, "userid": true,
}

// RedactURL replaces the values of sensitive query parameters with "REDACTED". A string that does
// not parse is replaced whole: it cannot be shown safely.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "REDACTED-URL"
	}
	if u.RawQuery == "" {
		return raw
	}
	parts := strings.Split(u.RawQuery, "&")
	for i, p := range parts {
		k, _, found := strings.Cut(p, "=")
		key, kerr := url.QueryUnescape(k)
		if kerr != nil || sensitiveParams[strings.ToLower(key)] {
			if found || kerr != nil {
				parts[i] = k + "=REDACTED"
			}
		}
	}
	u.RawQuery = strings.Join(parts, "&")
	u.User = nil
	return u.String()
}

// RedactError rewrites the URL inside a *url.Error (wherever it is in the chain) so the error
// text cannot leak a secret or a token. The chain is kept, so errors.Is(err,
// context.DeadlineExceeded) still works.
func RedactError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = RedactURL(ue.URL)
	}
	return err
}

// WithoutRedirects returns a copy of hc that never follows a redirect: the 3xx answer itself
// comes back to the caller, which refuses it. Following one would send a secret, a token, a
// signed request or personal data to wherever the Location points, and resend a call that
// mints or bills. The caller's client is never modified: its Transport, Jar and Timeout are
// shared by the copy, its own CheckRedirect is not used.
func WithoutRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// ErrBodyTooLarge is returned by the capped reader when a body passes its limit.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// ReadCapped reads all of r, failing with ErrBodyTooLarge past limit bytes.
func ReadCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}

// CapReader returns a reader of r that fails with ErrBodyTooLarge, having returned limit bytes,
// when r holds more: the streaming counterpart of ReadCapped.
func CapReader(r io.Reader, limit int64) *CappedReader {
	return &CappedReader{R: r, Left: limit}
}

// CappedReader is what CapReader returns; a caller may embed one to save an allocation.
type CappedReader struct {
	R    io.Reader
	Left int64 // bytes that may still be returned; -1 once past the limit
}

// Read reads from R, failing with ErrBodyTooLarge past the limit.
func (c *CappedReader) Read(p []byte) (int, error) {
	if c.Left < 0 {
		return 0, ErrBodyTooLarge
	}
	if int64(len(p)) > c.Left+1 {
		p = p[:c.Left+1] // one byte more than allowed tells a body at the limit from one past it
	}
	n, err := c.R.Read(p)
	if int64(n) > c.Left {
		n, c.Left = int(c.Left), -1
		return n, ErrBodyTooLarge
	}
	c.Left -= int64(n)
	return n, err
}
