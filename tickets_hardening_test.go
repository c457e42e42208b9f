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
			fetches := srv.Requests(kyctest.EndpointAccessToken)
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
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Status: 502})

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
// has been answered, the second until a third has been sent. So two calls are refused on the same
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
	if n == 3 {
		g.onceThree.Do(func() { close(g.three) })
	}
	resp, err := g.base.RoundTrip(r)
	if n == 2 {
		// Answered: both refusals are spent before the first call retries.
		g.onceTwo.Do(func() { close(g.two) })
	}
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
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointNonceTicket, Code: "400101", Times: 2})

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = c.NonceTicket(ctx, "user001") })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Equal(t, 4, srv.Requests(kyctest.EndpointNonceTicket), "two refused, each retried once")
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken), "the cold start and one refresh")
}

// A unit no fetch can have produced (fetched in the future beyond clock skew, or claiming a
// longer life than the service grants) is never served from a store, and one fetch replaces it
// in the store. Memory and file stores here; redisstore runs the same rule (it is the ticket
// manager's and CheckSave's, not the store's).
func TestStoreCannotPinImplausibleUnit(t *testing.T) {
	stores := map[string]func(t *testing.T) kyc.TicketStore{
		"memory": func(*testing.T) kyc.TicketStore { return kyc.NewMemoryStore() },
		"file": func(t *testing.T) kyc.TicketStore {
			s, err := kyc.NewFileStore(t.TempDir())
			require.NoError(t, err)
			return s
		},
	}
	planted := func(appID string, at time.Time, token, ticket time.Duration, fence uint64) *kyc.TicketUnit {
		return &kyc.TicketUnit{AppID: appID, AccessToken: "PLANTEDTOKEN", SignTicket: "PLANTEDTICKET",
			FetchedAt: at, TokenExpiresAt: at.Add(token), TicketExpiresAt: at.Add(ticket), Fence: fence}
	}
	const tok, tik = 7200 * time.Second, 3600 * time.Second
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				unit      func(appID string, now time.Time) *kyc.TicketUnit
				plausible bool
			}{
				{"fetched 6 minutes ahead", func(a string, now time.Time) *kyc.TicketUnit {
					return planted(a, now.Add(6*time.Minute), tok, tik, 0)
				}, false},
				{"fetched a year ahead with a high fence", func(a string, now time.Time) *kyc.TicketUnit {
					return planted(a, now.AddDate(1, 0, 0), tok, tik, 1<<40)
				}, false},
				{"token life 7201 s", func(a string, now time.Time) *kyc.TicketUnit {
					return planted(a, now.Add(-time.Minute), tok+time.Second, tik, 0)
				}, false},
				{"ticket life 3601 s", func(a string, now time.Time) *kyc.TicketUnit {
					return planted(a, now.Add(-time.Minute), tok, tik+time.Second, 0)
				}, false},
				{"no fetch time", func(a string, now time.Time) *kyc.TicketUnit {
					return &kyc.TicketUnit{AppID: a, AccessToken: "PLANTEDTOKEN", SignTicket: "PLANTEDTICKET",
						TokenExpiresAt: now.Add(tok), TicketExpiresAt: now.Add(tik)}
				}, false},
				// The bounds themselves are plausible: 4 minutes of skew, the full lifetimes.
				{"fetched 4 minutes ahead", func(a string, now time.Time) *kyc.TicketUnit {
					return planted(a, now.Add(4*time.Minute), tok, tik, 0)
				}, true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					srv := kyctest.NewServer()
					t.Cleanup(srv.Close)
					store := open(t)
					ctx := context.Background()
					require.NoError(t, store.Save(ctx, tc.unit(srv.AppID, srv.Clock.Now())))
					mk := func() *kyc.Client {
						c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
							kyc.WithTicketStore(store))
						require.NoError(t, err)
						return c
					}
					a, b := mk(), mk()
					got, err := a.SignTicket(ctx)
					require.NoError(t, err)
					if tc.plausible {
						require.Equal(t, "PLANTEDTICKET", got)
						require.Equal(t, 0, srv.Requests(kyctest.EndpointAccessToken))
						return
					}
					require.NotEqual(t, "PLANTEDTICKET", got)
					require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "one fetch")
					stored, err := store.Load(ctx, srv.AppID)
					require.NoError(t, err)
					require.Equal(t, got, stored.SignTicket, "the fetch replaced the planted unit in the store")
					got2, err := b.SignTicket(ctx)
					require.NoError(t, err)
					require.Equal(t, got, got2, "another instance adopts the fetched unit")
					require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "and fetches nothing")
				})
			}

			t.Run("planted under a running client", func(t *testing.T) {
				srv := kyctest.NewServer()
				t.Cleanup(srv.Close)
				store := open(t)
				ctx := context.Background()
				c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
					kyc.WithTicketStore(store), kyc.WithStoreRecheck(50*time.Second))
				require.NoError(t, err)
				own, err := c.SignTicket(ctx)
				require.NoError(t, err)
				// A future unit supersedes ours by time: the store takes it.
				require.NoError(t, store.Save(ctx, planted(srv.AppID, srv.Clock.Now().Add(time.Hour), tok, tik, 0)))
				// A callback signed with the planted ticket makes the client re-read the store at
				// once; it must neither adopt the unit nor accept the callback.
				_, err = c.Face.VerifyCallback(ctx, signedCallback("mobile", srv.AppID, "PLANTEDTICKET", newOrderNo(), "0"))
				require.ErrorIs(t, err, kyc.ErrInvalidSignature)
				tk, err := c.SignTicket(ctx)
				require.NoError(t, err)
				require.Equal(t, own, tk)
				// At the next refresh one fetch replaces it.
				srv.Clock.Advance(20*time.Minute + time.Minute) // the default refresh age (WithRefreshAfter) and a minute
				require.Eventually(t, func() bool {
					tk, err := c.SignTicket(ctx)
					return err == nil && tk != own
				}, 10*time.Second, 10*time.Millisecond)
				tk, err = c.SignTicket(ctx)
				require.NoError(t, err)
				stored, err := store.Load(ctx, srv.AppID)
				require.NoError(t, err)
				require.Equal(t, tk, stored.SignTicket)
				require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
			})
		})
	}
}

// A service that claims more than the documented lifetimes is trusted for the documented ones.
func TestFetchedLifetimesAreCappedAtTheDocumentedMaxima(t *testing.T) {
	srv, c := newPairWith(t, []kyctest.Option{kyctest.WithLifetimes(3*time.Hour, 2*time.Hour, 0, 0)})
	u, err := c.Tickets(context.Background())
	require.NoError(t, err)
	require.Equal(t, 7200*time.Second, u.TokenExpiresAt.Sub(u.FetchedAt))
	require.Equal(t, 3600*time.Second, u.TicketExpiresAt.Sub(u.FetchedAt))
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
}
