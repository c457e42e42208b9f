package kyc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// WillService is will verification (意愿核身) on the App SDK and mobile-H5 channels (docs/C-ocr-will-nfc-eid.md §5):
// the upload that mints a will faceId with the prompts to read out, the SDK start values, the
// willLogin URL, the H5 callback check and the result with its audio and video. Reach it as
// Client.Will.
type WillService struct {
	c *Client
}

// WillMode is how the person expresses their will (willType, docs/C-ocr-will-nfc-eid.md §5.2.2). It is not the E证通
// IntentionMode, whose numbers differ (docs/C-ocr-will-nfc-eid.md §10 item 13).
type WillMode string

// Will modes.
const (
	WillQA   WillMode = "0" // 问答模式: the person answers each question aloud (the default)
	WillRead WillMode = "1" // 播报模式: the person reads the text aloud
	WillNod  WillMode = "2" // 点头模式: the person nods
)

// willSpeedCodes maps each prompt speed (a multiplier) to its wire code: the service's speed
// values are codes, not the multipliers (docs/C-ocr-will-nfc-eid.md §10 item 14), so the SDK takes the multiplier
// and sends the code.
var willSpeedCodes = map[float64]string{0.8: "-1", 1: "0", 1.2: "1", 1.35: "1.5", 1.5: "2"}

// Limits of the prompt list (docs/C-ocr-will-nfc-eid.md §5.2.2, 10 item 12). Lengths count UTF-16 code units, as the
// service's Java does: a character outside the Basic Multilingual Plane counts twice, the
// reading that cannot be refused.
const (
	maxWillRounds        = 5   // willContentList items in Q&A mode (one in the other modes)
	maxWillQuestion      = 250 // characters per question
	maxWillQuestionTotal = 500 // characters over all questions
	maxWillAnswer        = 10  // characters per answer, its "|"-separated alternatives together
	maxWillMidAnswer     = 32  // bytes of willMidAnswer (its column in the manual, in bytes)
)

// WillRound is one prompt and the answers that count as agreement.
type WillRound struct {
	// Question is the text read out to the person (or read by them in WillRead mode).
	Question string
	// Answers are the accepted spoken answers, sent joined by "|" (e.g. 嗯|好的|是的). Together,
	// separators included, at most 10 characters: the manual's "10 字以内" is read as
	// a limit on the whole field.
	Answers []string
}

// WillFaceIDRequest is the upload for one will verification (getWillFaceId, docs/C-ocr-will-nfc-eid.md §5.2). It
// prints redacted.
type WillFaceIDRequest struct {
	OrderNo string // unique per attempt: 1-32 letters and digits
	UserID  string // the user's stable id: 1-32 letters and digits; the start must use the same
	// Name and IDNo, together, compare the face with the authoritative source; or leave both
	// empty and give Photo.
	Name      string
	IDNo      string
	Photo     []byte // the partner's comparison photo (JPG, PNG or BMP, at most 500 KB)
	PhotoType PhotoType
	Mode      WillMode // default WillQA
	// Speed is how fast the prompts are read out, as a multiplier: 0.8, 1, 1.2, 1.35 or 1.5
	// (the SDK sends the service's code for it). Zero sends nothing: 1.0×. The prompts are in
	// Mandarin, the only language the manual documents (willLanguage "0").
	Speed float64
	// Rounds are the prompts: 1 to 5 in WillQA mode, exactly one in the others.
	Rounds []WillRound
	// H5Fallback and MidAnswer are for the mobile-H5 channel only. H5Fallback (liveInterType
	// "0") lets a browser that cannot do real-time detection record a video instead; without
	// it nothing is sent, which the service reads as real-time detection only (a browser that
	// cannot do it ends with callback code 3005). MidAnswer (willMidAnswer) is the answer hint
	// shown in the recording fallback: required with H5Fallback, refused otherwise.
	H5Fallback bool
	MidAnswer  string
}

// WillFaceIDRequest's String, GoString and LogValue repeat FaceIDRequest's in shape (a known
// repetition): every request type that holds an identity redacts itself under fmt and slog,
// each with its own fields.

// String keeps the name, ID number and photo out of logs and error messages.
func (r WillFaceIDRequest) String() string {
	return fmt.Sprintf("WillFaceIDRequest{orderNo: %s, name: REDACTED, idNo: REDACTED, photo: %d bytes, rounds: %d}",
		r.OrderNo, len(r.Photo), len(r.Rounds))
}

// GoString keeps %#v redacted too.
func (r WillFaceIDRequest) GoString() string { return r.String() }

// LogValue keeps the name, ID number and photo out of structured logs.
func (r WillFaceIDRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("orderNo", r.OrderNo), slog.Int("photoBytes", len(r.Photo)), slog.Int("rounds", len(r.Rounds)))
}

// willItem is one willContentList element on the wire.
type willItem struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// willContent checks the prompt list and returns it as sent (docs/C-ocr-will-nfc-eid.md §5.2.2).
func willContent(mode WillMode, rounds []WillRound) ([]willItem, error) {
	switch {
	case len(rounds) == 0:
		return nil, invalidInput("willContentList", "needs at least one round")
	case len(rounds) > maxWillRounds:
		return nil, invalidInput("willContentList", fmt.Sprintf("at most %d rounds", maxWillRounds))
	case len(rounds) > 1 && mode != WillQA:
		// "当前支持一个播报文本+回答文本"; only Q&A has several rounds ("问答模式下支持多轮").
		return nil, invalidInput("willContentList", "several rounds are for the Q&A mode only")
	}
	items := make([]willItem, len(rounds))
	total := 0
	for i, r := range rounds {
		if err := checkText("willContentList.question", r.Question); err != nil {
			return nil, err
		}
		n := utf16Len(r.Question)
		if n > maxWillQuestion {
			return nil, invalidInput("willContentList.question", fmt.Sprintf("round %d has %d characters; at most %d", i, n, maxWillQuestion))
		}
		total += n
		if len(r.Answers) == 0 {
			return nil, invalidInput("willContentList.answer", fmt.Sprintf("round %d has no answer", i))
		}
		for _, a := range r.Answers {
			if err := checkText("willContentList.answer", a); err != nil {
				return nil, err
			}
			if strings.Contains(a, "|") {
				return nil, invalidInput("willContentList.answer", "an answer must not contain '|': give alternatives as separate Answers")
			}
		}
		answer := strings.Join(r.Answers, "|")
		if n := utf16Len(answer); n > maxWillAnswer {
			return nil, invalidInput("willContentList.answer", fmt.Sprintf("round %d has %d characters with separators; at most %d", i, n, maxWillAnswer))
		}
		items[i] = willItem{ID: strconv.Itoa(i), Question: r.Question, Answer: answer}
	}
	if total > maxWillQuestionTotal {
		return nil, invalidInput("willContentList.question", fmt.Sprintf("questions total %d characters; at most %d", total, maxWillQuestionTotal))
	}
	return items, nil
}

// willBody is the upload body: the string fields and the prompt list.
type willBody struct {
	p     params
	items []willItem
}

// MarshalJSON writes the fields in order, then willContentList.
func (b willBody) MarshalJSON() ([]byte, error) {
	list, err := json.Marshal(b.items)
	if err != nil {
		return nil, err
	}
	out := b.p.appendJSON(nil)
	out = out[:len(out)-1]
	if len(out) > 1 {
		out = append(out, ',')
	}
	out = append(out, `"willContentList":`...)
	out = append(out, list...)
	return append(out, '}'), nil
}

// GetFaceID uploads one will verification and returns its faceId (5 minutes) and, for H5, the
// optimalDomain of the login URL. Every documented limit is checked before sending. Like the
// face uploads it is resent only if it provably never reached the service.
func (s *WillService) GetFaceID(ctx context.Context, req WillFaceIDRequest, opts ...CallOption) (*FaceID, error) {
	p, err := identityParams(s.c.appID, req.OrderNo, req.UserID, req.Name, req.IDNo, req.Photo, req.PhotoType)
	if err != nil {
		return nil, err
	}
	mode := req.Mode
	if mode == "" {
		mode = WillQA
	}
	if mode != WillQA && mode != WillRead && mode != WillNod {
		return nil, invalidInput("willType", `must be WillQA ("0"), WillRead ("1") or WillNod ("2")`)
	}
	speed, ok := willSpeedCodes[req.Speed]
	if !ok && req.Speed != 0 {
		return nil, invalidInput("speed", "must be 0 (not sent) or a multiplier: 0.8, 1, 1.2, 1.35 or 1.5")
	}
	liveInterType := ""
	if req.H5Fallback {
		liveInterType = "0"
		if req.MidAnswer == "" {
			return nil, invalidInput("willMidAnswer", "required with H5Fallback (liveInterType 0)")
		}
		if err := checkText("willMidAnswer", req.MidAnswer); err != nil {
			return nil, err
		}
		if len(req.MidAnswer) > maxWillMidAnswer {
			return nil, invalidInput("willMidAnswer", fmt.Sprintf("at most %d bytes of UTF-8", maxWillMidAnswer))
		}
	} else if req.MidAnswer != "" {
		return nil, invalidInput("willMidAnswer", "only with H5Fallback (liveInterType 0)")
	}
	items, err := willContent(mode, req.Rounds)
	if err != nil {
		return nil, err
	}
	cfg, err := startOptions(opts)
	if err != nil {
		return nil, err
	}
	nonce := cfg.nonce
	p = append(p, param{"version", APIVersion}, param{"nonce", nonce}, param{"liveService", "2"},
		param{"willType", string(mode)}, param{"willLanguage", "0"}, param{"speed", speed},
		param{"liveInterType", liveInterType}, param{"willMidAnswer", req.MidAnswer})
	return s.c.upload(ctx, endpointWillFaceID, p, func(p params) any { return willBody{p: p, items: items} }, nonce, true)
}

// SDKParams returns the start values for the will SDK (docs/C-ocr-will-nfc-eid.md §5.3) for face, what
// WillService.GetFaceID returned (its faceId, orderNo and userId), signed with a new NONCE
// ticket for that userId. VerifyMode is "GRADE" as the SDK needs.
func (s *WillService) SDKParams(ctx context.Context, face *FaceID, opts ...CallOption) (*SDKStart, error) {
	if err := willJourney(face); err != nil {
		return nil, err
	}
	if err := checkAlnumID("faceId", face.FaceID, maxFaceIDLen); err != nil {
		return nil, err
	}
	start, err := s.c.sdkStart(ctx, s.c.primary, endpointWillSDKStart, "will", face.OrderNo, face.UserID, face.FaceID, opts)
	if err != nil {
		return nil, err
	}
	start.VerifyMode = "GRADE"
	return start.capExpiry(face.ExpiresAt), nil
}

// WillLoginRequest describes one mobile-H5 will journey (willLogin, docs/C-ocr-will-nfc-eid.md §5.4).
type WillLoginRequest struct {
	// Face is what WillService.GetFaceID returned: its faceId, orderNo, userId and
	// optimalDomain (empty means the API host) go into the URL.
	Face        *FaceID
	CallbackURL string // where the browser returns with the result (absolute http or https URL, at most 1,024 bytes)
	From        H5From // FromApp (default; sent as "App", the will page's spelling) or FromBrowser
	// SkipResultPage goes straight to CallbackURL (resultType "1").
	SkipResultPage bool
	// ReplaceHistory navigates with location.replace (redirectType "1").
	ReplaceHistory bool
}

// H5LoginURL returns the /api/web/willLogin URL on optimalDomain, signed with a new NONCE ticket
// over seven values. It is single use: answer the browser with a 302 to it, never a link that a
// browser may prefetch (docs/C-ocr-will-nfc-eid.md §5.4.2).
func (s *WillService) H5LoginURL(ctx context.Context, req WillLoginRequest, opts ...CallOption) (string, error) {
	if err := willJourney(req.Face); err != nil {
		return "", err
	}
	var from string
	switch req.From {
	case "", FromApp:
		from = "App" // "App：表示在 App 里启动刷脸，默认值为 App" (manual L19615)
	case FromBrowser:
		from = "browser"
	default:
		return "", invalidInput("from", `must be "app" or "browser"`)
	}
	post := params{}
	if req.SkipResultPage {
		post.set("resultType", "1")
	}
	if req.ReplaceHistory {
		post.set("redirectType", "1")
	}
	f := req.Face
	return s.c.loginURL(ctx, s.c.primary, endpointWillLogin, "faceId", f.FaceID, f.OrderNo, f.UserID,
		f.OptimalDomain, req.CallbackURL, params{{"from", from}}, post, opts)
}

// willJourney checks that f is a will upload's FaceID: not nil, not a face upload's (a face
// faceId carries its Version; a will one none).
func willJourney(f *FaceID) error {
	switch {
	case f == nil:
		return invalidInput("faceId", "must not be nil: pass the FaceID WillService.GetFaceID returned")
	case f.PC || f.Version != "":
		return invalidInput("faceId", "is a face upload's (it has a Version): pass WillService.GetFaceID's")
	}
	return nil
}

// VerifyCallback checks a will H5 callback's query values (code, faceCode, willCode, orderNo,
// h5faceId, newSignature, liveRate; docs/C-ocr-will-nfc-eid.md §5.5). The signature covers appId, orderNo and code
// with the SIGN ticket (an inference: the manual gives no example), current or previous, under
// the rules of FaceService.VerifyCallback (a repeated field is refused); faceCode, willCode,
// h5faceId and liveRate arrive unsigned. Codes 3001-3006 and 300101 are the browser's, not a
// result. Confirm with QueryResult before acting on a pass.
func (s *WillService) VerifyCallback(ctx context.Context, q url.Values) (*Callback, error) {
	return s.c.verifyCallback(ctx, s.c.primary, endpointWillCallback, q)
}

// VerifyCallbackRequest is VerifyCallback on the request the browser made to the callback url.
func (s *WillService) VerifyCallbackRequest(ctx context.Context, r *http.Request) (*Callback, error) {
	if r == nil || r.URL == nil {
		return nil, invalidInput("request", "must not be nil")
	}
	return s.VerifyCallback(ctx, r.URL.Query())
}
