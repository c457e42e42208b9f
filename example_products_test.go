package kyc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// The OCR, will and NFC examples run against the fake service; real code gives its WBappids,
// secrets and NFC key, and no base URL.

// exampleOCR returns a client whose OCR has its own appId, as provisioned apart from face.
func exampleOCR() (*kyctest.Server, *kyc.Client) {
	srv := kyctest.NewServer(kyctest.WithApp("IDAOCR01", "ocrSecretFromConsole"))
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithOCRCredentials("IDAOCR01", "ocrSecretFromConsole"))
	if err != nil {
		panic(err)
	}
	return srv, c
}

func ExampleOCRService_AppID() {
	srv, c := exampleOCR()
	defer srv.Close()
	fmt.Println(c.AppID(), c.OCR.AppID())
	// Output: IDAKYCT1 IDAOCR01
}

func ExampleOCRService_IDCardSDKParams() {
	srv, c := exampleOCR()
	defer srv.Close()
	start, err := c.OCR.IDCardSDKParams(context.Background(), kyc.OCRStartRequest{OrderNo: "ocrOrder001", UserID: "user001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(start.Product, start.AppID, len(start.Sign))
	// Output: idcard-ocr IDAOCR01 40
}

func ExampleOCRService_BankCardSDKParams() {
	srv, c := exampleOCR()
	defer srv.Close()
	start, err := c.OCR.BankCardSDKParams(context.Background(), kyc.OCRStartRequest{OrderNo: "bankOrder001", UserID: "user001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(start.Product, start.OrderNo)
	// Output: bankcard-ocr bankOrder001
}

func ExampleOCRService_IDCardResult() {
	srv, c := exampleOCR()
	defer srv.Close()
	card := kyctest.SampleIDCard() // the app's SDK scans the card for this orderNo
	card.AppID, card.FrontWarnCode = "IDAOCR01", "10010100"
	_ = srv.CompleteIDCardOCR("ocrOrder001", card)

	res, err := c.OCR.IDCardResult(context.Background(), kyc.IDCardQuery{OrderNo: "ocrOrder001", Images: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.FrontOK(), res.BackOK(), res.FrontWarning.Raised(), len(res.HeadPhoto) > 0)
	fmt.Println(res) // identity and images redacted
	// Output:
	// true true [1 4 6] true
	// IDCardResult{code: 0, orderNo: ocrOrder001, frontCode: 0, backCode: 0, name: REDACTED, idNo: REDACTED, address: REDACTED, images: 102400 bytes}
}

func ExampleOCRService_IDCardResultTo() {
	srv, c := exampleOCR()
	defer srv.Close()
	card := kyctest.SampleIDCard()
	card.AppID = "IDAOCR01"
	_ = srv.CompleteIDCardOCR("ocrOrder001", card)
	var front bytes.Buffer // e.g. an object-store upload
	_, err := c.OCR.IDCardResultTo(context.Background(), kyc.IDCardQuery{OrderNo: "ocrOrder001"}, kyc.IDCardWriters{Front: &front})
	fmt.Println(err, front.Len())
	// Output: <nil> 20480
}

func ExampleOCRService_BankCardResult() {
	srv, c := exampleOCR()
	defer srv.Close()
	card := kyctest.SampleBankCard()
	card.AppID, card.MultiWarnCode = "IDAOCR01", "[-9110, -9114]"
	_ = srv.CompleteBankCardOCR("bankOrder001", card)
	res, err := c.OCR.BankCardResult(context.Background(), kyc.BankCardQuery{OrderNo: "bankOrder001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.ValidDate, res.Warnings())
	// Output: true 12/2030 [invalid date information re-capture of a screen or photo]
}

func ExampleOCRService_BankCardResultTo() {
	srv, c := exampleOCR()
	defer srv.Close()
	card := kyctest.SampleBankCard()
	card.AppID = "IDAOCR01"
	_ = srv.CompleteBankCardOCR("bankOrder001", card)
	var strip bytes.Buffer
	res, err := c.OCR.BankCardResultTo(context.Background(), kyc.BankCardQuery{OrderNo: "bankOrder001"}, kyc.BankCardWriters{Number: &strip})
	fmt.Println(err, res.Passed(), strip.Len() > 0)
	// Output: <nil> true true
}

// willFaceID uploads one will verification for the examples.
func willFaceID(c *kyc.Client, orderNo string) *kyc.FaceID {
	face, err := c.Will.GetFaceID(context.Background(), kyc.WillFaceIDRequest{
		OrderNo: orderNo, UserID: "user001", Name: "测试用户", IDNo: "KYCTEST0000000001",
		Rounds: []kyc.WillRound{{Question: "请问您本次业务是本人自愿办理吗？请回答：我确认", Answers: []string{"我确认", "确认"}}},
	})
	if err != nil {
		panic(err)
	}
	return face
}

func ExampleWillService_GetFaceID() {
	srv, c := exampleClient()
	defer srv.Close()
	face, err := c.Will.GetFaceID(context.Background(), kyc.WillFaceIDRequest{
		OrderNo: "willOrder001", UserID: "user001", Name: "测试用户", IDNo: "KYCTEST0000000001",
		Mode: kyc.WillQA, Speed: 0.8,
		Rounds: []kyc.WillRound{
			{Question: "您是否知晓本次业务的风险？请回答：知晓", Answers: []string{"知晓", "是的"}},
			{Question: "本次业务是否为您本人自愿办理？请回答：我确认", Answers: []string{"我确认"}},
		},
	})
	fmt.Println(err, len(face.FaceID))
	// A sixth round, an eleven-character answer or a 251-character question is refused before
	// anything is sent.
	_, err = c.Will.GetFaceID(context.Background(), kyc.WillFaceIDRequest{OrderNo: "willOrder002", UserID: "user001",
		Name: "测试用户", IDNo: "KYCTEST0000000001", Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"我确认我确认我确认我确认"}}}})
	fmt.Println(errors.Is(err, kyc.ErrInvalidInput))
	// Output:
	// <nil> 32
	// true
}

func ExampleWillService_SDKParams() {
	srv, c := exampleClient()
	defer srv.Close()
	face := willFaceID(c, "willOrder001")
	start, err := c.Will.SDKParams(context.Background(), face)
	if err != nil {
		panic(err)
	}
	fmt.Println(start.Product, start.VerifyMode, srv.CheckNonceSignature(start.AppID, start.UserID, start.Nonce, start.Sign))
	// Output: will GRADE <nil>
}

func ExampleWillService_H5LoginURL() {
	srv, c := exampleClient()
	defer srv.Close()
	face := willFaceID(c, "willOrder001")
	login, err := c.Will.H5LoginURL(context.Background(), kyc.WillLoginRequest{Face: face, CallbackURL: "https://partner.example/will/done", From: kyc.FromBrowser})
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(login)
	fmt.Println(u.Path, u.Query().Get("from")) // answer the browser with a 302 to login
	// Output: /api/web/willLogin browser
}

func ExampleWillService_VerifyCallback() {
	srv, c := exampleClient()
	defer srv.Close()
	willFaceID(c, "willOrder001")
	back, _ := srv.WillCallbackURL("willOrder001", kyctest.WillWrongAnswer, "https://partner.example/will/done")
	u, _ := url.Parse(back)
	cb, err := c.Will.VerifyCallback(context.Background(), u.Query())
	fmt.Println(err, cb.Code, cb.FaceCode, cb.WillCode, cb.UnsignedFields)
	// Output: <nil> 66666006 0 66666006 [h5faceId liveRate faceCode willCode]
}

func ExampleWillService_VerifyCallbackRequest() {
	srv, c := exampleClient()
	defer srv.Close()
	willFaceID(c, "willOrder001")
	back, _ := srv.WillCallbackURL("willOrder001", kyctest.WillPass, "https://partner.example/will/done")
	r, _ := http.NewRequest(http.MethodGet, back, nil) // in a handler: the request itself
	cb, err := c.Will.VerifyCallbackRequest(context.Background(), r)
	fmt.Println(err, cb.Passed())
	// Output: <nil> true
}

func ExampleWillService_QueryResult() {
	srv, c := exampleClient()
	defer srv.Close()
	willFaceID(c, "willOrder001")
	_ = srv.CompleteWill("willOrder001", kyctest.WillWrongAnswer)
	res, err := c.Will.QueryResult(context.Background(), kyc.WillQuery{OrderNo: "willOrder001"})
	fmt.Println(err, res.Code, res.FaceCode, res.WillCode, errors.Is(res.Err(), kyc.ErrVerificationFailed))
	// Output: <nil> 66666006 0 66666006 true
}

func ExampleWillService_QueryResultTo() {
	srv, c := exampleClient()
	defer srv.Close()
	willFaceID(c, "willOrder001")
	_ = srv.CompleteWill("willOrder001", kyctest.WillPass)
	var audio, video bytes.Buffer // e.g. files on an evidence store
	res, err := c.Will.QueryResultTo(context.Background(), kyc.WillQuery{OrderNo: "willOrder001", Files: kyc.AllWillFiles},
		kyc.WillWriters{UserAudio: &audio, UserVideo: &video, TurnUserAudio: func(int) io.Writer { return io.Discard }})
	fmt.Println(err, res.Passed(), audio.Len(), video.Len())
	// Output: <nil> true 16384 204800
}

func ExampleWillService_WaitForFiles() {
	srv := kyctest.NewServer(kyctest.WithMediaDelay(1)) // files lag the verdict
	defer srv.Close()
	c, _ := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithMediaWait(3, 0))
	willFaceID(c, "willOrder001")
	_ = srv.CompleteWill("willOrder001", kyctest.WillPass)
	res, err := c.Will.WaitForFiles(context.Background(), kyc.WillQuery{OrderNo: "willOrder001", Face: kyc.PhotoOnly, Files: kyc.AllWillFiles})
	fmt.Println(err, len(res.Photo) > 0, len(res.UserAudio) > 0)
	// Output: <nil> true true
}

// exampleNFC returns a client with the console's NFC key.
func exampleNFC() (*kyctest.Server, *kyc.Client) {
	const key = "7F26724F72D48EBA5AD3848B30B81122" // the manual's example key
	srv := kyctest.NewServer(kyctest.WithNFCKey(key))
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(key))
	if err != nil {
		panic(err)
	}
	return srv, c
}

func ExampleNFCService_GetCertID() {
	srv, c := exampleNFC()
	defer srv.Close()
	cert, err := c.NFC.GetCertID(context.Background(), kyc.NFCCertIDRequest{OrderNo: "nfcOrder001", UserID: "user001", CardType: kyc.NFCIDCard})
	fmt.Println(err, len(cert.CertID))
	// Output: <nil> 32
}

func ExampleNFCService_SDKParams() {
	srv, c := exampleNFC()
	defer srv.Close()
	cert, _ := c.NFC.GetCertID(context.Background(), kyc.NFCCertIDRequest{OrderNo: "nfcOrder001", UserID: "user001", CardType: kyc.NFCHKMacauPermit})
	start, err := c.NFC.SDKParams(context.Background(), cert)
	fmt.Println(err, start.Product, start.OCRCertID == cert.CertID)
	// Output: <nil> nfc true
}

func ExampleNFCService_QueryResult() {
	srv, c := exampleNFC()
	defer srv.Close()
	ctx := context.Background()
	_, _ = c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: "nfcOrder001", UserID: "user001", CardType: kyc.NFCIDCard})
	reqID, _ := srv.CompleteNFC("nfcOrder001", kyctest.SampleNFCCard()) // the app's SDK reads the chip
	res, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "nfcOrder001", ReqID: reqID})
	fmt.Println(err, res.Card.ValidDateEnd, res.Card.ReqID == reqID)
	fmt.Printf("%v\n", res.Card.Name == kyctest.SampleNFCCard().Name && !bytes.Contains([]byte(fmt.Sprint(res.Card)), []byte(res.Card.Name))) // printed redacted
	for range 9 {
		_, _ = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "nfcOrder001", ReqID: reqID})
	}
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "nfcOrder001", ReqID: reqID}) // the eleventh: not sent
	fmt.Println(errors.Is(err, kyc.ErrRateLimited))
	// Output:
	// <nil> 20400101 true
	// true
	// true
}
