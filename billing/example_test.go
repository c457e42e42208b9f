package billing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/kyctest"
)

func ExampleSweeper() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	store := billing.NewMemoryStore() // use a durable store in production
	auth, _ := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	_ = store.SaveToken(ctx, billing.TokenRecord{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, CreatedAt: srv.Clock.Now()})
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"})
	srv.Clock.Advance(10 * time.Minute) // the redirect never came

	sw := billing.NewSweeper(c, store) // in a service: go sw.Run(ctx)
	sw.Clock = srv.Clock               // kyctest's clock, as the client has it; leave nil in production
	res, err := sw.Sweep(ctx)
	fmt.Printf("%+v %v\n", res, err)
	// Output: {Pulled:1 Final:1 Lost:[] Failed:0 Skipped:0} <nil>
}

func ExampleReconcile() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	store := billing.NewMemoryStore()
	auth, _ := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0", At: day.Start().Add(10 * time.Hour)})
	info, _ := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText})
	_ = store.MarkPulled(ctx, auth.BizToken, true, info.Text.LivenessDetail)

	bill, _ := c.Billing.FetchDay(ctx, day, kyctest.DefaultRuleID)
	rep, err := billing.Reconcile(kyc.ProductPlus, store.Saved(), bill)
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.OK(), rep.Days[0].BillCharges, rep.Days[0].SavedCharges)
	// Output: true 1 1
}

// ExampleReconcile_readme runs the README's bill snippet, reconcileDay (TestREADMEMirrorsExamples
// checks that the README shows it verbatim): the day's bill against the LivenessDetail items
// saved per BizToken.
func ExampleReconcile_readme() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	tokens := billing.NewMemoryStore()
	// One WeChat journey two days ago, pulled and saved as the Sweeper does.
	day := kyc.DayOf(time.Now()).AddDays(-2)
	auth, _ := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	_ = tokens.SaveToken(ctx, billing.TokenRecord{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, CreatedAt: day.Start().Add(10 * time.Hour)})
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0", At: day.Start().Add(10 * time.Hour)})
	info, _ := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText})
	_ = tokens.MarkPulled(ctx, auth.BizToken, true, info.Text.LivenessDetail)

	err := reconcileDay(ctx, c, tokens)
	fmt.Println(err)
	// Output:
	// true 0
	// <nil>
}

// reconcileDay is the README's bill snippet.
func reconcileDay(ctx context.Context, c *kyc.Client, tokens *billing.MemoryStore) error {
	day := kyc.DayOf(time.Now()).AddDays(-2)      // a China-time day: its bill is out after 06:00 the next day
	bill, err := c.Billing.FetchDay(ctx, day, "") // every page; c.Billing.Day(ctx, day, "") streams the records instead
	if err != nil {
		return err
	}
	// tokens.Saved(): the LivenessDetail items you pulled per BizToken (billing.TokenStore)
	report, err := billing.Reconcile(kyc.ProductPlus, tokens.Saved(), bill)
	if err != nil {
		return err
	}
	fmt.Println(report.OK(), len(report.Differences())) // fmt.Print(report) for people, json.Marshal(report) for machines
	return nil
}
