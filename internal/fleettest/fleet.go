// Package fleettest runs fleets of kyc clients that share one TicketStore against a kyctest
// server, and checks the TicketStore contract. The tests of the root package (MemoryStore,
// FileStore) and of the redisstore module share it, so every store is held to the same
// scenarios.
//
// A fleet is several clients, each with its own ticket state and its own store handle (its
// own connections, files or lock), as separate instances would have, all on one fake service
// whose Clock they share: a test moves time by whole refresh periods and counts the token
// fetches the service saw.
package fleettest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Config describes a fleet.
type Config struct {
	Clients    int // instances; default 8
	Goroutines int // callers per instance; default 100 for Periods, 20 for the others
	// Store returns instance i's handle on the shared store. Each call must return a new handle
	// (a MemoryStore, being in-process, may be returned every time).
	Store func(t testing.TB, i int) kyc.TicketStore
	// RefreshTimeout bounds a refresh (kyc.WithRefreshTimeout); the lease lasts 1.25 times as
	// long. Default 10 s: hundreds of busy callers under -race on two cores can make a fetch
	// take seconds, and a lease that runs out mid-fetch rightly lets a second instance fetch.
	// DeadLeader uses 2 s unless set, so that the dead leader's lease runs out quickly.
	RefreshTimeout time.Duration
}

func (c *Config) defaults() {
	if c.Clients == 0 {
		c.Clients = 8
	}
	if c.Goroutines == 0 {
		c.Goroutines = 20
	}
	if c.RefreshTimeout == 0 {
		c.RefreshTimeout = 10 * time.Second
	}
}

// leaseTTL is the lease time the clients ask for (see kyc.WithRefreshTimeout).
func (c *Config) leaseTTL() time.Duration { return c.RefreshTimeout + c.RefreshTimeout/4 }

// Fleet is a running fleet.
type Fleet struct {
	T       testing.TB
	Srv     *kyctest.Server
	Clients []*kyc.Client
	cfg     Config
}

// RefreshAfter is the clients' refresh age (the kyc default).
const RefreshAfter = 20 * time.Minute // the client's default (WithRefreshAfter)

// New starts a kyctest server and cfg.Clients clients on it. extra, when not nil, adds options
// for instance i (they come last, so they win).
func New(t testing.TB, cfg Config, extra func(i int) []kyc.Option) *Fleet {
	t.Helper()
	cfg.defaults()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	f := &Fleet{T: t, Srv: srv, cfg: cfg}
	for i := range cfg.Clients {
		opts := []kyc.Option{
			kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithTicketStore(cfg.Store(t, i)),
			kyc.WithStoreRecheck(time.Second),
			kyc.WithRefreshTimeout(cfg.RefreshTimeout),
			kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond),
		}
		if extra != nil {
			opts = append(opts, extra(i)...)
		}
		c, err := kyc.New(srv.AppID, srv.Secret, opts...)
		require.NoError(t, err)
		f.Clients = append(f.Clients, c)
	}
	return f
}

// Fetches is how many access tokens the service has issued.
func (f *Fleet) Fetches() int { return f.Srv.Requests(kyctest.EndpointAccessToken) }

// Call is what one caller does once: take the SIGN ticket and, when checkSign, check that the
// service still accepts it (as a signed call would); with nonce, also fetch a NONCE ticket, which
// the service accepts only under a live access token.
func (f *Fleet) Call(c *kyc.Client, user string, checkSign, nonce bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tk, err := c.SignTicket(ctx)
	if err != nil {
		return err
	}
	if checkSign && !slices.Contains(f.Srv.CurrentSignTickets(f.Srv.AppID), tk) {
		return errors.New("handed out a SIGN ticket the service no longer accepts (it would answer 400101)")
	}
	if nonce {
		_, err = c.NonceTicket(ctx, user)
	}
	return err
}

// Drive runs cfg.Goroutines callers on each of the given clients (all when none), each making
// calls calls, and returns the errors they saw. The first call of every tenth caller also takes
// a NONCE ticket: enough to check the token at the service without flooding it.
func (f *Fleet) Drive(calls int, checkSign bool, clients ...int) []error {
	if len(clients) == 0 {
		for i := range f.Clients {
			clients = append(clients, i)
		}
	}
	return f.run(clients, checkSign, func(n int) bool { return n < calls }, func(n, g int) bool { return n == 0 && g%10 == 0 }, 0)()
}

// Callers keeps cfg.Goroutines callers per given client calling until stop is called, which
// returns the errors they saw. Each caller pauses between calls, and takes a NONCE ticket
// every 50th call, so that a 2-core machine under -race still runs the refreshes on time.
func (f *Fleet) Callers(checkSign bool, clients ...int) (stop func() []error) {
	var done atomic.Bool
	wait := f.run(clients, checkSign, func(int) bool { return !done.Load() }, func(n, _ int) bool { return n%50 == 0 }, 10*time.Millisecond)
	return func() []error {
		done.Store(true)
		return wait()
	}
}

// run starts cfg.Goroutines callers on each of clients: caller g of client i makes call n
// while more(n), with a NONCE ticket when nonce(n, g), pausing pause after each. wait waits for
// them and returns the errors they saw.
func (f *Fleet) run(clients []int, checkSign bool, more func(n int) bool, nonce func(n, g int) bool, pause time.Duration) (wait func() []error) {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, i := range clients {
		for g := range f.cfg.Goroutines {
			wg.Go(func() {
				for n := 0; more(n); n++ {
					if err := f.Call(f.Clients[i], fmt.Sprintf("u%dg%d", i, g), checkSign, nonce(n, g)); err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("client %d: %w", i, err))
						mu.Unlock()
					}
					if pause > 0 {
						time.Sleep(pause)
					}
				}
			})
		}
	}
	return func() []error {
		wg.Wait()
		return errs
	}
}

// Token returns the access token client i holds now.
func (f *Fleet) Token(i int) string {
	u, err := f.Clients[i].Tickets(context.Background())
	if err != nil {
		return "error: " + err.Error()
	}
	return u.AccessToken
}

// WaitConverged waits until every given client (all when none) holds the same unit, and one
// other than not, and returns its access token.
func (f *Fleet) WaitConverged(not string, within time.Duration, clients ...int) string {
	f.T.Helper()
	if len(clients) == 0 {
		for i := range f.Clients {
			clients = append(clients, i)
		}
	}
	var tok string
	require.Eventually(f.T, func() bool {
		tok = f.Token(clients[0])
		if tok == not || len(tok) > 6 && tok[:6] == "error:" {
			return false
		}
		for _, i := range clients[1:] {
			if f.Token(i) != tok {
				return false
			}
		}
		return true
	}, within, 20*time.Millisecond, "the clients did not converge on one new unit")
	return tok
}

// RequireNoErrors fails with the first few errors, if any.
func RequireNoErrors(t testing.TB, errs []error) {
	t.Helper()
	if len(errs) > 0 {
		require.NoError(t, errors.Join(errs[:min(len(errs), 5)]...), "%d calls failed", len(errs))
	}
}

// Periods runs the fleet through a cold start and then periods refresh periods: each period the
// shared clock moves by RefreshAfter, every caller keeps calling, and the fleet must fetch
// exactly one access token in total and adopt it everywhere, with no caller ever handed a
// ticket the service refuses.
func Periods(t *testing.T, cfg Config, periods int) {
	if cfg.Goroutines == 0 {
		cfg.Goroutines = 100
	}
	f := New(t, cfg, nil)
	RequireNoErrors(t, f.Drive(3, true))
	tok := f.WaitConverged("", 5*time.Second)
	require.Equal(t, 1, f.Fetches(), "cold start: one fetch for the whole fleet")
	for p := 1; p <= periods; p++ {
		f.Srv.Clock.Advance(RefreshAfter)
		RequireNoErrors(t, f.Drive(5, true))
		tok = f.WaitConverged(tok, 10*time.Second)
		time.Sleep(300 * time.Millisecond) // a straggler would fetch now
		require.Equal(t, p+1, f.Fetches(), "period %d: one fetch for the whole fleet", p)
		require.Equal(t, p+1, f.Srv.Requests(kyctest.EndpointSignTicket), "period %d", p)
	}
}

// DeadLeader makes instance 0 the refresher and kills it in the middle of the refresh: its
// requests are cancelled and its lease is never released, as if the process died. Another
// instance must take over once the lease runs out, and no caller of the others may fail.
func DeadLeader(t *testing.T, cfg Config) {
	if cfg.RefreshTimeout == 0 {
		cfg.RefreshTimeout = 2 * time.Second
	}
	cfg.defaults()
	rt := &killableTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	rt.ctx, rt.kill = context.WithCancel(context.Background())
	store := &killableStore{}
	f := New(t, cfg, func(i int) []kyc.Option {
		if i != 0 {
			return nil
		}
		store.TicketStore = cfg.Store(t, 0)
		return []kyc.Option{kyc.WithTicketStore(store), kyc.WithHTTPClient(&http.Client{Transport: rt})}
	})
	ctx := context.Background()
	_, err := f.Clients[0].SignTicket(ctx)
	require.NoError(t, err)
	RequireNoErrors(t, f.Drive(2, true))
	first := f.WaitConverged("", 5*time.Second)
	require.Equal(t, 1, f.Fetches())

	// The next token fetch hangs; instance 0 is the first to notice the refresh age.
	f.Srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Latency: time.Minute, Times: 1})
	f.Srv.Clock.Advance(RefreshAfter)
	_, err = f.Clients[0].SignTicket(ctx)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return f.Fetches() == 2 }, 5*time.Second, 5*time.Millisecond,
		"instance 0 should be fetching under the lease")

	survivors := make([]int, 0, len(f.Clients)-1)
	for i := 1; i < len(f.Clients); i++ {
		survivors = append(survivors, i)
	}
	stop := f.Callers(true, survivors...)
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, 2, f.Fetches(), "nobody fetches while the leader holds the lease")

	killed := time.Now()
	store.dead.Store(true)
	rt.kill()
	require.Eventually(t, func() bool { return f.Fetches() == 3 }, cfg.leaseTTL()+5*time.Second, 5*time.Millisecond,
		"another instance takes over")
	took := time.Since(killed)
	f.WaitConverged(first, 10*time.Second, survivors...)
	RequireNoErrors(t, stop())
	// The lease was taken before the leader died, so it runs out within leaseTTL of the death;
	// the survivors notice at their next poll of the store.
	require.LessOrEqual(t, took, cfg.leaseTTL()+500*time.Millisecond, "takeover within the lease time")
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, 3, f.Fetches(), "the dead leader's fetch, then exactly one takeover")
	t.Logf("takeover fetch %v after the leader died (lease %v)", took.Round(time.Millisecond), cfg.leaseTTL())
}

// StoreOutage takes the store away (down) and brings it back (up) while the fleet runs.
//
// While it is away and the held unit is valid, every instance keeps serving it and none fetches,
// even past the refresh age: a fetch would cut the others' token with no way to hand them the
// new one. When it returns, the fleet refreshes once. When the outage outlives the unit, each
// instance fetches once for itself (bounded, not once per call), and after the store returns
// the fleet converges on one unit again.
func StoreOutage(t *testing.T, cfg Config, down, up func()) {
	f := New(t, cfg, nil)
	RequireNoErrors(t, f.Drive(3, true))
	u0 := f.WaitConverged("", 5*time.Second)
	require.Equal(t, 1, f.Fetches())

	down()
	for range 3 {
		f.Srv.Clock.Advance(RefreshAfter / 2)
		RequireNoErrors(t, f.Drive(5, true))
		time.Sleep(200 * time.Millisecond) // background refreshes try the store and fail
	}
	require.Equal(t, 1, f.Fetches(), "no fetch while the store is down and the unit is valid")
	for i := range f.Clients {
		require.Equal(t, u0, f.Token(i), "client %d keeps serving the unit it holds", i)
	}

	up()
	f.Srv.Clock.Advance(2 * time.Minute) // past any back-off
	var u1 string
	var errs []error // require must not run inside Eventually's goroutine
	require.Eventually(t, func() bool {
		errs = append(errs, f.Drive(1, true)...)
		tok := f.Token(0)
		for i := range f.Clients {
			if f.Token(i) != tok {
				return false
			}
		}
		u1 = tok
		return tok != u0
	}, 15*time.Second, 50*time.Millisecond, "the fleet recovers when the store returns")
	RequireNoErrors(t, errs)
	time.Sleep(300 * time.Millisecond)
	require.Equal(t, 2, f.Fetches(), "one refresh for the fleet once the store is back")

	// An outage that outlives the unit: each instance fetches its own, once.
	down()
	f.Srv.Clock.Advance(time.Hour + time.Minute)
	RequireNoErrors(t, f.Drive(5, true))
	during := f.Fetches()
	require.Greater(t, during, 2, "the expired unit was replaced")
	require.LessOrEqual(t, during, 2+len(f.Clients), "at most one fetch per instance, not per call")
	up()
	// Their tokens cut one another: past the overlap only the last one fetched lives. Calls
	// refused for a dead token re-read the store, and the fleet settles on one unit again.
	f.Srv.Clock.Advance(kyctest.DefaultOverlap + time.Second)
	require.Eventually(t, func() bool {
		errs = append(errs, f.Drive(1, false)...)
		f.Srv.Clock.Advance(kyctest.DefaultOverlap + time.Second)
		tok := f.Token(0)
		for i := range f.Clients {
			if f.Token(i) != tok {
				return false
			}
		}
		return tok != u1
	}, 20*time.Second, 50*time.Millisecond, "the fleet settles on one unit after a long outage")
	RequireNoErrors(t, errs)
	RequireNoErrors(t, f.Drive(3, true))
	require.LessOrEqual(t, f.Fetches(), during+2, "recovery costs a fetch or two, not one per instance")
}

// killableStore drops Release and fails everything else once dead, as a dead process would.
type killableStore struct {
	kyc.TicketStore
	dead atomic.Bool
}

var errDead = errors.New("fleettest: instance is dead")

func (s *killableStore) Save(ctx context.Context, u *kyc.TicketUnit) error {
	if s.dead.Load() {
		return errDead
	}
	return s.TicketStore.Save(ctx, u)
}

func (s *killableStore) Lease(ctx context.Context, appID string, ttl time.Duration) (kyc.Lease, error) {
	if s.dead.Load() {
		return nil, errDead
	}
	l, err := s.TicketStore.Lease(ctx, appID, ttl)
	if err != nil {
		return nil, err
	}
	fl, _ := l.(kyc.FencedLease)
	return &killableLease{Lease: l, fenced: fl, store: s}, nil
}

type killableLease struct {
	kyc.Lease
	fenced kyc.FencedLease
	store  *killableStore
}

func (l *killableLease) Fence() uint64 {
	if l.fenced == nil {
		return 0
	}
	return l.fenced.Fence()
}

func (l *killableLease) Release(ctx context.Context) error {
	if l.store.dead.Load() {
		return errDead // never released: the lease must run out by itself
	}
	return l.Lease.Release(ctx)
}

// killableTransport cancels every request in flight, and refuses new ones, once killed.
type killableTransport struct {
	base http.RoundTripper
	ctx  context.Context
	kill context.CancelFunc
}

func (k *killableTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if k.ctx.Err() != nil {
		return nil, errDead
	}
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(k.ctx, cancel)
	resp, err := k.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		stop()
		cancel()
		return nil, err
	}
	resp.Body = &closeHook{ReadCloser: resp.Body, done: func() { stop(); cancel() }}
	return resp, nil
}

type closeHook struct {
	io.ReadCloser
	done func()
}

func (c *closeHook) Close() error {
	err := c.ReadCloser.Close()
	c.done()
	return err
}
