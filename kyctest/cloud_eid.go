package kyctest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// E证通 (docs/C-ocr-will-nfc-eid.md §4): GetEidToken mints an EidToken (600 s), a test plays the journey with StartEid
// and CompleteEid, CheckEidTokenStatus answers init, doing, finished or timeout, and GetEidResult
// the verdict.

// eidToken is one EidToken. Guarded by cloudState.mu.
type eidToken struct {
	token, merchant string
	created         time.Time
	extra           string
	name, idCard    string
	started         bool
	finished        time.Time // zero until CompleteEid
	attempt         recordedAttempt
	will            willStep // cloud_will.go
}

func (t *eidToken) status(now time.Time) string {
	switch {
	case !t.finished.IsZero():
		return "finished"
	case !now.Before(t.created.Add(EidTokenLifetime)):
		return "timeout"
	case t.started:
		return "doing"
	}
	return "init"
}

// liveEid finds a token that can still run its journey. Call with cloudState.mu held.
func (s *Server) liveEid(token string) (*eidToken, error) {
	t := s.cloud.eids[token]
	switch {
	case t == nil:
		return nil, fmt.Errorf("%w (%s)", ErrUnknownEidToken, token)
	case !t.finished.IsZero():
		return nil, fmt.Errorf("%w (%s)", ErrEidFinished, token)
	case !s.Clock.Now().Before(t.created.Add(EidTokenLifetime)):
		return nil, fmt.Errorf("%w (%s)", ErrEidTokenExpired, token)
	}
	return t, nil
}

// StartEid marks the eID journey of eidToken as under way (status "doing"), as opening its Url
// or the mini program does.
func (s *Server) StartEid(eidToken string) error {
	s.cloud.mu.Lock()
	defer s.cloud.mu.Unlock()
	t, err := s.liveEid(eidToken)
	if err != nil {
		return err
	}
	t.started = true
	return nil
}

// CompleteEid finishes the eID journey of eidToken with result code errCode ("0" passes; "2016",
// "2006", ... fail; docs/C-ocr-will-nfc-eid.md §9.1) and one liveness attempt, charged as the WeChat billing tables say for eID.
// The token must be younger than EidTokenLifetime and not finished.
func (s *Server) CompleteEid(eidToken, errCode string) error {
	s.cloud.mu.Lock()
	defer s.cloud.mu.Unlock()
	t, err := s.liveEid(eidToken)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	t.started, t.finished = true, now
	t.attempt = recordAttempt(DetectAttempt{ErrCode: errCode}, ProductEID, now)
	return nil
}

// eidTokenParams are GetEidToken's parameters (docs/C-ocr-will-nfc-eid.md §4.6).
type eidTokenParams struct {
	MerchantID  string          `json:"MerchantId"`
	IDCard      string          `json:"IdCard"`
	Name        string          `json:"Name"`
	Extra       string          `json:"Extra"`
	Config      *eidConfig      `json:"Config"`
	RedirectURL string          `json:"RedirectUrl"`
	Encryption  json.RawMessage `json:"Encryption"`
}

// eidConfig is GetEidTokenConfig, its ten members (docs/D-api3-actions.md).
type eidConfig struct {
	InputType          string `json:"InputType"`
	UseIntentionVerify bool   `json:"UseIntentionVerify"`
	IntentionMode      string `json:"IntentionMode"`
	willPrompts
	IntentionRecognition          *bool   `json:"IntentionRecognition"`
	IsSupportHMTResidentPermitOCR *bool   `json:"IsSupportHMTResidentPermitOCR"`
	MouthOpenRecognition          *bool   `json:"MouthOpenRecognition"`
	Speed                         *uint64 `json:"Speed"`
}

func (s *Server) getEidToken(body []byte) (object, *cloudError) {
	var p eidTokenParams
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.MerchantID == "" {
		return nil, errCode("MissingParameter", "The request is missing a required parameter `MerchantId`.")
	}
	if len(p.MerchantID) > 50 {
		return nil, errCode("InvalidParameterValue", "MerchantId 长度超过限制")
	}
	if _, e := s.openEncryption("GetEidToken", p.Encryption, identityFields(&p.Name, &p.IDCard)); e != nil {
		return nil, e
	}
	if e := checkIdentity(p.Name, p.IDCard); e != nil {
		return nil, e
	}
	if e := checkRedirect(p.RedirectURL); e != nil {
		return nil, e
	}
	if c := p.Config; c != nil {
		switch c.InputType {
		case "", "1", "2", "3":
		case "4":
			if p.Name == "" || p.IDCard == "" {
				return nil, errCode("InvalidParameter", "InputType 为 4 时须传入 Name 和 IdCard")
			}
		default:
			return nil, errCode("InvalidParameterValue", "InputType 取值错误")
		}
	}
	will, e := eidWill(p.Config)
	if e != nil {
		return nil, e
	}
	t := &eidToken{token: newUUID(), merchant: p.MerchantID, created: s.Clock.Now(), extra: p.Extra, name: p.Name, idCard: p.IDCard,
		will: will}
	s.cloud.mu.Lock()
	s.cloud.eids[t.token] = t
	s.cloud.mu.Unlock()
	return object{{"EidToken", t.token}, {"Url", s.URL + "/kyctest/eid?token=" + t.token}}, nil
}

// eidTokenOnly is CheckEidTokenStatus's parameter.
type eidTokenOnly struct {
	EidToken string `json:"EidToken"`
}

func (s *Server) checkEidTokenStatus(body []byte) (object, *cloudError) {
	var p eidTokenOnly
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.EidToken == "" {
		return nil, errCode("MissingParameter", "The request is missing a required parameter `EidToken`.")
	}
	s.cloud.mu.Lock()
	defer s.cloud.mu.Unlock()
	t := s.cloud.eids[p.EidToken]
	if t == nil {
		return nil, errCode(CodeTokenIllegal, "EidToken 不合法")
	}
	return object{{"Status", t.status(s.Clock.Now())}}, nil
}

// eidResultParams are GetEidResult's parameters (docs/C-ocr-will-nfc-eid.md §4.7).
type eidResultParams struct {
	EidToken           string `json:"EidToken"`
	InfoType           string `json:"InfoType"`
	BestFramesCount    *int   `json:"BestFramesCount"`
	IsCutIDCardImage   *bool  `json:"IsCutIdCardImage"`
	IsNeedIDCardAvatar *bool  `json:"IsNeedIdCardAvatar"`
}

func (s *Server) getEidResult(body []byte) (object, *cloudError) {
	var p eidResultParams
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.EidToken == "" {
		return nil, errCode("MissingParameter", "The request is missing a required parameter `EidToken`.")
	}
	parts, ok := infoParts(p.InfoType, "12356")
	if !ok {
		return nil, errCode("InvalidParameterValue", "InfoType 取值错误")
	}
	if n := p.BestFramesCount; n != nil && (*n < 0 || *n > 3) {
		return nil, errCode("InvalidParameterValue", "BestFramesCount 取值范围 0-3")
	}
	now := s.Clock.Now()
	s.cloud.mu.Lock()
	t := s.cloud.eids[p.EidToken]
	var snap eidToken
	if t != nil {
		snap = *t
	}
	s.cloud.mu.Unlock()
	switch {
	case t == nil:
		return nil, errCode(CodeTokenIllegal, "EidToken 不合法")
	case snap.finished.IsZero() && !now.Before(snap.created.Add(EidTokenLifetime)):
		return nil, errCode(CodeTokenExpired, "EidToken 过期")
	case !snap.finished.IsZero() && now.After(snap.finished.Add(ResultLifetime)):
		return nil, errCode(CodeTokenExpired, "EidToken 结果已过期")
	}
	done := !snap.finished.IsZero()
	d := detectSnapshot{detectToken{token: snap.token, product: ProductEID, created: snap.created,
		name: snap.name, idCard: snap.idCard, extra: snap.extra}}
	if done {
		d.attempts = []recordedAttempt{snap.attempt}
	}
	out := object{}
	if parts['1'] {
		out = append(out, field{"Text", d.text(now, false)})
	} else {
		out = append(out, field{"Text", nil})
	}
	out = append(out, field{"IdCardData", s.idCardData(snap.token, done && parts['2'])})
	if done && parts['3'] {
		frames := []any{}
		if p.BestFramesCount != nil {
			for i := range *p.BestFramesCount {
				frames = append(frames, s.photo(snap.token, i+1))
			}
		}
		out = append(out, field{"BestFrame", object{{"BestFrame", s.photo(snap.token, 0)}, {"BestFrames", frames}}})
	} else {
		out = append(out, field{"BestFrame", nil})
	}
	var info any
	if done && snap.attempt.code == "0" {
		// Encrypted real-name data (docs/D-api3-actions.md EidInfo, §4.6): the service's four string members,
		// EidCode, EidSign, DesKey and UserInfo, with fake base64 ciphertext of plausible sizes
		// (an SM2 C1C3C2 ciphertext of a 16-byte session key; SM4 blocks of identity JSON).
		info = object{{"EidCode", "EID" + strings.ReplaceAll(snap.token, "-", "")[:12]}, {"EidSign", randomBase64(64)},
			{"DesKey", randomBase64(113)}, {"UserInfo", randomBase64(96)}}
	}
	out = append(out, field{"EidInfo", info})
	return append(out, s.willFields(snap.will, snap.token, parts)...), nil
}

// randomBase64 is n random bytes, base64: fake ciphertext.
func randomBase64(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (Go 1.24+)
	return base64.StdEncoding.EncodeToString(b)
}
