package kyc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kycgo/kyc/internal/transport"
)

// E证通 (eID, docs/C-ocr-will-nfc-eid.md §4): the backend gets an EidToken (GetEidToken), the person verifies in the
// eID mini program or the WeChat H5 page, and the backend learns the outcome by polling
// CheckEidTokenStatus (H5) or from the mini program, then reads it with GetEidResult. It uses
// the API 3.0 credentials, not kyc1 tickets.

// eidTokenLifetime is how long an EidToken can run a journey (docs/C-ocr-will-nfc-eid.md §4.4: 600 s); its H5 Url is
// single use within 10 minutes. Results stay readable ResultRetention (3 days).
const eidTokenLifetime = 600 * time.Second

// EIDService is E证通 on API 3.0 (docs/C-ocr-will-nfc-eid.md §4). Reach it as Client.EID.
type EIDService struct {
	c *Client
}

// EIDInputType says how the journey obtains the name and ID number (GetEidTokenConfig.InputType).
type EIDInputType string

// Input types ([EXT] GetEidTokenConfig).
const (
	EIDInputOCRBothSides EIDInputType = "1" // OCR of both sides of the ID card (the service's default)
	EIDInputOCRFront     EIDInputType = "2" // OCR of the front only
	EIDInputManual       EIDInputType = "3" // the person types them
	EIDInputPartner      EIDInputType = "4" // the backend sends Name and IDCard
)

// EIDTokenConfig is GetEidTokenConfig (all ten fields of the model): how the mini-program
// journey runs. The zero value sends nothing and keeps the service's defaults.
type EIDTokenConfig struct {
	InputType EIDInputType `json:"InputType,omitempty"`
	// UseIntentionVerify adds will verification; it is billed at the will price.
	UseIntentionVerify bool `json:"UseIntentionVerify,omitempty"`
	// IntentionMode: "1" read aloud (the default), "2" question and answer, "3" nod. Not the
	// same numbers as kyc1's willType (docs/C-ocr-will-nfc-eid.md §10, item 13), nor as IntentionVerifyType in results.
	IntentionMode       string              `json:"IntentionMode,omitempty"`
	IntentionVerifyText string              `json:"IntentionVerifyText,omitempty"` // read-aloud text, at most 120 characters
	IntentionQuestions  []IntentionQuestion `json:"IntentionQuestions,omitempty"`  // question and answer: 1 to 10 rounds
	// IntentionRecognition accepts answers close in meaning to the listed ones. nil keeps the
	// service's default, which is on; point it at false to switch it off.
	IntentionRecognition *bool `json:"IntentionRecognition,omitempty"`
	// IntentionActions are the nod prompts (mode "3"): 1 to 10 rounds of at most 150 characters.
	IntentionActions []IntentionAction `json:"IntentionActions,omitempty"`
	// IsSupportHMTResidentPermitOCR allows Hong Kong, Macau and Taiwan residence permits in the
	// OCR step. The model states no default, so nil sends nothing and false is sent as false.
	IsSupportHMTResidentPermitOCR *bool `json:"IsSupportHMTResidentPermitOCR,omitempty"`
	// MouthOpenRecognition checks that the mouth moves while answering (mode "2" only; the
	// service's default is off).
	MouthOpenRecognition bool `json:"MouthOpenRecognition,omitempty"`
	// Speed of the spoken prompts: 0 automatic (the default), 1 1x, 2 1.2x, 3 1.5x.
	Speed int `json:"Speed,omitempty"`
}

// IntentionQuestion is a will-verification question (at most 250 characters) and its accepted
// answers (1 to 50, each at most 10 characters).
type IntentionQuestion struct {
	Question string   `json:"Question"`
	Answers  []string `json:"Answers"`
}

// EIDTokenRequest starts one eID journey. It prints redacted.
type EIDTokenRequest struct {
	// MerchantID is the E证通 merchant id from the console. At most 50 characters: the model
	// states no length, the manual's GetEidToken table does ("字段长度最长50位"), so it is kept.
	MerchantID string
	// Name and IDCard, together; needed when the journey does not read them itself
	// (Config.InputType EIDInputPartner).
	Name   string
	IDCard string
	Extra  string // echoed in the result, at most 1024 characters
	// RedirectURL is where the H5 journey returns, with ?token={EidToken} (docs/C-ocr-will-nfc-eid.md §4.3).
	RedirectURL string
	Config      *EIDTokenConfig
}

// String keeps the name and ID number out of logs and errors.
func (r EIDTokenRequest) String() string {
	return fmt.Sprintf("EIDTokenRequest{merchantId: %s, name: %s, idCard: %s}", r.MerchantID, redactedIf(r.Name), redactedIf(r.IDCard))
}

// GoString keeps %#v redacted.
func (r EIDTokenRequest) GoString() string { return r.String() }

// LogValue keeps personal data out of structured logs.
func (r EIDTokenRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("merchantId", r.MerchantID))
}

type eidTokenWire struct {
	MerchantID  string          `json:"MerchantId"`
	IDCard      string          `json:"IdCard,omitempty"`
	Name        string          `json:"Name,omitempty"`
	Extra       string          `json:"Extra,omitempty"`
	Config      *EIDTokenConfig `json:"Config,omitempty"`
	RedirectURL string          `json:"RedirectUrl,omitempty"`
	// Encryption is set when the client has WithCloudEncryption (encryption.go).
	Encryption *encryptionWire `json:"Encryption,omitempty"`
}

// EIDToken is a minted EidToken.
type EIDToken struct {
	EIDToken  string `json:"EidToken"`  // valid 600 s
	URL       string `json:"Url"`       // the H5 journey: single use, 10 minutes
	RequestID string `json:"RequestId"` // for support tickets
}

// Token calls GetEidToken: it checks the request, then mints an EidToken. The call is resent
// only if it provably never reached the service.
func (s *EIDService) Token(ctx context.Context, req EIDTokenRequest) (*EIDToken, error) {
	if err := checkCloudID("MerchantId", req.MerchantID, 50); err != nil {
		return nil, err
	}
	if err := checkCloudIdentity(req.Name, req.IDCard); err != nil {
		return nil, err
	}
	if err := cloudText("Extra", req.Extra, 1024); err != nil {
		return nil, err
	}
	if req.RedirectURL != "" {
		if err := cloudURL("RedirectUrl", req.RedirectURL); err != nil {
			return nil, err
		}
	}
	if cfg := req.Config; cfg != nil {
		if err := cfg.check(req.Name != ""); err != nil {
			return nil, err
		}
	}
	w := eidTokenWire{MerchantID: req.MerchantID, IDCard: req.IDCard, Name: req.Name, Extra: req.Extra,
		Config: req.Config, RedirectURL: req.RedirectURL}
	var err error
	if w.Name, w.IDCard, w.Encryption, err = s.c.cloud.sealIdentity(w.Name, w.IDCard); err != nil {
		return nil, err
	}
	var out EIDToken
	if err := s.c.cloudCall(ctx, "GetEidToken", w, &out, true); err != nil {
		return nil, err
	}
	if out.EIDToken == "" {
		return nil, fmt.Errorf("kyc: GetEidToken: %w: no EidToken (requestId %s)", ErrBadResponse, out.RequestID)
	}
	if err := checkAnswerID("GetEidToken", "EidToken", out.EIDToken, ruleCloudToken); err != nil {
		return nil, err
	}
	if err := checkAnswerID("GetEidToken", "Url", out.URL, ruleCloudURL); err != nil {
		return nil, err
	}
	return &out, nil
}

func (cfg *EIDTokenConfig) check(identity bool) error {
	switch cfg.InputType {
	case "", EIDInputOCRBothSides, EIDInputOCRFront, EIDInputManual:
	case EIDInputPartner:
		if !identity {
			return invalidInput("Name", "Config.InputType 4 (the partner passes them) needs Name and IdCard")
		}
	default:
		return invalidInput("Config.InputType", `must be "1", "2", "3" or "4"`)
	}
	mode, ok := eidIntentionModes[cfg.IntentionMode]
	if !ok {
		return invalidInput("Config.IntentionMode", `must be "1" (read aloud), "2" (question and answer) or "3" (nod)`)
	}
	r := intentionRequest{prefix: "Config.", text: cfg.IntentionVerifyText, questions: cfg.IntentionQuestions,
		actions: cfg.IntentionActions, maxAction: maxEIDIntentionAction}
	if err := r.check(); err != nil {
		return err
	}
	if err := checkIntentionSpeed(cfg.Speed); err != nil {
		return err
	}
	// The prompts of another mode than the one chosen would be ignored: refused, as is a will
	// journey without the prompts of its mode (the read-aloud text may come from the console).
	switch {
	case len(cfg.IntentionQuestions) > 0 && mode != intentionTypeQA:
		return invalidInput("Config.IntentionQuestions", `only with IntentionMode "2" (question and answer)`)
	case len(cfg.IntentionActions) > 0 && mode != intentionTypeNod:
		return invalidInput("Config.IntentionActions", `only with IntentionMode "3" (nod)`)
	case cfg.MouthOpenRecognition && mode != intentionTypeQA:
		return invalidInput("Config.MouthOpenRecognition", `only with IntentionMode "2" (question and answer)`)
	case cfg.UseIntentionVerify && mode == intentionTypeQA && len(cfg.IntentionQuestions) == 0:
		return invalidInput("Config.IntentionQuestions", `IntentionMode "2" needs IntentionQuestions`)
	case cfg.UseIntentionVerify && mode == intentionTypeNod && len(cfg.IntentionActions) == 0:
		return invalidInput("Config.IntentionActions", `IntentionMode "3" needs IntentionActions`)
	}
	return nil
}

// eidIntentionModes maps GetEidTokenConfig.IntentionMode ("" is the default, "1") to the mode
// as results name it (IntentionVerifyType).
var eidIntentionModes = map[string]string{"": intentionTypeReadAloud, "1": intentionTypeReadAloud,
	"2": intentionTypeQA, "3": intentionTypeNod}

// EIDResultRequest asks for the result of one EidToken.
type EIDResultRequest struct {
	EIDToken string
	// Parts: PartText, PartIDCard, PartBestFrames, PartIntention (eID has no video); zero asks
	// for everything.
	Parts DetectParts
	// BestFrames asks for up to 3 extra best frames (needs PartBestFrames).
	BestFrames     int
	CutIDCardImage bool // IsCutIdCardImage (needs PartIDCard)
	IDCardAvatar   bool // IsNeedIdCardAvatar (needs PartIDCard)
}

type eidResultWire struct {
	EIDToken           string `json:"EidToken"`
	InfoType           string `json:"InfoType"`
	BestFramesCount    int    `json:"BestFramesCount,omitempty"`
	IsCutIDCardImage   bool   `json:"IsCutIdCardImage,omitempty"`
	IsNeedIDCardAvatar bool   `json:"IsNeedIdCardAvatar,omitempty"`
}

// EIDInfo is the real-name data of an eID result (GetEidResult's EidInfo, docs/D-api3-actions.md §4.6): present
// only after the console application for identity data ("申请返回身份信息", with a CSR of your
// own SM2 key pair) and only for a finished journey. The name and ID number travel encrypted for
// the merchant: DesKey is a session key encrypted with the merchant's SM2 public key, UserInfo
// the identity encrypted with that session key (SM4-ECB per Tencent's decryption guide; its
// plaintext is {"name", "idtype", "idnum"}). The field names are the service's (Tencent's
// faceid 2018-03-01 model); the values are kept as sent (base64 text). It prints redacted.
type EIDInfo struct {
	EIDCode  string `json:"EidCode"`  // the person's identifier for this merchant
	EIDSign  string `json:"EidSign"`  // the eID centre's signature over EidCode
	DesKey   string `json:"DesKey"`   // the session key, encrypted with the merchant's SM2 public key, base64
	UserInfo string `json:"UserInfo"` // the name and ID number, encrypted with the session key, base64
}

// String prints nothing of the identity.
func (e EIDInfo) String() string { return "EIDInfo(REDACTED)" }

// GoString keeps %#v redacted.
func (e EIDInfo) GoString() string { return e.String() }

// LogValue keeps the identity out of structured logs.
func (e EIDInfo) LogValue() slog.Value { return slog.StringValue(e.String()) }

// EIDResult is the result of an eID journey: the verdict (Text.ErrCode "0" passed) and the parts
// asked for. It prints redacted.
type EIDResult struct {
	DetectInfo
	EIDInfo *EIDInfo
}

// String keeps personal data out of logs and errors.
func (r EIDResult) String() string {
	info := "nil"
	if r.EIDInfo != nil {
		info = r.EIDInfo.String()
	}
	return "EIDResult{" + r.DetectInfo.String() + ", eidInfo: " + info + "}"
}

// GoString keeps %#v redacted.
func (r EIDResult) GoString() string { return r.String() }

// LogValue keeps personal data out of structured logs.
func (r EIDResult) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Result calls GetEidResult. A failed verdict is a result (Text.ErrCode), not an error; so is a
// journey still running (kyctest answers Text.ErrCode "17", flow not completed, the catalogue's
// code for it). An expired or purged token is an error matching ErrExpired.
func (s *EIDService) Result(ctx context.Context, req EIDResultRequest) (*EIDResult, error) {
	if err := checkCloudID("EidToken", req.EIDToken, 128); err != nil {
		return nil, err
	}
	switch {
	case req.Parts&^allDetectParts != 0 || req.Parts&PartVideo != 0:
		return nil, invalidInput("InfoType", "eID results have text, ID-card images and best frames, no video")
	case req.BestFrames < 0 || req.BestFrames > 3:
		return nil, invalidInput("BestFramesCount", "must be between 0 and 3")
	case req.BestFrames > 0 && !req.Parts.has(PartBestFrames):
		return nil, invalidInput("BestFramesCount", "needs PartBestFrames")
	case (req.CutIDCardImage || req.IDCardAvatar) && !req.Parts.has(PartIDCard):
		return nil, invalidInput("IsCutIdCardImage", "ID-card options need PartIDCard")
	}
	infoType := req.Parts.infoType()
	if req.Parts == allDetectParts&^PartVideo {
		infoType = "0"
	}
	w := eidResultWire{EIDToken: req.EIDToken, InfoType: infoType, BestFramesCount: req.BestFrames,
		IsCutIDCardImage: req.CutIDCardImage, IsNeedIDCardAvatar: req.IDCardAvatar}
	var body struct {
		detectInfoBody
		EIDInfo *EIDInfo `json:"EidInfo"`
	}
	if err := s.c.cloudCall(ctx, "GetEidResult", w, &body, false); err != nil {
		return nil, err
	}
	return &EIDResult{DetectInfo: *body.info(), EIDInfo: body.EIDInfo}, nil
}

// EIDStatus is the state of an EidToken (CheckEidTokenStatus).
type EIDStatus string

// The states ([EXT]).
const (
	EIDInit     EIDStatus = "init"     // minted, not started
	EIDDoing    EIDStatus = "doing"    // the person is in the journey
	EIDFinished EIDStatus = "finished" // done: read it with Result
	EIDTimeout  EIDStatus = "timeout"  // the token expired unfinished
)

// Final reports whether the status will not change any more.
func (s EIDStatus) Final() bool { return s == EIDFinished || s == EIDTimeout }

// TokenStatus calls CheckEidTokenStatus once.
func (s *EIDService) TokenStatus(ctx context.Context, eidToken string) (EIDStatus, error) {
	if err := checkCloudID("EidToken", eidToken, 128); err != nil {
		return "", err
	}
	var out struct {
		Status    string `json:"Status"`
		RequestID string `json:"RequestId"`
	}
	if err := s.c.cloudCall(ctx, "CheckEidTokenStatus", struct {
		EIDToken string `json:"EidToken"`
	}{eidToken}, &out, false); err != nil {
		return "", err
	}
	if out.Status == "" {
		return "", fmt.Errorf("kyc: CheckEidTokenStatus: %w: no Status (requestId %s)", ErrBadResponse, out.RequestID)
	}
	return EIDStatus(out.Status), nil
}

// maxEidErrors is how many errors in a row end WaitTokenStatus (docs/C-ocr-will-nfc-eid.md §4.3: "three or more
// consecutive" errors before treating the journey as failed).
const maxEidErrors = 3

// WaitTokenStatus polls CheckEidTokenStatus every second (WithEIDPollInterval) from now until
// the status is final (finished or timeout), as the manual's H5 flow advises (docs/C-ocr-will-nfc-eid.md §4.3). An
// error does not end the wait: only three in a row do, and then the last status seen is
// returned with the last error. When ctx ends it returns the last status seen and ctx's error.
// Refused input ends it at once.
func (s *EIDService) WaitTokenStatus(ctx context.Context, eidToken string) (EIDStatus, error) {
	if err := checkCloudID("EidToken", eidToken, 128); err != nil {
		return "", err
	}
	interval := s.c.cloud.poll
	if interval <= 0 {
		interval = time.Second
	}
	var last EIDStatus
	failures := 0
	for {
		st, err := s.TokenStatus(ctx, eidToken)
		switch {
		case err == nil:
			failures, last = 0, st
			if st.Final() {
				return st, nil
			}
		case ctx.Err() != nil:
			return last, fmt.Errorf("kyc: waiting for eID token: %w", ctx.Err())
		case errors.Is(err, ErrInvalidInput):
			return last, err
		default:
			failures++
			if failures >= maxEidErrors {
				return last, wrapf(err, "waiting for eID token: %d errors in a row", failures)
			}
		}
		if err := transport.Sleep(ctx, interval); err != nil {
			return last, fmt.Errorf("kyc: waiting for eID token: %w", err)
		}
	}
}
