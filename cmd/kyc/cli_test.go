package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc/kyctest"
)

func TestParseInterleaved(t *testing.T) {
	for _, tc := range []struct {
		args []string
		json bool
		x    string
		pos  []string
	}{
		{[]string{"a", "--json"}, true, "", []string{"a"}},
		{[]string{"--json", "a"}, true, "", []string{"a"}},
		{[]string{"a", "-x", "v", "b", "--json"}, true, "v", []string{"a", "b"}},
		{[]string{"a", "-x=v", "b"}, false, "v", []string{"a", "b"}},
		{[]string{"a", "--", "--json", "-x"}, false, "", []string{"a", "--json", "-x"}},
		{[]string{"-", "b"}, false, "", []string{"-", "b"}},
		{nil, false, "", []string{}},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		j := fs.Bool("json", false, "")
		x := fs.String("x", "", "")
		require.NoError(t, parseInterleaved(fs, tc.args), tc.args)
		require.Equal(t, tc.json, *j, tc.args)
		require.Equal(t, tc.x, *x, tc.args)
		require.Equal(t, tc.pos, append([]string{}, fs.Args()...), tc.args)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	require.Error(t, parseInterleaved(fs, []string{"a", "--bogus"}))
}

// The commands take flags after their arguments and --json before the command name.
func TestFlagsAnywhere(t *testing.T) {
	srv, env := fakeEnv(t)
	order := completedOrder(t, srv, kyctest.OutcomePass)
	dir := t.TempDir()
	photo := filepath.Join(dir, "p.jpg")
	for _, args := range [][]string{
		{"query", order, "--json", "--photo", photo},
		{"query", "--json", order, "--photo", photo},
		{"--json", "query", order, "--photo", photo},
	} {
		require.NoError(t, os.RemoveAll(photo))
		code, stdout, stderr := invoke(t, env, args...)
		require.Equal(t, exitOK, code, "%v: %s", args, stdout+stderr)
		var out struct {
			OK      bool   `json:"ok"`
			OrderNo string `json:"orderNo"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), args)
		require.Equal(t, order, out.OrderNo, args)
		_, err := os.Stat(photo)
		require.NoError(t, err, args)
	}
	code, stdout, stderr := invoke(t, env, "--json", "token")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, `"tokenExpiresAt"`)
	code, _, _ = invoke(t, env, "--bogus", "token")
	require.Equal(t, exitUsage, code)
	code, stdout, _ = invoke(t, env, "-h")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "usage: kyc COMMAND")
	// Two orders are still two orders, wherever the flags are.
	code, stdout, stderr = invoke(t, env, "query", order, "--json", order)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stdout+stderr, "one order number")
}

// Every KYC_* variable the command reads is in `kyc help`.
func TestHelpListsEnvironment(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	name := regexp.MustCompile(`(?i)(?:getenv|lookupenv)\("(KYC_[A-Z0-9_]+)"\)`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range name.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
		}
	}
	require.NotEmpty(t, seen)
	code, stdout, _ := invoke(t, nil, "help")
	require.Equal(t, exitOK, code)
	var missing []string
	for v := range seen {
		if !strings.Contains(stdout, v) {
			missing = append(missing, v)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "read by the code but not in `kyc help`")
}

// Each command's help text (not just the generated flag list) explains every flag it takes.
func TestHelpNamesFlags(t *testing.T) {
	for _, cmd := range commands {
		newFlagSet(cmd, new(bool)).VisitAll(func(f *flag.Flag) {
			if f.Name == "json" {
				return
			}
			require.Contains(t, cmd.help, "--"+f.Name, "kyc help %s does not explain --%s", cmd.name, f.Name)
		})
	}
}

// `kyc help demo` names every journey the demo runs.
func TestDemoHelpNamesJourneys(t *testing.T) {
	code, stdout, stderr := invoke(t, nil, "demo", "--json")
	require.Equal(t, exitOK, code, stderr)
	var out struct {
		Steps []demoStep `json:"steps"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	journeys := map[string]bool{}
	for _, s := range out.Steps {
		j, _, ok := strings.Cut(s.Journey, " journey")
		require.True(t, ok, s.Journey)
		journeys[j] = true
	}
	require.Len(t, journeys, 5)
	_, help, _ := invoke(t, nil, "help", "demo")
	for j := range journeys {
		require.Contains(t, help, j, "kyc help demo")
	}
}
