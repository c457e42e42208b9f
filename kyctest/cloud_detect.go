package kyctest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The WeChat journeys (docs/B-h5-wechat-billing.md §2, §5): DetectAuth mints a BizToken; a test plays the person's
// attempts with CompleteDetect; GetDetectInfoEnhanced and the legacy GetDetectInfo answer the
// verdict, the LivenessDetail items (with IsNeedCharge and ReqTime) and fake media.

// DetectAttempt is one liveness 1:1 attempt of a WeChat journey, as CompleteDetect records it.
type DetectAttempt struct {
	// ErrCode is the attempt's result code (docs/A-auth-sign-face.md §7.2, docs/B-h5-wechat-billing.md §6.4): "0" passes the journey; "2016",
	// "2006", "1002", ... fail this attempt (the person may try again while the token lives).
	ErrCode string
	// At is the 1:1 request time (ReqTime, the billing time); zero means now on the Clock.
	At time.Time
	// Seq identifies the 1:1 request; empty means a random one.
	Seq string
	// Charged is IsNeedCharge; nil means what the WeChat-channel billing tables say for the
	// rule's product (0, 2006 and 2016 charged; 1002 too for Plus: docs/A-auth-sign-face.md §7.2, docs/C-ocr-will-nfc-eid.md §9.1).
	Charged *bool
	// NoCompare: no 1:1 took place (e.g. the person left at OCR): every field of the item is
	// null (docs/B-h5-wechat-billing.md §6.3) and it is never billed.
	NoCompare bool
	// Sim is the similarity; empty means "96.50" for a pass, "41.20" otherwise.
	Sim string
}

// detectToken is one BizToken. Guarded by cloudState.mu.
type detectToken struct {
	token, ruleID string
	product       Product
	created       time.Time
	name, idCard  string // as DetectAuth received them (for Text; items get masked forms)
	extra         string
	attempts      []recordedAttempt
	will          willStep // cloud_will.go
}

type recordedAttempt struct {
	code, seq, sim string
	at             time.Time
	charged        *bool // nil: null on the wire
	noCompare      bool
}

// DetectTokenInfo is what the server knows about a BizToken, for assertions. It holds no name or
// ID number.
type DetectTokenInfo struct {
	BizToken string
	RuleID   string
	Product  Product
	Created  time.Time
	Expires  time.Time // Created + BizTokenLifetime
	Attempts int
	ErrCode  string // the last attempt's code; "" before any
}

// DetectToken reports what the server knows about bizToken.
func (s *Server) DetectToken(bizToken string) (DetectTokenInfo, bool) {
	cs := s.cloud
	cs.mu.Lock()
	defer cs.mu.Unlock()
	t := cs.detects[bizToken]
	if t == nil {
		return DetectTokenInfo{}, false
	}
	return DetectTokenInfo{BizToken: t.token, RuleID: t.ruleID, Product: t.product, Created: t.created,
		Expires: t.created.Add(BizTokenLifetime), Attempts: len(t.attempts), ErrCode: t.lastCode()}, true
}

func (t *detectToken) lastCode() string {
	if len(t.attempts) == 0 {
		return ""
	}
	return t.attempts[len(t.attempts)-1].code
}

func (t *detectToken) passed() bool {
	for _, a := range t.attempts {
		if a.code == "0" {
			return true
		}
	}
	return false
}

// CompleteDetect plays attempts of the person's journey on bizToken, in order, as the WeChat
// pages would: each is recorded with its ReqTime, Seq and charge flag, and the journey's ErrCode
// becomes the last attempt's. The token must be younger than BizTokenLifetime (else
// ErrBizTokenExpired) and must not have passed yet (ErrDetectFinished).
func (s *Server) CompleteDetect(bizToken string, attempts ...DetectAttempt) error {
	cs := s.cloud
	cs.mu.Lock()
	defer cs.mu.Unlock()
	t := cs.detects[bizToken]
	now := s.Clock.Now()
	switch {
	case t == nil:
		return fmt.Errorf("%w (%s)", ErrUnknownBizToken, bizToken)
	case !now.Before(t.created.Add(BizTokenLifetime)):
		return fmt.Errorf("%w (%s)", ErrBizTokenExpired, bizToken)
	case t.passed():
		return fmt.Errorf("%w (%s)", ErrDetectFinished, bizToken)
	}
	for _, a := range attempts {
		t.attempts = append(t.attempts, recordAttempt(a, t.product, now))
	}
	return nil
}

// recordAttempt fills an attempt's defaults.
func recordAttempt(a DetectAttempt, p Product, now time.Time) recordedAttempt {
	r := recordedAttempt{code: a.ErrCode, seq: a.Seq, sim: a.Sim, at: a.At, charged: a.Charged, noCompare: a.NoCompare}
	if r.code == "" {
		r.code = "0"
	}
	if r.at.IsZero() {
		r.at = now
	}
	if r.seq == "" {
		r.seq = strings.ToLower(randomString(32, "0123456789ABCDEF"))
	}
	if r.sim == "" {
		r.sim = "41.20"
		if r.code == "0" {
			r.sim = "96.50"
		}
	}
	if r.charged == nil && !r.noCompare {
		c := wechatCharged(r.code, p)
		r.charged = &c
	}
	return r
}

// detectAuthParams are DetectAuth's parameters ([EXT] docs/B-h5-wechat-billing.md §2.1).
type detectAuthParams struct {
	RuleID       string          `json:"RuleId"`
	TerminalType string          `json:"TerminalType"`
	IDCard       string          `json:"IdCard"`
	Name         string          `json:"Name"`
	RedirectURL  string          `json:"RedirectUrl"`
	Extra        string          `json:"Extra"`
	ImageBase64  string          `json:"ImageBase64"`
	Encryption   json.RawMessage `json:"Encryption"`
	willPrompts
	Config *ruleIDConfig `json:"Config"`
}

// checkIdentity applies the service's rules for Name and IdCard.
func checkIdentity(name, idCard string) *cloudError {
	if utf8.RuneCountInString(name) > 32 {
		return errCode("InvalidParameterValue", "Name 长度超过限制")
	}
	if len(idCard) > 32 || strings.Trim(idCard, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return errCode("InvalidParameterValue", "IdCard 格式错误，字母须大写")
	}
	return nil
}

func checkRedirect(raw string) *cloudError {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if len(raw) > 1024 || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errCode("InvalidParameterValue", "RedirectUrl 须以 http:// 或 https:// 开头")
	}
	return nil
}

func (s *Server) detectAuth(body []byte) (object, *cloudError) {
	var p detectAuthParams
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.RuleID == "" {
		return nil, errCode("MissingParameter", "The request is missing a required parameter `RuleId`.")
	}
	product, ok := s.cloud.rules[p.RuleID]
	if !ok {
		return nil, errCode("InvalidParameterValue.RuleIdNotExist", "Ruleid 不存在，请到人脸核身控制台申请")
	}
	if _, e := s.openEncryption("DetectAuth", p.Encryption, identityFields(&p.Name, &p.IDCard)); e != nil {
		return nil, e
	}
	if e := checkIdentity(p.Name, p.IDCard); e != nil {
		return nil, e
	}
	if e := checkRedirect(p.RedirectURL); e != nil {
		return nil, e
	}
	if utf8.RuneCountInString(p.Extra) > 1024 {
		return nil, errCode("InvalidParameterValue", "Extra 长度超过限制")
	}
	if p.ImageBase64 != "" {
		if len(p.ImageBase64) > 3<<20 {
			return nil, errCode("InvalidParameterValue", "ImageBase64 超过 3M")
		}
		if _, err := base64.StdEncoding.DecodeString(p.ImageBase64); err != nil {
			return nil, errCode("InvalidParameterValue", "ImageBase64 不是合法的 base64")
		}
	}
	will, e := detectWill(&p)
	if e != nil {
		return nil, e
	}
	t := &detectToken{token: newUUID(), ruleID: p.RuleID, product: product, created: s.Clock.Now(),
		name: p.Name, idCard: p.IDCard, extra: p.Extra, will: will}
	cs := s.cloud
	cs.mu.Lock()
	cs.detects[t.token] = t
	cs.order = append(cs.order, t.token)
	cs.mu.Unlock()
	// The Url names the token but this fake serves no WeChat page there: play the journey with
	// CompleteDetect.
	return object{{"Url", s.URL + "/kyctest/detect?token=" + t.token}, {"BizToken", t.token}}, nil
}

// detectInfoParams are GetDetectInfoEnhanced's parameters ([EXT] docs/B-h5-wechat-billing.md §2.2); the legacy
// GetDetectInfo takes BizToken, RuleId and InfoType only.
type detectInfoParams struct {
	BizToken           string          `json:"BizToken"`
	RuleID             string          `json:"RuleId"`
	InfoType           string          `json:"InfoType"`
	BestFramesCount    *int            `json:"BestFramesCount"`
	IsCutIDCardImage   *bool           `json:"IsCutIdCardImage"`
	IsNeedIDCardAvatar *bool           `json:"IsNeedIdCardAvatar"`
	IsEncrypt          *bool           `json:"IsEncrypt"`
	Encryption         json.RawMessage `json:"Encryption"`
	IsEncryptResponse  *bool           `json:"IsEncryptResponse"`
	IsReturnAllVideo   *bool           `json:"IsReturnAllVideo"`
}

type legacyInfoParams struct {
	BizToken string `json:"BizToken"`
	RuleID   string `json:"RuleId"`
	InfoType string `json:"InfoType"`
}

// detectSnapshot is a copy of a token's state, taken under the lock.
type detectSnapshot struct {
	detectToken
}

// lookupDetect finds a token for a result query: unknown or another RuleId answers
// BizTokenIllegal, past ResultLifetime BizTokenExpired.
func (s *Server) lookupDetect(bizToken, ruleID string) (detectSnapshot, *cloudError) {
	if bizToken == "" {
		return detectSnapshot{}, errCode("MissingParameter", "The request is missing a required parameter `BizToken`.")
	}
	if ruleID == "" {
		return detectSnapshot{}, errCode("MissingParameter", "The request is missing a required parameter `RuleId`.")
	}
	cs := s.cloud
	cs.mu.Lock()
	defer cs.mu.Unlock()
	t := cs.detects[bizToken]
	if t == nil || t.ruleID != ruleID {
		return detectSnapshot{}, errCode(CodeTokenIllegal, "BizToken 不合法")
	}
	if s.Clock.Now().After(t.created.Add(ResultLifetime)) {
		return detectSnapshot{}, errCode(CodeTokenExpired, "BizToken 过期")
	}
	snap := detectSnapshot{*t}
	snap.attempts = append([]recordedAttempt(nil), t.attempts...)
	return snap, nil
}

func (s *Server) getDetectInfoEnhanced(body []byte) (object, *cloudError) {
	var p detectInfoParams
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	parts, ok := infoParts(p.InfoType, "123456")
	if !ok {
		return nil, errCode("InvalidParameterValue", "InfoType 取值错误")
	}
	if n := p.BestFramesCount; n != nil && (*n < 0 || *n > 10) {
		return nil, errCode("InvalidParameterValue", "BestFramesCount 取值范围 0-10")
	}
	key, whole, e := s.responseEncryption(p.Encryption, p.IsEncryptResponse)
	if e != nil {
		return nil, e
	}
	t, e := s.lookupDetect(p.BizToken, p.RuleID)
	if e != nil {
		return nil, e
	}
	now := s.Clock.Now()
	out := object{}
	if parts['1'] {
		out = append(out, field{"Text", t.text(now, false)})
	} else {
		out = append(out, field{"Text", nil})
	}
	done := len(t.attempts) > 0
	out = append(out, field{"IdCardData", s.idCardData(t.token, done && parts['2'])})
	if done && parts['3'] {
		frames := []any{}
		if p.BestFramesCount != nil {
			for i := range *p.BestFramesCount {
				frames = append(frames, s.photo(t.token, i+1))
			}
		}
		out = append(out, field{"BestFrame", object{{"BestFrame", s.photo(t.token, 0)}, {"BestFrames", frames}}})
	} else {
		out = append(out, field{"BestFrame", nil})
	}
	if done && parts['4'] {
		// VideoData is an object (DetectInfoVideoData, docs/D-api3-actions.md): the final video, and with
		// IsReturnAllVideo every attempt's video (VideoDetailData {Seq, Video}, base64 as its
		// model describes Video). LivenessVideos is left out when not asked for.
		vd := object{{"LivenessVideo", s.video(t.token)}}
		if p.IsReturnAllVideo != nil && *p.IsReturnAllVideo {
			vd = append(vd, field{"LivenessVideos", s.attemptVideos(t)})
		}
		out = append(out, field{"VideoData", vd})
	} else {
		out = append(out, field{"VideoData", nil})
	}
	out = append(out, field{"Encryption", nil}, field{"EncryptedBody", nil})
	out = append(out, s.willFields(t.will, t.token, parts)...)
	if key != nil {
		out = key.encryptAnswer(out, whole) // cloud_crypto.go
	}
	return out, nil
}

// getDetectInfo is the legacy action: the same data as a JSON document in the DetectInfo string,
// with the attempts under Text.Detail.LivenessData and the video under VideoData.LivenessVideo
// ([INF]: the older printings of this document; the client accepts either shape).
func (s *Server) getDetectInfo(body []byte) (object, *cloudError) {
	var p legacyInfoParams
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	parts, ok := infoParts(p.InfoType, "1234")
	if !ok {
		return nil, errCode("InvalidParameterValue", "InfoType 取值错误")
	}
	t, e := s.lookupDetect(p.BizToken, p.RuleID)
	if e != nil {
		return nil, e
	}
	done := len(t.attempts) > 0
	doc := object{}
	if parts['1'] {
		doc = append(doc, field{"Text", t.text(s.Clock.Now(), true)})
	}
	if parts['2'] {
		ocr := object{{"OcrFront", nil}, {"OcrBack", nil}}
		if done {
			ocr = object{{"OcrFront", s.photo(t.token, 10)}, {"OcrBack", s.photo(t.token, 11)}}
		}
		doc = append(doc, field{"IdCardData", ocr})
	}
	if parts['3'] {
		var frame any
		if done {
			frame = s.photo(t.token, 0)
		}
		doc = append(doc, field{"BestFrame", object{{"BestFrame", frame}}})
	}
	if parts['4'] {
		var video any
		if done {
			video = s.video(t.token)
		}
		doc = append(doc, field{"VideoData", object{{"LivenessVideo", video}}})
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, errCode("InternalError", "内部错误")
	}
	return object{{"DetectInfo", string(raw)}}, nil
}

// text is the DetectInfoText of a token. legacy puts the attempts under Detail.LivenessData.
func (t *detectSnapshot) text(now time.Time, legacy bool) object {
	code, msg := "17", "本次流程未完成"
	switch {
	case len(t.attempts) > 0:
		code = t.lastCode()
		msg = resultMsg(code)
	case !now.Before(t.created.Add(BizTokenLifetime)):
		code, msg = "15", "token 过期，请重试"
	}
	var last recordedAttempt
	if len(t.attempts) > 0 {
		last = t.attempts[len(t.attempts)-1]
	}
	codeNum, _ := strconv.Atoi(code)
	items := make([]object, 0, len(t.attempts))
	for _, a := range t.attempts {
		items = append(items, t.item(a))
	}
	o := object{
		{"ErrCode", codeNum}, {"ErrMsg", msg},
		{"IdCard", nullIfEmpty(t.idCard)}, {"UseIDType", 0}, {"Name", nullIfEmpty(t.name)},
		{"OcrNation", nil}, {"OcrAddress", nil}, {"OcrBirth", nil}, {"OcrAuthority", nil}, {"OcrValidDate", nil},
		{"OcrName", nil}, {"OcrIdCard", nil}, {"OcrGender", nil},
		{"IdInfoFrom", "其他"},
		{"LiveStatus", liveStatus(last)}, {"LiveMsg", resultMsg(last.code)},
		{"Comparestatus", compareStatus(last)}, {"Comparemsg", resultMsg(last.code)},
		{"Sim", nullIfEmpty(last.sim)}, {"Location", nil}, {"Extra", t.extra},
	}
	if legacy {
		o = append(o, field{"Detail", object{{"LivenessData", items}}})
	} else {
		o = append(o, field{"LivenessDetail", items}, field{"LivenessInfoTag", []any{}}, field{"Mobile", ""},
			field{"CompareLibType", "权威库"}, field{"LivenessMode", 1}, field{"NFCRequestIds", nil},
			field{"NFCBillingCounts", 0}, field{"PassNo", nil}, field{"VisaNum", nil})
	}
	return o
}

// item is one LivenessDetail (DetectDetail): null fields when no 1:1 took place (docs/B-h5-wechat-billing.md §6.3).
func (t *detectSnapshot) item(a recordedAttempt) object {
	code, _ := strconv.Atoi(a.code)
	if a.noCompare {
		return object{{"ReqTime", nil}, {"Seq", nil}, {"Idcard", nil}, {"Name", nil}, {"Sim", nil},
			{"IsNeedCharge", nil}, {"Errcode", code}, {"Errmsg", resultMsg(a.code)}, {"Livestatus", 1001},
			{"Livemsg", resultMsg(a.code)}, {"Comparestatus", nil}, {"Comparemsg", nil}, {"CompareLibType", nil},
			{"LivenessMode", 1}}
	}
	return object{
		{"ReqTime", strconv.FormatInt(a.at.UnixMilli(), 10)}, {"Seq", a.seq},
		{"Idcard", nullIfEmpty(maskID(t.idCard))}, {"Name", nullIfEmpty(maskName(t.name))}, {"Sim", a.sim},
		{"IsNeedCharge", a.charged}, {"Errcode", code}, {"Errmsg", resultMsg(a.code)},
		{"Livestatus", liveStatus(a)}, {"Livemsg", resultMsg(a.code)},
		{"Comparestatus", compareStatus(a)}, {"Comparemsg", resultMsg(a.code)},
		{"CompareLibType", "权威库"}, {"LivenessMode", 1},
	}
}

func liveStatus(a recordedAttempt) int {
	switch a.code {
	case "", "0", "2006", "2016":
		return 0
	}
	return 1
}

func compareStatus(a recordedAttempt) int {
	if a.code == "0" {
		return 0
	}
	return 1
}

// resultMsg is the manual's message for a result code (codes.go).
func resultMsg(code string) string {
	if code == "" {
		return "本次流程未完成"
	}
	if m, ok := serviceMessage(code); ok {
		return m
	}
	return "未知错误"
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// maskID keeps the first 4 and last 4 characters, as the service masks ID numbers.
func maskID(s string) string {
	if len(s) <= 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

// maskName keeps the last character.
func maskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return strings.Repeat("*", len(r)-1) + string(r[len(r)-1])
}

// idCardData is IdCardData: OCR images when asked for and the journey has attempts, else nulls.
func (s *Server) idCardData(token string, with bool) object {
	if !with {
		return object{{"OcrFront", nil}, {"OcrBack", nil}, {"ProcessedFrontImage", nil}, {"ProcessedBackImage", nil},
			{"Avatar", nil}, {"WarnInfos", nil}, {"BackWarnInfos", nil}}
	}
	return object{{"OcrFront", s.photo(token, 10)}, {"OcrBack", s.photo(token, 11)}, {"ProcessedFrontImage", nil},
		{"ProcessedBackImage", nil}, {"Avatar", nil}, {"WarnInfos", []int{}}, {"BackWarnInfos", []int{}}}
}

// photo is a fake JPEG for a token, base64, or null without photos (WithMedia).
func (s *Server) photo(token string, index int) any {
	if s.cfg.photoBytes <= 0 {
		return nil
	}
	return base64.StdEncoding.EncodeToString(fakePhoto(token, index, s.cfg.photoBytes))
}

// attemptVideos is LivenessVideos: one VideoDetailData per attempt that reached liveness (not a
// NoCompare one); the last attempt's video is LivenessVideo's.
func (s *Server) attemptVideos(t detectSnapshot) []object {
	out := []object{}
	for i, a := range t.attempts {
		if a.noCompare {
			continue
		}
		video := s.video(t.token + "/" + a.seq)
		if i == len(t.attempts)-1 {
			video = s.video(t.token)
		}
		out = append(out, object{{"Seq", a.seq}, {"Video", video}})
	}
	return out
}

// video is a fake MP4 for a token, base64, or null without videos (WithMedia).
func (s *Server) video(token string) any {
	if s.cfg.videoBytes <= 0 {
		return nil
	}
	return base64.StdEncoding.EncodeToString(fakeVideo(token, s.cfg.videoBytes))
}
