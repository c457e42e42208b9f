package kyctest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

// get sends GET path?kv... to srv with plain net/http and returns the status and body.
func get(t *testing.T, srv *Server, path string, kv ...string) (int, []byte) {
	t.Helper()
	resp, err := srv.ts.Client().Get(srv.URL + path + "?" + query(kv...))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

func query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q.Encode()
}

// decode parses a JSON object keeping numbers as json.Number, so strings and numbers differ.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	require.NoError(t, d.Decode(&m), "body: %s", body)
	return m
}

// getJSON is get plus decode, for answers that must be HTTP 200.
func getJSON(t *testing.T, srv *Server, path string, kv ...string) map[string]any {
	t.Helper()
	status, body := get(t, srv, path, kv...)
	require.Equal(t, http.StatusOK, status, "body: %s", body)
	return decode(t, body)
}

const (
	tokenPath  = "/api/oauth2/access_token"
	ticketPath = "/api/oauth2/api_ticket"
)

func tokenAnswer(t *testing.T, srv *Server, appID, secret string) map[string]any {
	t.Helper()
	return getJSON(t, srv, tokenPath, "appId", appID, "secret", secret, "grant_type", "client_credential", "version", "1.0.0")
}

// fetchToken fetches an access token for the default app and fails the test otherwise.
func fetchToken(t *testing.T, srv *Server) string {
	t.Helper()
	m := tokenAnswer(t, srv, srv.AppID, srv.Secret)
	require.Equal(t, "0", m["code"])
	return m["access_token"].(string)
}

func signTicketAnswer(t *testing.T, srv *Server, appID, token string) map[string]any {
	t.Helper()
	return getJSON(t, srv, ticketPath, "appId", appID, "access_token", token, "type", "SIGN", "version", "1.0.0")
}

func nonceTicketAnswer(t *testing.T, srv *Server, appID, token, userID string) map[string]any {
	t.Helper()
	return getJSON(t, srv, ticketPath, "appId", appID, "access_token", token, "type", "NONCE", "version", "1.0.0", "user_id", userID)
}

// ticketOf returns the single ticket of a successful api_ticket answer.
func ticketOf(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	require.Equal(t, "0", m["code"], "answer: %v", m)
	ts := m["tickets"].([]any)
	require.Len(t, ts, 1)
	return ts[0].(map[string]any)
}

func fetchSignTicket(t *testing.T, srv *Server, token string) string {
	t.Helper()
	return ticketOf(t, signTicketAnswer(t, srv, srv.AppID, token))["value"].(string)
}

func fetchNonceTicket(t *testing.T, srv *Server, token, userID string) string {
	t.Helper()
	return ticketOf(t, nonceTicketAnswer(t, srv, srv.AppID, token, userID))["value"].(string)
}

// queryParams are the values of a queryfacerecord call signed with ticket.
func queryParams(appID, ticket string) map[string]string {
	p := map[string]string{"appId": appID, "orderNo": "order0001", "nonce": kyc.NewNonce(), "version": "1.0.0"}
	p["sign"] = kyc.Sign(ticket, p["appId"], p["orderNo"], p["nonce"], p["version"])
	return p
}
