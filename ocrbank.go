package kyc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/kycgo/kyc/internal/wire"
)

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
