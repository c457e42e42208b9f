package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// startFake runs `kyc fake` in-process on loopback ports and returns the environment its export
// lines set, as `eval "$(kyc fake)"` would.
func startFake(t *testing.T) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fake", "--addr", "127.0.0.1:0"}, pw, io.Discard, func(string) string { return "" })
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.Equal(t, exitOK, <-done)
	})
	env := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			env[k] = v
		}
		if strings.HasPrefix(line, "(") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return env
}

// fakeOrderJSON runs kyc fake-order --json with args and decodes its answer.
func fakeOrderJSON(t *testing.T, env map[string]string, args ...string) fakeOrder {
	t.Helper()
	code, stdout, stderr := invoke(t, env, append([]string{"fake-order", "--json"}, args...)...)
	require.Equal(t, exitOK, code, stdout+stderr)
	var res fakeOrder
	require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
	require.True(t, res.OK)
	return res
}

func TestFakePrintsEveryCredential(t *testing.T) {
	env := startFake(t)
	for _, k := range []string{"KYC_BASE_URL", "KYC_APP_ID", "KYC_SECRET", "KYC_OCR_APP_ID", "KYC_OCR_SECRET", "KYC_SECRET_ID",
		"KYC_SECRET_KEY", "KYC_CLOUD_URL", "KYC_NFC_KEY", "KYC_FAKE_CONTROL"} {
		require.NotEmpty(t, env[k], k)
	}
	// Every KYC_ variable the commands read is printed (but the store, which is the user's choice).
	_, usage, _ := invoke(t, nil, "help")
	for _, line := range strings.Split(usage, "\n") {
		for _, f := range strings.Fields(strings.ReplaceAll(line, ",", " ")) {
			if strings.HasPrefix(f, "KYC_") && f != "KYC_STORE" {
				require.Contains(t, env, f, "kyc fake does not print %s", f)
			}
		}
	}
	// The printed credentials work: a token for kyc1, a bill for API 3.0.
	code, _, stderr := invoke(t, env, "token")
	require.Equal(t, exitOK, code, stderr)
	day := kyc.DayOf(time.Now()).AddDays(-3)
	code, stdout, stderr := invoke(t, env, "bill", "--date", day.String())
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "total: 0 tokens")
}

func TestFakeOrderDrivesEveryCommand(t *testing.T) {
	env := startFake(t)

	// App SDK face, each outcome: kyc query reports it.
	for outcome, want := range map[string]int{"pass": exitOK, "spoof": exitNotPassed, "not-same-person": exitNotPassed,
		"name-id-mismatch": exitNotPassed} {
		res := fakeOrderJSON(t, env, "--product", "face", "--outcome", outcome)
		code, stdout, stderr := invoke(t, env, "query", res.OrderNo)
		require.Equal(t, want, code, outcome+": "+stdout+stderr)
		require.Contains(t, stdout, res.OrderNo)
	}
	spoof := fakeOrderJSON(t, env, "--product", "face", "--outcome", "spoof", "--order", "cliSpoof01")
	require.Equal(t, "cliSpoof01", spoof.OrderNo)
	_, stdout, _ := invoke(t, env, "query", "cliSpoof01")
	require.Contains(t, stdout, "66665001")

	// H5: the callback URL the browser would return to, and the order's verdict.
	h5 := fakeOrderJSON(t, env, "--product", "h5", "--outcome", "not-same-person", "--callback", "http://127.0.0.1/cb")
	cb, err := url.Parse(h5.CallbackURL)
	require.NoError(t, err)
	require.Equal(t, "/cb", cb.Path)
	require.Equal(t, "66660004", cb.Query().Get("code"))
	code, stdout, _ := invoke(t, env, "query", h5.OrderNo)
	require.Equal(t, exitNotPassed, code, stdout)

	// OCR, ID card and bank card, with the OCR credentials printed.
	ocr := fakeOrderJSON(t, env, "--product", "ocr-idcard")
	code, stdout, stderr := invoke(t, env, "ocr", ocr.OrderNo)
	require.Equal(t, exitOK, code, stdout+stderr)
	require.Contains(t, stdout, "front 0")
	bank := fakeOrderJSON(t, env, "--product", "ocr-bankcard")
	code, stdout, stderr = invoke(t, env, "ocr", "--bank", bank.OrderNo)
	require.Equal(t, exitOK, code, stdout+stderr)
	require.Contains(t, stdout, "valid 12/2030")

	// NFC: the reqId to query, decrypted with the printed key.
	nfc := fakeOrderJSON(t, env, "--product", "nfc")
	require.NotEmpty(t, nfc.ReqID)
	code, stdout, stderr = invoke(t, env, "nfc", nfc.OrderNo, nfc.ReqID)
	require.Equal(t, exitOK, code, stdout+stderr)
	require.Contains(t, stdout, "valid until 20400101")

	// Will: pass and a wrong answer.
	will := fakeOrderJSON(t, env, "--product", "will")
	code, stdout, _ = invoke(t, env, "will", will.OrderNo)
	require.Equal(t, exitOK, code, stdout)
	wrong := fakeOrderJSON(t, env, "--product", "will", "--outcome", "wrong-answer")
	code, stdout, _ = invoke(t, env, "will", wrong.OrderNo)
	require.Equal(t, exitNotPassed, code)
	require.Contains(t, stdout, "66666006")

	// The API 3.0 journeys: a BizToken dated into a past day's bill, and an eID token.
	day := kyc.DayOf(time.Now()).AddDays(-2)
	det := fakeOrderJSON(t, env, "--product", "detect", "--day", day.String())
	require.NotEmpty(t, det.BizToken)
	code, stdout, stderr = invoke(t, env, "bill", "--from", day.AddDays(-1).String(), "--to", day.String(), "--csv")
	require.Equal(t, exitOK, code, stderr)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2, stdout)
	require.Equal(t, []string{det.BizToken, day.String()}, []string{rows[1][0], rows[1][8]})
	eid := fakeOrderJSON(t, env, "--product", "eid", "--outcome", "2016")
	require.NotEmpty(t, eid.EidToken)

	// Text output names the next command.
	code, stdout, _ = invoke(t, env, "fake-order", "--product", "will")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "kyc will ")
}

func TestFakeOrderRefusals(t *testing.T) {
	env := startFake(t)
	for _, args := range [][]string{
		{"--product", "selfie"},
		{},
		{"--product", "face", "--outcome", "wrong-answer"},
		{"--product", "will", "--outcome", "spoof"},
		{"--product", "nfc", "--outcome", "fail"},
		{"--product", "detect", "--outcome", "bad"},
	} {
		code, _, stderr := invoke(t, env, append([]string{"fake-order"}, args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
	code, _, stderr := invoke(t, map[string]string{}, "fake-order", "--product", "face")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "KYC_FAKE_CONTROL")

	// The control endpoint is loopback only, and so is its address.
	code, _, stderr = invoke(t, nil, "fake", "--addr", "127.0.0.1:0", "--control-addr", "0.0.0.0:0")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "loopback")
	resp, err := http.Get(env["KYC_FAKE_CONTROL"] + "/order")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestBillRange(t *testing.T) {
	srv, env := cloudEnv(t, kyctest.WithBillPageSize(2))
	last := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	seed(t, srv, last, 3)
	seed(t, srv, last.AddDays(-2), 2)
	first := last.AddDays(-2)

	code, stdout, stderr := invoke(t, env, "bill", "--from", first.String(), "--to", last.String(), "--json")
	require.Equal(t, exitOK, code, stderr)
	var out struct {
		From, To string
		Tokens   int
		Days     []struct {
			Day    string
			Tokens int
		}
		Details []billRow
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Equal(t, first.String(), out.From)
	require.Equal(t, 5, out.Tokens)
	require.Len(t, out.Days, 3)
	require.Equal(t, []int{2, 0, 3}, []int{out.Days[0].Tokens, out.Days[1].Tokens, out.Days[2].Tokens})
	require.Len(t, out.Details, 5)
	require.Equal(t, first.String(), out.Details[0].Day)
	require.Equal(t, last.String(), out.Details[4].Day)
	for _, d := range []kyc.Day{first, first.AddDays(1), last} {
		require.Contains(t, stderr, d.String()+" (day ", "a progress line per day")
	}
	require.Contains(t, stderr, "(day 3 of 3): 3 tokens, 3 charges\n")

	code, stdout, _ = invoke(t, env, "bill", "--from", first.String(), "--to", last.String())
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "total: 5 tokens, 5 charges")

	// Bad ranges are refused before anything is sent.
	before := srv.TotalRequests()
	for _, args := range [][]string{
		{"--from", last.String(), "--to", first.String()},
		{"--date", last.String(), "--from", first.String()},
		{"--to", last.String()},
		{"--from", last.AddDays(-400).String(), "--to", last.String()},
		{"--from", first.String(), "--to", "tomorrow"},
	} {
		code, _, stderr := invoke(t, env, append([]string{"bill"}, args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
	require.Equal(t, before, srv.TotalRequests())
}

func TestControlRefusesRemoteClients(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	h := controlHandler(srv)
	form := url.Values{"product": {"face"}}.Encode()
	req := httptest.NewRequest(http.MethodPost, "/order", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "192.0.2.7:40000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.Zero(t, srv.TotalRequests(), "nothing was created")

	req = httptest.NewRequest(http.MethodPost, "/order", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "127.0.0.1:40000"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}
