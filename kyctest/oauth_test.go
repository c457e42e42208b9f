package kyctest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

var (
	wireTimeRE = regexp.MustCompile(`^\d{14}$`)
	ticketRE   = regexp.MustCompile(`^[A-Za-z0-9]{64}$`)
)

func TestNewServerDefaults(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	require.Equal(t, DefaultAppID, srv.AppID)
	require.Len(t, srv.AppID, 8)
	require.Regexp(t, `^[A-Za-z0-9]{32,}$`, srv.Secret)
	require.NotNil(t, srv.Clock)

	other := NewServer()
	defer other.Close()
	require.NotEqual(t, srv.Secret, other.Secret, "secrets are generated per server")
}

func TestAccessTokenShape(t *testing.T) {
	srv := NewServer()
	defer srv.Close()

	before := srv.Clock.Now().Truncate(time.Second)
	status, body := get(t, srv, tokenPath, "appId", srv.AppID, "secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0")
	require.Equal(t, 200, status)
	// Keys in the manual's order, no bizSeqNo (docs/A-auth-sign-face.md §2.1 example).
	require.Regexp(t, `^\{"code":"0","msg":"请求成功","transactionTime":"\d{14}","access_token":"[A-Za-z0-9]+","expire_time":"\d{14}","expire_in":"7200"\}$`, string(body))

	m := decode(t, body)
	cst := time.FixedZone("CST", 8*3600)
	tx, err := time.ParseInLocation("20060102150405", m["transactionTime"].(string), cst)
	require.NoError(t, err)
	require.WithinDuration(t, before, tx, 2*time.Second, "transactionTime is Clock time in China time")
	exp, err := time.ParseInLocation("20060102150405", m["expire_time"].(string), cst)
	require.NoError(t, err)
	require.Equal(t, 7200*time.Second, exp.Sub(tx))

	second := fetchToken(t, srv)
	require.NotEqual(t, m["access_token"], second, "each fetch mints a new token")
}

func TestAccessTokenFollowsClock(t *testing.T) {
	clock := NewClock()
	clock.Advance(48 * time.Hour)
	srv := NewServer(WithClock(clock))
	defer srv.Close()
	require.Same(t, clock, srv.Clock)

	m := tokenAnswer(t, srv, srv.AppID, srv.Secret)
	require.Equal(t, wireTime(clock.Now()), m["transactionTime"])
}

func TestAccessTokenLowerCaseAppid(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	m := getJSON(t, srv, tokenPath, "appid", srv.AppID, "secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0")
	require.Equal(t, "0", m["code"])
	ticket := ticketOf(t, getJSON(t, srv, ticketPath, "appid", srv.AppID, "access_token", m["access_token"].(string), "type", "SIGN", "version", "1.0.0"))
	require.Regexp(t, ticketRE, ticket["value"])
}

func TestNumericFields(t *testing.T) {
	srv := NewServer(WithNumericFields())
	defer srv.Close()

	m := tokenAnswer(t, srv, srv.AppID, srv.Secret)
	require.Equal(t, json.Number("0"), m["code"])
	require.Equal(t, json.Number("7200"), m["expire_in"])
	require.IsType(t, "", m["transactionTime"])

	tk := ticketOf2(t, signTicketAnswer(t, srv, srv.AppID, m["access_token"].(string)))
	require.Equal(t, json.Number("3600"), tk["expire_in"])

	m = tokenAnswer(t, srv, srv.AppID, "wrong")
	require.Equal(t, json.Number("400105"), m["code"])
}

// ticketOf2 is ticketOf for numeric answers.
func ticketOf2(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	require.Equal(t, json.Number("0"), m["code"])
	return m["tickets"].([]any)[0].(map[string]any)
}

func TestAccessTokenErrors(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		name string
		kv   []string
		code string
	}{
		{"wrong secret", []string{"appId", srv.AppID, "secret", "not-the-secret", "grant_type", "client_credential", "version", "1.0.0"}, "400105"},
		{"unknown app", []string{"appId", "IDANOONE", "secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0"}, "400105"},
		{"upper-case grant_type", []string{"appId", srv.AppID, "secret", srv.Secret, "grant_type", "CLIENT_CREDENTIAL", "version", "1.0.0"}, "66660000"},
		{"missing grant_type", []string{"appId", srv.AppID, "secret", srv.Secret, "version", "1.0.0"}, "66660000"},
		{"missing secret", []string{"appId", srv.AppID, "grant_type", "client_credential", "version", "1.0.0"}, "66660000"},
		{"missing appId", []string{"secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0"}, "66660000"},
		{"missing version", []string{"appId", srv.AppID, "secret", srv.Secret, "grant_type", "client_credential"}, "66660000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv, tokenPath, tc.kv...)
			require.Equal(t, 200, status)
			require.NotContains(t, string(body), srv.Secret)
			m := decode(t, body)
			require.Equal(t, tc.code, m["code"])
			require.NotEmpty(t, m["msg"])
			require.Regexp(t, `^\d{32}$`, m["bizSeqNo"])
			require.Regexp(t, wireTimeRE, m["transactionTime"])
			require.NotContains(t, m, "access_token")
		})
	}
}

func TestTicketParamRules(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)
	for _, tc := range []struct {
		name     string
		kv       []string
		code     string
		endpoint string
	}{
		{"lower-case sign", []string{"appId", srv.AppID, "access_token", tok, "type", "sign", "version", "1.0.0"}, "66660000", EndpointSignTicket},
		{"lower-case nonce", []string{"appId", srv.AppID, "access_token", tok, "type", "nonce", "version", "1.0.0", "user_id", "u1"}, "66660000", EndpointNonceTicket},
		{"missing type", []string{"appId", srv.AppID, "access_token", tok, "version", "1.0.0"}, "66660000", EndpointSignTicket},
		{"missing token", []string{"appId", srv.AppID, "type", "SIGN", "version", "1.0.0"}, "66660000", EndpointSignTicket},
		{"missing version", []string{"appId", srv.AppID, "access_token", tok, "type", "SIGN"}, "66660000", EndpointSignTicket},
		{"unknown token", []string{"appId", srv.AppID, "access_token", "bogus", "type", "SIGN", "version", "1.0.0"}, "400102", EndpointSignTicket},
		{"unknown app", []string{"appId", "IDANOONE", "access_token", tok, "type", "SIGN", "version", "1.0.0"}, "400102", EndpointSignTicket},
		{"nonce without user_id", []string{"appId", srv.AppID, "access_token", tok, "type", "NONCE", "version", "1.0.0"}, "66660000", EndpointNonceTicket},
		{"nonce user_id with a space", []string{"appId", srv.AppID, "access_token", tok, "type", "NONCE", "version", "1.0.0", "user_id", "a b"}, "66660000", EndpointNonceTicket},
		{"nonce user_id of 33", []string{"appId", srv.AppID, "access_token", tok, "type", "NONCE", "version", "1.0.0", "user_id", strings.Repeat("u", 33)}, "66660000", EndpointNonceTicket},
		{"nonce unknown token", []string{"appId", srv.AppID, "access_token", "bogus", "type", "NONCE", "version", "1.0.0", "user_id", "u1"}, "400102", EndpointNonceTicket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests(tc.endpoint)
			m := getJSON(t, srv, ticketPath, tc.kv...)
			require.Equal(t, tc.code, m["code"])
			require.NotContains(t, m, "tickets")
			require.Equal(t, before+1, srv.Requests(tc.endpoint), "counted as %s", tc.endpoint)
		})
	}

	// The longest and the most varied user_id that are allowed.
	for _, u := range []string{strings.Repeat("u", 32), "user_ID-01"} {
		require.Regexp(t, ticketRE, fetchNonceTicket(t, srv, tok, u))
	}
}

func TestSignTicket(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)

	m := signTicketAnswer(t, srv, srv.AppID, tok)
	require.Equal(t, "请求成功", m["msg"])
	require.Regexp(t, wireTimeRE, m["transactionTime"])
	tk := ticketOf(t, m)
	require.Regexp(t, ticketRE, tk["value"])
	require.Equal(t, "3600", tk["expire_in"])
	require.Regexp(t, wireTimeRE, tk["expire_time"])
	ticket := tk["value"].(string)
	require.Equal(t, []string{ticket}, srv.CurrentSignTickets(srv.AppID))
	require.Empty(t, srv.CurrentSignTickets("IDANOONE"))

	// The shared check later endpoints use: 400101 unless the signature is right.
	p := queryParams(srv.AppID, ticket)
	require.NoError(t, srv.verifySignTicket(EndpointQueryFaceRecord, p))
	p["sign"] = strings.ToLower(p["sign"])
	require.NoError(t, srv.verifySignTicket(EndpointQueryFaceRecord, p), "case-insensitive")
	p["orderNo"] = "order0002"
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, p), ErrBadSignature)
	delete(p, "sign")
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, p), ErrBadSignature)
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams("IDANOONE", ticket)), ErrUnknownApp)
	require.Error(t, srv.verifySignTicket(EndpointFaceSDKStart, queryParams(srv.AppID, ticket)), "NONCE-signed endpoint")

	// OCR spells its fields app_id and order_no.
	ocr := map[string]string{"app_id": srv.AppID, "order_no": "order0003", "nonce": kyc.NewNonce(), "version": "1.0.0"}
	ocr["sign"] = kyc.Sign(ticket, ocr["app_id"], ocr["order_no"], ocr["nonce"], ocr["version"])
	require.NoError(t, srv.verifySignTicket(EndpointOCRResult, ocr))

	// A NONCE ticket does not sign server calls.
	nonce := fetchNonceTicket(t, srv, tok, "user1")
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, nonce)), ErrBadSignature)
}

func TestSignTicketDiesWithToken(t *testing.T) {
	srv := NewServer(WithLifetimes(100*time.Second, 0, 0, 0))
	defer srv.Close()
	tok := fetchToken(t, srv)
	tk := ticketOf(t, signTicketAnswer(t, srv, srv.AppID, tok))
	require.Equal(t, "100", tk["expire_in"], "never longer than its token")

	srv.Clock.Advance(99 * time.Second)
	require.Len(t, srv.CurrentSignTickets(srv.AppID), 1)
	srv.Clock.Advance(2 * time.Second)
	require.Empty(t, srv.CurrentSignTickets(srv.AppID))
	require.Equal(t, "400102", signTicketAnswer(t, srv, srv.AppID, tok)["code"])
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, tk["value"].(string))), ErrTicketExpired)
}

func TestTokenExpires(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)
	srv.Clock.Advance(7199 * time.Second)
	require.Equal(t, "0", signTicketAnswer(t, srv, srv.AppID, tok)["code"])
	srv.Clock.Advance(2 * time.Second)
	require.Equal(t, "400102", signTicketAnswer(t, srv, srv.AppID, tok)["code"])
}

func TestSignTicketExpires(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	ticket := fetchSignTicket(t, srv, fetchToken(t, srv))
	srv.Clock.Advance(3599 * time.Second)
	require.Equal(t, []string{ticket}, srv.CurrentSignTickets(srv.AppID))
	srv.Clock.Advance(2 * time.Second)
	require.Empty(t, srv.CurrentSignTickets(srv.AppID))
}

func TestNonceTicket(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)

	tk := ticketOf(t, nonceTicketAnswer(t, srv, srv.AppID, tok, "user_1"))
	require.Equal(t, "120", tk["expire_in"])
	ticket := tk["value"].(string)
	require.Empty(t, srv.CurrentSignTickets(srv.AppID), "a NONCE ticket is not a SIGN ticket")

	nonce := kyc.NewNonce()
	sign := kyc.Sign(ticket, srv.AppID, "user_1", nonce, "1.0.0")

	err := srv.CheckNonceSignature(srv.AppID, "user_2", nonce, kyc.Sign(ticket, srv.AppID, "user_2", nonce, "1.0.0"))
	require.ErrorIs(t, err, ErrWrongUser)
	require.ErrorIs(t, srv.CheckNonceSignature(srv.AppID, "user_1", kyc.NewNonce(), sign), ErrBadSignature)
	require.ErrorIs(t, srv.CheckNonceSignature("IDANOONE", "user_1", nonce, sign), ErrUnknownApp)

	require.NoError(t, srv.CheckNonceSignature(srv.AppID, "user_1", nonce, strings.ToLower(sign)))
	err = srv.CheckNonceSignature(srv.AppID, "user_1", nonce, sign)
	require.ErrorIs(t, err, ErrTicketUsed, "single use")
	require.NotContains(t, err.Error(), ticket)

	// Each call mints a new ticket; one left unused expires after 120 s.
	second := fetchNonceTicket(t, srv, tok, "user_1")
	require.NotEqual(t, ticket, second)
	srv.Clock.Advance(121 * time.Second)
	err = srv.CheckNonceSignature(srv.AppID, "user_1", nonce, kyc.Sign(second, srv.AppID, "user_1", nonce, "1.0.0"))
	require.ErrorIs(t, err, ErrTicketExpired)
	require.NotContains(t, err.Error(), second)
}

func TestNonceTicketDiesWithToken(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)
	ticket := fetchNonceTicket(t, srv, tok, "u1")
	srv.ReplaceToken(srv.AppID)
	srv.Clock.Advance(61 * time.Second) // inside 120 s, but its token is gone
	nonce := kyc.NewNonce()
	require.ErrorIs(t, srv.CheckNonceSignature(srv.AppID, "u1", nonce, kyc.Sign(ticket, srv.AppID, "u1", nonce, "1.0.0")), ErrTicketExpired)
}

func TestOverlapAfterSecondFetch(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	old := fetchToken(t, srv)
	current := fetchToken(t, srv)

	srv.Clock.Advance(59 * time.Second)
	require.Equal(t, "0", signTicketAnswer(t, srv, srv.AppID, old)["code"], "the old token lives one more minute")
	srv.Clock.Advance(2 * time.Second)
	require.Equal(t, "400102", signTicketAnswer(t, srv, srv.AppID, old)["code"])
	require.Equal(t, "400102", nonceTicketAnswer(t, srv, srv.AppID, old, "u1")["code"])
	require.Equal(t, "0", signTicketAnswer(t, srv, srv.AppID, current)["code"])
}

func TestOverlapAfterReplaceToken(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	old := fetchToken(t, srv)
	oldTicket := fetchSignTicket(t, srv, old)

	srv.ReplaceToken(srv.AppID)
	tickets := srv.CurrentSignTickets(srv.AppID)
	require.Len(t, tickets, 2)
	require.Equal(t, oldTicket, tickets[1], "newest first")
	newTicket := tickets[0]

	require.NoError(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, oldTicket)))
	require.Equal(t, "0", nonceTicketAnswer(t, srv, srv.AppID, old, "u1")["code"])

	srv.Clock.Advance(61 * time.Second)
	require.Equal(t, "400102", signTicketAnswer(t, srv, srv.AppID, old)["code"])
	require.Equal(t, []string{newTicket}, srv.CurrentSignTickets(srv.AppID))
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, oldTicket)), ErrTicketExpired)
	require.NoError(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, newTicket)))

	srv.ReplaceToken("IDANOONE") // ignored
}

func TestOverlapOfSignTickets(t *testing.T) {
	srv := NewServer(WithLifetimes(0, 0, 0, 10*time.Second))
	defer srv.Close()
	tok := fetchToken(t, srv)
	first := fetchSignTicket(t, srv, tok)
	second := fetchSignTicket(t, srv, tok)
	require.Equal(t, []string{second, first}, srv.CurrentSignTickets(srv.AppID))
	srv.Clock.Advance(11 * time.Second)
	require.Equal(t, []string{second}, srv.CurrentSignTickets(srv.AppID))
}

func TestRevoke(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)
	ticket := fetchSignTicket(t, srv, tok)
	nonceTicket := fetchNonceTicket(t, srv, tok, "u1")

	srv.Revoke(srv.AppID)
	require.Equal(t, "400102", signTicketAnswer(t, srv, srv.AppID, tok)["code"])
	require.Empty(t, srv.CurrentSignTickets(srv.AppID))
	require.ErrorIs(t, srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, ticket)), ErrTicketExpired)
	nonce := kyc.NewNonce()
	require.ErrorIs(t, srv.CheckNonceSignature(srv.AppID, "u1", nonce, kyc.Sign(nonceTicket, srv.AppID, "u1", nonce, "1.0.0")), ErrTicketExpired)

	// The secret still works: a client recovers by fetching again.
	fresh := fetchToken(t, srv)
	require.Regexp(t, ticketRE, fetchSignTicket(t, srv, fresh))
	srv.Revoke("IDANOONE") // ignored
}

func TestWithApp(t *testing.T) {
	srv := NewServer(WithApp("IDAOCR01", "ocrsecret0123456789abcdefghijklm"))
	defer srv.Close()

	ocr := tokenAnswer(t, srv, "IDAOCR01", "ocrsecret0123456789abcdefghijklm")
	require.Equal(t, "0", ocr["code"])
	ocrToken := ocr["access_token"].(string)
	require.Equal(t, "400105", tokenAnswer(t, srv, "IDAOCR01", srv.Secret)["code"])

	faceToken := fetchToken(t, srv)
	require.Equal(t, "400102", signTicketAnswer(t, srv, "IDAOCR01", faceToken)["code"], "tokens are per app")
	ocrTicket := ticketOf(t, signTicketAnswer(t, srv, "IDAOCR01", ocrToken))["value"].(string)
	faceTicket := fetchSignTicket(t, srv, faceToken)

	require.Equal(t, []string{ocrTicket}, srv.CurrentSignTickets("IDAOCR01"))
	require.Equal(t, []string{faceTicket}, srv.CurrentSignTickets(srv.AppID))

	// Replacing one app's token leaves the other's alone.
	srv.ReplaceToken(srv.AppID)
	srv.Clock.Advance(61 * time.Second)
	require.Equal(t, []string{ocrTicket}, srv.CurrentSignTickets("IDAOCR01"))
	require.Equal(t, "0", signTicketAnswer(t, srv, "IDAOCR01", ocrToken)["code"])
}

func TestWithAppSetsDefaultSecret(t *testing.T) {
	srv := NewServer(WithApp(DefaultAppID, "pinnedSecret0123456789abcdefghij"))
	defer srv.Close()
	require.Equal(t, "pinnedSecret0123456789abcdefghij", srv.Secret)
	fetchToken(t, srv)
}

func TestWithAppEmptyPanics(t *testing.T) {
	require.Panics(t, func() { NewServer(WithApp("", "x")) })
}

func TestClock(t *testing.T) {
	c := NewClock()
	require.WithinDuration(t, time.Now(), c.Now(), time.Second)
	c.Advance(time.Hour)
	require.WithinDuration(t, time.Now().Add(time.Hour), c.Now(), time.Second)
	var zero Clock
	require.WithinDuration(t, time.Now(), zero.Now(), time.Second)
}
