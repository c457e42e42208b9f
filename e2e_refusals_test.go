package kyc_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// These tests send wrongly signed requests to the fake over real HTTP and require the refusal
// the service gives (400101, or its error page for a browser login). They sign by hand with
// javaSign and name the signed fields from the manual, not from the SDK's signer table, so a
// fake that accepted any signature, or checked the SDK's own mistakes back to it, fails them.

// javaSign is the manual's Java reference (docs/A-auth-sign-face.md §3.1), written independently of kyc.Sign:
// the non-empty values and the ticket, sorted by UTF-16 code units, joined, SHA-1, upper hex.
func javaSign(ticket string, values ...string) string {
	vs := []string{ticket}
	for _, v := range values {
		if v != "" {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b string) int {
		return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
	})
	sum := sha1.Sum([]byte(strings.Join(vs, "")))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// refusalEnv is a fake with a plain HTTP client that fetches tokens and tickets by hand.
type refusalEnv struct {
	t   *testing.T
	srv *kyctest.Server
	hc  *http.Client
}

func newRefusalEnv(t *testing.T) *refusalEnv {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	return &refusalEnv{t: t, srv: srv, hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request and decodes a JSON answer; code is the envelope's code as text.
func (e *refusalEnv) do(req *http.Request) (code string, m map[string]any) {
	e.t.Helper()
	resp, err := e.hc.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	require.NoError(e.t, d.Decode(&m), "HTTP %d: %.200s", resp.StatusCode, body)
	switch c := m["code"].(type) {
	case string:
		code = c
	case json.Number:
		code = c.String()
	}
	return code, m
}

func (e *refusalEnv) get(path string, q url.Values) (string, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path+"?"+q.Encode(), nil)
	require.NoError(e.t, err)
	return e.do(req)
}

// post sends body as JSON to path?orderNo=... (docs/A-auth-sign-face.md §4).
func (e *refusalEnv) post(path string, body map[string]any) (string, map[string]any) {
	e.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(e.t, err)
	orderNo, _ := body["orderNo"].(string)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path+"?orderNo="+url.QueryEscape(orderNo), bytes.NewReader(raw))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

func (e *refusalEnv) token() string {
	e.t.Helper()
	code, m := e.get("/api/oauth2/access_token", url.Values{"appId": {e.srv.AppID}, "secret": {e.srv.Secret},
		"grant_type": {"client_credential"}, "version": {"1.0.0"}})
	require.Equal(e.t, "0", code)
	return m["access_token"].(string)
}

func (e *refusalEnv) ticket(token, kind, userID string) string {
	e.t.Helper()
	q := url.Values{"appId": {e.srv.AppID}, "access_token": {token}, "type": {kind}, "version": {"1.0.0"}}
	if userID != "" {
		q.Set("user_id", userID)
	}
	code, m := e.get("/api/oauth2/api_ticket", q)
	require.Equal(e.t, "0", code)
	return m["tickets"].([]any)[0].(map[string]any)["value"].(string)
}

// staleTicket returns a SIGN ticket whose unit has expired: the clock is moved past the token
// (7200 s), the ticket (3600 s) and the overlap, and nothing new is minted, so the fake still
// holds the dead ticket and must judge its age rather than forget it.
func (e *refusalEnv) staleTicket() string {
	e.t.Helper()
	stale := e.ticket(e.token(), "SIGN", "")
	e.srv.Clock.Advance(3 * time.Hour)
	return stale
}

const refusalUser = "user0001"

// pick returns the values of fields in body, for signing.
func refusalPick(body map[string]any, fields ...string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i], _ = body[f].(string)
	}
	return out
}

// refusalCall is one SIGN-signed endpoint of the fake: how to call it, what the manual says it
// signs, a plausible wrong field set, and the code a rightly signed call gets.
type refusalCall struct {
	name     string
	query    bool // GET with query parameters (OCR) instead of a JSON POST
	path     string
	body     func(orderNo string) map[string]any
	fields   []string // the signed fields (docs/A-auth-sign-face.md §3.3, docs/B-h5-wechat-billing.md §4, docs/C-ocr-will-nfc-eid.md §2-6), besides the ticket
	wrong    []string // a field set a partner gets wrong
	wantCode string   // the answer to a rightly signed call
}

func (e *refusalEnv) call(c refusalCall, body map[string]any) string {
	e.t.Helper()
	if !c.query {
		code, _ := e.post(c.path, body)
		return code
	}
	q := url.Values{}
	for k, v := range body {
		q.Set(k, v.(string))
	}
	code, _ := e.get(c.path, q)
	return code
}

func refusalUpload(orderNo string) map[string]any {
	return map[string]any{"appId": kyctest.DefaultAppID, "orderNo": orderNo, "name": "测试甲", "idNo": "TEST00000000000001",
		"userId": refusalUser, "version": "1.0.0", "nonce": kyc.NewNonce()}
}

func refusalQuery(orderNo string) map[string]any {
	return map[string]any{"appId": kyctest.DefaultAppID, "orderNo": orderNo, "version": "1.0.0", "nonce": kyc.NewNonce()}
}

func refusalCalls() []refusalCall {
	mobile := []string{"appId", "userId", "nonce", "version"}
	byOrder := []string{"appId", "orderNo", "nonce", "version"}
	return []refusalCall{
		{name: "getPlusFaceId", path: "/api/server/getPlusFaceId", body: refusalUpload, fields: mobile, wrong: byOrder, wantCode: "0"},
		{name: "getAdvFaceId", path: "/api/server/getAdvFaceId", body: refusalUpload, fields: mobile, wrong: byOrder, wantCode: "0"},
		{name: "getfaceid", path: "/api/server/getfaceid", body: refusalUpload, fields: mobile, wrong: byOrder, wantCode: "0"},
		// The PC upload signs seven values and no nonce (docs/B-h5-wechat-billing.md §4): the mobile set is the mistake.
		{name: "geth5faceid", path: "/api/server/h5/geth5faceid", body: refusalUpload,
			fields: []string{"appId", "orderNo", "name", "idNo", "userId", "version"}, wrong: mobile, wantCode: "0"},
		{name: "getWillFaceId", path: "/api/server/getWillFaceId", body: func(orderNo string) map[string]any {
			b := refusalUpload(orderNo)
			b["liveService"] = "2"
			b["willContentList"] = []map[string]string{{"id": "0", "question": "您是否本人办理？", "answer": "是"}}
			return b
		}, fields: mobile, wrong: byOrder, wantCode: "0"},
		// The NFC upload signs the orderNo, not the userId (docs/C-ocr-will-nfc-eid.md §10 item 7).
		{name: "getOcrCertId", path: "/api/server/getOcrCertId", body: func(orderNo string) map[string]any {
			b := refusalUpload(orderNo)
			delete(b, "name")
			delete(b, "idNo")
			b["nfcType"] = "1"
			return b
		}, fields: byOrder, wrong: mobile, wantCode: "0"},
		{name: "queryfacerecord", path: "/api/v2/base/queryfacerecord", body: refusalQuery, fields: byOrder,
			wrong: []string{"appId", "nonce", "version"}, wantCode: "66660011"},
		{name: "queryphotoinfo", path: "/api/v2/base/queryphotoinfo", body: refusalQuery, fields: byOrder,
			wrong: []string{"appId", "orderNo", "version"}, wantCode: "66660011"},
		{name: "getWillFaceResult", path: "/api/server/getWillFaceResult", body: refusalQuery, fields: byOrder,
			wrong: []string{"appId", "orderNo", "nonce"}, wantCode: "66660011"},
		{name: "getIdcardNfcResult", path: "/api/v2/nfcpaas/getIdcardNfcResult", body: func(orderNo string) map[string]any {
			b := refusalQuery(orderNo)
			b["reqId"] = "req" + orderNo
			return b
		}, fields: byOrder, wrong: []string{"appId", "orderNo", "nonce", "version", "reqId"}, wantCode: "66664004"},
		// OCR queries use snake_case names (docs/C-ocr-will-nfc-eid.md §2.6, §3.3).
		{name: "getOcrResult", query: true, path: "/api/server/getOcrResult", body: refusalOCRQuery,
			fields: []string{"app_id", "order_no", "nonce", "version"}, wrong: []string{"app_id", "nonce", "version"}, wantCode: "66660020"},
		{name: "getBankCardOcrResult", query: true, path: "/api/server/getBankCardOcrResult", body: refusalOCRQuery,
			fields: []string{"app_id", "order_no", "nonce", "version"}, wrong: []string{"app_id", "order_no", "version"}, wantCode: "66660020"},
	}
}

func refusalOCRQuery(orderNo string) map[string]any {
	return map[string]any{"app_id": kyctest.DefaultAppID, "order_no": orderNo, "version": "1.0.0", "nonce": kyc.NewNonce()}
}

// TestE2EFakeRefusesWronglySignedServerCalls: every SIGN-signed endpoint of the fake answers
// 400101 to a signature made with a NONCE ticket, over the wrong field set, with a stale SIGN
// ticket (still held by the fake, and after it was replaced), without a ticket, or over a value
// changed afterwards, and accepts the same call rightly signed, in lower-case hex (the manual
// compares signatures ignoring case).
func TestE2EFakeRefusesWronglySignedServerCalls(t *testing.T) {
	e := newRefusalEnv(t)
	calls := refusalCalls()
	orderOf := func(i int) string { return "refuse" + strings.Repeat("0", 4) + string(rune('a'+i)) }
	stale := e.staleTicket()
	for i, c := range calls {
		b := c.body(orderOf(i))
		b["sign"] = javaSign(stale, refusalPick(b, c.fields...)...)
		require.Equal(t, "400101", e.call(c, b), "%s: a stale SIGN ticket", c.name)
	}
	tok := e.token()
	tk := struct{ sign, nonce string }{e.ticket(tok, "SIGN", ""), e.ticket(tok, "NONCE", refusalUser)}
	for i, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			orderNo := orderOf(i)
			body := c.body(orderNo)
			sign := func(ticket string, fields []string) map[string]any {
				b := c.body(orderNo)
				for k, v := range body {
					b[k] = v
				}
				b["sign"] = javaSign(ticket, refusalPick(b, fields...)...)
				return b
			}
			wrong := map[string]map[string]any{
				"NONCE ticket":    sign(tk.nonce, c.fields),
				"wrong field set": sign(tk.sign, c.wrong),
				// The ticket of a unit that expired and was replaced.
				"replaced stale ticket": sign(stale, c.fields),
				"no ticket":             sign("", c.fields),
				"a signed value changed": func() map[string]any {
					b := sign(tk.sign, c.fields)
					if slices.Contains(c.fields, "nonce") {
						b["nonce"] = kyc.NewNonce()
					} else {
						b["name"] = "测试丙"
					}
					return b
				}(),
			}
			for what, b := range wrong {
				require.Equal(t, "400101", e.call(c, b), "%s: %s", c.name, what)
			}
			right := sign(tk.sign, c.fields)
			right["sign"] = strings.ToLower(right["sign"].(string))
			require.Equal(t, c.wantCode, e.call(c, right), "%s rightly signed (lower-case hex)", c.name)
		})
	}
}

// refusalLogin is one NONCE-signed browser login of the fake.
type refusalLogin struct {
	name, path, idField string
	upload              string // the upload that makes the order
	uploadFields        []string
}

// TestE2EFakeRefusesWronglySignedLogins: the H5 and will login pages refuse (400101 page) a URL
// signed with a SIGN ticket, over the wrong field set, with an expired NONCE ticket, with a NONCE
// ticket of another user, and the second load of a URL whose NONCE ticket was spent.
func TestE2EFakeRefusesWronglySignedLogins(t *testing.T) {
	cases := []refusalLogin{
		{"mobile H5", "/api/web/login", "faceId", "/api/server/getPlusFaceId", []string{"appId", "userId", "nonce", "version"}},
		{"PC H5", "/api/pc/login", "h5faceId", "/api/server/h5/geth5faceid", []string{"appId", "orderNo", "name", "idNo", "userId", "version"}},
		{"will H5", "/api/web/willLogin", "faceId", "/api/server/getWillFaceId", []string{"appId", "userId", "nonce", "version"}},
	}
	for i, lc := range cases {
		t.Run(lc.name, func(t *testing.T) {
			e := newRefusalEnv(t)
			tok := e.token()
			sign := e.ticket(tok, "SIGN", "")
			orderNo := "login000" + string(rune('a'+i))
			up := refusalUpload(orderNo)
			if lc.name == "will H5" {
				up["liveService"] = "2"
				up["willContentList"] = []map[string]string{{"id": "0", "question": "您是否本人办理？", "answer": "是"}}
			}
			up["sign"] = javaSign(sign, refusalPick(up, lc.uploadFields...)...)
			code, m := e.post(lc.upload, up)
			require.Equal(t, "0", code, "upload: %v", m)
			faceID := m["result"].(map[string]any)[lc.idField].(string)

			loginFields := []string{"appId", "userId", "orderNo", "version", lc.idField, "nonce"} // docs/B-h5-wechat-billing.md §3.2, §4.2, docs/C-ocr-will-nfc-eid.md §5.3
			loginURL := func(ticket string, fields []string) string {
				q := url.Values{"appId": {e.srv.AppID}, "version": {"1.0.0"}, "nonce": {kyc.NewNonce()}, "orderNo": {orderNo},
					lc.idField: {faceID}, "userId": {refusalUser}, "url": {"https://partner.example/back"}}
				vals := make([]string, len(fields))
				for i, f := range fields {
					vals[i] = q.Get(f)
				}
				q.Set("sign", javaSign(ticket, vals...))
				return e.srv.URL + lc.path + "?" + q.Encode()
			}
			load := func(u string) (int, string) {
				resp, err := e.hc.Get(u)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, string(b)
			}
			refused := func(u, what string) {
				status, page := load(u)
				require.Equal(t, http.StatusBadRequest, status, what)
				require.Contains(t, page, "400101", what)
			}

			refused(loginURL(sign, loginFields), "signed with the SIGN ticket")
			refused(loginURL(e.ticket(tok, "NONCE", refusalUser), loginFields[:5]), "nonce left out of the signature")
			refused(loginURL(e.ticket(tok, "NONCE", "user0002"), loginFields), "NONCE ticket of another user")
			expired := e.ticket(tok, "NONCE", refusalUser)
			e.srv.Clock.Advance(121 * time.Second) // NONCE tickets live 120 s (docs/A-auth-sign-face.md §2.3)
			refused(loginURL(expired, loginFields), "expired NONCE ticket")

			good := loginURL(e.ticket(tok, "NONCE", refusalUser), loginFields)
			status, page := load(good)
			require.Equal(t, http.StatusOK, status, page)
			refused(good, "the same URL again: the NONCE ticket is spent")
		})
	}
}

// TestE2EFakeRefusesWrongSDKStartValues: what the App SDK's login checks (the fake's
// CheckNonceSignature) is refused for a SIGN ticket, a wrong field set, another user's or an
// expired NONCE ticket, and a second use.
func TestE2EFakeRefusesWrongSDKStartValues(t *testing.T) {
	e := newRefusalEnv(t)
	tok := e.token()
	app := e.srv.AppID
	check := func(ticket, user string, extra ...string) (string, string, error) {
		nonce := kyc.NewNonce()
		s := javaSign(ticket, append([]string{app, user, nonce, "1.0.0"}, extra...)...)
		return nonce, s, e.srv.CheckNonceSignature(app, refusalUser, nonce, s)
	}
	_, _, err := check(e.ticket(tok, "SIGN", ""), refusalUser)
	require.ErrorIs(t, err, kyctest.ErrBadSignature, "SIGN ticket")
	_, _, err = check(e.ticket(tok, "NONCE", refusalUser), refusalUser, "order0001")
	require.ErrorIs(t, err, kyctest.ErrBadSignature, "an orderNo signed too")
	_, _, err = check(e.ticket(tok, "NONCE", "user0002"), refusalUser)
	require.Error(t, err, "another user's NONCE ticket")
	expired := e.ticket(tok, "NONCE", refusalUser)
	e.srv.Clock.Advance(121 * time.Second)
	_, _, err = check(expired, refusalUser)
	require.ErrorIs(t, err, kyctest.ErrTicketExpired, "expired NONCE ticket")

	nonce, s, err := check(e.ticket(e.token(), "NONCE", refusalUser), refusalUser)
	require.NoError(t, err)
	require.ErrorIs(t, e.srv.CheckNonceSignature(app, refusalUser, nonce, s), kyctest.ErrTicketUsed, "second use")
}

// TestE2ECallbacksFromTheSimulator: the H5 simulator signs its callbacks as the manual says
// (appId, orderNo, code and the SIGN ticket, checked here by hand), and the SDK refuses each
// kind of wrong callback signature: a NONCE ticket, a wrong field set, a changed code, another
// order's signature.
func TestE2ECallbacksFromTheSimulator(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
	require.NoError(t, err)
	ctx := context.Background()
	e := &refusalEnv{t: t, srv: srv, hc: http.DefaultClient}

	start := func(orderNo string) {
		_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: refusalUser, Name: "测试乙", IDNo: "TEST00000000000002"})
		require.NoError(t, err)
	}
	start("cb0001")
	start("cb0002")
	raw, err := srv.CallbackURL("cb0001", kyctest.OutcomePass, "https://partner.example/back")
	require.NoError(t, err)
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()

	// The fake's signature is the manual's, over exactly appId, orderNo and code.
	tickets := srv.CurrentSignTickets(srv.AppID)
	require.NotEmpty(t, tickets)
	require.Equal(t, javaSign(tickets[0], srv.AppID, "cb0001", q.Get("code")), q.Get("newSignature"))
	cb, err := c.Face.VerifyCallback(ctx, q)
	require.NoError(t, err)
	require.True(t, cb.Passed())
	// The manual compares signatures ignoring case: the same callback in lower-case hex passes.
	lower := url.Values{}
	for k, v := range q {
		lower[k] = slices.Clone(v)
	}
	lower.Set("newSignature", strings.ToLower(q.Get("newSignature")))
	_, err = c.Face.VerifyCallback(ctx, lower)
	require.NoError(t, err, "lower-case signature")

	nonce := e.ticket(e.token(), "NONCE", refusalUser)
	wrong := map[string]string{
		"NONCE ticket":     javaSign(nonce, srv.AppID, "cb0001", q.Get("code")),
		"faceId signed":    javaSign(tickets[0], srv.AppID, "cb0001", q.Get("code"), q.Get("faceId")),
		"appId left out":   javaSign(tickets[0], "cb0001", q.Get("code")),
		"another order":    javaSign(tickets[0], srv.AppID, "cb0002", q.Get("code")),
		"code 66660004":    javaSign(tickets[0], srv.AppID, "cb0001", "66660004"),
		"no ticket at all": javaSign("", srv.AppID, "cb0001", q.Get("code")),
	}
	for what, s := range wrong {
		bad := url.Values{}
		for k, v := range q {
			bad[k] = slices.Clone(v)
		}
		bad.Set("newSignature", s)
		_, err := c.Face.VerifyCallback(ctx, bad)
		require.ErrorIs(t, err, kyc.ErrInvalidSignature, what)
	}
	// A changed code under the original signature.
	bad := url.Values{}
	for k, v := range q {
		bad[k] = slices.Clone(v)
	}
	bad.Set("code", "66660004")
	_, err = c.Face.VerifyCallback(ctx, bad)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
}
