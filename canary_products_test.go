package kyc_test

import (
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

// TestCanaryProducts drives the OCR, will and NFC calls, with their failures, under debug
// logging: the identities the service returns (OCR and NFC readings), the ones sent (will
// upload), the NFC key and the secret must not appear in logs, errors or formatted values.
func TestCanaryProducts(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithApp("IDACANRY", canarySecret))
	defer srv.Close()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithLogger(logger), kyc.WithRetry(2, time.Millisecond, 2*time.Millisecond), kyc.WithTimeout(10*time.Second),
		kyc.WithNFCKey(srv.NFCKey()), kyc.WithMediaWait(2, time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	card, bank, chip := kyctest.SampleIDCard(), kyctest.SampleBankCard(), kyctest.SampleNFCCard()
	card.AppID, bank.AppID = "IDACANRY", "IDACANRY"
	secrets := []string{canarySecret, canaryName, canaryIDNo, card.Name, card.IDNo, card.Address, bank.CardNo,
		chip.Address, chip.EnName, srv.NFCKey()}
	var texts []string
	note := func(v ...any) {
		for _, x := range v {
			if x != nil {
				texts = append(texts, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x))
			}
		}
	}

	// OCR: start values and results, with images.
	start, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "ocrcanary1", UserID: "user001"})
	require.NoError(t, err)
	secrets = append(secrets, start.Sign)
	require.NoError(t, srv.CompleteIDCardOCR("ocrcanary1", card))
	idRes, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: "ocrcanary1", Images: true})
	require.NoError(t, err)
	require.Equal(t, card.IDNo, idRes.IDNo, "the reading itself is returned")
	note(idRes, *idRes)
	logger.Info("ocr result", "result", idRes)
	require.NoError(t, srv.CompleteBankCardOCR("bankcanary1", bank))
	bankRes, err := c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: "bankcanary1", Images: true})
	require.NoError(t, err)
	note(bankRes, *bankRes)
	logger.Info("bank result", "result", bankRes)

	// Will: the upload carries the name and ID number.
	will, err := c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: "willcanary1", UserID: "user001", Name: canaryName, IDNo: canaryIDNo,
		Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}})
	require.NoError(t, err)
	wstart, err := c.Will.SDKParams(ctx, &kyc.FaceID{OrderNo: "willcanary1", UserID: "user001", FaceID: will.FaceID})
	require.NoError(t, err)
	secrets = append(secrets, wstart.Sign)
	require.NoError(t, srv.CompleteWill("willcanary1", kyctest.WillPass))
	wres, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: "willcanary1", Face: kyc.PhotoAndVideo, Files: kyc.AllWillFiles})
	require.NoError(t, err)
	note(wres, *wres)
	logger.Info("will result", "result", wres)

	// NFC: the decrypted chip reading.
	cert, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: "nfccanary1", UserID: "user001", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	nstart, err := c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: "nfccanary1", UserID: "user001", CertID: cert.CertID})
	require.NoError(t, err)
	secrets = append(secrets, nstart.Sign)
	reqID, err := srv.CompleteNFC("nfccanary1", chip)
	require.NoError(t, err)
	nres, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "nfccanary1", ReqID: reqID, Photos: true})
	require.NoError(t, err)
	require.Equal(t, chip.IDNo, nres.Card.IDNo)
	note(nres, *nres, nres.Card, *nres.Card)
	logger.Info("nfc result", "result", nres, "card", nres.Card)

	// Failures of every kind on each product's calls.
	// Calls in the failure loops get a short deadline so that latency faults end quickly;
	// everything else has the default per-attempt timeout, so a loaded machine cannot fail it.
	quick := func() context.Context {
		qctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
		t.Cleanup(cancel)
		return qctx
	}
	for _, f := range []kyctest.Fault{{Drop: true}, {Truncate: true}, {Status: 502}, {Code: "400101"}, {Code: "66660015"}, {Latency: time.Second}} {
		for _, ep := range []string{kyctest.EndpointOCRResult, kyctest.EndpointBankCardOCRResult, kyctest.EndpointWillFaceID, kyctest.EndpointWillResult,
			kyctest.EndpointNFCCertID, kyctest.EndpointNFCResult} {
			srv.ClearFaults()
			f.Endpoint = ep
			srv.Fail(f)
			_, err := c.OCR.IDCardResult(quick(), kyc.IDCardQuery{OrderNo: "ocrcanary1", Images: true})
			note(err)
			_, err = c.OCR.BankCardResult(quick(), kyc.BankCardQuery{OrderNo: "bankcanary1", Images: true})
			note(err)
			_, err = c.Will.GetFaceID(quick(), kyc.WillFaceIDRequest{OrderNo: newOrderNo(), UserID: "user002", Name: canaryName, IDNo: canaryIDNo,
				Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}})
			note(err)
			_, err = c.Will.WaitForFiles(quick(), kyc.WillQuery{OrderNo: "willcanary1", Files: kyc.AllWillFiles})
			note(err)
			_, err = c.NFC.GetCertID(quick(), kyc.NFCCertIDRequest{OrderNo: newOrderNo(), UserID: "user003", CardType: kyc.NFCIDCard})
			note(err)
		}
	}
	srv.ClearFaults()
	// A wrong NFC key and refused input.
	wrong, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithLogger(logger),
		kyc.WithNFCKey("00112233445566778899AABBCCDDEEFF"))
	require.NoError(t, err)
	reqID2, err := srv.CompleteNFC(mustCertOrder(t, c), chip)
	require.NoError(t, err)
	_, err = wrong.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: lastCertOrder, ReqID: reqID2})
	require.ErrorIs(t, err, kyc.ErrDecrypt)
	note(err)
	_, err = c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: "willcanary2", UserID: "user001", Name: canaryName,
		Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"是的"}}}})
	require.Error(t, err)
	note(err)

	all := logs.String() + "\n" + strings.Join(texts, "\n")
	require.Contains(t, all, "kyc response")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.NotContains(t, all, s)
	}
}

var lastCertOrder string

// mustCertOrder mints an NFC ocrCertId for a new order and returns the order number.
func mustCertOrder(t *testing.T, c *kyc.Client) string {
	t.Helper()
	lastCertOrder = newOrderNo()
	_, err := c.NFC.GetCertID(context.Background(), kyc.NFCCertIDRequest{OrderNo: lastCertOrder, UserID: "user004", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	return lastCertOrder
}
