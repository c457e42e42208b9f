package kyc

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/kycgo/kyc/internal/wire"
)

// Billing of the WeChat channels (docs/B-h5-wechat-billing.md §6). Method 1 saves every liveness attempt of every
// BizToken from GetDetectInfoEnhanced (Text.LivenessDetail) as the journeys end, with a sweeper
// for the tokens whose redirect never came; method 2 pulls each day's bill with
// GetWeChatBillDetails. Package github.com/kycgo/kyc/billing has the sweeper and Reconcile,
// which compares the two per day and per BizToken; this file has the calls and the types both
// methods read.

// BillingService is the WeChat-channel bill (GetWeChatBillDetails, docs/B-h5-wechat-billing.md §6). The
// sweeper that keeps method 1 complete and the reconciliation of the bill with the details
// saved from GetDetectInfoEnhanced are in package github.com/kycgo/kyc/billing. Reach it as
// Client.Billing.
type BillingService struct {
	c *Client
}

// chinaTime is the zone of the billing day and of the 06:00 cutoff (UTC+8, no daylight saving).
// The manual names no zone; China time is the reading that matches its examples (docs/B-h5-wechat-billing.md T15).
var chinaTime = time.FixedZone("UTC+8", 8*60*60)

// Billing-day rules (docs/B-h5-wechat-billing.md §2.4, §6.2). Kept together so that they are easy to change.
const (
	// billCutoff is how long after the end of a day its bill becomes available: 06:00 the next
	// morning, China time. Earlier calls get a parameter error from the service.
	billCutoff = 6 * time.Hour
	// billMaxAgeDays is how far back a bill can be asked for: a day at most this many days
	// before today (China time) is accepted.
	billMaxAgeDays = 365
)

// Day is a calendar day in China time (UTC+8): the unit of billing. Its text form is
// "2006-01-02", in JSON too.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// DayOf is the China-time day of t.
func DayOf(t time.Time) Day {
	y, m, d := t.In(chinaTime).Date()
	return Day{y, m, d}
}

// ParseDay reads "2006-01-02".
func ParseDay(s string) (Day, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
	if err != nil {
		return Day{}, invalidInput("Date", `must be a day written "2006-01-02"`)
	}
	return DayOf(t), nil
}

// Start is 00:00 of the day, China time.
func (d Day) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, chinaTime) }

// AddDays is the day n days later (earlier when n < 0).
func (d Day) AddDays(n int) Day { return DayOf(d.Start().AddDate(0, 0, n)) }

// String is "2006-01-02".
func (d Day) String() string { return d.Start().Format(time.DateOnly) }

// IsZero reports whether d is the zero Day.
func (d Day) IsZero() bool { return d == Day{} }

// Before reports whether d is earlier than e.
func (d Day) Before(e Day) bool { return d.Start().Before(e.Start()) }

// MarshalText writes "2006-01-02".
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2006-01-02".
func (d *Day) UnmarshalText(b []byte) error {
	v, err := ParseDay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// billAvailableAt is when the bill of day d can first be pulled: 06:00 China time the next day.
func billAvailableAt(d Day) time.Time { return d.AddDays(1).Start().Add(billCutoff) }

// checkBillDay refuses, before sending, a day whose bill is not closed yet or is more than
// billMaxAgeDays old (the service would answer a parameter error).
func checkBillDay(d Day, now time.Time) error {
	if d.IsZero() || d.Start().Format(time.DateOnly) != fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) {
		return invalidInput("Date", "must be a valid calendar day")
	}
	if now.Before(billAvailableAt(d)) {
		return invalidInput("Date", fmt.Sprintf("the bill of %s is available from %s", d,
			billAvailableAt(d).Format("2006-01-02 15:04 (UTC+8)")))
	}
	if d.Before(DayOf(now).AddDays(-billMaxAgeDays)) {
		return invalidInput("Date", fmt.Sprintf("bills go back at most %d days", billMaxAgeDays))
	}
	return nil
}

// LivenessDetail is one liveness 1:1 attempt of a journey (an item of Text.LivenessDetail, the
// DetectDetail of the API reference), the unit method 1 of billing saves (docs/B-h5-wechat-billing.md §6.1). Every
// field may be empty when no 1:1 took place (docs/B-h5-wechat-billing.md §6.3). ErrCode is normalised to text (the
// wire sends the number Errcode). It prints redacted; its JSON keeps everything, with the wire
// names, and IsNeedCharge stays null when it was null (docs/B-h5-wechat-billing.md T19).
type LivenessDetail struct {
	ReqTime        string `json:"ReqTime"`                     // 13-digit Unix milliseconds of the 1:1 request: the billing time
	Seq            string `json:"Seq"`                         // unique id of the 1:1 request
	IDCard         string `json:"Idcard" wire:"IdCard,Idcard"` // masked by the service, still personal
	Name           string `json:"Name"`                        // masked by the service, still personal
	Sim            string `json:"Sim"`
	IsNeedCharge   *bool  `json:"IsNeedCharge"` // nil and false both mean not charged
	ErrCode        string `json:"Errcode" wire:"Errcode,ErrorCode,code"`
	ErrMsg         string `json:"Errmsg"`
	LiveStatus     int    `json:"Livestatus"`
	LiveMsg        string `json:"Livemsg"`
	CompareStatus  int    `json:"Comparestatus"`
	CompareMsg     string `json:"Comparemsg"`
	CompareLibType string `json:"CompareLibType"`
	LivenessMode   int    `json:"LivenessMode"`
}

// Charged reports whether the attempt is charged: IsNeedCharge true (docs/B-h5-wechat-billing.md §6.1).
func (d LivenessDetail) Charged() bool { return d.IsNeedCharge != nil && *d.IsNeedCharge }

// Time is ReqTime as a time; false when it is absent or not 13 digits of milliseconds.
func (d LivenessDetail) Time() (time.Time, bool) { return parseReqTime(d.ReqTime) }

// String keeps the masked name and ID number out of logs.
func (d LivenessDetail) String() string {
	return fmt.Sprintf("LivenessDetail{seq: %s, reqTime: %s, errCode: %s, charged: %s, sim: %s}",
		d.Seq, d.ReqTime, d.ErrCode, optBoolText(d.IsNeedCharge), d.Sim)
}

// GoString keeps %#v redacted.
func (d LivenessDetail) GoString() string { return d.String() }

// LogValue keeps personal data out of structured logs.
func (d LivenessDetail) LogValue() slog.Value {
	return slog.GroupValue(slog.String("seq", d.Seq), slog.String("reqTime", d.ReqTime),
		slog.String("errCode", d.ErrCode), slog.String("charged", optBoolText(d.IsNeedCharge)))
}

// UnmarshalJSON reads the wire form tolerantly (decodeObject): Errcode, or ErrorCode, as a
// number or a string, Idcard or IdCard, numbers as strings, nulls.
func (d *LivenessDetail) UnmarshalJSON(b []byte) error {
	*d = LivenessDetail{}
	_, err := decodeObject(b, d)
	return err
}

func optBoolText(p *bool) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatBool(*p)
}

// parseReqTime reads a ReqTime: exactly 13 digits of Unix milliseconds (docs/B-h5-wechat-billing.md §2.4). Anything
// else is refused rather than guessed at, so that it cannot land on a wrong day.
func parseReqTime(s string) (time.Time, bool) {
	if len(s) != 13 || strings.Trim(s, "0123456789") != "" {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// ChargeDetail is one 1:1 request in the bill (docs/B-h5-wechat-billing.md §2.4). It prints redacted.
type ChargeDetail struct {
	ReqTime      string `json:"ReqTime"` // 13-digit Unix milliseconds: the billing time
	Seq          string `json:"Seq"`
	IDCard       string `json:"IdCard" wire:"IdCard,Idcard"` // masked; read from IdCard or the older Idcard
	Name         string `json:"Name"`                        // masked
	Sim          string `json:"Sim"`
	IsNeedCharge *bool  `json:"IsNeedCharge"`
	ChargeType   string `json:"ChargeType"`                      // 比对, 核身 or 混合部署
	ErrorCode    string `json:"ErrorCode" wire:"ErrorCode,code"` // the attempt's result code, normalised to text
	ErrorMessage string `json:"ErrorMessage"`
}

// ChargeDetail's methods repeat LivenessDetail's in shape (a known repetition): the bill and the
// result describe one 1:1 attempt in two record types with different fields, and each record
// type redacts itself under fmt and slog.

// Charged reports whether the detail is charged (IsNeedCharge true).
func (d ChargeDetail) Charged() bool { return d.IsNeedCharge != nil && *d.IsNeedCharge }

// Time is ReqTime as a time; false when absent or not 13 digits.
func (d ChargeDetail) Time() (time.Time, bool) { return parseReqTime(d.ReqTime) }

// String keeps the masked name and ID number out of logs.
func (d ChargeDetail) String() string {
	return fmt.Sprintf("ChargeDetail{seq: %s, reqTime: %s, errorCode: %s, charged: %s, type: %s}",
		d.Seq, d.ReqTime, d.ErrorCode, optBoolText(d.IsNeedCharge), d.ChargeType)
}

// GoString keeps %#v redacted.
func (d ChargeDetail) GoString() string { return d.String() }

// LogValue keeps personal data out of structured logs.
func (d ChargeDetail) LogValue() slog.Value {
	return slog.GroupValue(slog.String("seq", d.Seq), slog.String("reqTime", d.ReqTime),
		slog.String("errorCode", d.ErrorCode), slog.String("charged", optBoolText(d.IsNeedCharge)))
}

// UnmarshalJSON reads the wire form tolerantly (decodeObject): IdCard or Idcard, ErrorCode as a
// number or a string, nulls.
func (d *ChargeDetail) UnmarshalJSON(b []byte) error {
	*d = ChargeDetail{}
	_, err := decodeObject(b, d)
	return err
}

// ChargeRecord is one BizToken in a day's bill (WeChatBillDetail): how many charges it has that
// day and their details.
type ChargeRecord struct {
	BizToken      string         `json:"BizToken"`
	RuleID        string         `json:"RuleId"`
	ChargeCount   int            `json:"ChargeCount"`
	ChargeDetails []ChargeDetail `json:"ChargeDetails"`
}

// String prints counts only.
func (r ChargeRecord) String() string {
	return fmt.Sprintf("ChargeRecord{bizToken: %s, ruleId: %s, chargeCount: %d, details: %d}",
		r.BizToken, r.RuleID, r.ChargeCount, len(r.ChargeDetails))
}

// GoString keeps %#v redacted.
func (r ChargeRecord) GoString() string { return r.String() }

// LogValue keeps personal data out of structured logs.
func (r ChargeRecord) LogValue() slog.Value {
	return slog.GroupValue(slog.String("bizToken", r.BizToken), slog.Int("chargeCount", r.ChargeCount),
		slog.Int("details", len(r.ChargeDetails)))
}

// UnmarshalJSON reads the wire form tolerantly (decodeObject): ChargeCount as a number or a
// string.
func (r *ChargeRecord) UnmarshalJSON(b []byte) error {
	*r = ChargeRecord{}
	_, err := decodeObject(b, r)
	return err
}

// billPage is the Response of GetWeChatBillDetails.
type billPage struct {
	HasNextPage       bool           `json:"HasNextPage"`
	NextCursor        wire.Int       `json:"NextCursor"`
	WeChatBillDetails []ChargeRecord `json:"WeChatBillDetails"`
	RequestID         string         `json:"RequestId"`
}

type billRequest struct {
	Date   string `json:"Date"`
	Cursor uint64 `json:"Cursor"`
	RuleID string `json:"RuleId,omitempty"`
}

// Day is the bill of day d (China time) for ruleID ("" asks for every RuleId of the account,
// docs/B-h5-wechat-billing.md T16): every BizToken charged or attempted that day, page after page (Cursor,
// NextCursor, HasNextPage). A day whose bill is not closed yet (before 06:00 China time the
// next day, on the client's clock) or more than 365 days back is refused before anything
// is sent. The sequence ends after the last page, or with one error (the records yielded
// before it stay valid); each page is retried like any read. Data is per calling (sub-)account
// (docs/B-h5-wechat-billing.md T17).
func (s *BillingService) Day(ctx context.Context, d Day, ruleID string) iter.Seq2[ChargeRecord, error] {
	return func(yield func(ChargeRecord, error) bool) {
		if err := checkBillDay(d, s.c.clock.Now()); err != nil {
			yield(ChargeRecord{}, err)
			return
		}
		if ruleID != "" {
			if err := checkCloudID("RuleId", ruleID, 64); err != nil {
				yield(ChargeRecord{}, err)
				return
			}
		}
		req := billRequest{Date: d.String(), RuleID: ruleID}
		for page := 1; ; page++ {
			var p billPage
			if err := s.c.cloudCall(ctx, "GetWeChatBillDetails", req, &p, false); err != nil {
				yield(ChargeRecord{}, wrapf(err, "bill of %s, page %d", d, page))
				return
			}
			for _, r := range p.WeChatBillDetails {
				if !yield(r, nil) {
					return
				}
			}
			if !p.HasNextPage {
				return
			}
			if p.NextCursor < 0 || uint64(p.NextCursor) <= req.Cursor {
				yield(ChargeRecord{}, fmt.Errorf("kyc: GetWeChatBillDetails: %w: NextCursor %d does not advance from %d (requestId %s)",
					ErrBadResponse, p.NextCursor, req.Cursor, p.RequestID))
				return
			}
			req.Cursor = uint64(p.NextCursor)
		}
	}
}

// DayBill is a day's bill, collected.
type DayBill struct {
	Day     Day
	RuleID  string
	Records []ChargeRecord
}

// String prints counts only.
func (b DayBill) String() string {
	return fmt.Sprintf("DayBill{day: %s, ruleId: %s, records: %d}", b.Day, b.RuleID, len(b.Records))
}

// GoString keeps %#v redacted.
func (b DayBill) GoString() string { return b.String() }

// LogValue keeps the records' personal data out of structured logs.
func (b DayBill) LogValue() slog.Value { return slog.StringValue(b.String()) }

// FetchDay collects Day(ctx, d, ruleID). On error it returns what was collected so far with
// the error.
func (s *BillingService) FetchDay(ctx context.Context, d Day, ruleID string) (*DayBill, error) {
	b := &DayBill{Day: d, RuleID: ruleID}
	for r, err := range s.Day(ctx, d, ruleID) {
		if err != nil {
			return b, err
		}
		b.Records = append(b.Records, r)
	}
	return b, nil
}
