package checks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
	"github.com/kycgo/kyc/kyctest"
)

// TestOutcomesChosenPerInput: the outcomes a test chooses on kyctest come back typed, with
// Passed and Billed as the documentation says.
func TestOutcomesChosenPerInput(t *testing.T) {
	srv, ch, _ := newPair(t)
	ctx := context.Background()

	// A name / ID pair that does not match: "-1", charged.
	srv.MismatchIdentity(testName, testID)
	id, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: testName, IDCard: testID})
	require.NoError(t, err)
	require.Equal(t, "-1", id.Result)
	require.False(t, id.Passed())
	require.True(t, id.Billed())
	other, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: testName, IDCard: "KYCTEST0000000002"})
	require.NoError(t, err)
	require.True(t, other.Passed(), "only the chosen pair mismatches")
	live, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: testName, IDCard: testID,
		LivenessType: "SILENT", VideoBase64: checks.Bytes(testVideo)})
	require.NoError(t, err)
	require.Equal(t, "FailedOperation.IdNameMisMatch", live.Result)
	require.True(t, live.Billed(), "IdNameMisMatch is charged")
	require.False(t, live.Passed())

	// A phone registered to someone else: "-4" and, in detailed mode, the detail.
	srv.MismatchPhone("13900000009")
	pv, err := ch.Phone.Verify(ctx, checks.PhoneVerificationRequest{Name: "测试二", IDCard: "KYCTEST0000000003",
		Phone: "13900000009", VerifyMode: "1"})
	require.NoError(t, err)
	require.Equal(t, "-4", pv.Result)
	require.Equal(t, "PhoneNameIdCardMismatch", pv.ResultDetail)
	require.Equal(t, "移动", pv.Isp)
	require.True(t, pv.Billed())
	pn, err := ch.Phone.VerifyName(ctx, checks.PhoneNameRequest{Mobile: "13900000009", Name: "测试二"})
	require.NoError(t, err)
	require.Equal(t, "1", pn.Result)
	require.True(t, pn.Billed())

	// A number out of service: MobileStatus says so; the carrier check has no record (not charged).
	srv.SetPhoneStatus("13800000007", kyctest.PhoneCancelled)
	st, err := ch.Phone.Status(ctx, checks.MobileRequest{Mobile: "13800000007"})
	require.NoError(t, err)
	require.Equal(t, int64(2), st.StatusCode)
	require.True(t, st.Passed())
	cm, err := ch.Phone.VerifyCMCC(ctx, checks.CarrierVerificationRequest{Name: "测试三", IDCard: "KYCTEST0000000004", Phone: "13800000007"})
	require.NoError(t, err)
	require.Equal(t, "-9", cm.Result)
	require.False(t, cm.Billed())
	nt, err := ch.Phone.NetworkTime(ctx, checks.MobileRequest{Mobile: "13800000007"})
	require.NoError(t, err)
	require.Equal(t, "-2", nt.Result)
	require.True(t, nt.Billed())
	// A China Telecom number sent to the China Mobile check: out of range, not charged.
	ct, err := ch.Phone.VerifyCMCC(ctx, checks.CarrierVerificationRequest{Name: "测试三", IDCard: "KYCTEST0000000004", Phone: "13300000000"})
	require.NoError(t, err)
	require.Equal(t, "-13", ct.Result)
	require.False(t, ct.Billed())

	// A fake face: the shield rates it High, liveness fails (not charged).
	srv.FakeFace(testPhoto)
	ff, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{FaceInput: checks.FromReader(bytes.NewReader(testPhoto)), FaceInputType: 1})
	require.NoError(t, err)
	require.Equal(t, "High", ff.AttackRiskLevel)
	require.False(t, ff.Passed())
	require.Equal(t, "SuspectedSpoofingAttack", ff.AttackRiskDetailList[0].Type)
	require.Less(t, ff.ExtraInfo.RetrievalLivenessExtraInfo[0].SimilarityScore, 0.6)
	img, err := ch.Face.PhotoWithIDV2(ctx, checks.ImageRecognitionV2Request{Name: "测试四", IDCard: "KYCTEST0000000005",
		ImageBase64: checks.Bytes(testPhoto), Extra: "x1"})
	require.NoError(t, err)
	require.Equal(t, "FailedOperation.LifePhotoDetectFake", img.Result)
	require.False(t, img.Billed())
	require.Equal(t, "x1", img.Extra)

	// A bank card that is not the person's.
	srv.MismatchBankCard(testCard)
	bc, err := ch.BankCard.Verify2E(ctx, checks.BankCard2ERequest{Name: "测试五", BankCard: testCard})
	require.NoError(t, err)
	require.Equal(t, "-1", bc.Result)
	require.True(t, bc.Billed())

	// Any code, forced.
	srv.ForceCheckResult("CheckBankCardInformation", "-4")
	info, err := ch.BankCard.Information(ctx, checks.BankCardInformationRequest{BankCard: "6200000000000000002"})
	require.NoError(t, err)
	require.Equal(t, "-4", info.Result)
	require.False(t, info.Billed(), "daily limit exceeded is not charged")
	srv.ForceCheckResult("CheckBankCardInformation", "")
	info, err = ch.BankCard.Information(ctx, checks.BankCardInformationRequest{BankCard: "6200000000000000002"})
	require.NoError(t, err)
	require.True(t, info.Passed())
	require.Equal(t, int64(1), info.AccountType)
}

// TestServiceRefusals: what the service refuses comes back as an *APIError with its code.
func TestServiceRefusals(t *testing.T) {
	_, _, c := newPair(t)
	ctx := context.Background()
	for _, tc := range []struct {
		action, body, code string
	}{
		{"IdCardVerification", `{"Name":"测试用户","IdCard":"KYCTEST0000000001","Nickname":"x"}`, "UnknownParameter"},
		{"IdCardVerification", `{"Name":"测试用户"}`, "MissingParameter"},
		{"LivenessCompare", `{"LivenessType":"BLINK","ImageUrl":"https://x.example/a.jpg","VideoUrl":"https://x.example/a.mp4"}`, "InvalidParameterValue"},
		{"DetectAIFakeFaces", `{"FaceInput":"AAAA","FaceInputType":3}`, "InvalidParameter"},
		{"DetectAIFakeFaces", `{"FaceInput":"not base64!","FaceInputType":1}`, "FailedOperation.ImageDecodeFailed"},
		{"PhoneVerification", `{"Name":"测试用户","IdCard":"KYCTEST0000000001","Phone":"13800000000","VerifyMode":"2"}`, "InvalidParameterValue"},
		{"MobileStatus", `{"Mobile":"13800000000","Encryption":{"EncryptList":["Mobile"]}}`, "InvalidParameter"},
		{"MobileStatus", `{"Mobile":"13800000000","Encryption":{"EncryptList":["Mobile"],"CiphertextBlob":"a","Iv":"b","Mode":"x"}}`, "UnknownParameter"},
		{"NoSuchCheck", `{}`, "InvalidAction"},
	} {
		err := c.CallCloud(ctx, tc.action, []byte(tc.body), nil)
		var ae *kyc.APIError
		require.ErrorAs(t, err, &ae, tc.action+" "+tc.body)
		require.Equal(t, tc.code, ae.Code, tc.body)
		require.NotEmpty(t, ae.RequestID)
		require.NotContains(t, err.Error(), "测试用户")
	}
}

// TestLocalChecks: bad requests are *kyc.InputError naming the field, and nothing is sent.
func TestLocalChecks(t *testing.T) {
	srv, ch, _ := newPair(t)
	ctx := context.Background()
	big := func(n int) checks.Media { return checks.FromReader(io.LimitReader(zeros{}, int64(n))) }
	photo, video := checks.Bytes(testPhoto), checks.Bytes(testVideo)
	enc := &checks.Encryption{EncryptList: []string{"Name"}, CiphertextBlob: "blob", Iv: "iv"}
	for _, tc := range []struct {
		field string
		call  func() error
	}{
		{"IdCard", func() error {
			_, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: testName})
			return err
		}},
		{"Name", func() error {
			_, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{IDCard: testID})
			return err
		}},
		{"Encryption.CiphertextBlob", func() error {
			_, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: testName, IDCard: testID, Encryption: &checks.Encryption{EncryptList: []string{"Name"}, Iv: "x"}})
			return err
		}},
		{"Encryption.Algorithm", func() error {
			e := *enc
			e.Algorithm = "DES"
			_, err := ch.Phone.Status(ctx, checks.MobileRequest{Mobile: testPhone, Encryption: &e})
			return err
		}},
		{"ValidityBegin", func() error {
			_, err := ch.IDCard.VerifyValidity(ctx, checks.IDCardValidityRequest{Name: testName, IDCard: testID, ValidityBegin: "2020-01-01", ValidityEnd: "00000000"})
			return err
		}},
		{"ValidityEnd", func() error {
			_, err := ch.IDCard.VerifyValidity(ctx, checks.IDCardValidityRequest{Name: testName, IDCard: testID, ValidityBegin: "20200101", ValidityEnd: "20201332"})
			return err
		}},
		{"CertType", func() error {
			_, err := ch.BankCard.Verify3E(ctx, checks.BankCard3ERequest{Name: testName, IDCard: testID, BankCard: testCard, CertType: 1})
			return err
		}},
		{"Phone", func() error {
			_, err := ch.BankCard.Verify4E(ctx, checks.BankCard4ERequest{Name: testName, IDCard: testID, BankCard: testCard})
			return err
		}},
		{"VerifyMode", func() error {
			_, err := ch.Phone.Verify(ctx, checks.PhoneVerificationRequest{Name: testName, IDCard: testID, Phone: testPhone, VerifyMode: "2"})
			return err
		}},
		{"Encryption.Iv", func() error {
			_, err := ch.Phone.Verify(ctx, checks.PhoneVerificationRequest{Name: testName, IDCard: testID, Phone: testPhone, EncryptList: []string{"Name"}, CiphertextBlob: "b"})
			return err
		}},
		{"FaceInput", func() error { _, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{FaceInputType: 1}); return err }},
		{"FaceInputType", func() error { _, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{FaceInput: photo}); return err }},
		{"FaceInput", func() error {
			_, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{FaceInput: big(10<<20/4*3 + 1), FaceInputType: 2})
			return err
		}},
		{"Encryption", func() error {
			_, err := ch.Face.DetectFake(ctx, checks.FakeFacesRequest{EncryptedBody: "x"})
			return err
		}},
		{"LivenessType", func() error {
			_, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: testName, IDCard: testID, LivenessType: "BLINK", VideoBase64: video})
			return err
		}},
		{"VideoBase64", func() error {
			_, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: testName, IDCard: testID, LivenessType: "LIP"})
			return err
		}},
		{"VideoBase64", func() error {
			_, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: testName, IDCard: testID, LivenessType: "LIP", VideoBase64: big(8<<20/4*3 + 1)})
			return err
		}},
		{"VideoUrl", func() error {
			_, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: testName, IDCard: testID, LivenessType: "LIP", VideoURL: "ftp://x/v.mp4"})
			return err
		}},
		{"Optional", func() error {
			_, err := ch.Face.LivenessWithID(ctx, checks.LivenessRecognitionRequest{Name: testName, IDCard: testID, LivenessType: "LIP", VideoBase64: video, Optional: `{"BestFrameNum": 11}`})
			return err
		}},
		{"ImageBase64", func() error {
			_, err := ch.Face.LivenessWithPhoto(ctx, checks.LivenessCompareRequest{LivenessType: "SILENT", VideoBase64: video, ImageBase64: big(3<<20/4*3 + 1)})
			return err
		}},
		{"ImageBase64", func() error {
			_, err := ch.Face.LivenessWithPhoto(ctx, checks.LivenessCompareRequest{LivenessType: "SILENT", VideoBase64: video, ImageBase64: checks.Bytes([]byte{})})
			return err
		}},
		{"ImageBase64", func() error {
			_, err := ch.Face.PhotoWithID(ctx, checks.ImageRecognitionRequest{Name: testName, IDCard: testID})
			return err
		}},
		{"Extra", func() error {
			_, err := ch.Face.PhotoWithIDV2(ctx, checks.ImageRecognitionV2Request{Name: testName, IDCard: testID, ImageBase64: photo, Extra: "eleven char"})
			return err
		}},
		{"ImageBase64", func() error {
			_, err := ch.IDCard.CheckCard(ctx, checks.IDCardInformationRequest{ImageBase64: big(7<<20/4*3 + 1)})
			return err
		}},
		{"Config", func() error {
			_, err := ch.IDCard.CheckCard(ctx, checks.IDCardInformationRequest{ImageBase64: photo, Config: `{"CopyWarn":"yes"}`})
			return err
		}},
		{"Encryption", func() error {
			_, err := ch.IDCard.CheckCard(ctx, checks.IDCardInformationRequest{ImageBase64: photo, IsEncrypt: true})
			return err
		}},
		{"Name", func() error { _, err := ch.IDCard.VerifyOCR(ctx, checks.IDCardOCRRequest{IDCard: testID}); return err }},
		{"ImageBase64", func() error { _, err := ch.IDCard.VerifyOCR(ctx, checks.IDCardOCRRequest{}); return err }},
		{"BankCard", func() error { _, err := ch.BankCard.Information(ctx, checks.BankCardInformationRequest{}); return err }},
		{"Mobile", func() error { _, err := ch.Phone.VerifyName(ctx, checks.PhoneNameRequest{Name: testName}); return err }},
	} {
		err := tc.call()
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, tc.field)
		require.Equal(t, tc.field, ie.Field)
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
	}
	require.Zero(t, srv.TotalRequests(), "nothing is sent for a bad request")
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestMediaAtTheLimitIsSent: a photo exactly at the documented limit once encoded is sent.
func TestMediaAtTheLimitIsSent(t *testing.T) {
	srv, ch, _ := newPair(t)
	photo := make([]byte, 3<<20/4*3)
	copy(photo, testPhoto)
	res, err := ch.Face.PhotoWithIDV2(context.Background(), checks.ImageRecognitionV2Request{Name: testName, IDCard: testID,
		ImageBase64: checks.FromReader(bytes.NewReader(photo))})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, 1, srv.Requests("ImageRecognitionV2"))
}

// TestRedaction: no name, ID number, phone, card number or medium of a request or result reaches
// %v, %+v, %#v or a slog line.
func TestRedaction(t *testing.T) {
	secrets := []string{testName, testID, testCard, "13800000000", "测试省", "/9j/", "ffd8"}
	enc := &checks.Encryption{EncryptList: []string{"Name"}, CiphertextBlob: "blob-secret", Iv: "iv"}
	photo := checks.Bytes(testPhoto)
	values := []any{
		checks.FakeFacesRequest{FaceInput: photo, FaceInputType: 1},
		checks.LivenessRecognitionRequest{Name: testName, IDCard: testID, LivenessType: "LIP", VideoBase64: photo, Encryption: enc},
		checks.LivenessCompareRequest{LivenessType: "LIP", ImageBase64: photo, VideoURL: "https://x.example/13800000000.mp4"},
		checks.ImageRecognitionRequest{Name: testName, IDCard: testID, ImageBase64: photo},
		checks.ImageRecognitionV2Request{Name: testName, IDCard: testID, ImageBase64: photo},
		checks.IDCardVerificationRequest{Name: testName, IDCard: testID},
		checks.IDCardOCRRequest{Name: testName, IDCard: testID, ImageBase64: photo},
		checks.IDCardValidityRequest{Name: testName, IDCard: testID, ValidityBegin: "20200101"},
		checks.IDCardInformationRequest{ImageBase64: photo},
		checks.BankCardInformationRequest{BankCard: testCard},
		checks.BankCard2ERequest{Name: testName, BankCard: testCard},
		checks.BankCard3ERequest{Name: testName, BankCard: testCard, IDCard: testID},
		checks.BankCard4ERequest{Name: testName, BankCard: testCard, IDCard: testID, Phone: testPhone},
		checks.MobileRequest{Mobile: testPhone},
		checks.PhoneVerificationRequest{Name: testName, IDCard: testID, Phone: testPhone, CiphertextBlob: "blob-secret"},
		checks.CarrierVerificationRequest{Name: testName, IDCard: testID, Phone: testPhone},
		checks.PhoneNameRequest{Name: testName, Mobile: testPhone},
		checks.LivenessResult{BestFrameBase64: "/9j/ffd8", BestFrameList: []string{"/9j/"}, Verdict: checks.Verdict{Result: "Success"}},
		checks.IDCardOCRResult{Name: testName, IDCard: testID, Address: "测试省", Portrait: "/9j/"},
		checks.IDCardInformationResult{Name: testName, IDNum: testID, Address: "测试省", Portrait: "/9j/", Sim: 88},
	}
	for _, v := range values {
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("check", "req", v)
		out := fmt.Sprintf("%v %+v %#v %s", v, v, v, logs.String())
		for _, s := range secrets {
			require.NotContains(t, out, s, "%T", v)
		}
		require.True(t, strings.Contains(out, "REDACTED") || strings.Contains(out, " bytes}"),
			"%T shows that a personal value was there", v)
	}
	// What is safe shows.
	out := fmt.Sprint(checks.IDCardInformationResult{Sim: 88, Verdict: checks.Verdict{Result: "Success"}})
	require.Contains(t, out, "Sim: 88")
	require.Contains(t, out, "Result: Success")
	require.Equal(t, "Media{20 bytes}", checks.Bytes(make([]byte, 20)).String())
}

// TestRetriesFollowTheMintRule: a billed check that may have reached the service is not resent;
// one that never left is.
func TestRetriesFollowTheMintRule(t *testing.T) {
	srv, ch, _ := newPair(t)
	ctx := context.Background()
	for _, f := range []kyctest.Fault{{Code: "InternalError"}, {Code: "RequestLimitExceeded"}, {Status: 503}, {Drop: true}, {Truncate: true}} {
		srv.ResetCounts()
		f.Endpoint, f.Times = "IdCardVerification", 1
		srv.Fail(f)
		_, err := ch.IDCard.Verify(ctx, checks.IDCardVerificationRequest{Name: testName, IDCard: testID})
		require.Error(t, err, "%+v", f)
		require.Equal(t, 1, srv.Requests("IdCardVerification"), "%+v: a billed check is sent once", f)
		srv.ClearFaults()
	}
	// Never sent (the connection failed before writing): resent.
	var calls int
	failFirst := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("connection refused")
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	srv2, ch2, _ := newPair(t, kyc.WithHTTPClient(&http.Client{Transport: failFirst}))
	res, err := ch2.Phone.Status(ctx, checks.MobileRequest{Mobile: testPhone})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, 2, calls)
	require.Equal(t, 1, srv2.Requests("MobileStatus"))
}

// TestEncryptedAnswersRefusedByTheFake: kyctest cannot encrypt an answer, and says so instead of
// answering in plain text what the caller asked to be encrypted.
func TestEncryptedAnswersRefusedByTheFake(t *testing.T) {
	_, ch, _ := newPair(t)
	_, err := ch.IDCard.CheckCard(context.Background(), checks.IDCardInformationRequest{ImageBase64: checks.Bytes(testPhoto),
		IsEncrypt: true, Encryption: &checks.Encryption{EncryptList: []string{"Name"}, CiphertextBlob: "b", Iv: "i"}})
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "FailedOperation.EncryptSystemError", ae.Code)
}
