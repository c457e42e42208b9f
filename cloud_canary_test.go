package kyc_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/credentials"
	"github.com/kycgo/kyc/kyctest"
)

// TestCanaryCloud drives every API 3.0 call, successes and failures, with debug logging on, and
// looks for the SecretKey, the session token, the name, the ID number (and their masked forms),
// media and eID identity in all log output, every error string and every formatted value.
func TestCanaryCloud(t *testing.T) {
	const secretKey, token = "CanaryCloudKeyQ8w2Zr5Tx7Yp3Ln6Mv", "CanarySessionTokenH4k9Bq2"
	srv := kyctest.NewServer(kyctest.WithCloudTemporaryCredentials("AKIDCANARY", secretKey, token), kyctest.WithMedia(3000, 5000))
	defer srv.Close()
	var logs lockedBuffer
	text := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	js := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(credentials.Static("AKIDCANARY", secretKey, token)), kyc.WithCloudEndpoint(srv.URL),
		kyc.WithClock(srv.Clock), kyc.WithLogger(text), kyc.WithRetry(2, time.Millisecond, 2*time.Millisecond),
		kyc.WithTimeout(10*time.Second), kyc.WithEIDPollInterval(time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	secrets := []string{secretKey, token, canaryName, canaryIDNo, "****试", "KYCC" + strings.Repeat("*", 10)}
	var texts []string
	// noteFmt formats values; note also logs them (slices go through noteFmt only: slog's JSON
	// handler marshals a slice with encoding/json, which keeps stored data whole).
	noteFmt := func(v ...any) {
		for _, x := range v {
			if x != nil {
				texts = append(texts, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x), fmt.Sprintf("%s", x))
			}
		}
	}
	note := func(v ...any) {
		noteFmt(v...)
		for _, x := range v {
			if x != nil {
				js.Info("value", "v", x)
				text.Info("value", "v", x)
			}
		}
	}
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("CANARYCLOUDPHOTO-0123456789-CANARYCLOUDPHOTO-0123456789")...)
	secrets = append(secrets, base64.StdEncoding.EncodeToString(photo)[8:40])

	areq := kyc.DetectAuthRequest{RuleID: "1", Name: canaryName, IDCard: canaryIDNo, Photo: photo}
	note(areq, &areq)
	auth, err := c.Detect.Auth(ctx, areq)
	require.NoError(t, err)
	billDay := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "2016", At: billDay.Start().Add(12 * time.Hour)},
		kyctest.DetectAttempt{ErrCode: "0"}))
	info, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1", BestFrames: 1, AllVideos: true})
	require.NoError(t, err)
	require.Equal(t, canaryName, info.Text.Name)
	secrets = append(secrets, base64.StdEncoding.EncodeToString(info.Video)[8:40], base64.StdEncoding.EncodeToString(info.BestFrame)[8:40])
	require.Len(t, info.Videos, 2)
	for _, v := range info.Videos {
		secrets = append(secrets, base64.StdEncoding.EncodeToString(v.Video)[8:40])
	}
	note(info.Videos[0], &info.Videos[0], kyc.VideoDetail{Seq: "s", Path: "faceid/canary/CanaryVideoPath.mp4"})
	secrets = append(secrets, "CanaryVideoPath")
	noteFmt(info.Videos)
	note(info, *info, info.Text, *info.Text, info.IDCard, info.Text.LivenessDetail[0], &info.Text.LivenessDetail[0])
	noteFmt(info.Text.LivenessDetail)
	legacy, err := c.Detect.Info(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1"})
	require.NoError(t, err)
	note(legacy)

	ereq := kyc.EIDTokenRequest{MerchantID: "M1", Name: canaryName, IDCard: canaryIDNo, Config: &kyc.EIDTokenConfig{InputType: kyc.EIDInputPartner}}
	note(ereq)
	eid, err := c.EID.Token(ctx, ereq)
	require.NoError(t, err)
	require.NoError(t, srv.CompleteEid(eid.EIDToken, "0"))
	st, err := c.EID.WaitTokenStatus(ctx, eid.EIDToken)
	require.NoError(t, err)
	note(st)
	er, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: eid.EIDToken})
	require.NoError(t, err)
	require.NotEmpty(t, er.EIDInfo.UserInfo)
	secrets = append(secrets, er.EIDInfo.EIDCode, er.EIDInfo.EIDSign, er.EIDInfo.DesKey, er.EIDInfo.UserInfo)
	note(er, *er, er.EIDInfo, *er.EIDInfo)

	bill, err := c.Billing.FetchDay(ctx, billDay, "")
	require.NoError(t, err)
	require.Len(t, bill.Records, 1)
	require.Equal(t, "****试", bill.Records[0].ChargeDetails[0].Name, "the bill carries the masked name")
	note(bill.Records[0], bill.Records[0].ChargeDetails[0])
	note(bill, *bill)
	noteFmt(bill.Records)
	store := billing.NewMemoryStore()
	require.NoError(t, store.MarkPulled(ctx, auth.BizToken, true, info.Text.LivenessDetail))
	note(store.Saved()[0])
	noteFmt(store.Saved())
	rep, err := billing.Reconcile(kyc.ProductPlus, store.Saved(), bill)
	require.NoError(t, err)
	note(rep)

	// Failures of every kind on every action, with personal data in the requests.
	// Calls in the failure loops get a short deadline so that latency faults end quickly;
	// everything else has the default per-attempt timeout, so a loaded machine cannot fail it.
	quick := func() context.Context {
		qctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
		t.Cleanup(cancel)
		return qctx
	}
	for _, f := range []kyctest.Fault{{Drop: true}, {Truncate: true}, {Status: 502}, {Code: "AuthFailure.SignatureFailure"},
		{Code: "InternalError"}, {Latency: time.Second}} {
		for _, action := range []string{"DetectAuth", "GetDetectInfoEnhanced", "GetDetectInfo", "GetEidToken", "GetEidResult", "CheckEidTokenStatus", "GetWeChatBillDetails"} {
			srv.ClearFaults()
			f.Endpoint = action
			srv.Fail(f)
			_, err := c.Detect.Auth(quick(), areq)
			note(err)
			_, err = c.Detect.InfoEnhanced(quick(), kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1"})
			note(err)
			_, err = c.Detect.Info(quick(), kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1"})
			note(err)
			_, err = c.EID.Token(quick(), ereq)
			note(err)
			_, err = c.EID.Result(quick(), kyc.EIDResultRequest{EIDToken: eid.EIDToken})
			note(err)
			_, err = c.EID.TokenStatus(quick(), eid.EIDToken)
			note(err)
			_, err = c.Billing.FetchDay(quick(), kyc.DayOf(srv.Clock.Now()).AddDays(-2), "")
			note(err)
		}
	}
	srv.ClearFaults()
	// Refused input and a wrong key quote no value.
	for _, r := range []kyc.DetectAuthRequest{{RuleID: "1", Name: canaryName}, {RuleID: "1", Name: canaryName + "\n", IDCard: canaryIDNo},
		{RuleID: "1", Name: canaryName, IDCard: canaryIDNo + "x"}} {
		_, err := c.Detect.Auth(ctx, r)
		require.Error(t, err)
		note(err)
	}
	bad, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(credentials.Static("AKIDCANARY", secretKey+"0", token)), kyc.WithCloudEndpoint(srv.URL), kyc.WithLogger(text))
	require.NoError(t, err)
	_, err = bad.Detect.Auth(ctx, areq)
	require.Error(t, err)
	note(err)
	_, err = kyc.NewCloud("AKIDCANARY", secretKey+" ")
	note(err)

	all := logs.String() + "\n" + strings.Join(texts, "\n")
	require.Contains(t, all, "kyc response")
	require.Contains(t, all, "GetWeChatBillDetails")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		if i := strings.Index(all, s); i >= 0 {
			t.Fatalf("secret %q found: ...%s...", s, all[max(0, i-200):min(len(all), i+len(s)+50)])
		}
	}
}
