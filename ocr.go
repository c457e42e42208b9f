package kyc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/kycgo/kyc/internal/wire"
)

// OCRService is ID-card and bank-card OCR (docs/C-ocr-will-nfc-eid.md §2-3): NONCE-signed start values for the app's
// OCR SDK, then the SIGN-signed result queries. There is no server upload: the orderNo goes
// straight to the SDK, and it is the only handle to the images later, so keep it. Reach it as
// Client.OCR.
type OCRService struct {
	c   *Client
	app *appTickets
}

func newOCRService(c *Client) *OCRService {
	app := c.primary
	if c.ocrAppID != "" && c.ocrAppID != c.appID {
		app = c.tickets.app(c.ocrAppID, c.ocrSecret)
	}
	return &OCRService{c: c, app: app}
}

// AppID returns the appId OCR signs and queries with.
func (s *OCRService) AppID() string { return s.app.appID }

// OCRStartRequest is one OCR SDK start: OCR has no upload, so the orderNo and userId are the
// partner's own.
type OCRStartRequest struct {
	OrderNo string // unique per read: 1-32 letters and digits; the result query uses it
	UserID  string // at most 30 letters and digits (the SDK's limit)
}

// IDCardSDKParams returns the start values for the ID-card OCR SDK (front, back or continuous
// mode is chosen in the app), signed with a new NONCE ticket for req.UserID (docs/C-ocr-will-nfc-eid.md §2.2-2.3).
func (s *OCRService) IDCardSDKParams(ctx context.Context, req OCRStartRequest, opts ...CallOption) (*SDKStart, error) {
	if err := checkSDKUserID(req.UserID); err != nil {
		return nil, err
	}
	return s.c.sdkStart(ctx, s.app, endpointOCRSDKStart, "idcard-ocr", req.OrderNo, req.UserID, "", opts)
}

// BankCardSDKParams returns the start values for the bank-card OCR SDK, signed with a new NONCE
// ticket for req.UserID (docs/C-ocr-will-nfc-eid.md §3.1).
func (s *OCRService) BankCardSDKParams(ctx context.Context, req OCRStartRequest, opts ...CallOption) (*SDKStart, error) {
	if err := checkSDKUserID(req.UserID); err != nil {
		return nil, err
	}
	return s.c.sdkStart(ctx, s.app, endpointOCRSDKStart, "bankcard-ocr", req.OrderNo, req.UserID, "", opts)
}

// WarnBits is an ID-card OCR warning code: a string of '0' and '1', 8 characters in the manual,
// one position per warning, '1' raised, "00000000" none (docs/C-ocr-will-nfc-eid.md §2.6). The manual's table of
// positions is an image missing from its text, so positions are not named here; read them with
// Bit. (Its one example, 10010100 = border incomplete, re-capture, occlusion in the frame,
// suggests positions 1, 4 and 6, but that is an inference.) Warnings do not fail recognition.
type WarnBits string

// Valid reports whether w is a non-empty string of '0' and '1'.
func (w WarnBits) Valid() bool {
	if w == "" || len(w) > 64 {
		return false
	}
	return strings.Trim(string(w), "01") == ""
}

// Bit reports whether the warning at position pos (1 for the leftmost character) is raised. It
// is false for a position outside w and for a w that is not Valid.
func (w WarnBits) Bit(pos int) bool {
	return w.Valid() && pos >= 1 && pos <= len(w) && w[pos-1] == '1'
}

// Raised returns the positions (1-based, from the left) of the raised warnings.
func (w WarnBits) Raised() []int {
	if !w.Valid() {
		return nil
	}
	var out []int
	for i := 0; i < len(w); i++ {
		if w[i] == '1' {
			out = append(out, i+1)
		}
	}
	return out
}

// Any reports whether a warning is raised. Empty and "0" (as a bank card sends it) mean none; a
// value that is not a bit string counts as raised, so that nothing unreadable passes as clean.
func (w WarnBits) Any() bool {
	switch {
	case w == "" || w == "0":
		return false
	case w.Valid():
		return strings.IndexByte(string(w), '1') >= 0
	}
	return true
}

// IDCardQuery asks for the ID-card OCR result of one order (getOcrResult, docs/C-ocr-will-nfc-eid.md §2.5).
type IDCardQuery struct {
	OrderNo string
	// Images asks for the card images (get_file=1): front, back, their crops and the portrait.
	// They can lag the result by about a second. IDCardResultTo asks for them when a writer is
	// given, whatever Images says.
	Images bool
	// NativePlace asks the service to map the ID number to the native place (get_native=1).
	NativePlace bool
}

// IDCardResult is the answer of getOcrResult. Code "0" means the query found the order; each
// side has its own code (FrontCode, BackCode: "0" recognised). The side's fields are filled only
// when that side was recognised. It prints redacted.
type IDCardResult struct {
	Code            string
	Msg             string
	OrderNo         string `wire:"orderNo"`
	BizSeqNo        string `wire:"bizSeqNo"`
	TransactionTime string
	FrontCode       string `wire:"frontCode"` // "0": the portrait side was recognised
	BackCode        string `wire:"backCode"`  // "0": the emblem side was recognised
	// Front side.
	Name    string `wire:"name"`
	Sex     string `wire:"sex"`    // e.g. 男
	Nation  string `wire:"nation"` // e.g. 汉
	Birth   string `wire:"birth"`  // yyyyMMdd, kept as sent
	Address string `wire:"address"`
	IDNo    string `wire:"idcard"`
	// Back side.
	ValidDate string `wire:"validDate"` // yyyyMMdd-yyyyMMdd as sent; long-term cards may differ
	Authority string `wire:"authority"`
	// NativePlace comes with IDCardQuery.NativePlace.
	NativePlace       string   `wire:"nativePlace"`
	OperateTime       string   `wire:"operateTime"` // yyyy-MM-dd HH:mm:ss
	FrontWarning      WarnBits `wire:"frontWarnCode"`
	BackWarning       WarnBits `wire:"backWarnCode"`
	FrontMultiWarning WarnBits `wire:"frontMultiWarning"`
	BackMultiWarning  WarnBits `wire:"backMultiWarning"`
	FrontClarity      string   `wire:"frontClarity"`
	BackClarity       string   `wire:"backClarity"`
	// Images, with IDCardQuery.Images, when present. A crop can be empty when cropping failed:
	// use the full image then.
	FrontPhoto, BackPhoto, FrontCrop, BackCrop, HeadPhoto Media
}

// FrontOK reports that the portrait side was recognised.
func (r *IDCardResult) FrontOK() bool { return r.FrontCode == "0" }

// BackOK reports that the emblem side was recognised.
func (r *IDCardResult) BackOK() bool { return r.BackCode == "0" }

// Err is nil when the query found the order, otherwise its code as an *APIError.
func (r *IDCardResult) Err() error {
	return verdictErr(endpointOCRResult, r.Code, r.Msg, r.BizSeqNo, r.OrderNo, r.TransactionTime)
}

// FrontErr is nil when the front side was recognised or not attempted, otherwise its code as an
// *APIError (66661006 not the portrait side, 66661008 name or number not read, ...).
func (r *IDCardResult) FrontErr() error {
	if r.FrontCode == "" {
		return nil
	}
	return verdictErr(endpointOCRResult, r.FrontCode, "", r.BizSeqNo, r.OrderNo, r.TransactionTime)
}

// BackErr is FrontErr for the emblem side.
func (r *IDCardResult) BackErr() error {
	if r.BackCode == "" {
		return nil
	}
	return verdictErr(endpointOCRResult, r.BackCode, "", r.BizSeqNo, r.OrderNo, r.TransactionTime)
}

// String keeps the identity and the images out of logs and error messages.
func (r IDCardResult) String() string {
	return fmt.Sprintf("IDCardResult{code: %s, orderNo: %s, frontCode: %s, backCode: %s, name: REDACTED, idNo: REDACTED, address: REDACTED, images: %d bytes}",
		r.Code, r.OrderNo, r.FrontCode, r.BackCode, len(r.FrontPhoto)+len(r.BackPhoto)+len(r.FrontCrop)+len(r.BackCrop)+len(r.HeadPhoto))
}

// GoString keeps %#v redacted too.
func (r IDCardResult) GoString() string { return r.String() }

// LogValue keeps the identity and the images out of structured logs.
func (r IDCardResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("code", r.Code), slog.String("orderNo", r.OrderNo),
		slog.String("frontCode", r.FrontCode), slog.String("backCode", r.BackCode))
}

// IDCardWriters receive the ID-card images as the answer streams in; nil ones are not kept.
type IDCardWriters struct {
	Front, Back, FrontCrop, BackCrop, Head io.Writer
}

func (w IDCardWriters) any() bool {
	return w.Front != nil || w.Back != nil || w.FrontCrop != nil || w.BackCrop != nil || w.Head != nil
}

// idCardImageFields are the media fields of getOcrResult, in IDCardWriters order.
var idCardImageFields = [...]string{"frontPhoto", "backPhoto", "frontCrop", "backCrop", "headPhoto"}

// IDCardResult asks for the ID-card OCR result of q.OrderNo; with q.Images the images are held in
// memory (one allocation sized from the answer's length). A query that finds no result
// (66660020) is an error matching ErrNoResult; a side that was not recognised is in FrontCode or
// BackCode, not an error.
func (s *OCRService) IDCardResult(ctx context.Context, q IDCardQuery) (*IDCardResult, error) {
	ar := &arena{}
	var ws [len(idCardImageFields)]*arenaWriter
	res, err := s.idCard(ctx, q.OrderNo, q.Images, q.NativePlace, func(cl int64) [len(idCardImageFields)]io.Writer {
		ar.reset(cl)
		var out [len(idCardImageFields)]io.Writer
		for i := range ws {
			ws[i] = &arenaWriter{a: ar}
			if q.Images {
				out[i] = ws[i]
			}
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	res.FrontPhoto, res.BackPhoto, res.FrontCrop, res.BackCrop, res.HeadPhoto =
		ws[0].bytes(), ws[1].bytes(), ws[2].bytes(), ws[3].bytes(), ws[4].bytes()
	return res, nil
}

// IDCardResultTo is IDCardResult with the images streamed into the given writers as the answer
// arrives, with memory bounded whatever their size. Images are asked for when a writer is given.
// The call is retried only while nothing has been written.
//
// Images lag the result by about a second: when images are asked for and the full image of a
// recognised side (frontPhoto when FrontCode is "0", backPhoto when BackCode is "0") is missing,
// the order is queried again as WithMediaWait says, and if it is still missing the call fails
// with an error matching ErrMediaNotReady (and ErrNoResult). A writer never receives
// its image twice, and the writer of an image that never came has received nothing. Crops may
// be missing (cropping can fail) and are not waited for.
func (s *OCRService) IDCardResultTo(ctx context.Context, q IDCardQuery, w IDCardWriters) (*IDCardResult, error) {
	images := w.any()
	gates := &gateSet{}
	var ws [len(idCardImageFields)]io.Writer
	var gs [len(idCardImageFields)]*mediaGate
	for i, wr := range [...]io.Writer{w.Front, w.Back, w.FrontCrop, w.BackCrop, w.Head} {
		gs[i] = gates.gate(wr)
		ws[i] = gs[i]
	}
	return awaitMedia(ctx, s.c, endpointOCRResult, q.OrderNo, gates, func() (*IDCardResult, error) {
		return s.idCard(ctx, q.OrderNo, images, q.NativePlace, func(int64) [len(idCardImageFields)]io.Writer { return ws })
	}, func(res *IDCardResult) string {
		if !images || res.Code != "0" {
			return ""
		}
		return missingList([]string{"frontPhoto", "backPhoto"}, []bool{res.FrontOK(), res.BackOK()}, []bool{gs[0].got(), gs[1].got()})
	})
}

// idCard is the getOcrResult call. writers is called once the answer's headers are in; every
// image field is registered (nil writers discard).
func (s *OCRService) idCard(ctx context.Context, orderNo string, images, native bool, writers func(int64) [len(idCardImageFields)]io.Writer) (*IDCardResult, error) {
	res := &IDCardResult{}
	err := s.query(ctx, endpointOCRResult, orderNo, images, native, func(cl int64) wire.MediaSink {
		sink := wire.MediaSink{Fields: map[string]io.Writer{}}
		for i, w := range writers(cl) {
			sink.Fields[idCardImageFields[i]] = orDiscard(w)
		}
		return sink
	}, res, frame{&res.Code, &res.Msg, &res.OrderNo, &res.BizSeqNo, &res.TransactionTime})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// query sends an OCR result query (ID card or bank card) and decodes its answer into res, whose
// frame fields are f: a GET with snake_case names (app_id, order_no, get_file, get_native; docs/C-ocr-will-nfc-eid.md §2.5, §3.3) through the one signed-call path, signed with OCR's own SIGN ticket. A non-zero
// answer that carries a result is returned as such (a recognition failure); without one it is
// an error.
// ocrResultQuery is the query of getOcrResult and getBankCardOcrResult (docs/C-ocr-will-nfc-eid.md §2.5, §3.3),
// encoded by go-querystring.
type ocrResultQuery struct {
	AppID     string `url:"app_id"`
	OrderNo   string `url:"order_no"`
	Nonce     string `url:"nonce"`
	Version   string `url:"version"`
	Sign      string `url:"sign"`
	GetFile   string `url:"get_file,omitempty"`
	GetNative string `url:"get_native,omitempty"`
}

// ocrQuery is the OCR queries' signedCall.query: the signed values of p, by name.
func ocrQuery(p params) any {
	return ocrResultQuery{AppID: mustGet(p, "app_id"), OrderNo: mustGet(p, "order_no"), Nonce: mustGet(p, "nonce"),
		Version: mustGet(p, "version"), Sign: mustGet(p, "sign"), GetFile: mustGet(p, "get_file"), GetNative: mustGet(p, "get_native")}
}

func (s *OCRService) query(ctx context.Context, endpoint, orderNo string, images, native bool, media func(int64) wire.MediaSink, res any, f frame) error {
	if err := checkOrderNo(orderNo); err != nil {
		return err
	}
	p := params{{"app_id", s.app.appID}, {"order_no", orderNo}, {"nonce", NewNonce()}, {"version", APIVersion},
		{"get_file", flag(images)}, {"get_native", flag(native)}}
	env, err := s.c.call(ctx, signedCall{app: s.app, endpoint: endpoint, p: p, query: ocrQuery, verdict: true, media: media})
	if err != nil {
		if err := verdictOrErr(env, err); err != nil {
			return err
		}
	}
	_, err = decodeResult(endpoint, orderNo, env, res, f)
	return err
}

// BankCardWarning is one bank-card OCR warning code, kept as the service sends it, and tested
// by that code (w == "-9114"). Warnings do not fail recognition: the partner decides (docs/C-ocr-will-nfc-eid.md
// §3.4). The documented codes; others are kept as they come, and Known reports false for them:
//
//	-9110     日期信息无效  invalid date information
//	-9111     边框不完整   card border incomplete
//	-9112     反光       glare or reflection
//	-9113     复印件      photocopy
//	-9114     翻拍       re-capture of a screen or photo
//	66661009  银行卡已过期  card expired
type BankCardWarning string

var bankWarningText = map[BankCardWarning]string{
	"-9110":    "invalid date information",
	"-9111":    "card border incomplete",
	"-9112":    "glare or reflection",
	"-9113":    "photocopy",
	"-9114":    "re-capture of a screen or photo",
	"66661009": "card expired",
}

// String describes the warning; codes the manual does not list say so.
func (w BankCardWarning) String() string {
	if t, ok := bankWarningText[w]; ok {
		return t
	}
	return "undocumented bank-card warning " + string(w)
}

// Known reports whether the manual lists the code.
func (w BankCardWarning) Known() bool {
	_, ok := bankWarningText[w]
	return ok
}

// BankCardResult is the answer of getBankCardOcrResult (docs/C-ocr-will-nfc-eid.md §3.3). Code "0" means the card was
// recognised; other codes (-9011 to -9014) are recognition failures. It prints redacted.
type BankCardResult struct {
	Code            string
	Msg             string
	OrderNo         string `wire:"orderNo"`
	BizSeqNo        string `wire:"bizSeqNo"`
	TransactionTime string
	CardNo          string `wire:"bankCardNo"`        // bankCardNo
	ValidDate       string `wire:"bankCardValidDate"` // MM/yyyy as sent ("12/2024")
	OperateTime     string `wire:"operateTime"`
	Clarity         string `wire:"clarity"`
	// WarnCode and MultiWarnCode are kept raw; Warnings reads them.
	WarnCode      string `wire:"warnCode,list"`
	MultiWarnCode string `wire:"multiWarnCode,list"`
	// Images, when asked for and present.
	CropPhoto   Media // bankcardCropPhoto
	NoPhoto     Media // bankcardNoPhoto: the card-number strip
	OriginPhoto Media // originBankcardPhoto (older spelling orginBankcardPhoto)
}

// Passed reports code "0": the card was recognised.
func (r *BankCardResult) Passed() bool { return r.Code == "0" }

// Err is nil for code "0", otherwise the code as an *APIError.
func (r *BankCardResult) Err() error {
	return verdictErr(endpointBankCardOCRResult, r.Code, r.Msg, r.BizSeqNo, r.OrderNo, r.TransactionTime)
}

// Warnings reads WarnCode and MultiWarnCode leniently (a single code, "0" for none, or a list
// such as "[-9110, -9111, -9114]"; docs/C-ocr-will-nfc-eid.md §10 item 19) and returns each code once, in order.
func (r *BankCardResult) Warnings() []BankCardWarning {
	return parseBankWarnings(r.WarnCode + "," + r.MultiWarnCode)
}

// parseBankWarnings takes every signed integer in s except zero, each once, in order.
func parseBankWarnings(s string) []BankCardWarning {
	var out []BankCardWarning
	seen := map[string]bool{}
	for i := 0; i < len(s); {
		j := i
		if s[j] == '-' {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == j {
			i++
			continue
		}
		code := s[i:k]
		i = k
		if strings.Trim(s[j:k], "0") == "" || len(code) > 16 {
			continue // "0" is no warning; an absurdly long number is not a code
		}
		if !seen[code] {
			seen[code] = true
			out = append(out, BankCardWarning(code))
		}
	}
	return out
}

// String keeps the card number and the images out of logs and error messages.
func (r BankCardResult) String() string {
	return fmt.Sprintf("BankCardResult{code: %s, orderNo: %s, cardNo: REDACTED, warnings: %v, images: %d bytes}",
		r.Code, r.OrderNo, r.Warnings(), len(r.CropPhoto)+len(r.NoPhoto)+len(r.OriginPhoto))
}

// GoString keeps %#v redacted too.
func (r BankCardResult) GoString() string { return r.String() }

// LogValue keeps the card number and the images out of structured logs.
func (r BankCardResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("code", r.Code), slog.String("orderNo", r.OrderNo))
}

// BankCardWriters receive the bank-card images as the answer streams in; nil ones are not kept.
type BankCardWriters struct {
	Crop, Number, Origin io.Writer
}

func (w BankCardWriters) any() bool { return w.Crop != nil || w.Number != nil || w.Origin != nil }

// BankCardQuery asks for the result of one bank-card OCR read (docs/C-ocr-will-nfc-eid.md §3.3).
type BankCardQuery struct {
	OrderNo string
	// Images asks for the card images (get_file=1). BankCardResultTo asks for them when a
	// writer is given, whatever Images says.
	Images bool
}

// BankCardResult asks for the bank-card OCR result of q.OrderNo; with q.Images, the images are
// held in memory (one allocation sized from the answer's length).
func (s *OCRService) BankCardResult(ctx context.Context, q BankCardQuery) (*BankCardResult, error) {
	orderNo, images := q.OrderNo, q.Images
	ar := &arena{}
	var crop, number, origin, orig2 *arenaWriter
	res, err := s.bankCard(ctx, orderNo, images, func(cl int64) wire.MediaSink {
		ar.reset(cl)
		crop, number, origin, orig2 = &arenaWriter{a: ar}, &arenaWriter{a: ar}, &arenaWriter{a: ar}, &arenaWriter{a: ar}
		if !images {
			return bankSink(nil, nil, nil, nil)
		}
		return bankSink(crop, number, origin, orig2)
	})
	if err != nil {
		return nil, err
	}
	res.CropPhoto, res.NoPhoto = crop.bytes(), number.bytes()
	res.OriginPhoto = origin.bytes()
	if len(res.OriginPhoto) == 0 {
		res.OriginPhoto = orig2.bytes()
	}
	return res, nil
}

// BankCardResultTo is BankCardResult with the images streamed into the given writers as the
// answer arrives, with memory bounded whatever their size. Images are asked for when a writer
// is given. The call is retried only while nothing has been written.
//
// Images lag the result by about a second: when images are asked for, the card was recognised
// and its original image (originBankcardPhoto) is missing, the order is queried again as
// WithMediaWait says, and if it is still missing the call fails with an error matching
// ErrMediaNotReady (and ErrNoResult). A writer never receives its image twice, and the
// writer of an image that never came has received nothing.
func (s *OCRService) BankCardResultTo(ctx context.Context, q BankCardQuery, w BankCardWriters) (*BankCardResult, error) {
	orderNo := q.OrderNo
	images := w.any()
	gates := &gateSet{}
	crop, number, origin, orig2 := gates.gate(w.Crop), gates.gate(w.Number), gates.gate(w.Origin), gates.gate(w.Origin)
	return awaitMedia(ctx, s.c, endpointBankCardOCRResult, orderNo, gates, func() (*BankCardResult, error) {
		return s.bankCard(ctx, orderNo, images, func(int64) wire.MediaSink {
			if origin.done {
				orig2.done = true // one original image, under either spelling
			} else if orig2.done {
				origin.done = true
			}
			return bankSink(crop, number, origin, orig2)
		})
	}, func(res *BankCardResult) string {
		if !images || !res.Passed() || origin.got() || orig2.got() {
			return ""
		}
		return "originBankcardPhoto"
	})
}

// bankSink registers every image field (nil writers discard), the older spelling
// orginBankcardPhoto included [EXTERNAL, docs/C-ocr-will-nfc-eid.md §3.3].
func bankSink(crop, number, origin, orig2 io.Writer) wire.MediaSink {
	return wire.MediaSink{Fields: map[string]io.Writer{
		"bankcardCropPhoto": orDiscard(crop), "bankcardNoPhoto": orDiscard(number),
		"originBankcardPhoto": orDiscard(origin), "orginBankcardPhoto": orDiscard(orig2),
	}}
}

func (s *OCRService) bankCard(ctx context.Context, orderNo string, images bool, media func(int64) wire.MediaSink) (*BankCardResult, error) {
	res := &BankCardResult{}
	err := s.query(ctx, endpointBankCardOCRResult, orderNo, images, false, media, res,
		frame{&res.Code, &res.Msg, &res.OrderNo, &res.BizSeqNo, &res.TransactionTime})
	if err != nil {
		return nil, err
	}
	return res, nil
}
