package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCall(t *testing.T) {
	srv, env := cloudEnv(t)

	// The Response, without the envelope, as JSON.
	code, stdout, stderr := invoke(t, env, "call", "MobileStatus", "--json", `{"Mobile":"13800000000"}`)
	require.Equal(t, exitOK, code, stderr)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	require.Equal(t, "0", out["Result"])
	require.Equal(t, float64(0), out["StatusCode"])
	require.NotEmpty(t, out["RequestId"])
	require.NotContains(t, out, "Response")

	// Flags before the action, and parameters from a file.
	path := filepath.Join(t.TempDir(), "req.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"Name":"测试用户","IdCard":"KYCTEST0000000001"}`), 0o600))
	srv.MismatchIdentity("测试用户", "KYCTEST0000000001")
	code, stdout, stderr = invoke(t, env, "call", "--json", "@"+path, "IdCardVerification")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, `"Result": "-1"`)

	// A service error: its code and RequestId, exit 1.
	code, _, stderr = invoke(t, env, "call", "IdCardVerification")
	require.Equal(t, exitFailed, code)
	require.Contains(t, stderr, "code MissingParameter")
	require.Contains(t, stderr, "requestId ")
	code, stdout, _ = invoke(t, env, "--json", "call", "MobileStatus", "--json", `{"Mobil":"1"}`)
	require.Equal(t, exitFailed, code)
	var failed map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &failed), stdout)
	require.Equal(t, "UnknownParameter", failed["code"])
	require.NotEmpty(t, failed["requestId"])

	// Bad usage: nothing sent, exit 2.
	before := srv.TotalRequests()
	for _, args := range [][]string{
		{"call"},
		{"call", "MobileStatus", "Extra"},
		{"call", "MobileStatus", "--json", `{"Mobile":`},
		{"call", "MobileStatus", "--json", `[1]`},
		{"call", "mobile-status"},
		{"call", "MobileStatus", "--json", "@" + filepath.Join(t.TempDir(), "missing.json")},
	} {
		code, _, _ = invoke(t, env, args...)
		require.Equal(t, exitUsage, code, "%q", args)
	}
	code, _, stderr = invoke(t, map[string]string{}, "call", "MobileStatus")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "KYC_SECRET_ID")
	require.Equal(t, before, srv.TotalRequests())

	// Help.
	code, stdout, _ = invoke(t, env, "help", "call")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "usage: kyc call [flags] ACTION --json '{...}'")
	require.Contains(t, stdout, "RequestId")
}
