package kyctest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"

	"github.com/kycgo/kyc/kyctest"
)

// mint sends a minting action with Tencent's common client and returns the answer's token
// member, or the error code.
func (o *officialClient) mint(action string, params map[string]any, member string) (string, string) {
	o.t.Helper()
	req := tchttp.NewCommonRequest("faceid", "2018-03-01", action)
	require.NoError(o.t, req.SetActionParameters(params))
	resp := tchttp.NewCommonResponse()
	if err := o.client.Send(req, resp); err != nil {
		var e *tcerr.TencentCloudSDKError
		require.ErrorAs(o.t, err, &e, "an API 3.0 error frame")
		return "", e.Code
	}
	var ok struct{ Response map[string]any }
	require.NoError(o.t, json.Unmarshal(resp.GetBody(), &ok))
	tok, _ := ok.Response[member].(string)
	require.NotEmpty(o.t, tok)
	return tok, ""
}

// TestOfficialClientWillJourneys: Tencent's common client sends DetectAuth with Config and
// IntentionQuestions (the documented example, ID number invented) and GetEidToken with a nod
// Config; kyctest accepts both, plays the will steps, and its GetDetectInfoEnhanced and
// GetEidResult answers decode with the service's types, strictly.
func TestOfficialClientWillJourneys(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)

	bizToken, code := oc.mint("DetectAuth", map[string]any{"RuleId": kyctest.DefaultRuleID, "IdCard": "KYCTEST0000000001", "Name": "张三",
		"RedirectUrl": "https://example.com/back", "Extra": "order-42",
		"Config":             map[string]any{"IntentionType": 0, "IntentionRecognition": true, "Speed": 0},
		"IntentionQuestions": []any{map[string]any{"Question": "请问您是本人自愿办理吗？如是，请回复“我同意”。", "Answers": []string{"同意", "我同意"}}}},
		"BizToken")
	require.Empty(t, code)
	require.NoError(t, srv.CompleteDetect(bizToken, kyctest.DetectAttempt{ErrCode: "0"}))
	require.NoError(t, srv.CompleteIntention(bizToken, kyctest.IntentionOutcome{Answers: []string{"我同意"}}))
	var info officialDetectInfoEnhancedResponse
	oc.call("GetDetectInfoEnhanced", map[string]any{"BizToken": bizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "16"}, &info)
	r := info.Response
	require.NotNil(t, r)
	require.True(t, *r.IsVerifyIntention)
	require.Equal(t, "0", *r.IntentionVerifyType)
	q := r.IntentionQuestionResult
	require.NotNil(t, q)
	require.Equal(t, int64(0), *q.FinalResultDetailCode)
	require.Equal(t, "0", *q.FinalResultCode)
	require.Len(t, q.AsrResult, 1)
	require.Equal(t, "我同意", *q.AsrResult[0])
	require.Equal(t, "0", *q.ResultCode[0])
	require.NotEmpty(t, base64Text(t, q.Audios[0], "Audios[0]"))
	require.Nil(t, r.IntentionActionResult)
	require.Nil(t, r.IntentionVerifyData)

	eidToken, code := oc.mint("GetEidToken", map[string]any{"MerchantId": "KYCTESTMERCHANT", "Config": map[string]any{
		"UseIntentionVerify": true, "IntentionMode": "3", "IntentionRecognition": false, "MouthOpenRecognition": false, "Speed": 2,
		"IsSupportHMTResidentPermitOCR": true, "IntentionActions": []any{map[string]any{"Text": "同意开户请点头。"}}}}, "EidToken")
	require.Empty(t, code)
	require.NoError(t, srv.CompleteIntention(eidToken, kyctest.IntentionOutcome{}))
	require.NoError(t, srv.CompleteEid(eidToken, "0"))
	var res officialEidResultResponse
	oc.call("GetEidResult", map[string]any{"EidToken": eidToken, "InfoType": "0"}, &res)
	e := res.Response
	require.NotNil(t, e)
	require.True(t, *e.IsVerifyIntention)
	require.Equal(t, "1", *e.IntentionVerifyType)
	require.NotNil(t, e.IntentionActionResult)
	require.Equal(t, int64(0), *e.IntentionActionResult.FinalResultDetailCode)
	require.Len(t, e.IntentionActionResult.Details, 1)
	require.NotEmpty(t, base64Text(t, e.IntentionActionResult.Details[0].Video, "Details[0].Video"))

	// InfoType 5 is the read-aloud result only: without 6, neither the nod nor the Q&A result.
	var noNod officialEidResultResponse
	oc.call("GetEidResult", map[string]any{"EidToken": eidToken, "InfoType": "15"}, &noNod)
	require.Nil(t, noNod.Response.IntentionActionResult)
	require.Equal(t, "1", *noNod.Response.IntentionVerifyType)
	var noQA officialDetectInfoEnhancedResponse
	oc.call("GetDetectInfoEnhanced", map[string]any{"BizToken": bizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "15"}, &noQA)
	require.Nil(t, noQA.Response.IntentionQuestionResult)
	require.True(t, *noQA.Response.IsVerifyIntention)
}

// TestWillParametersCheckedByTheFake: kyctest applies the models' rules to the will parameters
// on its own: round counts, lengths, modes and their prompts, unknown members of the nested
// objects.
func TestWillParametersCheckedByTheFake(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)
	q := func(n int, question string, answers ...string) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"Question": question, "Answers": answers}
		}
		return out
	}
	acts := func(n int, text string) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"Text": text}
		}
		return out
	}
	rule := kyctest.DefaultRuleID
	for name, tc := range map[string]struct {
		action string
		params map[string]any
		code   string // "" accepted
	}{
		"ten rounds":            {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(10, "问", "是")}, ""},
		"eleven rounds":         {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(11, "问", "是")}, "InvalidParameterValue"},
		"no rounds":             {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": []any{}}, "InvalidParameterValue"},
		"question 250":          {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(1, strings.Repeat("问", 250), "是")}, ""},
		"question 251":          {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(1, strings.Repeat("问", 251), "是")}, "InvalidParameterValue"},
		"answer 11":             {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(1, "问", strings.Repeat("是", 11))}, "InvalidParameterValue"},
		"51 answers":            {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(1, "问", strings.Split(strings.Repeat("是", 51), "")...)}, "InvalidParameterValue"},
		"no answers":            {"DetectAuth", map[string]any{"RuleId": rule, "IntentionQuestions": q(1, "问")}, "InvalidParameterValue"},
		"verify text 121":       {"DetectAuth", map[string]any{"RuleId": rule, "IntentionVerifyText": strings.Repeat("读", 121)}, "InvalidParameterValue"},
		"nod text 250":          {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"IntentionType": 1}, "IntentionActions": acts(1, strings.Repeat("点", 250))}, ""},
		"nod text 251":          {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"IntentionType": 1}, "IntentionActions": acts(1, strings.Repeat("点", 251))}, "InvalidParameterValue"},
		"nod without actions":   {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"IntentionType": 1}}, "InvalidParameter"},
		"Q&A without questions": {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"IntentionType": 0}}, "InvalidParameter"},
		"type 2":                {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"IntentionType": 2}, "IntentionQuestions": q(1, "问", "是")}, "InvalidParameterValue"},
		"speed 4":               {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"Speed": 4}, "IntentionQuestions": q(1, "问", "是")}, "InvalidParameterValue"},
		"unknown Config member": {"DetectAuth", map[string]any{"RuleId": rule, "Config": map[string]any{"Volume": 3}, "IntentionQuestions": q(1, "问", "是")}, "UnknownParameter"},
		"TerminalType accepted": {"DetectAuth", map[string]any{"RuleId": rule, "TerminalType": "WEB"}, ""},
		"eID mode 3":            {"GetEidToken", map[string]any{"MerchantId": "M", "Config": map[string]any{"UseIntentionVerify": true, "IntentionMode": "3", "IntentionActions": acts(1, "点头")}}, ""},
		"eID mode 4":            {"GetEidToken", map[string]any{"MerchantId": "M", "Config": map[string]any{"IntentionMode": "4"}}, "InvalidParameterValue"},
		"eID nod text 151":      {"GetEidToken", map[string]any{"MerchantId": "M", "Config": map[string]any{"IntentionMode": "3", "IntentionActions": acts(1, strings.Repeat("点", 151))}}, "InvalidParameterValue"},
		"eID mode 3 no prompts": {"GetEidToken", map[string]any{"MerchantId": "M", "Config": map[string]any{"UseIntentionVerify": true, "IntentionMode": "3"}}, "InvalidParameter"},
		"eID ten Q&A rounds":    {"GetEidToken", map[string]any{"MerchantId": "M", "Config": map[string]any{"UseIntentionVerify": true, "IntentionMode": "2", "IntentionQuestions": q(10, "问", "是")}}, ""},
	} {
		member := map[string]string{"DetectAuth": "BizToken", "GetEidToken": "EidToken"}[tc.action]
		_, code := oc.mint(tc.action, tc.params, member)
		require.Equal(t, tc.code, code, name)
	}
}

// TestFakeSpellsErrorCodesAsTheService: kyctest words the API 3.0 codes in the service's
// spellings (Tencent's SDK: InternalError, not the manual's InternalServerError;
// UnsupportEncryptField, not UnsupportedEncryptField), so a fault with one of them carries its
// message.
func TestFakeSpellsErrorCodesAsTheService(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)
	for code, msg := range map[string]string{"InternalError": "内部错误。", "InternalError.EncryptSystemError": "加密失败。",
		"FailedOperation.EncryptSystemError": "加密失败。", "InvalidParameter.UnsupportEncryptField": "存在不加密的字段，请参考文档修改。"} {
		srv.Fail(kyctest.Fault{Endpoint: "GetEidResult", Code: code, Times: 1})
		req := tchttp.NewCommonRequest("faceid", "2018-03-01", "GetEidResult")
		require.NoError(t, req.SetActionParameters(map[string]any{"EidToken": "x"}))
		var e *tcerr.TencentCloudSDKError
		require.ErrorAs(t, oc.client.Send(req, tchttp.NewCommonResponse()), &e)
		require.Equal(t, code, e.Code)
		require.Equal(t, msg, e.Message, code)
	}
}
