package kyc_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// TestCallCloudRunsTheTypedActions sends each action the SDK also types (DetectAuth,
// GetDetectInfoEnhanced, GetDetectInfo, GetEidToken, CheckEidTokenStatus, GetEidResult,
// GetWeChatBillDetails) through CallCloud with the service's parameter names, and checks that the
// answers agree with the typed calls' over the same tokens: the escape hatch speaks the same wire.
func TestCallCloudRunsTheTypedActions(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()

	// WeChat: DetectAuth, then the result both ways.
	var auth struct {
		BizToken  string
		URL       string `json:"Url"`
		RequestID string `json:"RequestId"`
	}
	require.NoError(t, c.CallCloud(ctx, "DetectAuth", map[string]string{
		"RuleId": kyctest.DefaultRuleID, "Name": cloudName, "IdCard": cloudIDCard}, &auth))
	require.NotEmpty(t, auth.BizToken)
	require.Contains(t, auth.URL, auth.BizToken)
	require.NotEmpty(t, auth.RequestID)
	_, ok := srv.DetectToken(auth.BizToken)
	require.True(t, ok, "kyctest minted the BizToken CallCloud returned")
	require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0", Seq: "call-seq-1"}))

	var enhanced struct {
		Text struct {
			ErrCode        *int64
			Name           string
			IDCard         string `json:"IdCard"`
			LivenessDetail []struct{ Seq string }
		}
	}
	require.NoError(t, c.CallCloud(ctx, "GetDetectInfoEnhanced", map[string]string{
		"BizToken": auth.BizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "0"}, &enhanced))
	typed, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID,
		Parts: kyc.PartText})
	require.NoError(t, err)
	require.NotNil(t, enhanced.Text.ErrCode)
	require.Equal(t, *typed.Text.ErrCode, *enhanced.Text.ErrCode)
	require.Zero(t, *enhanced.Text.ErrCode)
	require.Equal(t, cloudName, enhanced.Text.Name)
	require.Equal(t, typed.Text.IDCard, enhanced.Text.IDCard)
	require.Len(t, enhanced.Text.LivenessDetail, 1)
	require.Equal(t, "call-seq-1", enhanced.Text.LivenessDetail[0].Seq)

	var legacy struct{ DetectInfo string }
	require.NoError(t, c.CallCloud(ctx, "GetDetectInfo", map[string]string{
		"BizToken": auth.BizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "0"}, &legacy))
	var doc struct {
		Text struct{ ErrCode *int64 }
	}
	require.NoError(t, json.Unmarshal([]byte(legacy.DetectInfo), &doc), "DetectInfo is a JSON document in a string")
	require.NotNil(t, doc.Text.ErrCode)
	require.Zero(t, *doc.Text.ErrCode)

	// eID: GetEidToken, its status, its result.
	var eid struct {
		EidToken string
		URL      string `json:"Url"`
	}
	require.NoError(t, c.CallCloud(ctx, "GetEidToken", map[string]any{
		"MerchantId": "KYCTESTMERCHANT", "Name": cloudName, "IdCard": cloudIDCard,
		"Config": map[string]string{"InputType": "4"}}, &eid))
	require.NotEmpty(t, eid.EidToken)
	var status struct{ Status string }
	require.NoError(t, c.CallCloud(ctx, "CheckEidTokenStatus", map[string]string{"EidToken": eid.EidToken}, &status))
	typedStatus, err := c.EID.TokenStatus(ctx, eid.EidToken)
	require.NoError(t, err)
	require.Equal(t, string(typedStatus), status.Status)
	require.Equal(t, "init", status.Status)

	require.NoError(t, srv.StartEid(eid.EidToken))
	require.NoError(t, srv.CompleteEid(eid.EidToken, "0"))
	var result struct {
		Text    struct{ ErrCode *int64 }
		EidInfo struct{ EidCode, EidSign, DesKey, UserInfo string }
	}
	require.NoError(t, c.CallCloud(ctx, "GetEidResult", map[string]string{"EidToken": eid.EidToken}, &result))
	typedResult, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: eid.EidToken})
	require.NoError(t, err)
	require.NotNil(t, result.Text.ErrCode)
	require.Zero(t, *result.Text.ErrCode)
	require.NotNil(t, typedResult.EIDInfo)
	require.Equal(t, typedResult.EIDInfo.EIDCode, result.EidInfo.EidCode)
	// kyctest signs and wraps afresh on every answer, as a service with a per-answer session key
	// would: present under the service's names (EidSign, DesKey, UserInfo) is what matters.
	require.NotEmpty(t, result.EidInfo.EidSign)
	require.NotEmpty(t, result.EidInfo.DesKey)
	require.NotEmpty(t, result.EidInfo.UserInfo)

	// The bill of a seeded day, both ways.
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-1)
	require.NoError(t, srv.SeedBill(day.String(), kyctest.DefaultRuleID, kyctest.BillRecord{
		BizToken: "CALLCLOUD-BILL-1",
		Details:  []kyctest.DetectAttempt{{ErrCode: "0", At: day.Start().Add(12 * time.Hour), Seq: "bill-seq-1"}},
	}))
	var bill struct {
		HasNextPage       bool
		NextCursor        uint64
		WeChatBillDetails []struct {
			BizToken      string
			ChargeCount   uint64
			ChargeDetails []struct{ Seq string }
		}
	}
	require.NoError(t, c.CallCloud(ctx, "GetWeChatBillDetails", map[string]any{
		"Date": day.String(), "Cursor": 0, "RuleId": kyctest.DefaultRuleID}, &bill))
	require.False(t, bill.HasNextPage)
	require.Len(t, bill.WeChatBillDetails, 1)
	require.Equal(t, "CALLCLOUD-BILL-1", bill.WeChatBillDetails[0].BizToken)
	require.Equal(t, uint64(1), bill.WeChatBillDetails[0].ChargeCount)
	require.Equal(t, "bill-seq-1", bill.WeChatBillDetails[0].ChargeDetails[0].Seq)
	typedBill, err := c.Billing.FetchDay(ctx, day, kyctest.DefaultRuleID)
	require.NoError(t, err)
	require.Len(t, typedBill.Records, 1)
	require.Equal(t, bill.WeChatBillDetails[0].BizToken, typedBill.Records[0].BizToken)

	for _, action := range []string{"DetectAuth", "GetDetectInfoEnhanced", "GetDetectInfo", "GetEidToken",
		"CheckEidTokenStatus", "GetEidResult", "GetWeChatBillDetails"} {
		require.Positive(t, srv.Requests(action), action)
	}
}
