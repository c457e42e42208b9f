package kyc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// kyctest judges every request with its own signer table, written from the manual (issue 11,
// point 5). These tests plant a wrong row in the SDK's table and run the SDK's own journeys
// against the fake: each must now fail with a signature refusal at the step that uses the row.
// Were kyctest still signing with the SDK's rows, both sides would agree on the wrong row and
// every journey would pass.

// journeyError is a step of the journey that failed.
type journeyError struct {
	step string
	err  error
}

func (e *journeyError) Error() string { return e.step + ": " + e.err.Error() }
func (e *journeyError) Unwrap() error { return e.err }

// pageCodeError is a simulator page that answered an error page.
type pageCodeError struct {
	status int
	code   string
}

func (e *pageCodeError) Error() string {
	return fmt.Sprintf("page answered %d, code %s", e.status, e.code)
}

var pageCode = regexp.MustCompile(`<code id="code">([^<]*)</code>`)

// openPage loads a login URL as a browser would and reports an error page by its code.
func openPage(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		code := ""
		if m := pageCode.FindSubmatch(body); m != nil {
			code = string(m[1])
		}
		return &pageCodeError{resp.StatusCode, code}
	}
	return nil
}

// presentStart hands start values to the fake's App SDK login, as JSON, the way an app gets them.
func presentStart(srv *kyctest.Server, start *kyc.SDKStart) error {
	b, err := json.Marshal(start)
	if err != nil {
		return err
	}
	return srv.StartSDKJSON(b)
}

// signatureRefused reports whether err is the service's signature refusal (400101) however the
// step surfaces it: an SDK error of the ErrInvalidSignature class, a refused App SDK login, or a
// login page showing 400101.
func signatureRefused(err error) bool {
	var login *kyctest.SDKLoginError
	var page *pageCodeError
	switch {
	case errors.Is(err, kyc.ErrInvalidSignature):
		return true
	case errors.As(err, &login):
		return login.Code == "400101"
	case errors.As(err, &page):
		return page.code == "400101"
	}
	return false
}

// runJourneys drives every signed step of the kyc1 products against srv: face uploads (Plus,
// PC), App SDK starts (face, will, OCR, NFC), H5 logins (mobile, PC, will), callbacks (face,
// will) and result queries (face, photos, will, OCR, NFC). It stops at the first failure.
func runJourneys(t *testing.T, srv *kyctest.Server, c *kyc.Client) error {
	t.Helper()
	ctx := context.Background()
	const user, name, idNo, partner = "swapUser1", "测试用户", "KYCTEST0000000001", "https://partner.example/cb"
	step := func(s string, err error) error {
		if err != nil {
			return &journeyError{s, err}
		}
		return nil
	}

	// Face, App SDK: upload, start values presented to the SDK's login, result, photos.
	f, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "swapApp1", UserID: user, Name: name, IDNo: idNo})
	if err := step("face upload", err); err != nil {
		return err
	}
	start, err := c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "swapApp1", UserID: user, FaceID: f.FaceID})
	if err == nil {
		err = presentStart(srv, start)
	}
	if err := step("face SDK start", err); err != nil {
		return err
	}
	require.NoError(t, srv.Complete("swapApp1", kyctest.OutcomePass))
	if _, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "swapApp1", Media: kyc.NoMedia}); err != nil {
		return step("face query", err)
	}
	if _, err := c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: "swapApp1"}); err != nil {
		return step("face photos", err)
	}

	// Face, mobile H5: login URL opened in a browser, signed callback.
	f, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "swapH51", UserID: user, Name: name, IDNo: idNo})
	if err := step("face upload", err); err != nil {
		return err
	}
	u, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: f.FaceID, OrderNo: "swapH51", UserID: user, OptimalDomain: f.OptimalDomain, Version: f.Version}, CallbackURL: partner})
	if err == nil {
		err = openPage(ctx, u)
	}
	if err := step("mobile login", err); err != nil {
		return err
	}
	loc, err := srv.CallbackURL("swapH51", kyctest.OutcomePass, partner)
	require.NoError(t, err)
	back, err := url.Parse(loc)
	require.NoError(t, err)
	if _, err := c.Face.VerifyCallback(ctx, back.Query()); err != nil {
		return step("face callback", err)
	}

	// Face, PC H5: the seven-value upload and the PC login.
	f, err = c.Face.GetPCFaceID(ctx, kyc.PCFaceIDRequest{OrderNo: "swapPC1", UserID: user, Name: name, IDNo: idNo})
	if err := step("PC upload", err); err != nil {
		return err
	}
	u, err = c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: f.FaceID, OrderNo: "swapPC1", UserID: user, OptimalDomain: f.OptimalDomain, PC: true}, CallbackURL: partner})
	if err == nil {
		err = openPage(ctx, u)
	}
	if err := step("PC login", err); err != nil {
		return err
	}

	// Will: upload, SDK start, H5 login, callback, result.
	rounds := []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}
	w, err := c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: "swapWill1", UserID: user, Name: name, IDNo: idNo, Rounds: rounds})
	if err := step("will upload", err); err != nil {
		return err
	}
	start, err = c.Will.SDKParams(ctx, &kyc.FaceID{OrderNo: "swapWill1", UserID: user, FaceID: w.FaceID})
	if err == nil {
		err = presentStart(srv, start)
	}
	if err := step("will SDK start", err); err != nil {
		return err
	}
	u, err = c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: w.FaceID, OrderNo: "swapWill1", UserID: user, OptimalDomain: w.OptimalDomain}, CallbackURL: partner})
	if err == nil {
		err = openPage(ctx, u)
	}
	if err := step("will login", err); err != nil {
		return err
	}
	loc, err = srv.WillCallbackURL("swapWill1", kyctest.WillPass, partner)
	require.NoError(t, err)
	back, err = url.Parse(loc)
	require.NoError(t, err)
	if _, err := c.Will.VerifyCallback(ctx, back.Query()); err != nil {
		return step("will callback", err)
	}
	if _, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: "swapWill1"}); err != nil {
		return step("will query", err)
	}

	// OCR: SDK start, ID-card and bank-card results.
	start, err = c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "swapOCR1", UserID: user})
	if err == nil {
		err = presentStart(srv, start)
	}
	if err := step("OCR SDK start", err); err != nil {
		return err
	}
	require.NoError(t, srv.CompleteIDCardOCR("swapOCR1", kyctest.SampleIDCard()))
	if _, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: "swapOCR1"}); err != nil {
		return step("ID-card OCR query", err)
	}
	require.NoError(t, srv.CompleteBankCardOCR("swapBank1", kyctest.SampleBankCard()))
	if _, err := c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: "swapBank1"}); err != nil {
		return step("bank-card OCR query", err)
	}

	// NFC: upload, SDK start, result.
	cert, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: "swapNFC1", UserID: user, CardType: kyc.NFCIDCard})
	if err := step("NFC upload", err); err != nil {
		return err
	}
	start, err = c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: "swapNFC1", UserID: user, CertID: cert.CertID})
	if err == nil {
		err = presentStart(srv, start)
	}
	if err := step("NFC SDK start", err); err != nil {
		return err
	}
	reqID, err := srv.CompleteNFC("swapNFC1", kyctest.SampleNFCCard())
	require.NoError(t, err)
	if _, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "swapNFC1", ReqID: reqID}); err != nil {
		return step("NFC query", err)
	}
	return nil
}

func newSwapPair(t *testing.T) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(),
		kyc.WithRetry(2, time.Millisecond, time.Millisecond), kyc.WithMediaWait(1, 0))...)
	require.NoError(t, err)
	return srv, c
}

// The journeys pass with the SDK's table as it is: every failure below is the planted row's.
func TestJourneysPassWithTheSDKsTable(t *testing.T) {
	srv, c := newSwapPair(t)
	require.NoError(t, runJourneys(t, srv, c))
}

// TestWrongSignerRowFailsTheJourneys plants one wrong row at a time in the SDK's signer table:
// the fake, which signs and checks with its own table, refuses the first step that uses it. The
// rows are named with kyctest's endpoint names, which are the keys of the SDK's table too.
//
// Only the signed fields are swapped. The table's ticket column is read by no SDK code (each call
// site picks its ticket: the SIGN ticket for server calls and callbacks, a NONCE ticket for start
// values and login URLs), so a wrong ticket cell changes nothing the SDK sends; the fake refuses a
// value set signed with the wrong ticket kind (kyctest's TestLoginRejects, "signed with the SIGN
// ticket", and StartSDK's checks).
func TestWrongSignerRowFailsTheJourneys(t *testing.T) {
	drop := func(field string) func([]string) []string {
		return func(fields []string) []string {
			require.Contains(t, fields, field)
			return slices.DeleteFunc(fields, func(f string) bool { return f == field })
		}
	}
	replace := func(old, new string) func([]string) []string {
		return func(fields []string) []string {
			i := slices.Index(fields, old)
			require.GreaterOrEqual(t, i, 0, "row has no %s", old)
			fields[i] = new
			return fields
		}
	}
	fieldsOf := func(endpoint string) func([]string) []string {
		return func([]string) []string { return kyc.SignFieldsForTest(t, endpoint) }
	}
	for _, tc := range []struct {
		name, endpoint string
		change         func([]string) []string
		step           string
	}{
		{"face upload signs no nonce", kyctest.EndpointFaceIDPlus, drop("nonce"), "face upload"},
		{"face upload signs the orderNo for the userId", kyctest.EndpointFaceIDPlus, replace("userId", "orderNo"), "face upload"},
		{"face SDK start signs no userId", kyctest.EndpointFaceSDKStart, drop("userId"), "face SDK start"},
		{"face SDK start signs no version", kyctest.EndpointFaceSDKStart, drop("version"), "face SDK start"},
		{"face query signs the upload's fields", kyctest.EndpointQueryFaceRecord, fieldsOf(kyctest.EndpointFaceIDPlus), "face query"},
		{"photo query signs no nonce", kyctest.EndpointQueryPhotoInfo, drop("nonce"), "face photos"},
		{"mobile login signs no faceId", kyctest.EndpointH5Login, drop("faceId"), "mobile login"},
		{"mobile login signs the PC login's fields", kyctest.EndpointH5Login, fieldsOf(kyctest.EndpointPCLogin), "mobile login"},
		{"mobile login signs like an SDK start", kyctest.EndpointH5Login, fieldsOf(kyctest.EndpointFaceSDKStart), "mobile login"},
		{"face callback check leaves out the code", kyctest.EndpointH5Callback, drop("code"), "face callback"},
		{"PC upload signs no idNo", kyctest.EndpointFaceIDPC, drop("idNo"), "PC upload"},
		{"PC upload signs the mobile upload's fields", kyctest.EndpointFaceIDPC, fieldsOf(kyctest.EndpointFaceIDPlus), "PC upload"},
		{"PC login signs faceId for h5faceId", kyctest.EndpointPCLogin, replace("h5faceId", "faceId"), "PC login"},
		{"will upload signs no userId", kyctest.EndpointWillFaceID, drop("userId"), "will upload"},
		{"will SDK start signs no nonce", kyctest.EndpointWillSDKStart, drop("nonce"), "will SDK start"},
		{"will login signs no orderNo", kyctest.EndpointWillLogin, drop("orderNo"), "will login"},
		{"will callback check leaves out the orderNo", kyctest.EndpointWillCallback, drop("orderNo"), "will callback"},
		{"will query signs the upload's fields", kyctest.EndpointWillResult, fieldsOf(kyctest.EndpointWillFaceID), "will query"},
		{"OCR SDK start signs no appId", kyctest.EndpointOCRSDKStart, drop("appId"), "OCR SDK start"},
		{"ID-card OCR query signs no order_no", kyctest.EndpointOCRResult, drop("order_no"), "ID-card OCR query"},
		{"bank-card OCR query signs no nonce", kyctest.EndpointBankCardOCRResult, drop("nonce"), "bank-card OCR query"},
		{"NFC upload signs the userId like the face upload", kyctest.EndpointNFCCertID, fieldsOf(kyctest.EndpointFaceIDPlus), "NFC upload"},
		{"NFC SDK start signs no userId", kyctest.EndpointNFCSDKStart, drop("userId"), "NFC SDK start"},
		{"NFC query signs no version", kyctest.EndpointNFCResult, drop("version"), "NFC query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kyc.SwapSignFieldsForTest(t, tc.endpoint, tc.change)
			srv, c := newSwapPair(t)
			err := runJourneys(t, srv, c)
			var je *journeyError
			require.ErrorAs(t, err, &je, "the journeys pass with a wrong %s row", tc.endpoint)
			require.Equal(t, tc.step, je.step, "%v", err)
			require.True(t, signatureRefused(err), "refused for its signature (400101): %v", err)
		})
	}
}
