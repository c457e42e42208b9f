package billing_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/kyctest"
)

// TestMemoryStoreMergesBySeq: a pull's items replace the saved ones of the same Seq and add the
// new ones; items without a Seq are replaced as a whole by the latest pull's.
func TestMemoryStoreMergesBySeq(t *testing.T) {
	ctx := context.Background()
	m := billing.NewMemoryStore()
	require.ErrorIs(t, m.SaveToken(ctx, billing.TokenRecord{}), kyc.ErrInvalidInput)
	item := func(seq, code string) kyc.LivenessDetail { return kyc.LivenessDetail{Seq: seq, ErrCode: code} }
	require.NoError(t, m.MarkPulled(ctx, "T", false, []kyc.LivenessDetail{item("a", "2016"), item("", "1001")}))
	require.NoError(t, m.MarkPulled(ctx, "T", false, []kyc.LivenessDetail{item("a", "0"), item("b", "2016"), item("", "1003")}))
	require.NoError(t, m.MarkPulled(ctx, "T", true, nil), "a lost token keeps what was saved")
	require.Equal(t, []billing.SavedToken{{BizToken: "T", Details: []kyc.LivenessDetail{item("a", "0"), item("b", "2016"), item("", "1003")}}}, m.Saved())
	st, _ := m.State("T")
	require.True(t, st.Final)
	require.Equal(t, 3, st.Pulls)
	require.NoError(t, m.MarkPulled(ctx, "D", false, []kyc.LivenessDetail{item("d", "2016"), item("d", "0")}))
	require.Equal(t, []kyc.LivenessDetail{item("d", "0")}, m.Saved()[0].Details, "a Seq listed twice in one pull is kept once, the later")
}

// TestMemoryStoreListsOldestFirst: ties on CreatedAt go by BizToken; final tokens and those
// created at or after the bound are left out.
func TestMemoryStoreListsOldestFirst(t *testing.T) {
	ctx := context.Background()
	m := billing.NewMemoryStore()
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, r := range []billing.TokenRecord{{BizToken: "c", CreatedAt: t0}, {BizToken: "b", CreatedAt: t0.Add(time.Minute)},
		{BizToken: "a", CreatedAt: t0}, {BizToken: "done", CreatedAt: t0}, {BizToken: "late", CreatedAt: t0.Add(2 * time.Minute)}} {
		require.NoError(t, m.SaveToken(ctx, r))
	}
	require.NoError(t, m.MarkPulled(ctx, "done", true, nil))
	got, err := m.ListUnfinal(ctx, t0.Add(2*time.Minute))
	require.NoError(t, err)
	var names []string
	for _, r := range got {
		names = append(names, r.BizToken)
	}
	require.Equal(t, []string{"a", "c", "b"}, names)
}

// youngStore lists every token, however young, as a store with a coarse index might.
type youngStore struct {
	*billing.MemoryStore
	recs []billing.TokenRecord
}

func (s youngStore) ListUnfinal(context.Context, time.Time) ([]billing.TokenRecord, error) {
	return s.recs, nil
}

// TestSweeperAgeBoundaries: a token MinAge old is pulled and a younger one skipped, even when
// the store lists it; a failed token is final only past FinalAfter; at ResultRetention it is
// lost without a request.
func TestSweeperAgeBoundaries(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	mint := func(code string) string {
		a, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
		require.NoError(t, err)
		require.NoError(t, srv.CompleteDetect(a.BizToken, kyctest.DetectAttempt{ErrCode: code}))
		return a.BizToken
	}
	clock := &fixedClock{t: srv.Clock.Now()} // the sweeper's now, exact
	now := clock.Now()
	old, young := mint("2016"), mint("2016")
	store := youngStore{MemoryStore: billing.NewMemoryStore(), recs: []billing.TokenRecord{
		{BizToken: old, RuleID: kyctest.DefaultRuleID, CreatedAt: now.Add(-5 * time.Minute)},
		{BizToken: young, RuleID: kyctest.DefaultRuleID, CreatedAt: now.Add(-5*time.Minute + time.Nanosecond)}}}
	sw := billing.NewSweeper(c, store)
	sw.Clock = clock
	res, err := sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 1, Skipped: 1}, res)

	// Final after FinalAfter, not at it.
	failing := mint("2016")
	m := billing.NewMemoryStore()
	require.NoError(t, m.SaveToken(ctx, billing.TokenRecord{BizToken: failing, RuleID: kyctest.DefaultRuleID, CreatedAt: now.Add(-billing.FinalAfter)}))
	sw = billing.NewSweeper(c, m)
	sw.Clock = clock
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 1}, res, "exactly FinalAfter old: not final yet")
	clock.t = clock.t.Add(time.Nanosecond)
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 1, Final: 1}, res)

	// Lost at ResultRetention: no request.
	gone := mint("2016")
	m = billing.NewMemoryStore()
	require.NoError(t, m.SaveToken(ctx, billing.TokenRecord{BizToken: gone, RuleID: kyctest.DefaultRuleID, CreatedAt: now.Add(-kyc.ResultRetention)}))
	before := srv.Requests("GetDetectInfoEnhanced")
	var logs bytes.Buffer
	sw = billing.NewSweeper(c, m)
	sw.Clock = &fixedClock{t: now}
	sw.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Lost: []string{gone}}, res)
	require.Equal(t, before, srv.Requests("GetDetectInfoEnhanced"))
	require.Contains(t, logs.String(), "count=1")
	logs.Reset()
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{}, res)
	require.Empty(t, logs.String(), "a sweep that lost nothing warns of nothing")
}

// fixedClock stands still until the test moves it.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// countingStore counts the sweeps Run makes (each lists the store once).
type countingStore struct {
	*billing.MemoryStore
	mu    sync.Mutex
	lists int
}

func (s *countingStore) ListUnfinal(ctx context.Context, before time.Time) ([]billing.TokenRecord, error) {
	s.mu.Lock()
	s.lists++
	s.mu.Unlock()
	return s.MemoryStore.ListUnfinal(ctx, before)
}

func (s *countingStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

// TestSweeperRunInterval: Every at most a day (a day is allowed); zero takes the default (30
// minutes: one sweep, then a wait); a sweep with failures is logged, one without is not.
func TestSweeperRunInterval(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	store := &countingStore{MemoryStore: billing.NewMemoryStore()}
	sw := sweeper(srv, c, store)
	sw.Every = 24*time.Hour + time.Nanosecond
	var ie *kyc.InputError
	require.ErrorAs(t, sw.Run(context.Background()), &ie)
	require.Zero(t, store.count(), "refused before any sweep")

	for _, every := range []time.Duration{24 * time.Hour, 0} {
		ctx, cancel := context.WithCancel(context.Background())
		sw.Every = every
		done := make(chan error)
		before := store.count()
		go func() { done <- sw.Run(ctx) }()
		require.Eventually(t, func() bool { return store.count() == before+1 }, 5*time.Second, time.Millisecond)
		time.Sleep(50 * time.Millisecond)
		require.Equal(t, before+1, store.count(), "Every %v: one sweep, then a wait", every)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	}

	// A failing pull is logged by Run (metadata only); a clean sweep is not.
	ctx := context.Background()
	a, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	require.NoError(t, err)
	require.NoError(t, store.SaveToken(ctx, billing.TokenRecord{BizToken: a.BizToken, RuleID: kyctest.DefaultRuleID, CreatedAt: srv.Clock.Now().Add(-time.Hour)}))
	sw.Every = time.Hour
	for _, fail := range []bool{true, false} {
		if fail {
			srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Code: "InvalidParameterValue", Times: 1})
		}
		// The log is read once Run has returned (<-done), so it needs no lock.
		var logs bytes.Buffer
		sw.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		sent := srv.Requests("GetDetectInfoEnhanced")
		st, _ := store.State(a.BizToken)
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- sw.Run(rctx) }()
		require.Eventually(t, func() bool {
			if fail {
				return srv.Requests("GetDetectInfoEnhanced") > sent // answered with the fault, or cut off: either fails the sweep
			}
			now, _ := store.State(a.BizToken)
			return now.Pulls > st.Pulls // pulled: that sweep can no longer fail
		}, 5*time.Second, time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		if fail {
			require.Contains(t, logs.String(), "sweep had failures")
			require.Contains(t, logs.String(), "failed=1")
			require.NotContains(t, logs.String(), a.BizToken)
		} else {
			require.NotContains(t, logs.String(), "sweep had failures")
		}
	}
}
