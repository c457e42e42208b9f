package kyc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kycgo/kyc/internal/transport"
)

// Method 1 of billing keeps every BizToken and pulls its final details (docs/B-h5-wechat-billing.md §6.1): the
// RedirectUrl handler usually does it, and a sweeper catches the tokens whose redirect never
// came, before the 3-day retention ends.

// BizTokenStore keeps the BizTokens of the WeChat journeys and the details pulled for them (docs/B-h5-wechat-billing.md §6.5). Implementations must be safe for concurrent use.
type BizTokenStore interface {
	// SaveToken records a token as DetectAuth returns it, not yet pulled.
	SaveToken(ctx context.Context, t BizTokenRecord) error
	// MarkPulled records a pull: details is the token's whole LivenessDetail list as just read
	// (keep every item, keyed by Seq: a later pull may add attempts); final says the token will
	// not change any more. A token whose result is gone (past its retention) is marked final
	// with nil details: keep what was saved before.
	MarkPulled(ctx context.Context, bizToken string, final bool, details []LivenessDetail) error
	// ListUnfinal lists the tokens not yet final that were created before createdBefore,
	// oldest first.
	ListUnfinal(ctx context.Context, createdBefore time.Time) ([]BizTokenRecord, error)
}

// BizTokenRecord is a token as the store knows it.
type BizTokenRecord struct {
	BizToken  string
	RuleID    string
	CreatedAt time.Time // when DetectAuth returned it
}

// finalAfter is the age after which a token is final whatever its ErrCode (docs/B-h5-wechat-billing.md §6.1: "more
// than 2 hours"), with a minute of margin for the service's clock: one pull too many is
// harmless, one too few loses attempts.
const finalAfter = bizTokenLifetime + time.Minute

// Sweeper defaults.
const (
	defaultSweepMinAge      = 5 * time.Minute  // tokens younger than this are left to the RedirectUrl handler
	defaultSweepEvery       = 30 * time.Minute // Run's interval
	defaultSweepConcurrency = 4                // pulls in flight (GetDetectInfoEnhanced allows 100/s)
)

// Sweeper pulls GetDetectInfoEnhanced for every token in a BizTokenStore that is not final yet,
// until it is: its ErrCode is 0, or it is more than two hours old (docs/B-h5-wechat-billing.md §6.1). Run it often
// enough that every token is pulled between its second hour and its third day. Make one with
// BillingService.Sweeper; set fields before the first Sweep.
type Sweeper struct {
	Store       BizTokenStore
	MinAge      time.Duration // skip tokens younger than this (default 5 minutes)
	Every       time.Duration // Run's interval (default 30 minutes, at most a day)
	Concurrency int           // pulls in flight (default 4)

	c *Client
}

// Sweeper returns a sweeper over store.
func (s *BillingService) Sweeper(store BizTokenStore) *Sweeper {
	return &Sweeper{Store: store, MinAge: defaultSweepMinAge, Every: defaultSweepEvery,
		Concurrency: defaultSweepConcurrency, c: s.c}
}

// SweepResult says what one sweep did. It holds BizTokens and counts only.
type SweepResult struct {
	Pulled  int      // tokens pulled
	Final   int      // of which now final
	Lost    []string // tokens past the 3-day retention: their details are gone; rely on the bill
	Failed  int      // pulls that failed; they are tried again next sweep
	Skipped int      // tokens younger than MinAge
}

// Sweep pulls every unfinished token once, oldest first. It returns the errors of the failed
// pulls joined (the sweep goes on past them); a failure to list the store ends it.
func (sw *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	if sw.Store == nil || sw.c == nil {
		return res, invalidInput("store", "make the sweeper with Client.Billing.Sweeper(store)")
	}
	now := sw.c.clock.Now()
	minAge := sw.MinAge
	if minAge < 0 {
		minAge = 0
	}
	tokens, err := sw.Store.ListUnfinal(ctx, now.Add(-minAge))
	if err != nil {
		return res, wrapf(err, "sweeper: listing tokens")
	}
	// Oldest first: they are nearest to the end of their retention.
	slices.SortStableFunc(tokens, func(a, b BizTokenRecord) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var mu sync.Mutex
	var errs []error
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(sw.Concurrency, 1))
	for _, t := range tokens {
		if now.Sub(t.CreatedAt) < minAge {
			res.Skipped++
			continue
		}
		g.Go(func() error {
			final, lost, err := sw.pull(gctx, t, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case lost:
				res.Lost = append(res.Lost, t.BizToken)
			case err != nil:
				res.Failed++
				errs = append(errs, err)
			default:
				res.Pulled++
				if final {
					res.Final++
				}
			}
			return nil // one token's failure does not stop the others
		})
	}
	_ = g.Wait()
	slices.Sort(res.Lost)
	if len(res.Lost) > 0 {
		sw.c.log.WarnContext(ctx, "kyc sweeper: BizTokens past the 3-day retention were never pulled final", "count", len(res.Lost))
	}
	return res, joinErrors(errs...)
}

// pull reads one token and records it. lost: its result is gone.
func (sw *Sweeper) pull(ctx context.Context, t BizTokenRecord, now time.Time) (final, lost bool, err error) {
	age := now.Sub(t.CreatedAt)
	if age >= ResultRetention {
		return true, true, sw.Store.MarkPulled(ctx, t.BizToken, true, nil)
	}
	info, err := sw.c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: t.BizToken, RuleID: t.RuleID, Parts: PartText})
	if errors.Is(err, ErrExpired) {
		return true, true, sw.Store.MarkPulled(ctx, t.BizToken, true, nil)
	}
	if err != nil {
		return false, false, wrapf(err, "sweeper: BizToken %s", t.BizToken)
	}
	var details []LivenessDetail
	if info.Text != nil {
		details = info.Text.LivenessDetail
	}
	// The billing rule reads Text.ErrCode only: a will step's verdict (DetectInfo.Passed) does
	// not change which liveness attempts are charged.
	final = info.Text.Passed() || age > finalAfter
	if err := sw.Store.MarkPulled(ctx, t.BizToken, final, details); err != nil {
		return false, false, wrapf(err, "sweeper: saving BizToken %s", t.BizToken)
	}
	return final, false, nil
}

// Run sweeps now and then every Every until ctx ends, which it returns. Errors of a sweep are
// logged (metadata only) and the next sweep tries again.
func (sw *Sweeper) Run(ctx context.Context) error {
	every := sw.Every
	if every <= 0 {
		every = defaultSweepEvery
	}
	if every > 24*time.Hour {
		return invalidInput("sweep interval", "must be at most a day, so that every token is pulled within its 3-day retention")
	}
	for {
		res, err := sw.Sweep(ctx)
		if err != nil {
			sw.c.log.WarnContext(ctx, "kyc sweeper: sweep had failures", "failed", res.Failed, "pulled", res.Pulled)
		}
		if err := transport.Sleep(ctx, every); err != nil {
			return err
		}
	}
}

// MemoryTokenStore is a BizTokenStore in memory, for tests and single-process services. Saved
// gives what it holds to Reconcile.
type MemoryTokenStore struct {
	mu     sync.Mutex
	tokens map[string]*storedToken
}

type storedToken struct {
	rec     BizTokenRecord
	final   bool
	pulls   int
	details []LivenessDetail
	seqs    map[string]int // Seq → index in details
}

// NewMemoryTokenStore returns an empty store.
func NewMemoryTokenStore() *MemoryTokenStore {
	return &MemoryTokenStore{tokens: map[string]*storedToken{}}
}

// SaveToken records a token; saving it again keeps what was pulled.
func (m *MemoryTokenStore) SaveToken(_ context.Context, t BizTokenRecord) error {
	if t.BizToken == "" {
		return invalidInput("BizToken", "must not be empty")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.tokens[t.BizToken]; ok {
		st.rec = t
		return nil
	}
	m.tokens[t.BizToken] = &storedToken{rec: t, seqs: map[string]int{}}
	return nil
}

// MarkPulled merges details into the token's, keyed by Seq (a newer item replaces the one with
// its Seq; items without a Seq are replaced as a whole by the latest pull's).
func (m *MemoryTokenStore) MarkPulled(_ context.Context, bizToken string, final bool, details []LivenessDetail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.tokens[bizToken]
	if !ok {
		st = &storedToken{rec: BizTokenRecord{BizToken: bizToken}, seqs: map[string]int{}}
		m.tokens[bizToken] = st
	}
	st.pulls++
	st.final = st.final || final
	if details == nil {
		return nil
	}
	kept := st.details[:0:0]
	for _, d := range st.details {
		if d.Seq != "" {
			kept = append(kept, d)
		}
	}
	clear(st.seqs)
	for i, d := range kept {
		st.seqs[d.Seq] = i
	}
	for _, d := range details {
		if i, ok := st.seqs[d.Seq]; ok && d.Seq != "" {
			kept[i] = d
			continue
		}
		if d.Seq != "" {
			st.seqs[d.Seq] = len(kept)
		}
		kept = append(kept, d)
	}
	st.details = kept
	return nil
}

// ListUnfinal lists the tokens not final and created before createdBefore, oldest first.
func (m *MemoryTokenStore) ListUnfinal(_ context.Context, createdBefore time.Time) ([]BizTokenRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []BizTokenRecord
	for _, st := range m.tokens {
		if !st.final && st.rec.CreatedAt.Before(createdBefore) {
			out = append(out, st.rec)
		}
	}
	slices.SortFunc(out, func(a, b BizTokenRecord) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.BizToken, b.BizToken)
	})
	return out, nil
}

// tokenState is what the store holds for one token, for tests.
type tokenState struct {
	BizTokenRecord
	Final   bool
	Pulls   int // how many times MarkPulled was called
	Details int // attempts kept
}

// state reports what the store holds for bizToken.
func (m *MemoryTokenStore) state(bizToken string) (tokenState, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.tokens[bizToken]
	if !ok {
		return tokenState{}, false
	}
	return tokenState{BizTokenRecord: st.rec, Final: st.final, Pulls: st.pulls, Details: len(st.details)}, true
}

// Saved returns every token with its details, sorted by BizToken, for Reconcile.
func (m *MemoryTokenStore) Saved() []SavedToken {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SavedToken, 0, len(m.tokens))
	for _, st := range m.tokens {
		out = append(out, SavedToken{BizToken: st.rec.BizToken, Details: slices.Clone(st.details)})
	}
	slices.SortFunc(out, func(a, b SavedToken) int { return strings.Compare(a.BizToken, b.BizToken) })
	return out
}
