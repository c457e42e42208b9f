package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/kyctest"
)

func cloudEnv(t *testing.T, opts ...kyctest.Option) (*kyctest.Server, map[string]string) {
	t.Helper()
	srv := kyctest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, map[string]string{"KYC_SECRET_ID": srv.SecretID, "KYC_SECRET_KEY": srv.SecretKey, "KYC_CLOUD_URL": srv.URL}
}

// seed puts n tokens with one charged pass each in the bill of day d.
func seed(t *testing.T, srv *kyctest.Server, d kyc.Day, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, srv.SeedBill(d.String(), kyctest.DefaultRuleID, kyctest.BillRecord{
			BizToken: fmt.Sprintf("CLI-%03d", i),
			Details:  []kyctest.DetectAttempt{{ErrCode: "0", At: d.Start().Add(10 * time.Hour), Seq: fmt.Sprintf("cli-seq-%03d", i)}},
		}))
	}
}

func TestBill(t *testing.T) {
	srv, env := cloudEnv(t, kyctest.WithBillPageSize(3))
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	seed(t, srv, day, 7)

	code, stdout, stderr := invoke(t, env, "bill", "--date", day.String())
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "total: 7 tokens, 7 charges")
	require.Contains(t, stderr, "7 tokens, 7 charges", "the progress line")

	code, stdout, _ = invoke(t, env, "bill", "--date", day.String(), "--csv")
	require.Equal(t, exitOK, code)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 8)
	require.Equal(t, "BizToken", rows[0][0])
	require.Equal(t, "true", rows[1][5])

	code, stdout, _ = invoke(t, env, "bill", "--date", day.String(), "--json")
	require.Equal(t, exitOK, code)
	var out struct {
		Tokens  int       `json:"tokens"`
		Details []billRow `json:"details"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Equal(t, 7, out.Tokens)
	require.Len(t, out.Details, 7)

	// Today's bill is not ready: refused locally, nothing sent.
	before := srv.TotalRequests()
	code, _, stderr = invoke(t, env, "bill", "--date", kyc.DayOf(srv.Clock.Now()).String())
	require.Equal(t, exitUsage, code, stderr)
	require.Equal(t, before, srv.TotalRequests())
	code, _, _ = invoke(t, env, "bill", "--date", "yesterday")
	require.Equal(t, exitUsage, code)
	code, _, stderr = invoke(t, map[string]string{}, "bill", "--date", day.String())
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "KYC_SECRET_ID")
}

func TestReconcile(t *testing.T) {
	srv, env := cloudEnv(t)
	day := kyc.DayOf(srv.Clock.Now()).AddDays(-2)
	seed(t, srv, day, 3)
	yes := true
	at := fmt.Sprint(day.Start().Add(10 * time.Hour).UnixMilli())
	var saved []billing.SavedToken
	for i := range 3 {
		saved = append(saved, billing.SavedToken{BizToken: fmt.Sprintf("CLI-%03d", i),
			Details: []kyc.LivenessDetail{{ReqTime: at, Seq: fmt.Sprintf("cli-seq-%03d", i), IsNeedCharge: &yes, ErrCode: "0"}}})
	}
	file := filepath.Join(t.TempDir(), "saved.json")
	write := func(v any) {
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(file, raw, 0o600))
	}
	write(saved)
	code, stdout, stderr := invoke(t, env, "reconcile", "--saved", file, "--date", day.String())
	require.Equal(t, exitOK, code, stdout+stderr)
	require.Contains(t, stdout, "OK")

	// A token the service billed but we never saved is a difference.
	write(saved[:2])
	code, stdout, _ = invoke(t, env, "reconcile", "--saved", file, "--date", day.String(), "--json")
	require.Equal(t, exitNotPassed, code)
	var out struct {
		OK     bool            `json:"ok"`
		Report *billing.Report `json:"report"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.False(t, out.OK)
	require.Contains(t, stdout, "CLI-002")

	code, _, _ = invoke(t, env, "reconcile", "--saved", file)
	require.Equal(t, exitUsage, code)
	code, _, _ = invoke(t, env, "reconcile", "--saved", file, "--date", day.String(), "--product", "gold")
	require.Equal(t, exitUsage, code)
}
