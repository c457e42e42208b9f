package kyctest

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
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
