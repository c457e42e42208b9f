package kyctest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/kycgo/kyc/kyctest"
)

// Tencent's typed faceid client (module tencentcloud-sdk-go/tencentcloud/faceid) is not
// reachable from the build's module proxy, so these tests use the common module's client (the
// same Send and the same decoding path, tchttp.ParseFromHttpResponse: json.Unmarshal into a
// typed response) with response types written here from docs/D-api3-actions.md (Tencent's faceid 2018-03-01
// models): the same JSON names, the same Go kinds (pointers, int64/uint64 numbers, objects where
// the model has objects). Each answer is also decoded strictly (unknown names refused), so a
// name the service does not have, which the official client would silently drop, fails.

type officialDetectInfoText struct {
	ErrCode                *int64                  `json:"ErrCode,omitempty"`
	ErrMsg                 *string                 `json:"ErrMsg,omitempty"`
	IdCard                 *string                 `json:"IdCard,omitempty"`
	UseIDType              *uint64                 `json:"UseIDType,omitempty"`
	Name                   *string                 `json:"Name,omitempty"`
	OcrNation              *string                 `json:"OcrNation,omitempty"`
	OcrAddress             *string                 `json:"OcrAddress,omitempty"`
	OcrBirth               *string                 `json:"OcrBirth,omitempty"`
	OcrAuthority           *string                 `json:"OcrAuthority,omitempty"`
	OcrValidDate           *string                 `json:"OcrValidDate,omitempty"`
	OcrName                *string                 `json:"OcrName,omitempty"`
	OcrIdCard              *string                 `json:"OcrIdCard,omitempty"`
	OcrGender              *string                 `json:"OcrGender,omitempty"`
	IdInfoFrom             *string                 `json:"IdInfoFrom,omitempty"`
	LiveStatus             *int64                  `json:"LiveStatus,omitempty"`
	LiveMsg                *string                 `json:"LiveMsg,omitempty"`
	Comparestatus          *int64                  `json:"Comparestatus,omitempty"`
	Comparemsg             *string                 `json:"Comparemsg,omitempty"`
	Sim                    *string                 `json:"Sim,omitempty"`
	Location               *string                 `json:"Location,omitempty"`
	Extra                  *string                 `json:"Extra,omitempty"`
	LivenessDetail         []*officialDetectDetail `json:"LivenessDetail,omitempty"`
	LivenessInfoTag        []*string               `json:"LivenessInfoTag,omitempty"`
	Mobile                 *string                 `json:"Mobile,omitempty"`
	CompareLibType         *string                 `json:"CompareLibType,omitempty"`
	LivenessMode           *uint64                 `json:"LivenessMode,omitempty"`
	NFCRequestIds          []*string               `json:"NFCRequestIds,omitempty"`
	NFCBillingCounts       *int64                  `json:"NFCBillingCounts,omitempty"`
	PassNo                 *string                 `json:"PassNo,omitempty"`
	VisaNum                *string                 `json:"VisaNum,omitempty"`
	LivenessActionSequence *string                 `json:"LivenessActionSequence,omitempty"`
}

type officialDetectDetail struct {
	ReqTime        *string `json:"ReqTime,omitempty"`
	Seq            *string `json:"Seq,omitempty"`
	Idcard         *string `json:"Idcard,omitempty"`
	Name           *string `json:"Name,omitempty"`
	Sim            *string `json:"Sim,omitempty"`
	IsNeedCharge   *bool   `json:"IsNeedCharge,omitempty"`
	Errcode        *int64  `json:"Errcode,omitempty"`
	Errmsg         *string `json:"Errmsg,omitempty"`
	Livestatus     *int64  `json:"Livestatus,omitempty"`
	Livemsg        *string `json:"Livemsg,omitempty"`
	Comparestatus  *int64  `json:"Comparestatus,omitempty"`
	Comparemsg     *string `json:"Comparemsg,omitempty"`
	CompareLibType *string `json:"CompareLibType,omitempty"`
	LivenessMode   *uint64 `json:"LivenessMode,omitempty"`
}

type officialIdCardData struct {
	OcrFront            *string  `json:"OcrFront,omitempty"`
	OcrBack             *string  `json:"OcrBack,omitempty"`
	ProcessedFrontImage *string  `json:"ProcessedFrontImage,omitempty"`
	ProcessedBackImage  *string  `json:"ProcessedBackImage,omitempty"`
	Avatar              *string  `json:"Avatar,omitempty"`
	WarnInfos           []*int64 `json:"WarnInfos,omitempty"`
	BackWarnInfos       []*int64 `json:"BackWarnInfos,omitempty"`
}

type officialBestFrame struct {
	BestFrame  *string   `json:"BestFrame,omitempty"`
	BestFrames []*string `json:"BestFrames,omitempty"`
}

type officialVideoData struct {
	LivenessVideo  *string                `json:"LivenessVideo,omitempty"`
	LivenessVideos []*officialVideoDetail `json:"LivenessVideos,omitempty"`
}

type officialVideoDetail struct {
	Seq   *string `json:"Seq,omitempty"`
	Video *string `json:"Video,omitempty"`
}

type officialEncryption struct {
	EncryptList    []*string `json:"EncryptList,omitempty"`
	CiphertextBlob *string   `json:"CiphertextBlob,omitempty"`
	Iv             *string   `json:"Iv,omitempty"`
	Algorithm      *string   `json:"Algorithm,omitempty"`
	TagList        []*string `json:"TagList,omitempty"`
}

type officialIntentionVerifyD struct {
	IntentionVerifyVideo     *string `json:"IntentionVerifyVideo,omitempty"`
	AsrResult                *string `json:"AsrResult,omitempty"`
	ErrorCode                *int64  `json:"ErrorCode,omitempty"`
	ErrorMessage             *string `json:"ErrorMessage,omitempty"`
	IntentionVerifyBestFrame *string `json:"IntentionVerifyBestFrame,omitempty"`
	AsrResultSimilarity      *string `json:"AsrResultSimilarity,omitempty"`
	IntentionVerifyAudio     *string `json:"IntentionVerifyAudio,omitempty"`
}

type officialQuestionResult struct {
	FinalResultDetailCode *int64    `json:"FinalResultDetailCode,omitempty"`
	FinalResultMessage    *string   `json:"FinalResultMessage,omitempty"`
	Video                 *string   `json:"Video,omitempty"`
	ScreenShot            []*string `json:"ScreenShot,omitempty"`
	ResultCode            []*string `json:"ResultCode,omitempty"`
	AsrResult             []*string `json:"AsrResult,omitempty"`
	Audios                []*string `json:"Audios,omitempty"`
	FinalResultCode       *string   `json:"FinalResultCode,omitempty"`
}

type officialActionResult struct {
	FinalResultDetailCode *int64  `json:"FinalResultDetailCode,omitempty"`
	FinalResultMessage    *string `json:"FinalResultMessage,omitempty"`
	Details               []*struct {
		Video      *string   `json:"Video,omitempty"`
		ScreenShot []*string `json:"ScreenShot,omitempty"`
	} `json:"Details,omitempty"`
}

type officialEidInfo struct {
	EidCode  *string `json:"EidCode,omitempty"`
	EidSign  *string `json:"EidSign,omitempty"`
	DesKey   *string `json:"DesKey,omitempty"`
	UserInfo *string `json:"UserInfo,omitempty"`
}

// GetDetectInfoEnhancedResponse, as the typed client declares its responses.
type officialDetectInfoEnhancedResponse struct {
	*tchttp.BaseResponse
	Response *struct {
		Text                    *officialDetectInfoText   `json:"Text,omitempty"`
		IdCardData              *officialIdCardData       `json:"IdCardData,omitempty"`
		BestFrame               *officialBestFrame        `json:"BestFrame,omitempty"`
		VideoData               *officialVideoData        `json:"VideoData,omitempty"`
		Encryption              *officialEncryption       `json:"Encryption,omitempty"`
		IntentionVerifyData     *officialIntentionVerifyD `json:"IntentionVerifyData,omitempty"`
		IntentionQuestionResult *officialQuestionResult   `json:"IntentionQuestionResult,omitempty"`
		IntentionActionResult   *officialActionResult     `json:"IntentionActionResult,omitempty"`
		EncryptedBody           *string                   `json:"EncryptedBody,omitempty"`
		IsVerifyIntention       *bool                     `json:"IsVerifyIntention,omitempty"`
		IntentionVerifyType     *string                   `json:"IntentionVerifyType,omitempty"`
		RequestId               *string                   `json:"RequestId,omitempty"`
	} `json:"Response"`
}

// GetEidResultResponse, likewise.
type officialEidResultResponse struct {
	*tchttp.BaseResponse
	Response *struct {
		Text                    *officialDetectInfoText   `json:"Text,omitempty"`
		IdCardData              *officialIdCardData       `json:"IdCardData,omitempty"`
		BestFrame               *officialBestFrame        `json:"BestFrame,omitempty"`
		EidInfo                 *officialEidInfo          `json:"EidInfo,omitempty"`
		IntentionVerifyData     *officialIntentionVerifyD `json:"IntentionVerifyData,omitempty"`
		IntentionQuestionResult *officialQuestionResult   `json:"IntentionQuestionResult,omitempty"`
		IntentionActionResult   *officialActionResult     `json:"IntentionActionResult,omitempty"`
		IsVerifyIntention       *bool                     `json:"IsVerifyIntention,omitempty"`
		IntentionVerifyType     *string                   `json:"IntentionVerifyType,omitempty"`
		RequestId               *string                   `json:"RequestId,omitempty"`
	} `json:"Response"`
}

// officialClient sends faceid actions to srv with Tencent's common client. call decodes the
// answer through the client into out and also strictly; it returns the raw body.
type officialClient struct {
	t      *testing.T
	client *common.Client
}

func newOfficialClient(t *testing.T, srv *kyctest.Server) *officialClient {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = strings.TrimPrefix(srv.URL, "http://")
	cpf.HttpProfile.Scheme = "HTTP"
	cpf.NetworkFailureMaxRetries = 0
	return &officialClient{t: t, client: common.NewCommonClient(common.NewCredential(srv.SecretID, srv.SecretKey), "", cpf)}
}

func (o *officialClient) call(action string, params map[string]any, out tchttp.Response) []byte {
	o.t.Helper()
	req := tchttp.NewCommonRequest("faceid", "2018-03-01", action)
	require.NoError(o.t, req.SetActionParameters(params))
	require.NoError(o.t, o.client.Send(req, out), action)
	raw := tchttp.NewCommonResponse()
	req = tchttp.NewCommonRequest("faceid", "2018-03-01", action)
	require.NoError(o.t, req.SetActionParameters(params))
	require.NoError(o.t, o.client.Send(req, raw), action)
	body := raw.GetBody()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	strict := newOfResponse(out)
	require.NoError(o.t, dec.Decode(strict), "%s answers a name or a type the service's model does not have", action)
	return body
}

// newOfResponse is a fresh value of out's type, for the strict decode.
func newOfResponse(out tchttp.Response) any {
	switch out.(type) {
	case *officialDetectInfoEnhancedResponse:
		return &officialDetectInfoEnhancedResponse{}
	case *officialEidResultResponse:
		return &officialEidResultResponse{}
	case *officialDetectInfoResponse:
		return &officialDetectInfoResponse{}
	case *officialEidStatusResponse:
		return &officialEidStatusResponse{}
	case *officialBillResponse:
		return &officialBillResponse{}
	}
	return &struct{}{}
}

func base64Text(t *testing.T, s *string, what string) []byte {
	t.Helper()
	require.NotNil(t, s, what)
	require.NotEmpty(t, *s, what)
	b, err := base64.StdEncoding.DecodeString(*s)
	require.NoError(t, err, "%s is base64", what)
	return b
}

// TestOfficialClientDecodesDetectInfo: kyctest's GetDetectInfoEnhanced decodes with the
// service's types; VideoData is an object, and IsReturnAllVideo adds every attempt's video.
func TestOfficialClientDecodesDetectInfo(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)
	auth := tchttp.NewCommonResponse()
	req := tchttp.NewCommonRequest("faceid", "2018-03-01", "DetectAuth")
	require.NoError(t, req.SetActionParameters(map[string]any{"RuleId": kyctest.DefaultRuleID, "Name": "测试用户", "IdCard": "KYCTEST0000000001"}))
	require.NoError(t, oc.client.Send(req, auth))
	var minted struct{ Response struct{ BizToken string } }
	require.NoError(t, json.Unmarshal(auth.GetBody(), &minted))
	bizToken := minted.Response.BizToken
	require.NotEmpty(t, bizToken)
	require.NoError(t, srv.CompleteDetect(bizToken, kyctest.DetectAttempt{ErrCode: "2016", Seq: "seq-official-1"},
		kyctest.DetectAttempt{ErrCode: "0", Seq: "seq-official-2"}))

	var plain officialDetectInfoEnhancedResponse
	oc.call("GetDetectInfoEnhanced", map[string]any{"BizToken": bizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "0"}, &plain)
	r := plain.Response
	require.NotNil(t, r)
	require.Equal(t, int64(0), *r.Text.ErrCode)
	require.Len(t, r.Text.LivenessDetail, 2)
	require.NotNil(t, r.VideoData)
	require.NotEmpty(t, base64Text(t, r.VideoData.LivenessVideo, "VideoData.LivenessVideo"))
	require.Empty(t, r.VideoData.LivenessVideos, "LivenessVideos only with IsReturnAllVideo")

	var all officialDetectInfoEnhancedResponse
	oc.call("GetDetectInfoEnhanced", map[string]any{"BizToken": bizToken, "RuleId": kyctest.DefaultRuleID, "InfoType": "4",
		"IsReturnAllVideo": true}, &all)
	r = all.Response
	require.NotNil(t, r.VideoData)
	last := base64Text(t, r.VideoData.LivenessVideo, "VideoData.LivenessVideo")
	require.Len(t, r.VideoData.LivenessVideos, 2)
	for i, want := range []string{"seq-official-1", "seq-official-2"} {
		v := r.VideoData.LivenessVideos[i]
		require.NotNil(t, v.Seq)
		require.Equal(t, want, *v.Seq)
		require.NotEmpty(t, base64Text(t, v.Video, "LivenessVideos[].Video"))
	}
	require.Equal(t, last, base64Text(t, r.VideoData.LivenessVideos[1].Video, "the last attempt's video"),
		"LivenessVideo is the final attempt's video")
}

// TestOfficialClientDecodesEidResult: kyctest's GetEidResult decodes with the service's types,
// and its EidInfo carries the four members the service sends.
func TestOfficialClientDecodesEidResult(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)
	minted := tchttp.NewCommonResponse()
	req := tchttp.NewCommonRequest("faceid", "2018-03-01", "GetEidToken")
	require.NoError(t, req.SetActionParameters(map[string]any{"MerchantId": "KYCTESTMERCHANT", "Name": "测试用户",
		"IdCard": "KYCTEST0000000001", "Config": map[string]any{"InputType": "4"}}))
	require.NoError(t, oc.client.Send(req, minted))
	var tok struct{ Response struct{ EidToken string } }
	require.NoError(t, json.Unmarshal(minted.GetBody(), &tok))
	require.NotEmpty(t, tok.Response.EidToken)
	require.NoError(t, srv.CompleteEid(tok.Response.EidToken, "0"))

	var res officialEidResultResponse
	oc.call("GetEidResult", map[string]any{"EidToken": tok.Response.EidToken, "InfoType": "0", "BestFramesCount": 1}, &res)
	r := res.Response
	require.NotNil(t, r)
	require.Equal(t, int64(0), *r.Text.ErrCode)
	require.NotNil(t, r.EidInfo, "a passed journey carries EidInfo")
	require.NotNil(t, r.EidInfo.EidCode)
	require.NotEmpty(t, *r.EidInfo.EidCode)
	require.NotNil(t, r.EidInfo.EidSign)
	require.NotEmpty(t, *r.EidInfo.EidSign)
	require.NotEmpty(t, base64Text(t, r.EidInfo.DesKey, "EidInfo.DesKey"))
	require.NotEmpty(t, base64Text(t, r.EidInfo.UserInfo, "EidInfo.UserInfo"))
}
