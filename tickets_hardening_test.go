package kyc_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// With a token that lives 10 s or 1 s (a misconfigured or test service), the margins scale with
// the life: each unit serves most of its life, and no call fetches a token while the one in hand
// is usable.
func TestShortLifetimesFetchOncePerUnit(t *testing.T) {
	for _, life := range []time.Duration{10 * time.Second, time.Second} {
		t.Run(life.String(), func(t *testing.T) {
			srv, c := newPairWith(t, []kyctest.Option{kyctest.WithLifetimes(life, 0, 0, 0)})
			ctx := context.Background()
			const lifetimes, steps = 12, 20 // calls every 1/20 of the life
			start := srv.Clock.Now()
			var fetched []time.Time // FetchedAt of each unit seen, in order
			for range lifetimes * steps {
				u, err := c.Tickets(ctx)
				require.NoError(t, err)
				require.True(t, srv.Clock.Now().Before(u.ExpiresAt()), "a unit handed out is alive")
				require.WithinDuration(t, u.FetchedAt.Add(life), u.ExpiresAt(), time.Second)
				if len(fetched) == 0 || !u.FetchedAt.Equal(fetched[len(fetched)-1]) {
					fetched = append(fetched, u.FetchedAt)
				}
				srv.Clock.Advance(life / steps)
			}
			elapsed := srv.Clock.Now().Sub(start)
			// A background refresh may have started after the last unit was seen.
			fetches := srv.Requests(kyc.EndpointAccessToken)
			t.Logf("%d token fetches over %v", fetches, elapsed)
			require.GreaterOrEqual(t, fetches, len(fetched))
			require.LessOrEqual(t, fetches, len(fetched)+1, "every fetch produced a unit that was used")
			for i := 1; i < len(fetched); i++ {
				gap := fetched[i].Sub(fetched[i-1])
				require.GreaterOrEqual(t, gap, life*3/4, "units %d and %d were fetched %v apart", i-1, i, gap)
			}
			require.LessOrEqual(t, fetches, int(elapsed/(life*3/4))+2, "about one fetch per lifetime")
		})
	}
}

// The margin of a 3600 s unit is 30 s: with token fetches failing, the old ticket is served 31 s
// before its expiry, and 20 s before it SignTicket fails with ErrExpired rather than hand out a
// ticket that may die in flight.
func TestExpiryMarginWithFailingFetches(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	u, err := c.Tickets(ctx)
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyc.EndpointAccessToken, Status: 502})

	srv.Clock.Advance(u.ExpiresAt().Sub(srv.Clock.Now()) - 31*time.Second)
	tk, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, u.SignTicket, tk, "31 s before expiry the old ticket is still served")

	srv.Clock.Advance(11 * time.Second) // 20 s before expiry
	tk, err = c.SignTicket(ctx)
	require.ErrorIs(t, err, kyc.ErrExpired)
	require.ErrorIs(t, err, kyc.ErrBusy, "the cause: HTTP 502")
	require.Empty(t, tk)
	require.NotContains(t, err.Error(), u.SignTicket)
}

// forgetfulStore keeps nothing: a dropped unit cannot be re-supplied by the store, so a unit the
// ticket manager drops wrongly shows as an extra token fetch.
type forgetfulStore struct{ leases *kyc.MemoryStore }

func (forgetfulStore) Load(context.Context, string) (*kyc.TicketUnit, error) { return nil, nil }
func (forgetfulStore) Save(context.Context, *kyc.TicketUnit) error           { return nil }
func (s forgetfulStore) Lease(ctx context.Context, appID string, ttl time.Duration) (kyc.Lease, error) {
	return s.leases.Lease(ctx, appID, ttl)
}

// gateTransport holds the first two NONCE ticket answers: the first until the second request
// has been sent, the second until a third has been sent. So two calls are refused on the same
// unit, and the second refusal arrives after the first call has replaced that unit.
type gateTransport struct {
	base        http.RoundTripper
	mu          sync.Mutex
	n           int
	two, three  chan struct{}
	onceTwo     sync.Once
	onceThree   sync.Once
	nonceWanted func(*http.Request) bool
}

func (g *gateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !g.nonceWanted(r) {
		return g.base.RoundTrip(r)
	}
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	switch n {
	case 2:
		g.onceTwo.Do(func() { close(g.two) })
	case 3:
		g.onceThree.Do(func() { close(g.three) })
	}
	resp, err := g.base.RoundTrip(r)
	wait := map[int]chan struct{}{1: g.two, 2: g.three}[n]
	if wait != nil {
		select {
		case <-wait:
		case <-r.Context().Done():
		}
	}
	return resp, err
}

// Two calls refused on the same old unit: the first replaces it, the second must drop only
// that unit, not the replacement (one refresh, not two).
func TestInvalidateDropsOnlyTheRefusedUnit(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	gate := &gateTransport{base: http.DefaultTransport, two: make(chan struct{}), three: make(chan struct{}),
		nonceWanted: func(r *http.Request) bool {
			return r.URL.Path == "/api/oauth2/api_ticket" && r.URL.Query().Get("type") == "NONCE"
		}}
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithHTTPClient(&http.Client{Transport: gate}), kyc.WithTicketStore(forgetfulStore{kyc.NewMemoryStore()}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = c.SignTicket(ctx)
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyc.EndpointNonceTicket, Code: "400101", Times: 2})

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = c.NonceTicket(ctx, "user001") })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Equal(t, 4, srv.Requests(kyc.EndpointNonceTicket), "two refused, each retried once")
	require.Equal(t, 2, srv.Requests(kyc.EndpointAccessToken), "the cold start and one refresh")
}
