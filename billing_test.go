package kyc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func TestDay(t *testing.T) {
	d, err := kyc.ParseDay("2026-11-29")
	require.NoError(t, err)
	require.Equal(t, kyc.Day{Year: 2026, Month: time.November, Day: 29}, d)
	require.Equal(t, "2026-11-29", d.String())
	require.Equal(t, "2026-12-01", d.AddDays(2).String())
	require.Equal(t, "2026-11-28", d.AddDays(-1).String())
	// China time: 16:00 UTC is already the next day.
	require.Equal(t, d, kyc.DayOf(time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)))
	require.Equal(t, d.AddDays(-1), kyc.DayOf(time.Date(2026, 11, 28, 15, 59, 59, 0, time.UTC)))
	require.Equal(t, time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC), kyc.BillAvailableAt(d).UTC())
	b, err := json.Marshal(struct{ D kyc.Day }{d})
	require.NoError(t, err)
	require.JSONEq(t, `{"D":"2026-11-29"}`, string(b))
	var back struct{ D kyc.Day }
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, d, back.D)
	for _, bad := range []string{"", "2026-13-01", "29/11/2026", "2026-11-29T00:00:00Z"} {
		_, err := kyc.ParseDay(bad)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, bad)
	}
}

func TestIsBilled(t *testing.T) {
	for _, c := range []struct {
		code string
		p    kyc.Product
		ch   kyc.Channel
		want bool
	}{
		{"0", kyc.ProductPlus, kyc.ChannelWeChat, true},
		{"2006", kyc.ProductEnhanced, kyc.ChannelWeChat, true},
		{"2016", kyc.ProductBasic, kyc.ChannelWeChat, true},
		{"1002", kyc.ProductPlus, kyc.ChannelWeChat, true},
		{"1002", kyc.ProductEnhanced, kyc.ChannelWeChat, false},
		{"1003", kyc.ProductPlus, kyc.ChannelWeChat, false},
		{"15", kyc.ProductPlus, kyc.ChannelWeChat, false},
		{"66660004", kyc.ProductPlus, kyc.ChannelWeChat, false},
		{"66660004", kyc.ProductPlus, kyc.ChannelApp, true},
		{"2016", kyc.ProductEID, kyc.ChannelWeChat, true},
		{"nonsense", kyc.ProductPlus, kyc.ChannelWeChat, false},
	} {
		require.Equal(t, c.want, isBilled(c.code, c.p, c.ch), "%s %s %s", c.code, c.p, c.ch)
	}
}

// seedDay seeds n tokens with one charged pass each on day d, at noon China time.
func seedDay(t *testing.T, srv *kyctest.Server, d kyc.Day, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, srv.SeedBill(d.String(), kyctest.DefaultRuleID, kyctest.BillRecord{
			BizToken: fmt.Sprintf("SEEDED-%03d", i),
			Details:  []kyctest.DetectAttempt{{ErrCode: "0", At: d.Start().Add(12 * time.Hour), Seq: fmt.Sprintf("seed-seq-%03d", i)}},
		}))
	}
}

func TestBillPagesThroughEveryPage(t *testing.T) {
	srv, c := newCloudPair(t, []kyctest.Option{kyctest.WithBillPageSize(4)})
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	seedDay(t, srv, day, 10)
	var got []kyc.ChargeRecord
	for r, err := range c.Billing.Day(context.Background(), day, kyctest.DefaultRuleID) {
		require.NoError(t, err)
		got = append(got, r)
	}
	require.Len(t, got, 10)
	require.Equal(t, 3, srv.Requests("GetWeChatBillDetails"), "pages of 4, 4 and 2")
	for i, r := range got {
		require.Equal(t, fmt.Sprintf("SEEDED-%03d", i), r.BizToken)
		require.Equal(t, 1, r.ChargeCount)
		require.Equal(t, kyctest.DefaultRuleID, r.RuleID)
		require.Len(t, r.ChargeDetails, 1)
		require.True(t, r.ChargeDetails[0].Charged())
		require.Equal(t, "0", r.ChargeDetails[0].ErrorCode)
		require.NotEmpty(t, r.ChargeDetails[0].IDCard, "IdCard or Idcard")
		at, ok := r.ChargeDetails[0].Time()
		require.True(t, ok)
		require.Equal(t, day, kyc.DayOf(at))
	}
	// Stopping early sends no more requests.
	srv.ResetCounts()
	n := 0
	for _, err := range c.Billing.Day(context.Background(), day, "") {
		require.NoError(t, err)
		if n++; n == 5 {
			break
		}
	}
	require.Equal(t, 2, srv.Requests("GetWeChatBillDetails"))
	// An empty day is one page with nothing in it.
	srv.ResetCounts()
	b, err := c.Billing.FetchDay(context.Background(), day.AddDays(-1), "")
	require.NoError(t, err)
	require.Empty(t, b.Records)
	require.Equal(t, 1, srv.Requests("GetWeChatBillDetails"))
}

func TestBillStopsOnErrorKeepingWhatItYielded(t *testing.T) {
	srv, c := newCloudPair(t, []kyctest.Option{kyctest.WithBillPageSize(4)})
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	seedDay(t, srv, day, 10)
	var got []kyc.ChargeRecord
	var errs []error
	for r, err := range c.Billing.Day(context.Background(), day, kyctest.DefaultRuleID) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, r)
		if len(got) == 4 {
			// The second page will fail with a final code.
			srv.Fail(kyctest.Fault{Endpoint: "GetWeChatBillDetails", Code: "InvalidParameterValue", Times: 1})
		}
	}
	require.Len(t, got, 4, "the first page stays with the caller")
	require.Len(t, errs, 1, "one error ends the sequence")
	require.ErrorIs(t, errs[0], kyc.ErrBadRequest)
	require.Contains(t, errs[0].Error(), "page 2")
	require.Equal(t, 2, srv.Requests("GetWeChatBillDetails"))

	// A busy answer on a page is retried within the page.
	srv.ResetCounts()
	got = got[:0]
	for r, err := range c.Billing.Day(context.Background(), day, kyctest.DefaultRuleID) {
		require.NoError(t, err)
		got = append(got, r)
		if len(got) == 4 {
			srv.Fail(kyctest.Fault{Endpoint: "GetWeChatBillDetails", Code: "InternalError", Times: 1})
		}
	}
	require.Len(t, got, 10)
	require.Equal(t, 4, srv.Requests("GetWeChatBillDetails"))

	// FetchDay returns what it has with the error.
	srv.Fail(kyctest.Fault{Endpoint: "GetWeChatBillDetails", Code: "InvalidParameterValue", Times: 1})
	b, err := c.Billing.FetchDay(context.Background(), day, "")
	require.Error(t, err)
	require.Empty(t, b.Records)
}

func TestBillDayRefusedLocally(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	clock := kyctest.NewClock()
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(clock))
	require.NoError(t, err)
	// Set both clocks to 05:59 China time today.
	today := kyc.DayOf(time.Now())
	at := func(target time.Time) {
		clock.Advance(target.Sub(clock.Now()))
		srv.Clock.Advance(target.Sub(srv.Clock.Now()))
	}
	at(today.Start().Add(5*time.Hour + 59*time.Minute))
	fetch := func(d kyc.Day) error {
		_, err := c.Billing.FetchDay(context.Background(), d, "")
		return err
	}
	for name, d := range map[string]kyc.Day{
		"today":              today,
		"tomorrow":           today.AddDays(1),
		"yesterday at 05:59": today.AddDays(-1),
		"366 days back":      today.AddDays(-366),
		"zero":               {},
		"not a day":          {Year: 2026, Month: 2, Day: 30},
	} {
		err := fetch(d)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	_, err = c.Billing.FetchDay(context.Background(), today.AddDays(-2), "bad rule")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.Zero(t, srv.TotalRequests(), "nothing was sent")

	require.NoError(t, fetch(today.AddDays(-2)))
	require.NoError(t, fetch(today.AddDays(-365)))
	at(today.Start().Add(6*time.Hour + time.Minute))
	require.NoError(t, fetch(today.AddDays(-1)), "yesterday's bill is out after 06:00")
	require.Equal(t, 3, srv.Requests("GetWeChatBillDetails"))
}

func TestBillFromJourneys(t *testing.T) {
	srv, c := newCloudPair(t, []kyctest.Option{kyctest.WithRule("7", kyctest.ProductEnhanced)})
	ctx := context.Background()
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "7"})
	require.NoError(t, err)
	// 1002 is not billed for Enhanced; 2016 and 0 are.
	require.NoError(t, srv.CompleteDetect(auth.BizToken,
		kyctest.DetectAttempt{ErrCode: "1002", At: day.Start().Add(9 * time.Hour)},
		kyctest.DetectAttempt{ErrCode: "2016", At: day.Start().Add(9*time.Hour + time.Minute)},
		kyctest.DetectAttempt{ErrCode: "0", At: day.Start().Add(9*time.Hour + 2*time.Minute)}))
	b, err := c.Billing.FetchDay(ctx, day, "7")
	require.NoError(t, err)
	require.Len(t, b.Records, 1)
	r := b.Records[0]
	require.Equal(t, auth.BizToken, r.BizToken)
	require.Equal(t, 2, r.ChargeCount)
	require.Len(t, r.ChargeDetails, 3)
	require.False(t, r.ChargeDetails[0].Charged())
	_, err = c.Billing.FetchDay(ctx, day, "404")
	require.Equal(t, "InvalidParameterValue.RuleIdNotExist", apiErr(t, err).Code)
}

// isBilled is what IsBilled was before the surface shrank: the catalogue's word on code.
func isBilled(code string, p kyc.Product, ch kyc.Channel) bool {
	info, ok := kyc.LookupCode(code)
	return ok && info.Billed(p, ch)
}
