package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// invoke runs the command line in-process with env as the environment.
func invoke(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func fakeEnv(t *testing.T, opts ...kyctest.Option) (*kyctest.Server, map[string]string) {
	t.Helper()
	srv := kyctest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, map[string]string{"KYC_APP_ID": srv.AppID, "KYC_SECRET": srv.Secret, "KYC_BASE_URL": srv.URL}
}

func TestHelpAndUsage(t *testing.T) {
	code, _, stderr := invoke(t, nil)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "usage: kyc COMMAND")
	code, _, stderr = invoke(t, nil, "nope")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, `unknown command "nope"`)
	code, stdout, _ := invoke(t, nil, "help")
	require.Equal(t, exitOK, code)
	for _, cmd := range commands {
		require.Contains(t, stdout, cmd.name)
		code, stdout, _ := invoke(t, nil, "help", cmd.name)
		require.Equal(t, exitOK, code, cmd.name)
		require.Contains(t, stdout, "usage: kyc "+cmd.name, cmd.name)
		require.Contains(t, stdout, "-json", cmd.name)
	}
	code, _, _ = invoke(t, nil, "help", "nope")
	require.Equal(t, exitUsage, code)
	code, _, _ = invoke(t, nil, "token", "--bogus")
	require.Equal(t, exitUsage, code)
}

func TestDemo(t *testing.T) {
	code, stdout, stderr := invoke(t, nil, "demo")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "App SDK journey")
	require.Contains(t, stdout, "mobile H5 journey")
	require.Contains(t, stdout, "callback signature checked")
	code, stdout, _ = invoke(t, nil, "demo", "--json")
	require.Equal(t, exitOK, code)
	var out struct {
		OK    bool       `json:"ok"`
		Steps []demoStep `json:"steps"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.True(t, out.OK)
	require.Greater(t, len(out.Steps), 10)
}

func TestConfigMissing(t *testing.T) {
	for _, args := range [][]string{{"token"}, {"sign", "a"}, {"query", "order1"}} {
		code, _, stderr := invoke(t, map[string]string{}, args...)
		require.Equal(t, exitUsage, code, args)
		require.Contains(t, stderr, "KYC_APP_ID")
	}
}

func TestToken(t *testing.T) {
	srv, env := fakeEnv(t)
	code, stdout, _ := invoke(t, env, "token")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "token expires:")
	require.NotContains(t, stdout, srv.Secret)
	tickets := srv.CurrentSignTickets(srv.AppID)
	require.NotEmpty(t, tickets)
	require.NotContains(t, stdout, tickets[0], "values only with --reveal")

	code, stdout, _ = invoke(t, env, "token", "--reveal", "--json")
	require.Equal(t, exitOK, code)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Contains(t, srv.CurrentSignTickets(srv.AppID), out["signTicket"])
	require.NotEmpty(t, out["accessToken"])

	bad := map[string]string{"KYC_APP_ID": srv.AppID, "KYC_SECRET": "wrong", "KYC_BASE_URL": srv.URL}
	code, _, stderr := invoke(t, bad, "token")
	require.Equal(t, exitFailed, code)
	require.Contains(t, stderr, "code 400105 means:")
	code, stdout, _ = invoke(t, bad, "token", "--json")
	require.Equal(t, exitFailed, code)
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Equal(t, "400105", out["code"])
	require.Equal(t, false, out["ok"])
}

func TestSign(t *testing.T) {
	code, stdout, _ := invoke(t, nil, "sign", "--ticket", "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS",
		"IDAXXXXX", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0")
	require.Equal(t, exitOK, code)
	require.Equal(t, "D7606F1741DDCF90757DA924EDCF152A200AC7F0\n", stdout)

	srv, env := fakeEnv(t)
	code, stdout, _ = invoke(t, env, "sign", "--json", "IDAKYCT1", "order1", "1.0.0")
	require.Equal(t, exitOK, code)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Equal(t, kyc.Sign(srv.CurrentSignTickets(srv.AppID)[0], "IDAKYCT1", "order1", "1.0.0"), out["sign"])
	require.Equal(t, "SIGN", out["ticket"])

	code, _, _ = invoke(t, env, "sign", "--nonce-user", "user1", "a")
	require.Equal(t, exitOK, code)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointNonceTicket))
	code, _, _ = invoke(t, env, "sign", "--nonce-user", "bad user", "a")
	require.Equal(t, exitUsage, code)
	code, _, _ = invoke(t, env, "sign")
	require.Equal(t, exitUsage, code)
}

func completedOrder(t *testing.T, srv *kyctest.Server, outcome kyctest.Outcome) string {
	t.Helper()
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
	require.NoError(t, err)
	orderNo := "cli" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")
	_, err = c.Face.GetFaceID(context.Background(), kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "u1", Name: demoName, IDNo: demoIDNo})
	require.NoError(t, err)
	require.NoError(t, srv.Complete(orderNo, outcome))
	return orderNo
}

func TestQuery(t *testing.T) {
	srv, env := fakeEnv(t, kyctest.WithMedia(1000, 5000))
	dir := t.TempDir()
	order := completedOrder(t, srv, kyctest.OutcomePass)
	code, stdout, stderr := invoke(t, env, "query", "--photo", filepath.Join(dir, "p.jpg"), "--video", filepath.Join(dir, "v.mp4"), order)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "code 0")
	for name, size := range map[string]int64{"p.jpg": 1000, "v.mp4": 5000} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, size, st.Size())
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	}
	failed := completedOrder(t, srv, kyctest.OutcomeNotSamePerson)
	code, stdout, _ = invoke(t, env, "query", "--json", failed)
	require.Equal(t, exitNotPassed, code)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Equal(t, "66660004", out["code"])
	require.Equal(t, false, out["passed"])

	code, _, stderr = invoke(t, env, "query", "unknownOrder1")
	require.Equal(t, exitFailed, code)
	require.Contains(t, stderr, "code 66660011 means:")
	code, _, _ = invoke(t, env, "query")
	require.Equal(t, exitUsage, code)
	code, _, _ = invoke(t, env, "query", "bad-order")
	require.Equal(t, exitUsage, code)
}

// syncBuffer lets the test read what a running command printed so far.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestFake(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"fake", "--addr", "127.0.0.1:0", "--json"}, &out, &errb, func(string) string { return "" })
	}()
	var info struct {
		URL, AppID, Secret string
	}
	require.Eventually(t, func() bool { return json.Unmarshal([]byte(out.String()), &info) == nil }, 5*time.Second, 10*time.Millisecond)
	c, err := kyc.New(info.AppID, info.Secret, kyc.WithBaseURL(info.URL))
	require.NoError(t, err)
	_, err = c.SignTicket(context.Background())
	require.NoError(t, err)
	// The login pages are served too.
	resp, err := http.Get(info.URL + "/api/web/login")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	cancel()
	require.Equal(t, exitOK, <-done)

	code, _, _ := invoke(t, nil, "fake", "--addr", "256.0.0.1:99999")
	require.Equal(t, exitUsage, code)
	code, _, _ = invoke(t, nil, "fake", "--app-id", "IDAX")
	require.Equal(t, exitUsage, code)
}
