package kyctest

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

// The drivers run each journey end to end with the SDK: the backend's calls, the user's side
// played by the driver, then the callback the partner receives and the result query.

const driverPartner = "https://partner.example/kyc/done?session=s1"

func newDriverClient(t *testing.T, srv *Server) *kyc.Client {
	t.Helper()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// allOutcomes and allWillOutcomes list the constants as a reader sees them in the godoc.
var (
	allOutcomes     = []Outcome{OutcomePass, OutcomeNotSamePerson, OutcomeSpoof, OutcomeNameIDMismatch, OutcomeUserQuit}
	allWillOutcomes = []WillOutcome{WillPass, WillWrongAnswer, WillNotSamePerson, WillUserQuit}
)

// callbackCode is what the H5 callback and the App SDK report for o: its query code, or 3003.
func callbackCode(o Outcome) string {
	if o == OutcomeUserQuit {
		return "3003"
	}
	return o.Code()
}

// checkFaceResult queries orderNo and checks the verdict is o's.
func checkFaceResult(t *testing.T, c *kyc.Client, orderNo string, o Outcome) {
	t.Helper()
	res, err := c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: orderNo})
	if o == OutcomeUserQuit {
		require.ErrorIs(t, err, kyc.ErrNoResult)
		return
	}
	require.NoError(t, err)
	require.Equal(t, o.Code(), res.Code)
	require.Equal(t, o == OutcomePass, res.Passed())
}

func TestFinishH5(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()
	n := 0
	for _, kind := range []string{"plus", "enhanced", "pc"} {
		for _, o := range allOutcomes {
			n++
			orderNo := "h5drv" + kind + string(rune('a'+n))
			var loginURL string
			if kind == "pc" {
				face, err := c.Face.GetPCFaceID(ctx, kyc.PCFaceIDRequest{OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo})
				require.NoError(t, err)
				loginURL, err = c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: face, CallbackURL: driverPartner})
				require.NoError(t, err)
			} else {
				face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Version(kind), OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo})
				require.NoError(t, err)
				loginURL, err = c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: driverPartner})
				require.NoError(t, err)
			}
			cb, err := srv.FinishH5(ctx, loginURL, o)
			require.NoError(t, err, "%s %v", kind, o)
			u, err := url.Parse(cb)
			require.NoError(t, err)
			require.Equal(t, "s1", u.Query().Get("session"), "the partner's own query is kept")
			got, err := c.Face.VerifyCallback(ctx, u.Query())
			require.NoError(t, err, "%s %v: the callback verifies", kind, o)
			require.Equal(t, callbackCode(o), got.Code)
			require.Equal(t, orderNo, got.OrderNo)
			checkFaceResult(t, c, orderNo, o)

			// The login URL was spent: a second browser sees the simulator's refusal.
			_, err = srv.FinishH5(ctx, loginURL, o)
			var pe *PageError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "400101", pe.Code)
		}
	}
	// A faceId more than 5 minutes old: the page shows 66660018, as the real one does.
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "h5drvlate", UserID: "user001", Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	srv.Clock.Advance(FaceIDLifetime - time.Minute)
	loginURL, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: driverPartner})
	require.NoError(t, err)
	srv.Clock.Advance(time.Minute) // the NONCE signature is still alive (120 s), the faceId is not
	_, err = srv.FinishH5(ctx, loginURL, OutcomePass)
	var pe *PageError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "66660018", pe.Code)

	_, err = srv.FinishH5(ctx, "https://kyc1.qcloud.com/api/web/login?appId=x", OutcomePass)
	require.ErrorIs(t, err, ErrNotThisServer)
	_, err = srv.FinishH5(ctx, srv.URL, Outcome(99))
	require.ErrorIs(t, err, ErrUnknownOutcome)
}

func willRequest(orderNo string) kyc.WillFaceIDRequest {
	return kyc.WillFaceIDRequest{OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo,
		Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}}
}

func checkWillResult(t *testing.T, c *kyc.Client, orderNo string, o WillOutcome) {
	t.Helper()
	res, err := c.Will.QueryResult(context.Background(), kyc.WillQuery{OrderNo: orderNo})
	if o == WillUserQuit {
		require.ErrorIs(t, err, kyc.ErrNoResult)
		return
	}
	require.NoError(t, err)
	require.Equal(t, o.Code(), res.Code)
	require.Equal(t, o == WillPass, res.Passed())
}

func TestFinishWillH5(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()
	for i, o := range allWillOutcomes {
		orderNo := "willdrv" + string(rune('a'+i))
		face, err := c.Will.GetFaceID(ctx, willRequest(orderNo))
		require.NoError(t, err)
		loginURL, err := c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: face, CallbackURL: driverPartner})
		require.NoError(t, err)
		// A will login URL is no face journey: its page posts to the will form.
		_, err = srv.FinishH5(ctx, loginURL, OutcomePass)
		require.Error(t, err)
		loginURL, err = c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: face, CallbackURL: driverPartner})
		require.NoError(t, err)
		cb, err := srv.FinishWillH5(ctx, loginURL, o)
		require.NoError(t, err, "%v", o)
		u, err := url.Parse(cb)
		require.NoError(t, err)
		got, err := c.Will.VerifyCallback(ctx, u.Query())
		require.NoError(t, err, "%v: the callback verifies", o)
		require.Equal(t, willOutcomes[o].callback, got.Code)
		require.Equal(t, willOutcomes[o].willCode, got.WillCode)
		checkWillResult(t, c, orderNo, o)
	}
}

func startJSON(t *testing.T, start any, err error) []byte {
	t.Helper()
	require.NoError(t, err)
	b, err := json.Marshal(start)
	require.NoError(t, err)
	return b
}

func TestPlaySDK(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()
	n := 0
	for _, v := range []kyc.Version{kyc.Plus, kyc.Enhanced, kyc.Basic} {
		for _, o := range allOutcomes {
			n++
			orderNo := "appdrv" + string(v) + string(rune('a'+n))
			face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: v, OrderNo: orderNo, UserID: "user001", Name: testName, IDNo: testIDNo})
			require.NoError(t, err)
			start, err := c.Face.SDKParams(ctx, face)
			b := startJSON(t, start, err)
			require.NoError(t, srv.PlaySDK(b, o), "%s %v", v, o)
			checkFaceResult(t, c, orderNo, o)
			// The start values were spent with the login.
			var le *SDKLoginError
			require.ErrorAs(t, srv.PlaySDK(b, o), &le)
			require.Equal(t, CodeSDKBadSign, le.Code)
		}
	}
	// Will start values are not for the face SDK.
	face, err := c.Will.GetFaceID(ctx, willRequest("appdrvwill"))
	require.NoError(t, err)
	start, err := c.Will.SDKParams(ctx, face)
	var le *SDKLoginError
	require.ErrorAs(t, srv.PlaySDK(startJSON(t, start, err), OutcomePass), &le)
	require.Equal(t, CodeSDKMismatch, le.Code)
}

func TestPlayWillSDK(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()
	for i, o := range allWillOutcomes {
		orderNo := "willapp" + string(rune('a'+i))
		face, err := c.Will.GetFaceID(ctx, willRequest(orderNo))
		require.NoError(t, err)
		start, err := c.Will.SDKParams(ctx, face)
		require.NoError(t, srv.PlayWillSDK(startJSON(t, start, err), o), "%v", o)
		checkWillResult(t, c, orderNo, o)
	}
}

func TestPlayOCRSDK(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()

	start, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "ocrdrv1", UserID: "user001"})
	b := startJSON(t, start, err)
	require.ErrorIs(t, srv.PlayBankCardOCRSDK(b, SampleBankCard()), ErrSDKMismatch, "ID-card start values are not bank-card ones")
	start, err = c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "ocrdrv1", UserID: "user001"})
	require.NoError(t, srv.PlayIDCardOCRSDK(startJSON(t, start, err), SampleIDCard()))
	id, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: "ocrdrv1"})
	require.NoError(t, err)
	require.Equal(t, SampleIDCard().IDNo, id.IDNo)

	start, err = c.OCR.BankCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "ocrdrv2", UserID: "user001"})
	require.NoError(t, srv.PlayBankCardOCRSDK(startJSON(t, start, err), SampleBankCard()))
	bank, err := c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: "ocrdrv2"})
	require.NoError(t, err)
	require.Equal(t, SampleBankCard().CardNo, bank.CardNo)
}

func TestPlayNFCSDK(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()
	cert, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: "nfcdrv1", UserID: "user001", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	start, err := c.NFC.SDKParams(ctx, cert)
	b := startJSON(t, start, err)
	reqID, err := srv.PlayNFCSDK(b, SampleNFCCard())
	require.NoError(t, err)
	res, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "nfcdrv1", ReqID: reqID})
	require.NoError(t, err)
	require.Equal(t, SampleNFCCard().IDNo, res.Card.IDNo)
	_, err = srv.PlayNFCSDK(b, SampleNFCCard())
	require.Error(t, err, "the start values were spent")
}

// TestSimulatorPageListsOutcomes: the buttons of the H5 and will pages are exactly the outcome
// constants, in their order, and each maps back to its constant.
func TestSimulatorPageListsOutcomes(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	c := newDriverClient(t, srv)
	ctx := context.Background()
	buttons := func(loginURL string) []string {
		t.Helper()
		page, err := srv.fetchPage(ctx, srv.ts.Client(), "GET", loginURL, nil)
		require.NoError(t, err)
		var ids []string
		for _, m := range regexp.MustCompile(`<button type="submit" name="outcome" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			ids = append(ids, m[1])
		}
		return ids
	}

	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "pagelist1", UserID: "user001", Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	loginURL, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: driverPartner})
	require.NoError(t, err)
	ids := buttons(loginURL)
	require.Len(t, ids, len(allOutcomes))
	for i, o := range allOutcomes {
		require.Equal(t, o, outcomeByID(ids[i]), ids[i])
	}
	require.False(t, Outcome(len(allOutcomes)+1).valid(), "a new Outcome constant belongs in allOutcomes")

	wface, err := c.Will.GetFaceID(ctx, willRequest("pagelist2"))
	require.NoError(t, err)
	loginURL, err = c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: wface, CallbackURL: driverPartner})
	require.NoError(t, err)
	ids = buttons(loginURL)
	require.Len(t, ids, len(allWillOutcomes))
	for i, o := range allWillOutcomes {
		require.Equal(t, o, willOutcomeByID(ids[i]), ids[i])
	}
	require.False(t, WillOutcome(len(allWillOutcomes)+1).valid(), "a new WillOutcome constant belongs in allWillOutcomes")
}
