package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func setup(t *testing.T) (*kyctest.Server, *httptest.Server) {
	t.Helper()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	require.NoError(t, err)
	backend := httptest.NewUnstartedServer(nil)
	app := NewApp(c, "http://"+backend.Listener.Addr().String(), slog.New(slog.DiscardHandler))
	backend.Config.Handler = app.Handler()
	backend.Start()
	t.Cleanup(backend.Close)
	return srv, backend
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestAppStartThenSDK(t *testing.T) {
	srv, backend := setup(t)
	resp, err := http.Post(backend.URL+"/kyc/start", "application/json", bytes.NewBufferString(`{"userId":"demo1"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var start kyc.SDKStart
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&start))
	require.Equal(t, "plus", start.Product)
	// The app's SDK logs in with these values; the service then has the order.
	require.NoError(t, srv.CheckNonceSignature(start.AppID, start.UserID, start.Nonce, start.Sign))
	require.NoError(t, srv.Complete(start.OrderNo, kyctest.OutcomePass))

	resp, err = http.Post(backend.URL+"/kyc/start", "application/json", bytes.NewBufferString(`{"userId":"nobody"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
}

func TestAppH5Journey(t *testing.T) {
	_, backend := setup(t)
	for _, tc := range []struct {
		choice string
		passed bool
		code   string
	}{{"pass", true, "0"}, {"not-same-person", false, "66660004"}, {"user-quit", false, "3003"}} {
		// The browser asks the backend, which answers 302 to the one-time login URL.
		resp, err := noRedirect.Get(backend.URL + "/kyc/h5?userId=demo2")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusFound, resp.StatusCode)
		login := resp.Header.Get("Location")
		// The simulator page, then the person's choice.
		resp, err = noRedirect.Get(login)
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(page))
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(string(page))
		require.Len(t, action, 2)
		require.Len(t, token, 2)
		base, _ := url.Parse(login)
		finish, _ := base.Parse(action[1])
		resp, err = noRedirect.PostForm(finish.String(), url.Values{"token": {token[1]}, "outcome": {tc.choice}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusFound, resp.StatusCode)
		// Back at the partner's callback.
		resp, err = noRedirect.Get(resp.Header.Get("Location"))
		require.NoError(t, err)
		var out Outcome
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		resp.Body.Close()
		require.Equal(t, tc.passed, out.Passed, tc.choice)
		require.Equal(t, tc.code, out.Code, tc.choice)
		require.Equal(t, "demo2", out.UserID)
	}
}

func TestAppRefusesAForgedCallback(t *testing.T) {
	_, backend := setup(t)
	resp, err := http.Get(backend.URL + "/kyc/callback?code=0&orderNo=ord1&newSignature=" + "0000000000000000000000000000000000000000")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
