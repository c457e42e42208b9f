package kyctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

func TestCounters(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)
	fetchToken(t, srv)
	fetchSignTicket(t, srv, tok)
	fetchNonceTicket(t, srv, tok, "u1")
	fetchNonceTicket(t, srv, tok, "u2")
	fetchNonceTicket(t, srv, tok, "u3")
	status, _ := get(t, srv, "/api/oauth2/nothing")
	require.Equal(t, http.StatusNotFound, status)

	require.Equal(t, 2, srv.Requests(EndpointAccessToken))
	require.Equal(t, 1, srv.Requests(EndpointSignTicket))
	require.Equal(t, 3, srv.Requests(EndpointNonceTicket))
	require.Equal(t, 0, srv.Requests(EndpointQueryFaceRecord))
	require.Equal(t, 7, srv.TotalRequests(), "unknown paths count in the total")

	srv.ResetCounts()
	require.Equal(t, 0, srv.Requests(EndpointAccessToken))
	require.Equal(t, 0, srv.TotalRequests())
	fetchToken(t, srv)
	require.Equal(t, 1, srv.Requests(EndpointAccessToken))
}

func TestMethodNotAllowed(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	resp, err := srv.ts.Client().Post(tokenURL(srv), "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, 1, srv.Requests(EndpointAccessToken))
}

// fetch is a goroutine-safe GET that returns the "code" of the answer and one named field.
func fetch(srv *Server, path, field string, kv ...string) (string, error) {
	resp, err := srv.ts.Client().Get(srv.URL + path + "?" + query(kv...))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var m struct {
		Code        string `json:"code"`
		AccessToken string `json:"access_token"`
		Tickets     []struct {
			Value string `json:"value"`
		} `json:"tickets"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return "", err
	}
	if m.Code != "0" {
		return "", fmt.Errorf("%s: code %s", path, m.Code)
	}
	if field == "access_token" {
		return m.AccessToken, nil
	}
	if len(m.Tickets) != 1 {
		return "", fmt.Errorf("%s: %d tickets", path, len(m.Tickets))
	}
	return m.Tickets[0].Value, nil
}

func TestConcurrentUse(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	tok := fetchToken(t, srv)

	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			user := "user" + strconv.Itoa(i)
			var err error
			switch i % 5 {
			case 0:
				_, err = fetch(srv, tokenPath, "access_token", "appId", srv.AppID, "secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0")
			case 1:
				_, err = fetch(srv, ticketPath, "tickets", "appId", srv.AppID, "access_token", tok, "type", "SIGN", "version", "1.0.0")
			case 2:
				var ticket string
				ticket, err = fetch(srv, ticketPath, "tickets", "appId", srv.AppID, "access_token", tok, "type", "NONCE", "version", "1.0.0", "user_id", user)
				if err == nil {
					nonce := kyc.NewNonce()
					err = srv.CheckNonceSignature(srv.AppID, user, nonce, kyc.Sign(ticket, srv.AppID, user, nonce, "1.0.0"))
				}
			case 3:
				for _, ticket := range srv.CurrentSignTickets(srv.AppID) {
					_ = srv.verifySignTicket(EndpointQueryFaceRecord, queryParams(srv.AppID, ticket))
				}
				srv.Clock.Advance(0)
				_ = srv.Requests(EndpointSignTicket)
				_ = srv.TotalRequests()
			case 4:
				srv.Fail(Fault{Endpoint: "nothing", Times: 1})
				if i%20 == 4 {
					srv.ReplaceToken(srv.AppID)
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, n/5+1, srv.Requests(EndpointAccessToken))
	require.Equal(t, n/5, srv.Requests(EndpointSignTicket))
	require.Equal(t, n/5, srv.Requests(EndpointNonceTicket))
	require.Equal(t, 3*n/5+1, srv.TotalRequests())
	srv.ClearFaults()
}
