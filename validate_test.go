package kyc_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
)

// refusedLocally asserts err is an *InputError for field, that nothing reached the service (no
// ticket either) and that the message does not carry the refused value.
func refusedLocally(t *testing.T, before, after int, err error, field, value string) {
	t.Helper()
	var ie *kyc.InputError
	require.ErrorAs(t, err, &ie)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.NotErrorIs(t, err, kyc.ErrBadResponse)
	require.Equal(t, field, ie.Field, "%v", err)
	require.Equal(t, before, after, "nothing may be sent, no ticket fetched")
	if len(value) >= 4 {
		require.NotContains(t, err.Error(), value, "the message names the rule, never the value")
	}
}

// Every enum argument outside its defined values is refused before anything is sent; until
// now an unknown MediaChoice or WillFiles was sent as "no media" or "no files" and looked like
// media the service had not produced yet.
func TestEnumArgumentsOutsideTheirValues(t *testing.T) {
	srv, c := newFullPair(t)
	ctx := context.Background()
	order := "order001"
	will := okWill()
	cases := []struct {
		name, field string
		call        func() error
	}{
		{"QueryResult MediaChoice 4", "getFile", func() error {
			return second(c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: order, Media: "4"}))
		}},
		{"QueryResult MediaChoice -1", "getFile", func() error { return second(c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: order, Media: "-1"})) }},
		{"WaitForMedia MediaChoice 9", "getFile", func() error { return second(c.Face.WaitForMedia(ctx, kyc.FaceQuery{OrderNo: order, Media: "9"})) }},
		{"will query Face 4", "getFile", func() error {
			return second(c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: order, Face: "4"}))
		}},
		{"will query Files 3", "getWillFile", func() error {
			return second(c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: order, Files: "3"}))
		}},
		{"will query Files -1", "getWillFile", func() error {
			return second(c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: order, Files: "-1"}))
		}},
		{"will streamed query Files 7", "getWillFile", func() error {
			return second(c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: order, Files: "7"}, kyc.WillWriters{Photo: &bytes.Buffer{}}))
		}},
		{"will WaitForFiles Face 5", "getFile", func() error {
			return second(c.Will.WaitForFiles(ctx, kyc.WillQuery{OrderNo: order, Face: "5"}))
		}},
		{"upload Version 4", "version", func() error {
			r := okUpload()
			r.Version = "standard"
			return second(c.Face.GetFaceID(ctx, r))
		}},
		{"SDK start Version 0", "version", func() error {
			return second(c.Face.SDKParams(ctx, &kyc.FaceID{Version: "", OrderNo: order, UserID: "user1", FaceID: "face1"}))
		}},
		{"upload PhotoType 3", "sourcePhotoType", func() error {
			r := okUpload()
			r.Photo, r.PhotoType = photoOf(100), "3"
			return second(c.Face.GetFaceID(ctx, r))
		}},
		{"H5 login From", "from", func() error {
			r := okLogin()
			r.From = "desktop"
			return second(c.Face.H5LoginURL(ctx, r))
		}},
		{"will login From", "from", func() error {
			return second(c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: order, UserID: "user1"}, CallbackURL: "https://partner.example/cb", From: "App"}))
		}},
		{"will Mode", "willType", func() error { r := will; r.Mode = "3"; return second(c.Will.GetFaceID(ctx, r)) }},
		{"will Speed", "speed", func() error { r := will; r.Speed = 1.1; return second(c.Will.GetFaceID(ctx, r)) }},
		{"will MidAnswer", "willMidAnswer", func() error { r := will; r.MidAnswer = "x"; return second(c.Will.GetFaceID(ctx, r)) }},
		{"NFC CardType", "nfcType", func() error {
			return second(c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: order, UserID: "user1", CardType: "2"}))
		}},
		{"detect Parts", "InfoType", func() error {
			return second(c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: "T1", RuleID: "1", Parts: 1 << 5}))
		}},
		{"eID Parts video", "InfoType", func() error {
			return second(c.EID.Result(ctx, kyc.EIDResultRequest{EIDToken: "E1", Parts: kyc.PartVideo}))
		}},
		{"eID InputType", "Config.InputType", func() error {
			return second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: &kyc.EIDTokenConfig{InputType: "5"}}))
		}},
		{"eID IntentionMode", "Config.IntentionMode", func() error {
			return second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: &kyc.EIDTokenConfig{IntentionMode: "0"}}))
		}},
		{"Reconcile Product", "product", func() error { return second(billing.Reconcile(kyc.ProductEID, nil)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.TotalRequests()
			err := tc.call()
			refusedLocally(t, before, srv.TotalRequests(), err, tc.field, "")
		})
	}
	// The defined values still go through.
	for _, m := range []kyc.MediaChoice{kyc.NoMedia, kyc.PhotoAndVideo, kyc.PhotoOnly, kyc.VideoOnly} {
		_, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: order, Media: m})
		require.NotErrorIs(t, err, kyc.ErrInvalidInput, "MediaChoice %q", m)
	}
	for _, f := range []kyc.WillFiles{kyc.NoWillFiles, kyc.AllWillFiles, kyc.WillFilesButVideo} {
		_, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: order, Files: f})
		require.NotErrorIs(t, err, kyc.ErrInvalidInput, "WillFiles %q", f)
	}
}

// Callback and redirect URLs must be absolute http or https URLs with a host, without user
// information, at most 1,024 bytes: the same rule for the face, PC and will login URLs and the
// API 3.0 RedirectUrl.
func TestCallbackURLForms(t *testing.T) {
	srv, c := newFullPair(t)
	ctx := context.Background()
	sends := map[string]struct {
		field string
		call  func(u string) error
	}{
		"face H5": {"url", func(u string) error {
			r := okLogin()
			r.CallbackURL = u
			return second(c.Face.H5LoginURL(ctx, r))
		}},
		"face PC": {"url", func(u string) error {
			return second(c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: "order1", UserID: "user1", PC: true}, CallbackURL: u}))
		}},
		"will H5": {"url", func(u string) error {
			return second(c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: "order1", UserID: "user1"}, CallbackURL: u}))
		}},
		"DetectAuth": {"RedirectUrl", func(u string) error {
			return second(c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1", RedirectURL: u}))
		}},
		"GetEidToken": {"RedirectUrl", func(u string) error {
			return second(c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", RedirectURL: u}))
		}},
	}
	bad := []string{
		"/cb",                          // relative
		"partner.example/cb",           // no scheme
		"//partner.example/cb",         // scheme-relative
		"ftp://partner.example/cb",     // another scheme
		"javascript:alert(1)",          // not a URL to go back to
		"https:partner.example",        // opaque: no host
		"https:///cb",                  // empty host
		"https://:443/cb",              // a port but no host
		"https://partner.example:0/cb", // port out of range
		"https://partner.example:99999/cb",
		"https://user:pw@partner.example/cb", // user information
		"https://partner.example@evil.example/cb",
		"https://partner.example/c\nb",                         // control character
		"https://partner.example/" + strings.Repeat("a", 1001), // 1,024 + 1 bytes
	}
	good := []string{"https://partner.example/cb", "http://127.0.0.1:8080/back?x=1&y=2", "HTTPS://Partner.Example/cb#done",
		"https://[::1]:8443/cb", "https://partner.example/" + strings.Repeat("a", 1000)}
	for name, s := range sends {
		for _, u := range bad {
			before := srv.TotalRequests()
			err := s.call(u)
			refusedLocally(t, before, srv.TotalRequests(), err, s.field, u)
		}
		for _, u := range good {
			before := srv.TotalRequests()
			err := s.call(u)
			require.NotErrorIs(t, err, kyc.ErrInvalidInput, "%s: %q", name, u)
			require.Greater(t, srv.TotalRequests(), before, "%s: %q was not sent", name, u)
		}
	}
}

// An optimalDomain passed in by the caller is the caller's input: a bad one is an *InputError
// (it was an ErrBadResponse), refused before the NONCE ticket is spent.
func TestOptimalDomainFromTheCaller(t *testing.T) {
	srv, c := newFullPair(t)
	ctx := context.Background()
	bad := []string{
		"evil.example/path", "a@evil.example", "https://kyc1.qcloud.com", "kyc1.qcloud.com?x", "kyc1.qcloud.com#x",
		"kyc 1.qcloud.com", "kyc1..qcloud.com", ".qcloud.com", "-kyc1.qcloud.com", "kyc1-.qcloud.com", "kyc1.qcloud.com.",
		"kyc1_a.qcloud.com", "核身.qcloud.com", "kyc1.qcloud.com:", "kyc1.qcloud.com:0", "kyc1.qcloud.com:65536",
		"kyc1.qcloud.com:+80", "kyc1.qcloud.com:80:80", "::1", "[1.2.3.4]", "[::1", "[nothost]:80", "kyc1.qcloud.com\r\nX: y",
		strings.Repeat("a", 64) + ".example",
	}
	for _, d := range bad {
		for name, call := range map[string]func() error{
			"face": func() error { r := okLogin(); r.Face.OptimalDomain = d; return second(c.Face.H5LoginURL(ctx, r)) },
			"PC": func() error {
				return second(c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: "order1", UserID: "user1", OptimalDomain: d, PC: true}, CallbackURL: "https://partner.example/cb"}))
			},
			"will": func() error {
				return second(c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: "face1", OrderNo: "order1", UserID: "user1", OptimalDomain: d}, CallbackURL: "https://partner.example/cb"}))
			},
		} {
			before := srv.TotalRequests()
			err := call()
			require.Error(t, err, "%s: %q", name, d)
			refusedLocally(t, before, srv.TotalRequests(), err, "optimalDomain", d)
		}
	}
	for _, d := range []string{"kyc1.qcloud.com", "KYC1.QCloud.com", "kyc1.qcloud.com:443", "127.0.0.1:8080", "10.0.0.1", "[::1]:8443",
		"[2001:db8::1]", "a-b.c-d.example"} {
		r := okLogin()
		r.Face.OptimalDomain = d
		u, err := c.Face.H5LoginURL(ctx, r)
		require.NoError(t, err, d)
		require.True(t, strings.HasPrefix(u, "http://"+d+"/api/web/login?"), u)
	}
}

// faceId, h5faceId, ocrCertId and reqId are identifiers the service issued: letters and digits
// of their documented length. Anything else is refused before a ticket (or one of a reqId's ten
// queries) is spent.
func TestIssuedIdentifierForms(t *testing.T) {
	srv, c := newFullPair(t)
	ctx := context.Background()
	bad := []string{"", "face-1", "face_1", "face 1", "face1\n", "面孔1", "face%31", strings.Repeat("f", 33)}
	for _, id := range bad {
		for name, tc := range map[string]struct {
			field string
			call  func() error
		}{
			"face SDK": {"faceId", func() error {
				return second(c.Face.SDKParams(ctx, &kyc.FaceID{Version: kyc.Basic, OrderNo: "order1", UserID: "user1", FaceID: id}))
			}},
			"will SDK": {"faceId", func() error {
				return second(c.Will.SDKParams(ctx, &kyc.FaceID{OrderNo: "order1", UserID: "user1", FaceID: id}))
			}},
			"face H5": {"faceId", func() error { r := okLogin(); r.Face.FaceID = id; return second(c.Face.H5LoginURL(ctx, r)) }},
			"PC login": {"h5faceId", func() error {
				return second(c.Face.PCLoginURL(ctx, kyc.PCLoginRequest{Face: &kyc.FaceID{FaceID: id, OrderNo: "o1", UserID: "u1", PC: true}, CallbackURL: "https://p.example/"}))
			}},
			"will login": {"faceId", func() error {
				return second(c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: id, OrderNo: "o1", UserID: "u1"}, CallbackURL: "https://p.example/"}))
			}},
		} {
			before := srv.TotalRequests()
			err := tc.call()
			require.Error(t, err, "%s: %q", name, id)
			refusedLocally(t, before, srv.TotalRequests(), err, tc.field, id)
		}
	}
	for _, id := range append(bad[:len(bad)-1], "req.1", "req/1", "req+1=", strings.Repeat("r", 41)) {
		before := srv.TotalRequests()
		_, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "order1", ReqID: id})
		refusedLocally(t, before, srv.TotalRequests(), err, "reqId", id)
		before = srv.TotalRequests()
		_, err = c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: "order1", UserID: "user1", CertID: id})
		refusedLocally(t, before, srv.TotalRequests(), err, "ocrCertId", id)
	}
}

// The IntentionQuestion of GetEidTokenConfig is spoken and compared (docs/D-api3-actions.md): a blank question
// or answer, or one with a control character, is refused before anything is sent.
func TestEidIntentionQuestionText(t *testing.T) {
	srv, c := newFullPair(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		field string
		cfg   *kyc.EIDTokenConfig
	}{
		"blank question":      {"Config.IntentionQuestions.Question", eidQuestion(" \u3000", "是")},
		"control in question": {"Config.IntentionQuestions.Question", eidQuestion("问\x00", "是")},
		"blank answer":        {"Config.IntentionQuestions.Answers", eidQuestion("问", "是", "  ")},
		"control in answer":   {"Config.IntentionQuestions.Answers", eidQuestion("问", "是\n")},
		"no answer":           {"Config.IntentionQuestions.Answers", eidQuestion("问")},
	} {
		before := srv.TotalRequests()
		_, err := c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "M1", Config: tc.cfg})
		require.Error(t, err, name)
		refusedLocally(t, before, srv.TotalRequests(), err, tc.field, "")
	}
}

// Product and Channel outside their values answer "not billed" rather than reading another
// product's or channel's table: the catalogue questions return a bool, so there is no error to
// give, and nothing is sent.
func TestBillingEnumsOutsideTheirValues(t *testing.T) {
	badProducts := []kyc.Product{0, kyc.ProductNFC + 1, 255}
	badChannels := []kyc.Channel{0, kyc.ChannelWeChat + 1, kyc.ChannelWeChat + 2, 255}
	billedSomewhere := 0
	for _, info := range kyc.Codes() {
		for _, p := range badProducts {
			for _, ch := range []kyc.Channel{kyc.ChannelApp, kyc.ChannelWeChat} {
				require.False(t, info.Billed(p, ch), "code %s, product %d", info.Code, p)
				require.False(t, isBilled(info.Code, p, ch), "code %s, product %d", info.Code, p)
			}
		}
		for _, ch := range badChannels {
			for p := kyc.ProductPlus; p <= kyc.ProductNFC; p++ {
				require.False(t, info.Billed(p, ch), "code %s, channel %d", info.Code, ch)
				if info.Billed(p, kyc.ChannelApp) || info.Billed(p, kyc.ChannelWeChat) {
					billedSomewhere++
				}
			}
		}
	}
	require.Positive(t, billedSomewhere, "the valid values still find billed codes")
}
