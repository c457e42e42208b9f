package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// willFixture is a file of testdata/cloud/will.
type willFixture struct {
	Action   string          `json:"action"`
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response"`
	Expect   struct {
		Passed          bool     `json:"passed"`
		TextPassed      bool     `json:"textPassed"`
		IntentionPassed bool     `json:"intentionPassed"`
		VerifyType      *string  `json:"verifyType"`
		ASR             []string `json:"asr"`
		VideoBytes      int      `json:"videoBytes"`
		Screenshots     int      `json:"screenshots"`
		Audios          int      `json:"audios"`
		Rounds          int      `json:"rounds"`
		ActionSequence  string   `json:"actionSequence"`
		BadResponse     bool     `json:"badResponse"`
	} `json:"expect"`
}

func loadWillFixture(t *testing.T, name string) willFixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "cloud", "will", name+".json"))
	require.NoError(t, err)
	var f willFixture
	require.NoError(t, json.Unmarshal(raw, &f))
	return f
}

// sentBody sends one call through a fake transport answering answer and returns the body sent.
func sentBody(t *testing.T, action string, call func(c *Client) error) []byte {
	t.Helper()
	answers := map[string][]byte{
		"DetectAuth":  []byte(`{"Response": {"BizToken": "CE661F1A-0F1E-45BD-BE13-34C05CEA7681", "Url": "https://h5.faceid.qq.com/x", "RequestId": "r1"}}`),
		"GetEidToken": []byte(`{"Response": {"EidToken": "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D", "Url": "https://eid.faceid.qq.com/x", "RequestId": "r2"}}`),
	}
	c, fs := newCloudFixtureClient(t, answers)
	require.NoError(t, call(c))
	require.Equal(t, 1, fs.calls[action])
	return fs.bodies[action]
}

// TestDetectAuthSendsTheDocumentedWillShape: the documented DetectAuth example (question and
// answer) and a nod request with intent recognition switched off are sent exactly in the
// model's shape: Config an object with IntentionType always present and IntentionRecognition
// false sent as false, IntentionQuestions and IntentionActions arrays of objects, no
// TerminalType.
func TestDetectAuthSendsTheDocumentedWillShape(t *testing.T) {
	on, off := true, false
	for name, req := range map[string]DetectAuthRequest{
		"detectauth_request": {RuleID: "1", IDCard: "KYCTEST0000000001", Name: "张三", RedirectURL: "https://example.com/back",
			Extra: "order-42", Config: &RuleIDConfig{IntentionType: 0, IntentionRecognition: &on},
			IntentionQuestions: []IntentionQuestion{{Question: "请问您是本人自愿办理吗？如是，请回复“我同意”。", Answers: []string{"同意", "我同意"}}}},
		"detectauth_request_nod": {RuleID: "1", Config: &RuleIDConfig{IntentionType: 1, IntentionRecognition: &off, Speed: 2},
			IntentionActions: []IntentionAction{{Text: "您是否同意本次开户？同意请点头。"}, {Text: "您是否已知晓相关风险？知晓请点头。"}}},
	} {
		t.Run(name, func(t *testing.T) {
			f := loadWillFixture(t, name)
			body := sentBody(t, f.Action, func(c *Client) error {
				_, err := c.Detect.Auth(context.Background(), req)
				return err
			})
			require.JSONEq(t, string(f.Request), string(body))
			require.NotContains(t, string(body), "TerminalType")
		})
	}
}

// TestRecognitionDefaultIsLeftToTheService: a nil IntentionRecognition sends nothing (the
// service's default, on), in DetectAuth's Config and in GetEidTokenConfig alike.
func TestRecognitionDefaultIsLeftToTheService(t *testing.T) {
	body := sentBody(t, "DetectAuth", func(c *Client) error {
		_, err := c.Detect.Auth(context.Background(), DetectAuthRequest{RuleID: "1", Config: &RuleIDConfig{},
			IntentionQuestions: []IntentionQuestion{{Question: "同意吗", Answers: []string{"同意"}}}})
		return err
	})
	require.JSONEq(t, `{"RuleId": "1", "Config": {"IntentionType": 0, "Speed": 0}, "IntentionQuestions": [{"Question": "同意吗", "Answers": ["同意"]}]}`, string(body))
	body = sentBody(t, "GetEidToken", func(c *Client) error {
		_, err := c.EID.Token(context.Background(), EIDTokenRequest{MerchantID: "M", Config: &EIDTokenConfig{UseIntentionVerify: true}})
		return err
	})
	require.JSONEq(t, `{"MerchantId": "M", "Config": {"UseIntentionVerify": true}}`, string(body))
}

// TestEIDTokenSendsEveryConfigMember: GetEidTokenConfig's ten members go out with the model's
// names and types; false is sent where the service's default may be on or is not stated.
func TestEIDTokenSendsEveryConfigMember(t *testing.T) {
	off := false
	f := loadWillFixture(t, "geteidtoken_request")
	body := sentBody(t, f.Action, func(c *Client) error {
		_, err := c.EID.Token(context.Background(), EIDTokenRequest{MerchantID: "KYCTESTMERCHANT", Config: &EIDTokenConfig{
			InputType: EIDInputOCRBothSides, UseIntentionVerify: true, IntentionMode: "3", IntentionRecognition: &off,
			IntentionActions:              []IntentionAction{{Text: "您是否同意本次开户？同意请点头。"}},
			IsSupportHMTResidentPermitOCR: &off, Speed: 3}})
		return err
	})
	require.JSONEq(t, string(f.Request), string(body))
	// Every member of the model has a field (the ten names of docs/D-api3-actions.md's GetEidTokenConfig).
	all, err := json.Marshal(EIDTokenConfig{InputType: "1", UseIntentionVerify: true, IntentionMode: "2", IntentionVerifyText: "t",
		IntentionQuestions: []IntentionQuestion{{}}, IntentionRecognition: &off, IntentionActions: []IntentionAction{{}},
		IsSupportHMTResidentPermitOCR: &off, MouthOpenRecognition: true, Speed: 1})
	require.NoError(t, err)
	var names map[string]any
	require.NoError(t, json.Unmarshal(all, &names))
	for _, n := range []string{"InputType", "UseIntentionVerify", "IntentionMode", "IntentionVerifyText", "IntentionQuestions",
		"IntentionActions", "IntentionRecognition", "IsSupportHMTResidentPermitOCR", "MouthOpenRecognition", "Speed"} {
		require.Contains(t, names, n)
	}
	require.Len(t, names, 10)
}

// TestWillResultsDecode replays the documented result shapes of the three modes, a failed will
// step after a passed face step, a null IntentionVerifyType, and a verdict sent as a string.
func TestWillResultsDecode(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"getdetectinfoenhanced_qa", "getdetectinfoenhanced_qa_failed", "getdetectinfoenhanced_readaloud",
		"getdetectinfoenhanced_type_null", "geteidresult_nod", "getdetectinfoenhanced_errcode_string"} {
		t.Run(name, func(t *testing.T) {
			f := loadWillFixture(t, name)
			c, fs := newCloudFixtureClient(t, map[string][]byte{f.Action: f.Response})
			var d *DetectInfo
			var err error
			if f.Action == "GetEidResult" {
				var r *EIDResult
				r, err = c.EID.Result(ctx, EIDResultRequest{EIDToken: "T", Parts: PartText | PartIntention})
				if r != nil {
					d = &r.DetectInfo
				}
			} else {
				d, err = c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", Parts: PartText | PartIntention})
			}
			var sent map[string]any
			require.NoError(t, json.Unmarshal(fs.bodies[f.Action], &sent))
			require.Equal(t, "156", sent["InfoType"], "PartIntention asks for digits 5 and 6")
			e := f.Expect
			if e.BadResponse {
				require.ErrorIs(t, err, ErrBadResponse)
				return
			}
			require.NoError(t, err)
			require.Equal(t, e.TextPassed, d.Text.Passed())
			require.Equal(t, e.IntentionPassed, d.IntentionPassed())
			require.Equal(t, e.Passed, d.Passed())
			require.True(t, d.IsVerifyIntention)
			require.Equal(t, e.VerifyType, d.IntentionVerifyType)
			require.Equal(t, e.ActionSequence, d.Text.LivenessActionSequence)
			switch {
			case d.IntentionQuestionResult != nil && e.VerifyType != nil:
				q := d.IntentionQuestionResult
				require.Equal(t, e.ASR, q.ASRResult)
				require.Len(t, q.Video, e.VideoBytes)
				require.Len(t, q.ScreenShot, e.Screenshots)
				require.Len(t, q.Audios, e.Audios)
				require.Len(t, q.ResultCode, len(e.ASR))
			case d.IntentionVerifyData != nil:
				v := d.IntentionVerifyData
				require.Equal(t, e.ASR, []string{v.ASRResult})
				require.Len(t, v.Video, e.VideoBytes)
				require.Len(t, v.BestFrame, 3)
				require.Len(t, v.Audio, 4)
				require.Equal(t, "98.00", v.ASRResultSimilarity)
			case d.IntentionActionResult != nil:
				a := d.IntentionActionResult
				require.Len(t, a.Details, e.Rounds)
				shots := 0
				for _, r := range a.Details {
					require.Len(t, r.Video, 8)
					shots += len(r.ScreenShot)
				}
				require.Equal(t, e.Screenshots, shots)
			}
		})
	}
}

// TestIntentionPassedFailsSafe: each mode's verdict needs its own object to say success, and a
// code absent or contradicting the other is not a pass.
func TestIntentionPassedFailsSafe(t *testing.T) {
	zero, bad := int64(0), int64(-301)
	qa, nod, read, other := "0", "1", "2", "9"
	passQ := &IntentionQuestionResult{FinalResultDetailCode: &zero, FinalResultCode: "0", ResultCode: []string{"0"}}
	cases := []struct {
		name string
		d    DetectInfo
		want bool
	}{
		{"qa passed", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: passQ}, true},
		{"qa only the text code", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: &IntentionQuestionResult{FinalResultCode: "0"}}, true},
		{"qa codes disagree", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: &IntentionQuestionResult{FinalResultDetailCode: &bad, FinalResultCode: "0"}}, false},
		{"qa text code failed", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: &IntentionQuestionResult{FinalResultDetailCode: &zero, FinalResultCode: "-1"}}, false},
		{"qa one answer off", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: &IntentionQuestionResult{FinalResultDetailCode: &zero, FinalResultCode: "0", ResultCode: []string{"0", "-1"}}}, false},
		{"qa no codes", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: &IntentionQuestionResult{}}, false},
		{"qa object missing", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa}, false},
		{"mode names another object", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &nod, IntentionQuestionResult: passQ}, false},
		{"nod passed", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &nod, IntentionActionResult: &IntentionActionResult{FinalResultDetailCode: &zero}}, true},
		{"nod no code", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &nod, IntentionActionResult: &IntentionActionResult{}}, false},
		{"read passed", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &read, IntentionVerifyData: &IntentionVerifyData{ErrorCode: &zero}}, true},
		{"read failed", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &read, IntentionVerifyData: &IntentionVerifyData{ErrorCode: &bad}}, false},
		{"unknown mode", DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &other, IntentionQuestionResult: passQ}, false},
		{"no will step", DetectInfo{IntentionVerifyType: &qa, IntentionQuestionResult: passQ}, false},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, tc.d.IntentionPassed(), tc.name)
	}
	// Passed: the face part alone without a will step; both with one.
	text := &DetectText{ErrCode: &zero}
	require.True(t, (&DetectInfo{Text: text}).Passed())
	require.True(t, (&DetectInfo{Text: text, IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: passQ}).Passed())
	require.False(t, (&DetectInfo{Text: text, IsVerifyIntention: true}).Passed(), "a will step whose result was not read is not a pass")
	require.False(t, (&DetectInfo{Text: &DetectText{}, IsVerifyIntention: true, IntentionVerifyType: &qa, IntentionQuestionResult: passQ}).Passed(),
		"an absent ErrCode is not a pass")
}

// TestInfoTypeDigits: PartIntention is InfoType 5 and 6 on GetDetectInfoEnhanced and
// GetEidResult; everything (eID: everything but video) is "0"; the legacy GetDetectInfo has no
// will results.
func TestInfoTypeDigits(t *testing.T) {
	require.Equal(t, "56", PartIntention.infoType())
	require.Equal(t, "1356", (PartText | PartBestFrames | PartIntention).infoType())
	require.Equal(t, "1234", (PartText | PartIDCard | PartBestFrames | PartVideo).infoType())
	require.Equal(t, "0", allDetectParts.infoType())
	ctx := context.Background()
	c, fs := newCloudFixtureClient(t, map[string][]byte{"GetEidResult": []byte(`{"Response": {"RequestId": "r"}}`)})
	_, err := c.EID.Result(ctx, EIDResultRequest{EIDToken: "T", Parts: PartText | PartIDCard | PartBestFrames | PartIntention})
	require.NoError(t, err)
	require.JSONEq(t, `{"EidToken": "T", "InfoType": "0"}`, string(fs.bodies["GetEidResult"]))
	_, err = c.Detect.Info(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", Parts: PartText | PartIntention})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "InfoType", ie.Field)
	require.Zero(t, fs.calls["GetDetectInfo"])
}

// TestWillDataPrintsRedacted: speech transcripts, prompts and media of the will step never print,
// under any verb or in slog.
func TestWillDataPrintsRedacted(t *testing.T) {
	zero := int64(0)
	secret := "SECRETANSWER"
	media := Media("SECRETMEDIA")
	qa := "0"
	d := DetectInfo{IsVerifyIntention: true, IntentionVerifyType: &qa,
		IntentionVerifyData: &IntentionVerifyData{Video: media, ASRResult: secret, ErrorCode: &zero, BestFrame: media, Audio: media, ASRResultSimilarity: "99"},
		IntentionQuestionResult: &IntentionQuestionResult{FinalResultDetailCode: &zero, Video: media, ScreenShot: []Media{media},
			ResultCode: []string{"0"}, ASRResult: []string{secret}, Audios: []Media{media}, FinalResultCode: "0"},
		IntentionActionResult: &IntentionActionResult{FinalResultDetailCode: &zero, Details: []IntentionActionDetail{{Video: media, ScreenShot: []Media{media}}}}}
	req := DetectAuthRequest{RuleID: "1", IntentionVerifyText: secret, IntentionQuestions: []IntentionQuestion{{Question: secret, Answers: []string{secret}}},
		IntentionActions: []IntentionAction{{Text: secret}}}
	values := []any{d, &d, *d.IntentionVerifyData, *d.IntentionQuestionResult, *d.IntentionActionResult, d.IntentionActionResult.Details[0], req}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, secret, "%T under %s", v, verb)
			require.NotContains(t, out, "SECRETMEDIA", "%T under %s", v, verb)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		require.NotContains(t, buf.String(), secret, "%T in slog", v)
		require.NotContains(t, buf.String(), "U0VDUkVU", "%T in slog (base64)", v)
		require.False(t, strings.Contains(buf.String(), "SECRETMEDIA"), "%T in slog", v)
	}
}
