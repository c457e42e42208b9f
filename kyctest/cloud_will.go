package kyctest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Will verification (意愿核身) on API 3.0, written from Tencent's faceid 2018-03-01 models
// (docs/D-api3-actions.md: DetectAuth, RuleIdConfig, IntentionQuestion, IntentionActionConfig, GetEidTokenConfig,
// IntentionVerifyData, IntentionQuestionResult, IntentionActionResult). DetectAuth and
// GetEidToken take the prompts of one mode (read aloud, question and answer, nod); a test plays
// the person's will step with CompleteIntention; GetDetectInfoEnhanced and GetEidResult answer
// IsVerifyIntention, IntentionVerifyType and the result object of the mode (InfoType 5 for read
// aloud, 6 for question and answer or nod).

// Will modes, as IntentionVerifyType names them in results.
const (
	willQA        = "0"
	willNod       = "1"
	willReadAloud = "2"
)

// Limits of the models (docs/D-api3-actions.md).
const (
	willMaxRounds    = 10  // IntentionQuestions, IntentionActions: 1 to 10
	willMaxQuestion  = 250 // IntentionQuestion.Question
	willMaxAnswers   = 50  // IntentionQuestion.Answers
	willMaxAnswer    = 10  // each answer
	willMaxText      = 120 // IntentionVerifyText
	willMaxAction    = 250 // IntentionActionConfig.Text
	willMaxEidAction = 150 // GetEidTokenConfig.IntentionActions ("at most 150 characters", the model text)
	willMaxSpeed     = 3   // Speed: 0 automatic, 1, 2, 3
)

// Errors of CompleteIntention.
var (
	// ErrNoIntention: the token was minted without a will step (no prompts in DetectAuth, or
	// GetEidToken without Config.UseIntentionVerify).
	ErrNoIntention = errors.New("kyctest: the journey has no will step")
	// ErrIntentionDone: the will step of the token was already played.
	ErrIntentionDone = errors.New("kyctest: the will step was already played")
)

// willQuestion is IntentionQuestion.
type willQuestion struct {
	Question string   `json:"Question"`
	Answers  []string `json:"Answers"`
}

// willAction is IntentionActionConfig.
type willAction struct {
	Text string `json:"Text"`
}

// ruleIDConfig is DetectAuth's Config (RuleIdConfig).
type ruleIDConfig struct {
	IntentionRecognition *bool   `json:"IntentionRecognition"`
	IntentionType        *int64  `json:"IntentionType"`
	MouthOpenRecognition *bool   `json:"MouthOpenRecognition"`
	Speed                *uint64 `json:"Speed"`
}

// willStep is the will step of one token. mode "" means none.
type willStep struct {
	mode      string
	text      string // read aloud
	questions []willQuestion
	actions   int
	played    bool
	outcome   IntentionOutcome
}

// IntentionOutcome is how the person's will step ends, for CompleteIntention. The zero value
// passes: every answer is the first accepted one, every nod is seen, the text is read as given.
type IntentionOutcome struct {
	// Failed makes the step fail (the will check did not pass).
	Failed bool
	// Code is the code answered (FinalResultDetailCode, or ErrorCode for read aloud); zero means
	// 0 for a pass, else -301 (question and answer, nod: will check not passed) or -10 (read
	// aloud: speech recognition failed).
	Code int
	// Answers are the transcripts: one per question (question and answer), or the text read
	// (read aloud). Empty means the expected ones, or "不同意" when Failed. An answer that is not
	// among its question's accepted answers fails the step.
	Answers []string
}

// willPrompts are the will prompts that DetectAuth and GetEidTokenConfig both take under the
// same names; both embed them.
type willPrompts struct {
	IntentionVerifyText string         `json:"IntentionVerifyText"`
	IntentionQuestions  []willQuestion `json:"IntentionQuestions"`
	IntentionActions    []willAction   `json:"IntentionActions"`
}

// step is the will step the prompts make in mode ("" until a mode is chosen).
func (p *willPrompts) step(mode string) willStep {
	return willStep{mode: mode, text: p.IntentionVerifyText, questions: p.IntentionQuestions, actions: len(p.IntentionActions)}
}

// check applies the models' limits to the prompts. prefix prefixes the names in messages
// ("Config." for GetEidTokenConfig).
func (p *willPrompts) check(prefix string, maxAction int) *cloudError {
	text, qs, acts := p.IntentionVerifyText, p.IntentionQuestions, p.IntentionActions
	bad := func(name, why string) *cloudError { return errCode("InvalidParameterValue", prefix+name+" "+why) }
	if utf8.RuneCountInString(text) > willMaxText {
		return bad("IntentionVerifyText", "长度超过 120")
	}
	if qs != nil && (len(qs) == 0 || len(qs) > willMaxRounds) {
		return bad("IntentionQuestions", "轮数须为 1-10")
	}
	for _, q := range qs {
		if q.Question == "" || utf8.RuneCountInString(q.Question) > willMaxQuestion {
			return bad("IntentionQuestions.Question", "须为 1-250 个字符")
		}
		if len(q.Answers) == 0 || len(q.Answers) > willMaxAnswers {
			return bad("IntentionQuestions.Answers", "须为 1-50 个")
		}
		for _, a := range q.Answers {
			if a == "" || utf8.RuneCountInString(a) > willMaxAnswer {
				return bad("IntentionQuestions.Answers", "每个答案须为 1-10 个字符")
			}
		}
	}
	if acts != nil && (len(acts) == 0 || len(acts) > willMaxRounds) {
		return bad("IntentionActions", "轮数须为 1-10")
	}
	for _, a := range acts {
		if a.Text == "" || utf8.RuneCountInString(a.Text) > maxAction {
			return bad("IntentionActions.Text", fmt.Sprintf("须为 1-%d 个字符", maxAction))
		}
	}
	return nil
}

func checkSpeed(prefix string, speed *uint64) *cloudError {
	if speed != nil && *speed > willMaxSpeed {
		return errCode("InvalidParameterValue", prefix+"Speed 取值范围 0-3")
	}
	return nil
}

// detectWill is the will step a DetectAuth request asks for: the mode of Config.IntentionType
// (0 question and answer, needing IntentionQuestions; 1 nod, needing IntentionActions), else
// the mode of the prompts sent (read aloud for IntentionVerifyText alone).
func detectWill(p *detectAuthParams) (willStep, *cloudError) {
	if e := p.check("", willMaxAction); e != nil {
		return willStep{}, e
	}
	w := p.step("")
	if c := p.Config; c != nil {
		if e := checkSpeed("Config.", c.Speed); e != nil {
			return willStep{}, e
		}
		switch {
		case c.IntentionType == nil || *c.IntentionType == 0:
			if len(p.IntentionQuestions) == 0 {
				return willStep{}, errCode("InvalidParameter", "问答模式须传入 IntentionQuestions")
			}
			w.mode = willQA
		case *c.IntentionType == 1:
			if len(p.IntentionActions) == 0 {
				return willStep{}, errCode("InvalidParameter", "点头确认模式须传入 IntentionActions")
			}
			w.mode = willNod
		default:
			return willStep{}, errCode("InvalidParameterValue", "Config.IntentionType 取值错误")
		}
		return w, nil
	}
	switch {
	case len(p.IntentionQuestions) > 0 && len(p.IntentionActions) > 0:
		return willStep{}, errCode("InvalidParameter", "IntentionQuestions 与 IntentionActions 不能同时传入")
	case len(p.IntentionQuestions) > 0:
		w.mode = willQA
	case len(p.IntentionActions) > 0:
		w.mode = willNod
	case p.IntentionVerifyText != "":
		w.mode = willReadAloud
	}
	return w, nil
}

// eidWill is the will step a GetEidTokenConfig asks for: none without UseIntentionVerify; else
// IntentionMode "1" (the default) read aloud, "2" question and answer, "3" nod.
func eidWill(c *eidConfig) (willStep, *cloudError) {
	if c == nil {
		return willStep{}, nil
	}
	if e := c.check("Config.", willMaxEidAction); e != nil {
		return willStep{}, e
	}
	if e := checkSpeed("Config.", c.Speed); e != nil {
		return willStep{}, e
	}
	modes := map[string]string{"": willReadAloud, "1": willReadAloud, "2": willQA, "3": willNod}
	mode, ok := modes[c.IntentionMode]
	if !ok {
		return willStep{}, errCode("InvalidParameterValue", "IntentionMode 取值错误")
	}
	if !c.UseIntentionVerify {
		return willStep{}, nil
	}
	switch {
	case mode == willQA && len(c.IntentionQuestions) == 0:
		return willStep{}, errCode("InvalidParameter", "IntentionMode 为 2 时须传入 IntentionQuestions")
	case mode == willNod && len(c.IntentionActions) == 0:
		return willStep{}, errCode("InvalidParameter", "IntentionMode 为 3 时须传入 IntentionActions")
	}
	return c.step(mode), nil
}

// CompleteIntention plays the will step of a journey minted with one, on a BizToken (DetectAuth)
// or an EidToken (GetEidToken): its results are then answered by GetDetectInfoEnhanced and
// GetEidResult. The token must still run its journey (an EidToken not finished yet: play the will
// step before CompleteEid), have a will step (ErrNoIntention) not yet played (ErrIntentionDone).
func (s *Server) CompleteIntention(token string, o IntentionOutcome) error {
	cs := s.cloud
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var w *willStep
	if t := cs.detects[token]; t != nil {
		if !s.Clock.Now().Before(t.created.Add(BizTokenLifetime)) {
			return fmt.Errorf("%w (%s)", ErrBizTokenExpired, token)
		}
		w = &t.will
	} else {
		t, err := s.liveEid(token)
		if err != nil {
			if errors.Is(err, ErrUnknownEidToken) {
				return fmt.Errorf("%w nor EidToken (%s)", ErrUnknownBizToken, token)
			}
			return err
		}
		w = &t.will
	}
	switch {
	case w.mode == "":
		return fmt.Errorf("%w (%s)", ErrNoIntention, token)
	case w.played:
		return fmt.Errorf("%w (%s)", ErrIntentionDone, token)
	}
	w.played, w.outcome = true, o
	w.outcome.Answers = append([]string(nil), o.Answers...)
	return nil
}

// willFields are the will members of a result: the three result objects (null unless the mode
// is the token's and its InfoType digit was asked for: 5 read aloud, 6 question and answer or
// nod), IsVerifyIntention, and IntentionVerifyType (a string; null without a will step, which
// the model's text allows).
func (s *Server) willFields(w willStep, token string, parts map[byte]bool) object {
	var verify, question, action any
	switch {
	case w.mode == willReadAloud && parts['5']:
		verify = s.readAloudResult(w, token)
	case w.mode == willQA && parts['6']:
		question = s.questionResult(w, token)
	case w.mode == willNod && parts['6']:
		action = s.actionResult(w, token)
	}
	var verifyType any
	if w.mode != "" {
		verifyType = w.mode
	}
	return object{{"IntentionVerifyData", verify}, {"IntentionQuestionResult", question},
		{"IntentionActionResult", action}, {"IsVerifyIntention", w.mode != ""}, {"IntentionVerifyType", verifyType}}
}

// willCode is the code of a played step: Code, else 0 for a pass and fail otherwise.
func willCode(o IntentionOutcome, passed bool, fail int) int {
	switch {
	case o.Code != 0:
		return o.Code
	case passed:
		return 0
	}
	return fail
}

// willMessage words a will code.
func willMessage(code int) string {
	if code == 0 {
		return "成功"
	}
	return "意愿核验不通过"
}

// readAloudResult is IntentionVerifyData: every member null before the step is played.
func (s *Server) readAloudResult(w willStep, token string) object {
	if !w.played {
		return object{{"IntentionVerifyVideo", nil}, {"AsrResult", nil}, {"ErrorCode", nil}, {"ErrorMessage", nil},
			{"IntentionVerifyBestFrame", nil}, {"AsrResultSimilarity", nil}, {"IntentionVerifyAudio", nil}}
	}
	expected := w.text
	if expected == "" {
		expected = "本人自愿办理" // the text configured in the console
	}
	asr := expected
	if w.outcome.Failed {
		asr = "不同意"
	}
	if len(w.outcome.Answers) > 0 {
		asr = w.outcome.Answers[0]
	}
	passed := !w.outcome.Failed && asr == expected
	code := willCode(w.outcome, passed, -10)
	return object{{"IntentionVerifyVideo", s.video(token + "/will")}, {"AsrResult", asr}, {"ErrorCode", code},
		{"ErrorMessage", willMessage(code)}, {"IntentionVerifyBestFrame", s.photo(token+"/will", 0)},
		{"AsrResultSimilarity", nil}, {"IntentionVerifyAudio", willAudio(token, 0)}}
}

// questionResult is IntentionQuestionResult: per question, the transcript, whether it is among
// the accepted answers ("0") or not ("-1"), and a recording.
func (s *Server) questionResult(w willStep, token string) object {
	if !w.played {
		return object{{"FinalResultDetailCode", nil}, {"FinalResultMessage", nil}, {"Video", nil}, {"ScreenShot", nil},
			{"ResultCode", nil}, {"AsrResult", nil}, {"Audios", nil}, {"FinalResultCode", nil}}
	}
	passed := !w.outcome.Failed
	codes, asr, audios := make([]string, len(w.questions)), make([]string, len(w.questions)), make([]any, len(w.questions))
	for i, q := range w.questions {
		a := q.Answers[0]
		if w.outcome.Failed {
			a = "不同意"
		}
		if i < len(w.outcome.Answers) {
			a = w.outcome.Answers[i]
		}
		asr[i], codes[i], audios[i] = a, "-1", willAudio(token, i)
		for _, ok := range q.Answers {
			if a == ok {
				codes[i] = "0"
			}
		}
		passed = passed && codes[i] == "0"
	}
	code := willCode(w.outcome, passed, -301)
	final := "0"
	if code != 0 {
		final = "-1"
	}
	return object{{"FinalResultDetailCode", code}, {"FinalResultMessage", willMessage(code)},
		{"Video", s.video(token + "/will")}, {"ScreenShot", []any{s.photo(token+"/will", 0)}},
		{"ResultCode", codes}, {"AsrResult", asr}, {"Audios", audios}, {"FinalResultCode", final}}
}

// actionResult is IntentionActionResult: one detail (video, screenshots) per nod round.
func (s *Server) actionResult(w willStep, token string) object {
	if !w.played {
		return object{{"FinalResultDetailCode", nil}, {"FinalResultMessage", nil}, {"Details", nil}}
	}
	code := willCode(w.outcome, !w.outcome.Failed, -301)
	details := make([]object, w.actions)
	for i := range details {
		round := fmt.Sprintf("%s/nod%d", token, i+1)
		details[i] = object{{"Video", s.video(round)}, {"ScreenShot", []any{s.photo(round, 0)}}}
	}
	return object{{"FinalResultDetailCode", code}, {"FinalResultMessage", willMessage(code)}, {"Details", details}}
}

// willAudio is a fake recording (a WAV header and a label), base64.
func willAudio(token string, i int) string {
	label := fmt.Sprintf("RIFF....WAVEkyctest answer %d of %s", i+1, strings.ReplaceAll(token, "-", ""))
	return base64.StdEncoding.EncodeToString([]byte(label))
}
