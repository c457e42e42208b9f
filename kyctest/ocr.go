package kyctest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// OCR (docs/C-ocr-will-nfc-eid.md §2-3): there is no server upload; the app's OCR SDK produces the result of an
// orderNo. A test plays the SDK with CompleteIDCardOCR or CompleteBankCardOCR, and the GET
// queries getOcrResult and getBankCardOcrResult (snake_case parameters, SIGN-signed over app_id,
// order_no, nonce and version) answer it for ResultLifetime, with fake JPEG images when
// get_file=1 (delayed like face media by WithMediaDelay).

// codeOCRNoResult is what an OCR query for an unknown order answers ("OCR 结果查询不到", docs/C-ocr-will-nfc-eid.md
// §2.7). The bank-card tables name no such code; the fake uses the same one.
const codeOCRNoResult = "66660020"

// IDCardOCR is the outcome of one ID-card OCR, as the SDK produced it. Empty codes and warning
// codes mean success and no warning ("0", "00000000").
type IDCardOCR struct {
	AppID                                   string // the app the SDK ran under; empty means the default app
	Code                                    string // the query's answer code; empty means "0"
	FrontCode                               string // "0" (default): the portrait side was recognised, else e.g. "66661006"
	BackCode                                string // "0" (default): the emblem side was recognised, else e.g. "66661007"
	Name, Sex, Nation, Birth, Address, IDNo string
	ValidDate, Authority, NativePlace       string
	FrontWarnCode, BackWarnCode             string // 8-character bit strings
	FrontMultiWarning, BackMultiWarning     string
	FrontClarity, BackClarity               string
}

// SampleIDCard returns an invented identity as an ID-card OCR would read it.
func SampleIDCard() IDCardOCR {
	return IDCardOCR{Name: "测试用户", Sex: "男", Nation: "汉", Birth: "19900101", Address: "测试省测试市测试路1号",
		IDNo: "KYCTEST0000000001", ValidDate: "20200101-20400101", Authority: "测试市公安局", NativePlace: "测试省测试市",
		FrontClarity: "64", BackClarity: "72"}
}

// BankCardOCR is the outcome of one bank-card OCR. Empty codes mean success and no warning.
type BankCardOCR struct {
	AppID         string // the app the SDK ran under; empty means the default app
	Code          string // "0" (default), or a failure such as "-9012"
	CardNo        string
	ValidDate     string // MM/yyyy
	WarnCode      string // "0" (default) or one code, e.g. "-9110"
	MultiWarnCode string // "0" (default) or a list, e.g. "[-9110, -9111]"
	Clarity       string
}

// SampleBankCard returns an invented card as a bank-card OCR would read it.
func SampleBankCard() BankCardOCR {
	return BankCardOCR{CardNo: "6200000000000001", ValidDate: "12/2030", Clarity: "79"}
}

// ocrState holds the OCR results, guarded by Server.mu.
type ocrState struct {
	idCards map[orderKey]*ocrOrder
	banks   map[orderKey]*ocrOrder
}

type ocrOrder struct {
	id           IDCardOCR
	bank         BankCardOCR
	completed    time.Time
	mediaQueries int
}

func (s *Server) registerOCR() {
	s.ocr = &ocrState{idCards: map[orderKey]*ocrOrder{}, banks: map[orderKey]*ocrOrder{}}
	s.handleRow(EndpointOCRResult, s.serveOCR(EndpointOCRResult, false))
	s.handleRow(EndpointBankCardOCRResult, s.serveOCR(EndpointBankCardOCRResult, true))
}

// CompleteIDCardOCR does what the ID-card OCR SDK does for orderNo: it records r as the result.
// An orderNo serves one OCR (ErrOrderCompleted the second time); r.AppID must be registered.
func (s *Server) CompleteIDCardOCR(orderNo string, r IDCardOCR) error {
	return s.completeOCR(orderNo, r.AppID, false, &ocrOrder{id: r})
}

// CompleteBankCardOCR does what the bank-card OCR SDK does for orderNo: it records r as the
// result, with the rules of CompleteIDCardOCR.
func (s *Server) CompleteBankCardOCR(orderNo string, r BankCardOCR) error {
	return s.completeOCR(orderNo, r.AppID, true, &ocrOrder{bank: r})
}

func (s *Server) completeOCR(orderNo, appID string, bank bool, o *ocrOrder) error {
	if !validOrderNo(orderNo) {
		return fmt.Errorf("%w (orderNo must be 1-32 letters and digits)", ErrUnknownOrder)
	}
	if appID == "" {
		appID = s.AppID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apps[appID] == nil {
		return ErrUnknownApp
	}
	m := s.ocr.idCards
	if bank {
		m = s.ocr.banks
	}
	key := orderKey{appID, orderNo}
	if m[key] != nil {
		return fmt.Errorf("%w (orderNo %s)", ErrOrderCompleted, orderNo)
	}
	o.completed = s.Clock.Now()
	m[key] = o
	return nil
}

// msgFor is the message the service sends with code: the manual's Chinese text (codes.go), or
// the generic one.
func msgFor(code string) string {
	if code == "" {
		return ""
	}
	if m, ok := serviceMessage(code); ok {
		return m
	}
	return codeMsg(code)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// serveOCR is GET /api/server/getOcrResult or /api/server/getBankCardOcrResult (docs/C-ocr-will-nfc-eid.md §2.5, §3.3).
func (s *Server) serveOCR(endpoint string, bank bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := map[string]string{}
		for _, k := range []string{"app_id", "order_no", "nonce", "version", "sign", "get_file", "get_native"} {
			if v := q.Get(k); v != "" {
				f[k] = v
			}
		}
		valid := f["app_id"] != "" && validOrderNo(f["order_no"]) && validNonce(f["nonce"]) &&
			f["version"] == apiVersion && f["sign"] != ""
		if code := s.refusal(endpoint, f, valid); code != "" {
			s.writeCode(w, code)
			return
		}
		now := s.Clock.Now()
		key := orderKey{f["app_id"], f["order_no"]}
		wantImages := f["get_file"] == "1"
		s.mu.Lock()
		m := s.ocr.idCards
		if bank {
			m = s.ocr.banks
		}
		o := m[key]
		var copyOf ocrOrder
		media := false
		if o != nil && !now.After(o.completed.Add(ResultLifetime)) {
			copyOf = *o
			media = s.mediaDue(&o.mediaQueries, wantImages)
		} else {
			o = nil
		}
		s.mu.Unlock()
		if o == nil {
			s.writeEnvelope(w, codeOCRNoResult, msgFor(codeOCRNoResult), nil)
			return
		}
		seq := bizSeqNo(now)
		if bank {
			s.writeBankOCR(w, f["order_no"], &copyOf, media && wantImages, seq, now)
			return
		}
		s.writeIDCardOCR(w, f["order_no"], &copyOf, media && wantImages, f["get_native"] == "1", seq, now)
	}
}

// image is a fake JPEG of the configured photo size, base64.
func (s *Server) image(orderNo string, index int) string {
	return base64.StdEncoding.EncodeToString(fakePhoto(orderNo, index, s.cfg.photoBytes))
}

// writeIDCardOCR answers in the order of the manual's example (docs/C-ocr-will-nfc-eid.md §2.5).
func (s *Server) writeIDCardOCR(w http.ResponseWriter, orderNo string, o *ocrOrder, images, native bool, seq string, now time.Time) {
	r := o.id
	front, back := orDefault(r.FrontCode, "0"), orDefault(r.BackCode, "0")
	res := object{{"bizSeqNo", seq}, {"transactionTime", wireTime(now)}, {"backCode", back}, {"orderNo", orderNo}}
	if front == "0" {
		res = append(res, field{"name", r.Name}, field{"sex", r.Sex}, field{"nation", r.Nation}, field{"birth", r.Birth},
			field{"address", r.Address}, field{"idcard", r.IDNo})
	}
	if back == "0" {
		res = append(res, field{"validDate", r.ValidDate}, field{"authority", r.Authority})
	}
	res = append(res, field{"operateTime", o.completed.In(chinaTime).Format("2006-01-02 15:04:05")})
	if front == "0" {
		res = append(res, field{"frontWarnCode", orDefault(r.FrontWarnCode, "00000000")})
	}
	if back == "0" {
		res = append(res, field{"backWarnCode", orDefault(r.BackWarnCode, "00000000")})
	}
	res = append(res, field{"frontMultiWarning", orDefault(r.FrontMultiWarning, "00000000")},
		field{"backMultiWarning", orDefault(r.BackMultiWarning, "00000000")},
		field{"frontClarity", r.FrontClarity}, field{"backClarity", r.BackClarity})
	if native && front == "0" {
		res = append(res, field{"nativePlace", r.NativePlace})
	}
	if images && s.cfg.photoBytes > 0 {
		if front == "0" {
			res = append(res, field{"frontPhoto", s.image(orderNo, 0)}, field{"frontCrop", s.image(orderNo, 2)},
				field{"headPhoto", s.image(orderNo, 4)})
		}
		if back == "0" {
			res = append(res, field{"backPhoto", s.image(orderNo, 1)}, field{"backCrop", s.image(orderNo, 3)})
		}
	}
	res = append(res, field{"success", false}, field{"frontCode", front})
	code := orDefault(r.Code, "0")
	writeJSON(w, envelope(s.code(code), msgFor(code), seq, now, res))
}

// writeBankOCR answers in the order of the manual's example (docs/C-ocr-will-nfc-eid.md §3.3).
func (s *Server) writeBankOCR(w http.ResponseWriter, orderNo string, o *ocrOrder, images bool, seq string, now time.Time) {
	r := o.bank
	code := orDefault(r.Code, "0")
	res := object{{"bizSeqNo", seq}, {"transactionTime", wireTime(now)}, {"orderNo", orderNo}}
	if code == "0" {
		res = append(res, field{"bankCardNo", r.CardNo}, field{"bankCardValidDate", r.ValidDate},
			field{"warnCode", orDefault(r.WarnCode, "0")}, field{"multiWarnCode", orDefault(r.MultiWarnCode, "0")})
	}
	res = append(res, field{"operateTime", o.completed.In(chinaTime).Format("2006-01-02 15:04:05")}, field{"clarity", r.Clarity})
	if images && code == "0" && s.cfg.photoBytes > 0 {
		res = append(res, field{"bankcardCropPhoto", s.image(orderNo, 0)}, field{"bankcardNoPhoto", s.image(orderNo, 1)},
			field{"originBankcardPhoto", s.image(orderNo, 2)})
	}
	res = append(res, field{"success", false})
	writeJSON(w, envelope(s.code(code), msgFor(code), seq, now, res))
}
