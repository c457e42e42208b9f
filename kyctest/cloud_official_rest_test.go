package kyctest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"

	"github.com/kycgo/kyc/kyctest"
)

// The models of GetDetectInfo, CheckEidTokenStatus and GetWeChatBillDetails, written from
// docs/D-api3-actions.md as Tencent's client declares them (pointers, uint64 counts).
type (
	officialDetectInfoResponse struct {
		tchttp.BaseResponse
		Response *struct {
			DetectInfo *string `json:"DetectInfo,omitempty"`
			RequestId  *string `json:"RequestId,omitempty"`
		} `json:"Response"`
	}
	officialEidStatusResponse struct {
		tchttp.BaseResponse
		Response *struct {
			Status    *string `json:"Status,omitempty"`
			RequestId *string `json:"RequestId,omitempty"`
		} `json:"Response"`
	}
	officialChargeDetail struct {
		ReqTime      *string `json:"ReqTime,omitempty"`
		Seq          *string `json:"Seq,omitempty"`
		Idcard       *string `json:"Idcard,omitempty"`
		Name         *string `json:"Name,omitempty"`
		Sim          *string `json:"Sim,omitempty"`
		IsNeedCharge *bool   `json:"IsNeedCharge,omitempty"`
		ChargeType   *string `json:"ChargeType,omitempty"`
		ErrorCode    *string `json:"ErrorCode,omitempty"`
		ErrorMessage *string `json:"ErrorMessage,omitempty"`
		IdCard       *string `json:"IdCard,omitempty"`
	}
	officialBillResponse struct {
		tchttp.BaseResponse
		Response *struct {
			HasNextPage       *bool   `json:"HasNextPage,omitempty"`
			NextCursor        *uint64 `json:"NextCursor,omitempty"`
			WeChatBillDetails []*struct {
				BizToken      *string                 `json:"BizToken,omitempty"`
				ChargeCount   *uint64                 `json:"ChargeCount,omitempty"`
				ChargeDetails []*officialChargeDetail `json:"ChargeDetails,omitempty"`
				RuleId        *string                 `json:"RuleId,omitempty"`
			} `json:"WeChatBillDetails,omitempty"`
			RequestId *string `json:"RequestId,omitempty"`
		} `json:"Response"`
	}
)

// TestOfficialClientDecodesTheOtherActions: the legacy GetDetectInfo (a JSON document in a
// string), CheckEidTokenStatus and GetWeChatBillDetails, as kyctest answers them, decode with
// the service's types through Tencent's common client, and strictly.
func TestOfficialClientDecodesTheOtherActions(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)

	bizToken, code := oc.mint("DetectAuth", map[string]any{"RuleId": kyctest.DefaultRuleID, "Name": "测试用户",
		"IdCard": "KYCTEST0000000001"}, "BizToken")
	require.Empty(t, code)
	require.NoError(t, srv.CompleteDetect(bizToken, kyctest.DetectAttempt{ErrCode: "0", Seq: "seq-legacy-1"}))

	var legacy officialDetectInfoResponse
	oc.call("GetDetectInfo", map[string]any{"BizToken": bizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "1"}, &legacy)
	require.NotNil(t, legacy.Response)
	require.NotNil(t, legacy.Response.DetectInfo)
	var doc struct {
		Text struct {
			ErrCode *int64
			Detail  struct {
				LivenessData []struct{ ErrCode *int64 }
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(*legacy.Response.DetectInfo), &doc), "DetectInfo is a JSON document")
	require.NotNil(t, doc.Text.ErrCode)
	require.Zero(t, *doc.Text.ErrCode)

	eidToken, code := oc.mint("GetEidToken", map[string]any{"MerchantId": "KYCTESTMERCHANT"}, "EidToken")
	require.Empty(t, code)
	var status officialEidStatusResponse
	oc.call("CheckEidTokenStatus", map[string]any{"EidToken": eidToken}, &status)
	require.NotNil(t, status.Response.Status)
	require.Equal(t, "init", *status.Response.Status)

	day := srv.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1)
	require.NoError(t, srv.SeedBill(day.Format(time.DateOnly), kyctest.DefaultRuleID, kyctest.BillRecord{
		BizToken: "OFFICIAL-BILL-1",
		Details:  []kyctest.DetectAttempt{{ErrCode: "0", At: day, Seq: "seq-bill-1"}},
	}))
	var bill officialBillResponse
	oc.call("GetWeChatBillDetails", map[string]any{"Date": day.Format(time.DateOnly), "Cursor": 0}, &bill)
	r := bill.Response
	require.NotNil(t, r)
	require.False(t, *r.HasNextPage)
	require.Len(t, r.WeChatBillDetails, 1)
	d := r.WeChatBillDetails[0]
	require.Equal(t, "OFFICIAL-BILL-1", *d.BizToken)
	require.Equal(t, uint64(1), *d.ChargeCount)
	require.Len(t, d.ChargeDetails, 1)
	require.Equal(t, "seq-bill-1", *d.ChargeDetails[0].Seq)
	require.NotNil(t, d.ChargeDetails[0].ErrorCode, "ErrorCode is a string in ChargeDetail")
	require.Equal(t, "0", *d.ChargeDetails[0].ErrorCode)
}
