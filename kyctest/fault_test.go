package kyctest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func tokenURL(srv *Server) string {
	return srv.URL + tokenPath + "?" + query("appId", srv.AppID, "secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0")
}

func TestFaultStatus(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Endpoint: EndpointAccessToken, Times: 1, Status: http.StatusBadGateway})

	status, body := get(t, srv, tokenPath, "appId", srv.AppID, "secret", srv.Secret, "grant_type", "client_credential", "version", "1.0.0")
	require.Equal(t, http.StatusBadGateway, status)
	require.Equal(t, "Bad Gateway\n", string(body))
	require.NotContains(t, string(body), srv.Secret)

	fetchToken(t, srv) // Times: 1 is used up
	require.Equal(t, 2, srv.Requests(EndpointAccessToken), "faulted requests are counted")
}

func TestFaultCode(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Code: "999999", Times: 2})

	for range 2 {
		m := tokenAnswer(t, srv, srv.AppID, srv.Secret)
		require.Equal(t, "999999", m["code"])
		require.NotEmpty(t, m["msg"])
		require.Regexp(t, `^\d{32}$`, m["bizSeqNo"])
		require.Regexp(t, wireTimeRE, m["transactionTime"])
		require.NotContains(t, m, "access_token")
	}
	fetchToken(t, srv)
}

func TestFaultCodeNumeric(t *testing.T) {
	srv := NewServer(WithNumericFields())
	defer srv.Close()
	srv.Fail(Fault{Code: "400101"})
	require.Equal(t, json.Number("400101"), tokenAnswer(t, srv, srv.AppID, srv.Secret)["code"])
}

func TestFaultDrop(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Endpoint: EndpointAccessToken, Times: 1, Drop: true})

	// A fresh client sends on a new connection: the drop reaches it as an error.
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	_, err := hc.Get(tokenURL(srv))
	require.Error(t, err)
	require.Equal(t, 1, srv.Requests(EndpointAccessToken))

	resp, err := hc.Get(tokenURL(srv))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestFaultDropOnReusedConnection(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	fetchToken(t, srv) // leaves a keep-alive connection in srv.ts.Client()

	// net/http resends a GET dropped on a reused connection, once (see Fault.Drop).
	srv.Fail(Fault{Endpoint: EndpointAccessToken, Times: 1, Drop: true})
	fetchToken(t, srv)
	require.Equal(t, 3, srv.Requests(EndpointAccessToken))

	srv.Fail(Fault{Endpoint: EndpointAccessToken, Times: 2, Drop: true})
	_, err := srv.ts.Client().Get(tokenURL(srv))
	require.Error(t, err)
	require.Equal(t, 5, srv.Requests(EndpointAccessToken))
}

func TestFaultTruncate(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Endpoint: EndpointAccessToken, Times: 1, Truncate: true})

	resp, err := srv.ts.Client().Get(tokenURL(srv))
	require.NoError(t, err, "the headers arrive")
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"))
	declared, err := strconv.Atoi(resp.Header.Get("Content-Length"))
	require.NoError(t, err)

	var m map[string]any
	err = json.NewDecoder(resp.Body).Decode(&m)
	require.Error(t, err)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Greater(t, declared, 10)

	fetchToken(t, srv)
}

func TestFaultLatencyRespectsContext(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Latency: time.Minute})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tokenURL(srv), nil)
	require.NoError(t, err)
	start := time.Now()
	_, err = srv.ts.Client().Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestFaultLatencyThenNormal(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Endpoint: EndpointAccessToken, Times: 1, Latency: 30 * time.Millisecond})

	start := time.Now()
	fetchToken(t, srv)
	require.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	require.Equal(t, 1, srv.Requests(EndpointAccessToken))
}

func TestFaultsApplyInOrder(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	// Latency-only, then two answering faults: the first request is delayed and gets the
	// first code, the second gets the second code, the third is normal.
	srv.Fail(Fault{Times: 1, Latency: 20 * time.Millisecond})
	srv.Fail(Fault{Times: 1, Code: "999998"})
	srv.Fail(Fault{Times: 1, Code: "400506"})

	start := time.Now()
	require.Equal(t, "999998", tokenAnswer(t, srv, srv.AppID, srv.Secret)["code"])
	require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	require.Equal(t, "400506", tokenAnswer(t, srv, srv.AppID, srv.Secret)["code"])
	fetchToken(t, srv)
}

func TestFaultEndpointMatching(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Endpoint: EndpointNonceTicket, Code: "999999"})

	tok := fetchToken(t, srv)
	fetchSignTicket(t, srv, tok)
	require.Equal(t, "999999", nonceTicketAnswer(t, srv, srv.AppID, tok, "u1")["code"])
	require.Equal(t, "999999", nonceTicketAnswer(t, srv, srv.AppID, tok, "u1")["code"], "Times 0: every one")

	srv.ClearFaults()
	fetchNonceTicket(t, srv, tok, "u1")
}

func TestFaultEveryEndpoint(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.Fail(Fault{Status: http.StatusServiceUnavailable})
	status, _ := get(t, srv, tokenPath)
	require.Equal(t, http.StatusServiceUnavailable, status)
	status, _ = get(t, srv, ticketPath, "type", "NONCE")
	require.Equal(t, http.StatusServiceUnavailable, status)
	status, _ = get(t, srv, "/no/such/path")
	require.Equal(t, http.StatusNotFound, status, "unknown paths are not endpoints")
}

func TestCloseEndsLatency(t *testing.T) {
	srv := NewServer()
	srv.Fail(Fault{Latency: time.Hour})
	errc := make(chan error, 1)
	go func() {
		resp, err := srv.ts.Client().Get(tokenURL(srv))
		if err == nil {
			resp.Body.Close()
			err = errors.New("answered")
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return srv.Requests(EndpointAccessToken) == 1 }, 5*time.Second, 5*time.Millisecond)

	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the latency")
	}
	<-errc
}
