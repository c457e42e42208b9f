package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// The imports open as main.go's do (context, encoding/json, errors, flag, fmt, io): both read
// flags, JSON and errors; a repetition of the package's vocabulary, not of code, kept.

// The fake's control endpoint: `kyc fake` serves it on a loopback address of its own (printed as
// KYC_FAKE_CONTROL), and `kyc fake-order` asks it to create an order and complete it with an
// outcome, as the partner backend and the person's app would, so that every other command can be
// tried against the running fake.

// faceOutcomes are the outcomes of the face products (App SDK face and H5), by name.
var faceOutcomes = map[string]kyctest.Outcome{
	"pass": kyctest.OutcomePass, "not-same-person": kyctest.OutcomeNotSamePerson, "spoof": kyctest.OutcomeSpoof,
	"name-id-mismatch": kyctest.OutcomeNameIDMismatch, "user-quit": kyctest.OutcomeUserQuit,
}

// willOutcomes are the outcomes of will verification, by name.
var willOutcomes = map[string]kyctest.WillOutcome{
	"pass": kyctest.WillPass, "wrong-answer": kyctest.WillWrongAnswer, "not-same-person": kyctest.WillNotSamePerson,
	"user-quit": kyctest.WillUserQuit,
}

// fakeProducts are the products fake-order knows, in the order help lists them.
var fakeProducts = []string{"face", "h5", "ocr-idcard", "ocr-bankcard", "nfc", "will", "detect", "eid"}

// outcomeNames lists the outcomes a product accepts, for help and errors.
func outcomeNames(product string) string {
	var names []string
	switch product {
	case "face", "h5":
		for n := range faceOutcomes {
			names = append(names, n)
		}
	case "will":
		for n := range willOutcomes {
			names = append(names, n)
		}
	case "detect", "eid":
		return "pass, or a result code such as 2016"
	default:
		return "pass"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// fakeOrder is what the control endpoint answers: the order it created and how it ended.
type fakeOrder struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error,omitempty"`
	Product     string `json:"product,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	OrderNo     string `json:"orderNo,omitempty"`
	ReqID       string `json:"reqId,omitempty"`       // nfc: the second argument of `kyc nfc`
	BizToken    string `json:"bizToken,omitempty"`    // detect
	EidToken    string `json:"eidToken,omitempty"`    // eid
	CallbackURL string `json:"callbackUrl,omitempty"` // h5: where the browser returns
}

// controlHandler serves POST /order (form: product, outcome, orderNo, callback, day) against srv.
// It refuses requests that do not come from a loopback address: the endpoint completes orders
// without any signature.
func controlHandler(srv *kyctest.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /order", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || !net.ParseIP(host).IsLoopback() {
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(fakeOrder{Error: "the control endpoint answers loopback clients only"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(fakeOrder{Error: "bad form"})
			return
		}
		res, err := createFakeOrder(r.Context(), srv, r.PostForm)
		if err != nil {
			var ue usageError
			if errors.As(err, &ue) {
				w.WriteHeader(http.StatusBadRequest)
			} else {
				w.WriteHeader(http.StatusInternalServerError)
			}
			_ = json.NewEncoder(w).Encode(fakeOrder{Error: err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(res)
	})
	return mux
}

// createFakeOrder creates one order of the form's product through the SDK, as a partner backend
// would, and completes it with the form's outcome, as the person's app or browser would.
func createFakeOrder(ctx context.Context, srv *kyctest.Server, f url.Values) (*fakeOrder, error) {
	product, outcome, orderNo := f.Get("product"), f.Get("outcome"), f.Get("orderNo")
	if outcome == "" {
		outcome = "pass"
	}
	known := false
	for _, p := range fakeProducts {
		known = known || p == product
	}
	if !known {
		return nil, usageError{fmt.Sprintf("unknown product %q (want one of %s)", product, strings.Join(fakeProducts, ", "))}
	}
	if orderNo == "" {
		orderNo = demoOrderNo(strings.ReplaceAll(product, "-", ""))
	}
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	if err != nil {
		return nil, err
	}
	res := &fakeOrder{OK: true, Product: product, Outcome: outcome, OrderNo: orderNo}
	badOutcome := usageError{fmt.Sprintf("outcome %q is not one of %s's: %s", outcome, product, outcomeNames(product))}
	userID := "fakeUser1"
	switch product {
	case "face", "h5":
		o, ok := faceOutcomes[outcome]
		if !ok {
			return nil, badOutcome
		}
		version := kyc.Plus
		if product == "h5" {
			version = kyc.Enhanced
		}
		face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: version, OrderNo: orderNo, UserID: userID, Name: demoName, IDNo: demoIDNo})
		if err != nil {
			return nil, err
		}
		if product == "face" {
			if _, err := c.Face.SDKParams(ctx, face); err != nil {
				return nil, err
			}
			return res, srv.Complete(orderNo, o)
		}
		cb := f.Get("callback")
		if cb == "" {
			cb = "http://127.0.0.1/kyc/callback"
		}
		if _, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: cb, From: kyc.FromBrowser}); err != nil {
			return nil, err
		}
		res.CallbackURL, err = srv.CallbackURL(orderNo, o, cb)
		return res, err
	case "ocr-idcard", "ocr-bankcard":
		if outcome != "pass" {
			return nil, badOutcome
		}
		if product == "ocr-bankcard" {
			if _, err := c.OCR.BankCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: orderNo, UserID: userID}); err != nil {
				return nil, err
			}
			return res, srv.CompleteBankCardOCR(orderNo, kyctest.SampleBankCard())
		}
		if _, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: orderNo, UserID: userID}); err != nil {
			return nil, err
		}
		return res, srv.CompleteIDCardOCR(orderNo, kyctest.SampleIDCard())
	case "nfc":
		if outcome != "pass" {
			return nil, badOutcome
		}
		cert, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: orderNo, UserID: userID, CardType: kyc.NFCIDCard})
		if err != nil {
			return nil, err
		}
		if _, err := c.NFC.SDKParams(ctx, cert); err != nil {
			return nil, err
		}
		res.ReqID, err = srv.CompleteNFC(orderNo, kyctest.SampleNFCCard())
		return res, err
	case "will":
		o, ok := willOutcomes[outcome]
		if !ok {
			return nil, badOutcome
		}
		face, err := c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: orderNo, UserID: userID, Name: demoName, IDNo: demoIDNo,
			Rounds: []kyc.WillRound{{Question: "本次业务是否为您本人自愿办理？请回答：是的", Answers: []string{"是的", "是"}}}})
		if err != nil {
			return nil, err
		}
		if _, err := c.Will.SDKParams(ctx, face); err != nil {
			return nil, err
		}
		return res, srv.CompleteWill(orderNo, o)
	}
	// The API 3.0 journeys: the outcome is the result code, "pass" meaning "0".
	code := outcome
	if code == "pass" {
		code = "0"
	}
	if strings.Trim(code, "0123456789") != "" {
		return nil, badOutcome
	}
	res.OrderNo = ""
	if product == "detect" {
		auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: demoName, IDCard: demoIDNo})
		if err != nil {
			return nil, err
		}
		res.BizToken = auth.BizToken
		// --day dates the attempt, so that it lands in that day's bill (kyc bill).
		a := kyctest.DetectAttempt{ErrCode: code}
		if d := f.Get("day"); d != "" {
			day, err := kyc.ParseDay(d)
			if err != nil {
				return nil, usageError{"day: " + err.Error()}
			}
			a.At = day.Start().Add(10 * time.Hour)
		}
		return res, srv.CompleteDetect(auth.BizToken, a)
	}
	tok, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "fakeMerchant", Name: demoName, IDCard: demoIDNo})
	if err != nil {
		return nil, err
	}
	res.EidToken = tok.EIDToken
	if err := srv.StartEid(tok.EIDToken); err != nil {
		return nil, err
	}
	return res, srv.CompleteEid(tok.EIDToken, code)
}

func init() {
	var product, outcome, orderNo, callback, day *string
	register(&command{
		name: "fake-order", summary: "create and complete an order on a running `kyc fake`",
		help: `Asks the running fake service (the control address in KYC_FAKE_CONTROL, printed by kyc fake) to
create one order of --product through the SDK, as a partner backend would, and complete it with
--outcome, as the person's app would; then prints the command that looks it up.
Products and their outcomes:
  face          App SDK face (Plus): ` + outcomeNames("face") + `
  h5            H5 face (Enhanced), same outcomes; prints the URL the browser returns to
                (on --callback, default http://127.0.0.1/kyc/callback), signed as the real one
  ocr-idcard    ID-card OCR: pass
  ocr-bankcard  bank-card OCR: pass
  nfc           NFC ID-card read: pass; prints the reqId for kyc nfc
  will          will verification: ` + outcomeNames("will") + `
  detect        WeChat BizToken (DetectAuth): pass, or a result code such as 2016;
                --day D dates the attempt so that it lands in D's bill (kyc bill)
  eid           eID token (GetEidToken): pass, or a result code
--order picks the order number (default: a new one). The identities are invented.`,
		flags: func(fs *flag.FlagSet) {
			product = fs.String("product", "", "face, h5, ocr-idcard, ocr-bankcard, nfc, will, detect or eid")
			outcome = fs.String("outcome", "pass", "how the journey ends (see above)")
			orderNo = fs.String("order", "", "the order number (default: a new one)")
			callback = fs.String("callback", "", "h5: the partner's callback URL")
			day = fs.String("day", "", "detect: the day of the attempt, YYYY-MM-DD (China time)")
		},
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			base := c.getenv("KYC_FAKE_CONTROL")
			if base == "" {
				return usageError{"set KYC_FAKE_CONTROL to the control address kyc fake printed"}
			}
			if *product == "" {
				return usageError{"give --product (" + strings.Join(fakeProducts, ", ") + ")"}
			}
			form := url.Values{"product": {*product}, "outcome": {*outcome}, "orderNo": {*orderNo}, "callback": {*callback}, "day": {*day}}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/order", strings.NewReader(form.Encode()))
			if err != nil {
				return usageError{"KYC_FAKE_CONTROL: " + err.Error()}
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
			if err != nil {
				return fmt.Errorf("the fake's control endpoint: %w", err)
			}
			defer resp.Body.Close()
			var res fakeOrder
			if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&res); err != nil {
				return fmt.Errorf("the fake's control endpoint answered %s without JSON", resp.Status)
			}
			if !res.OK {
				if resp.StatusCode == http.StatusBadRequest {
					return usageError{res.Error}
				}
				return errors.New("the fake: " + res.Error)
			}
			var next string
			switch res.Product {
			case "face", "h5":
				next = "kyc query " + res.OrderNo
			case "ocr-idcard":
				next = "kyc ocr " + res.OrderNo
			case "ocr-bankcard":
				next = "kyc ocr --bank " + res.OrderNo
			case "nfc":
				next = "kyc nfc " + res.OrderNo + " " + res.ReqID
			case "will":
				next = "kyc will " + res.OrderNo
			case "detect":
				next = "BizToken " + res.BizToken
			case "eid":
				next = "EidToken " + res.EidToken
			}
			lines := []string{fmt.Sprintf("%s order completed (%s): %s", res.Product, res.Outcome, next)}
			if res.CallbackURL != "" {
				lines = append(lines, "callback: "+res.CallbackURL)
			}
			c.emit(res, lines...)
			return nil
		},
	})
}
