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
	var date, ruleID *string
	var asCSV *bool
	register(&command{
		name: "bill", summary: "a day's WeChat-channel bill (GetWeChatBillDetails)",
		help: `Pulls every page of the bill for --date (a China-time date, YYYY-MM-DD) and prints one line per
charge detail: BizToken, RuleId, ChargeCount, ReqTime, Seq, IsNeedCharge, ChargeType, ErrorCode.
Names and ID numbers (masked by the service) are left out; --csv prints CSV with a header line,
--rule-id keeps one RuleId. A progress line goes to stderr while pages arrive. A day's bill is
ready after 06:00 China time the next day, for 365 days.`,
		flags: func(fs *flag.FlagSet) {
			date = fs.String("date", "", "the day, YYYY-MM-DD (China time)")
			ruleID = fs.String("rule-id", "", "only this RuleId (default: all)")
			asCSV = fs.Bool("csv", false, "print CSV")
		},
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			day, err := kyc.ParseDay(*date)
			if err != nil {
				return usageError{"--date: " + err.Error()}
			}
			cl, err := c.cloudClient()
			if err != nil {
				return err
			}
			var rows []billRow
			tokens, charges := 0, 0
			var w *csv.Writer
			if *asCSV && !c.json {
				w = csv.NewWriter(c.stdout)
				_ = w.Write([]string{"BizToken", "RuleId", "ChargeCount", "ReqTime", "Seq", "IsNeedCharge", "ChargeType", "ErrorCode"})
			}
			for rec, err := range cl.Billing.Day(ctx, day, *ruleID) {
				if err != nil {
					fmt.Fprintln(c.stderr)
					if w != nil {
						w.Flush()
					}
					return err
				}
				tokens++
				charges += rec.ChargeCount
				fmt.Fprintf(c.stderr, "\rbill %s: %d tokens, %d charges so far", day, tokens, charges)
				for _, r := range rowsOf(rec) {
					switch {
					case w != nil:
						_ = w.Write([]string{r.BizToken, r.RuleID, strconv.Itoa(r.ChargeCount), r.ReqTime, r.Seq, r.IsNeedCharge, r.ChargeType, r.ErrorCode})
					case c.json:
						rows = append(rows, r)
					default:
						fmt.Fprintf(c.stdout, "%s %s charges=%d %s seq=%s charged=%s %s code=%s\n", r.BizToken, r.RuleID,
							r.ChargeCount, r.ReqTime, r.Seq, r.IsNeedCharge, r.ChargeType, r.ErrorCode)
					}
				}
			}
			fmt.Fprintf(c.stderr, "\rbill %s: %d tokens, %d charges\n", day, tokens, charges)
			if w != nil {
				w.Flush()
				return w.Error()
			}
			if c.json {
				c.printJSON(c.stdout, map[string]any{"ok": true, "day": day.String(), "tokens": tokens, "charges": charges, "details": rows})
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
			var tokens []kyc.SavedToken
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
			report, err := kyc.Reconcile(p, tokens, bills...)
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
