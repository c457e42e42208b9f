package kyc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/credentials"
	"github.com/kycgo/kyc/kyctest"
)

// countingProvider counts Retrieve calls and can be made to fail.
type countingProvider struct {
	p     kyc.CloudCredentialsProvider
	calls atomic.Int32
	fail  atomic.Bool

	mu      sync.Mutex
	secrets []string // every SecretKey and Token handed out
}

func (c *countingProvider) Retrieve(ctx context.Context) (kyc.CloudCredentials, error) {
	c.calls.Add(1)
	if c.fail.Load() {
		return kyc.CloudCredentials{}, errors.New("provider down")
	}
	cr, err := c.p.Retrieve(ctx)
	c.mu.Lock()
	c.secrets = append(c.secrets, cr.SecretKey, cr.Token)
	c.mu.Unlock()
	return cr, err
}

// newRoleClient starts a fake whose CVM role hands out keys living lifetime, and a client that
// takes its credentials from that role (through a counting provider), on the fake's clock.
func newRoleClient(t *testing.T, lifetime time.Duration, opts ...kyc.Option) (*kyctest.Server, *kyc.Client, *countingProvider) {
	t.Helper()
	srv := kyctest.NewServer(kyctest.WithCVMRole("kyc-role", lifetime))
	t.Cleanup(srv.Close)
	p := &countingProvider{p: &credentials.CVMRole{Role: "kyc-role", Endpoint: srv.URL, HTTPClient: loopbackClient(t)}}
	c, err := kyc.New(kyctest.DefaultAppID, srv.Secret, append([]kyc.Option{kyc.WithBaseURL(srv.URL), kyc.WithCloudEndpoint(srv.URL),
		kyc.WithClock(srv.Clock), kyc.WithRetry(1, time.Millisecond, time.Millisecond),
		kyc.WithCloudCredentialsProvider(p)}, opts...)...)
	require.NoError(t, err)
	return srv, c, p
}

// loopbackClient refuses any host that is not the loopback address kyctest listens on.
func loopbackClient(t *testing.T) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Hostname() != "127.0.0.1" {
			t.Errorf("request to non-loopback host %s", r.URL.Host)
			return nil, errors.New("refused")
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func detectAuth(c *kyc.Client) error {
	_, err := c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	return err
}

// Credentials are reused until Expires minus the margin (5 minutes), then retrieved again, by
// one caller however many wait.
func TestCloudCredentialsRefreshMargin(t *testing.T) {
	srv, c, p := newRoleClient(t, time.Hour)
	require.NoError(t, detectAuth(c))
	require.EqualValues(t, 1, p.calls.Load())

	srv.Clock.Advance(55*time.Minute - time.Second) // one second before the margin
	require.NoError(t, detectAuth(c))
	require.EqualValues(t, 1, p.calls.Load(), "refreshed before the margin")

	srv.Clock.Advance(time.Second) // exactly Expires - 5 minutes: no longer used
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() { errs <- detectAuth(c) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, 2, p.calls.Load(), "one refresh for 32 callers")
	require.Len(t, srv.CloudKeyUses(), 2)
}

// Many goroutines call DetectAuth while the clock runs through several lifetimes of short-lived
// keys: the fake refuses an expired key (AuthFailure.TokenFailure), and no call fails.
func TestCloudCredentialsRotateUnderLoad(t *testing.T) {
	const lifetime = 10 * time.Minute
	var logs syncBuffer
	srv, c, p := newRoleClient(t, lifetime, kyc.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	var (
		wg    sync.WaitGroup
		calls atomic.Int32
		mu    sync.Mutex
		fails []error
	)
	for range 16 {
		wg.Go(func() {
			for range 40 {
				if err := detectAuth(c); err != nil {
					mu.Lock()
					fails = append(fails, err)
					mu.Unlock()
				}
				if calls.Add(1)%10 == 0 {
					srv.Clock.Advance(20 * time.Second)
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, fails)
	// 640 calls, 64 steps of 20 s: over 21 minutes, so the keys rotated at least three times.
	uses := srv.CloudKeyUses()
	require.GreaterOrEqual(t, len(uses), 3, "keys used: %d", len(uses))
	require.GreaterOrEqual(t, int(p.calls.Load()), 3)
	total := 0
	for _, n := range uses {
		total += n
	}
	require.Equal(t, 640, total)
	// Debug lines were written for every call; no secret key or token is in them.
	out := logs.String()
	require.Contains(t, out, "DetectAuth")
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.secrets {
		require.NotContains(t, out, s)
	}
}

// syncBuffer is a bytes.Buffer for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A superseded key that the service revokes is never used again once the client moved on.
func TestCloudCredentialsSupersededKeyNotReused(t *testing.T) {
	srv, c, _ := newRoleClient(t, 10*time.Minute)
	require.NoError(t, detectAuth(c))
	first := srv.CloudKeyUses()
	srv.Clock.Advance(5 * time.Minute) // the margin: the client takes the renewed key
	require.NoError(t, detectAuth(c))
	for id := range first {
		require.True(t, srv.RevokeCloudCredentials(id))
	}
	for range 5 {
		require.NoError(t, detectAuth(c))
	}
	for id := range first {
		require.Equal(t, 1, srv.CloudKeyUses()[id])
	}
}

func TestCloudCredentialsProviderFailures(t *testing.T) {
	srv, c, p := newRoleClient(t, time.Hour)
	p.fail.Store(true)
	err := detectAuth(c)
	require.ErrorContains(t, err, "provider down")
	require.Zero(t, srv.Requests("DetectAuth"), "nothing is sent without credentials")

	// A provider answer already past its expiry is refused, never used.
	expired := &countingProvider{p: staticProvider(kyc.CloudCredentials{SecretID: srv.SecretID, SecretKey: srv.SecretKey,
		Token: "t", Expires: srv.Clock.Now().Add(-time.Second)})}
	c3, err := kyc.New(kyctest.DefaultAppID, srv.Secret, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithCloudCredentialsProvider(expired))
	require.NoError(t, err)
	err = detectAuth(c3)
	require.ErrorIs(t, err, kyc.ErrExpired)
	require.NotContains(t, err.Error(), srv.SecretKey)

	// One source of credentials only.
	_, err = kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudCredentialsProvider(p))
	var ie *kyc.InputError
	require.ErrorAs(t, err, &ie)
	_, err = kyc.New(kyctest.DefaultAppID, srv.Secret, kyc.WithCloudCredentialsProvider(p), kyc.WithCloudCredentials(srv.SecretID, srv.SecretKey))
	require.ErrorAs(t, err, &ie)
	_, err = kyc.New(kyctest.DefaultAppID, srv.Secret, kyc.WithCloudCredentialsProvider(nil))
	require.ErrorAs(t, err, &ie)
}

type staticProvider kyc.CloudCredentials

func (s staticProvider) Retrieve(context.Context) (kyc.CloudCredentials, error) {
	return kyc.CloudCredentials(s), nil
}

// A provider's session token is checked before anything is sent: 1 to 4096 characters without
// spaces (the limit the option had before tokens came only from providers).
func TestProviderSessionTokenLimits(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		token string
		sent  bool
	}{
		{strings.Repeat("t", 4096), true},
		{strings.Repeat("t", 4097), false},
		{"a b", false},
		{"line\n", false},
	} {
		srv.ResetCounts()
		c, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(credentials.Static(srv.SecretID, srv.SecretKey, tc.token)),
			kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock), kyc.WithRetry(1, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		err = detectAuth(c)
		require.Error(t, err, "the fake knows no such token")
		if tc.sent {
			require.NotZero(t, srv.TotalRequests(), "%d characters", len(tc.token))
			continue
		}
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, "%d characters", len(tc.token))
		require.Equal(t, "session token", ie.Field)
		require.Zero(t, srv.TotalRequests())
	}
}

// A session token comes with its key pair from a provider (credentials.Static for a set handed
// over once): the fake accepts the three together and refuses the pair without the token.
func TestCloudSessionTokenThroughAProvider(t *testing.T) {
	const id, key, tok = "AKIDORDER", "OrderKeyQ8w2Zr5Tx7Yp3Ln6Mv", "OrderToken1"
	srv := kyctest.NewServer(kyctest.WithCloudTemporaryCredentials(id, key, tok))
	defer srv.Close()
	for _, tc := range []struct {
		opt  kyc.Option
		pass bool
	}{
		{kyc.WithCloudCredentialsProvider(credentials.Static(id, key, tok)), true},
		{kyc.WithCloudCredentialsProvider(credentials.Static(id, key, "")), false},
		{kyc.WithCloudCredentials(id, key), false},
	} {
		c, err := kyc.New(kyctest.DefaultAppID, srv.Secret, tc.opt, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithRetry(1, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		if tc.pass {
			require.NoError(t, detectAuth(c))
		} else {
			require.Equal(t, "AuthFailure.TokenFailure", apiErr(t, detectAuth(c)).Code)
		}
	}
}

func TestCloudCredentialsRedacted(t *testing.T) {
	cr := kyc.CloudCredentials{SecretID: "AKIDSHOWN", SecretKey: "SecretKeyHidden42", Token: "TokenHidden42", Expires: time.Unix(1795971494, 0)}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("creds", "c", cr)
	for _, s := range []string{fmt.Sprint(cr), fmt.Sprintf("%v %+v %#v %s", cr, cr, cr, cr), logs.String()} {
		require.Contains(t, s, "AKIDSHOWN")
		require.NotContains(t, s, "SecretKeyHidden42")
		require.NotContains(t, s, "TokenHidden42")
	}
}

// A temporary key the service rejects before its Expires (revoked) is dropped and the call sent
// once more with new credentials; a static key is not asked for again.
func TestCloudCredentialsRejectedKeyDropped(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	role := &credentials.AssumeRole{Source: credentials.Static(srv.SecretID, srv.SecretKey, ""), RoleArn: "qcs::cam::uin/100000000001:roleName/kyc",
		RoleSessionName: "kyc-test", Endpoint: srv.URL, HTTPClient: loopbackClient(t), Clock: srv.Clock}
	c, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(role), kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock))
	require.NoError(t, err)
	require.NoError(t, detectAuth(c))
	for id := range srv.CloudKeyUses() {
		if id != srv.SecretID {
			require.True(t, srv.RevokeCloudCredentials(id))
		}
	}
	require.NoError(t, detectAuth(c), "resent with new credentials")
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAssumeRole))
	require.Equal(t, 3, srv.Requests("DetectAuth"), "the refused attempt, then the resent one")

	// The static key of the fake itself, revoked: the error comes back, nothing is resent.
	sc, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	require.True(t, srv.RevokeCloudCredentials(srv.SecretID))
	err = detectAuth(sc)
	require.Equal(t, "AuthFailure.SecretIdNotFound", apiErr(t, err).Code)
	require.Equal(t, 4, srv.Requests("DetectAuth"))
}
