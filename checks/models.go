package checks

import (
	"encoding/json"
	"log/slog"
)

// The requests and results of the 20 actions, with every field of Tencent's faceid 2018-03-01
// models (json tags are the wire names). Fields the service requires are marked; the others may be
// left empty. Each type's String, GoString and LogValue redact personal data (see safeFields).
//
// One file holds the models of all four services, past the ~600 lines that usually call for a
// split: they are declarations, and split by service the same-shaped types would only face each
// other across files. The request types repeat one shape, struct then prepare (a known
// repetition, kept): each mirrors its action's model field for field, so that no action is sent a
// field its model lacks, and an exported request cannot embed shared parts without changing how
// callers write it.

// Encryption is the Encryption object: the fields named in EncryptList are sent encrypted with a
// symmetric key that CiphertextBlob carries wrapped with Tencent's public key (see Tencent Cloud,
// https://cloud.tencent.com/document/product/1007/47180). The caller encrypts; the SDK sends it as
// given.
type Encryption struct {
	EncryptList    []string `json:"EncryptList"`         // required: the encrypted fields' names
	CiphertextBlob string   `json:"CiphertextBlob"`      // required: the wrapped key, base64
	Iv             string   `json:"Iv"`                  // required: the initialisation vector
	Algorithm      string   `json:"Algorithm,omitempty"` // "AES-256-CBC" (default) or "SM4-GCM"
	TagList        []string `json:"TagList,omitempty"`   // SM4-GCM authentication tags
}

func (e *Encryption) check() error {
	if e == nil {
		return nil
	}
	return firstErr(requiredList("Encryption.EncryptList", e.EncryptList), required("Encryption.CiphertextBlob", e.CiphertextBlob),
		required("Encryption.Iv", e.Iv), enum("Encryption.Algorithm", e.Algorithm, "", "AES-256-CBC", "SM4-GCM"))
}

func requiredList(field string, v []string) error {
	if len(v) == 0 {
		return invalid(field, "is required")
	}
	return nil
}

// livenessTypes are the liveness modes: read digits, actions, silent.
var livenessTypes = []string{"LIP", "ACTION", "SILENT"}

// checkOptional checks an Optional string: a JSON object whose BestFrameNum, when given, is 2-10.
func checkOptional(optional string) error {
	if optional == "" {
		return nil
	}
	var o struct {
		BestFrameNum *int `json:"BestFrameNum"`
	}
	if json.Unmarshal([]byte(optional), &o) != nil {
		return invalid("Optional", `must be a JSON object such as {"BestFrameNum": 2}`)
	}
	if n := o.BestFrameNum; n != nil && (*n < 2 || *n > 10) {
		return invalid("Optional", "BestFrameNum must be 2 to 10")
	}
	return nil
}

// checkOCRConfig checks a Config string: a JSON object of the documented boolean warning switches.
func checkOCRConfig(config string) error {
	if config == "" {
		return nil
	}
	var c map[string]bool
	if json.Unmarshal([]byte(config), &c) != nil {
		return invalid("Config", `must be a JSON object of booleans such as {"CopyWarn":true}`)
	}
	for k := range c {
		if err := enum("Config", k, "CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn", "TempIdWarn", "Quality"); err != nil {
			return err
		}
	}
	return nil
}

// checkCertType: only 0 (PRC ID card, the default) is supported.
func checkCertType(t int64) error { return enum("CertType", t, 0) }

// ---- Face ----

// FakeFacesRequest is DetectAIFakeFaces' request: one face image or video to check for attacks.
type FakeFacesRequest struct {
	// FaceInput is the image (jpg/png, ideally about 480x640, base64 at most 3 MB recommended) or
	// video (mp4/avi/flv, 2-5 s, at most 20 s, base64 at most 8 MB recommended); at most 10 MB
	// once base64-encoded. Required unless EncryptedBody is sent.
	FaceInput Media `json:"FaceInput,omitzero"`
	// FaceInputType is 1 for an image, 2 for a video. Required with FaceInput.
	FaceInputType int64 `json:"FaceInputType,omitempty"`
	// Encryption and EncryptedBody send the whole request encrypted instead (the body before
	// encryption is {"FaceInput": ..., "FaceInputType": ...}).
	Encryption    *Encryption `json:"Encryption,omitempty"`
	EncryptedBody string      `json:"EncryptedBody,omitempty"`
}

func (r *FakeFacesRequest) prepare() error {
	if r.EncryptedBody != "" {
		return firstErr(requiredEncryption(r.Encryption), r.Encryption.check())
	}
	return firstErr(requiredMedia("FaceInput", r.FaceInput), enum("FaceInputType", r.FaceInputType, 1, 2),
		r.Encryption.check(), r.FaceInput.load("FaceInput", maxFaceInput))
}

func requiredEncryption(e *Encryption) error {
	if e == nil {
		return invalid("Encryption", "is required with EncryptedBody")
	}
	return nil
}

// FakeFacesResult is DetectAIFakeFaces' answer.
type FakeFacesResult struct {
	// AttackRiskLevel is Low, Mid (suspected) or High (strongly suspected); block High.
	AttackRiskLevel string `json:"AttackRiskLevel"`
	// AttackRiskDetailList lists the suspected attack traces (High or Mid only); advisory.
	AttackRiskDetailList []AttackRiskDetail `json:"AttackRiskDetailList"`
	// ExtraInfo has the matched attack template, when there is one.
	ExtraInfo *ExtraInfo `json:"ExtraInfo"`
	RequestID string     `json:"RequestId"`
}

// Passed reports that the input is not rated High, the level Tencent suggests blocking.
func (r FakeFacesResult) Passed() bool {
	return r.AttackRiskLevel == "Low" || r.AttackRiskLevel == "Mid"
}

// Billed is true: every answer of DetectAIFakeFaces is charged ("Success 是"); its failures are
// errors, which are not.
func (r FakeFacesResult) Billed() bool { return true }

// AttackRiskDetail is one suspected attack trace.
type AttackRiskDetail struct {
	// Type is SuspectedSpoofingAttack (recapture), SuspectedSynthesisImage,
	// SuspectedSynthesisVideo, SuspectedAnomalyAttack, SuspectedAdversarialAttack,
	// SuspectedBlackIndustry (batch templates) or SuspectedWatermark.
	Type string `json:"Type"`
}

// ExtraInfo is DetectAIFakeFaces' extra information.
type ExtraInfo struct {
	// RetrievalLivenessExtraInfo is the most similar matched attack template.
	RetrievalLivenessExtraInfo []RetrievalLivenessExtraInfo `json:"RetrievalLivenessExtraInfo"`
}

// RetrievalLivenessExtraInfo is a matched attack template.
type RetrievalLivenessExtraInfo struct {
	HitGroup        string  `json:"HitGroup"`        // Common, Auto (clustered) or Owner
	SimilarityScore float64 `json:"SimilarityScore"` // 0-2; below 0.6 (the default threshold): an attack
	HitTemplate     string  `json:"HitTemplate"`     // the template's ID
}

// LivenessRecognitionRequest is LivenessRecognition's request: a liveness video compared with
// the authoritative photo of a name and ID number.
type LivenessRecognitionRequest struct {
	IDCard       string `json:"IdCard"`       // required
	Name         string `json:"Name"`         // required
	LivenessType string `json:"LivenessType"` // required: LIP, ACTION or SILENT
	// VideoBase64 is the video (mp4/avi/flv, at most 8 MB once base64-encoded); it or VideoURL
	// is required.
	VideoBase64 Media  `json:"VideoBase64,omitzero"`
	VideoURL    string `json:"VideoUrl,omitempty"`
	// ValidateData is the digit code (LIP, from GetLiveCode) or action order (ACTION, from
	// GetActionSequence); empty for SILENT.
	ValidateData string `json:"ValidateData,omitempty"`
	// Optional is a JSON string of extra settings: {"BestFrameNum": 2} (2-10) asks for frames.
	Optional   string      `json:"Optional,omitempty"`
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *LivenessRecognitionRequest) prepare() error {
	return firstErr(required("IdCard", r.IDCard), required("Name", r.Name), enum("LivenessType", r.LivenessType, livenessTypes...),
		oneOf("VideoBase64", r.VideoBase64, "VideoUrl", r.VideoURL), checkOptional(r.Optional), r.Encryption.check(),
		r.VideoBase64.load("VideoBase64", maxVideo))
}

// LivenessCompareRequest is LivenessCompare's request: a liveness video compared with a photo.
type LivenessCompareRequest struct {
	LivenessType string `json:"LivenessType"` // required: LIP, ACTION or SILENT
	// ImageBase64 is the photo (jpg/png, at most 3 MB once base64-encoded); it or ImageURL is
	// required.
	ImageBase64  Media  `json:"ImageBase64,omitzero"`
	ImageURL     string `json:"ImageUrl,omitempty"`
	ValidateData string `json:"ValidateData,omitempty"` // as for LivenessRecognition
	Optional     string `json:"Optional,omitempty"`     // as for LivenessRecognition
	// VideoBase64 is the video (mp4/avi/flv, at most 8 MB once base64-encoded); it or VideoURL
	// is required.
	VideoBase64 Media  `json:"VideoBase64,omitzero"`
	VideoURL    string `json:"VideoUrl,omitempty"`
}

func (r *LivenessCompareRequest) prepare() error {
	return firstErr(enum("LivenessType", r.LivenessType, livenessTypes...), oneOf("ImageBase64", r.ImageBase64, "ImageUrl", r.ImageURL),
		oneOf("VideoBase64", r.VideoBase64, "VideoUrl", r.VideoURL), checkOptional(r.Optional),
		r.ImageBase64.load("ImageBase64", maxPhoto), r.VideoBase64.load("VideoBase64", maxVideo))
}

// LivenessResult is the answer of LivenessRecognition and LivenessCompare.
type LivenessResult struct {
	BestFrameBase64 string  `json:"BestFrameBase64"` // the video's best frame after a pass, jpg base64
	Sim             float64 `json:"Sim"`             // 0-100; 70 or more: the same person
	Verdict
	BestFrameList []string `json:"BestFrameList"` // more best frames, when Optional asked
	RequestID     string   `json:"RequestId"`
}

// ImageRecognitionRequest is ImageRecognition's request: a photo compared with the authoritative
// photo of a name and ID number (closed to new customers: use ImageRecognitionV2).
type ImageRecognitionRequest struct {
	IDCard      string      `json:"IdCard"`               // required
	Name        string      `json:"Name"`                 // required
	ImageBase64 Media       `json:"ImageBase64,omitzero"` // required: jpg/png, at most 3 MB once base64-encoded
	Optional    string      `json:"Optional,omitempty"`   // not used by this action
	Encryption  *Encryption `json:"Encryption,omitempty"`
}

func (r *ImageRecognitionRequest) prepare() error {
	return firstErr(required("IdCard", r.IDCard), required("Name", r.Name), requiredMedia("ImageBase64", r.ImageBase64),
		r.Encryption.check(), r.ImageBase64.load("ImageBase64", maxPhoto))
}

// ImageRecognitionResult is ImageRecognition's answer.
type ImageRecognitionResult struct {
	Sim float64 `json:"Sim"` // 0-100; 70 or more suggested for the same person
	Verdict
	RequestID string `json:"RequestId"`
}

// ImageRecognitionV2Request is ImageRecognitionV2's request.
type ImageRecognitionV2Request struct {
	IDCard      string      `json:"IdCard"`               // required
	Name        string      `json:"Name"`                 // required
	ImageBase64 Media       `json:"ImageBase64,omitzero"` // required: jpg/png, at most 3 MB once base64-encoded
	Optional    string      `json:"Optional,omitempty"`   // not used by this action
	Encryption  *Encryption `json:"Encryption,omitempty"`
	Extra       string      `json:"Extra,omitempty"` // your label, 1-10 characters, echoed
}

func (r *ImageRecognitionV2Request) prepare() error {
	base := ImageRecognitionRequest{IDCard: r.IDCard, Name: r.Name, ImageBase64: r.ImageBase64, Encryption: r.Encryption}
	err := base.prepare()
	r.ImageBase64 = base.ImageBase64
	if err == nil && len([]rune(r.Extra)) > 10 {
		err = invalid("Extra", "must be at most 10 characters")
	}
	return err
}

// ImageRecognitionV2Result is ImageRecognitionV2's answer.
type ImageRecognitionV2Result struct {
	Sim float64 `json:"Sim"` // 0-100; 70 or more: the same person
	Verdict
	Extra     string `json:"Extra"` // the request's Extra
	RequestID string `json:"RequestId"`
}

// ---- IDCard ----

// IDCardVerificationRequest is IdCardVerification's request: do this name and ID number exist
// and belong together?
type IDCardVerificationRequest struct {
	IDCard     string      `json:"IdCard"` // required
	Name       string      `json:"Name"`   // required
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *IDCardVerificationRequest) prepare() error {
	return firstErr(required("IdCard", r.IDCard), required("Name", r.Name), r.Encryption.check())
}

// CheckResult is the answer of the checks that return only a verdict: IdCardVerification,
// CheckIdNameDate, the bank card element checks and CheckPhoneAndName.
type CheckResult struct {
	Verdict
	RequestID string `json:"RequestId"`
}

// IDCardOCRRequest is IdCardOCRVerification's request: a name and ID number, or a photo of the
// card's portrait side to read them from (priority: name + ID number, ImageBase64, ImageURL).
type IDCardOCRRequest struct {
	IDCard      string      `json:"IdCard,omitempty"`
	Name        string      `json:"Name,omitempty"`
	ImageBase64 Media       `json:"ImageBase64,omitzero"` // png/jpg, at most 3 MB once base64-encoded
	ImageURL    string      `json:"ImageUrl,omitempty"`
	Encryption  *Encryption `json:"Encryption,omitempty"`
	// Config is a JSON object of warning switches (only with an image), e.g.
	// {"CopyWarn":true,"ReshootWarn":true}: CopyWarn, BorderCheckWarn, ReshootWarn, DetectPsWarn,
	// TempIdWarn, Quality.
	Config string `json:"Config,omitempty"`
}

func (r *IDCardOCRRequest) prepare() error {
	var what error
	if r.IDCard == "" || r.Name == "" {
		what = oneOf("ImageBase64", r.ImageBase64, "ImageUrl", r.ImageURL)
		if what != nil && (r.IDCard != "" || r.Name != "") {
			what = invalid("Name", "and IdCard go together (or send ImageBase64 or ImageUrl)")
		}
	}
	return firstErr(what, checkOCRConfig(r.Config), r.Encryption.check(), r.ImageBase64.load("ImageBase64", maxPhoto))
}

// IDCardOCRResult is IdCardOCRVerification's answer.
type IDCardOCRResult struct {
	Verdict
	Name      string  `json:"Name"`     // the name checked
	IDCard    string  `json:"IdCard"`   // the ID number checked
	Sex       string  `json:"Sex"`      // read by OCR
	Nation    string  `json:"Nation"`   // read by OCR
	Birth     string  `json:"Birth"`    // read by OCR
	Address   string  `json:"Address"`  // read by OCR
	Portrait  string  `json:"Portrait"` // the card's portrait, base64
	Warnings  string  `json:"Warnings"` // warning codes, "|"-separated (-9101 border incomplete, ...)
	Quality   float64 `json:"Quality"`  // image quality 0-100 (with the Quality switch)
	RequestID string  `json:"RequestId"`
}

// IDCardValidityRequest is CheckIdNameDate's request: name, ID number and the card's validity.
type IDCardValidityRequest struct {
	Name          string      `json:"Name"`          // required
	IDCard        string      `json:"IdCard"`        // required
	ValidityBegin string      `json:"ValidityBegin"` // required: YYYYMMDD
	ValidityEnd   string      `json:"ValidityEnd"`   // required: YYYYMMDD, 00000000 for a long-term card
	Encryption    *Encryption `json:"Encryption,omitempty"`
}

func (r *IDCardValidityRequest) prepare() error {
	return firstErr(required("Name", r.Name), required("IdCard", r.IDCard), yyyymmdd("ValidityBegin", r.ValidityBegin, false),
		yyyymmdd("ValidityEnd", r.ValidityEnd, true), r.Encryption.check())
}

// yyyymmdd checks a date written YYYYMMDD (00000000 allowed for "long term" when forever).
func yyyymmdd(field, v string, forever bool) error {
	if v == "" {
		return invalid(field, "is required")
	}
	if forever && v == "00000000" {
		return nil
	}
	ok := len(v) == 8
	for i := 0; ok && i < 8; i++ {
		ok = v[i] >= '0' && v[i] <= '9'
	}
	if !ok || v[4:6] < "01" || v[4:6] > "12" || v[6:] < "01" || v[6:] > "31" {
		return invalid(field, "must be a date written YYYYMMDD")
	}
	return nil
}

// IDCardInformationRequest is CheckIdCardInformation's request: a photo of the card's portrait
// side, read and compared with the authoritative photo.
type IDCardInformationRequest struct {
	// ImageBase64 is the photo (png/jpg, at most 7 MB once base64-encoded); it or ImageURL is
	// required (ImageURL wins when both are given).
	ImageBase64 Media  `json:"ImageBase64,omitzero"`
	ImageURL    string `json:"ImageUrl,omitempty"`
	// Config is a JSON object of warning switches, as for IDCardOCRRequest.
	Config string `json:"Config,omitempty"`
	// IsEncrypt encrypts Name and IdNum in the answer, IsEncryptResponse the whole answer; both
	// need Encryption.
	IsEncrypt         bool        `json:"IsEncrypt,omitempty"`
	IsEncryptResponse bool        `json:"IsEncryptResponse,omitempty"`
	Encryption        *Encryption `json:"Encryption,omitempty"`
}

func (r *IDCardInformationRequest) prepare() error {
	var enc error
	if (r.IsEncrypt || r.IsEncryptResponse) && r.Encryption == nil {
		enc = invalid("Encryption", "is required with IsEncrypt or IsEncryptResponse")
	}
	return firstErr(oneOf("ImageBase64", r.ImageBase64, "ImageUrl", r.ImageURL), checkOCRConfig(r.Config), enc,
		r.Encryption.check(), r.ImageBase64.load("ImageBase64", maxCardPhoto))
}

// IDCardInformationResult is CheckIdCardInformation's answer.
type IDCardInformationResult struct {
	Sim float64 `json:"Sim"` // card photo against the authoritative photo, 0-100; 70 or more: same person
	Verdict
	Name     string  `json:"Name"`
	Sex      string  `json:"Sex"`
	Nation   string  `json:"Nation"`
	Birth    string  `json:"Birth"` // e.g. 1990/01/01
	Address  string  `json:"Address"`
	IDNum    string  `json:"IdNum"`
	Portrait string  `json:"Portrait"` // the card's portrait, base64 ("" when cutting failed)
	Warnings string  `json:"Warnings"` // warning codes, "|"-separated
	Quality  float64 `json:"Quality"`  // 0-100, with the Quality switch
	// Encryption and EncryptedBody describe the encrypted fields or body (IsEncrypt,
	// IsEncryptResponse).
	Encryption    *Encryption `json:"Encryption"`
	EncryptedBody string      `json:"EncryptedBody"`
	RequestID     string      `json:"RequestId"`
}

// ---- BankCard ----

// BankCardInformationRequest is CheckBankCardInformation's request.
type BankCardInformationRequest struct {
	BankCard   string      `json:"BankCard"` // required
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *BankCardInformationRequest) prepare() error {
	return firstErr(required("BankCard", r.BankCard), r.Encryption.check())
}

// BankCardInformationResult is CheckBankCardInformation's answer.
type BankCardInformationResult struct {
	Verdict
	AccountBank string `json:"AccountBank"` // the issuing bank
	AccountType int64  `json:"AccountType"` // 1 debit, 2 credit, 3 prepaid, 4 quasi-credit
	RequestID   string `json:"RequestId"`
}

// BankCard2ERequest is BankCard2EVerification's request: name and card number.
type BankCard2ERequest struct {
	Name       string      `json:"Name"`     // required
	BankCard   string      `json:"BankCard"` // required
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *BankCard2ERequest) prepare() error {
	return firstErr(required("Name", r.Name), required("BankCard", r.BankCard), r.Encryption.check())
}

// BankCard3ERequest is BankCardVerification's request: name, card number and the number of the
// document the account was opened with.
type BankCard3ERequest struct {
	IDCard     string      `json:"IdCard"`   // required
	Name       string      `json:"Name"`     // required
	BankCard   string      `json:"BankCard"` // required
	CertType   int64       `json:"CertType"` // only 0, the PRC ID card (the default); always sent
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *BankCard3ERequest) prepare() error {
	return firstErr(required("IdCard", r.IDCard), required("Name", r.Name), required("BankCard", r.BankCard),
		checkCertType(r.CertType), r.Encryption.check())
}

// BankCard4ERequest is BankCard4EVerification's request: name, card number, document number and
// the phone registered with the account.
type BankCard4ERequest struct {
	Name       string      `json:"Name"`     // required
	BankCard   string      `json:"BankCard"` // required
	Phone      string      `json:"Phone"`    // required
	IDCard     string      `json:"IdCard"`   // required
	CertType   int64       `json:"CertType"` // only 0, the PRC ID card (the default); always sent
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *BankCard4ERequest) prepare() error {
	return firstErr(required("Name", r.Name), required("BankCard", r.BankCard), required("Phone", r.Phone),
		required("IdCard", r.IDCard), checkCertType(r.CertType), r.Encryption.check())
}

// ---- Phone ----

// MobileRequest is the request of MobileNetworkTimeVerification and MobileStatus.
type MobileRequest struct {
	Mobile     string      `json:"Mobile"` // required
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *MobileRequest) prepare() error {
	return firstErr(required("Mobile", r.Mobile), r.Encryption.check())
}

// NetworkTimeResult is MobileNetworkTimeVerification's answer.
type NetworkTimeResult struct {
	Verdict
	// Range is the time on the network in months, [a,b): e.g. "[23,+)" for more than 23.
	Range     string `json:"Range"`
	RequestID string `json:"RequestId"`
}

// MobileStatusResult is MobileStatus's answer.
type MobileStatusResult struct {
	Verdict
	// StatusCode is 0 normal, 1 suspended, 2 cancelled, 4 not on the network, 5 on the network but
	// unusable, 99 unknown.
	StatusCode int64  `json:"StatusCode"`
	RequestID  string `json:"RequestId"`
}

// PhoneVerificationRequest is PhoneVerification's request: phone, name and ID number, for any
// carrier. Its encryption is three top-level fields (AES-256-CBC), not an Encryption object.
type PhoneVerificationRequest struct {
	IDCard     string `json:"IdCard"`               // required
	Name       string `json:"Name"`                 // required
	Phone      string `json:"Phone"`                // required
	VerifyMode string `json:"VerifyMode,omitempty"` // "0" simple (default) or "1" detailed
	// CiphertextBlob, EncryptList and Iv send fields encrypted; all three or none.
	CiphertextBlob string   `json:"CiphertextBlob,omitempty"`
	EncryptList    []string `json:"EncryptList,omitempty"`
	Iv             string   `json:"Iv,omitempty"`
}

func (r *PhoneVerificationRequest) prepare() error {
	var enc error
	if r.CiphertextBlob != "" || len(r.EncryptList) > 0 || r.Iv != "" {
		enc = (&Encryption{EncryptList: r.EncryptList, CiphertextBlob: r.CiphertextBlob, Iv: r.Iv}).check()
	}
	return firstErr(required("IdCard", r.IDCard), required("Name", r.Name), required("Phone", r.Phone),
		enum("VerifyMode", r.VerifyMode, "", "0", "1"), enc)
}

// PhoneVerificationResult is PhoneVerification's answer.
type PhoneVerificationResult struct {
	Verdict
	Isp string `json:"Isp"` // the carrier: 移动, 电信, 联通 or ""
	// ResultDetail (detailed mode, Result "-4"): PhoneIdCardMismatch, PhoneNameMismatch,
	// PhoneNameIdCardMismatch, NameIdCardMismatch or OtherMismatch.
	ResultDetail string `json:"ResultDetail"`
	RequestID    string `json:"RequestId"`
}

// CarrierVerificationRequest is the request of PhoneVerificationCMCC, CTCC and CUCC: a number of
// that carrier, its owner's name and ID number.
type CarrierVerificationRequest struct {
	IDCard     string      `json:"IdCard"` // required
	Name       string      `json:"Name"`   // required
	Phone      string      `json:"Phone"`  // required
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *CarrierVerificationRequest) prepare() error {
	return firstErr(required("IdCard", r.IDCard), required("Name", r.Name), required("Phone", r.Phone), r.Encryption.check())
}

// CarrierResult is the answer of PhoneVerificationCMCC, CTCC and CUCC.
type CarrierResult struct {
	Verdict
	Isp       string `json:"Isp"` // the carrier: 移动, 联通, 电信 or ""
	RequestID string `json:"RequestId"`
}

// PhoneNameRequest is CheckPhoneAndName's request: a mobile number and its owner's name.
type PhoneNameRequest struct {
	Mobile     string      `json:"Mobile"` // required
	Name       string      `json:"Name"`   // required
	Encryption *Encryption `json:"Encryption,omitempty"`
}

func (r *PhoneNameRequest) prepare() error {
	return firstErr(required("Mobile", r.Mobile), required("Name", r.Name), r.Encryption.check())
}

// Redacting printers of every request and result (describe, logValue).

// String prints the request redacted.
func (r FakeFacesRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r FakeFacesRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r FakeFacesRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r LivenessRecognitionRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r LivenessRecognitionRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r LivenessRecognitionRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r LivenessCompareRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r LivenessCompareRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r LivenessCompareRequest) LogValue() slog.Value { return logValue(r) }

// String prints the result redacted.
func (r LivenessResult) String() string { return describe(r) }

// GoString prints the result redacted.
func (r LivenessResult) GoString() string { return describe(r) }

// LogValue logs the result redacted.
func (r LivenessResult) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r ImageRecognitionRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r ImageRecognitionRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r ImageRecognitionRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r ImageRecognitionV2Request) String() string { return describe(r) }

// GoString prints the request redacted.
func (r ImageRecognitionV2Request) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r ImageRecognitionV2Request) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r IDCardVerificationRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r IDCardVerificationRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r IDCardVerificationRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r IDCardOCRRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r IDCardOCRRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r IDCardOCRRequest) LogValue() slog.Value { return logValue(r) }

// String prints the result redacted.
func (r IDCardOCRResult) String() string { return describe(r) }

// GoString prints the result redacted.
func (r IDCardOCRResult) GoString() string { return describe(r) }

// LogValue logs the result redacted.
func (r IDCardOCRResult) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r IDCardValidityRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r IDCardValidityRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r IDCardValidityRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r IDCardInformationRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r IDCardInformationRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r IDCardInformationRequest) LogValue() slog.Value { return logValue(r) }

// String prints the result redacted.
func (r IDCardInformationResult) String() string { return describe(r) }

// GoString prints the result redacted.
func (r IDCardInformationResult) GoString() string { return describe(r) }

// LogValue logs the result redacted.
func (r IDCardInformationResult) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r BankCardInformationRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r BankCardInformationRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r BankCardInformationRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r BankCard2ERequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r BankCard2ERequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r BankCard2ERequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r BankCard3ERequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r BankCard3ERequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r BankCard3ERequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r BankCard4ERequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r BankCard4ERequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r BankCard4ERequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r MobileRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r MobileRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r MobileRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r PhoneVerificationRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r PhoneVerificationRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r PhoneVerificationRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r CarrierVerificationRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r CarrierVerificationRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r CarrierVerificationRequest) LogValue() slog.Value { return logValue(r) }

// String prints the request redacted.
func (r PhoneNameRequest) String() string { return describe(r) }

// GoString prints the request redacted.
func (r PhoneNameRequest) GoString() string { return describe(r) }

// LogValue logs the request redacted.
func (r PhoneNameRequest) LogValue() slog.Value { return logValue(r) }
