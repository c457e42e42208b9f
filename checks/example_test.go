package checks_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
	"github.com/kycgo/kyc/kyctest"
)

// exampleChecks starts a fake service and the checks of a client pointed at it. Real code makes
// the client with kyc.NewCloud(secretID, secretKey) and calls checks.New(c) once.
func exampleChecks() (*kyctest.Server, *checks.Client) {
	srv := kyctest.NewServer()
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock))
	if err != nil {
		panic(err)
	}
	return srv, checks.New(c)
}

// Invented media of the examples: a photo and a video as read from files.
var (
	photo = []byte("\xff\xd8\xff\xe0\x00\x10JFIF example photo\xff\xd9")
	video = []byte("\x00\x00\x00\x18ftypisom example video")
)

func ExampleNew() {
	c, err := kyc.NewCloud("AKIDexample", "secretKeyExample")
	if err != nil {
		panic(err)
	}
	ch := checks.New(c)
	fmt.Println(ch.IDCard != nil, ch.BankCard != nil, ch.Phone != nil, ch.Face != nil)
	// Output: true true true true
}

func ExampleIDCardService_Verify() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: "测试用户", IDCard: "KYCTEST0000000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed(), res.Billed())
	// Output: 0 true true
}

func ExampleIDCardService_VerifyOCR() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.IDCard.VerifyOCR(ctx, checks.IDCardOCRRequest{ImageBase64: checks.Bytes(photo), Config: `{"TempIdWarn":true}`})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed(), res.Nation)
	// Output: 0 true 汉
}

func ExampleIDCardService_VerifyValidity() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.IDCard.VerifyValidity(ctx, checks.IDCardValidityRequest{Name: "测试用户", IDCard: "KYCTEST0000000001",
		ValidityBegin: "20200101", ValidityEnd: "00000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: 0 true
}

func ExampleIDCardService_CheckCard() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.IDCard.CheckCard(ctx, checks.IDCardInformationRequest{ImageBase64: checks.FromReader(bytes.NewReader(photo))})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Sim >= 70, res.Passed())
	// Output: Success true true
}

func ExampleBankCardService_Information() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.BankCard.Information(ctx, checks.BankCardInformationRequest{BankCard: "6200000000000000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.AccountType)
	// Output: true 1
}

func ExampleBankCardService_Verify2E() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.BankCard.Verify2E(ctx, checks.BankCard2ERequest{Name: "测试用户", BankCard: "6200000000000000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: 0 true
}

func ExampleBankCardService_Verify3E() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.BankCard.Verify3E(ctx, checks.BankCard3ERequest{Name: "测试用户", IDCard: "KYCTEST0000000001", BankCard: "6200000000000000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: 0 true
}

func ExampleBankCardService_Verify4E() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.BankCard.Verify4E(ctx, checks.BankCard4ERequest{Name: "测试用户", IDCard: "KYCTEST0000000001",
		BankCard: "6200000000000000001", Phone: "13800000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: 0 true
}

func ExamplePhoneService_NetworkTime() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.NetworkTime(ctx, checks.MobileRequest{Mobile: "13800000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Range)
	// Output: 0 [24,+)
}

func ExamplePhoneService_Status() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.Status(ctx, checks.MobileRequest{Mobile: "13800000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.StatusCode)
	// Output: true 0
}

func ExamplePhoneService_Verify() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.Verify(ctx, checks.PhoneVerificationRequest{Name: "测试用户", IDCard: "KYCTEST0000000001", Phone: "13800000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Isp)
	// Output: 0 移动
}

func ExamplePhoneService_VerifyCMCC() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.VerifyCMCC(ctx, checks.CarrierVerificationRequest{Name: "测试用户", IDCard: "KYCTEST0000000001", Phone: "13800000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.Isp)
	// Output: true 移动
}

func ExamplePhoneService_VerifyCTCC() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.VerifyCTCC(ctx, checks.CarrierVerificationRequest{Name: "测试用户", IDCard: "KYCTEST0000000001", Phone: "13300000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.Isp)
	// Output: true 电信
}

func ExamplePhoneService_VerifyCUCC() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.VerifyCUCC(ctx, checks.CarrierVerificationRequest{Name: "测试用户", IDCard: "KYCTEST0000000001", Phone: "13000000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.Isp)
	// Output: true 联通
}

func ExamplePhoneService_VerifyName() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Phone.VerifyName(ctx, checks.PhoneNameRequest{Name: "测试用户", Mobile: "13800000000"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: 0 true
}

func ExampleFaceService_DetectFake() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{FaceInput: checks.Bytes(photo), FaceInputType: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.AttackRiskLevel, res.Passed())
	// Output: Low true
}

func ExampleFaceService_LivenessWithID() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: "测试用户", IDCard: "KYCTEST0000000001",
		LivenessType: "SILENT", VideoBase64: checks.FromReader(bytes.NewReader(video))})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Sim >= 70, res.BestFrameBase64 != "")
	// Output: Success true true
}

func ExampleFaceService_LivenessWithPhoto() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Face.LivenessWithPhoto(ctx, checks.LivenessCompareRequest{LivenessType: "SILENT",
		ImageBase64: checks.Bytes(photo), VideoBase64: checks.Bytes(video)})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: Success true
}

func ExampleFaceService_PhotoWithID() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Face.PhotoWithID(ctx, checks.ImageRecognitionRequest{Name: "测试用户", IDCard: "KYCTEST0000000001", ImageBase64: checks.Bytes(photo)})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result, res.Passed())
	// Output: Success true
}

func ExampleFaceService_PhotoWithIDV2() {
	srv, ch := exampleChecks()
	defer srv.Close()
	ctx := context.Background()
	res, err := ch.Face.PhotoWithIDV2(ctx, checks.ImageRecognitionV2Request{Name: "测试用户", IDCard: "KYCTEST0000000001",
		ImageBase64: checks.Bytes(photo), Extra: "order-42"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Passed(), res.Billed(), res.Extra)
	// Output: true true order-42
}
