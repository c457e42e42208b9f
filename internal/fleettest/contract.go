package fleettest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
)

// Unit returns a made-up unit of appID fetched at at, with a token and ticket that say so.
func Unit(appID string, at time.Time, fence uint64) *kyc.TicketUnit {
	stamp := at.UTC().Format("150405.000000000")
	return &kyc.TicketUnit{
		AppID:           appID,
		AccessToken:     "TOKEN-" + stamp,
		SignTicket:      "TICKET-" + stamp,
		FetchedAt:       at,
		TokenExpiresAt:  at.Add(2 * time.Hour),
		TicketExpiresAt: at.Add(time.Hour),
		Fence:           fence,
	}
}

// RequireSameUnit compares units field by field (times with Equal: a store may drop the
// monotonic reading and the location).
func RequireSameUnit(t testing.TB, want, got *kyc.TicketUnit) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, want.AppID, got.AppID)
	require.Equal(t, want.AccessToken, got.AccessToken)
	require.Equal(t, want.SignTicket, got.SignTicket)
	require.Equal(t, want.Fence, got.Fence)
	require.True(t, want.FetchedAt.Equal(got.FetchedAt), "FetchedAt %v != %v", want.FetchedAt, got.FetchedAt)
	require.True(t, want.TokenExpiresAt.Equal(got.TokenExpiresAt))
	require.True(t, want.TicketExpiresAt.Equal(got.TicketExpiresAt))
}

// Contract checks that a TicketStore keeps the TicketStore contract. open returns a new handle
// on one backing store at each call (for a MemoryStore, the same store), which starts empty for
// every subtest: open is called afresh by each one, with its own t.
func Contract(t *testing.T, open func(t testing.TB) kyc.TicketStore) {
	const app = "IDACONTRACT"
	ctx := context.Background()
	now := time.Now()

	t.Run("empty", func(t *testing.T) {
		u, err := open(t).Load(ctx, app)
		require.NoError(t, err)
		require.Nil(t, u)
	})
	t.Run("save then load from another handle", func(t *testing.T) {
		a := open(t)
		b := open(t)
		u := Unit(app, now, 0)
		require.NoError(t, a.Save(ctx, u))
		got, err := b.Load(ctx, app)
		require.NoError(t, err)
		RequireSameUnit(t, u, got)
		other, err := b.Load(ctx, "IDAOTHER")
		require.NoError(t, err)
		require.Nil(t, other, "appIds are kept apart")
	})
	t.Run("an older unit never replaces a newer one", func(t *testing.T) {
		s := open(t)
		newer, older := Unit(app, now, 0), Unit(app, now.Add(-time.Minute), 0)
		require.NoError(t, s.Save(ctx, newer))
		require.ErrorIs(t, s.Save(ctx, older), kyc.ErrUnitSuperseded)
		require.ErrorIs(t, s.Save(ctx, newer), kyc.ErrUnitSuperseded, "nor does the same one")
		got, err := s.Load(ctx, app)
		require.NoError(t, err)
		RequireSameUnit(t, newer, got)
		newest := Unit(app, now.Add(time.Minute), 0)
		require.NoError(t, s.Save(ctx, newest))
	})
	t.Run("a bad unit is refused", func(t *testing.T) {
		s := open(t)
		require.Error(t, s.Save(ctx, nil))
		u := Unit(app, now, 0)
		u.SignTicket = ""
		require.Error(t, s.Save(ctx, u))
		got, err := s.Load(ctx, app)
		require.NoError(t, err)
		require.Nil(t, got)
	})
	t.Run("a lease is exclusive until released", func(t *testing.T) {
		a, b := open(t), open(t)
		l, err := a.Lease(ctx, app, time.Minute)
		require.NoError(t, err)
		_, err = b.Lease(ctx, app, time.Minute)
		require.ErrorIs(t, err, kyc.ErrLeaseHeld)
		_, err = a.Lease(ctx, app, time.Minute)
		require.ErrorIs(t, err, kyc.ErrLeaseHeld, "even for the same handle")
		other, err := b.Lease(ctx, "IDAOTHER", time.Minute)
		require.NoError(t, err, "leases are per appId")
		require.NoError(t, other.Release(ctx))
		require.NoError(t, l.Release(ctx))
		l2, err := b.Lease(ctx, app, time.Minute)
		require.NoError(t, err)
		require.NoError(t, l2.Release(ctx))
	})
	t.Run("a lease runs out by itself", func(t *testing.T) {
		a, b := open(t), open(t)
		l1, err := a.Lease(ctx, app, 700*time.Millisecond)
		require.NoError(t, err)
		_, err = b.Lease(ctx, app, time.Minute)
		require.ErrorIs(t, err, kyc.ErrLeaseHeld)
		time.Sleep(900 * time.Millisecond) // a dead holder never releases
		l2, err := b.Lease(ctx, app, time.Minute)
		require.NoError(t, err, "taken over once the time passed")
		require.NoError(t, l1.Release(ctx), "a late release is harmless...")
		_, err = a.Lease(ctx, app, time.Minute)
		require.ErrorIs(t, err, kyc.ErrLeaseHeld, "...and does not end the successor's lease")
		require.NoError(t, l2.Release(ctx))
	})
	t.Run("fences grow and refuse a late writer", func(t *testing.T) {
		a, b := open(t), open(t)
		l1, err := a.Lease(ctx, app, 200*time.Millisecond)
		require.NoError(t, err)
		f1 := fence(t, l1)
		time.Sleep(300 * time.Millisecond) // l1's holder stalls past its time
		l2, err := b.Lease(ctx, app, time.Minute)
		require.NoError(t, err)
		f2 := fence(t, l2)
		require.Greater(t, f2, f1)

		// The stalled holder's unit was fetched later, but under the older lease: refused,
		// before and after the successor saves.
		late := Unit(app, now.Add(time.Second), f1)
		require.ErrorIs(t, a.Save(ctx, late), kyc.ErrUnitSuperseded)
		succ := Unit(app, now, f2)
		require.NoError(t, b.Save(ctx, succ))
		require.ErrorIs(t, a.Save(ctx, late), kyc.ErrUnitSuperseded)
		got, err := a.Load(ctx, app)
		require.NoError(t, err)
		RequireSameUnit(t, succ, got)
		require.NoError(t, l2.Release(ctx))

		l3, err := a.Lease(ctx, app, time.Minute)
		require.NoError(t, err)
		require.Greater(t, fence(t, l3), f2)
		require.NoError(t, l3.Release(ctx))
	})
	t.Run("query counts", func(t *testing.T) {
		a, b := open(t), open(t)
		qa, ok := a.(kyc.QueryCounter)
		require.True(t, ok, "every store of the project counts queries (kyc.QueryCounter)")
		qb := b.(kyc.QueryCounter)
		const keep = 10 * time.Minute
		at := now.Truncate(time.Millisecond)
		for i := 1; i <= 3; i++ {
			q := qa
			if i == 2 {
				q = qb
			}
			n, first, err := q.CountQuery(ctx, app, "nfcq:r1", at.Add(time.Duration(i)*time.Second), keep)
			require.NoError(t, err)
			require.Equal(t, i, n)
			require.True(t, first.Equal(at.Add(time.Second)), "first %v", first)
		}
		n, _, err := qb.CountQuery(ctx, "IDAOTHER", "nfcq:r1", at, keep)
		require.NoError(t, err)
		require.Equal(t, 1, n, "appIds are kept apart")
		n, _, err = qb.CountQuery(ctx, app, "nfcq:r2", at, keep)
		require.NoError(t, err)
		require.Equal(t, 1, n, "keys are kept apart")
		n, first, err := qa.CountQuery(ctx, app, "nfcq:r1", at.Add(time.Second+keep), keep)
		require.NoError(t, err)
		require.Equal(t, 1, n, "forgotten keep after the first count")
		require.True(t, first.Equal(at.Add(time.Second+keep)))
		_, _, err = qa.CountQuery(ctx, app, "", at, keep)
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
		_, _, err = qa.CountQuery(ctx, "../x", "k", at, keep)
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
	})
	t.Run("one winner among many", func(t *testing.T) {
		handles := make([]kyc.TicketStore, 4)
		for i := range handles {
			handles[i] = open(t)
		}
		var wg sync.WaitGroup
		results := make(chan error, 40)
		for i := range 40 {
			wg.Go(func() {
				_, err := handles[i%len(handles)].Lease(ctx, app, time.Minute)
				results <- err
			})
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, kyc.ErrLeaseHeld)
		}
		require.Equal(t, 1, won)
	})
}

func fence(t testing.TB, l kyc.Lease) uint64 {
	t.Helper()
	fl, ok := l.(kyc.FencedLease)
	require.True(t, ok, "the store's leases carry a fence")
	require.NotZero(t, fl.Fence())
	return fl.Fence()
}

// PerTest returns a function that calls create once per test and hands its result to every
// later call with the same t: the backing store that all of a test's handles share.
func PerTest[T any](create func(t testing.TB) T) func(t testing.TB) T {
	var mu sync.Mutex
	made := map[testing.TB]T{}
	return func(t testing.TB) T {
		mu.Lock()
		defer mu.Unlock()
		v, ok := made[t]
		if !ok {
			v = create(t)
			made[t] = v
		}
		return v
	}
}
