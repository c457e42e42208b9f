package kyc_test

import (
	"context"
	"fmt"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// willDetect starts a WeChat journey with a question-and-answer will step and reads its
// verdict. The README shows it.
func willDetect(ctx context.Context, c *kyc.Client, srv *kyctest.Server, ruleID string) error {
	off := false
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: ruleID,
		Config:             &kyc.RuleIDConfig{IntentionType: 0, IntentionRecognition: &off}, // 0 question and answer, 1 nod
		IntentionQuestions: []kyc.IntentionQuestion{{Question: "您是本人自愿办理吗？", Answers: []string{"是", "是的"}}}})
	if err != nil {
		return err
	}
	// ... the person answers in the mini program or WeChat H5 (here: kyctest plays it) ...
	_ = srv.CompleteDetect(auth.BizToken, kyctest.DetectAttempt{ErrCode: "0"})
	_ = srv.CompleteIntention(auth.BizToken, kyctest.IntentionOutcome{Answers: []string{"是的"}})
	info, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: ruleID,
		Parts: kyc.PartText | kyc.PartIntention}) // InfoType "156": the verdict and the will results
	if err != nil {
		return err
	}
	q := info.IntentionQuestionResult // IntentionVerifyData (read aloud), IntentionActionResult (nod)
	fmt.Println(info.Text.Passed(), info.IntentionPassed(), info.Passed(), *info.IntentionVerifyType, q.ResultCode)
	return nil
}

// ExampleDetectService_Auth_will mints a WeChat journey with a will step (DetectAuth with Config
// and IntentionQuestions) and reads its result: Passed needs the face part (Text.ErrCode 0) and
// the will step (IntentionPassed).
func ExampleDetectService_Auth_will() {
	srv, c := cloudExample()
	defer srv.Close()
	if err := willDetect(context.Background(), c, srv, kyctest.DefaultRuleID); err != nil {
		panic(err)
	}
	// Output: true true true 0 [0]
}

// ExampleEIDService_Token_will starts an eID journey with a nod will step (GetEidTokenConfig
// IntentionMode "3") and reads the will result from GetEidResult.
func ExampleEIDService_Token_will() {
	srv, c := cloudExample()
	defer srv.Close()
	ctx := context.Background()
	tok, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "KYCTESTMERCHANT", Config: &kyc.EIDTokenConfig{
		UseIntentionVerify: true, IntentionMode: "3", Speed: 1,
		IntentionActions: []kyc.IntentionAction{{Text: "您同意开户吗？同意请点头。"}, {Text: "您知晓风险吗？知晓请点头。"}}}})
	if err != nil {
		panic(err)
	}
	_ = srv.CompleteIntention(tok.EIDToken, kyctest.IntentionOutcome{})
	_ = srv.CompleteEid(tok.EIDToken, "0")
	res, err := c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: tok.EIDToken, Parts: kyc.PartText | kyc.PartIntention})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), *res.IntentionVerifyType, len(res.IntentionActionResult.Details))
	// Output: true 1 2
}
