package kyc_test

import (
	"context"
	"fmt"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
	"github.com/kycgo/kyc/kyctest"
)

// The README's examples of package checks, one per service, run against the fake service. Real
// code makes the client with kyc.NewCloud(secretID, secretKey).
func checksReadme() (*kyctest.Server, *checks.Client) {
	srv := kyctest.NewServer()
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock))
	if err != nil {
		panic(err)
	}
	return srv, checks.New(c)
}

// readmePhoto is a photo as it would be read from a file.
func readmePhoto(string) ([]byte, error) {
	return []byte("\xff\xd8\xff\xe0\x00\x10JFIF readme photo\xff\xd9"), nil
}

func Example_checksIDCard() {
	srv, ch := checksReadme()
	defer srv.Close()
	ctx := context.Background()
	srv.MismatchIdentity("测试用户", "KYCTEST0000000002") // the fake: this pair does not match
	fmt.Println(idCardCheck(ctx, ch, "测试用户", "KYCTEST0000000001"))
	fmt.Println(idCardCheck(ctx, ch, "测试用户", "KYCTEST0000000002"))
	// Output:
	// true true <nil>
	// false true <nil>
}

// Run by Example_checksIDCard (checks_example_test.go).
func idCardCheck(ctx context.Context, ch *checks.Client, name, idNumber string) (match, billed bool, err error) {
	res, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: name, IDCard: idNumber})
	if err != nil {
		return false, false, err // *kyc.InputError (nothing sent) or *kyc.APIError (Code, RequestID)
	}
	// res.Result: "0" match, "-1" mismatch (both charged), "-2".."-7" not charged
	return res.Passed(), res.Billed(), nil
}

func Example_checksBankCard() {
	srv, ch := checksReadme()
	defer srv.Close()
	srv.MismatchBankCard("6200000000000000009")
	fmt.Println(bankCardCheck(context.Background(), ch, "测试用户", "KYCTEST0000000001", "6200000000000000009", "13800000000"))
	// Output: -1 false <nil>
}

// Run by Example_checksBankCard (checks_example_test.go).
func bankCardCheck(ctx context.Context, ch *checks.Client, name, idNumber, card, phone string) (string, bool, error) {
	res, err := ch.BankCard.Verify4E(ctx, checks.BankCard4ERequest{Name: name, IDCard: idNumber, BankCard: card, Phone: phone})
	if err != nil {
		return "", false, err
	}
	return res.Result, res.Passed(), nil // Verify2E, Verify3E and Information likewise
}

func Example_checksPhone() {
	srv, ch := checksReadme()
	defer srv.Close()
	srv.SetPhoneStatus("13800000002", kyctest.PhoneCancelled)
	fmt.Println(phoneCheck(context.Background(), ch, "13800000002"))
	fmt.Println(phoneCheck(context.Background(), ch, "13800000003"))
	// Output:
	// 2 true <nil>
	// 0 true <nil>
}

// Run by Example_checksPhone (checks_example_test.go).
func phoneCheck(ctx context.Context, ch *checks.Client, mobile string) (int64, bool, error) {
	res, err := ch.Phone.Status(ctx, checks.MobileRequest{Mobile: mobile})
	if err != nil {
		return 0, false, err
	}
	// StatusCode: 0 normal, 1 suspended, 2 cancelled, 4 not on the network, 5 unusable, 99 unknown
	return res.StatusCode, res.Passed(), nil
}

func Example_checksFace() {
	srv, ch := checksReadme()
	defer srv.Close()
	fmt.Println(faceCheck(context.Background(), ch, "selfie.jpg"))
	photo, _ := readmePhoto("selfie.jpg")
	srv.FakeFace(photo) // the fake: this photo is an attack
	fmt.Println(faceCheck(context.Background(), ch, "selfie.jpg"))
	// Output:
	// Low true <nil>
	// High false <nil>
}

// Run by Example_checksFace (checks_example_test.go).
func faceCheck(ctx context.Context, ch *checks.Client, path string) (string, bool, error) {
	photo, err := readmePhoto(path) // os.ReadFile(path), or checks.FromReader(f) for an open file
	if err != nil {
		return "", false, err
	}
	res, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{FaceInput: checks.Bytes(photo), FaceInputType: 1})
	if err != nil {
		return "", false, err // a photo over the documented 10 MB (base64) is refused before sending
	}
	return res.AttackRiskLevel, res.Passed(), nil // block High
}

func Example_callCloud() {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, _ := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock))
	fmt.Println(anyAction(context.Background(), c))
	// Output: 0 <nil>
}

// Run by Example_callCloud (checks_example_test.go).
func anyAction(ctx context.Context, c *kyc.Client) (string, error) {
	var out struct {
		Result, Description string
		StatusCode          int64
	}
	err := c.CallCloud(ctx, "MobileStatus", map[string]any{"Mobile": "13800000000"}, &out)
	return out.Result, err // err: *kyc.APIError with Code and RequestID
}
