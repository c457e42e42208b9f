package billing_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/kyctest"
)

// findingKeys lists findings as "kind token" (plus " seq" and "(source)" when set), sorted.
func findingKeys(fs []billing.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		k := string(f.Kind) + " " + f.BizToken
		if f.Seq != "" {
			k += " " + f.Seq
		}
		if f.Source != "" {
			k += " (" + f.Source + ")"
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestReconcilePlantedDifferences runs real journeys through kyctest, saves their details as
// method 1 does, pulls the bill as method 2 does, plants four differences and expects the
// report to name exactly those.
func TestReconcilePlantedDifferences(t *testing.T) {
	srv, c := newCloudPair(t, []kyctest.Option{kyctest.WithBillPageSize(3)})
	ctx := context.Background()
	store := billing.NewMemoryStore()
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	at := func(h, m, s int) kyctest.DetectAttempt {
		return kyctest.DetectAttempt{At: day.Start().Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)}
	}
	with := func(a kyctest.DetectAttempt, code string) kyctest.DetectAttempt { a.ErrCode = code; return a }
	journey := func(attempts ...kyctest.DetectAttempt) string {
		a, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: cloudIDCard})
		require.NoError(t, err)
		require.NoError(t, store.SaveToken(ctx, billing.TokenRecord{BizToken: a.BizToken, RuleID: kyctest.DefaultRuleID, CreatedAt: srv.Clock.Now()}))
		require.NoError(t, srv.CompleteDetect(a.BizToken, attempts...))
		return a.BizToken
	}
	plain := journey(with(at(10, 0, 0), "0"))
	retried := journey(with(at(11, 0, 0), "2016"), with(at(11, 5, 0), "0")) // two charges; its Seq is duplicated below
	midnight := journey(with(at(-1, 59, 30), "2016"), with(at(0, 0, 30), "0"))
	journey(kyctest.DetectAttempt{ErrCode: "1001", NoCompare: true})         // left before any 1:1: nothing billed anywhere
	uncharged := journey(with(at(12, 0, 0), "1003"))                         // a 1:1 that is not billed
	missing := journey(with(at(13, 0, 0), "0"))                              // will be dropped from the bill
	miscounted := journey(with(at(14, 0, 0), "0"))                           // its ChargeCount will be wrong
	plus1002 := journey(with(at(15, 0, 0), "1002"), with(at(15, 1, 0), "0")) // 1002 is billed for Plus

	// Method 1: the sweeper pulls every token.
	srv.Clock.Advance(10 * time.Minute)
	res, err := sweeper(srv, c, store).Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 8, res.Pulled)
	saved := store.Saved()

	// Method 2: both days' bills, paged.
	bill, err := c.Billing.FetchDay(ctx, day, kyctest.DefaultRuleID)
	require.NoError(t, err)
	prev, err := c.Billing.FetchDay(ctx, day.AddDays(-1), kyctest.DefaultRuleID)
	require.NoError(t, err)
	require.Len(t, prev.Records, 1, "only the midnight token's first attempt is on the day before")
	require.GreaterOrEqual(t, srv.Requests("GetWeChatBillDetails"), 4)

	// Unplanted, the two methods agree.
	rep, err := billing.Reconcile(kyc.ProductPlus, saved, bill, prev)
	require.NoError(t, err)
	require.True(t, rep.OK(), rep.String())
	require.Equal(t, []string{"spans-days " + midnight}, findingKeys(rep.Days[0].Findings))
	require.Equal(t, []string{"spans-days " + midnight}, findingKeys(rep.Days[1].Findings))

	// Plant: a token missing from the bill, a wrong ChargeCount, a duplicate Seq in the saved details.
	var planted []kyc.ChargeRecord
	for _, r := range bill.Records {
		switch r.BizToken {
		case missing:
			continue
		case miscounted:
			r.ChargeCount++
		}
		planted = append(planted, r)
	}
	bill.Records = planted
	var dupSeq string
	for i, s := range saved {
		if s.BizToken == retried {
			dupSeq = s.Details[0].Seq
			saved[i].Details = append(saved[i].Details, s.Details[0])
		}
	}
	require.NotEmpty(t, dupSeq)

	rep, err = billing.Reconcile(kyc.ProductPlus, saved, bill, prev)
	require.NoError(t, err)
	require.False(t, rep.OK())
	require.Equal(t, []string{
		"count-mismatch " + miscounted,
		"duplicate-seq " + retried + " " + dupSeq + " (saved)",
		"missing-from-bill " + missing,
		"spans-days " + midnight,
	}, findingKeys(rep.Days[0].Findings), rep.String())
	require.Equal(t, []string{"spans-days " + midnight}, findingKeys(rep.Days[1].Findings))
	require.Empty(t, rep.Findings)
	require.Len(t, rep.Differences(), 3)

	for _, f := range rep.Days[0].Findings {
		switch f.Kind {
		case billing.FindingCountMismatch:
			require.Equal(t, billing.TokenCounts{BillChargeCount: 2, BillNeedCharge: 1, BillBilledCodes: 1, SavedNeedCharge: 1, SavedBilledCodes: 1}, *f.Counts)
		case billing.FindingMissingFromBill:
			require.Equal(t, billing.TokenCounts{SavedNeedCharge: 1, SavedBilledCodes: 1}, *f.Counts)
		case billing.FindingSpansDays:
			require.Equal(t, []kyc.Day{day.AddDays(-1), day}, f.Days)
		}
	}
	d := rep.Days[0]
	require.Equal(t, day, d.Day)
	// plain 1, retried 2, midnight 1 (its other charge is the day before), uncharged 0,
	// miscounted 1+1 planted, plus1002 2.
	require.Equal(t, 1+2+1+0+2+2, d.BillCharges)
	require.Equal(t, 6, d.BillTokens)
	require.Equal(t, 7, d.SavedTokens)
	require.Equal(t, 1+2+1+0+1+1+2, d.SavedCharges)
	require.Equal(t, 1, rep.Days[1].BillCharges)

	// For people: one line per day and per finding. For machines: JSON. Neither has a name or an ID.
	text := rep.String()
	require.Contains(t, text, day.String()+": bill 6 tokens, 8 charges")
	require.Contains(t, text, "missing-from-bill "+missing)
	require.Contains(t, text, "3 differences")
	raw, err := json.Marshal(rep)
	require.NoError(t, err)
	var back billing.Report
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, *rep, back)
	require.Contains(t, string(raw), `"kind":"count-mismatch"`)
	require.Contains(t, string(raw), `"day":"`+day.String()+`"`)
	for _, s := range []string{text, string(raw)} {
		require.NotContains(t, s, cloudName)
		require.NotContains(t, s, cloudIDCard)
		require.NotContains(t, s, "*测")
	}
	_ = plain
	_ = uncharged
	_ = plus1002

	// The product matters: for Enhanced, 1002 is not a billed code.
	rep, err = billing.Reconcile(kyc.ProductEnhanced, store.Saved(), bill)
	require.NoError(t, err)
	keys := findingKeys(rep.Days[0].Findings)
	require.Contains(t, keys, "count-mismatch "+plus1002)
}

func TestReconcileEdgeCases(t *testing.T) {
	yes, no := true, false
	day := kyc.Day{Year: 2026, Month: 11, Day: 28}
	ms := func(h int) string {
		return strconv.FormatInt(day.Start().Add(time.Duration(h)*time.Hour).UnixMilli(), 10)
	}
	saved := []billing.SavedToken{
		{BizToken: "A", Details: []kyc.LivenessDetail{
			{ReqTime: ms(9), Seq: "a1", ErrCode: "2016", IsNeedCharge: &yes},
			{ReqTime: "", Seq: "", ErrCode: "1001"},                              // no 1:1: ignored
			{ReqTime: "1700000000", Seq: "a2", ErrCode: "0", IsNeedCharge: &yes}, // 10 digits: undated
		}},
		{BizToken: "B", Details: []kyc.LivenessDetail{
			{ReqTime: ms(10), Seq: "b1", ErrCode: "1003", IsNeedCharge: nil},  // null counts as not charged
			{ReqTime: ms(10), Seq: "a1", ErrCode: "2016", IsNeedCharge: &yes}, // Seq of another token
		}},
	}
	bill := &kyc.DayBill{Day: day, Records: []kyc.ChargeRecord{
		{BizToken: "A", ChargeCount: 1, ChargeDetails: []kyc.ChargeDetail{{ReqTime: ms(9), Seq: "a1", ErrorCode: "2016", IsNeedCharge: &yes}}},
		{BizToken: "B", ChargeCount: 0, ChargeDetails: []kyc.ChargeDetail{{ReqTime: ms(10), Seq: "b1", ErrorCode: "1003", IsNeedCharge: &no}}},
		{BizToken: "B", ChargeCount: 0},
		{BizToken: "C", ChargeCount: 1, ChargeDetails: []kyc.ChargeDetail{
			{ReqTime: ms(11), Seq: "c1", ErrorCode: "0", IsNeedCharge: &yes},
			{ReqTime: ms(11), Seq: "c1", ErrorCode: "0", IsNeedCharge: &yes},
			{ReqTime: "x", Seq: "c2", ErrorCode: "2006", IsNeedCharge: &no},
		}},
	}}
	rep, err := billing.Reconcile(kyc.ProductBasic, saved, bill)
	require.NoError(t, err)
	require.Equal(t, []string{
		"duplicate-seq B a1 (saved)",
		"duplicate-seq C c1 (bill)",
		"duplicate-token B (bill)",
		"not-saved C",
		"undated-charge C c2 (bill)",
	}, findingKeys(rep.Days[0].Findings), rep.String())
	require.Equal(t, []string{"undated-charge A a2 (saved)"}, findingKeys(rep.Findings))
	for _, f := range rep.Days[0].Findings {
		if f.Kind == billing.FindingNotSaved {
			require.Equal(t, billing.TokenCounts{BillChargeCount: 1, BillNeedCharge: 1, BillBilledCodes: 2}, *f.Counts)
		}
	}

	_, err = billing.Reconcile(kyc.ProductEID, nil)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = billing.Reconcile(kyc.ProductPlus, nil, bill, bill)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	rep, err = billing.Reconcile(kyc.ProductPlus, nil)
	require.NoError(t, err)
	require.True(t, rep.OK())
	require.Contains(t, rep.String(), "OK")
}

// TestReconcileEachCountAlone: each of the five numbers compared for a token and a day (the
// bill's ChargeCount, its charged details, its details with a billed code, the saved charged
// attempts, the saved attempts with a billed code) differing alone is a count mismatch.
func TestReconcileEachCountAlone(t *testing.T) {
	day := kyc.Day{Year: 2026, Month: 3, Day: 10}
	ms := strconv.FormatInt(day.Start().Add(10*time.Hour).UnixMilli(), 10)
	yes := true
	charged := func(b bool) *bool {
		if b {
			return &yes
		}
		return nil
	}
	// A code is "0" (billed) or "1001" (not billed); a charged flag sets IsNeedCharge.
	build := func(chargeCount int, billCharged bool, billCode string, savedCharged bool, savedCode string) (*kyc.DayBill, []billing.SavedToken) {
		bill := &kyc.DayBill{Day: day, Records: []kyc.ChargeRecord{{BizToken: "tok1", ChargeCount: chargeCount,
			ChargeDetails: []kyc.ChargeDetail{{ReqTime: ms, Seq: "seq1", IsNeedCharge: charged(billCharged), ErrorCode: billCode}}}}}
		saved := []billing.SavedToken{{BizToken: "tok1", Details: []kyc.LivenessDetail{{ReqTime: ms, Seq: "seq1", IsNeedCharge: charged(savedCharged), ErrCode: savedCode}}}}
		return bill, saved
	}
	bill, saved := build(1, true, "0", true, "0")
	rep, err := billing.Reconcile(kyc.ProductPlus, saved, bill)
	require.NoError(t, err)
	require.True(t, rep.OK(), rep.String())
	for name, c := range map[string]struct {
		count     int
		billCh    bool
		billCode  string
		savedCh   bool
		savedCode string
	}{
		"bill ChargeCount":      {2, true, "0", true, "0"},
		"bill charged detail":   {1, false, "0", true, "0"},
		"bill billed code":      {1, true, "1001", true, "0"},
		"saved charged attempt": {1, true, "0", false, "0"},
		"saved billed code":     {1, true, "0", true, "1001"},
	} {
		bill, saved := build(c.count, c.billCh, c.billCode, c.savedCh, c.savedCode)
		rep, err := billing.Reconcile(kyc.ProductPlus, saved, bill)
		require.NoError(t, err, name)
		require.False(t, rep.OK(), name)
		kinds := []billing.FindingKind{}
		for _, f := range rep.Differences() {
			kinds = append(kinds, f.Kind)
		}
		require.Equal(t, []billing.FindingKind{billing.FindingCountMismatch}, kinds, name)
	}
}

// TestReconcileDuplicateSeqCountedOnce: an attempt (Seq) listed twice, in the bill or in the
// saved details, is reported and counted once, so the counts still agree.
func TestReconcileDuplicateSeqCountedOnce(t *testing.T) {
	day := kyc.Day{Year: 2026, Month: 3, Day: 11}
	ms := strconv.FormatInt(day.Start().Add(9*time.Hour).UnixMilli(), 10)
	yes := true
	billDetail := kyc.ChargeDetail{ReqTime: ms, Seq: "seqA", IsNeedCharge: &yes, ErrorCode: "0"}
	savedDetail := kyc.LivenessDetail{ReqTime: ms, Seq: "seqA", IsNeedCharge: &yes, ErrCode: "0"}
	for name, c := range map[string]struct {
		bill  []kyc.ChargeDetail
		saved []kyc.LivenessDetail
		want  string
	}{
		"in the bill":  {[]kyc.ChargeDetail{billDetail, billDetail}, []kyc.LivenessDetail{savedDetail}, billing.SourceBill},
		"in the saved": {[]kyc.ChargeDetail{billDetail}, []kyc.LivenessDetail{savedDetail, savedDetail}, billing.SourceSaved},
	} {
		bill := &kyc.DayBill{Day: day, Records: []kyc.ChargeRecord{{BizToken: "tokD", ChargeCount: 1, ChargeDetails: c.bill}}}
		rep, err := billing.Reconcile(kyc.ProductBasic, []billing.SavedToken{{BizToken: "tokD", Details: c.saved}}, bill)
		require.NoError(t, err, name)
		diffs := rep.Differences()
		require.Len(t, diffs, 1, "%s: %s", name, rep)
		require.Equal(t, billing.FindingDuplicateSeq, diffs[0].Kind, name)
		require.Equal(t, "seqA", diffs[0].Seq, name)
		require.Equal(t, c.want, diffs[0].Source, name)
	}
}

// TestReconcileReportText pins the report's text and counts for a small case: a finding's seq,
// source, counts and days each appear, findings tied to no day count as differences, a saved
// token without charges that the bill lacks is no difference, and spans-days is only a note.
func TestReconcileReportText(t *testing.T) {
	yes, no := true, false
	day := kyc.Day{Year: 2026, Month: 11, Day: 28}
	at := func(d kyc.Day, h int) string {
		return strconv.FormatInt(d.Start().Add(time.Duration(h)*time.Hour).UnixMilli(), 10)
	}
	saved := []billing.SavedToken{
		{BizToken: "S", Details: []kyc.LivenessDetail{ // spans the day before and this one
			{ReqTime: at(day.AddDays(-1), 23), Seq: "s1", ErrCode: "2016", IsNeedCharge: &yes},
			{ReqTime: at(day, 1), Seq: "s2", ErrCode: "0", IsNeedCharge: &yes}}},
		{BizToken: "U", Details: []kyc.LivenessDetail{{ReqTime: "", Seq: "u1", ErrCode: "0", IsNeedCharge: &yes}}}, // undated
		{BizToken: "Z", Details: []kyc.LivenessDetail{{ReqTime: at(day, 2), Seq: "z1", ErrCode: "1001", IsNeedCharge: &no}}},
		{BizToken: "M", Details: []kyc.LivenessDetail{{ReqTime: at(day, 3), Seq: "m1", ErrCode: "0", IsNeedCharge: &yes}}},
	}
	bill := &kyc.DayBill{Day: day, Records: []kyc.ChargeRecord{
		{BizToken: "S", ChargeCount: 1, ChargeDetails: []kyc.ChargeDetail{{ReqTime: at(day, 1), Seq: "s2", ErrorCode: "0", IsNeedCharge: &yes}}},
		{BizToken: "N", ChargeCount: 1, ChargeDetails: []kyc.ChargeDetail{
			{ReqTime: at(day, 4), Seq: "n1", ErrorCode: "0", IsNeedCharge: &yes},
			{ReqTime: at(day, 4), Seq: "n2", ErrorCode: "1001", IsNeedCharge: &no}}},
	}}
	rep, err := billing.Reconcile(kyc.ProductPlus, saved, bill)
	require.NoError(t, err)
	d := rep.Days[0]
	require.Equal(t, billing.DayReport{Day: day, BillTokens: 2, BillCharges: 2, BillDetails: 3, SavedTokens: 3, SavedCharges: 2,
		Findings: d.Findings}, d)
	require.Equal(t, "WeChat bill reconciliation, Plus\n"+
		"2026-11-28: bill 2 tokens, 2 charges, 3 details; saved 3 tokens, 2 charges\n"+
		"  missing-from-bill M: bill ChargeCount 0, bill IsNeedCharge 0, bill billed codes 0, saved IsNeedCharge 1, saved billed codes 1\n"+
		"  not-saved N: bill ChargeCount 1, bill IsNeedCharge 1, bill billed codes 1, saved IsNeedCharge 0, saved billed codes 0\n"+
		"  spans-days S: attempts on 2026-11-27, 2026-11-28, each counted on its day\n"+
		"  undated-charge U seq u1 (saved)\n"+
		"3 differences\n", rep.String())
	require.Equal(t, []string{"missing-from-bill M", "not-saved N", "undated-charge U u1 (saved)"}, findingKeys(rep.Differences()),
		"the day's differences and the undated one, not the spans-days note; Z has nothing charged")
	require.False(t, rep.OK())
}
