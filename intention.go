package kyc

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Will verification (意愿核身) on API 3.0: DetectAuth (WeChat mini program and WeChat H5) and
// GetEidToken (eID) take the spoken prompts of the will step, and GetDetectInfoEnhanced and
// GetEidResult return its results. Three modes: read aloud (the person reads a text), question
// and answer (the person answers spoken questions), nod (the person nods after each spoken
// prompt). Field names and limits are those of Tencent's faceid 2018-03-01 models: the API
// reference at https://cloud.tencent.com/document/api/1007 (DetectAuth, GetEidToken,
// GetDetectInfoEnhanced, GetEidResult and the data-structure page).

// Limits of the will prompts (the faceid models: IntentionQuestion, IntentionActionConfig,
// DetectAuth.IntentionVerifyText, GetEidTokenConfig).
const (
	maxIntentionQuestion = 250 // IntentionQuestion.Question, characters
	maxIntentionAnswers  = 50  // IntentionQuestion.Answers, entries
	maxIntentionAnswer   = 10  // each answer, characters
	maxIntentionRounds   = 10  // IntentionQuestions and IntentionActions: 1 to 10 rounds
	maxIntentionText     = 120 // IntentionVerifyText (read aloud), characters
	maxIntentionAction   = 250 // IntentionActionConfig.Text (DetectAuth), characters
	// maxEIDIntentionAction is the prompt limit in GetEidTokenConfig: its model text says "at
	// most 150 characters" for IntentionActions where IntentionActionConfig.Text says 250. Both
	// are Tencent's words; the stricter one is applied to eID so that nothing the service may
	// refuse is sent (change it here if the service proves to take 250).
	maxEIDIntentionAction = 150
	maxIntentionSpeed     = 3 // Speed: 0 automatic, 1 1x, 2 1.2x, 3 1.5x
)

// Will-verification modes as IntentionVerifyType names them in results; RuleIDConfig.IntentionType
// uses the first two numbers, GetEidTokenConfig.IntentionMode its own ("1" read aloud, "2"
// question and answer, "3" nod).
const (
	intentionTypeQA        = "0"
	intentionTypeNod       = "1"
	intentionTypeReadAloud = "2"
)

// RuleIDConfig is DetectAuth's Config (RuleIdConfig): the will-verification options of one
// WeChat journey. The zero value asks for question-and-answer mode with the service's defaults.
type RuleIDConfig struct {
	// IntentionType is the mode: 0 question and answer (DetectAuthRequest.IntentionQuestions
	// needed), 1 nod (DetectAuthRequest.IntentionActions needed). Always sent.
	IntentionType int `json:"IntentionType"`
	// IntentionRecognition accepts answers close in meaning to the listed ones. nil keeps the
	// service's default, which is on; point it at false to switch it off.
	IntentionRecognition *bool `json:"IntentionRecognition,omitempty"`
	// MouthOpenRecognition checks that the mouth moves while answering (question and answer
	// only; the service's default is off).
	MouthOpenRecognition bool `json:"MouthOpenRecognition,omitempty"`
	// Speed of the spoken prompts: 0 automatic (the default), 1 1x, 2 1.2x, 3 1.5x. Always
	// sent, as in Tencent's example.
	Speed int `json:"Speed"`
}

// IntentionAction is one nod round (IntentionActionConfig): the prompt spoken before the person
// nods (at most 250 characters for DetectAuth, 150 for eID).
type IntentionAction struct {
	Text string `json:"Text"`
}

// intentionRequest is the will part of a DetectAuth or GetEidToken request, for its checks.
type intentionRequest struct {
	prefix    string // "" for DetectAuth, "Config." for GetEidTokenConfig
	text      string
	questions []IntentionQuestion
	actions   []IntentionAction
	maxAction int
}

// check applies the limits of the models: the read-aloud text at most 120 characters, 1 to 10
// question rounds (each question at most 250 characters, 1 to 50 answers of at most 10) and 1
// to 10 nod rounds. One journey uses one mode: questions and nod prompts
// together are refused (the service would run one and ignore the other).
func (r intentionRequest) check() error {
	if err := cloudText(r.prefix+"IntentionVerifyText", r.text, maxIntentionText); err != nil {
		return err
	}
	if r.questions != nil && (len(r.questions) == 0 || len(r.questions) > maxIntentionRounds) {
		return invalidInput(r.prefix+"IntentionQuestions", fmt.Sprintf("1 to %d rounds", maxIntentionRounds))
	}
	for _, q := range r.questions {
		if err := q.check(r.prefix); err != nil {
			return err
		}
	}
	if r.actions != nil && (len(r.actions) == 0 || len(r.actions) > maxIntentionRounds) {
		return invalidInput(r.prefix+"IntentionActions", fmt.Sprintf("1 to %d rounds", maxIntentionRounds))
	}
	for _, a := range r.actions {
		field := r.prefix + "IntentionActions.Text"
		if strings.TrimSpace(a.Text) == "" {
			return invalidInput(field, "must not be blank")
		}
		if err := cloudText(field, a.Text, r.maxAction); err != nil {
			return err
		}
	}
	if len(r.questions) > 0 && len(r.actions) > 0 {
		return invalidInput(r.prefix+"IntentionActions", "one mode per journey: questions or nod prompts, not both")
	}
	return nil
}

// checkIntentionSpeed checks Config.Speed (RuleIdConfig and GetEidTokenConfig alike): 0 to 3.
func checkIntentionSpeed(speed int) error {
	if speed < 0 || speed > maxIntentionSpeed {
		return invalidInput("Config.Speed", "must be 0 (automatic), 1, 2 or 3")
	}
	return nil
}

// check applies the IntentionQuestion limits; a blank question or answer is refused too (the
// service speaks the one and compares the reply with the others).
func (q IntentionQuestion) check(prefix string) error {
	qField, aField := prefix+"IntentionQuestions.Question", prefix+"IntentionQuestions.Answers"
	if strings.TrimSpace(q.Question) == "" {
		return invalidInput(qField, "must not be blank")
	}
	if err := cloudText(qField, q.Question, maxIntentionQuestion); err != nil {
		return err
	}
	switch {
	case len(q.Answers) == 0:
		return invalidInput(aField, "needs at least one answer")
	case len(q.Answers) > maxIntentionAnswers:
		return invalidInput(aField, fmt.Sprintf("at most %d answers", maxIntentionAnswers))
	}
	for _, a := range q.Answers {
		if strings.TrimSpace(a) == "" {
			return invalidInput(aField, "an answer must not be blank")
		}
		if err := cloudText(aField, a, maxIntentionAnswer); err != nil {
			return err
		}
	}
	return nil
}

// checkDetectIntention checks the will part of a DetectAuth request. With a Config, the list of
// its mode must be there (the model: type 0 "must carry IntentionQuestions", type 1 "must carry
// IntentionActions"), and mouth-open recognition is for question and answer only.
func checkDetectIntention(req DetectAuthRequest) error {
	r := intentionRequest{text: req.IntentionVerifyText, questions: req.IntentionQuestions,
		actions: req.IntentionActions, maxAction: maxIntentionAction}
	if err := r.check(); err != nil {
		return err
	}
	cfg := req.Config
	if cfg == nil {
		return nil
	}
	if err := checkIntentionSpeed(cfg.Speed); err != nil {
		return err
	}
	switch cfg.IntentionType {
	case 0:
		if len(req.IntentionQuestions) == 0 {
			return invalidInput("IntentionQuestions", "Config.IntentionType 0 (question and answer) needs IntentionQuestions")
		}
	case 1:
		if len(req.IntentionActions) == 0 {
			return invalidInput("IntentionActions", "Config.IntentionType 1 (nod) needs IntentionActions")
		}
		if cfg.MouthOpenRecognition {
			return invalidInput("Config.MouthOpenRecognition", "only for question and answer (IntentionType 0)")
		}
	default:
		return invalidInput("Config.IntentionType", "must be 0 (question and answer) or 1 (nod)")
	}
	return nil
}

// IntentionVerifyData is the result of read-aloud will verification (IntentionVerifyData). It
// prints redacted: no speech text, video, audio or frame.
type IntentionVerifyData struct {
	Video Media `json:"IntentionVerifyVideo"` // the will step's video; empty when none
	// ASRResult is the speech-to-text of what the person said.
	ASRResult string `json:"AsrResult"`
	// ErrorCode is the read-aloud result: 0 success, negative or 3xxx failures (Tencent's
	// IntentionVerifyData table). nil when the journey failed before the will step.
	ErrorCode    *int64 `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
	BestFrame    Media  `json:"IntentionVerifyBestFrame"`
	// ASRResultSimilarity is the similarity of the speech to the text (0.00-100.00), only with
	// a configured threshold (hidden in the service's schema, still sent by some accounts).
	ASRResultSimilarity string `json:"AsrResultSimilarity"`
	Audio               Media  `json:"IntentionVerifyAudio"`
}

// Passed reports whether the read-aloud step succeeded (ErrorCode 0; absent is not a pass).
func (d *IntentionVerifyData) Passed() bool { return d != nil && codeIs(d.ErrorCode, 0) }

// String prints the code and sizes only.
func (d IntentionVerifyData) String() string {
	return fmt.Sprintf("IntentionVerifyData{errorCode: %s, asr: %s, video: %v, audio: %v, bestFrame: %v}",
		optCode(d.ErrorCode), redactedIf(d.ASRResult), d.Video, d.Audio, d.BestFrame)
}

// GoString keeps %#v redacted.
func (d IntentionVerifyData) GoString() string { return d.String() }

// LogValue keeps speech and media out of structured logs.
func (d IntentionVerifyData) LogValue() slog.Value { return slog.StringValue(d.String()) }

// IntentionQuestionResult is the result of question-and-answer will verification
// (IntentionQuestionResult). It prints redacted: no transcripts, video, audio or screenshots.
type IntentionQuestionResult struct {
	// FinalResultDetailCode: 0 success, -301 the answers did not match, other negative codes
	// face, device or system failures (Tencent's table). nil when the journey failed before the
	// will step.
	FinalResultDetailCode *int64   `json:"FinalResultDetailCode"`
	FinalResultMessage    string   `json:"FinalResultMessage"`
	Video                 Media    `json:"Video"`      // every question and answer, MP4
	ScreenShot            []Media  `json:"ScreenShot"` // screenshots
	ResultCode            []string `json:"ResultCode"` // per answer: "0" matched, "-1" did not
	ASRResult             []string `json:"AsrResult"`  // per answer: the transcript
	Audios                []Media  `json:"Audios"`     // per answer: the recording
	// FinalResultCode is the verdict as text: "0" passed, "-1" failed, "-2" browser not supported.
	FinalResultCode string `json:"FinalResultCode"`
}

// Passed reports whether the answers passed. It fails safe: every code present must say
// success (FinalResultCode "0", FinalResultDetailCode 0, every ResultCode "0"), and at least one
// of the two final codes must be present.
func (r *IntentionQuestionResult) Passed() bool {
	if r == nil || (r.FinalResultCode == "" && r.FinalResultDetailCode == nil) {
		return false
	}
	if r.FinalResultCode != "" && r.FinalResultCode != "0" || r.FinalResultDetailCode != nil && *r.FinalResultDetailCode != 0 {
		return false
	}
	for _, c := range r.ResultCode {
		if c != "0" {
			return false
		}
	}
	return true
}

// String prints codes and counts only.
func (r IntentionQuestionResult) String() string {
	return fmt.Sprintf("IntentionQuestionResult{finalResultCode: %s, detailCode: %s, resultCode: %v, answers: %d, video: %v, screenshots: %d}",
		r.FinalResultCode, optCode(r.FinalResultDetailCode), r.ResultCode, len(r.ASRResult), r.Video, len(r.ScreenShot))
}

// GoString keeps %#v redacted.
func (r IntentionQuestionResult) GoString() string { return r.String() }

// LogValue keeps transcripts and media out of structured logs.
func (r IntentionQuestionResult) LogValue() slog.Value { return slog.StringValue(r.String()) }

// IntentionActionResult is the result of nod will verification (IntentionActionResult). It
// prints redacted.
type IntentionActionResult struct {
	// FinalResultDetailCode: 0 success, -301 the nods were not seen, other negative codes face,
	// device or system failures. nil when the journey failed before the will step.
	FinalResultDetailCode *int64                  `json:"FinalResultDetailCode"`
	FinalResultMessage    string                  `json:"FinalResultMessage"`
	Details               []IntentionActionDetail `json:"Details"` // one per nod round
}

// Passed reports whether the nod step succeeded (FinalResultDetailCode 0; absent is not a pass).
func (r *IntentionActionResult) Passed() bool { return r != nil && codeIs(r.FinalResultDetailCode, 0) }

// String prints the code and counts only.
func (r IntentionActionResult) String() string {
	return fmt.Sprintf("IntentionActionResult{detailCode: %s, rounds: %d}", optCode(r.FinalResultDetailCode), len(r.Details))
}

// GoString keeps %#v redacted.
func (r IntentionActionResult) GoString() string { return r.String() }

// LogValue keeps media out of structured logs.
func (r IntentionActionResult) LogValue() slog.Value { return slog.StringValue(r.String()) }

// IntentionActionDetail is one nod round of a result (IntentionActionResultDetail): its video and
// screenshots. It prints as sizes only.
type IntentionActionDetail struct {
	Video      Media   `json:"Video"`
	ScreenShot []Media `json:"ScreenShot"`
}

// String prints sizes only.
func (d IntentionActionDetail) String() string {
	return fmt.Sprintf("IntentionActionDetail{video: %v, screenshots: %d}", d.Video, len(d.ScreenShot))
}

// GoString keeps %#v redacted.
func (d IntentionActionDetail) GoString() string { return d.String() }

// LogValue keeps media out of structured logs.
func (d IntentionActionDetail) LogValue() slog.Value { return slog.StringValue(d.String()) }

// intentionWire is the will part of GetDetectInfoEnhanced's and GetEidResult's Response.
type intentionWire struct {
	IntentionVerifyData     *IntentionVerifyData     `json:"IntentionVerifyData"`
	IntentionQuestionResult *IntentionQuestionResult `json:"IntentionQuestionResult"`
	IntentionActionResult   *IntentionActionResult   `json:"IntentionActionResult"`
	IsVerifyIntention       bool                     `json:"IsVerifyIntention"`
	// IntentionVerifyType is a string ("0", "1", "2"); nullable: the schema says never null,
	// its description says it may be, so null is read as absent.
	IntentionVerifyType *string `json:"IntentionVerifyType"`
}

// IntentionPassed reports whether the will step passed: IsVerifyIntention is true and the result
// object of the mode named by IntentionVerifyType ("0" question and answer, "1" nod, "2" read
// aloud) says so. It fails safe: a result without will verification, an unknown mode, or a
// missing result object (not asked for with PartIntention) is not a pass.
func (d *DetectInfo) IntentionPassed() bool {
	if d == nil || !d.IsVerifyIntention || d.IntentionVerifyType == nil {
		return false
	}
	switch *d.IntentionVerifyType {
	case intentionTypeQA:
		return d.IntentionQuestionResult.Passed()
	case intentionTypeNod:
		return d.IntentionActionResult.Passed()
	case intentionTypeReadAloud:
		return d.IntentionVerifyData.Passed()
	}
	return false
}

func codeIs(p *int64, v int64) bool { return p != nil && *p == v }

// optCode prints a nullable code.
func optCode(p *int64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatInt(*p, 10)
}
