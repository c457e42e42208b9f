package billing

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/errtext"
	"github.com/kycgo/kyc/internal/transport"
)

// Method 1 of billing keeps every BizToken and pulls its final details (docs/B-h5-wechat-billing.md §6.1): the
// RedirectUrl handler usually does it, and a sweeper catches the tokens whose redirect never
// came, before the 3-day retention ends.

// TokenStore keeps the BizTokens of the WeChat journeys and the details pulled for them (docs/B-h5-wechat-billing.md §6.5). Implementations must be safe for concurrent use.
type TokenStore interface {
	// SaveToken records a token as DetectAuth returns it, not yet pulled.
	SaveToken(ctx context.Context, t TokenRecord) error
	// MarkPulled records a pull: details is the token's whole kyc.LivenessDetail list as just read
	// (keep every item, keyed by Seq: a later pull may add attempts); final says the token will
	// not change any more. A token whose result is gone (past its retention) is marked final
	// with nil details: keep what was saved before.
	MarkPulled(ctx context.Context, bizToken string, final bool, details []kyc.LivenessDetail) error
	// ListUnfinal lists the tokens not yet final that were created before createdBefore,
	// oldest first.
	ListUnfinal(ctx context.Context, createdBefore time.Time) ([]TokenRecord, error)
}

// TokenRecord is a token as the store knows it.
type TokenRecord struct {
	BizToken  string
	RuleID    string
	CreatedAt time.Time // when DetectAuth returned it
}

// finalAfter is the age after which a token is final whatever its ErrCode (docs/B-h5-wechat-billing.md §6.1: "more
// than 2 hours", the BizToken's life), with a minute of margin for the service's clock: one
// pull too many is harmless, one too few loses attempts.
const finalAfter = 2*time.Hour + time.Minute

// Sweeper defaults.
const (
	defaultSweepMinAge      = 5 * time.Minute  // tokens younger than this are left to the RedirectUrl handler
	defaultSweepEvery       = 30 * time.Minute // Run's interval
	defaultSweepConcurrency = 4                // pulls in flight (GetDetectInfoEnhanced allows 100/s)
)

// Sweeper pulls GetDetectInfoEnhanced for every token in a TokenStore that is not final yet,
// until it is: its ErrCode is 0, or it is more than two hours old (docs/B-h5-wechat-billing.md §6.1). Run it often
// enough that every token is pulled between its second hour and its third day. Make one with
// NewSweeper; set fields before the first Sweep.
type Sweeper struct {
	Store       TokenStore
	MinAge      time.Duration // skip tokens younger than this (default 5 minutes)
	Every       time.Duration // Run's interval (default 30 minutes, at most a day)
	Concurrency int           // pulls in flight (default 4)
	// Clock tells the tokens' ages (nil: the system clock). Tests against kyctest give it the
	// server's clock, as they give it to the client with kyc.WithClock.
	Clock kyc.Clock
	// Logger receives Sweep's and Run's warnings, metadata only: counts, never a BizToken's
	// details (nil: none).
	Logger *slog.Logger

	detect *kyc.DetectService
}

// NewSweeper returns a sweeper that pulls through c (a client with API 3.0 credentials) the
// tokens of store.
func NewSweeper(c *kyc.Client, store TokenStore) *Sweeper {
	sw := &Sweeper{Store: store, MinAge: defaultSweepMinAge, Every: defaultSweepEvery, Concurrency: defaultSweepConcurrency}
	if c != nil {
		sw.detect = c.Detect
	}
	return sw
}

func (sw *Sweeper) now() time.Time {
	if sw.Clock == nil {
		return time.Now()
	}
	return sw.Clock.Now()
}

func (sw *Sweeper) warn(ctx context.Context, msg string, args ...any) {
	if sw.Logger != nil {
		sw.Logger.WarnContext(ctx, msg, args...)
	}
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
	if sw.Store == nil || sw.detect == nil {
		return res, invalid("store", "make the sweeper with NewSweeper(client, store)")
	}
	now := sw.now()
	minAge := sw.MinAge
	if minAge < 0 {
		minAge = 0
	}
	tokens, err := sw.Store.ListUnfinal(ctx, now.Add(-minAge))
	if err != nil {
		return res, errtext.Wrapf(err, "sweeper: listing tokens")
	}
	// Oldest first: they are nearest to the end of their retention.
	slices.SortStableFunc(tokens, func(a, b TokenRecord) int { return a.CreatedAt.Compare(b.CreatedAt) })
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
		sw.warn(ctx, "kyc sweeper: BizTokens past the 3-day retention were never pulled final", "count", len(res.Lost))
	}
	return res, errtext.Join(errs...)
}

// pull reads one token and records it. lost: its result is gone.
func (sw *Sweeper) pull(ctx context.Context, t TokenRecord, now time.Time) (final, lost bool, err error) {
	age := now.Sub(t.CreatedAt)
	if age >= kyc.ResultRetention {
		return true, true, sw.Store.MarkPulled(ctx, t.BizToken, true, nil)
	}
	info, err := sw.detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: t.BizToken, RuleID: t.RuleID, Parts: kyc.PartText})
	if errors.Is(err, kyc.ErrExpired) {
		return true, true, sw.Store.MarkPulled(ctx, t.BizToken, true, nil)
	}
	if err != nil {
		return false, false, errtext.Wrapf(err, "sweeper: BizToken %s", t.BizToken)
	}
	var details []kyc.LivenessDetail
	if info.Text != nil {
		details = info.Text.LivenessDetail
	}
	// The billing rule reads Text.ErrCode only: a will step's verdict (DetectInfo.Passed) does
	// not change which liveness attempts are charged.
	final = info.Text.Passed() || age > finalAfter
	if err := sw.Store.MarkPulled(ctx, t.BizToken, final, details); err != nil {
		return false, false, errtext.Wrapf(err, "sweeper: saving BizToken %s", t.BizToken)
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
		return invalid("sweep interval", "must be at most a day, so that every token is pulled within its 3-day retention")
	}
	for {
		res, err := sw.Sweep(ctx)
		if err != nil {
			sw.warn(ctx, "kyc sweeper: sweep had failures", "failed", res.Failed, "pulled", res.Pulled)
		}
		if err := transport.Sleep(ctx, every); err != nil {
			return err
		}
	}
}

func invalid(field, reason string) error { return &kyc.InputError{Field: field, Reason: reason} }
