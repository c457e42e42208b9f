package billing

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/kycgo/kyc"
)

// Reconciliation (docs/B-h5-wechat-billing.md §6.2, §6.5): the attempts saved from GetDetectInfoEnhanced (method 1)
// against the daily bill (method 2), per day and per BizToken. Days are China-time days of each
// attempt's ReqTime, not of the token (docs/B-h5-wechat-billing.md §6.3): a token whose attempts straddle midnight
// counts on both days. Attempts are de-duplicated by Seq.

// SavedToken is what method 1 kept for one BizToken: every kyc.LivenessDetail item pulled for it.
type SavedToken struct {
	BizToken string
	Details  []kyc.LivenessDetail
}

// String prints counts only.
func (t SavedToken) String() string {
	return fmt.Sprintf("SavedToken{bizToken: %s, details: %d}", t.BizToken, len(t.Details))
}

// GoString keeps %#v redacted.
func (t SavedToken) GoString() string { return t.String() }

// LogValue keeps the details' personal data out of structured logs.
func (t SavedToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// FindingKind names a difference found by Reconcile.
type FindingKind string

// The kinds of findings. All but FindingSpansDays are differences to look into.
const (
	// FindingMissingFromBill: a token has charged attempts that day in the saved details, and no
	// record in that day's bill.
	FindingMissingFromBill FindingKind = "missing-from-bill"
	// FindingNotSaved: the bill has a token the saved details do not know: its journey was never
	// pulled (the sweeper missed it) or it belongs to another system.
	FindingNotSaved FindingKind = "not-saved"
	// FindingCountMismatch: for a token and a day, the bill's ChargeCount, its details with
	// IsNeedCharge true, its details with a billed ErrorCode, the saved attempts with
	// IsNeedCharge true and the saved attempts with a billed Errcode are not all equal.
	FindingCountMismatch FindingKind = "count-mismatch"
	// FindingDuplicateSeq: an attempt (Seq) was seen more than once, in the saved details or in
	// the bill; it was counted once.
	FindingDuplicateSeq FindingKind = "duplicate-seq"
	// FindingDuplicateToken: the bill lists a token twice for one day; the second record was
	// ignored.
	FindingDuplicateToken FindingKind = "duplicate-token"
	// FindingUndated: a charged attempt has no usable ReqTime (13-digit milliseconds), so no day
	// can be given to it; it is not counted.
	FindingUndated FindingKind = "undated-charge"
	// FindingSpansDays is informational: the token's attempts fall on several days, and each day
	// counts its own (docs/B-h5-wechat-billing.md §6.3, T18).
	FindingSpansDays FindingKind = "spans-days"
)

// Source values of a Finding.
const (
	sourceSaved = "saved" // method 1, the details pulled from GetDetectInfoEnhanced
	sourceBill  = "bill"  // method 2, GetWeChatBillDetails
)

// Finding is one difference (or note) of a reconciliation. It holds no personal data.
type Finding struct {
	Kind     FindingKind  `json:"kind"`
	BizToken string       `json:"bizToken"`
	Seq      string       `json:"seq,omitempty"`
	Source   string       `json:"source,omitempty"` // "saved" (GetDetectInfoEnhanced) or "bill" (GetWeChatBillDetails), for duplicates and undated charges
	Counts   *TokenCounts `json:"counts,omitempty"` // for missing-from-bill, not-saved and count-mismatch
	Days     []kyc.Day    `json:"days,omitempty"`   // for spans-days: every day the token has attempts on
}

// TokenCounts are the five numbers compared for one token and one day.
type TokenCounts struct {
	BillChargeCount  int `json:"billChargeCount"`  // WeChatBillDetail.ChargeCount
	BillNeedCharge   int `json:"billNeedCharge"`   // ChargeDetails with IsNeedCharge true
	BillBilledCodes  int `json:"billBilledCodes"`  // ChargeDetails whose ErrorCode is billed
	SavedNeedCharge  int `json:"savedNeedCharge"`  // saved attempts with IsNeedCharge true
	SavedBilledCodes int `json:"savedBilledCodes"` // saved attempts whose Errcode is billed
}

func (c TokenCounts) agree() bool {
	n := c.BillChargeCount
	return c.BillNeedCharge == n && c.BillBilledCodes == n && c.SavedNeedCharge == n && c.SavedBilledCodes == n
}

// DayReport is the reconciliation of one day.
type DayReport struct {
	Day          kyc.Day   `json:"day"`
	BillTokens   int       `json:"billTokens"`   // records in the bill
	BillCharges  int       `json:"billCharges"`  // Σ ChargeCount: what the day costs (docs/B-h5-wechat-billing.md §6.2)
	BillDetails  int       `json:"billDetails"`  // Σ ChargeDetails, duplicates removed
	SavedTokens  int       `json:"savedTokens"`  // tokens with saved attempts that day
	SavedCharges int       `json:"savedCharges"` // saved attempts that day with IsNeedCharge true
	Findings     []Finding `json:"findings"`
}

// Report is the outcome of Reconcile: a String for people, JSON (encoding/json) for
// machines. It holds BizTokens, Seqs and counts, never a name or an ID number.
type Report struct {
	Product  string      `json:"product"` // "Plus", "Enhanced", "Basic" or "Will"
	Days     []DayReport `json:"days"`
	Findings []Finding   `json:"findings"` // findings tied to no reconciled day
}

// Differences returns every finding that is a difference (all but FindingSpansDays).
func (r *Report) Differences() []Finding {
	var out []Finding
	for _, d := range r.Days {
		for _, f := range d.Findings {
			if f.Kind != FindingSpansDays {
				out = append(out, f)
			}
		}
	}
	for _, f := range r.Findings {
		if f.Kind != FindingSpansDays {
			out = append(out, f)
		}
	}
	return out
}

// OK reports whether the two methods agree: no differences.
func (r *Report) OK() bool { return len(r.Differences()) == 0 }

// String is the report as text, one line per day and per finding.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "WeChat bill reconciliation, %s\n", r.Product)
	for _, d := range r.Days {
		fmt.Fprintf(&b, "%s: bill %d tokens, %d charges, %d details; saved %d tokens, %d charges\n",
			d.Day, d.BillTokens, d.BillCharges, d.BillDetails, d.SavedTokens, d.SavedCharges)
		for _, f := range d.Findings {
			b.WriteString("  ")
			b.WriteString(f.text())
			b.WriteByte('\n')
		}
	}
	for _, f := range r.Findings {
		b.WriteString("  ")
		b.WriteString(f.text())
		b.WriteByte('\n')
	}
	if n := len(r.Differences()); n == 0 {
		b.WriteString("OK: the saved details and the bill agree\n")
	} else {
		fmt.Fprintf(&b, "%d differences\n", n)
	}
	return b.String()
}

func (f Finding) text() string {
	s := string(f.Kind) + " " + f.BizToken
	if f.Seq != "" {
		s += " seq " + f.Seq
	}
	if f.Source != "" {
		s += " (" + f.Source + ")"
	}
	if c := f.Counts; c != nil {
		s += fmt.Sprintf(": bill ChargeCount %d, bill IsNeedCharge %d, bill billed codes %d, saved IsNeedCharge %d, saved billed codes %d",
			c.BillChargeCount, c.BillNeedCharge, c.BillBilledCodes, c.SavedNeedCharge, c.SavedBilledCodes)
	}
	if len(f.Days) > 0 {
		days := make([]string, len(f.Days))
		for i, d := range f.Days {
			days[i] = d.String()
		}
		s += ": attempts on " + strings.Join(days, ", ") + ", each counted on its day"
	}
	return s
}

// savedCounts are one token's saved attempts on one day.
type savedCounts struct{ needCharge, billedCodes int }

// Reconcile compares the saved details (method 1) with the bills of some days (method 2), per
// day and per BizToken (docs/B-h5-wechat-billing.md §6.2, §6.5). Only the days of the bills given are reconciled; saved
// attempts on other days are used only to note tokens that span days. product is the RuleId's
// version (Plus, Enhanced or Basic), or kyc.ProductWill for a RuleId with a will step (billed at the
// will price, on the will table's codes: 0, 2006 and 2016, the Enhanced codes): it decides which
// codes are billed (Plus also bills 1002). Pass the bills of one RuleId with the saved tokens of
// that RuleId.
func Reconcile(product kyc.Product, saved []SavedToken, bills ...*kyc.DayBill) (*Report, error) {
	switch product {
	case kyc.ProductPlus, kyc.ProductEnhanced, kyc.ProductBasic, kyc.ProductWill:
	default:
		return nil, invalid("product", "must be ProductPlus, ProductEnhanced, ProductBasic or ProductWill (the RuleId's version)")
	}
	rep := &Report{Product: product.String()}
	dayIndex := map[kyc.Day]int{}
	for _, b := range bills {
		if b == nil {
			return nil, invalid("bill", "must not be nil")
		}
		if _, dup := dayIndex[b.Day]; dup {
			return nil, invalid("bill", "two bills for "+b.Day.String())
		}
		dayIndex[b.Day] = len(rep.Days)
		rep.Days = append(rep.Days, DayReport{Day: b.Day, Findings: []Finding{}})
	}
	addFinding := func(day kyc.Day, dated bool, f Finding) {
		if i, ok := dayIndex[day]; ok && dated {
			rep.Days[i].Findings = append(rep.Days[i].Findings, f)
			return
		}
		rep.Findings = append(rep.Findings, f)
	}
	billed := func(code string) bool {
		info, ok := kyc.LookupCode(code)
		return code != "" && ok && info.Billed(product, kyc.ChannelWeChat)
	}

	// Method 1: de-duplicate by Seq, give each attempt its China-time day.
	known := map[string]bool{}                     // every saved BizToken
	byDay := map[kyc.Day]map[string]*savedCounts{} // day → token → counts
	tokenDays := map[string]map[kyc.Day]bool{}     // token → days with attempts
	seenSeq := map[string]bool{}
	for _, t := range saved {
		known[t.BizToken] = true
		for _, d := range t.Details {
			at, dated := d.Time()
			day := kyc.Day{}
			if dated {
				day = kyc.DayOf(at)
			}
			if d.Seq == "" && !dated {
				if d.Charged() {
					addFinding(day, false, Finding{Kind: FindingUndated, BizToken: t.BizToken, Source: sourceSaved})
				}
				continue // no 1:1 took place (docs/B-h5-wechat-billing.md §6.3)
			}
			if d.Seq != "" {
				if seenSeq[d.Seq] {
					addFinding(day, dated, Finding{Kind: FindingDuplicateSeq, BizToken: t.BizToken, Seq: d.Seq, Source: sourceSaved})
					continue
				}
				seenSeq[d.Seq] = true
			}
			if !dated {
				if d.Charged() || billed(d.ErrCode) {
					addFinding(day, false, Finding{Kind: FindingUndated, BizToken: t.BizToken, Seq: d.Seq, Source: sourceSaved})
				}
				continue
			}
			if tokenDays[t.BizToken] == nil {
				tokenDays[t.BizToken] = map[kyc.Day]bool{}
			}
			tokenDays[t.BizToken][day] = true
			if byDay[day] == nil {
				byDay[day] = map[string]*savedCounts{}
			}
			sc := byDay[day][t.BizToken]
			if sc == nil {
				sc = &savedCounts{}
				byDay[day][t.BizToken] = sc
			}
			if d.Charged() {
				sc.needCharge++
			}
			if billed(d.ErrCode) {
				sc.billedCodes++
			}
		}
	}

	// Method 2, day by day.
	for _, b := range bills {
		i := dayIndex[b.Day]
		dr := &rep.Days[i]
		inBill := map[string]bool{}
		billSeq := map[string]bool{}
		for _, r := range b.Records {
			if inBill[r.BizToken] {
				addFinding(b.Day, true, Finding{Kind: FindingDuplicateToken, BizToken: r.BizToken, Source: sourceBill})
				continue
			}
			inBill[r.BizToken] = true
			dr.BillTokens++
			dr.BillCharges += r.ChargeCount
			c := TokenCounts{BillChargeCount: r.ChargeCount}
			for _, d := range r.ChargeDetails {
				if d.Seq != "" {
					if billSeq[d.Seq] {
						addFinding(b.Day, true, Finding{Kind: FindingDuplicateSeq, BizToken: r.BizToken, Seq: d.Seq, Source: sourceBill})
						continue
					}
					billSeq[d.Seq] = true
				}
				dr.BillDetails++
				if _, ok := d.Time(); !ok && (d.Charged() || billed(d.ErrorCode)) {
					addFinding(b.Day, true, Finding{Kind: FindingUndated, BizToken: r.BizToken, Seq: d.Seq, Source: sourceBill})
				}
				if d.Charged() {
					c.BillNeedCharge++
				}
				if billed(d.ErrorCode) {
					c.BillBilledCodes++
				}
			}
			if sc := byDay[b.Day][r.BizToken]; sc != nil {
				c.SavedNeedCharge, c.SavedBilledCodes = sc.needCharge, sc.billedCodes
			}
			switch {
			case !known[r.BizToken]:
				addFinding(b.Day, true, Finding{Kind: FindingNotSaved, BizToken: r.BizToken, Counts: &c})
			case !c.agree():
				addFinding(b.Day, true, Finding{Kind: FindingCountMismatch, BizToken: r.BizToken, Counts: &c})
			}
		}
		for tok, sc := range byDay[b.Day] {
			dr.SavedTokens++
			dr.SavedCharges += sc.needCharge
			if !inBill[tok] && (sc.needCharge > 0 || sc.billedCodes > 0) {
				addFinding(b.Day, true, Finding{Kind: FindingMissingFromBill, BizToken: tok,
					Counts: &TokenCounts{SavedNeedCharge: sc.needCharge, SavedBilledCodes: sc.billedCodes}})
			}
			if days := tokenDays[tok]; len(days) > 1 {
				f := Finding{Kind: FindingSpansDays, BizToken: tok}
				for d := range days {
					f.Days = append(f.Days, d)
				}
				slices.SortFunc(f.Days, func(a, b kyc.Day) int { return a.Start().Compare(b.Start()) })
				addFinding(b.Day, true, f)
			}
		}
	}
	for i := range rep.Days {
		sortFindings(rep.Days[i].Findings)
	}
	sortFindings(rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	return rep, nil
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.BizToken, b.BizToken), cmp.Compare(a.Seq, b.Seq),
			cmp.Compare(a.Source, b.Source))
	})
}
