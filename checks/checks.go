// Package checks has typed calls for the element and face checks of Tencent Cloud's faceid
// service (API 3.0, version 2018-03-01): the 20 actions the billing chapter of the face
// verification manual names, each billed per call. They run on a kyc.Client made with
// kyc.NewCloud (or kyc.New with kyc.WithCloudCredentials) and share its request path:
// TC3 signing, timeouts, the retry rules of kyc.Client.CallCloud (a billed check is resent only
// when it provably never reached the service), redacted errors.
//
//	c, _ := kyc.NewCloud(secretID, secretKey)
//	ch := checks.New(c)
//	res, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: name, IDCard: id})
//	if err == nil && res.Passed() { ... } // res.Billed() says whether the call was charged
//
// The services group the actions as a partner looks for them, by what is being checked:
//
//	IDCard    an identity: IdCardVerification (Verify), IdCardOCRVerification (VerifyOCR),
//	          CheckIdNameDate (VerifyValidity), CheckIdCardInformation (CheckCard)
//	BankCard  a bank card: CheckBankCardInformation (Information), BankCard2EVerification
//	          (Verify2E), BankCardVerification (Verify3E), BankCard4EVerification (Verify4E)
//	Phone     a mobile number: MobileNetworkTimeVerification (NetworkTime), MobileStatus (Status),
//	          PhoneVerification (Verify), PhoneVerificationCMCC / CTCC / CUCC (VerifyCMCC,
//	          VerifyCTCC, VerifyCUCC), CheckPhoneAndName (VerifyName)
//	Face      a face: DetectAIFakeFaces (DetectFake), LivenessRecognition (LivenessWithID),
//	          LivenessCompare (LivenessWithPhoto), ImageRecognition (PhotoWithID),
//	          ImageRecognitionV2 (PhotoWithIDV2)
//
// Requests and results carry every field of the service's models, with the wire names in their
// json tags; photos and videos are Media ([]byte or an io.Reader), base64-encoded here and
// checked against the documented size limits before anything is sent. Required fields, enums and
// sizes are checked locally: a bad request is a *kyc.InputError and nothing is sent. A service
// error is a *kyc.APIError with its Code and RequestID.
//
// Most results carry the service's Result code: Passed says whether it is the action's success
// code, and Billed whether the call was charged, from the charged / not-charged lists of each
// action's documentation (a code those lists do not name counts as charged, so that a
// reconciliation never undercounts). Requests and results that hold a name, an ID number, a phone
// or bank card number, a photo or a video print redacted under %v, %#v and in log/slog.
//
// The fake server github.com/kycgo/kyc/kyctest answers all 20 actions; its MismatchIdentity,
// MismatchBankCard, MismatchPhone, SetPhoneStatus, FakeFace and ForceCheckResult choose the
// outcome per input.
//
// API reference: https://cloud.tencent.com/document/product/1007/31324 (the faceid actions).
package checks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"

	"github.com/kycgo/kyc"
)

// Client holds the four services. Make one with New; it is safe for concurrent use.
type Client struct {
	// IDCard checks an identity: name and ID number, their validity dates, an ID card photo.
	IDCard *IDCardService
	// BankCard checks a bank card: its bank, and 2, 3 or 4 elements.
	BankCard *BankCardService
	// Phone checks a mobile number: its status and tenure, and its owner's name and ID number.
	Phone *PhoneService
	// Face checks a face: liveness, comparison with an authoritative or a given photo, attacks.
	Face *FaceService
}

// service is what every service holds: the client that sends its calls.
type service struct{ c *kyc.Client }

// IDCardService checks identities (name + ID number, validity dates, an ID card photo).
type IDCardService service

// BankCardService checks bank cards.
type BankCardService service

// PhoneService checks mobile numbers with the carriers.
type PhoneService service

// FaceService runs liveness, face comparison and the AI face shield.
type FaceService service

// New returns the checks of c, which must have API 3.0 credentials (kyc.NewCloud, or kyc.New with
// kyc.WithCloudCredentials): without them every call fails with a *kyc.InputError before sending.
func New(c *kyc.Client) *Client {
	s := &service{c: c}
	return &Client{IDCard: (*IDCardService)(s), BankCard: (*BankCardService)(s), Phone: (*PhoneService)(s),
		Face: (*FaceService)(s)}
}

// request is a request type: prepare checks it, and reads its media, before anything is sent.
type request[T any] interface {
	*T
	prepare() error
}

// call is every action: check and prepare the request, send it with CallCloud (the retry rule
// for billed actions), decode the Response into a Resp, and tell its Verdict which action it
// answers.
func call[Resp, Req any, P request[Req]](ctx context.Context, s *service, action string, req Req) (*Resp, error) {
	if err := P(&req).prepare(); err != nil {
		return nil, err
	}
	out := new(Resp)
	if err := s.c.CallCloud(ctx, action, &req, out); err != nil {
		return nil, err
	}
	if v, ok := any(out).(interface{ setAction(string) }); ok {
		v.setAction(action)
	}
	return out, nil
}

// Media is a photo or a video to send: its bytes, or a reader read to the end once when the call
// is made (Data wins when both are set). The SDK base64-encodes it and checks its size against the
// action's documented limit first. It prints as its size only.
type Media struct {
	Data   []byte
	Reader io.Reader
}

// Bytes is Media holding b.
func Bytes(b []byte) Media { return Media{Data: b} }

// FromReader is Media read from r when the call is made.
func FromReader(r io.Reader) Media { return Media{Reader: r} }

// IsZero reports that no medium was given (the field is then not sent).
func (m Media) IsZero() bool { return m.Data == nil && m.Reader == nil }

// MarshalJSON writes the base64 text (standard alphabet, with padding).
func (m Media) MarshalJSON() ([]byte, error) {
	if m.Data == nil && m.Reader != nil {
		return nil, errors.New("checks: Media reader not read")
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(m.Data))+2)
	out[0], out[len(out)-1] = '"', '"'
	base64.StdEncoding.Encode(out[1:len(out)-1], m.Data)
	return out, nil
}

// UnmarshalJSON reads base64 text (standard alphabet, with padding), so that a request can be
// read from JSON (a saved request, a fixture).
func (m *Media) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return errors.New("checks: Media is not standard base64")
	}
	*m = Media{Data: d}
	return nil
}

// String shows the size only.
func (m Media) String() string {
	if m.Data == nil && m.Reader != nil {
		return "Media{reader}"
	}
	return "Media{" + strconv.Itoa(len(m.Data)) + " bytes}"
}

// GoString keeps %#v to the size too.
func (m Media) GoString() string { return m.String() }

// load reads a reader into Data and checks the size: at most limit bytes once base64-encoded.
func (m *Media) load(field string, limit int) error {
	if m.IsZero() {
		return nil
	}
	maxRaw := limit / 4 * 3
	if m.Data == nil {
		b, err := io.ReadAll(io.LimitReader(m.Reader, int64(maxRaw)+1))
		if err != nil {
			return fmt.Errorf("checks: reading %s: %w", field, err)
		}
		m.Data = b
	}
	switch {
	case len(m.Data) == 0:
		return invalid(field, "is empty")
	case len(m.Data) > maxRaw:
		return invalid(field, "must be at most "+sizeText(limit)+" once base64-encoded")
	}
	return nil
}

func sizeText(n int) string { return strconv.Itoa(n>>20) + " MB" }

// Documented size limits, in bytes of base64 text (Tencent's faceid 2018-03-01 models).
const (
	maxPhoto     = 3 << 20  // the photos of the comparisons and of IdCardOCRVerification
	maxVideo     = 8 << 20  // the liveness videos
	maxCardPhoto = 7 << 20  // CheckIdCardInformation's ImageBase64
	maxFaceInput = 10 << 20 // DetectAIFakeFaces' FaceInput ("ideally 3 MB / 8 MB, never over 10 MB")
)

func invalid(field, reason string) error { return &kyc.InputError{Field: field, Reason: reason} }

// firstErr returns the first non-nil error: a request's checks, in the order they are listed.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// required checks that a parameter the service requires is present.
func required(field, v string) error {
	if v == "" {
		return invalid(field, "is required")
	}
	return nil
}

// requiredMedia checks that a photo or video the service requires is present.
func requiredMedia(field string, m Media) error {
	if m.IsZero() {
		return invalid(field, "is required")
	}
	return nil
}

// oneOf checks a medium given as data or as a URL: at least one, and the URL absolute http(s).
func oneOf(field string, m Media, urlField, url string) error {
	if m.IsZero() && url == "" {
		return invalid(field, "or "+urlField+" is required")
	}
	if url != "" && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return invalid(urlField, "must be an absolute http or https URL")
	}
	return nil
}

// enum checks a value against the documented ones.
func enum[T comparable](field string, v T, allowed ...T) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalid(field, fmt.Sprintf("must be one of %v", allowed))
}

// Redaction. Every request and result type prints through describe and logs through logValue:
// the fields named in safeFields show their values, every other field only whether it is set (a
// Media its size), so a name, an ID number, a phone or card number, an address, a photo or a
// video never reaches a log line or an error message. A new field is redacted unless named here.
var safeFields = map[string]bool{
	"Result": true, "Description": true, "RequestId": true, "Sim": true, "LivenessType": true,
	"CertType": true, "VerifyMode": true, "FaceInputType": true, "AttackRiskLevel": true, "Type": true,
	"AccountType": true, "StatusCode": true, "Range": true, "Isp": true, "ResultDetail": true,
	"Warnings": true, "Quality": true, "IsEncrypt": true, "IsEncryptResponse": true, "HitGroup": true,
	"SimilarityScore": true, "Algorithm": true, "AccountBank": true,
}

// fieldsOf lists v's fields (embedded structs flattened) by wire name, printable.
func fieldsOf(v reflect.Value, each func(name, text string)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && fv.Kind() == reflect.Struct {
			fieldsOf(fv, each)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			name = f.Name
		}
		switch {
		case fv.Type() == reflect.TypeFor[Media]():
			if !fv.IsZero() {
				each(name, fv.Interface().(Media).String())
			}
		case fv.IsZero():
		case safeFields[name] && (fv.Kind() != reflect.Slice && fv.Kind() != reflect.Pointer):
			each(name, fmt.Sprint(fv.Interface()))
		case fv.Kind() == reflect.Slice:
			each(name, "["+strconv.Itoa(fv.Len())+" items]")
		default:
			each(name, "REDACTED")
		}
	}
}

// describe prints v (a request or result struct) redacted: Type{Field: value, ...}.
func describe(v any) string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	var b strings.Builder
	b.WriteString(rv.Type().Name())
	b.WriteByte('{')
	n := 0
	fieldsOf(rv, func(name, text string) {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.WriteString(name + ": " + text)
	})
	b.WriteByte('}')
	return b.String()
}

// logValue is describe for log/slog: a group of the same redacted fields.
func logValue(v any) slog.Value {
	var attrs []slog.Attr
	fieldsOf(reflect.Indirect(reflect.ValueOf(v)), func(name, text string) {
		attrs = append(attrs, slog.String(name, text))
	})
	return slog.GroupValue(attrs...)
}
