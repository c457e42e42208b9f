package kyc_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Will journeys end to end: the SDK mints the token with the prompts of one mode, kyctest plays
// the face part and the will step, the SDK reads the verdict and the will results. Both channels
// (a WeChat BizToken, an eID EidToken), the three modes, passed and failed.

var (
	willQuestions = []kyc.IntentionQuestion{{Question: "您是本人自愿办理吗？", Answers: []string{"是", "是的"}},
		{Question: "您知晓本产品的风险吗？", Answers: []string{"知晓"}}}
	willActions = []kyc.IntentionAction{{Text: "同意开户请点头。"}, {Text: "知晓风险请点头。"}, {Text: "确认本人操作请点头。"}}
)

// willJourney is one journey: mint, play, read.
type willJourney struct {
	name     string
	detect   *kyc.DetectAuthRequest // the WeChat channel, or
	eid      *kyc.EIDTokenRequest   // the eID channel
	mode     string                 // IntentionVerifyType expected
	outcome  kyctest.IntentionOutcome
	passed   bool
	asr      []string // expected transcripts (question and answer, read aloud)
	rounds   int      // expected nod rounds
	wantCode int64    // the will step's code
}

func willJourneys() []willJourney {
	qa := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Config: &kyc.RuleIDConfig{MouthOpenRecognition: true}, IntentionQuestions: willQuestions}
	nod := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Config: &kyc.RuleIDConfig{IntentionType: 1, Speed: 3}, IntentionActions: willActions}
	read := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, IntentionVerifyText: "本人自愿开户并知晓风险"}
	eid := func(cfg kyc.EIDTokenConfig) *kyc.EIDTokenRequest {
		cfg.UseIntentionVerify = true
		return &kyc.EIDTokenRequest{MerchantID: "KYCTESTMERCHANT", Config: &cfg}
	}
	return []willJourney{
		{name: "WeChat Q&A passed", detect: &qa, mode: "0", outcome: kyctest.IntentionOutcome{Answers: []string{"是的", "知晓"}},
			passed: true, asr: []string{"是的", "知晓"}},
		{name: "WeChat Q&A wrong answer", detect: &qa, mode: "0", outcome: kyctest.IntentionOutcome{Answers: []string{"是", "不知道"}},
			asr: []string{"是", "不知道"}, wantCode: -301},
		{name: "WeChat nod passed", detect: &nod, mode: "1", passed: true, rounds: 3},
		{name: "WeChat nod failed", detect: &nod, mode: "1", outcome: kyctest.IntentionOutcome{Failed: true, Code: -802}, rounds: 3, wantCode: -802},
		{name: "WeChat read aloud passed", detect: &read, mode: "2", passed: true, asr: []string{"本人自愿开户并知晓风险"}},
		{name: "WeChat read aloud misread", detect: &read, mode: "2", outcome: kyctest.IntentionOutcome{Answers: []string{"本人不愿开户"}},
			asr: []string{"本人不愿开户"}, wantCode: -10},
		{name: "eID Q&A passed", eid: eid(kyc.EIDTokenConfig{IntentionMode: "2", IntentionQuestions: willQuestions}), mode: "0",
			passed: true, asr: []string{"是", "知晓"}},
		{name: "eID nod failed", eid: eid(kyc.EIDTokenConfig{IntentionMode: "3", IntentionActions: willActions[:2]}), mode: "1",
			outcome: kyctest.IntentionOutcome{Failed: true}, rounds: 2, wantCode: -301},
		{name: "eID read aloud passed", eid: eid(kyc.EIDTokenConfig{IntentionVerifyText: "本人自愿"}), mode: "2", passed: true,
			asr: []string{"本人自愿"}},
	}
}

func TestWillJourneys(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	for _, j := range willJourneys() {
		t.Run(j.name, func(t *testing.T) {
			var info *kyc.DetectInfo
			if j.detect != nil {
				auth, err := c.Detect.Auth(ctx, *j.detect)
				require.NoError(t, err)
				// Before the will step: the mode is known, its result object has no code yet.
				require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"}))
				early, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: j.detect.RuleID})
				require.NoError(t, err)
				require.True(t, early.IsVerifyIntention)
				require.True(t, early.Text.Passed())
				require.False(t, early.Passed(), "the will step is not played yet")
				require.NoError(t, srv.CompleteIntention(auth.BizToken, j.outcome))
				require.ErrorIs(t, srv.CompleteIntention(auth.BizToken, j.outcome), kyctest.ErrIntentionDone)
				info, err = c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: j.detect.RuleID,
					Parts: kyc.PartText | kyc.PartIntention})
				require.NoError(t, err)
			} else {
				tok, err := c.EID.Token(ctx, *j.eid)
				require.NoError(t, err)
				require.NoError(t, srv.CompleteIntention(tok.EIDToken, j.outcome))
				require.NoError(t, srv.CompleteEid(tok.EIDToken, "0"))
				res, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: tok.EIDToken})
				require.NoError(t, err)
				info = &res.DetectInfo
			}
			require.True(t, info.Text.Passed(), "the face part passed")
			require.True(t, info.IsVerifyIntention)
			require.NotNil(t, info.IntentionVerifyType)
			require.Equal(t, j.mode, *info.IntentionVerifyType)
			require.Equal(t, j.passed, info.IntentionPassed())
			require.Equal(t, j.passed, info.Passed())
			switch j.mode {
			case "0":
				q := info.IntentionQuestionResult
				require.NotNil(t, q)
				require.Nil(t, info.IntentionActionResult)
				require.Nil(t, info.IntentionVerifyData)
				require.Equal(t, j.asr, q.ASRResult)
				require.Len(t, q.Audios, len(j.asr))
				require.Len(t, q.ResultCode, len(j.asr))
				require.Equal(t, j.wantCode, *q.FinalResultDetailCode)
				require.NotEmpty(t, q.Video)
			case "1":
				a := info.IntentionActionResult
				require.NotNil(t, a)
				require.Nil(t, info.IntentionQuestionResult)
				require.Len(t, a.Details, j.rounds)
				require.NotEmpty(t, a.Details[0].Video)
				require.Equal(t, j.wantCode, *a.FinalResultDetailCode)
			case "2":
				v := info.IntentionVerifyData
				require.NotNil(t, v)
				require.Equal(t, j.asr, []string{v.ASRResult})
				require.Equal(t, j.wantCode, *v.ErrorCode)
				require.NotEmpty(t, v.Audio)
			}
		})
	}
}

// TestJourneyWithoutWillStep: a token minted without prompts has no will step: IsVerifyIntention
// false, IntentionVerifyType null, and CompleteIntention refuses it.
func TestJourneyWithoutWillStep(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	require.NoError(t, err)
	require.ErrorIs(t, srv.CompleteIntention(auth.BizToken, kyctest.IntentionOutcome{}), kyctest.ErrNoIntention)
	require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"}))
	info, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID})
	require.NoError(t, err)
	require.False(t, info.IsVerifyIntention)
	require.Nil(t, info.IntentionVerifyType)
	require.True(t, info.Passed())
	tok, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1"})
	require.NoError(t, err)
	require.ErrorIs(t, srv.CompleteIntention(tok.EIDToken, kyctest.IntentionOutcome{}), kyctest.ErrNoIntention)
	require.ErrorIs(t, srv.CompleteIntention("no-such-token", kyctest.IntentionOutcome{}), kyctest.ErrUnknownBizToken)
}

// TestWillPromptsRefusedLocally: requests the service would refuse, or would run in another mode
// than asked, are refused before sending.
func TestWillPromptsRefusedLocally(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	rule := kyctest.DefaultRuleID
	for name, tc := range map[string]struct {
		req   kyc.DetectAuthRequest
		field string
	}{
		"type 0 without questions":    {kyc.DetectAuthRequest{RuleID: rule, Config: &kyc.RuleIDConfig{}}, "IntentionQuestions"},
		"type 1 without actions":      {kyc.DetectAuthRequest{RuleID: rule, Config: &kyc.RuleIDConfig{IntentionType: 1}, IntentionQuestions: willQuestions}, "IntentionActions"},
		"unknown type":                {kyc.DetectAuthRequest{RuleID: rule, Config: &kyc.RuleIDConfig{IntentionType: 2}, IntentionQuestions: willQuestions}, "Config.IntentionType"},
		"mouth check in nod mode":     {kyc.DetectAuthRequest{RuleID: rule, Config: &kyc.RuleIDConfig{IntentionType: 1, MouthOpenRecognition: true}, IntentionActions: willActions}, "Config.MouthOpenRecognition"},
		"questions and actions":       {kyc.DetectAuthRequest{RuleID: rule, IntentionQuestions: willQuestions, IntentionActions: willActions}, "IntentionActions"},
		"blank action":                {kyc.DetectAuthRequest{RuleID: rule, IntentionActions: []kyc.IntentionAction{{Text: " "}}}, "IntentionActions.Text"},
		"control in verify text":      {kyc.DetectAuthRequest{RuleID: rule, IntentionVerifyText: "读\x00"}, "IntentionVerifyText"},
		"eleven questions, no Config": {kyc.DetectAuthRequest{RuleID: rule, IntentionQuestions: make([]kyc.IntentionQuestion, 11)}, "IntentionQuestions"},
	} {
		srv.ResetCounts()
		_, err := c.Detect.Auth(ctx, tc.req)
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, name)
		require.Equal(t, tc.field, ie.Field, name)
		require.Zero(t, srv.TotalRequests(), name)
	}
	for name, tc := range map[string]struct {
		cfg   kyc.EIDTokenConfig
		field string
	}{
		"questions in nod mode":      {kyc.EIDTokenConfig{IntentionMode: "3", IntentionQuestions: willQuestions}, "Config.IntentionQuestions"},
		"actions in Q&A mode":        {kyc.EIDTokenConfig{IntentionMode: "2", IntentionActions: willActions}, "Config.IntentionActions"},
		"actions in read-aloud mode": {kyc.EIDTokenConfig{IntentionActions: willActions}, "Config.IntentionActions"},
		"mouth check in nod mode":    {kyc.EIDTokenConfig{IntentionMode: "3", MouthOpenRecognition: true, IntentionActions: willActions}, "Config.MouthOpenRecognition"},
		"nod mode without actions":   {kyc.EIDTokenConfig{UseIntentionVerify: true, IntentionMode: "3"}, "Config.IntentionActions"},
		"Q&A mode without questions": {kyc.EIDTokenConfig{UseIntentionVerify: true, IntentionMode: "2"}, "Config.IntentionQuestions"},
		"eleven rounds":              {kyc.EIDTokenConfig{IntentionMode: "2", IntentionQuestions: make([]kyc.IntentionQuestion, 11)}, "Config.IntentionQuestions"},
		"unknown mode":               {kyc.EIDTokenConfig{IntentionMode: "0"}, "Config.IntentionMode"},
	} {
		srv.ResetCounts()
		cfg := tc.cfg
		_, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: &cfg})
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, name)
		require.Equal(t, tc.field, ie.Field, name)
		require.Zero(t, srv.TotalRequests(), name)
	}
}

// TestCanaryWill drives will journeys on both channels with debug logging on and looks for the
// person's spoken answers (the transcripts), the read-aloud text and the will media in all log
// output, every error string and every formatted value.
func TestCanaryWill(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithMedia(3000, 5000))
	defer srv.Close()
	var logs lockedBuffer
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	ctx := context.Background()
	const answer, readText = "金丝雀答", "金丝雀朗读文本四七"
	var texts []string
	note := func(v any) {
		texts = append(texts, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v))
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("value", "v", v)
	}
	qa := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Config: &kyc.RuleIDConfig{},
		IntentionQuestions: []kyc.IntentionQuestion{{Question: "同意吗", Answers: []string{answer}}}}
	auth, err := c.Detect.Auth(ctx, qa)
	require.NoError(t, err)
	require.NoError(t, srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"}))
	require.NoError(t, srv.CompleteIntention(auth.BizToken, kyctest.IntentionOutcome{Answers: []string{answer}}))
	info, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: kyctest.DefaultRuleID})
	require.NoError(t, err)
	require.Equal(t, []string{answer}, info.IntentionQuestionResult.ASRResult, "the canary went through")
	note(info)
	note(info.IntentionQuestionResult)
	tok, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: &kyc.EIDTokenConfig{UseIntentionVerify: true, IntentionVerifyText: readText}})
	require.NoError(t, err)
	require.NoError(t, srv.CompleteIntention(tok.EIDToken, kyctest.IntentionOutcome{}))
	require.NoError(t, srv.CompleteEid(tok.EIDToken, "0"))
	res, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: tok.EIDToken})
	require.NoError(t, err)
	require.Equal(t, readText, res.IntentionVerifyData.ASRResult)
	note(res)
	note(res.IntentionVerifyData)
	_, err = c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, IntentionVerifyText: readText + strings.Repeat("长", 120)})
	require.Error(t, err)
	texts = append(texts, err.Error())
	video := base64.StdEncoding.EncodeToString(res.IntentionVerifyData.Video)[8:40]
	all := logs.String() + strings.Join(texts, "\n")
	for _, secret := range []string{answer, readText, video} {
		require.NotContains(t, all, secret)
	}
}
