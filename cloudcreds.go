package kyc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kycgo/kyc/internal/tc3"
)

// API 3.0 credentials that change: temporary keys from STS or a CVM role expire, so the client
// asks a CloudCredentialsProvider for them and keeps what it got until shortly before it
// expires (the aws-sdk-go-v2 CredentialsCache shape): reads are an atomic load, one refresh runs
// at a time (singleflight) and a value is never used past its expiry minus the margin. The
// package github.com/kycgo/kyc/credentials has the providers (static, environment, STS
// AssumeRole, CVM role). WithCloudCredentials is a static provider.

// CloudCredentials is one set of API 3.0 credentials. It prints without its secrets.
type CloudCredentials struct {
	SecretID  string
	SecretKey string
	// Token is the session token of temporary credentials (sent as X-TC-Token); "" for an API key.
	Token string
	// Expires is when temporary credentials stop working; the zero time means never.
	Expires time.Time
}

// String shows the SecretId and expiry only.
func (c CloudCredentials) String() string {
	exp := "never"
	if !c.Expires.IsZero() {
		exp = c.Expires.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("CloudCredentials{secretId: %s, secretKey: %s, token: %s, expires: %s}",
		c.SecretID, redactedIf(c.SecretKey), redactedIf(c.Token), exp)
}

// GoString keeps %#v redacted.
func (c CloudCredentials) GoString() string { return c.String() }

// LogValue keeps the secret key and token out of structured logs.
func (c CloudCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("secretId", c.SecretID), slog.Time("expires", c.Expires))
}

// CloudCredentialsProvider hands out API 3.0 credentials. The client calls Retrieve when it has
// none or when the ones it holds are within the refresh margin of their Expires, never twice at
// once; a Retrieve error fails the calls waiting for it. It must never put a secret in an error.
type CloudCredentialsProvider interface {
	Retrieve(ctx context.Context) (CloudCredentials, error)
}

// WithCloudCredentialsProvider signs the API 3.0 actions with credentials from p, asked again
// before they expire (see the credentials package for STS, CVM roles and the environment). It
// replaces WithCloudCredentials; giving both is refused.
func WithCloudCredentialsProvider(p CloudCredentialsProvider) Option {
	return func(c *Client) error {
		if p == nil {
			return invalidInput("cloud credentials provider", "must not be nil")
		}
		if c.cloud.static != nil {
			return invalidInput("cloud credentials provider", "WithCloudCredentials was given too: use one")
		}
		c.cloud.creds = newCredCache(p)
		return nil
	}
}

// refreshMargin is how long before Expires cached credentials stop being used: Tencent's own SDK
// refreshes CVM-role credentials 300 s before they expire, and a request signed just before
// the margin still has minutes to arrive. Credentials that live less than twice the margin are
// used for half their remaining life instead.
const refreshMargin = 5 * time.Minute

// credRetrieveTimeout bounds one Retrieve, which runs detached from the caller that started it
// (others may be waiting on it).
const credRetrieveTimeout = 30 * time.Second

// staticCreds is the provider behind WithCloudCredentials.
type staticCreds struct{ creds CloudCredentials }

func (s *staticCreds) Retrieve(context.Context) (CloudCredentials, error) { return s.creds, nil }

// credCache keeps the provider's current credentials with their signer.
type credCache struct {
	p   CloudCredentialsProvider
	cur atomic.Pointer[credEntry]
	sf  singleflight.Group
	mu  sync.Mutex // serialises stores, so that an older refresh never replaces a newer one
}

// credEntry is one set of credentials, its signer (which keeps the day's key derived from this
// SecretKey only: a rotated key gets a new signer, hence a new derived key) and when to stop
// using it.
type credEntry struct {
	creds     CloudCredentials
	signer    *tc3.Signer
	refreshAt time.Time // zero: never
}

func newCredCache(p CloudCredentialsProvider) *credCache { return &credCache{p: p} }

// usable says whether e may sign a request at now.
func (e *credEntry) usable(now time.Time) bool {
	return e != nil && (e.refreshAt.IsZero() || now.Before(e.refreshAt))
}

// get returns credentials usable at clock.Now(), retrieving them when needed.
func (cc *credCache) get(ctx context.Context, clock Clock) (*credEntry, error) {
	if e := cc.cur.Load(); e.usable(clock.Now()) {
		return e, nil
	}
	ch := cc.sf.DoChan("", func() (any, error) {
		if e := cc.cur.Load(); e.usable(clock.Now()) {
			return e, nil // refreshed while this caller waited for its turn
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), credRetrieveTimeout)
		defer cancel()
		creds, err := cc.p.Retrieve(rctx)
		if err != nil {
			return nil, wrapf(err, "cloud credentials")
		}
		e, err := newCredEntry(creds, clock.Now())
		if err != nil {
			return nil, err
		}
		cc.mu.Lock()
		cc.cur.Store(e)
		cc.mu.Unlock()
		return e, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*credEntry), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("kyc: cloud credentials: %w", ctx.Err())
	}
}

// errCredsExpired is a provider's answer that expired already.
var errCredsExpired = fmt.Errorf("kyc: cloud credentials: %w: the provider returned credentials past their expiry", ErrExpired)

// newCredEntry checks credentials from a provider and works out when to stop using them.
func newCredEntry(c CloudCredentials, now time.Time) (*credEntry, error) {
	if err := checkCloudCredentials(c.SecretID, c.SecretKey); err != nil {
		return nil, wrapf(err, "cloud credentials from the provider")
	}
	if err := checkSessionToken(c.Token); c.Token != "" && err != nil {
		return nil, wrapf(err, "cloud credentials from the provider")
	}
	e := &credEntry{creds: c, signer: tc3.NewSigner(c.SecretID, c.SecretKey, cloudService)}
	if !c.Expires.IsZero() {
		left := c.Expires.Sub(now)
		if left <= 0 {
			return nil, errCredsExpired
		}
		e.refreshAt = c.Expires.Add(-min(refreshMargin, left/2))
	}
	return e, nil
}

// credentials returns the signing credentials for one attempt (cloudCall checked there is a
// provider).
func (cfg *cloudConfig) credentials(ctx context.Context, clock Clock) (*credEntry, error) {
	return cfg.creds.get(ctx, clock)
}

// setStatic updates the static provider of WithCloudCredentials.
func (cfg *cloudConfig) setStatic(set func(*CloudCredentials)) error {
	if cfg.creds != nil && cfg.static == nil {
		return invalidInput("cloud credentials", "WithCloudCredentialsProvider was given too: use one")
	}
	if cfg.static == nil {
		cfg.static = &staticCreds{}
		cfg.creds = newCredCache(cfg.static)
	}
	set(&cfg.static.creds)
	return nil
}

// checkSessionToken applies the rules of an X-TC-Token value.
func checkSessionToken(token string) error {
	if token == "" || len(token) > 4096 || strings.ContainsAny(token, " \t\r\n") {
		return invalidInput("session token", "must be the token from STS, without spaces")
	}
	return nil
}

// newCloudFromProvider is NewCloud("", "", opts...): opts must supply the credentials.
func newCloudFromProvider(opts []Option) (*Client, error) {
	c, err := newClient("", "", opts)
	if err != nil {
		return nil, err
	}
	if c.cloud.creds == nil {
		_ = c.Close()
		return nil, checkCloudCredentials("", "") // the SecretId InputError, as before
	}
	return c, nil
}

// invalidate drops e, the credentials of a call the service refused because of them (a key
// revoked or a token rejected before its Expires), so that the next call retrieves new ones,
// and says whether the refused call should be sent once more. A static key is never dropped:
// asking again would give the same one. Another caller's newer credentials are kept.
func (cc *credCache) invalidate(e *credEntry, err error) bool {
	var ae *APIError
	if e == nil || !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case "AuthFailure.TokenFailure", "AuthFailure.SecretIdNotFound", "AuthFailure.InvalidSecretId":
	default:
		return false
	}
	if _, static := cc.p.(*staticCreds); static {
		return false
	}
	cc.mu.Lock()
	cc.cur.CompareAndSwap(e, nil)
	cc.mu.Unlock()
	return true
}
