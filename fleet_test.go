package kyc_test

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/fleettest"
	"github.com/kycgo/kyc/kyctest"
)

// Fleets in one process: each client has its own ticket state and its own store handle, as
// separate instances would. The same scenarios run against Redis in the redisstore module.

func TestMemoryStoreContract(t *testing.T) {
	fleettest.Contract(t, fleettest.PerTest(func(testing.TB) kyc.TicketStore { return kyc.NewMemoryStore() }))
}

func TestFleetMemoryStore(t *testing.T) {
	shared := func() fleettest.Config {
		s := kyc.NewMemoryStore()
		return fleettest.Config{Store: func(testing.TB, int) kyc.TicketStore { return s }}
	}
	t.Run("one fetch per period", func(t *testing.T) { fleettest.Periods(t, shared(), 5) })
	t.Run("dead leader", func(t *testing.T) { fleettest.DeadLeader(t, shared()) })
	t.Run("store outage", func(t *testing.T) {
		s := kyc.NewMemoryStore()
		var down atomic.Bool
		cfg := fleettest.Config{Store: func(testing.TB, int) kyc.TicketStore { return &switchedStore{TicketStore: s, down: &down} }}
		fleettest.StoreOutage(t, cfg, func() { down.Store(true) }, func() { down.Store(false) })
	})
}

func TestFleetFileStore(t *testing.T) {
	onDir := func(t *testing.T, dir string) fleettest.Config {
		return fleettest.Config{Store: func(t testing.TB, _ int) kyc.TicketStore {
			s, err := kyc.NewFileStore(dir)
			require.NoError(t, err)
			return s
		}}
	}
	t.Run("one fetch per period", func(t *testing.T) { fleettest.Periods(t, onDir(t, t.TempDir()), 5) })
	t.Run("dead leader", func(t *testing.T) { fleettest.DeadLeader(t, onDir(t, t.TempDir())) })
	t.Run("store outage", func(t *testing.T) {
		// The directory disappears (an unmounted volume) and comes back. Permissions would not
		// do: CI runs as root.
		dir := t.TempDir() + "/tickets"
		fleettest.StoreOutage(t, onDir(t, dir),
			func() { require.NoError(t, os.Rename(dir, dir+".away")) },
			func() { require.NoError(t, os.Rename(dir+".away", dir)) })
	})
}

// switchedStore fails every call while down, as an unreachable store does.
type switchedStore struct {
	kyc.TicketStore
	down *atomic.Bool
}

var errStoreDown = errors.New("store unreachable")

func (s *switchedStore) Load(ctx context.Context, appID string) (*kyc.TicketUnit, error) {
	if s.down.Load() {
		return nil, errStoreDown
	}
	return s.TicketStore.Load(ctx, appID)
}

func (s *switchedStore) Save(ctx context.Context, u *kyc.TicketUnit) error {
	if s.down.Load() {
		return errStoreDown
	}
	return s.TicketStore.Save(ctx, u)
}

func (s *switchedStore) Lease(ctx context.Context, appID string, ttl time.Duration) (kyc.Lease, error) {
	if s.down.Load() {
		return nil, errStoreDown
	}
	return s.TicketStore.Lease(ctx, appID, ttl)
}

// A stale-ticket answer makes a follower re-read the store before fetching: the unit another
// instance saved is adopted and the call retried with it, with no fetch of its own.
func TestStaleAnswerAdoptsStoredUnitBeforeFetching(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	store := kyc.NewMemoryStore()
	mk := func() *kyc.Client {
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithTicketStore(store), kyc.WithStoreRecheck(50*time.Second))
		require.NoError(t, err)
		return c
	}
	leader, follower := mk(), mk()
	ctx := context.Background()
	_, err := leader.SignTicket(ctx)
	require.NoError(t, err)
	_, err = follower.SignTicket(ctx)
	require.NoError(t, err)
	require.NoError(t, leader.RefreshTickets(ctx))
	fresh, err := leader.AccessToken(ctx)
	require.NoError(t, err)

	// The follower's token dies with the overlap; its next call is refused once, re-reads the
	// store and is retried with the leader's unit.
	srv.Clock.Advance(kyctest.DefaultOverlap + time.Second)
	srv.ResetCounts()
	_, err = follower.NonceTicket(ctx, "user001")
	require.NoError(t, err)
	require.Equal(t, 0, srv.Requests(kyctest.EndpointAccessToken), "adopted, not fetched")
	require.Equal(t, 2, srv.Requests(kyctest.EndpointNonceTicket), "refused once, retried once")
	got, err := follower.AccessToken(ctx)
	require.NoError(t, err)
	require.Equal(t, fresh, got)
}

// A refresher whose unit the store refuses (a newer one was saved while it fetched) adopts the
// stored unit, so that the fleet keeps using one unit.
func TestSupersededSaveAdoptsTheStoredUnit(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	store := kyc.NewMemoryStore()
	other, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
	require.NoError(t, err)
	var successor atomic.Pointer[kyc.TicketUnit]
	racing := &raceStore{MemoryStore: store, beforeSave: func() {
		// Another instance saves a unit fetched after ours, just before our save lands. (This
		// runs in the refresh goroutine: assert, not require.)
		u, err := other.Tickets(context.Background())
		if assert.NoError(t, err) && assert.NoError(t, store.Save(context.Background(), &u)) {
			successor.Store(&u)
		}
	}}
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithTicketStore(racing))
	require.NoError(t, err)
	tk, err := c.SignTicket(context.Background())
	require.NoError(t, err)
	require.NotNil(t, successor.Load())
	require.Equal(t, successor.Load().SignTicket, tk, "the stored unit wins")
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
}

type raceStore struct {
	*kyc.MemoryStore
	beforeSave func()
	once       atomic.Bool
}

func (s *raceStore) Save(ctx context.Context, u *kyc.TicketUnit) error {
	if s.once.CompareAndSwap(false, true) {
		s.beforeSave()
	}
	return s.MemoryStore.Save(ctx, u)
}

// While the store is down and the held unit is valid, RefreshTickets refuses rather than cut
// the other instances' token.
func TestForcedRefreshRefusedWhileStoreIsDown(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	var down atomic.Bool
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithTicketStore(&switchedStore{TicketStore: kyc.NewMemoryStore(), down: &down}))
	require.NoError(t, err)
	ctx := context.Background()
	tk, err := c.SignTicket(ctx)
	require.NoError(t, err)
	down.Store(true)
	err = c.RefreshTickets(ctx)
	require.ErrorIs(t, err, errStoreDown)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
	still, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, tk, still)
}

func TestWithRefreshTimeout(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second, time.Millisecond, 6 * time.Minute} {
		_, err := kyc.New(kyctest.DefaultAppID, "secret", kyc.WithRefreshTimeout(d))
		require.ErrorIs(t, err, kyc.ErrInvalidInput, "%v", d)
	}
	// A short refresh timeout fails a hung fetch quickly instead of after 30 s.
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithRefreshTimeout(300*time.Millisecond))
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Latency: time.Minute})
	start := time.Now()
	_, err = c.SignTicket(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 10*time.Second)
}
