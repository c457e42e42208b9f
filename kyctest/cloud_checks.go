package kyctest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The element and face checks of the faceid service (the 20 actions of the vendor manual's
// billing chapter, Tencent Cloud docs https://cloud.tencent.com/document/product/1007/31324):
// name + ID number, bank card, mobile number and carrier checks, liveness, photo comparison and
// the AI face shield. Each is answered in the service's shapes, with its parameters checked as the
// service does (UnknownParameter, MissingParameter, InvalidParameterValue), and every check passes
// unless a test chose otherwise for the values it sends:
//
//	srv.MismatchIdentity("测试用户", "KYCTEST0000000001") // name and ID number do not belong together
//	srv.MismatchBankCard("6200000000000000001")        // the card is not this person's
//	srv.MismatchPhone("13800000001")                    // the number is registered to someone else
//	srv.SetPhoneStatus("13800000002", kyctest.PhoneCancelled)
//	srv.FakeFace(photoOrVideo)                          // an attack: fake-face and liveness checks fail
//	srv.ForceCheckResult("MobileStatus", "-4")          // any Result code, for every request of the action
//
// The values are matched as sent: a field sent encrypted (Encryption.EncryptList) matches
// nothing, and its format is not checked. CheckIdCardInformation with IsEncrypt or
// IsEncryptResponse is refused (FailedOperation.EncryptSystemError): this fake does not encrypt
// answers.

// Sizes the service allows for base64 media (bytes of base64 text), per the action's model.
const (
	maxCheckPhoto      = 3 << 20  // ImageBase64 of the comparisons and of IdCardOCRVerification
	maxCheckVideo      = 8 << 20  // VideoBase64 of the liveness checks
	maxCheckCardImage  = 7 << 20  // ImageBase64 of CheckIdCardInformation
	maxCheckFakeFaces  = 10 << 20 // FaceInput of DetectAIFakeFaces
	checkSamePersonSim = 92.5     // the Sim of a passing comparison
)

// PhoneStatus is the line status of a mobile number, as MobileStatus reports it (StatusCode).
type PhoneStatus int64

// Line statuses (SetPhoneStatus). A number the test did not set is PhoneNormal.
const (
	PhoneNormal       PhoneStatus = 0
	PhoneSuspended    PhoneStatus = 1
	PhoneCancelled    PhoneStatus = 2
	PhoneNotOnNetwork PhoneStatus = 4
	PhoneUnusable     PhoneStatus = 5
)

// inService says whether a number in this status exists for the carrier checks.
func (p PhoneStatus) inService() bool { return p != PhoneCancelled && p != PhoneNotOnNetwork }

// checkOutcomes are the outcomes a test chose. The zero value is ready; guarded by mu.
type checkOutcomes struct {
	mu         sync.Mutex
	identities map[[2]string]bool
	cards      map[string]bool
	phones     map[string]bool
	status     map[string]PhoneStatus
	fakes      map[[32]byte]bool
	forced     map[string]string
}

func (s *Server) checks() *checkOutcomes { return &s.cloud.checks }

func (o *checkOutcomes) set(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f()
}

// MismatchIdentity makes every check given this name and ID number find that they do not belong
// together: IdCardVerification, IdCardOCRVerification and CheckIdNameDate answer "-1", the bank
// card checks "-1", the carrier checks "-4" (ResultDetail NameIdCardMismatch), and
// LivenessRecognition and ImageRecognition(V2) FailedOperation.IdNameMisMatch.
func (s *Server) MismatchIdentity(name, idCard string) {
	o := s.checks()
	o.set(func() { o.identities = chkSetKey(o.identities, [2]string{name, idCard}) })
}

// MismatchBankCard makes the bank card checks (BankCard2EVerification, BankCardVerification,
// BankCard4EVerification) of this card number answer "-1": the card is not this person's.
func (s *Server) MismatchBankCard(bankCard string) {
	o := s.checks()
	o.set(func() { o.cards = chkSetKey(o.cards, bankCard) })
}

// MismatchPhone makes the number registered to someone else: the carrier checks answer "-4"
// (ResultDetail PhoneNameIdCardMismatch), CheckPhoneAndName "1", BankCard4EVerification "-1".
func (s *Server) MismatchPhone(phone string) {
	o := s.checks()
	o.set(func() { o.phones = chkSetKey(o.phones, phone) })
}

// SetPhoneStatus sets what MobileStatus reports for a number. A number out of service
// (PhoneCancelled, PhoneNotOnNetwork) has no record for the carrier checks ("-9"; CheckPhoneAndName
// "-1") and does not exist for MobileNetworkTimeVerification ("-2").
func (s *Server) SetPhoneStatus(phone string, status PhoneStatus) {
	o := s.checks()
	o.set(func() {
		if o.status == nil {
			o.status = map[string]PhoneStatus{}
		}
		o.status[phone] = status
	})
}

// FakeFace marks a photo or video (its raw bytes, as the partner had them before base64) as an
// attack: DetectAIFakeFaces rates it High (SuspectedSpoofingAttack, a matched template), the
// liveness checks and ImageRecognition(V2) answer FailedOperation.LifePhotoDetectFake, and as the
// photo of LivenessCompare or CheckIdCardInformation it compares low
// (FailedOperation.CompareLowSimilarity).
func (s *Server) FakeFace(media []byte) {
	o := s.checks()
	o.set(func() { o.fakes = chkSetKey(o.fakes, sha256.Sum256(media)) })
}

// ForceCheckResult makes every later request of action (e.g. "MobileStatus") that passes the
// parameter checks answer Result result (e.g. "-4", daily limit exceeded), whatever its values;
// "" returns to the normal answers.
func (s *Server) ForceCheckResult(action, result string) {
	o := s.checks()
	o.set(func() {
		if o.forced == nil {
			o.forced = map[string]string{}
		}
		o.forced[action] = result
	})
}

func chkSetKey[K comparable](m map[K]bool, k K) map[K]bool {
	if m == nil {
		m = map[K]bool{}
	}
	m[k] = true
	return m
}

// chkInput is what one request carries that an outcome can match, read once under the lock.
type chkInput struct {
	name, idCard, card, phone string
	media                     [][]byte
}

// chkFacts is what the chosen outcomes say about one request.
type chkFacts struct {
	identity, card, phone bool // mismatched
	status                PhoneStatus
	fake                  bool
	forced                string
}

func (s *Server) facts(action string, in chkInput) chkFacts {
	o := s.checks()
	o.mu.Lock()
	defer o.mu.Unlock()
	f := chkFacts{identity: o.identities[[2]string{in.name, in.idCard}], card: o.cards[in.card],
		phone: o.phones[in.phone], status: o.status[in.phone], forced: o.forced[action]}
	for _, m := range in.media {
		f.fake = f.fake || o.fakes[sha256.Sum256(m)]
	}
	return f
}

// chkEncryption is the Encryption object (Tencent's model): its members are checked, the
// ciphertext is not (kyctest cannot read it).
type chkEncryption struct {
	EncryptList    []string `json:"EncryptList"`
	CiphertextBlob string   `json:"CiphertextBlob"`
	Iv             string   `json:"Iv"`
	Algorithm      string   `json:"Algorithm"`
	TagList        []string `json:"TagList"`
}

// encrypted says whether the field is sent encrypted (so neither its format nor an outcome applies).
func (e *chkEncryption) encrypted(field string) bool {
	if e == nil {
		return false
	}
	for _, f := range e.EncryptList {
		if f == field {
			return true
		}
	}
	return false
}

func (e *chkEncryption) check() *cloudError {
	if e == nil {
		return nil
	}
	if len(e.EncryptList) == 0 || e.CiphertextBlob == "" || e.Iv == "" {
		return errCode("InvalidParameter", "Encryption 须包含 EncryptList、CiphertextBlob 和 Iv")
	}
	switch e.Algorithm {
	case "", "AES-256-CBC", "SM4-GCM":
	default:
		return errCode("InvalidParameterValue", "Encryption.Algorithm 取值错误")
	}
	return nil
}

// The parameters of each action, from Tencent's faceid 2018-03-01 models. Most checks take a
// person, chkIdName (IdCard, Name and the Encryption that may hide them), and embed it.
type (
	chkIdName struct {
		IdCard     string         `json:"IdCard"`
		Name       string         `json:"Name"`
		Encryption *chkEncryption `json:"Encryption"`
	}
	chkFakeFaces struct {
		FaceInput     string         `json:"FaceInput"`
		FaceInputType *int64         `json:"FaceInputType"`
		Encryption    *chkEncryption `json:"Encryption"`
		EncryptedBody string         `json:"EncryptedBody"`
	}
	chkLiveness struct {
		chkIdName
		LivenessType string `json:"LivenessType"`
		VideoBase64  string `json:"VideoBase64"`
		VideoUrl     string `json:"VideoUrl"`
		ValidateData string `json:"ValidateData"`
		Optional     string `json:"Optional"`
	}
	chkLivenessCompare struct {
		LivenessType string `json:"LivenessType"`
		ImageBase64  string `json:"ImageBase64"`
		ImageUrl     string `json:"ImageUrl"`
		ValidateData string `json:"ValidateData"`
		Optional     string `json:"Optional"`
		VideoBase64  string `json:"VideoBase64"`
		VideoUrl     string `json:"VideoUrl"`
	}
	chkImageRecognition struct {
		chkIdName
		ImageBase64 string `json:"ImageBase64"`
		Optional    string `json:"Optional"`
	}
	chkImageRecognitionV2 struct {
		chkImageRecognition
		Extra string `json:"Extra"`
	}
	// chkCardImage is the ID card photo (or its URL) and the OCR Config that the two actions
	// reading a card take.
	chkCardImage struct {
		ImageBase64 string `json:"ImageBase64"`
		ImageUrl    string `json:"ImageUrl"`
		Config      string `json:"Config"`
	}
	chkIdCardInformation struct {
		chkCardImage
		IsEncrypt         *bool          `json:"IsEncrypt"`
		IsEncryptResponse *bool          `json:"IsEncryptResponse"`
		Encryption        *chkEncryption `json:"Encryption"`
	}
	chkIdCardOCR struct {
		chkIdName
		chkCardImage
	}
	chkIdNameDate struct {
		chkIdName
		ValidityBegin string `json:"ValidityBegin"`
		ValidityEnd   string `json:"ValidityEnd"`
	}
	chkBankCardInfo struct {
		BankCard   string         `json:"BankCard"`
		Encryption *chkEncryption `json:"Encryption"`
	}
	chkBankCard2E struct {
		chkBankCardInfo
		Name string `json:"Name"`
	}
	chkBankCard3E struct {
		chkIdName
		BankCard string `json:"BankCard"`
		CertType *int64 `json:"CertType"`
	}
	chkBankCard4E struct {
		chkBankCard3E
		Phone string `json:"Phone"`
	}
	chkMobile struct {
		Mobile     string         `json:"Mobile"`
		Encryption *chkEncryption `json:"Encryption"`
	}
	chkPhoneVerification struct {
		IdCard         string   `json:"IdCard"`
		Name           string   `json:"Name"`
		Phone          string   `json:"Phone"`
		VerifyMode     string   `json:"VerifyMode"`
		CiphertextBlob string   `json:"CiphertextBlob"`
		EncryptList    []string `json:"EncryptList"`
		Iv             string   `json:"Iv"`
	}
	chkPhoneCarrier struct {
		chkIdName
		Phone string `json:"Phone"`
	}
	chkPhoneName struct {
		chkMobile
		Name string `json:"Name"`
	}
)

// checkHandler decodes an action's parameters strictly into a P, then answers.
func checkHandler[P any](answer func(p *P) (object, *cloudError)) cloudHandler {
	return func(body []byte) (object, *cloudError) {
		var p P
		if e := decodeParams(body, &p); e != nil {
			return nil, e
		}
		return answer(&p)
	}
}

// checkHandlers are the 20 actions (registered by registerCloud).
func (s *Server) checkHandlers() map[string]cloudHandler {
	return map[string]cloudHandler{
		"DetectAIFakeFaces":   checkHandler(s.detectAIFakeFaces),
		"LivenessRecognition": checkHandler(s.livenessRecognition),
		"LivenessCompare":     checkHandler(s.livenessCompare),
		"ImageRecognition": checkHandler(func(p *chkImageRecognition) (object, *cloudError) {
			return s.imageRecognition("ImageRecognition", p, nil)
		}),
		"ImageRecognitionV2":            checkHandler(s.imageRecognitionV2),
		"CheckIdCardInformation":        checkHandler(s.checkIdCardInformation),
		"IdCardVerification":            checkHandler(s.idCardVerification),
		"IdCardOCRVerification":         checkHandler(s.idCardOCRVerification),
		"CheckIdNameDate":               checkHandler(s.checkIdNameDate),
		"CheckBankCardInformation":      checkHandler(s.checkBankCardInformation),
		"BankCard2EVerification":        checkHandler(s.bankCard2E),
		"BankCardVerification":          checkHandler(s.bankCard3E),
		"BankCard4EVerification":        checkHandler(s.bankCard4E),
		"MobileNetworkTimeVerification": checkHandler(s.mobileNetworkTime),
		"MobileStatus":                  checkHandler(s.mobileStatus),
		"PhoneVerification":             checkHandler(s.phoneVerification),
		"PhoneVerificationCMCC":         checkHandler(chkCarrier(s, "PhoneVerificationCMCC", "移动")),
		"PhoneVerificationCTCC":         checkHandler(chkCarrier(s, "PhoneVerificationCTCC", "电信")),
		"PhoneVerificationCUCC":         checkHandler(chkCarrier(s, "PhoneVerificationCUCC", "联通")),
		"CheckPhoneAndName":             checkHandler(s.checkPhoneAndName),
	}
}

// chkMissing is the service's answer for an absent required parameter.
func chkMissing(name string) *cloudError {
	return errCode("MissingParameter", "The request is missing a required parameter `"+name+"`.")
}

// chkRequired checks name/value pairs in order.
func chkRequired(pairs ...string) *cloudError {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return chkMissing(pairs[i])
		}
	}
	return nil
}

// chkMedia decodes one base64 photo or video: standard base64 with padding, at most limit bytes of
// text. An absent value is nil.
func chkMedia(field, b64 string, limit int, decodeCode string) ([]byte, *cloudError) {
	if b64 == "" {
		return nil, nil
	}
	if len(b64) > limit {
		return nil, errCode("InvalidParameterValue", field+" 超过大小限制 "+strconv.Itoa(limit>>20)+"M")
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) == 0 {
		return nil, errCode(decodeCode, field+" 解码失败")
	}
	return b, nil
}

// chkOneOf checks that a value or a URL is given for a medium; a URL must be http(s).
func chkOneOf(b64Field, b64, urlField, raw string) *cloudError {
	if b64 == "" && raw == "" {
		return chkMissing(b64Field)
	}
	if b64 == "" && !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return errCode("InvalidParameterValue", urlField+" 须以 http:// 或 https:// 开头")
	}
	return nil
}

const (
	chkImageDecodeFailed = "FailedOperation.ImageDecodeFailed"
	chkVideoDecodeFailed = "FailedOperation.VideoDecodeFailed"
)

func (s *Server) detectAIFakeFaces(p *chkFakeFaces) (object, *cloudError) {
	if e := p.Encryption.check(); e != nil {
		return nil, e
	}
	var raw []byte
	if p.EncryptedBody == "" {
		if p.FaceInput == "" {
			return nil, chkMissing("FaceInput")
		}
		if p.FaceInputType == nil {
			return nil, chkMissing("FaceInputType")
		}
		code := chkImageDecodeFailed
		switch *p.FaceInputType {
		case 1:
		case 2:
			code = chkVideoDecodeFailed
		default:
			return nil, errCode("InvalidParameter", "FaceInputType 取值错误")
		}
		var e *cloudError
		if raw, e = chkMedia("FaceInput", p.FaceInput, maxCheckFakeFaces, code); e != nil {
			return nil, e
		}
	}
	f := s.facts("DetectAIFakeFaces", chkInput{media: [][]byte{raw}})
	level := "Low"
	switch {
	case f.forced != "":
		level = f.forced
	case f.fake:
		level = "High"
	}
	if level == "Low" {
		return object{{"AttackRiskLevel", level}, {"AttackRiskDetailList", []any{}}}, nil
	}
	return object{{"AttackRiskLevel", level},
		{"AttackRiskDetailList", []any{object{{"Type", "SuspectedSpoofingAttack"}}}},
		{"ExtraInfo", object{{"RetrievalLivenessExtraInfo", []any{object{
			{"HitGroup", "Common"}, {"SimilarityScore", 0.31}, {"HitTemplate", "kyctest-template-1"}}}}}},
	}, nil
}

// livenessTypes are the modes of LivenessRecognition and LivenessCompare.
func chkLivenessType(v string) *cloudError {
	switch v {
	case "":
		return chkMissing("LivenessType")
	case "LIP", "ACTION", "SILENT":
		return nil
	}
	return errCode("InvalidParameterValue", "LivenessType 取值错误")
}

// chkBestFrames reads Optional's BestFrameNum (2-10); 0 when not asked.
func chkBestFrames(optional string) (int, *cloudError) {
	if optional == "" {
		return 0, nil
	}
	var o struct {
		BestFrameNum *int `json:"BestFrameNum"`
	}
	if json.Unmarshal([]byte(optional), &o) != nil {
		return 0, errCode("InvalidParameterValue", "Optional 须为 JSON 字符串")
	}
	if o.BestFrameNum == nil {
		return 0, nil
	}
	if n := *o.BestFrameNum; n < 2 || n > 10 {
		return 0, errCode("InvalidParameterValue", "BestFrameNum 取值范围 2-10")
	}
	return *o.BestFrameNum, nil
}

// chkVideoAndFrames decodes a liveness video and reads Optional's BestFrameNum.
func chkVideoAndFrames(b64, optional string) ([]byte, int, *cloudError) {
	video, e := chkMedia("VideoBase64", b64, maxCheckVideo, chkVideoDecodeFailed)
	if e != nil {
		return nil, 0, e
	}
	n, e := chkBestFrames(optional)
	return video, n, e
}

// chkFaceAnswer is the Sim/Result/Description answer of a comparison; frames > 0 adds BestFrameList,
// best the BestFrameBase64 of a pass.
func chkFaceAnswer(result string, frames int, best bool) object {
	sim := 0.0
	switch result {
	case "Success":
		sim = checkSamePersonSim
	case "FailedOperation.CompareLowSimilarity":
		sim = 35.5
	}
	var frame, list any
	if result == "Success" && best {
		frame = base64.StdEncoding.EncodeToString(fakePhoto("liveness", 0, 512))
		if frames > 0 {
			l := make([]string, frames)
			for i := range l {
				l[i] = base64.StdEncoding.EncodeToString(fakePhoto("liveness", i+1, 512))
			}
			list = l
		}
	}
	out := object{}
	if best {
		out = append(out, field{"BestFrameBase64", frame})
	}
	out = append(out, field{"Sim", sim}, field{"Result", result}, field{"Description", textOf(chkDescriptions, result)})
	if best {
		out = append(out, field{"BestFrameList", list})
	}
	return out
}

// chkFaceResult picks the Result of a face check from the outcomes: forced, then a fake face, then
// an identity mismatch.
func chkFaceResult(f chkFacts, fake string) string {
	switch {
	case f.forced != "":
		return f.forced
	case f.fake:
		return fake
	case f.identity:
		return "FailedOperation.IdNameMisMatch"
	}
	return "Success"
}

func (s *Server) livenessRecognition(p *chkLiveness) (object, *cloudError) {
	if e := chkRequired("IdCard", p.IdCard, "Name", p.Name); e != nil {
		return nil, e
	}
	if e := chkFirst(chkLivenessType(p.LivenessType), p.Encryption.check(), chkOneOf("VideoBase64", p.VideoBase64, "VideoUrl", p.VideoUrl)); e != nil {
		return nil, e
	}
	video, n, e := chkVideoAndFrames(p.VideoBase64, p.Optional)
	if e != nil {
		return nil, e
	}
	f := s.facts("LivenessRecognition", chkInput{name: p.Name, idCard: p.IdCard, media: [][]byte{video}})
	return chkFaceAnswer(chkFaceResult(f, "FailedOperation.LifePhotoDetectFake"), n, true), nil
}

func (s *Server) livenessCompare(p *chkLivenessCompare) (object, *cloudError) {
	if e := chkFirst(chkLivenessType(p.LivenessType), chkOneOf("ImageBase64", p.ImageBase64, "ImageUrl", p.ImageUrl),
		chkOneOf("VideoBase64", p.VideoBase64, "VideoUrl", p.VideoUrl)); e != nil {
		return nil, e
	}
	photo, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckPhoto, chkImageDecodeFailed)
	if e != nil {
		return nil, e
	}
	video, n, e := chkVideoAndFrames(p.VideoBase64, p.Optional)
	if e != nil {
		return nil, e
	}
	f := s.facts("LivenessCompare", chkInput{media: [][]byte{video}})
	if f.forced == "" && !f.fake && s.facts("", chkInput{media: [][]byte{photo}}).fake {
		f.forced = "FailedOperation.CompareLowSimilarity"
	}
	return chkFaceAnswer(chkFaceResult(f, "FailedOperation.LifePhotoDetectFake"), n, true), nil
}

func (s *Server) imageRecognition(action string, p *chkImageRecognition, extra any) (object, *cloudError) {
	if e := chkRequired("IdCard", p.IdCard, "Name", p.Name, "ImageBase64", p.ImageBase64); e != nil {
		return nil, e
	}
	if e := p.Encryption.check(); e != nil {
		return nil, e
	}
	photo, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckPhoto, chkImageDecodeFailed)
	if e != nil {
		return nil, e
	}
	f := s.facts(action, chkInput{name: p.Name, idCard: p.IdCard, media: [][]byte{photo}})
	out := chkFaceAnswer(chkFaceResult(f, "FailedOperation.LifePhotoDetectFake"), 0, false)
	if extra != nil {
		out = append(out, field{"Extra", extra})
	}
	return out, nil
}

func (s *Server) imageRecognitionV2(p *chkImageRecognitionV2) (object, *cloudError) {
	if n := utf8.RuneCountInString(p.Extra); n > 10 {
		return nil, errCode("InvalidParameterValue", "Extra 长度为 1-10")
	}
	return s.imageRecognition("ImageRecognitionV2", &p.chkImageRecognition, p.Extra)
}

// chkOCRConfig reads a Config string: a JSON object of boolean warning switches.
func chkOCRConfig(config string) *cloudError {
	if config == "" {
		return nil
	}
	var c map[string]bool
	if json.Unmarshal([]byte(config), &c) != nil {
		return errCode("InvalidParameterValue", "Config 须为 JSON 对象字符串，取值为布尔值")
	}
	for k := range c {
		switch k {
		case "CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn", "TempIdWarn", "Quality":
		default:
			return errCode("InvalidParameterValue", "Config 含未知开关")
		}
	}
	return nil
}

func (s *Server) checkIdCardInformation(p *chkIdCardInformation) (object, *cloudError) {
	if e := chkFirst(chkOneOf("ImageBase64", p.ImageBase64, "ImageUrl", p.ImageUrl), chkOCRConfig(p.Config), p.Encryption.check()); e != nil {
		return nil, e
	}
	if wants := (p.IsEncrypt != nil && *p.IsEncrypt) || (p.IsEncryptResponse != nil && *p.IsEncryptResponse); wants {
		// The service needs the Encryption parameters to encrypt the answer; this fake cannot
		// encrypt one at all, and says so rather than answer in plain text.
		if p.Encryption == nil {
			return nil, errCode("InvalidParameter", "IsEncrypt / IsEncryptResponse 须传入 Encryption")
		}
		return nil, errCode("FailedOperation.EncryptSystemError", "kyctest does not encrypt CheckIdCardInformation answers")
	}
	photo, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckCardImage, chkImageDecodeFailed)
	if e != nil {
		return nil, e
	}
	f := s.facts("CheckIdCardInformation", chkInput{media: [][]byte{photo}})
	result := chkFaceResult(f, "FailedOperation.CompareLowSimilarity")
	card := SampleIDCard()
	out := chkFaceAnswer(result, 0, false)
	return append(out, field{"Name", card.Name}, field{"Sex", card.Sex}, field{"Nation", card.Nation},
		field{"Birth", chkSlashDate(card.Birth)}, field{"Address", card.Address}, field{"IdNum", card.IDNo},
		field{"Portrait", base64.StdEncoding.EncodeToString(fakePhoto("portrait", 0, 256))}, field{"Warnings", ""},
		field{"Quality", 88.0}, field{"Encryption", nil}), nil
}

// chkSlashDate writes 19900101 as 1990/01/01, the form of CheckIdCardInformation's Birth.
func chkSlashDate(d string) string {
	if len(d) != 8 {
		return d
	}
	return d[:4] + "/" + d[4:6] + "/" + d[6:]
}

// chkElement answers Result and Description: forced, else the first failing rule's code, else
// pass. rules are pairs of (condition, code).
func chkElement(f chkFacts, pass string, rules ...any) object {
	result := pass
	if f.forced != "" {
		result = f.forced
	} else {
		for i := 0; i+1 < len(rules); i += 2 {
			if rules[i].(bool) {
				result = rules[i+1].(string)
				break
			}
		}
	}
	return object{{"Result", result}, {"Description", textOf(chkDescriptions, result)}}
}

// Formats the fake checks when a field is sent in plain text. The ID numbers of the tests are
// invented (letters allowed), so the ID check is about the characters, not the check digit.
func chkBadID(enc *chkEncryption, id string) bool {
	return !enc.encrypted("IdCard") && (len(id) > 32 || strings.Trim(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "")
}

func chkBadName(enc *chkEncryption, name string) bool {
	return !enc.encrypted("Name") && utf8.RuneCountInString(name) > 32
}

func chkBadCard(enc *chkEncryption, card string) bool {
	return !enc.encrypted("BankCard") && !chkDigits(card, 12, 19)
}

func chkBadPhone(enc *chkEncryption, field, phone string) bool {
	return !enc.encrypted(field) && (!chkDigits(phone, 11, 11) || phone[0] != '1')
}

func chkDigits(s string, minLen, maxLen int) bool {
	return len(s) >= minLen && len(s) <= maxLen && strings.Trim(s, "0123456789") == ""
}

func (s *Server) idCardVerification(p *chkIdName) (object, *cloudError) {
	if e := chkFirst(chkRequired("IdCard", p.IdCard, "Name", p.Name), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("IdCardVerification", chkInput{name: p.Name, idCard: p.IdCard})
	return chkElement(f, "0", chkBadID(p.Encryption, p.IdCard), "-2", chkBadName(p.Encryption, p.Name), "-3", f.identity, "-1"), nil
}

func (s *Server) idCardOCRVerification(p *chkIdCardOCR) (object, *cloudError) {
	byText := p.Name != "" && p.IdCard != ""
	if !byText {
		if e := chkOneOf("ImageBase64", p.ImageBase64, "ImageUrl", p.ImageUrl); e != nil {
			return nil, errCode("InvalidParameter", "须传入 Name 和 IdCard，或 ImageBase64，或 ImageUrl")
		}
	}
	if e := chkFirst(chkOCRConfig(p.Config), p.Encryption.check()); e != nil {
		return nil, e
	}
	if _, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckPhoto, chkImageDecodeFailed); e != nil {
		return nil, e
	}
	name, id := p.Name, p.IdCard
	var sex, nation, birth, address, portrait any
	if !byText {
		card := SampleIDCard()
		name, id, sex, nation, birth, address = card.Name, card.IDNo, card.Sex, card.Nation, card.Birth, card.Address
		portrait = base64.StdEncoding.EncodeToString(fakePhoto("portrait", 0, 256))
	}
	f := s.facts("IdCardOCRVerification", chkInput{name: name, idCard: id})
	out := chkElement(f, "0", byText && chkBadID(p.Encryption, id), "-2", byText && chkBadName(p.Encryption, name), "-3", f.identity, "-1")
	out = append(out, field{"Name", name}, field{"IdCard", id}, field{"Sex", sex}, field{"Nation", nation},
		field{"Birth", birth}, field{"Address", address})
	if portrait != nil {
		out = append(out, field{"Portrait", portrait}, field{"Warnings", ""}, field{"Quality", 90.0})
	}
	return out, nil
}

func (s *Server) checkIdNameDate(p *chkIdNameDate) (object, *cloudError) {
	if e := chkFirst(chkRequired("Name", p.Name, "IdCard", p.IdCard, "ValidityBegin", p.ValidityBegin, "ValidityEnd", p.ValidityEnd),
		p.Encryption.check()); e != nil {
		return nil, e
	}
	badDates := !chkDigits(p.ValidityBegin, 8, 8) || !chkDigits(p.ValidityEnd, 8, 8) ||
		(p.ValidityEnd != "00000000" && p.ValidityEnd <= p.ValidityBegin)
	f := s.facts("CheckIdNameDate", chkInput{name: p.Name, idCard: p.IdCard})
	return chkElement(f, "0", chkBadID(p.Encryption, p.IdCard), "-2", chkBadName(p.Encryption, p.Name), "-3",
		badDates, "-4", f.identity, "-1"), nil
}

func (s *Server) checkBankCardInformation(p *chkBankCardInfo) (object, *cloudError) {
	if e := chkFirst(chkRequired("BankCard", p.BankCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("CheckBankCardInformation", chkInput{card: p.BankCard})
	out := chkElement(f, "0", chkBadCard(p.Encryption, p.BankCard), "-5")
	bank, kind := "", int64(0)
	if out[0].val == "0" {
		bank, kind = "测试银行", 1
	}
	return append(out, field{"AccountBank", bank}, field{"AccountType", kind}), nil
}

func (s *Server) bankCard2E(p *chkBankCard2E) (object, *cloudError) {
	if e := chkFirst(chkRequired("Name", p.Name, "BankCard", p.BankCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("BankCard2EVerification", chkInput{name: p.Name, card: p.BankCard})
	return chkElement(f, "0", chkBadName(p.Encryption, p.Name), "-2", chkBadCard(p.Encryption, p.BankCard), "-3", f.card, "-1"), nil
}

// chkCertTypeOK: only 0, the PRC ID card, is supported.
func chkCertTypeOK(t *int64) bool { return t == nil || *t == 0 }

func (s *Server) bankCard3E(p *chkBankCard3E) (object, *cloudError) {
	if e := chkFirst(chkRequired("IdCard", p.IdCard, "Name", p.Name, "BankCard", p.BankCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("BankCardVerification", chkInput{name: p.Name, idCard: p.IdCard, card: p.BankCard})
	return chkElement(f, "0", !chkCertTypeOK(p.CertType), "-19", chkBadName(p.Encryption, p.Name), "-2",
		chkBadID(p.Encryption, p.IdCard), "-3", chkBadCard(p.Encryption, p.BankCard), "-4", f.card || f.identity, "-1"), nil
}

func (s *Server) bankCard4E(p *chkBankCard4E) (object, *cloudError) {
	if e := chkFirst(chkRequired("Name", p.Name, "BankCard", p.BankCard, "Phone", p.Phone, "IdCard", p.IdCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("BankCard4EVerification", chkInput{name: p.Name, idCard: p.IdCard, card: p.BankCard, phone: p.Phone})
	return chkElement(f, "0", !chkCertTypeOK(p.CertType), "-20", chkBadName(p.Encryption, p.Name), "-2",
		chkBadID(p.Encryption, p.IdCard), "-3", chkBadCard(p.Encryption, p.BankCard), "-4", chkBadPhone(p.Encryption, "Phone", p.Phone), "-5",
		f.card || f.identity || f.phone, "-1"), nil
}

func (s *Server) mobileNetworkTime(p *chkMobile) (object, *cloudError) {
	if e := chkFirst(chkRequired("Mobile", p.Mobile), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("MobileNetworkTimeVerification", chkInput{phone: p.Mobile})
	out := chkElement(f, "0", chkBadPhone(p.Encryption, "Mobile", p.Mobile), "-1", !f.status.inService(), "-2")
	rng := ""
	if out[0].val == "0" {
		rng = "[24,+)"
	}
	return append(out, field{"Range", rng}), nil
}

func (s *Server) mobileStatus(p *chkMobile) (object, *cloudError) {
	if e := chkFirst(chkRequired("Mobile", p.Mobile), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("MobileStatus", chkInput{phone: p.Mobile})
	out := chkElement(f, "0", chkBadPhone(p.Encryption, "Mobile", p.Mobile), "-2")
	status := PhoneStatus(99)
	if out[0].val == "0" {
		status = f.status
	}
	return append(out, field{"StatusCode", int64(status)}), nil
}

// chkISP names the carrier of a mobile number by its prefix, as the carrier checks answer it; ""
// for a prefix this fake does not place (an encrypted number included).
func chkISP(phone string) string {
	if len(phone) < 3 {
		return ""
	}
	switch phone[:3] {
	case "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
		"178", "182", "183", "184", "187", "188", "195", "197", "198":
		return "移动"
	case "130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186", "196":
		return "联通"
	case "133", "149", "153", "173", "177", "180", "181", "189", "190", "191", "193", "199":
		return "电信"
	}
	return ""
}

// chkCarrierResult is the Result of a three-element carrier check, and the mismatch detail.
func chkCarrierResult(enc *chkEncryption, f chkFacts, name, id, phone, carrier string) (object, string) {
	wrongCarrier := carrier != "" && !enc.encrypted("Phone") && chkISP(phone) != carrier
	out := chkElement(f, "0", chkBadPhone(enc, "Phone", phone), "-6", chkBadID(enc, id), "-7", chkBadName(enc, name), "-8",
		wrongCarrier, "-13", !f.status.inService(), "-9", f.phone || f.identity, "-4")
	detail := ""
	if out[0].val == "-4" {
		detail = "NameIdCardMismatch"
		if f.phone {
			detail = "PhoneNameIdCardMismatch"
		}
	}
	return out, detail
}

func (s *Server) phoneVerification(p *chkPhoneVerification) (object, *cloudError) {
	if e := chkRequired("IdCard", p.IdCard, "Name", p.Name, "Phone", p.Phone); e != nil {
		return nil, e
	}
	switch p.VerifyMode {
	case "", "0", "1":
	default:
		return nil, errCode("InvalidParameterValue", "VerifyMode 取值错误")
	}
	var enc *chkEncryption
	if p.CiphertextBlob != "" || len(p.EncryptList) > 0 || p.Iv != "" {
		enc = &chkEncryption{EncryptList: p.EncryptList, CiphertextBlob: p.CiphertextBlob, Iv: p.Iv}
		if e := enc.check(); e != nil {
			return nil, e
		}
	}
	f := s.facts("PhoneVerification", chkInput{name: p.Name, idCard: p.IdCard, phone: p.Phone})
	out, detail := chkCarrierResult(enc, f, p.Name, p.IdCard, p.Phone, "")
	out = append(out, field{"Isp", chkISP(p.Phone)})
	if detail != "" && p.VerifyMode == "1" {
		out = append(out, field{"ResultDetail", detail})
	}
	return out, nil
}

// chkCarrier answers PhoneVerificationCMCC / CTCC / CUCC: a number of another carrier is
// outside the range ("-13").
func chkCarrier(s *Server, action, carrier string) func(p *chkPhoneCarrier) (object, *cloudError) {
	return func(p *chkPhoneCarrier) (object, *cloudError) {
		if e := chkFirst(chkRequired("IdCard", p.IdCard, "Name", p.Name, "Phone", p.Phone), p.Encryption.check()); e != nil {
			return nil, e
		}
		f := s.facts(action, chkInput{name: p.Name, idCard: p.IdCard, phone: p.Phone})
		out, _ := chkCarrierResult(p.Encryption, f, p.Name, p.IdCard, p.Phone, carrier)
		return object{out[0], {"Isp", chkISP(p.Phone)}, out[1]}, nil
	}
}

func (s *Server) checkPhoneAndName(p *chkPhoneName) (object, *cloudError) {
	if e := chkFirst(chkRequired("Mobile", p.Mobile, "Name", p.Name), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("CheckPhoneAndName", chkInput{name: p.Name, phone: p.Mobile})
	return chkElement(f, "0", chkBadName(p.Encryption, p.Name), "-4", chkBadPhone(p.Encryption, "Mobile", p.Mobile), "-5",
		!f.status.inService(), "-1", f.phone, "1"), nil
}

func chkFirst(errs ...*cloudError) *cloudError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// chkDescriptions are the texts the fake sends with the Result codes it produces; a forced code
// it does not know gets a generic text.
var chkDescriptions = map[string]string{
	"0":                                    "认证通过",
	"1":                                    "不一致",
	"-1":                                   "认证未通过",
	"-2":                                   "格式错误或不存在",
	"-3":                                   "格式错误",
	"-4":                                   "不一致或格式错误",
	"-5":                                   "格式错误",
	"-6":                                   "手机号码不合法",
	"-7":                                   "身份证号码有误",
	"-8":                                   "姓名校验不通过",
	"-9":                                   "没有记录",
	"-13":                                  "不支持的号段",
	"-19":                                  "不支持的证件类型",
	"-20":                                  "不支持的证件类型",
	"Success":                              "成功",
	"FailedOperation.IdNameMisMatch":       "姓名和身份证号不一致，请核实后重试。",
	"FailedOperation.CompareLowSimilarity": "比对相似度未达到通过标准。",
	"FailedOperation.LifePhotoDetectFake":  "真人比对没通过。",
}
