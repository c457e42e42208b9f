package kyctest

import (
	"fmt"
	"strconv"
	"time"
)

// GetWeChatBillDetails (docs/B-h5-wechat-billing.md §2.4, §6.2): a day's bill, per BizToken, paged with Cursor and
// NextCursor. A day's bill is built from the attempts CompleteDetect recorded on that day (China
// time, by ReqTime: a token whose attempts straddle midnight is in both days' bills) plus what
// SeedBill added; it is available from 06:00 China time the next day on the Clock, and at most
// 365 days back.

// BillRecord is one token of a seeded bill (SeedBill).
type BillRecord struct {
	BizToken string
	// ChargeCount is the record's ChargeCount; nil means the number of Details charged.
	ChargeCount *int
	// Details are the 1:1 requests (ChargeDetails), with the same defaults as CompleteDetect's
	// attempts (charged per the WeChat billing tables for the rule's product).
	Details []DetectAttempt
}

// Bill days (docs/B-h5-wechat-billing.md §6.2): a day is a calendar day in China time, written "2006-01-02"; its bill
// is available from 06:00 China time the next day ("昨日数据需在今日 6 点后查询") and at most
// billMaxAgeDays days back ("最多查询 365 天").
const (
	billCutoff     = 6 * time.Hour
	billMaxAgeDays = 365
)

// billDayOf is the China-time day of t, as "2006-01-02".
func billDayOf(t time.Time) string { return t.In(chinaTime).Format(time.DateOnly) }

// parseBillDay reads "2006-01-02" as the start of that day in China time.
func parseBillDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
	return t, err == nil && t.Format(time.DateOnly) == s
}

type billKey struct {
	day  string // "2006-01-02", China time
	rule string
}

// seededRecord is a SeedBill record, kept in the order seeded so that pages are stable.
type seededRecord struct {
	key billKey
	rec BillRecord
}

// billEntry is one record of a day's bill, ready to page.
type billEntry struct {
	token, rule  string
	count        int
	details      []recordedAttempt
	idCard, name string // masked
}

// SeedBill adds records to the bill of day ("2006-01-02", a China-time day) for ruleID (which
// must be registered), after the records that journeys produced. Each record's details keep their
// own At; it is the day given here that places the record.
func (s *Server) SeedBill(day, ruleID string, records ...BillRecord) error {
	if _, ok := parseBillDay(day); !ok {
		return fmt.Errorf("kyctest: SeedBill needs a day written 2006-01-02, got %q", day)
	}
	product, ok := s.cloud.rules[ruleID]
	if !ok {
		return ErrUnknownRule
	}
	now := s.Clock.Now()
	cs := s.cloud
	cs.mu.Lock()
	defer cs.mu.Unlock()
	k := billKey{day, ruleID}
	for _, r := range records {
		rec := BillRecord{BizToken: r.BizToken, ChargeCount: r.ChargeCount}
		for _, a := range r.Details {
			ra := recordAttempt(a, product, now)
			// Store the filled-in attempt back in DetectAttempt form.
			rec.Details = append(rec.Details, DetectAttempt{ErrCode: ra.code, At: ra.at, Seq: ra.seq, Charged: ra.charged,
				NoCompare: ra.noCompare, Sim: ra.sim})
		}
		cs.seeded = append(cs.seeded, seededRecord{k, rec})
	}
	return nil
}

// billParams are GetWeChatBillDetails's parameters.
type billParams struct {
	Date   string  `json:"Date"`
	Cursor *uint64 `json:"Cursor"`
	RuleID string  `json:"RuleId"`
}

func (s *Server) getWeChatBillDetails(body []byte) (object, *cloudError) {
	var p billParams
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.Date == "" {
		return nil, errCode("MissingParameter", "The request is missing a required parameter `Date`.")
	}
	if p.Cursor == nil {
		return nil, errCode("MissingParameter", "The request is missing a required parameter `Cursor`.")
	}
	day, ok := parseBillDay(p.Date)
	if !ok {
		return nil, errCode("InvalidParameterValue", "Date 格式错误，应为 YYYY-MM-DD")
	}
	if p.RuleID != "" {
		if _, ok := s.cloud.rules[p.RuleID]; !ok {
			return nil, errCode("InvalidParameterValue.RuleIdNotExist", "Ruleid 不存在，请到人脸核身控制台申请")
		}
	}
	now := s.Clock.Now()
	// "昨日数据需在今日 6 点后查询" and "最多查询 365 天": both are parameter errors (docs/B-h5-wechat-billing.md §6.2).
	if now.Before(day.AddDate(0, 0, 1).Add(billCutoff)) {
		return nil, errCode("InvalidParameter", "该日账单尚未生成，请在次日 06:00 后查询")
	}
	if today, _ := parseBillDay(billDayOf(now)); day.Before(today.AddDate(0, 0, -billMaxAgeDays)) {
		return nil, errCode("InvalidParameter", "仅支持查询 365 天内的账单")
	}
	entries := s.billEntries(p.Date, p.RuleID)
	start := min(*p.Cursor, uint64(len(entries)))
	end := min(start+uint64(s.cloud.pageSize), uint64(len(entries)))
	page := make([]object, 0, end-start)
	for _, e := range entries[start:end] {
		page = append(page, e.object())
	}
	next := end
	return object{{"HasNextPage", end < uint64(len(entries))}, {"NextCursor", next}, {"WeChatBillDetails", page}}, nil
}

// billEntries builds the bill of day for rule ("" = every rule): journey tokens in minting
// order, then seeded records.
func (s *Server) billEntries(day, rule string) []billEntry {
	cs := s.cloud
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var out []billEntry
	for _, tok := range cs.order {
		t := cs.detects[tok]
		if rule != "" && t.ruleID != rule {
			continue
		}
		e := billEntry{token: t.token, rule: t.ruleID, idCard: maskID(t.idCard), name: maskName(t.name)}
		for _, a := range t.attempts {
			if a.noCompare || billDayOf(a.at) != day {
				continue
			}
			e.details = append(e.details, a)
			if a.charged != nil && *a.charged {
				e.count++
			}
		}
		if len(e.details) > 0 {
			out = append(out, e)
		}
	}
	for _, sr := range cs.seeded {
		if sr.key.day != day || (rule != "" && sr.key.rule != rule) {
			continue
		}
		{
			r := sr.rec
			e := billEntry{token: r.BizToken, rule: sr.key.rule, idCard: "KYCT**********0001", name: "*测"}
			for _, a := range r.Details {
				ra := recordedAttempt{code: a.ErrCode, seq: a.Seq, sim: a.Sim, at: a.At, charged: a.Charged, noCompare: a.NoCompare}
				e.details = append(e.details, ra)
				if ra.charged != nil && *ra.charged {
					e.count++
				}
			}
			if r.ChargeCount != nil {
				e.count = *r.ChargeCount
			}
			out = append(out, e)
		}
	}
	return out
}

// object is the WeChatBillDetail of an entry.
func (e billEntry) object() object {
	details := make([]object, 0, len(e.details))
	for _, a := range e.details {
		details = append(details, object{
			{"ReqTime", strconv.FormatInt(a.at.UnixMilli(), 10)}, {"Seq", a.seq},
			{"Idcard", nullIfEmpty(e.idCard)}, {"IdCard", nullIfEmpty(e.idCard)}, {"Name", nullIfEmpty(e.name)}, {"Sim", a.sim},
			{"IsNeedCharge", a.charged}, {"ChargeType", "核身"}, {"ErrorCode", a.code}, {"ErrorMessage", resultMsg(a.code)},
		})
	}
	return object{{"BizToken", e.token}, {"RuleId", e.rule}, {"ChargeCount", e.count}, {"ChargeDetails", details}}
}
