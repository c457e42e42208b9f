package checks

import "strings"

// Verdict is the Result code and its text, which most checks answer, with what the action's
// documentation says about it.
type Verdict struct {
	// Result is the service's result code: "0" (or "Success" for the face checks) when the check
	// passed, else a negative code ("-1" mismatch, ...) or a FailedOperation code; see each action.
	Result string `json:"Result"`
	// Description is the service's text for Result.
	Description string `json:"Description"`

	action string // the action that answered, set by the call
}

func (v *Verdict) setAction(action string) { v.action = action }

// Passed reports whether Result is the action's success code: "0" for the element checks ("the
// elements match", or for CheckBankCardInformation, MobileStatus and MobileNetworkTimeVerification
// "the information was found"), "Success" for the face checks (the service already applied its
// similarity threshold: a low score is FailedOperation.CompareLowSimilarity).
func (v Verdict) Passed() bool {
	r, ok := verdictRules[v.action]
	return ok && v.Result == r.pass
}

// Billed reports whether the call was charged, from the action's charged / not-charged lists. A
// code the not-charged list does not name counts as charged (a reconciliation that assumes a
// charge never undercounts the bill), as does a Verdict not made by a call.
func (v Verdict) Billed() bool {
	r, ok := verdictRules[v.action]
	return !ok || !strings.Contains(" "+r.free+" ", " "+v.Result+" ")
}

// verdictRule is an action's success code and its not-charged codes (space-separated).
type verdictRule struct{ pass, free string }

// faceFree are the codes the face checks do not charge (vendor manual, "核身及要素 API 服务错误码",
// 人脸核验类): everything but Success, FailedOperation.IdNameMisMatch and
// FailedOperation.CompareLowSimilarity.
const faceFree = "FailedOperation.IdPhotoPoorQuality FailedOperation.LifePhotoDetectFaces " +
	"FailedOperation.LifePhotoDetectFake FailedOperation.LifePhotoDetectNoFaces FailedOperation.CompareFail " +
	"FailedOperation.CoveredFace FailedOperation.DetectEngineSystemError FailedOperation.ImageDecodeFailed " +
	"FailedOperation.IncompleteFace FailedOperation.PoorImageQuality FailedOperation.UnKnown " +
	"FailedOperation.VideoDecodeFailed"

// verdictRules: per action, the success code and the not-charged Result codes, as each action's
// model documents them (Tencent Cloud, https://cloud.tencent.com/document/product/1007, one page
// per action).
var verdictRules = map[string]verdictRule{
	"LivenessRecognition":           {"Success", faceFree},
	"LivenessCompare":               {"Success", faceFree},
	"ImageRecognition":              {"Success", faceFree},
	"ImageRecognitionV2":            {"Success", faceFree},
	"CheckIdCardInformation":        {"Success", faceFree},
	"IdCardVerification":            {"0", "-2 -3 -4 -5 -6 -7"},
	"IdCardOCRVerification":         {"0", "-2 -3 -4 -5 -6 -7"},
	"CheckIdNameDate":               {"0", "-2 -3 -4 -5 -6 -7 -8"},
	"CheckBankCardInformation":      {"0", "-2 -3 -4 -6"},
	"BankCard2EVerification":        {"0", "-2 -3 -16 -17"},
	"BankCardVerification":          {"0", "-2 -3 -4 -17 -18 -19"},
	"BankCard4EVerification":        {"0", "-2 -3 -4 -5 -18 -19 -20"},
	"MobileNetworkTimeVerification": {"0", "-1 -4 -5 -13"},
	"MobileStatus":                  {"0", "-1 -2 -3 -4 -13"},
	"PhoneVerification":             {"0", "-6 -7 -8 -9 -11 -12 -13"},
	"PhoneVerificationCMCC":         {"0", "-6 -7 -8 -9 -11 -13"},
	"PhoneVerificationCTCC":         {"0", "-6 -7 -8 -9 -11 -13"},
	"PhoneVerificationCUCC":         {"0", "-6 -7 -8 -9 -11 -13"},
	"CheckPhoneAndName":             {"0", "-1 -2 -3 -4 -5 -6 -13"},
}
