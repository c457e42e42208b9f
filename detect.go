package kyc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/kycgo/kyc/internal/wire"
)

// The WeChat journeys (mini program, native, floating-layer and ordinary WeChat H5; docs/B-h5-wechat-billing.md §2,
// §5): the backend mints a BizToken with DetectAuth, the person goes through the journey, and the
// backend reads the verdict and the billing details with GetDetectInfoEnhanced. Persist every
// BizToken as it is minted (docs/B-h5-wechat-billing.md §6.1): BillingService's sweeper relies on it.

// bizTokenLifetime is how long a BizToken can run a journey (docs/B-h5-wechat-billing.md §1: 7,200 s). Its result
// stays readable for ResultRetention.
const bizTokenLifetime = 7200 * time.Second

// DetectService is the WeChat journeys on API 3.0. Reach it as Client.Detect.
type DetectService struct {
	c *Client
}

// DetectAuthRequest starts one WeChat journey. It prints redacted.
type DetectAuthRequest struct {
	// RuleID is the business flow from the console (RuleId); it fixes the product (Plus,
	// Enhanced, Basic), the liveness mode and whether Name and IDCard must be sent.
	RuleID string
	// Name and IDCard, together, when the RuleId says the business passes them (at most 32
	// characters; the ID's letters upper-case).
	Name   string
	IDCard string
	// RedirectURL is where the WeChat H5 journey returns (absolute http or https, at most 1,024
	// bytes); the mini program does not use it.
	RedirectURL string
	// Extra is echoed in the result (at most 1024 characters).
	Extra string
	// Photo is a comparison photo (JPG or PNG, at most 3 MB once base64-encoded), for RuleIds
	// that compare with an uploaded photo.
	Photo []byte

	// Will verification (intention.go), for RuleIds configured with a will step: the prompts of
	// one mode. IntentionVerifyText is the text read aloud (at most 120 characters);
	// IntentionQuestions the question-and-answer rounds (1 to 10); IntentionActions the nod
	// rounds (1 to 10); Config the mode and its options. TerminalType, in the model, is not used
	// by this action and is never sent.
	IntentionVerifyText string
	IntentionQuestions  []IntentionQuestion
	IntentionActions    []IntentionAction
	Config              *RuleIDConfig
}

// String keeps the name, ID number, photo and will prompts out of logs and errors.
func (r DetectAuthRequest) String() string {
	return fmt.Sprintf("DetectAuthRequest{ruleId: %s, name: %s, idCard: %s, photo: %d bytes, intention: %d questions, %d actions, text: %s}",
		r.RuleID, redactedIf(r.Name), redactedIf(r.IDCard), len(r.Photo), len(r.IntentionQuestions), len(r.IntentionActions),
		redactedIf(r.IntentionVerifyText))
}

// GoString keeps %#v redacted.
func (r DetectAuthRequest) GoString() string { return r.String() }

// LogValue keeps personal data out of structured logs.
func (r DetectAuthRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("ruleId", r.RuleID), slog.Int("photoBytes", len(r.Photo)))
}

// redactedIf shows whether a personal value was there, never the value.
func redactedIf(s string) string {
	if s == "" {
		return `""`
	}
	return "REDACTED"
}

// maxCloudPhoto is the largest ImageBase64 DetectAuth takes, counted in base64 (docs/B-h5-wechat-billing.md §2.1).
const maxCloudPhoto = 3 << 20

type detectAuthWire struct {
	RuleID      string `json:"RuleId"`
	IDCard      string `json:"IdCard,omitempty"`
	Name        string `json:"Name,omitempty"`
	RedirectURL string `json:"RedirectUrl,omitempty"`
	Extra       string `json:"Extra,omitempty"`
	ImageBase64 string `json:"ImageBase64,omitempty"`
	// Will verification (appended: other fields may follow).
	IntentionVerifyText string              `json:"IntentionVerifyText,omitempty"`
	IntentionQuestions  []IntentionQuestion `json:"IntentionQuestions,omitempty"`
	IntentionActions    []IntentionAction   `json:"IntentionActions,omitempty"`
	Config              *RuleIDConfig       `json:"Config,omitempty"`
	// Encryption is set when the client has WithCloudEncryption (encryption.go).
	Encryption *encryptionWire `json:"Encryption,omitempty"`
}

// DetectAuthResult is a minted BizToken.
type DetectAuthResult struct {
	BizToken  string `json:"BizToken"`  // valid 2 hours (7,200 s); save it now (docs/B-h5-wechat-billing.md §6.1)
	URL       string `json:"Url"`       // where the WeChat H5 journey starts (not used by the mini program)
	RequestID string `json:"RequestId"` // for support tickets
}

// Auth calls DetectAuth: it checks the request, then mints a BizToken for one journey. The call
// is resent only if it provably never reached the service (a token is minted per call).
func (s *DetectService) Auth(ctx context.Context, req DetectAuthRequest) (*DetectAuthResult, error) {
	w := detectAuthWire{RuleID: req.RuleID, IDCard: req.IDCard, Name: req.Name, RedirectURL: req.RedirectURL, Extra: req.Extra,
		IntentionVerifyText: req.IntentionVerifyText, IntentionQuestions: req.IntentionQuestions,
		IntentionActions: req.IntentionActions, Config: req.Config}
	if err := checkCloudID("RuleId", req.RuleID, 64); err != nil {
		return nil, err
	}
	if err := checkCloudIdentity(req.Name, req.IDCard); err != nil {
		return nil, err
	}
	if req.RedirectURL != "" {
		if err := cloudURL("RedirectUrl", req.RedirectURL); err != nil {
			return nil, err
		}
	}
	if err := cloudText("Extra", req.Extra, 1024); err != nil {
		return nil, err
	}
	if len(req.Photo) > 0 {
		if f := imageFormat(req.Photo); f != "jpg" && f != "png" {
			return nil, invalidInput("ImageBase64", "photo must be a JPG or PNG image")
		}
		if base64.StdEncoding.EncodedLen(len(req.Photo)) > maxCloudPhoto {
			return nil, invalidInput("ImageBase64", "photo must be at most 3 MB once base64-encoded")
		}
		w.ImageBase64 = base64.StdEncoding.EncodeToString(req.Photo)
	}
	if err := checkDetectIntention(req); err != nil {
		return nil, err
	}
	var err error
	if w.Name, w.IDCard, w.Encryption, err = s.c.cloud.sealIdentity(w.Name, w.IDCard); err != nil {
		return nil, err
	}
	var out DetectAuthResult
	if err := s.c.cloudCall(ctx, "DetectAuth", w, &out, true); err != nil {
		return nil, err
	}
	if out.BizToken == "" {
		return nil, fmt.Errorf("kyc: DetectAuth: %w: no BizToken (requestId %s)", ErrBadResponse, out.RequestID)
	}
	if err := checkAnswerID("DetectAuth", "BizToken", out.BizToken, ruleCloudToken); err != nil {
		return nil, err
	}
	if err := checkAnswerID("DetectAuth", "Url", out.URL, ruleCloudURL); err != nil {
		return nil, err
	}
	return &out, nil
}

// DetectParts selects the parts of a result (InfoType). The zero value asks for everything.
type DetectParts uint8

// The parts of a result.
const (
	PartText       DetectParts = 1 << iota // the verdict, OCR text and LivenessDetail (InfoType 1)
	PartIDCard                             // ID-card images (2)
	PartBestFrames                         // best frames from the video (3)
	PartVideo                              // the liveness video (4); not offered by eID
	// PartIntention: the will-verification results, read aloud (5) and question and answer or
	// nod (6); GetDetectInfoEnhanced and GetEidResult only.
	PartIntention
)

const allDetectParts = PartText | PartIDCard | PartBestFrames | PartVideo | PartIntention

// partDigits are the InfoType digits of each part, in bit order.
var partDigits = [...]string{"1", "2", "3", "4", "56"}

// infoType writes the parts as InfoType digits: "0" for everything, else e.g. "13".
func (p DetectParts) infoType() string {
	if p == 0 || p == allDetectParts {
		return "0"
	}
	var b []byte
	for i, d := range partDigits {
		if p&(1<<i) != 0 {
			b = append(b, d...)
		}
	}
	return string(b)
}

func (p DetectParts) has(q DetectParts) bool { return p == 0 || p&q != 0 }

// DetectInfoRequest asks for the result of one BizToken.
type DetectInfoRequest struct {
	BizToken string
	RuleID   string      // the RuleId the token was minted with
	Parts    DetectParts // zero: everything, video included (can be megabytes)
	// BestFrames asks for up to 10 extra best frames (BestFramesCount; Enhanced action only).
	BestFrames int
	// CutIDCardImage and IDCardAvatar ask for cropped ID images and the ID portrait
	// (IsCutIdCardImage, IsNeedIdCardAvatar; Enhanced action only).
	CutIDCardImage bool
	IDCardAvatar   bool
	// AllVideos also asks for the video of every liveness attempt of the token, in
	// DetectInfo.Videos (IsReturnAllVideo; Enhanced action only, needs PartVideo). The service
	// returns them only when its data-storage (COS) option is enabled for the account.
	AllVideos bool
	// EncryptText asks for Text.IdCard, Name, OcrIdCard and OcrName encrypted on the wire
	// (Encryption), and EncryptBody for the whole answer (IsEncryptResponse); the result comes
	// back decrypted. Either needs WithCloudEncryption; InfoEnhanced only; not both at once.
	EncryptText bool
	EncryptBody bool
}

type detectInfoWire struct {
	BizToken           string `json:"BizToken"`
	RuleID             string `json:"RuleId"`
	InfoType           string `json:"InfoType"`
	BestFramesCount    int    `json:"BestFramesCount,omitempty"`
	IsCutIDCardImage   bool   `json:"IsCutIdCardImage,omitempty"`
	IsNeedIDCardAvatar bool   `json:"IsNeedIdCardAvatar,omitempty"`
	IsReturnAllVideo   bool   `json:"IsReturnAllVideo,omitempty"`
}

func (r DetectInfoRequest) wire(enhanced bool) (detectInfoWire, error) {
	if err := checkCloudID("BizToken", r.BizToken, 128); err != nil {
		return detectInfoWire{}, err
	}
	if err := checkCloudID("RuleId", r.RuleID, 64); err != nil {
		return detectInfoWire{}, err
	}
	if r.Parts&^allDetectParts != 0 {
		return detectInfoWire{}, invalidInput("InfoType", "unknown DetectParts bits")
	}
	switch {
	case r.BestFrames < 0 || r.BestFrames > 10:
		return detectInfoWire{}, invalidInput("BestFramesCount", "must be between 0 and 10")
	case r.BestFrames > 0 && !r.Parts.has(PartBestFrames):
		return detectInfoWire{}, invalidInput("BestFramesCount", "needs PartBestFrames")
	case (r.CutIDCardImage || r.IDCardAvatar) && !r.Parts.has(PartIDCard):
		return detectInfoWire{}, invalidInput("IsCutIdCardImage", "ID-card options need PartIDCard")
	case r.AllVideos && !r.Parts.has(PartVideo):
		return detectInfoWire{}, invalidInput("IsReturnAllVideo", "AllVideos needs PartVideo")
	case !enhanced && (r.EncryptText || r.EncryptBody):
		return detectInfoWire{}, invalidInput("Encryption", "GetDetectInfo has no encrypted answers; use InfoEnhanced")
	case !enhanced && r.AllVideos:
		return detectInfoWire{}, invalidInput("IsReturnAllVideo", "GetDetectInfo cannot return every video; use InfoEnhanced")
	case !enhanced && r.Parts&PartIntention != 0:
		return detectInfoWire{}, invalidInput("InfoType", "GetDetectInfo has no will-verification results; use InfoEnhanced")
	case !enhanced && (r.BestFrames > 0 || r.CutIDCardImage || r.IDCardAvatar):
		return detectInfoWire{}, invalidInput("InfoType", "GetDetectInfo has no best-frame count or ID-card options; use InfoEnhanced")
	}
	return detectInfoWire{BizToken: r.BizToken, RuleID: r.RuleID, InfoType: r.Parts.infoType(),
		BestFramesCount: r.BestFrames, IsCutIDCardImage: r.CutIDCardImage, IsNeedIDCardAvatar: r.IDCardAvatar,
		IsReturnAllVideo: r.AllVideos}, nil
}

// DetectInfo is the result of a journey: the verdict and billing details (Text), images and
// video. It prints redacted: no name, ID number or media.
type DetectInfo struct {
	Text       *DetectText   // nil when not asked for
	IDCard     *IDCardImages // nil when not asked for or absent
	BestFrame  Media         // the best frame of the liveness video
	BestFrames []Media       // extra best frames (DetectInfoRequest.BestFrames)
	Video      Media         // the liveness video (VideoData.LivenessVideo)
	// Videos is the video of every liveness attempt (VideoData.LivenessVideos), asked for with
	// DetectInfoRequest.AllVideos.
	Videos []VideoDetail

	// Will verification (intention.go): IsVerifyIntention says whether the journey had a will
	// step; IntentionVerifyType names its mode ("0" question and answer, "1" nod, "2" read
	// aloud; nil when absent or null); the result of that mode is in the matching object (asked
	// for with PartIntention). IntentionPassed reads them.
	IsVerifyIntention       bool
	IntentionVerifyType     *string
	IntentionVerifyData     *IntentionVerifyData
	IntentionQuestionResult *IntentionQuestionResult
	IntentionActionResult   *IntentionActionResult

	RequestID string
}

// String keeps personal data out of logs and errors.
func (d DetectInfo) String() string {
	text, idCard := "nil", "nil"
	if d.Text != nil {
		text = d.Text.String()
	}
	if d.IDCard != nil {
		idCard = d.IDCard.String()
	}
	verifyType := "null"
	if d.IntentionVerifyType != nil {
		verifyType = strconv.Quote(*d.IntentionVerifyType)
	}
	return fmt.Sprintf("DetectInfo{text: %s, idCard: %s, bestFrame: %v, bestFrames: %d, video: %v, videos: %d, isVerifyIntention: %t, intentionVerifyType: %s, intentionPassed: %t, requestId: %s}",
		text, idCard, d.BestFrame, len(d.BestFrames), d.Video, len(d.Videos), d.IsVerifyIntention, verifyType, d.IntentionPassed(), d.RequestID)
}

// GoString keeps %#v redacted.
func (d DetectInfo) GoString() string { return d.String() }

// LogValue keeps personal data and media out of structured logs.
func (d DetectInfo) LogValue() slog.Value { return slog.StringValue(d.String()) }

// Passed reports whether the whole journey passed: Text.ErrCode 0 (docs/B-h5-wechat-billing.md §2.2), and, when the
// journey had a will step (IsVerifyIntention), that step too (IntentionPassed), since ErrCode
// covers the face part only. It says nothing about billing.
func (d *DetectInfo) Passed() bool {
	return d != nil && d.Text.Passed() && (!d.IsVerifyIntention || d.IntentionPassed())
}

// DetectText is the text part of a result (DetectInfoText). ErrCode is the model's integer (Code
// gives the catalogue's text form). It prints redacted; its JSON (for your own store) keeps
// everything, with the wire names.
type DetectText struct {
	// ErrCode is the journey's result: 0 passed; nil when absent or null (not a pass). An
	// integer as in Tencent's model and every documented example; a string is refused
	// (ErrBadResponse) rather than guessed at, since no example shows one.
	ErrCode          *int64           `json:"ErrCode"`
	ErrMsg           string           `json:"ErrMsg"`
	IDCard           string           `json:"IdCard"` // the ID number verified
	UseIDType        int              `json:"UseIDType"`
	Name             string           `json:"Name"`
	OCRNation        string           `json:"OcrNation"`
	OCRAddress       string           `json:"OcrAddress"`
	OCRBirth         string           `json:"OcrBirth"`
	OCRAuthority     string           `json:"OcrAuthority"`
	OCRValidDate     string           `json:"OcrValidDate"`
	OCRName          string           `json:"OcrName"`
	OCRIDCard        string           `json:"OcrIdCard"`
	OCRGender        string           `json:"OcrGender"`
	IDInfoFrom       string           `json:"IdInfoFrom"`
	LiveStatus       int              `json:"LiveStatus"`
	LiveMsg          string           `json:"LiveMsg"`
	CompareStatus    int              `json:"Comparestatus"`
	CompareMsg       string           `json:"Comparemsg"`
	Sim              string           `json:"Sim"`
	Location         string           `json:"Location"`
	Extra            string           `json:"Extra"`
	LivenessDetail   []LivenessDetail `json:"LivenessDetail"` // every liveness 1:1 attempt: the billing source (docs/B-h5-wechat-billing.md §6.1)
	LivenessInfoTag  json.RawMessage  `json:"LivenessInfoTag,omitempty"`
	Mobile           string           `json:"Mobile"`
	CompareLibType   string           `json:"CompareLibType"`
	LivenessMode     int              `json:"LivenessMode"`
	NFCRequestIDs    []string         `json:"NFCRequestIds"`
	NFCBillingCounts int              `json:"NFCBillingCounts"`
	PassNo           string           `json:"PassNo"`
	VisaNum          string           `json:"VisaNum"`
	// LivenessActionSequence is the order of the liveness actions, e.g. "1,2" (1 open mouth, 2
	// blink, 3 nod, 4 shake head, 5 silent); the floating-layer H5 only.
	LivenessActionSequence string `json:"LivenessActionSequence"`
}

// Passed reports whether ErrCode is 0.
func (t *DetectText) Passed() bool { return t != nil && codeIs(t.ErrCode, 0) }

// Code is ErrCode as the code catalogue writes it ("0", "2016"); "" when absent.
func (t *DetectText) Code() string {
	if t == nil || t.ErrCode == nil {
		return ""
	}
	return strconv.FormatInt(*t.ErrCode, 10)
}

// String keeps the name, ID number, OCR text and phone number out of logs and errors.
func (t DetectText) String() string {
	return fmt.Sprintf("DetectText{errCode: %s, liveStatus: %d, compareStatus: %d, sim: %s, attempts: %d, name: %s, idCard: %s}",
		optCode(t.ErrCode), t.LiveStatus, t.CompareStatus, t.Sim, len(t.LivenessDetail), redactedIf(t.Name), redactedIf(t.IDCard))
}

// GoString keeps %#v redacted.
func (t DetectText) GoString() string { return t.String() }

// LogValue keeps personal data out of structured logs.
func (t DetectText) LogValue() slog.Value {
	return slog.GroupValue(slog.String("errCode", optCode(t.ErrCode)), slog.Int("attempts", len(t.LivenessDetail)))
}

// UnmarshalJSON reads the wire form (and this type's own JSON) tolerantly (decodeObject):
// numbers as strings or numbers, nulls. Detail.LivenessData is where the legacy GetDetectInfo
// puts the attempts [INF: older printings of its DetectInfo string]; LivenessDetail wins when
// both are there.
func (t *DetectText) UnmarshalJSON(b []byte) error {
	*t = DetectText{}
	obj, err := decodeObject(b, t)
	if err != nil {
		return err
	}
	if raw, ok := member(obj, "Detail"); ok && len(t.LivenessDetail) == 0 {
		var detail struct {
			LivenessData []LivenessDetail `json:"LivenessData"`
		}
		if err := json.Unmarshal(raw, &detail); err != nil {
			return err
		}
		t.LivenessDetail = detail.LivenessData
	}
	return nil
}

// IDCardImages are the ID-card images of a result (IdCardData). They print as sizes only.
type IDCardImages struct {
	Front          Media `json:"OcrFront"`
	Back           Media `json:"OcrBack"`
	ProcessedFront Media `json:"ProcessedFrontImage"`
	ProcessedBack  Media `json:"ProcessedBackImage"`
	Avatar         Media `json:"Avatar"`
	WarnInfos      []int `json:"WarnInfos"`     // warning codes for the front
	BackWarnInfos  []int `json:"BackWarnInfos"` // and for the back
}

// String prints sizes only.
func (i IDCardImages) String() string {
	return fmt.Sprintf("IDCardImages{front: %v, back: %v, avatar: %v}", i.Front, i.Back, i.Avatar)
}

// GoString keeps %#v redacted.
func (i IDCardImages) GoString() string { return i.String() }

// LogValue keeps images out of structured logs.
func (i IDCardImages) LogValue() slog.Value { return slog.StringValue(i.String()) }

// bestFrameWire is the BestFrame object.
type bestFrameWire struct {
	BestFrame  Media   `json:"BestFrame"`
	BestFrames []Media `json:"BestFrames"`
}

// VideoDetail is the video of one liveness attempt (VideoDetailData). It prints without the
// video or its storage path; its JSON (for your own store) keeps both and reads back.
type VideoDetail struct {
	Seq   string `json:"Seq"`   // the attempt it belongs to (LivenessDetail.Seq)
	Video Media  `json:"Video"` // the video, when the service sends it as base64
	// Path is what the service sent when it is not base64: the model describes LivenessVideos
	// as storage (COS) paths but their Video member as base64 (docs/D-api3-actions.md §6), so both are kept.
	Path string `json:"Path,omitempty"`
}

// String prints the attempt and sizes only.
func (v VideoDetail) String() string {
	return fmt.Sprintf("VideoDetail{seq: %s, video: %v, path: %s}", v.Seq, v.Video, redactedIf(v.Path))
}

// GoString keeps %#v redacted.
func (v VideoDetail) GoString() string { return v.String() }

// LogValue keeps the video and its path out of structured logs.
func (v VideoDetail) LogValue() slog.Value { return slog.StringValue(v.String()) }

// UnmarshalJSON reads VideoDetailData {Seq, Video}. Which of a path or a base64 video arrives
// in Video is not settled by Tencent's documents (docs/D-api3-actions.md §6); reading it fails safe: a value
// that is valid standard base64 is the video, anything else is kept as Path, and neither makes
// the whole result undecodable.
func (v *VideoDetail) UnmarshalJSON(b []byte) error {
	var w struct {
		Seq   wire.Str `json:"Seq"`
		Video wire.Str `json:"Video"`
		Path  wire.Str `json:"Path"` // not the service's: this type's own JSON
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*v = VideoDetail{Seq: string(w.Seq), Path: string(w.Path)}
	if w.Video == "" {
		return nil
	}
	if m, err := base64.StdEncoding.DecodeString(string(w.Video)); err == nil {
		v.Video = m
	} else {
		v.Path = string(w.Video)
	}
	return nil
}

// videoDataWire is VideoData (DetectInfoVideoData): an object in GetDetectInfoEnhanced as in the
// legacy DetectInfo string. A bare string is not the service's shape: it fails to decode
// (ErrBadResponse) rather than being guessed at.
type videoDataWire struct {
	LivenessVideo  Media         `json:"LivenessVideo"`
	LivenessVideos []VideoDetail `json:"LivenessVideos"`
}

// detectInfoBody is the Response of GetDetectInfoEnhanced and GetEidResult, and the object in
// the legacy DetectInfo string.
type detectInfoBody struct {
	Text       *DetectText    `json:"Text"`
	IDCardData *IDCardImages  `json:"IdCardData"`
	BestFrame  *bestFrameWire `json:"BestFrame"`
	VideoData  *videoDataWire `json:"VideoData"`
	RequestID  string         `json:"RequestId"`
	intentionWire
}

func (b *detectInfoBody) info() *DetectInfo {
	d := &DetectInfo{Text: b.Text, IDCard: b.IDCardData, RequestID: b.RequestID,
		IsVerifyIntention: b.IsVerifyIntention, IntentionVerifyType: b.IntentionVerifyType,
		IntentionVerifyData: b.IntentionVerifyData, IntentionQuestionResult: b.IntentionQuestionResult,
		IntentionActionResult: b.IntentionActionResult}
	if b.VideoData != nil {
		d.Video, d.Videos = b.VideoData.LivenessVideo, b.VideoData.LivenessVideos
	}
	if b.BestFrame != nil {
		d.BestFrame, d.BestFrames = b.BestFrame.BestFrame, b.BestFrame.BestFrames
	}
	return d
}

// InfoEnhanced calls GetDetectInfoEnhanced: the verdict (Text.ErrCode "0" passed) and every
// liveness attempt with its billing flag (Text.LivenessDetail), plus the parts asked for. The
// result is kept 3 days; until the token is final (passed, or 2 hours old) it
// can still change (docs/B-h5-wechat-billing.md §6.1). A failed verdict is a result, not an error.
func (s *DetectService) InfoEnhanced(ctx context.Context, req DetectInfoRequest) (*DetectInfo, error) {
	w, err := req.wire(true)
	if err != nil {
		return nil, err
	}
	if req.EncryptText || req.EncryptBody {
		return s.infoEncrypted(ctx, req, w) // detect_encrypt.go
	}
	var body detectInfoBody
	if err := s.c.cloudCall(ctx, "GetDetectInfoEnhanced", w, &body, false); err != nil {
		return nil, err
	}
	return body.info(), nil
}

// Info calls the legacy GetDetectInfo, whose answer is a JSON document inside a string
// (DetectInfo); it is decoded into the same DetectInfo as InfoEnhanced. Prefer InfoEnhanced: the
// billing guide is written for it (docs/B-h5-wechat-billing.md T14).
func (s *DetectService) Info(ctx context.Context, req DetectInfoRequest) (*DetectInfo, error) {
	w, err := req.wire(false)
	if err != nil {
		return nil, err
	}
	var out struct {
		DetectInfo json.RawMessage `json:"DetectInfo"`
		RequestID  string          `json:"RequestId"`
	}
	if err := s.c.cloudCall(ctx, "GetDetectInfo", w, &out, false); err != nil {
		return nil, err
	}
	// A string as documented; an object is taken as it is (fail soft: same content).
	doc := string(bytes.TrimSpace(out.DetectInfo))
	if strings.HasPrefix(doc, `"`) {
		var str string
		if json.Unmarshal(out.DetectInfo, &str) != nil {
			return nil, fmt.Errorf("kyc: GetDetectInfo: %w: DetectInfo is not a string (requestId %s)", ErrBadResponse, out.RequestID)
		}
		doc = str
	} else if doc == "null" {
		doc = ""
	}
	d, err := decodeLegacyDetectInfo(doc)
	if err != nil {
		return nil, fmt.Errorf("kyc: GetDetectInfo: %w: DetectInfo does not decode (requestId %s)", ErrBadResponse, out.RequestID)
	}
	d.RequestID = out.RequestID
	return d, nil
}

// decodeLegacyDetectInfo decodes the JSON document GetDetectInfo sends as a string. An empty
// string is an empty result. Its errors never quote the document.
func decodeLegacyDetectInfo(s string) (*DetectInfo, error) {
	var body detectInfoBody
	if strings.TrimSpace(s) == "" {
		return body.info(), nil
	}
	if err := json.Unmarshal([]byte(s), &body); err != nil {
		return nil, errors.New("kyc: DetectInfo is not a JSON object")
	}
	body.RequestID = ""
	return body.info(), nil
}
