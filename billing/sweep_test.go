package billing_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/kyctest"
)

func TestSweeper(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	store := billing.NewMemoryStore()
	mint := func() string {
		a, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
		require.NoError(t, err)
		require.NoError(t, store.SaveToken(ctx, billing.TokenRecord{BizToken: a.BizToken, RuleID: kyctest.DefaultRuleID, CreatedAt: srv.Clock.Now()}))
		return a.BizToken
	}
	passed, failing, idle := mint(), mint(), mint()
	require.NoError(t, srv.CompleteDetect(passed, kyctest.DetectAttempt{ErrCode: "2016"}, kyctest.DetectAttempt{ErrCode: "0"}))
	require.NoError(t, srv.CompleteDetect(failing, kyctest.DetectAttempt{ErrCode: "2016"}))
	sw := sweeper(srv, c, store)

	// Too young: left to the RedirectUrl handler.
	res, err := sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Skipped: 0}, res, "ListUnfinal does not even list them")
	require.Zero(t, srv.Requests("GetDetectInfoEnhanced"))

	srv.Clock.Advance(10 * time.Minute)
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 3, Final: 1}, res)
	st, _ := store.State(passed)
	require.True(t, st.Final)
	require.Equal(t, 2, st.Details)
	st, _ = store.State(failing)
	require.False(t, st.Final, "a failed token is not final before two hours: the person may retry")
	require.Equal(t, 1, st.Details)

	// The person retries and passes; then two hours go by for the idle one.
	require.NoError(t, srv.CompleteDetect(failing, kyctest.DetectAttempt{ErrCode: "0"}))
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 2, Final: 1}, res)
	st, _ = store.State(failing)
	require.True(t, st.Final)
	require.Equal(t, 2, st.Details, "attempts merged by Seq")
	srv.Clock.Advance(2*time.Hour + 2*time.Minute)
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 1, Final: 1}, res)
	st, _ = store.State(idle)
	require.True(t, st.Final)
	require.Equal(t, 3, st.Pulls)

	// A token nobody swept for three days is lost; a failing pull is retried next time.
	lost := mint()
	srv.Clock.Advance(kyc.ResultRetention)
	broken := mint()
	srv.Clock.Advance(10 * time.Minute)
	srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Code: "InvalidParameterValue", Times: 1})
	var logs bytes.Buffer
	sw.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	res, err = sw.Sweep(ctx)
	require.Contains(t, logs.String(), "BizTokens past the 3-day retention were never pulled final\" count=1")
	require.NotContains(t, logs.String(), lost, "counts only")
	require.ErrorIs(t, err, kyc.ErrBadRequest)
	require.True(t, strings.HasPrefix(err.Error(), "kyc: sweeper: BizToken "+broken+": "), err.Error())
	require.Equal(t, 1, strings.Count(err.Error(), "kyc: "), "one prefix: %s", err)
	require.Equal(t, billing.SweepResult{Lost: []string{lost}, Failed: 1}, res)
	st, _ = store.State(lost)
	require.True(t, st.Final)
	res, err = sw.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, billing.SweepResult{Pulled: 1}, res)
	st, _ = store.State(broken)
	require.False(t, st.Final)

	// Saved gives everything to Reconcile.
	saved := store.Saved()
	require.Len(t, saved, 5)

	// Run sweeps until its context ends.
	rctx, cancel := context.WithCancel(ctx)
	sw.Every = time.Millisecond
	done := make(chan error)
	before := srv.Requests("GetDetectInfoEnhanced")
	go func() { done <- sw.Run(rctx) }()
	require.Eventually(t, func() bool { return srv.Requests("GetDetectInfoEnhanced") >= before+2 }, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	var nilStore billing.Sweeper
	_, err = nilStore.Sweep(ctx)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
}

// TestReconcileWillRuleID: a RuleId with a will step bills the will table's codes (0, 2006,
// 2016, as Enhanced; not Plus's 1002): Reconcile takes ProductWill and agrees with kyctest's bill
// of a will rule.
func TestReconcileWillRuleID(t *testing.T) {
	srv, c := newCloudPair(t, []kyctest.Option{kyctest.WithRule("7", kyctest.ProductWill)})
	ctx := context.Background()
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	store := billing.NewMemoryStore()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "7", IntentionVerifyText: "本人自愿"})
	require.NoError(t, err)
	at := day.Start().Add(10 * time.Hour)
	require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "1002", At: at},
		kyctest.DetectAttempt{ErrCode: "2016", At: at.Add(time.Minute)}, kyctest.DetectAttempt{ErrCode: "0", At: at.Add(2 * time.Minute)}))
	info, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "7", Parts: kyc.PartText})
	require.NoError(t, err)
	require.NoError(t, store.MarkPulled(ctx, auth.BizToken, true, info.Text.LivenessDetail))
	bill, err := c.Billing.FetchDay(ctx, day, "7")
	require.NoError(t, err)
	rep, err := billing.Reconcile(kyc.ProductWill, store.Saved(), bill)
	require.NoError(t, err)
	require.True(t, rep.OK(), rep.String())
	require.Equal(t, 2, rep.Days[0].BillCharges, "2016 and 0 are billed, 1002 is not")
	require.Equal(t, "Will", rep.Product)
	// Read with Plus's table, 1002 would count: the saved codes disagree with the bill.
	plus, err := billing.Reconcile(kyc.ProductPlus, store.Saved(), bill)
	require.NoError(t, err)
	require.False(t, plus.OK())
	_, err = billing.Reconcile(kyc.ProductNFC, nil)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
}

// TestSweeperFinalOnTheFaceVerdict: the sweeper's final rule reads Text.ErrCode only (billing is
// per liveness attempt): a will journey whose face part passed is final even if its will step
// failed, and is not pulled again.
func TestSweeperFinalOnTheFaceVerdict(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	store := billing.NewMemoryStore()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, IntentionVerifyText: "本人自愿"})
	require.NoError(t, err)
	require.NoError(t, store.SaveToken(ctx, billing.TokenRecord{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, CreatedAt: srv.Clock.Now()}))
	require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"}))
	require.NoError(t, srv.CompleteIntention(auth.BizToken, kyctest.IntentionOutcome{Failed: true}))
	srv.Clock.Advance(10 * time.Minute)
	res, err := sweeper(srv, c, store).Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, res.Pulled)
	require.Equal(t, 1, res.Final, "the face part passed: the token's charges are final")
}
