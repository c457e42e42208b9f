package kyctest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
)

// sdkPair is a server and an SDK client pointed at it with ClientOptions.
type sdkPair struct {
	t   *testing.T
	srv *Server
	c   *kyc.Client
	ctx context.Context
}

func newSDKPair(t *testing.T) *sdkPair {
	t.Helper()
	srv := NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	require.NoError(t, err)
	return &sdkPair{t, srv, c, context.Background()}
}

func (p *sdkPair) faceID(v kyc.Version, orderNo, userID string) string {
	p.t.Helper()
	f, err := p.c.Face.GetFaceID(p.ctx, kyc.FaceIDRequest{Version: v, OrderNo: orderNo, UserID: userID, Name: "测试用户", IDNo: "KYCTEST0000000001"})
	require.NoError(p.t, err)
	return f.FaceID
}

func (p *sdkPair) pcFaceID(orderNo, userID string) *kyc.FaceID {
	p.t.Helper()
	f, err := p.c.Face.GetPCFaceID(p.ctx, kyc.PCFaceIDRequest{OrderNo: orderNo, UserID: userID, Name: "测试用户", IDNo: "KYCTEST0000000001"})
	require.NoError(p.t, err)
	return f
}

func (p *sdkPair) willFaceID(orderNo, userID string) *kyc.FaceID {
	p.t.Helper()
	f, err := p.c.Will.GetFaceID(p.ctx, kyc.WillFaceIDRequest{OrderNo: orderNo, UserID: userID, Name: "测试用户", IDNo: "KYCTEST0000000001",
		Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}})
	require.NoError(p.t, err)
	return f
}

// present hands start values to the fake's SDK login as the app gets them: JSON.
func (p *sdkPair) present(start *kyc.SDKStart, err error) error {
	p.t.Helper()
	require.NoError(p.t, err, "the SDK makes the start values without asking the service")
	b, err := json.Marshal(start)
	require.NoError(p.t, err)
	return p.srv.StartSDKJSON(b)
}

func requireLoginCode(t *testing.T, err error, code string, cause error) {
	t.Helper()
	var le *SDKLoginError
	require.ErrorAs(t, err, &le)
	require.Equal(t, code, le.Code, "%v", err)
	if cause != nil {
		require.ErrorIs(t, err, cause)
	}
}

// ClientOptions is all a test needs to point a client at the server: kyc1 calls, the clock,
// API 3.0 calls with the server's credentials, and the NFC key.
func TestClientOptions(t *testing.T) {
	p := newSDKPair(t)

	tok, err := p.c.AccessToken(p.ctx)
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	require.Equal(t, 1, p.srv.Requests(EndpointAccessToken), "kyc1 calls go to the server")

	auth, err := p.c.Detect.Auth(p.ctx, kyc.DetectAuthRequest{RuleID: DefaultRuleID})
	require.NoError(t, err, "API 3.0 calls go to the server, signed with its credentials")
	_, ok := p.srv.DetectToken(auth.BizToken)
	require.True(t, ok)

	cert, err := p.c.NFC.GetCertID(p.ctx, kyc.NFCCertIDRequest{OrderNo: "optsNFC1", UserID: "u1", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	require.NoError(t, p.present(p.c.NFC.SDKParams(p.ctx, &kyc.NFCCertID{OrderNo: "optsNFC1", UserID: "u1", CertID: cert.CertID})))
	reqID, err := p.srv.CompleteNFC("optsNFC1", SampleNFCCard())
	require.NoError(t, err)
	res, err := p.c.NFC.QueryResult(p.ctx, kyc.NFCQuery{OrderNo: "optsNFC1", ReqID: reqID})
	require.NoError(t, err, "the NFC key is the server's")
	require.Equal(t, SampleNFCCard().IDNo, res.Card.IDNo)

	// The clock option is the server's own Clock: moving it moves the client's time.
	p.srv.Clock.Advance(2 * time.Hour)
	_, err = p.c.AccessToken(p.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, p.srv.Requests(EndpointAccessToken), "the token expired on the shared clock and was fetched again")
}

// The App SDK login accepts the values the SDK makes for each entry point, once.
func TestStartSDKAcceptsEachEntryOnce(t *testing.T) {
	p := newSDKPair(t)
	for _, v := range []kyc.Version{kyc.Plus, kyc.Enhanced, kyc.Basic} {
		orderNo := "start" + v.String()
		faceID := p.faceID(v, orderNo, "u1")
		start, err := p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: v, OrderNo: orderNo, UserID: "u1", FaceID: faceID})
		require.NoError(t, p.present(start, err), "%v", v)
		info, _ := p.srv.Order(orderNo)
		require.False(t, info.Started.IsZero(), "the journey started")
		// The same values again: their NONCE ticket is spent.
		b, _ := json.Marshal(start)
		requireLoginCode(t, p.srv.StartSDKJSON(b), CodeSDKBadSign, ErrTicketUsed)
	}
	w := p.willFaceID("startWill1", "u1")
	require.NoError(t, p.present(p.c.Will.SDKParams(p.ctx, &kyc.FaceID{OrderNo: "startWill1", UserID: "u1", FaceID: w.FaceID})))
	require.NoError(t, p.present(p.c.OCR.IDCardSDKParams(p.ctx, kyc.OCRStartRequest{OrderNo: "startOCR1", UserID: "u1"})))
	require.NoError(t, p.present(p.c.OCR.BankCardSDKParams(p.ctx, kyc.OCRStartRequest{OrderNo: "startBank1", UserID: "u1"})))
	cert, err := p.c.NFC.GetCertID(p.ctx, kyc.NFCCertIDRequest{OrderNo: "startNFC1", UserID: "u1", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	require.NoError(t, p.present(p.c.NFC.SDKParams(p.ctx, &kyc.NFCCertID{OrderNo: "startNFC1", UserID: "u1", CertID: cert.CertID})))
}

// A faceId minted for orderNo A, userId U and the Plus SDK is refused with any other orderNo,
// userId or SDK (issue 11: a partner swapped orderNo and userId and passed Enhanced for a Plus
// faceId; the SDK makes such values without complaint, so the login is where they must fail).
func TestStartSDKRefusesAFaceIDOfAnotherOrderUserOrVersion(t *testing.T) {
	cases := []struct {
		name  string
		start func(p *sdkPair) (*kyc.SDKStart, error)
		code  string
		cause error
	}{
		{"Plus faceId on the Enhanced SDK", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Enhanced, OrderNo: "orderA", UserID: "userU", FaceID: p.faceID(kyc.Plus, "orderA", "userU")})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"Plus faceId on the Basic SDK", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Basic, OrderNo: "orderA", UserID: "userU", FaceID: p.faceID(kyc.Plus, "orderA", "userU")})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"Enhanced faceId on the Plus SDK", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderA", UserID: "userU", FaceID: p.faceID(kyc.Enhanced, "orderA", "userU")})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"PC h5faceId on the Basic SDK", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Basic, OrderNo: "orderA", UserID: "userU", FaceID: p.pcFaceID("orderA", "userU").FaceID})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"orderNo and userId swapped", func(p *sdkPair) (*kyc.SDKStart, error) {
			faceID := p.faceID(kyc.Plus, "orderA", "userU")
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "userU", UserID: "orderA", FaceID: faceID})
		}, CodeSDKMismatch, ErrUnknownOrder},
		{"another live order of the same user", func(p *sdkPair) (*kyc.SDKStart, error) {
			faceID := p.faceID(kyc.Plus, "orderA", "userU")
			p.faceID(kyc.Plus, "orderB", "userU")
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderB", UserID: "userU", FaceID: faceID})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"another userId", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderA", UserID: "userV", FaceID: p.faceID(kyc.Plus, "orderA", "userU")})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"a will faceId on the face SDK", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderA", UserID: "userU", FaceID: p.willFaceID("orderA", "userU").FaceID})
		}, CodeSDKMismatch, ErrUnknownOrder},
		{"a face faceId on the will SDK", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Will.SDKParams(p.ctx, &kyc.FaceID{OrderNo: "orderA", UserID: "userU", FaceID: p.faceID(kyc.Plus, "orderA", "userU")})
		}, CodeSDKMismatch, ErrUnknownOrder},
		{"a will faceId of another user", func(p *sdkPair) (*kyc.SDKStart, error) {
			return p.c.Will.SDKParams(p.ctx, &kyc.FaceID{OrderNo: "orderA", UserID: "userV", FaceID: p.willFaceID("orderA", "userU").FaceID})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"a will faceId of another order", func(p *sdkPair) (*kyc.SDKStart, error) {
			w := p.willFaceID("orderA", "userU")
			p.willFaceID("orderB", "userU")
			return p.c.Will.SDKParams(p.ctx, &kyc.FaceID{OrderNo: "orderB", UserID: "userU", FaceID: w.FaceID})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"an ocrCertId of another order", func(p *sdkPair) (*kyc.SDKStart, error) {
			a, err := p.c.NFC.GetCertID(p.ctx, kyc.NFCCertIDRequest{OrderNo: "orderA", UserID: "userU", CardType: kyc.NFCIDCard})
			require.NoError(p.t, err)
			_, err = p.c.NFC.GetCertID(p.ctx, kyc.NFCCertIDRequest{OrderNo: "orderB", UserID: "userU", CardType: kyc.NFCIDCard})
			require.NoError(p.t, err)
			return p.c.NFC.SDKParams(p.ctx, &kyc.NFCCertID{OrderNo: "orderB", UserID: "userU", CertID: a.CertID})
		}, CodeSDKMismatch, ErrSDKMismatch},
		{"an expired faceId", func(p *sdkPair) (*kyc.SDKStart, error) {
			faceID := p.faceID(kyc.Plus, "orderA", "userU")
			p.srv.Clock.Advance(FaceIDLifetime)
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderA", UserID: "userU", FaceID: faceID})
		}, CodeSDKExpired, ErrFaceIDExpired},
		{"a finished order", func(p *sdkPair) (*kyc.SDKStart, error) {
			faceID := p.faceID(kyc.Plus, "orderA", "userU")
			require.NoError(p.t, p.srv.Complete("orderA", OutcomePass))
			return p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderA", UserID: "userU", FaceID: faceID})
		}, CodeSDKExpired, ErrFaceIDExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newSDKPair(t)
			requireLoginCode(t, p.present(c.start(p)), c.code, c.cause)
		})
	}
}

// Values that are malformed or not signed as the manual says never reach the order check.
func TestStartSDKRefusesBadValues(t *testing.T) {
	p := newSDKPair(t)
	faceID := p.faceID(kyc.Plus, "orderA", "userU")
	valid := func() SDKStart {
		start, err := p.c.Face.SDKParams(p.ctx, &kyc.FaceID{Version: kyc.Plus, OrderNo: "orderA", UserID: "userU", FaceID: faceID})
		require.NoError(t, err)
		b, _ := json.Marshal(start)
		var v SDKStart
		require.NoError(t, json.Unmarshal(b, &v))
		return v
	}
	for name, c := range map[string]struct {
		change func(*SDKStart)
		code   string
		cause  error
	}{
		"unknown entry point":  {func(v *SDKStart) { v.Entry = "face" }, CodeSDKBadParams, nil},
		"short nonce":          {func(v *SDKStart) { v.Nonce = v.Nonce[:31] }, CodeSDKBadParams, nil},
		"wrong API version":    {func(v *SDKStart) { v.Version = "1.0.1" }, CodeSDKBadParams, nil},
		"no faceId":            {func(v *SDKStart) { v.FaceID = "" }, CodeSDKBadParams, nil},
		"long orderNo":         {func(v *SDKStart) { v.OrderNo = "o123456789012345678901234567890123" }, CodeSDKBadParams, nil},
		"tampered signature":   {func(v *SDKStart) { v.Sign = flipFirst(v.Sign) }, CodeSDKBadSign, ErrBadSignature},
		"nonce not the signed": {func(v *SDKStart) { v.Nonce = kyc.NewNonce() }, CodeSDKBadSign, ErrBadSignature},
		"appId of another app": {func(v *SDKStart) { v.AppID = "IDAOTHER" }, CodeSDKBadSign, ErrUnknownApp},
		"another userId":       {func(v *SDKStart) { v.UserID = "userV" }, CodeSDKBadSign, ErrBadSignature},
		// The faceId is not signed: a signature that verifies does not vouch for it.
		"faceId of no order": {func(v *SDKStart) { v.FaceID = "x" + v.FaceID }, CodeSDKMismatch, ErrSDKMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			v := valid()
			c.change(&v)
			requireLoginCode(t, p.srv.StartSDK(v), c.code, c.cause)
		})
	}
	// Signed with the app's SIGN ticket instead of a NONCE ticket: no NONCE ticket verifies it.
	t.Run("signed with the SIGN ticket", func(t *testing.T) {
		v := valid()
		tickets := p.srv.CurrentSignTickets(p.srv.AppID)
		require.NotEmpty(t, tickets)
		v.Sign = kyc.Sign(tickets[0], v.AppID, v.UserID, v.Nonce, v.Version)
		requireLoginCode(t, p.srv.StartSDK(v), CodeSDKBadSign, ErrBadSignature)
	})
	// The signature is not case-sensitive ("不区分大小写", docs/A-auth-sign-face.md §3.1).
	v := valid()
	v.Sign = strings.ToLower(v.Sign)
	require.NoError(t, p.srv.StartSDK(v))
	require.ErrorAs(t, p.srv.StartSDKJSON([]byte("{")), new(*SDKLoginError))
}

// flipFirst changes the first hex digit of a signature.
func flipFirst(sig string) string {
	if sig[0] == '0' {
		return "1" + sig[1:]
	}
	return "0" + sig[1:]
}

var errorPageCode = regexp.MustCompile(`<code id="code">([^<]*)</code>`)

// openLogin opens a login URL as a browser would and returns the status and the error code it
// shows ("" for the login page itself).
func openLogin(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if m := errorPageCode.FindSubmatch(body); m != nil {
		return resp.StatusCode, string(m[1])
	}
	return resp.StatusCode, ""
}

// The login URLs the SDK builds open only with the faceId of their own order, user and product:
// mobile, PC and will pages alike answer 400106 otherwise.
func TestLoginURLsRefuseAFaceIDOfAnotherOrderUserOrProduct(t *testing.T) {
	const cb = "https://partner.example/cb"
	type urlFunc func(p *sdkPair) (string, error)
	mobile := func(faceID, orderNo, userID string, p *sdkPair) (string, error) {
		return p.c.Face.H5LoginURL(p.ctx, kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: faceID, OrderNo: orderNo, UserID: userID, OptimalDomain: p.srv.URL[len("http://"):], Version: kyc.Plus}, CallbackURL: cb})
	}
	pc := func(faceID, orderNo, userID string, p *sdkPair) (string, error) {
		return p.c.Face.PCLoginURL(p.ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: faceID, OrderNo: orderNo, UserID: userID, PC: true}, CallbackURL: cb})
	}
	will := func(faceID, orderNo, userID string, p *sdkPair) (string, error) {
		return p.c.Will.H5LoginURL(p.ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: faceID, OrderNo: orderNo, UserID: userID}, CallbackURL: cb})
	}
	for _, c := range []struct {
		name string
		url  urlFunc
		code string
	}{
		{"mobile: its own order", func(p *sdkPair) (string, error) {
			return mobile(p.faceID(kyc.Plus, "orderA", "userU"), "orderA", "userU", p)
		}, ""},
		{"mobile: orderNo B", func(p *sdkPair) (string, error) {
			f := p.faceID(kyc.Plus, "orderA", "userU")
			p.faceID(kyc.Plus, "orderB", "userU")
			return mobile(f, "orderB", "userU", p)
		}, "400106"},
		{"mobile: userId V", func(p *sdkPair) (string, error) {
			return mobile(p.faceID(kyc.Enhanced, "orderA", "userU"), "orderA", "userV", p)
		}, "400106"},
		{"mobile: orderNo and userId swapped", func(p *sdkPair) (string, error) {
			return mobile(p.faceID(kyc.Plus, "orderA", "userU"), "userU", "orderA", p)
		}, "400106"},
		{"mobile: a Basic faceId", func(p *sdkPair) (string, error) {
			return mobile(p.faceID(kyc.Basic, "orderA", "userU"), "orderA", "userU", p)
		}, "400106"},
		{"mobile: a will faceId", func(p *sdkPair) (string, error) {
			return mobile(p.willFaceID("orderA", "userU").FaceID, "orderA", "userU", p)
		}, "400106"},
		{"PC: its own order", func(p *sdkPair) (string, error) {
			return pc(p.pcFaceID("orderA", "userU").FaceID, "orderA", "userU", p)
		}, ""},
		{"PC: orderNo B", func(p *sdkPair) (string, error) {
			f := p.pcFaceID("orderA", "userU")
			p.pcFaceID("orderB", "userU")
			return pc(f.FaceID, "orderB", "userU", p)
		}, "400106"},
		{"PC: userId V", func(p *sdkPair) (string, error) {
			return pc(p.pcFaceID("orderA", "userU").FaceID, "orderA", "userV", p)
		}, "400106"},
		{"PC: a Plus faceId", func(p *sdkPair) (string, error) {
			return pc(p.faceID(kyc.Plus, "orderA", "userU"), "orderA", "userU", p)
		}, "400106"},
		{"will: its own order", func(p *sdkPair) (string, error) {
			return will(p.willFaceID("orderA", "userU").FaceID, "orderA", "userU", p)
		}, ""},
		{"will: orderNo B", func(p *sdkPair) (string, error) {
			w := p.willFaceID("orderA", "userU")
			p.willFaceID("orderB", "userU")
			return will(w.FaceID, "orderB", "userU", p)
		}, "400106"},
		{"will: userId V", func(p *sdkPair) (string, error) {
			return will(p.willFaceID("orderA", "userU").FaceID, "orderA", "userV", p)
		}, "400106"},
		{"will: a face faceId", func(p *sdkPair) (string, error) {
			return will(p.faceID(kyc.Plus, "orderA", "userU"), "orderA", "userU", p)
		}, "400106"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newSDKPair(t)
			u, err := c.url(p)
			require.NoError(t, err, "the SDK builds the URL without asking the service")
			status, code := openLogin(t, u)
			require.Equal(t, c.code, code)
			if c.code == "" {
				require.Equal(t, http.StatusOK, status)
			} else {
				require.Equal(t, http.StatusBadRequest, status)
			}
		})
	}
}
