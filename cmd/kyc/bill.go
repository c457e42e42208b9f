package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
)

// cloudClient builds an API 3.0 client from the environment (KYC_SECRET_ID, KYC_SECRET_KEY and,
// for a test or regional host, KYC_CLOUD_URL).
func (c *cli) cloudClient() (*kyc.Client, error) {
	id, key := c.getenv("KYC_SECRET_ID"), c.getenv("KYC_SECRET_KEY")
	if id == "" || key == "" {
		return nil, usageError{"set KYC_SECRET_ID and KYC_SECRET_KEY (the Tencent Cloud API key)"}
	}
	var opts []kyc.Option
	if u := c.getenv("KYC_CLOUD_URL"); u != "" {
		opts = append(opts, kyc.WithCloudEndpoint(u))
	}
	return kyc.NewCloud(id, key, opts...)
}

// billRow is one charge detail of the bill as the command prints it: no name, no ID number.
type billRow struct {
	BizToken     string `json:"bizToken"`
	RuleID       string `json:"ruleId"`
	ChargeCount  int    `json:"chargeCount"`
	ReqTime      string `json:"reqTime"`
	Seq          string `json:"seq"`
	IsNeedCharge string `json:"isNeedCharge"` // "true", "false" or "" when null
	ChargeType   string `json:"chargeType"`
	ErrorCode    string `json:"errorCode"`
	Day          string `json:"day"` // the bill's day, YYYY-MM-DD (China time)
}

// maxBillDays bounds a range: the service keeps a day's bill for 365 days.
const maxBillDays = 366

// billDays is the list of days --date, or --from and --to, name: checked before anything is sent.
func billDays(date, from, to string) ([]kyc.Day, error) {
	switch {
	case date != "" && (from != "" || to != ""):
		return nil, usageError{"give --date, or --from and --to, not both"}
	case date != "":
		from, to = date, date
	case from == "":
		return nil, usageError{"give --date DAY, or --from DAY [--to DAY]"}
	case to == "":
		to = from
	}
	first, err := kyc.ParseDay(from)
	if err != nil {
		return nil, usageError{"--from: " + err.Error()}
	}
	last, err := kyc.ParseDay(to)
	if err != nil {
		return nil, usageError{"--to: " + err.Error()}
	}
	if last.Start().Before(first.Start()) {
		return nil, usageError{"--to is before --from"}
	}
	var days []kyc.Day
	for d := first; !d.Start().After(last.Start()); d = d.AddDays(1) {
		if len(days) == maxBillDays {
			return nil, usageError{fmt.Sprintf("a range covers at most %d days", maxBillDays)}
		}
		days = append(days, d)
	}
	return days, nil
}

func rowsOf(r kyc.ChargeRecord) []billRow {
	if len(r.ChargeDetails) == 0 {
		return []billRow{{BizToken: r.BizToken, RuleID: r.RuleID, ChargeCount: r.ChargeCount}}
	}
	rows := make([]billRow, 0, len(r.ChargeDetails))
	for _, d := range r.ChargeDetails {
		need := ""
		if d.IsNeedCharge != nil {
			need = strconv.FormatBool(*d.IsNeedCharge)
		}
		rows = append(rows, billRow{BizToken: r.BizToken, RuleID: r.RuleID, ChargeCount: r.ChargeCount, ReqTime: d.ReqTime,
			Seq: d.Seq, IsNeedCharge: need, ChargeType: d.ChargeType, ErrorCode: d.ErrorCode})
	}
	return rows
}

func init() {
	var date, from, to, ruleID *string
	var asCSV *bool
	register(&command{
		name: "bill", summary: "the WeChat-channel bill of a day or a range of days (GetWeChatBillDetails)",
		help: `Pulls every page of the bill of --date, or of each day from --from to --to (China-time dates,
YYYY-MM-DD, both included, at most 366 days), and prints one line per charge detail: BizToken,
RuleId, ChargeCount, ReqTime, Seq, IsNeedCharge, ChargeType, ErrorCode, Day. Names and ID numbers
(masked by the service) are left out; --csv prints CSV with a header line, --json one JSON
document, --rule-id keeps one RuleId. A progress line per day goes to stderr while pages arrive.
A day's bill is ready after 06:00 China time the next day, for 365 days.`,
		flags: func(fs *flag.FlagSet) {
			date = fs.String("date", "", "one day, YYYY-MM-DD (China time)")
			from = fs.String("from", "", "the first day of a range, YYYY-MM-DD (China time)")
			to = fs.String("to", "", "the last day of a range (default: --from)")
			ruleID = fs.String("rule-id", "", "only this RuleId (default: all)")
			asCSV = fs.Bool("csv", false, "print CSV")
		},
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			days, err := billDays(*date, *from, *to)
			if err != nil {
				return err
			}
			cl, err := c.cloudClient()
			if err != nil {
				return err
			}
			var rows []billRow
			var perDay []map[string]any
			tokens, charges := 0, 0
			var w *csv.Writer
			if *asCSV && !c.json {
				w = csv.NewWriter(c.stdout)
				_ = w.Write([]string{"BizToken", "RuleId", "ChargeCount", "ReqTime", "Seq", "IsNeedCharge", "ChargeType", "ErrorCode", "Day"})
			}
			for i, day := range days {
				dayTokens, dayCharges := 0, 0
				for rec, err := range cl.Billing.Day(ctx, day, *ruleID) {
					if err != nil {
						fmt.Fprintln(c.stderr)
						if w != nil {
							w.Flush()
						}
						return fmt.Errorf("bill %s: %w", day, err)
					}
					dayTokens++
					dayCharges += rec.ChargeCount
					fmt.Fprintf(c.stderr, "\rbill %s (day %d of %d): %d tokens, %d charges so far", day, i+1, len(days), dayTokens, dayCharges)
					for _, r := range rowsOf(rec) {
						r.Day = day.String()
						switch {
						case w != nil:
							_ = w.Write([]string{r.BizToken, r.RuleID, strconv.Itoa(r.ChargeCount), r.ReqTime, r.Seq, r.IsNeedCharge, r.ChargeType, r.ErrorCode, r.Day})
						case c.json:
							rows = append(rows, r)
						default:
							fmt.Fprintf(c.stdout, "%s %s charges=%d %s seq=%s charged=%s %s code=%s day=%s\n", r.BizToken, r.RuleID,
								r.ChargeCount, r.ReqTime, r.Seq, r.IsNeedCharge, r.ChargeType, r.ErrorCode, r.Day)
						}
					}
				}
				fmt.Fprintf(c.stderr, "\rbill %s (day %d of %d): %d tokens, %d charges\n", day, i+1, len(days), dayTokens, dayCharges)
				tokens += dayTokens
				charges += dayCharges
				perDay = append(perDay, map[string]any{"day": day.String(), "tokens": dayTokens, "charges": dayCharges})
			}
			if w != nil {
				w.Flush()
				return w.Error()
			}
			if c.json {
				if rows == nil {
					rows = []billRow{}
				}
				out := map[string]any{"ok": true, "from": days[0].String(), "to": days[len(days)-1].String(), "days": perDay,
					"tokens": tokens, "charges": charges, "details": rows}
				if len(days) == 1 {
					out["day"] = days[0].String()
				}
				c.printJSON(c.stdout, out)
			} else {
				fmt.Fprintf(c.stdout, "total: %d tokens, %d charges\n", tokens, charges)
			}
			return nil
		},
	})

	var saved, product, days, rule *string
	register(&command{
		name: "reconcile", summary: "compare saved GetDetectInfoEnhanced details with the bill",
		help: `Reconciles method 1 (the LivenessDetail items your service saved from GetDetectInfoEnhanced, a
JSON array of {"BizToken": ..., "Details": [...]} in --saved) with method 2 (the daily bill of each
--date) per day and per BizToken: tokens missing from either side, ChargeCount against the items
with IsNeedCharge true and against the items with a billed ErrorCode (--product decides which
codes are billed: plus, enhanced or basic), duplicate Seqs. --rule-id keeps one RuleId. Prints
the report; exit code 3 when there are differences.`,
		flags: func(fs *flag.FlagSet) {
			saved = fs.String("saved", "", "JSON file with the saved details (method 1)")
			days = fs.String("date", "", "day or comma-separated days, YYYY-MM-DD (China time)")
			product = fs.String("product", "plus", "plus, enhanced or basic (decides which codes are billed)")
			rule = fs.String("rule-id", "", "only this RuleId (default: all)")
		},
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			p, ok := map[string]kyc.Product{"plus": kyc.ProductPlus, "enhanced": kyc.ProductEnhanced, "basic": kyc.ProductBasic}[strings.ToLower(*product)]
			if !ok {
				return usageError{"--product must be plus, enhanced or basic"}
			}
			if *saved == "" || *days == "" {
				return usageError{"give --saved FILE and --date DAY[,DAY...]"}
			}
			raw, err := os.ReadFile(*saved)
			if err != nil {
				return usageError{"--saved: " + err.Error()}
			}
			var tokens []billing.SavedToken
			if err := json.Unmarshal(raw, &tokens); err != nil {
				return usageError{"--saved: not a JSON array of {BizToken, Details}: " + strings.SplitN(err.Error(), ":", 2)[0]}
			}
			var list []kyc.Day
			for _, s := range strings.Split(*days, ",") {
				d, err := kyc.ParseDay(strings.TrimSpace(s))
				if err != nil {
					return usageError{"--date: " + err.Error()}
				}
				list = append(list, d)
			}
			cl, err := c.cloudClient()
			if err != nil {
				return err
			}
			var bills []*kyc.DayBill
			for _, d := range list {
				b, err := cl.Billing.FetchDay(ctx, d, *rule)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stderr, "bill %s: %d tokens\n", d, len(b.Records))
				bills = append(bills, b)
			}
			report, err := billing.Reconcile(p, tokens, bills...)
			if err != nil {
				return err
			}
			if c.json {
				c.printJSON(c.stdout, map[string]any{"ok": report.OK(), "report": report})
			} else {
				fmt.Fprint(c.stdout, report.String())
			}
			if !report.OK() {
				return errNotPassed
			}
			return nil
		},
	})
}
