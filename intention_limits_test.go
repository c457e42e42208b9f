package kyc_test

import (
	"context"
	"strings"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// The will prompts' limits (Tencent's faceid models, docs/D-api3-actions.md: IntentionQuestion, IntentionActionConfig,
// DetectAuth, RuleIdConfig, GetEidTokenConfig), for TestLimitBoundaries.

// willQA is a question-and-answer DetectAuth request of n rounds.
func willQA(n int) kyc.DetectAuthRequest {
	qs := make([]kyc.IntentionQuestion, n)
	for i := range qs {
		qs[i] = kyc.IntentionQuestion{Question: "您是本人自愿办理吗", Answers: []string{"是"}}
	}
	return kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Config: &kyc.RuleIDConfig{}, IntentionQuestions: qs}
}

// willNod is a nod DetectAuth request of n rounds of text t.
func willNod(n int, t string) kyc.DetectAuthRequest {
	acts := make([]kyc.IntentionAction, n)
	for i := range acts {
		acts[i] = kyc.IntentionAction{Text: t}
	}
	return kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Config: &kyc.RuleIDConfig{IntentionType: 1}, IntentionActions: acts}
}

// eidNod is a nod GetEidToken request of n rounds of text t.
func eidNod(n int, t string) kyc.EIDTokenRequest {
	r := willNod(n, t)
	return kyc.EIDTokenRequest{MerchantID: "M1", Config: &kyc.EIDTokenConfig{UseIntentionVerify: true, IntentionMode: "3",
		IntentionActions: r.IntentionActions}}
}

func intentionLimitCases() []limitCase {
	type C = context.Context
	type K = *kyc.Client
	auth := func(ctx C, c K, r kyc.DetectAuthRequest, v string) (string, error) {
		_, err := c.Detect.Auth(ctx, r)
		return v, err
	}
	token := func(ctx C, c K, r kyc.EIDTokenRequest, v string) (string, error) {
		_, err := c.EID.Token(ctx, r)
		return v, err
	}
	return []limitCase{
		{name: "DetectAuth IntentionVerifyText", field: "IntentionVerifyText", limit: 120, call: func(ctx C, c K, n int) (string, error) {
			return auth(ctx, c, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, IntentionVerifyText: hanzi(n)}, hanzi(n))
		}},
		{name: "DetectAuth IntentionQuestions", field: "IntentionQuestions", limit: 10, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := willQA(n)
			if n == 0 {
				r.IntentionQuestions = []kyc.IntentionQuestion{} // an empty list, not an absent one
			}
			return auth(ctx, c, r, "")
		}},
		{name: "DetectAuth Question", field: "IntentionQuestions.Question", limit: 250, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := willQA(1)
			r.IntentionQuestions[0].Question = hanzi(n)
			return auth(ctx, c, r, hanzi(n))
		}},
		{name: "DetectAuth Answers", field: "IntentionQuestions.Answers", limit: 50, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := willQA(1)
			r.IntentionQuestions[0].Answers = strings.Split(strings.Repeat("是", n), "")
			if n == 0 {
				r.IntentionQuestions[0].Answers = nil
			}
			return auth(ctx, c, r, "")
		}},
		{name: "DetectAuth answer", field: "IntentionQuestions.Answers", limit: 10, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := willQA(1)
			r.IntentionQuestions[0].Answers = []string{hanzi(n)}
			return auth(ctx, c, r, hanzi(n))
		}},
		{name: "DetectAuth IntentionActions", field: "IntentionActions", limit: 10, call: func(ctx C, c K, n int) (string, error) {
			return auth(ctx, c, willNod(n, "请点头确认"), "")
		}},
		{name: "DetectAuth IntentionActions.Text", field: "IntentionActions.Text", limit: 250, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return auth(ctx, c, willNod(1, hanzi(n)), hanzi(n))
		}},
		{name: "DetectAuth Config.Speed", field: "Config.Speed", limit: 3, hasMin: true, min: 0, call: func(ctx C, c K, n int) (string, error) {
			r := willQA(1)
			r.Config.Speed = n
			return auth(ctx, c, r, "")
		}},
		{name: "GetEidToken IntentionActions", field: "Config.IntentionActions", limit: 10, call: func(ctx C, c K, n int) (string, error) {
			return token(ctx, c, eidNod(n, "请点头确认"), "")
		}},
		{name: "GetEidToken IntentionActions.Text", field: "Config.IntentionActions.Text", limit: 150, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return token(ctx, c, eidNod(1, hanzi(n)), hanzi(n))
		}},
		{name: "GetEidToken Speed", field: "Config.Speed", limit: 3, hasMin: true, min: 0, call: func(ctx C, c K, n int) (string, error) {
			r := eidNod(1, "请点头确认")
			r.Config.Speed = n
			return token(ctx, c, r, "")
		}},
	}
}
