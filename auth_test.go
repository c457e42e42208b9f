package kyc_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// newPair starts a fake server and a client that shares its clock. Retries are quick so that
// tests of failure paths stay fast.
func newPair(t testing.TB, opts ...kyc.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	base := []kyc.Option{kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond)}
	c, err := kyc.New(srv.AppID, srv.Secret, append(base, opts...)...)
	require.NoError(t, err)
	return srv, c
}

func TestColdStartFetchesOnce(t *testing.T) {
	srv, c := newPair(t)
	const callers = 1000
	var wg sync.WaitGroup
	tickets := make([]string, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			tickets[i], errs[i] = c.SignTicket(context.Background())
		})
	}
	close(start)
	wg.Wait()
	for i := range callers {
		require.NoError(t, errs[i])
		require.Equal(t, tickets[0], tickets[i])
	}
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
	require.Equal(t, 1, srv.Requests(kyctest.EndpointSignTicket))
	require.Contains(t, srv.CurrentSignTickets(srv.AppID), tickets[0])
}

func TestUnitIsOneTokenAndItsTicket(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	unit, err := c.Tickets(ctx)
	require.NoError(t, err)
	tok, err := c.AccessToken(ctx)
	require.NoError(t, err)
	tk, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, unit.AccessToken, tok)
	require.Equal(t, unit.SignTicket, tk)
	// Lifetimes come from expire_in on our clock: 7200 s token, 3600 s ticket.
	require.WithinDuration(t, unit.FetchedAt.Add(7200*time.Second), unit.TokenExpiresAt, time.Second)
	require.WithinDuration(t, unit.FetchedAt.Add(3600*time.Second), unit.TicketExpiresAt, time.Second)
	require.Equal(t, unit.TicketExpiresAt, unit.ExpiresAt())
	require.WithinDuration(t, srv.Clock.Now(), unit.FetchedAt, 5*time.Second)
}

func TestNumericFieldsDecode(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithNumericFields())
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	require.NoError(t, err)
	unit, err := c.Tickets(context.Background())
	require.NoError(t, err)
	require.WithinDuration(t, unit.FetchedAt.Add(3600*time.Second), unit.ExpiresAt(), time.Second)
}

func TestProactiveRefreshNeverBlocksCallers(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	old, err := c.SignTicket(ctx)
	require.NoError(t, err)

	// Past RefreshAfter, with the token endpoint slow: every caller must still get the current
	// ticket at once. Their contexts end long before the slow fetch could finish, so a caller
	// that waited for the refresh would fail.
	srv.Clock.Advance(21 * time.Minute)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Latency: 3 * time.Second, Times: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for range 200 {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			defer cancel()
			tk, err := c.SignTicket(cctx)
			if err == nil && tk != old {
				err = errors.New("got a ticket other than the current one while the refresh runs")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Exactly one refresh is running; once it lands, callers get the new ticket.
	require.Eventually(t, func() bool {
		tk, err := c.SignTicket(ctx)
		return err == nil && tk != old
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
	require.Equal(t, 2, srv.Requests(kyctest.EndpointSignTicket))
}

func TestFailedRefreshKeepsOldUnitUntilExpiry(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	old, err := c.SignTicket(ctx)
	require.NoError(t, err)

	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Status: 502})
	srv.Clock.Advance(25 * time.Minute)
	// Many calls while refreshes fail: all served from the old unit, and the failures back off
	// instead of hammering the token endpoint.
	for range 500 {
		tk, err := c.SignTicket(ctx)
		require.NoError(t, err)
		require.Equal(t, old, tk)
	}
	require.Eventually(t, func() bool { return srv.Requests(kyctest.EndpointAccessToken) >= 2 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // let the background attempt settle
	for range 500 {
		_, err := c.SignTicket(ctx)
		require.NoError(t, err)
	}
	// One background refresh with its 3 attempts, then back-off: not one fetch per call.
	require.LessOrEqual(t, srv.Requests(kyctest.EndpointAccessToken), 4)

	// Past the unit's expiry (the SIGN ticket's 3600 s), callers get a typed error saying why.
	srv.Clock.Advance(36 * time.Minute)
	_, err = c.SignTicket(ctx)
	require.Error(t, err)
	require.ErrorIs(t, err, kyc.ErrExpired)
	require.ErrorIs(t, err, kyc.ErrBusy) // the cause: HTTP 502 from the token endpoint
	var te *kyc.TicketError
	require.ErrorAs(t, err, &te)
	require.Equal(t, srv.AppID, te.AppID)
	require.Contains(t, err.Error(), "expired")
	require.Contains(t, err.Error(), "HTTP 502")

	// When the service recovers, so does the client.
	srv.ClearFaults()
	srv.Clock.Advance(2 * time.Minute) // past the failure back-off
	tk, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.NotEqual(t, old, tk)
}

func TestColdStartFailureSaysWhy(t *testing.T) {
	srv, c := newPair(t)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Code: "66660002"})
	_, err := c.SignTicket(context.Background())
	require.ErrorIs(t, err, kyc.ErrServiceUnavailable)
	require.NotErrorIs(t, err, kyc.ErrExpired)
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "66660002", ae.Code)
	require.Equal(t, kyctest.EndpointAccessToken, ae.Op)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "a non-retryable code is not retried")
}

func TestReplacedTokenRefreshesOnceAndRetriesOnce(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	before, err := c.AccessToken(ctx)
	require.NoError(t, err)

	// Another instance fetches a token; ours lives one more minute, then is refused.
	srv.ReplaceToken(srv.AppID)
	_, err = c.NonceTicket(ctx, "user001")
	require.NoError(t, err, "inside the overlap the old token still works")
	srv.Clock.Advance(61 * time.Second)

	srv.ResetCounts()
	tk, err := c.NonceTicket(ctx, "user001")
	require.NoError(t, err)
	require.NotEmpty(t, tk)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "refreshed once")
	require.Equal(t, 2, srv.Requests(kyctest.EndpointNonceTicket), "refused once, retried once")
	after, err := c.AccessToken(ctx)
	require.NoError(t, err)
	require.NotEqual(t, before, after)
}

func TestStaleAnswerRetriedOnlyOnce(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.NoError(t, err)
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointNonceTicket, Code: "400101"})
	_, err = c.NonceTicket(ctx, "user001")
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointNonceTicket))
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
}

func TestNonceTicketsAreFreshAndSingleUse(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	const user = "userID19959248596551"
	t1, err := c.NonceTicket(ctx, user)
	require.NoError(t, err)
	t2, err := c.NonceTicket(ctx, user)
	require.NoError(t, err)
	require.NotEqual(t, t1, t2)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointNonceTicket), "never cached")

	nonce := kyc.NewNonce()
	sig := kyc.Sign(t1, srv.AppID, user, nonce, kyc.APIVersion)
	require.NoError(t, srv.CheckNonceSignature(srv.AppID, user, nonce, sig))
	require.Error(t, srv.CheckNonceSignature(srv.AppID, user, nonce, sig), "a NONCE ticket is single use")

	// Bound to its user.
	nonce2 := kyc.NewNonce()
	require.Error(t, srv.CheckNonceSignature(srv.AppID, "someoneElse", nonce2, kyc.Sign(t2, srv.AppID, "someoneElse", nonce2, kyc.APIVersion)))
	require.NoError(t, srv.CheckNonceSignature(srv.AppID, user, nonce2, kyc.Sign(t2, srv.AppID, user, nonce2, kyc.APIVersion)))
}

func TestBadInputSendsNothing(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	for _, userID := range []string{"", strings.Repeat("u", 33), "user 1", "user-1", "用户", "a/b", "x\n"} {
		_, err := c.NonceTicket(ctx, userID)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, "%q", userID)
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie)
		require.Equal(t, "userId", ie.Field)
	}
	require.Equal(t, 0, srv.TotalRequests())

	for _, tc := range []struct {
		appID, secret string
		opts          []kyc.Option
	}{
		{"", "secret", nil},
		{srv.AppID, "", nil},
		{"ID/X", "secret", nil},
		{srv.AppID, "has space", nil},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithBaseURL("kyc1.qcloud.com")}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithBaseURL("ftp://x")}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithHTTPClient(nil)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithTimeout(0)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithRetry(0, time.Second, time.Second)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithRetry(3, time.Second, time.Millisecond)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithLogger(nil)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithTicketStore(nil)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithClock(nil)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithRefreshAfter(2 * time.Hour)}},
		{srv.AppID, srv.Secret, []kyc.Option{kyc.WithMaxBodySize(10)}},
		{srv.AppID, srv.Secret, []kyc.Option{nil}},
	} {
		c, err := kyc.New(tc.appID, tc.secret, tc.opts...)
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
		require.Nil(t, c)
		if tc.secret != "" {
			require.NotContains(t, err.Error(), tc.secret)
		}
	}
	require.Equal(t, 0, srv.TotalRequests())
}

func TestTransportFailuresAreRetriedAndKeepTheirCause(t *testing.T) {
	t.Run("busy code", func(t *testing.T) {
		srv, c := newPair(t)
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Code: "999999", Times: 1})
		_, err := c.SignTicket(context.Background())
		require.NoError(t, err)
		require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
	})
	t.Run("dropped connection", func(t *testing.T) {
		srv, c := newPair(t)
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointSignTicket, Drop: true, Times: 2})
		_, err := c.SignTicket(context.Background())
		require.NoError(t, err)
	})
	t.Run("truncated body", func(t *testing.T) {
		srv, c := newPair(t)
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointSignTicket, Truncate: true, Times: 1})
		_, err := c.SignTicket(context.Background())
		require.NoError(t, err)
		require.Equal(t, 2, srv.Requests(kyctest.EndpointSignTicket))
	})
	t.Run("HTTP 5xx exhausts attempts", func(t *testing.T) {
		srv, c := newPair(t)
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Status: 503})
		_, err := c.SignTicket(context.Background())
		require.ErrorIs(t, err, kyc.ErrBusy)
		var ae *kyc.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, 503, ae.HTTPStatus)
		require.Equal(t, 3, srv.Requests(kyctest.EndpointAccessToken))
	})
	t.Run("caller deadline", func(t *testing.T) {
		srv, c := newPair(t)
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Latency: 5 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.SignTicket(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotContains(t, err.Error(), srv.Secret)
	})
	t.Run("per-attempt timeout", func(t *testing.T) {
		srv, c := newPair(t, kyc.WithTimeout(time.Second))
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Latency: 5 * time.Second, Times: 1})
		_, err := c.SignTicket(context.Background())
		require.NoError(t, err, "the second attempt succeeds")
		require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
	})
	t.Run("wrong secret", func(t *testing.T) {
		srv := kyctest.NewServer()
		defer srv.Close()
		c, err := kyc.New(srv.AppID, "not"+srv.Secret, kyc.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = c.AccessToken(context.Background())
		var ae *kyc.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "400105", ae.Code)
		require.NotContains(t, err.Error(), srv.Secret)
	})
}

func TestRefreshTicketsForcesANewUnit(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	a, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.NoError(t, c.RefreshTickets(ctx))
	b, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
}

func TestSharedStoreAdoptsAnotherClientsUnit(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	store := kyc.NewMemoryStore()
	mk := func() *kyc.Client {
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithTicketStore(store), kyc.WithStoreRecheck(time.Second))
		require.NoError(t, err)
		return c
	}
	a, b := mk(), mk()
	ctx := context.Background()
	ta, err := a.SignTicket(ctx)
	require.NoError(t, err)
	tb, err := b.SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, ta, tb, "the second client adopts the stored unit")
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))

	// a refreshes; b re-reads the store and adopts the new unit inside the overlap.
	require.NoError(t, a.RefreshTickets(ctx))
	ta2, err := a.SignTicket(ctx)
	require.NoError(t, err)
	srv.Clock.Advance(2 * time.Second)
	require.Eventually(t, func() bool {
		tb, err := b.SignTicket(ctx)
		return err == nil && tb == ta2
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
}

// BenchmarkSignTicketCached measures the fast path with the production (system) clock.
func BenchmarkSignTicketCached(b *testing.B) {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL))
	require.NoError(b, err)
	ctx := context.Background()
	_, err = c.SignTicket(ctx)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.SignTicket(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// With the system clock the fast path skips reading the clock and relies on a timer; the unit
// must still be refreshed on schedule.
func TestSystemClockFastPathStillRefreshes(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithRefreshAfter(time.Second))
	require.NoError(t, err)
	ctx := context.Background()
	first, err := c.SignTicket(ctx)
	require.NoError(t, err)
	same, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, first, same)
	require.Eventually(t, func() bool {
		tk, err := c.SignTicket(ctx)
		return err == nil && tk != first
	}, 10*time.Second, 50*time.Millisecond)
	require.GreaterOrEqual(t, srv.Requests(kyctest.EndpointAccessToken), 2)
}
