package kyc_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

const (
	ocrAppID  = "IDAOCR01"
	ocrSecret = "ocrSecretForTests0001"
)

// newOCRPair is a server with a separate OCR app and a client that uses it for OCR.
func newOCRPair(t *testing.T, sopts ...kyctest.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	return newPairWith(t, append([]kyctest.Option{kyctest.WithApp(ocrAppID, ocrSecret)}, sopts...),
		kyc.WithOCRCredentials(ocrAppID, ocrSecret))
}

func TestOCRInputLimitsSendNothing(t *testing.T) {
	srv, c := newOCRPair(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, orderNo, userID, field string
	}{
		{"empty orderNo", "", "user1", "orderNo"},
		{"orderNo over 32", strings.Repeat("1", 33), "user1", "orderNo"},
		{"orderNo with a symbol", "order-1", "user1", "orderNo"},
		{"empty userId", "order1", "", "userId"},
		{"userId over 30 (the SDK's limit)", "order1", strings.Repeat("u", 31), "userId"},
		{"userId with a symbol", "order1", "user_1", "userId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, start := range []func(context.Context, kyc.OCRStartRequest, ...kyc.CallOption) (*kyc.SDKStart, error){
				c.OCR.IDCardSDKParams, c.OCR.BankCardSDKParams,
			} {
				_, err := start(ctx, kyc.OCRStartRequest{OrderNo: tc.orderNo, UserID: tc.userID})
				var ie *kyc.InputError
				require.ErrorAs(t, err, &ie)
				require.Equal(t, tc.field, ie.Field)
			}
		})
	}
	_, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "order1", UserID: "user1"}, kyc.WithNonce("short"))
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	for _, orderNo := range []string{"", "o 1", strings.Repeat("9", 33)} {
		_, err = c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo, Images: true})
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
		_, err = c.OCR.IDCardResultTo(ctx, kyc.IDCardQuery{OrderNo: orderNo}, kyc.IDCardWriters{Front: &bytes.Buffer{}})
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
		_, err = c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: orderNo, Images: true})
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
		_, err = c.OCR.BankCardResultTo(ctx, kyc.BankCardQuery{OrderNo: orderNo}, kyc.BankCardWriters{})
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
	}
	require.Equal(t, 0, srv.TotalRequests(), "nothing may be sent for bad input")

	for _, bad := range [][2]string{{"", "s"}, {"IDA-1", "s"}, {ocrAppID, ""}, {ocrAppID, "has space"}} {
		_, err := kyc.New("IDAXXXXX", "secret", kyc.WithOCRCredentials(bad[0], bad[1]))
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
	}
}

func TestIDCardOCRJourney(t *testing.T) {
	srv, c := newOCRPair(t, kyctest.WithMedia(4000, 1000))
	ctx := context.Background()
	require.Equal(t, ocrAppID, c.OCR.AppID())
	orderNo, userID := newOrderNo(), "ocrUser1"

	start, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: orderNo, UserID: userID})
	require.NoError(t, err)
	require.Equal(t, "idcard-ocr", start.Product)
	require.Equal(t, ocrAppID, start.AppID, "OCR signs with its own appId")
	require.Empty(t, start.FaceID)
	require.NoError(t, srv.CheckNonceSignature(ocrAppID, userID, start.Nonce, start.Sign))
	require.Error(t, srv.CheckNonceSignature(ocrAppID, userID, start.Nonce, start.Sign), "single use")

	card := kyctest.SampleIDCard()
	card.AppID, card.FrontWarnCode = ocrAppID, "10010100"
	require.NoError(t, srv.CompleteIDCardOCR(orderNo, card))

	res, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo, NativePlace: true})
	require.NoError(t, err)
	require.NoError(t, res.Err())
	require.True(t, res.FrontOK())
	require.True(t, res.BackOK())
	require.NoError(t, res.FrontErr())
	require.Equal(t, orderNo, res.OrderNo)
	require.Equal(t, card.Name, res.Name)
	require.Equal(t, card.IDNo, res.IDNo)
	require.Equal(t, card.Birth, res.Birth)
	require.Equal(t, card.ValidDate, res.ValidDate)
	require.Equal(t, card.Authority, res.Authority)
	require.Equal(t, card.NativePlace, res.NativePlace)
	require.Equal(t, "64", res.FrontClarity)
	require.NotEmpty(t, res.OperateTime)
	require.Equal(t, kyc.WarnBits("10010100"), res.FrontWarning)
	require.Equal(t, []int{1, 4, 6}, res.FrontWarning.Raised())
	require.True(t, res.FrontWarning.Any())
	require.True(t, res.FrontWarning.Bit(4))
	require.False(t, res.FrontWarning.Bit(2))
	require.False(t, res.BackWarning.Any())
	require.Empty(t, res.FrontPhoto, "no images unless asked")

	// The images, buffered and streamed.
	full, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo, Images: true})
	require.NoError(t, err)
	require.Empty(t, full.NativePlace)
	for _, img := range []kyc.Media{full.FrontPhoto, full.BackPhoto, full.FrontCrop, full.BackCrop, full.HeadPhoto} {
		require.Len(t, img, 4000)
		require.Equal(t, []byte{0xFF, 0xD8, 0xFF}, []byte(img[:3]))
	}
	require.NotEqual(t, full.FrontPhoto, full.BackPhoto)
	var front, head bytes.Buffer
	streamed, err := c.OCR.IDCardResultTo(ctx, kyc.IDCardQuery{OrderNo: orderNo}, kyc.IDCardWriters{Front: &front, Head: &head})
	require.NoError(t, err)
	require.Equal(t, []byte(full.FrontPhoto), front.Bytes())
	require.Equal(t, []byte(full.HeadPhoto), head.Bytes())
	require.Empty(t, streamed.BackPhoto)

	// OCR ran on its own app: its own token and SIGN ticket, none for the face app.
	require.NotEmpty(t, srv.CurrentSignTickets(ocrAppID))
	require.Empty(t, srv.CurrentSignTickets(srv.AppID))

	// Nothing leaks through fmt or slog.
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("ocr", "result", res)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", res, res, res, res), logged.String()} {
		require.NotContains(t, s, card.Name)
		require.NotContains(t, s, card.IDNo)
		require.NotContains(t, s, card.Address)
	}
}

func TestIDCardOCRFailures(t *testing.T) {
	srv, c := newOCRPair(t)
	ctx := context.Background()
	// A side that was not recognised is a result, not an error.
	orderNo := newOrderNo()
	card := kyctest.SampleIDCard()
	card.AppID, card.FrontCode = ocrAppID, "66661006"
	require.NoError(t, srv.CompleteIDCardOCR(orderNo, card))
	res, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo})
	require.NoError(t, err)
	require.False(t, res.FrontOK())
	require.True(t, res.BackOK())
	require.Empty(t, res.Name, "front fields only for a recognised front")
	var ae *kyc.APIError
	require.ErrorAs(t, res.FrontErr(), &ae)
	require.Equal(t, "66661006", ae.Code)
	require.NoError(t, res.BackErr())

	// A failure code with a result is returned as the result's code.
	failed := newOrderNo()
	require.NoError(t, srv.CompleteIDCardOCR(failed, kyctest.IDCardOCR{AppID: ocrAppID, Code: "66661099"}))
	res, err = c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: failed})
	require.NoError(t, err)
	require.Equal(t, "66661099", res.Code)
	require.Error(t, res.Err())

	// No result: an error.
	_, err = c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: newOrderNo()})
	require.ErrorIs(t, err, kyc.ErrNoResult)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "66660020", ae.Code)

	// Results are kept three days.
	srv.Clock.Advance(72*time.Hour + time.Minute)
	_, err = c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo})
	require.ErrorIs(t, err, kyc.ErrNoResult)
}

func TestBankCardOCRJourney(t *testing.T) {
	srv, c := newOCRPair(t, kyctest.WithMedia(3000, 1000))
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "bankUser1"
	start, err := c.OCR.BankCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: orderNo, UserID: userID})
	require.NoError(t, err)
	require.Equal(t, "bankcard-ocr", start.Product)
	require.NoError(t, srv.CheckNonceSignature(ocrAppID, userID, start.Nonce, start.Sign))

	card := kyctest.SampleBankCard()
	card.AppID, card.WarnCode, card.MultiWarnCode = ocrAppID, "-9110", "[-9110, -9111, -9114]"
	require.NoError(t, srv.CompleteBankCardOCR(orderNo, card))
	res, err := c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: orderNo})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.NoError(t, res.Err())
	require.Equal(t, card.CardNo, res.CardNo)
	require.Equal(t, "12/2030", res.ValidDate)
	require.Equal(t, []kyc.BankCardWarning{"-9110", "-9111", "-9114"}, res.Warnings())
	require.Equal(t, "re-capture of a screen or photo", kyc.BankCardWarning("-9114").String())
	require.Empty(t, res.CropPhoto)
	require.NotContains(t, fmt.Sprintf("%v %#v", res, res), card.CardNo)

	full, err := c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: orderNo, Images: true})
	require.NoError(t, err)
	require.Len(t, full.CropPhoto, 3000)
	require.Len(t, full.NoPhoto, 3000)
	require.Len(t, full.OriginPhoto, 3000)
	var origin bytes.Buffer
	_, err = c.OCR.BankCardResultTo(ctx, kyc.BankCardQuery{OrderNo: orderNo}, kyc.BankCardWriters{Origin: &origin})
	require.NoError(t, err)
	require.Equal(t, []byte(full.OriginPhoto), origin.Bytes())

	// A recognition failure is a result with its code.
	blurred := newOrderNo()
	require.NoError(t, srv.CompleteBankCardOCR(blurred, kyctest.BankCardOCR{AppID: ocrAppID, Code: "-9012"}))
	res, err = c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: blurred, Images: true})
	require.NoError(t, err)
	require.False(t, res.Passed())
	require.Equal(t, "-9012", res.Code)
	require.Empty(t, res.CardNo)
	require.Empty(t, res.Warnings())
}

func TestWarnBitsAndBankWarnings(t *testing.T) {
	for _, tc := range []struct {
		w      kyc.WarnBits
		valid  bool
		any    bool
		raised []int
	}{
		{"00000000", true, false, nil},
		{"", false, false, nil},
		{"0", true, false, nil},
		{"00000001", true, true, []int{8}},
		{"10010100", true, true, []int{1, 4, 6}},
		{"1001010011", true, true, []int{1, 4, 6, 9, 10}}, // positions past 8 are kept, unnamed
		{"-9110", false, true, nil},
		{"0000000x", false, true, nil},
	} {
		require.Equal(t, tc.valid, tc.w.Valid(), tc.w)
		require.Equal(t, tc.any, tc.w.Any(), tc.w)
		require.Equal(t, tc.raised, tc.w.Raised(), tc.w)
		require.False(t, tc.w.Bit(0))
		require.False(t, tc.w.Bit(99))
	}
	require.Equal(t, "undocumented bank-card warning -9199", kyc.BankCardWarning("-9199").String())
	require.False(t, kyc.BankCardWarning("-9199").Known())
	require.True(t, kyc.BankCardWarning("66661009").Known())
}
