package kyctest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

const partnerURL = "https://partner.example/h5/done?from=kyc&next=%2Fhome"

// loginURL builds the browser URL a partner backend hands out (docs/B-h5-wechat-billing.md §3.2 / §4.2): the seven
// values signed with a fresh NONCE ticket of userID.
func (e *faceEnv) loginURL(pc bool, orderNo, faceID, userID, partner string) string {
	e.t.Helper()
	nonceTicket := fetchNonceTicket(e.t, e.srv, e.token, userID)
	return e.loginURLWith(nonceTicket, pc, orderNo, faceID, userID, partner)
}

func (e *faceEnv) loginURLWith(ticket string, pc bool, orderNo, faceID, userID, partner string) string {
	path, idField := "/api/web/login", "faceId"
	if pc {
		path, idField = "/api/pc/login", "h5faceId"
	}
	nonce := kyc.NewNonce()
	q := url.Values{
		"appId": {e.srv.AppID}, "version": {"1.0.0"}, "nonce": {nonce}, "orderNo": {orderNo},
		idField: {faceID}, "url": {partner}, "userId": {userID}, "from": {"browser"}, "redirectType": {"1"},
		"sign": {kyc.Sign(ticket, e.srv.AppID, userID, orderNo, "1.0.0", faceID, nonce)},
	}
	return e.srv.URL + path + "?" + q.Encode()
}

// browser is an HTTP client that does not follow redirects, so the 302 can be inspected.
func browser(srv *Server) *http.Client {
	c := *srv.ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

type page struct {
	status int
	header http.Header
	body   string
}

func load(t *testing.T, srv *Server, u string) page {
	t.Helper()
	resp, err := browser(srv).Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return page{resp.StatusCode, resp.Header, string(b)}
}

var tokenRE = regexp.MustCompile(`name="token" value="([A-Za-z0-9]+)"`)

// formToken returns the one-time token of a loaded login page.
func formToken(t *testing.T, p page) string {
	t.Helper()
	require.Equal(t, http.StatusOK, p.status, "page: %s", p.body)
	m := tokenRE.FindStringSubmatch(p.body)
	require.NotNil(t, m, "no token in %s", p.body)
	return m[1]
}

// submit posts the form as a browser does and returns the answer, not following the redirect.
func submit(t *testing.T, srv *Server, token, outcome string) (*http.Response, string) {
	t.Helper()
	resp, err := browser(srv).PostForm(srv.URL+H5FinishPath, url.Values{"token": {token}, "outcome": {outcome}})
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// requireErrorPage checks an HTML error page of the simulator.
func requireErrorPage(t *testing.T, p page, code, message string) {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, p.status, "page: %s", p.body)
	require.Equal(t, "text/html; charset=utf-8", p.header.Get("Content-Type"))
	require.Contains(t, p.body, message)
	require.Contains(t, p.body, `<code id="code">`+code+`</code>`)
}

// checkCallback checks a callback URL against the partner URL it extends and returns its
// appended parameters.
func checkCallback(t *testing.T, e *faceEnv, loc string, p Product, o Outcome, orderNo, faceID string) url.Values {
	t.Helper()
	require.True(t, strings.HasPrefix(loc, partnerURL+"&"), "the partner url is kept and extended with &: %s", loc)
	got, err := url.ParseQuery(strings.TrimPrefix(loc, partnerURL+"&"))
	require.NoError(t, err)

	code := o.Code()
	if o == OutcomeUserQuit {
		code = "3003"
	}
	idField, signField := "h5faceId", "newSignature"
	if p == ProductPlus {
		idField = "faceId"
	}
	if p == ProductPC {
		signField = "newSign"
	}
	keys := []string{"code", "orderNo", idField, signField}
	if p != ProductPC && o != OutcomeUserQuit {
		keys = append(keys, "liveRate")
		require.Regexp(t, `^\d+$`, got.Get("liveRate"))
	}
	require.ElementsMatch(t, keys, mapKeys(got), "callback parameters of %v", p)
	require.Equal(t, code, got.Get("code"))
	require.Equal(t, orderNo, got.Get("orderNo"))
	require.Equal(t, faceID, got.Get(idField))
	tickets := e.srv.CurrentSignTickets(e.srv.AppID)
	require.NotEmpty(t, tickets)
	require.Equal(t, kyc.Sign(tickets[0], e.srv.AppID, orderNo, code), got.Get(signField))
	require.Regexp(t, `^[0-9A-F]{40}$`, got.Get(signField), "upper case")

	full, err := url.Parse(loc)
	require.NoError(t, err)
	require.Equal(t, "kyc", full.Query().Get("from"))
	require.Equal(t, "/home", full.Query().Get("next"))
	return got
}

func mapKeys(v url.Values) []string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	return out
}

func TestMobileLoginPage(t *testing.T) {
	e := newFaceEnv(t)
	faceID := e.mint(ProductPlus, "h5page001", "user_1")
	u := e.loginURL(false, "h5page001", faceID, "user_1", partnerURL)
	require.True(t, strings.HasPrefix(u, "http://"+strings.TrimPrefix(e.srv.URL, "http://")+"/api/web/login?"))

	p := load(t, e.srv, u)
	require.Equal(t, http.StatusOK, p.status, "page: %s", p.body)
	require.Equal(t, "text/html; charset=utf-8", p.header.Get("Content-Type"))
	require.Equal(t, "no-store", p.header.Get("Cache-Control"))
	formToken(t, p)
	for _, id := range []string{"pass", "not-same-person", "spoof", "name-id-mismatch", "user-quit"} {
		require.Contains(t, p.body, `value="`+id+`" id="`+id+`"`)
	}
	require.Contains(t, p.body, `action="`+H5FinishPath+`"`)
	require.Contains(t, p.body, "h5page001")
	for _, external := range []string{"<script", "src=", "href=", "http://", "https://"} {
		require.NotContains(t, p.body, external, "self-contained page")
	}
	info, _ := e.srv.Order("h5page001")
	require.False(t, info.Started.IsZero())
	require.Zero(t, info.Outcome, "loading the page decides nothing")

	// The URL is single use: its NONCE ticket is spent (docs/B-h5-wechat-billing.md trap T7).
	requireErrorPage(t, load(t, e.srv, u), "400101", "签名不合法")
	require.Equal(t, 2, e.srv.Requests(EndpointH5Login))
}

func TestLoginRejects(t *testing.T) {
	cases := []struct {
		name          string
		url           func(e *faceEnv) string
		code, message string
	}{
		{"Basic faceId on the mobile page", func(e *faceEnv) string {
			return e.loginURL(false, "login001", e.mint(ProductBasic, "login001", "u1"), "u1", partnerURL)
		}, "400106", "不合法请求"},
		{"PC h5faceId on the mobile page", func(e *faceEnv) string {
			return e.loginURL(false, "login001", e.mint(ProductPC, "login001", "u1"), "u1", partnerURL)
		}, "400106", "不合法请求"},
		{"Plus faceId on the PC page", func(e *faceEnv) string {
			return e.loginURL(true, "login001", e.mint(ProductPlus, "login001", "u1"), "u1", partnerURL)
		}, "400106", "不合法请求"},
		{"faceId of another order", func(e *faceEnv) string {
			e.mint(ProductPlus, "login001", "u1")
			return e.loginURL(false, "login001", e.mint(ProductPlus, "login002", "u1"), "u1", partnerURL)
		}, "400106", "不合法请求"},
		{"unknown order", func(e *faceEnv) string {
			return e.loginURL(false, "login009", "tx0375fa5243984381ea7b7013f13795", "u1", partnerURL)
		}, "400106", "不合法请求"},
		{"another user than the upload's", func(e *faceEnv) string {
			return e.loginURL(false, "login001", e.mint(ProductPlus, "login001", "u1"), "u2", partnerURL)
		}, "400106", "不合法请求"},
		{"expired faceId", func(e *faceEnv) string {
			faceID := e.mint(ProductEnhanced, "login001", "u1")
			e.srv.Clock.Advance(FaceIDLifetime + time.Second)
			return e.loginURL(false, "login001", faceID, "u1", partnerURL)
		}, "66660018", "操作超时"},
		{"completed order", func(e *faceEnv) string {
			faceID := e.mint(ProductEnhanced, "login001", "u1")
			require.NoError(e.t, e.srv.Complete("login001", OutcomePass))
			return e.loginURL(false, "login001", faceID, "u1", partnerURL)
		}, "66660018", "操作超时"},
		{"NONCE ticket of another user", func(e *faceEnv) string {
			faceID := e.mint(ProductPlus, "login001", "u1")
			return e.loginURLWith(fetchNonceTicket(e.t, e.srv, e.token, "u2"), false, "login001", faceID, "u1", partnerURL)
		}, "400101", "签名不合法"},
		{"signed with the SIGN ticket", func(e *faceEnv) string {
			faceID := e.mint(ProductPlus, "login001", "u1")
			return e.loginURLWith(e.ticket, false, "login001", faceID, "u1", partnerURL)
		}, "400101", "签名不合法"},
		{"expired NONCE ticket", func(e *faceEnv) string {
			faceID := e.mint(ProductPlus, "login001", "u1")
			nt := fetchNonceTicket(e.t, e.srv, e.token, "u1")
			e.srv.Clock.Advance(DefaultNonceTicketLifetime + time.Second)
			return e.loginURLWith(nt, false, "login001", faceID, "u1", partnerURL)
		}, "400101", "签名不合法"},
		{"no url", func(e *faceEnv) string {
			u := e.loginURL(false, "login001", e.mint(ProductPlus, "login001", "u1"), "u1", partnerURL)
			return strings.Replace(u, "url="+url.QueryEscape(partnerURL), "", 1)
		}, "66660000", "请求参数异常"},
		{"relative url", func(e *faceEnv) string {
			return e.loginURL(false, "login001", e.mint(ProductPlus, "login001", "u1"), "u1", "/done")
		}, "66660000", "请求参数异常"},
		{"short nonce", func(e *faceEnv) string {
			u := e.loginURL(false, "login001", e.mint(ProductPlus, "login001", "u1"), "u1", partnerURL)
			return regexp.MustCompile(`nonce=[A-Za-z0-9]+`).ReplaceAllString(u, "nonce=abc")
		}, "66660000", "请求参数异常"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newFaceEnv(t)
			requireErrorPage(t, load(t, e.srv, c.url(e)), c.code, c.message)
		})
	}
}

func TestH5Journeys(t *testing.T) {
	for _, p := range []Product{ProductPlus, ProductEnhanced, ProductPC} {
		for o := OutcomePass; o <= OutcomeUserQuit; o++ {
			t.Run(p.String()+"/"+o.String(), func(t *testing.T) {
				e := newFaceEnv(t)
				faceID := e.mint(p, "journey001", "user_1")
				token := formToken(t, load(t, e.srv, e.loginURL(p == ProductPC, "journey001", faceID, "user_1", partnerURL)))

				resp, _ := submit(t, e.srv, token, outcomes[o].id)
				require.Equal(t, http.StatusFound, resp.StatusCode)
				checkCallback(t, e, resp.Header.Get("Location"), p, o, "journey001", faceID)

				info, _ := e.srv.Order("journey001")
				require.Equal(t, o, info.Outcome)
				m := e.query("journey001")
				if o == OutcomeUserQuit {
					require.Equal(t, "66660011", m["code"])
				} else {
					require.Equal(t, o.Code(), m["code"])
				}
				require.Equal(t, 1, e.srv.Requests(H5FinishEndpoint))
			})
		}
	}
}

func TestPCLogin(t *testing.T) {
	e := newFaceEnv(t)
	h5faceID := e.mint(ProductPC, "pclogin001", "u1")
	u := e.loginURL(true, "pclogin001", h5faceID, "u1", "https://partner.example/pc")
	require.Contains(t, u, "/api/pc/login?")
	require.Contains(t, u, "h5faceId="+h5faceID)
	token := formToken(t, load(t, e.srv, u))
	require.Equal(t, 1, e.srv.Requests(EndpointPCLogin))

	resp, _ := submit(t, e.srv, token, "pass")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "https://partner.example/pc?code=0&orderNo=pclogin001&h5faceId="+h5faceID+"&newSign="), loc)
	require.NotContains(t, loc, "liveRate")
	require.NotContains(t, loc, "newSignature")
}

func TestFinishToken(t *testing.T) {
	e := newFaceEnv(t)
	faceID := e.mint(ProductEnhanced, "finish001", "u1")
	token := formToken(t, load(t, e.srv, e.loginURL(false, "finish001", faceID, "u1", partnerURL)))

	resp, body := submit(t, e.srv, token, "maybe")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "an unknown outcome")
	require.Contains(t, body, "66660000")
	resp, body = submit(t, e.srv, "nosuchtoken", "pass")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "400106")

	resp, _ = submit(t, e.srv, token, "spoof")
	require.Equal(t, http.StatusFound, resp.StatusCode, "a bad outcome does not spend the token")
	resp, body = submit(t, e.srv, token, "pass")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "the token is single use")
	require.Contains(t, body, "400106")
	info, _ := e.srv.Order("finish001")
	require.Equal(t, OutcomeSpoof, info.Outcome)

	resp, err := browser(e.srv).Get(e.srv.URL + H5FinishPath)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestFinishLate(t *testing.T) {
	e := newFaceEnv(t)
	faceID := e.mint(ProductPlus, "late001", "u1")
	token := formToken(t, load(t, e.srv, e.loginURL(false, "late001", faceID, "u1", partnerURL)))
	e.srv.Clock.Advance(FaceIDLifetime + time.Second)
	e.ticket = fetchSignTicket(t, e.srv, e.token)
	resp, _ := submit(t, e.srv, token, "pass")
	require.Equal(t, http.StatusFound, resp.StatusCode, "a journey started in time may end after the faceId's 5 minutes")

	faceID = e.mint(ProductPlus, "late002", "u1")
	token = formToken(t, load(t, e.srv, e.loginURL(false, "late002", faceID, "u1", partnerURL)))
	e.srv.Clock.Advance(H5SessionLifetime)
	resp, body := submit(t, e.srv, token, "pass")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "66660018")
	info, _ := e.srv.Order("late002")
	require.Zero(t, info.Outcome)
}

func TestFinishAfterComplete(t *testing.T) {
	e := newFaceEnv(t)
	faceID := e.mint(ProductPlus, "both001", "u1")
	token := formToken(t, load(t, e.srv, e.loginURL(false, "both001", faceID, "u1", partnerURL)))
	require.NoError(t, e.srv.Complete("both001", OutcomeNotSamePerson))
	resp, body := submit(t, e.srv, token, "pass")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "66660018")
	info, _ := e.srv.Order("both001")
	require.Equal(t, OutcomeNotSamePerson, info.Outcome)
}

func TestFinishWithoutSignTicket(t *testing.T) {
	e := newFaceEnv(t)
	faceID := e.mint(ProductPlus, "noticket001", "u1")
	token := formToken(t, load(t, e.srv, e.loginURL(false, "noticket001", faceID, "u1", partnerURL)))
	e.srv.Revoke(e.srv.AppID)
	resp, _ := submit(t, e.srv, token, "pass")
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	info, _ := e.srv.Order("noticket001")
	require.Zero(t, info.Outcome, "nothing is recorded when the callback cannot be signed")
}

func TestCallbackURL(t *testing.T) {
	for _, p := range []Product{ProductPlus, ProductEnhanced, ProductPC} {
		for o := OutcomePass; o <= OutcomeUserQuit; o++ {
			t.Run(p.String()+"/"+o.String(), func(t *testing.T) {
				e := newFaceEnv(t)
				faceID := e.mint(p, "cb001", "u1")
				loc, err := e.srv.CallbackURL("cb001", o, partnerURL)
				require.NoError(t, err)
				checkCallback(t, e, loc, p, o, "cb001", faceID)
				info, _ := e.srv.Order("cb001")
				require.Equal(t, o, info.Outcome)
				_, err = e.srv.CallbackURL("cb001", o, partnerURL)
				require.ErrorIs(t, err, ErrOrderCompleted)
			})
		}
	}
}

func TestCallbackURLErrors(t *testing.T) {
	e := newFaceEnv(t)
	e.mint(ProductBasic, "cberr001", "u1")
	_, err := e.srv.CallbackURL("cberr001", OutcomePass, partnerURL)
	require.ErrorIs(t, err, ErrNoH5)
	info, _ := e.srv.Order("cberr001")
	require.Zero(t, info.Outcome, "not completed")
	require.NoError(t, e.srv.Complete("cberr001", OutcomePass), "the App SDK path still works")

	e.mint(ProductPlus, "cberr002", "u1")
	_, err = e.srv.CallbackURL("cberr002", OutcomePass, "/relative")
	require.ErrorIs(t, err, ErrBadPartnerURL)
	_, err = e.srv.CallbackURL("cberr002", Outcome(0), partnerURL)
	require.ErrorIs(t, err, ErrUnknownOutcome)
	_, err = e.srv.CallbackURL("nothing001", OutcomePass, partnerURL)
	require.ErrorIs(t, err, ErrUnknownOrder)
}

func TestCallbackSignedWithNewestTicket(t *testing.T) {
	e := newFaceEnv(t)
	e.mint(ProductEnhanced, "newest001", "u1")
	old := e.ticket
	newer := fetchSignTicket(t, e.srv, e.token) // the old one lives on for the overlap
	require.Equal(t, []string{newer, old}, e.srv.CurrentSignTickets(e.srv.AppID))
	loc, err := e.srv.CallbackURL("newest001", OutcomePass, "https://partner.example/cb")
	require.NoError(t, err)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	require.Equal(t, kyc.Sign(newer, e.srv.AppID, "newest001", "0"), u.Query().Get("newSignature"))
}

func TestAppendQuery(t *testing.T) {
	kv := []string{"code", "0", "orderNo", "o1"}
	for in, want := range map[string]string{
		"https://p.example/cb":            "https://p.example/cb?code=0&orderNo=o1",
		"https://p.example/cb?":           "https://p.example/cb?code=0&orderNo=o1",
		"https://p.example/cb?a=%2F":      "https://p.example/cb?a=%2F&code=0&orderNo=o1",
		"https://p.example/cb?a=1&":       "https://p.example/cb?a=1&code=0&orderNo=o1",
		"https://p.example/#/done":        "https://p.example/?code=0&orderNo=o1#/done",
		"https://p.example/cb?a=1#/x?y=2": "https://p.example/cb?a=1&code=0&orderNo=o1#/x?y=2",
	} {
		require.Equal(t, want, appendQuery(in, kv), in)
	}
}
