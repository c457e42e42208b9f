package kyc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// limitCase is one documented limit. call sends a request whose limited value has size n and
// returns the value (for the redaction check; "" when it is not text) and the error.
type limitCase struct {
	name  string
	field string // the InputError's Field beyond the limit
	limit int    // the largest size accepted
	// min, when hasMin, is the smallest size accepted: min-1 is refused as well.
	min    int
	hasMin bool
	// local marks limits of options: accepted means New succeeds; nothing is ever sent.
	local bool
	call  func(ctx context.Context, c *kyc.Client, n int) (string, error)
}

// newFullPair is a client of every product (face, will, OCR with its own appId, NFC, API 3.0)
// against one fake service, which counts every request.
func newFullPair(t *testing.T) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer(kyctest.WithNFCKey(docNFCKey), kyctest.WithApp(ocrAppID, ocrSecret))
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond), kyc.WithNFCKey(docNFCKey),
		kyc.WithOCRCredentials(ocrAppID, ocrSecret), kyc.WithCloudCredentials(srv.SecretID, srv.SecretKey),
		kyc.WithCloudEndpoint(srv.URL))
	require.NoError(t, err)
	return srv, c
}

// Value builders: each returns exactly n of its unit.
func ascii(n int) string  { return strings.Repeat("a", n) }
func digits(n int) string { return strings.Repeat("1", n) }
func hanzi(n int) string  { return strings.Repeat("名", n) } // one rune, one UTF-16 unit, three bytes

// urlOf is an absolute https URL of exactly n bytes (n >= 30).
func urlOf(n int) string {
	const prefix = "https://partner.example/cb?x="
	return prefix + ascii(n-len(prefix))
}

// hostOf is a host name of exactly n characters, labels of 63 separated by dots.
func hostOf(n int) string {
	b := []byte(ascii(n))
	for i := 63; i < n-1; i += 64 {
		b[i] = '.'
	}
	return string(b)
}

// photoOf is a JPEG-looking photo of exactly n bytes.
func photoOf(n int) []byte {
	p := make([]byte, n)
	copy(p, []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'})
	return p
}

// okUpload is a face upload that passes every check.
func okUpload() kyc.FaceIDRequest {
	return kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user1", Name: testName, IDNo: testIDNo}
}

func okWill() kyc.WillFaceIDRequest {
	return kyc.WillFaceIDRequest{OrderNo: newOrderNo(), UserID: "user1", Name: testName, IDNo: testIDNo,
		Rounds: []kyc.WillRound{{Question: "您是本人自愿办理吗", Answers: []string{"是"}}}}
}

func okLogin() kyc.H5LoginRequest {
	return kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: "face001", OrderNo: newOrderNo(), UserID: "user1", Version: kyc.Plus}, CallbackURL: "https://partner.example/cb"}
}

// rounds spreads n question characters over rounds of at most 250.
func rounds(n int) []kyc.WillRound {
	var out []kyc.WillRound
	for n > 0 {
		k := min(n, kyc.MaxWillQuestion)
		out = append(out, kyc.WillRound{Question: hanzi(k), Answers: []string{"是"}})
		n -= k
	}
	return out
}

func eidQuestion(q string, answers ...string) *kyc.EIDTokenConfig {
	return &kyc.EIDTokenConfig{UseIntentionVerify: true, IntentionMode: "2",
		IntentionQuestions: []kyc.IntentionQuestion{{Question: q, Answers: answers}}}
}

func limitCases(srv *kyctest.Server) []limitCase {
	type C = context.Context
	type K = *kyc.Client
	str := func(v string, err error) (string, error) { return v, err }
	return []limitCase{
		// Face uploads (docs/A-auth-sign-face.md §4.1, docs/B-h5-wechat-billing.md §4).
		{name: "upload orderNo", field: "orderNo", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := okUpload()
			r.OrderNo = digits(n)
			_, err := c.Face.GetFaceID(ctx, r)
			return r.OrderNo, err
		}},
		{name: "upload userId", field: "userId", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := okUpload()
			r.UserID = ascii(n)
			_, err := c.Face.GetFaceID(ctx, r)
			return r.UserID, err
		}},
		{name: "upload name", field: "name", limit: 64, call: func(ctx C, c K, n int) (string, error) {
			r := okUpload()
			r.Name = hanzi(n)
			_, err := c.Face.GetFaceID(ctx, r)
			return r.Name, err
		}},
		{name: "upload idNo", field: "idNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := okUpload()
			r.IDNo = digits(n)
			_, err := c.Face.GetFaceID(ctx, r)
			return r.IDNo, err
		}},
		{name: "upload photo", field: "sourcePhotoStr", limit: kyc.MaxPhotoSize, call: func(ctx C, c K, n int) (string, error) {
			r := okUpload()
			r.Name, r.IDNo, r.Photo, r.PhotoType = "", "", photoOf(n), kyc.PhotoHD
			_, err := c.Face.GetFaceID(ctx, r)
			return "", err
		}},
		{name: "upload nonce", field: "nonce", limit: 32, hasMin: true, min: 32, call: func(ctx C, c K, n int) (string, error) {
			nonce := ascii(n)
			_, err := c.Face.GetFaceID(ctx, okUpload(), kyc.WithNonce(nonce))
			return nonce, err
		}},
		{name: "PC upload orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.PCFaceIDRequest{OrderNo: digits(n), UserID: "user1", Name: testName, IDNo: testIDNo}
			_, err := c.Face.GetPCFaceID(ctx, r)
			return r.OrderNo, err
		}},
		// Face start values and login URLs (docs/A-auth-sign-face.md §6.1, docs/B-h5-wechat-billing.md §3.2, docs/B-h5-wechat-billing.md §4).
		{name: "SDK start faceId", field: "faceId", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user1", FaceID: ascii(n)})))
		}},
		{name: "SDK start orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Basic, OrderNo: digits(n), UserID: "user1", FaceID: "face1"})))
		}},
		{name: "SDK start userId", field: "userId", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Enhanced, OrderNo: newOrderNo(), UserID: ascii(n), FaceID: "face1"})))
		}},
		{name: "SDK start WithNonce", field: "nonce", limit: 32, hasMin: true, min: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: newOrderNo(), UserID: "user1", FaceID: "face1"}, kyc.WithNonce(ascii(n)))))
		}},
		{name: "H5 login faceId", field: "faceId", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := okLogin()
			r.Face.FaceID = ascii(n)
			return str(r.Face.FaceID, second(c.Face.H5LoginURL(ctx, r)))
		}},
		{name: "H5 login callback url", field: "url", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := okLogin()
			r.CallbackURL = urlOf(n)
			return str(r.CallbackURL, second(c.Face.H5LoginURL(ctx, r)))
		}},
		{name: "H5 login optimalDomain", field: "optimalDomain", limit: 253, call: func(ctx C, c K, n int) (string, error) {
			r := okLogin()
			r.Face.OptimalDomain = hostOf(n)
			return str(r.Face.OptimalDomain, second(c.Face.H5LoginURL(ctx, r)))
		}},
		{name: "H5 login optimalDomain label", field: "optimalDomain", limit: 63, call: func(ctx C, c K, n int) (string, error) {
			r := okLogin()
			r.Face.OptimalDomain = ascii(n) + ".example"
			return str(r.Face.OptimalDomain, second(c.Face.H5LoginURL(ctx, r)))
		}},
		{name: "H5 login orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := okLogin()
			r.Face.OrderNo = digits(n)
			return str(r.Face.OrderNo, second(c.Face.H5LoginURL(ctx, r)))
		}},
		{name: "H5 login userId", field: "userId", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := okLogin()
			r.Face.UserID = ascii(n)
			return str(r.Face.UserID, second(c.Face.H5LoginURL(ctx, r)))
		}},
		{name: "PC login h5faceId", field: "h5faceId", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: ascii(n), OrderNo: newOrderNo(), UserID: "user1", PC: true}, CallbackURL: "https://partner.example/cb"}
			return str(r.Face.FaceID, second(c.Face.PCLoginURL(ctx, r)))
		}},
		{name: "PC login callback url", field: "url", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: newOrderNo(), UserID: "user1", PC: true}, CallbackURL: urlOf(n)}
			return str(r.CallbackURL, second(c.Face.PCLoginURL(ctx, r)))
		}},
		// Face queries (docs/A-auth-sign-face.md §4.4, §4.5).
		{name: "face result orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: digits(n), Media: kyc.NoMedia})))
		}},
		{name: "face photos orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: digits(n)})))
		}},
		// Will (docs/C-ocr-will-nfc-eid.md §5.2-5.6).
		{name: "will orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			r.OrderNo = digits(n)
			return str(r.OrderNo, second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will rounds", field: "willContentList", limit: kyc.MaxWillRounds, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			r.Rounds = nil
			for range n {
				r.Rounds = append(r.Rounds, kyc.WillRound{Question: "问", Answers: []string{"是"}})
			}
			return str("", second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will question", field: "willContentList.question", limit: kyc.MaxWillQuestion, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			r.Rounds[0].Question = hanzi(n)
			return str(r.Rounds[0].Question, second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will question in UTF-16 units", field: "willContentList.question", limit: kyc.MaxWillQuestion, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			// U+20000 is two UTF-16 units, as the service's Java counts it.
			r.Rounds[0].Question = strings.Repeat("\U00020000", n/2) + hanzi(n%2)
			return str(r.Rounds[0].Question, second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will questions in all", field: "willContentList.question", limit: kyc.MaxWillQuestionTotal, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			r.Rounds = rounds(n)
			return str("", second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will answer", field: "willContentList.answer", limit: kyc.MaxWillAnswer, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			r.Rounds[0].Answers = []string{hanzi(n)}
			return str(hanzi(n), second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will answers with separators", field: "willContentList.answer", limit: kyc.MaxWillAnswer, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			// n-2 characters of answers and two "|" between three alternatives.
			r.Rounds[0].Answers = []string{"是", "好", hanzi(n - 4)}
			return str("", second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will midAnswer bytes", field: "willMidAnswer", limit: kyc.MaxWillMidAnswer, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			r.H5Fallback, r.MidAnswer = true, ascii(n)
			return str(r.MidAnswer, second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will midAnswer bytes, multi-byte", field: "willMidAnswer", limit: kyc.MaxWillMidAnswer, call: func(ctx C, c K, n int) (string, error) {
			r := okWill()
			// Three bytes per 请: the limit counts bytes, not characters.
			r.H5Fallback, r.MidAnswer = true, strings.Repeat("请", n/3)+ascii(n%3)
			return str(r.MidAnswer, second(c.Will.GetFaceID(ctx, r)))
		}},
		{name: "will nonce", field: "nonce", limit: 32, hasMin: true, min: 32, call: func(ctx C, c K, n int) (string, error) {
			nonce := ascii(n)
			return str(nonce, second(c.Will.GetFaceID(ctx, okWill(), kyc.WithNonce(nonce))))
		}},
		{name: "will SDK start faceId", field: "faceId", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.Will.SDKParams(ctx, &kyc.FaceID{OrderNo: newOrderNo(), UserID: "user1", FaceID: ascii(n)})))
		}},
		{name: "will login faceId", field: "faceId", limit: 32, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: ascii(n), OrderNo: newOrderNo(), UserID: "user1"}, CallbackURL: "https://partner.example/cb"}
			return str(r.Face.FaceID, second(c.Will.H5LoginURL(ctx, r)))
		}},
		{name: "will login callback url", field: "url", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: newOrderNo(), UserID: "user1"}, CallbackURL: urlOf(n)}
			return str(r.CallbackURL, second(c.Will.H5LoginURL(ctx, r)))
		}},
		{name: "will result orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: digits(n)})))
		}},
		// OCR (docs/C-ocr-will-nfc-eid.md §2, §3): the SDKs take a userId of 30.
		{name: "ID-card OCR start userId", field: "userId", limit: 30, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: newOrderNo(), UserID: ascii(n)})))
		}},
		{name: "bank-card OCR start userId", field: "userId", limit: 30, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.OCR.BankCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: newOrderNo(), UserID: ascii(n)})))
		}},
		{name: "ID-card OCR start orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: digits(n), UserID: "user1"})))
		}},
		{name: "ID-card OCR result orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: digits(n)})))
		}},
		{name: "bank-card OCR result orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: digits(n)})))
		}},
		// NFC (docs/C-ocr-will-nfc-eid.md §6).
		{name: "NFC upload orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.NFCCertIDRequest{OrderNo: digits(n), UserID: "user1", CardType: kyc.NFCIDCard}
			return str(r.OrderNo, second(c.NFC.GetCertID(ctx, r)))
		}},
		{name: "NFC upload userId", field: "userId", limit: 30, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.NFCCertIDRequest{OrderNo: newOrderNo(), UserID: ascii(n), CardType: kyc.NFCIDCard}
			return str(r.UserID, second(c.NFC.GetCertID(ctx, r)))
		}},
		{name: "NFC upload nonce", field: "nonce", limit: 32, hasMin: true, min: 32, call: func(ctx C, c K, n int) (string, error) {
			r, nonce := kyc.NFCCertIDRequest{OrderNo: newOrderNo(), UserID: "user1", CardType: kyc.NFCIDCard}, ascii(n)
			return str(nonce, second(c.NFC.GetCertID(ctx, r, kyc.WithNonce(nonce))))
		}},
		{name: "NFC start ocrCertId", field: "ocrCertId", limit: 40, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: newOrderNo(), UserID: "user1", CertID: ascii(n)})))
		}},
		{name: "NFC start userId", field: "userId", limit: 30, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: newOrderNo(), UserID: ascii(n), CertID: "cert1"})))
		}},
		{name: "NFC result reqId", field: "reqId", limit: 40, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: newOrderNo(), ReqID: ascii(n)})))
		}},
		{name: "NFC result orderNo", field: "orderNo", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: digits(n), ReqID: "rq1"})))
		}},
		// API 3.0: DetectAuth, GetDetectInfoEnhanced (docs/D-api3-actions.md).
		{name: "DetectAuth RuleId", field: "RuleId", limit: 64, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(digits(n), second(c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: digits(n)})))
		}},
		{name: "DetectAuth Name", field: "Name", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: hanzi(n), IDCard: cloudIDCard}
			return str(r.Name, second(c.Detect.Auth(ctx, r)))
		}},
		{name: "DetectAuth IdCard", field: "IdCard", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: cloudName, IDCard: digits(n)}
			return str(r.IDCard, second(c.Detect.Auth(ctx, r)))
		}},
		{name: "DetectAuth RedirectUrl", field: "RedirectUrl", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, RedirectURL: urlOf(n)}
			return str(r.RedirectURL, second(c.Detect.Auth(ctx, r)))
		}},
		{name: "DetectAuth Extra", field: "Extra", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Extra: hanzi(n)}
			return str(r.Extra, second(c.Detect.Auth(ctx, r)))
		}},
		{name: "DetectAuth ImageBase64 (3 MB encoded)", field: "ImageBase64", limit: 3 << 20 / 4 * 3, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Photo: photoOf(n)}
			return str("", second(c.Detect.Auth(ctx, r)))
		}},
		{name: "GetDetectInfoEnhanced BizToken", field: "BizToken", limit: 128, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectInfoRequest{BizToken: ascii(n), RuleID: kyctest.DefaultRuleID, Parts: kyc.PartText}
			return str(r.BizToken, second(c.Detect.InfoEnhanced(ctx, r)))
		}},
		{name: "GetDetectInfoEnhanced RuleId", field: "RuleId", limit: 64, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectInfoRequest{BizToken: "T1", RuleID: digits(n), Parts: kyc.PartText}
			return str(r.RuleID, second(c.Detect.InfoEnhanced(ctx, r)))
		}},
		{name: "GetDetectInfoEnhanced BestFramesCount", field: "BestFramesCount", limit: 10, hasMin: true, min: 0, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.DetectInfoRequest{BizToken: "T1", RuleID: kyctest.DefaultRuleID, Parts: kyc.PartBestFrames, BestFrames: n}
			return str("", second(c.Detect.InfoEnhanced(ctx, r)))
		}},
		// API 3.0: eID (docs/C-ocr-will-nfc-eid.md §4, D).
		{name: "GetEidToken MerchantId", field: "MerchantId", limit: 50, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: ascii(n)})))
		}},
		{name: "GetEidToken Name", field: "Name", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.EIDTokenRequest{MerchantID: "M1", Name: hanzi(n), IDCard: cloudIDCard}
			return str(r.Name, second(c.EID.Token(ctx, r)))
		}},
		{name: "GetEidToken IdCard", field: "IdCard", limit: 32, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.EIDTokenRequest{MerchantID: "M1", Name: cloudName, IDCard: digits(n)}
			return str(r.IDCard, second(c.EID.Token(ctx, r)))
		}},
		{name: "GetEidToken Extra", field: "Extra", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.EIDTokenRequest{MerchantID: "M1", Extra: ascii(n)}
			return str(r.Extra, second(c.EID.Token(ctx, r)))
		}},
		{name: "GetEidToken RedirectUrl", field: "RedirectUrl", limit: 1024, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.EIDTokenRequest{MerchantID: "M1", RedirectURL: urlOf(n)}
			return str(r.RedirectURL, second(c.EID.Token(ctx, r)))
		}},
		{name: "GetEidToken IntentionVerifyText", field: "Config.IntentionVerifyText", limit: 120, call: func(ctx C, c K, n int) (string, error) {
			r := kyc.EIDTokenRequest{MerchantID: "M1", Config: &kyc.EIDTokenConfig{UseIntentionVerify: true, IntentionVerifyText: hanzi(n)}}
			return str(r.Config.IntentionVerifyText, second(c.EID.Token(ctx, r)))
		}},
		{name: "GetEidToken IntentionQuestions", field: "Config.IntentionQuestions", limit: 10, call: func(ctx C, c K, n int) (string, error) {
			cfg := eidQuestion("问", "是")
			for range n - 1 {
				cfg.IntentionQuestions = append(cfg.IntentionQuestions, cfg.IntentionQuestions[0])
			}
			return str("", second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: cfg})))
		}},
		{name: "GetEidToken Question", field: "Config.IntentionQuestions.Question", limit: 250, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			cfg := eidQuestion(hanzi(n), "是")
			return str(hanzi(n), second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: cfg})))
		}},
		{name: "GetEidToken Answers", field: "Config.IntentionQuestions.Answers", limit: 50, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			cfg := eidQuestion("问")
			for range n {
				cfg.IntentionQuestions[0].Answers = append(cfg.IntentionQuestions[0].Answers, "是")
			}
			return str("", second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: cfg})))
		}},
		{name: "GetEidToken answer", field: "Config.IntentionQuestions.Answers", limit: 10, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			cfg := eidQuestion("问", hanzi(n))
			return str(hanzi(n), second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: cfg})))
		}},
		{name: "GetEidResult EidToken", field: "EidToken", limit: 128, hasMin: true, min: 1, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: ascii(n), Parts: kyc.PartText})))
		}},
		{name: "GetEidResult BestFramesCount", field: "BestFramesCount", limit: 3, hasMin: true, min: 0, call: func(ctx C, c K, n int) (string, error) {
			return str("", second(c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: "E1", Parts: kyc.PartBestFrames, BestFrames: n})))
		}},
		{name: "CheckEidTokenStatus EidToken", field: "EidToken", limit: 128, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(c.EID.TokenStatus(ctx, ascii(n))))
		}},
		// API 3.0: bills (docs/B-h5-wechat-billing.md §6, D: at most 365 days back).
		{name: "GetWeChatBillDetails days back", field: "Date", limit: kyc.BillMaxAgeDays, call: func(ctx C, c K, n int) (string, error) {
			_, err := c.Billing.FetchDay(ctx, kyc.DayOf(srv.Clock.Now()).AddDays(-n), kyctest.DefaultRuleID)
			return "", err
		}},
		{name: "GetWeChatBillDetails RuleId", field: "RuleId", limit: 64, call: func(ctx C, c K, n int) (string, error) {
			_, err := c.Billing.FetchDay(ctx, kyc.DayOf(srv.Clock.Now()).AddDays(-2), digits(n))
			return digits(n), err
		}},
		// Options: checked by New, nothing is sent.
		{name: "option appId", field: "appId", limit: 32, hasMin: true, min: 1, local: true, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(kyc.New(ascii(n), "secret")))
		}},
		{name: "option secret", field: "secret", limit: 128, hasMin: true, min: 1, local: true, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(kyc.New("IDAXXXXX", ascii(n))))
		}},
		{name: "option SecretKey", field: "SecretKey", limit: 128, hasMin: true, min: 1, local: true, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(kyc.NewCloud("AKIDEXAMPLE", ascii(n))))
		}},
		{name: "option region", field: "region", limit: 32, hasMin: true, min: 1, local: true, call: func(ctx C, c K, n int) (string, error) {
			return str(ascii(n), second(kyc.NewCloud("AKIDEXAMPLE", "key", kyc.WithCloudRegion(ascii(n)))))
		}},
	}
}

func second[T any](_ T, err error) error { return err }

// TestLimitBoundaries checks every documented limit at its boundary: a value of exactly the
// limit is accepted (sent, not refused locally) and one more is refused with an *InputError
// naming the field, before anything is sent (no ticket either), and without the value in the
// message. Where a limit has a lower bound, the same holds at min and min-1.
func TestLimitBoundaries(t *testing.T) {
	srv, c := newFullPair(t)
	ctx := context.Background()
	for _, tc := range append(limitCases(srv), intentionLimitCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			accept := func(n int) {
				t.Helper()
				before := srv.TotalRequests()
				_, err := tc.call(ctx, c, n)
				var ie *kyc.InputError
				if errors.As(err, &ie) {
					t.Fatalf("size %d (the limit) refused locally: %v", n, err)
				}
				if tc.local {
					require.NoError(t, err, "size %d", n)
				} else {
					require.Positive(t, srv.TotalRequests()-before, "size %d (the limit) was not sent", n)
				}
			}
			refuse := func(n int) {
				t.Helper()
				before := srv.TotalRequests()
				v, err := tc.call(ctx, c, n)
				var ie *kyc.InputError
				require.ErrorAs(t, err, &ie, "size %d must be refused locally", n)
				require.Equal(t, tc.field, ie.Field, "size %d: %v", n, err)
				require.ErrorIs(t, err, kyc.ErrInvalidInput)
				require.Equal(t, before, srv.TotalRequests(), "size %d: nothing may be sent, no ticket fetched", n)
				if len(v) >= 8 {
					require.NotContains(t, err.Error(), v, "the message names the rule, never the value")
				}
			}
			accept(tc.limit)
			refuse(tc.limit + 1)
			if tc.hasMin {
				accept(tc.min)
				refuse(tc.min - 1)
			}
		})
	}
}
