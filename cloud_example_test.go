package kyc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// cloudExample starts a fake service and an API 3.0 client for the examples. Real code calls
// kyc.NewCloud(secretID, secretKey) (or kyc.New with kyc.WithCloudCredentials).
func cloudExample() (*kyctest.Server, *kyc.Client) {
	srv := kyctest.NewServer()
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithEIDPollInterval(time.Millisecond))
	if err != nil {
		panic(err)
	}
	return srv, c
}

func ExampleNewCloud() {
	c, err := kyc.NewCloud("AKIDexample", "secretKeyExample", kyc.WithCloudRegion("ap-guangzhou"))
	fmt.Println(err == nil, c.AppID() == "")
	// Output: true true
}

func ExampleDetectService_Auth() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, RedirectURL: "https://partner.example/done"})
	if err != nil {
		panic(err)
	}
	// Save auth.BizToken now (the billing sweeper needs it), then send the person to auth.URL
	// (WeChat H5) or hand the BizToken to the mini program.
	fmt.Println(len(auth.BizToken), auth.URL != "")
	// Output: 36 true
}

func ExampleDetectService_InfoEnhanced() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	auth, _ := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "2016"}, kyctest.DetectAttempt{ErrCode: "0"})
	res, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText})
	if err != nil {
		panic(err)
	}
	charges := 0
	for _, d := range res.Text.LivenessDetail {
		if d.Charged() {
			charges++
		}
	}
	fmt.Println(res.Passed(), len(res.Text.LivenessDetail), charges)
	// Output: true 2 2
}

// Every attempt's liveness video, with the final one: AllVideos (IsReturnAllVideo) needs
// PartVideo, and the service's data-storage option on the account.
func ExampleDetectService_InfoEnhanced_allVideos() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	auth, _ := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "2016", Seq: "seq-1"}, kyctest.DetectAttempt{ErrCode: "0", Seq: "seq-2"})
	res, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID,
		Parts: kyc.PartVideo, AllVideos: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(res.Video) > 0, len(res.Videos))
	for _, v := range res.Videos {
		fmt.Println(v.Seq, v) // a video prints as its size only
	}
	// Output:
	// true 2
	// seq-1 VideoDetail{seq: seq-1, video: Media(204800 bytes), path: ""}
	// seq-2 VideoDetail{seq: seq-2, video: Media(204800 bytes), path: ""}
}

func ExampleDetectService_Info() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	auth, _ := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "2016"})
	res, err := c.Detect.Info(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.Text.Code())
	// Output: false 2016
}

func ExampleEIDService_Token() {
	srv, c := cloudExample()
	defer srv.Close()
	tok, err := c.EID.Token(context.Background(), kyc.EIDTokenRequest{MerchantID: "KYCTESTMERCHANT",
		Config: &kyc.EIDTokenConfig{InputType: kyc.EIDInputManual}})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(tok.EIDToken), tok.URL != "")
	// Output: 36 true
}

func ExampleEIDService_TokenStatus() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	tok, _ := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1"})
	_ = srv.StartEid(tok.EIDToken)
	st, err := c.EID.TokenStatus(ctx, tok.EIDToken)
	fmt.Println(st, st.Final(), err)
	// Output: doing false <nil>
}

func ExampleEIDService_WaitTokenStatus() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // an EidToken lives 600 s
	defer cancel()
	tok, _ := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1"})
	_ = srv.CompleteEid(tok.EIDToken, "0")
	st, err := c.EID.WaitTokenStatus(ctx, tok.EIDToken)
	fmt.Println(st, err)
	// Output: finished <nil>
}

func ExampleEIDService_Result() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	tok, _ := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1"})
	_ = srv.CompleteEid(tok.EIDToken, "0")
	res, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: tok.EIDToken, Parts: kyc.PartText})
	if err != nil {
		panic(err)
	}
	// EidInfo comes after the console application for identity data: the person's EidCode for
	// this merchant, the eID centre's EidSign, and the name and ID number encrypted for you
	// (DesKey: the session key under your SM2 public key; UserInfo: the identity under it).
	info := res.EIDInfo
	fmt.Println(res.Passed(), info != nil, info.EIDCode != "", info.EIDSign != "", info.DesKey != "", info.UserInfo != "", info)
	// Output: true true true true true true EIDInfo(REDACTED)
}

func ExampleBillingService_Day() {
	srv, c := cloudExample()
	defer srv.Close()
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	_ = srv.SeedBill(day.String(), kyctest.DefaultRuleID, kyctest.BillRecord{BizToken: "TOKEN-A",
		Details: []kyctest.DetectAttempt{{ErrCode: "2016", At: day.Start().Add(9 * time.Hour)}, {ErrCode: "0", At: day.Start().Add(9*time.Hour + time.Minute)}}})
	total := 0
	for rec, err := range c.Billing.Day(context.Background(), day, kyctest.DefaultRuleID) {
		if err != nil {
			fmt.Println("stopped:", err) // the records seen so far are still valid
			break
		}
		total += rec.ChargeCount
	}
	fmt.Println("charges:", total)
	// Output: charges: 2
}

func ExampleBillingService_FetchDay() {
	srv, c := cloudExample()
	defer srv.Close()
	today := kyc.DayOf(srv.Clock.Now())
	_, err := c.Billing.FetchDay(context.Background(), today, "")
	fmt.Println(err != nil) // today's bill is out tomorrow at 06:00 China time
	bill, err := c.Billing.FetchDay(context.Background(), today.AddDays(-2), "")
	fmt.Println(len(bill.Records), err)
	// Output:
	// true
	// 0 <nil>
}

func ExampleClient_CallCloud() {
	srv, c := cloudExample()
	defer srv.Close()
	// An action without a typed call: its parameters as JSON (a struct, a map or raw JSON), its
	// Response (without the envelope) decoded into a struct of the fields you need.
	var status struct {
		Result     string
		StatusCode int64
	}
	err := c.CallCloud(context.Background(), "MobileStatus", map[string]string{"Mobile": "13800000000"}, &status)
	fmt.Println(err, status.Result, status.StatusCode)

	// A service error is an *APIError with its code and RequestId.
	err = c.CallCloud(context.Background(), "MobileStatus", nil, nil)
	var ae *kyc.APIError
	fmt.Println(errors.As(err, &ae), ae.Code, ae.RequestID != "")
	// Output:
	// <nil> 0 0
	// true MissingParameter true
}
