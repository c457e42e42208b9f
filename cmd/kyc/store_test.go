package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/testnote"
	"github.com/kycgo/kyc/kyctest"
	"github.com/kycgo/kyc/redisstore"
)

// TestMain says, in the plain `go test ./...` too, that the Redis test of --store skips and why
// (the go command shows a passing package's t.Skip messages only with -v). In CI it fails instead.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("KYC_REDIS_ADDR") == "" && os.Getenv("CI") != "true" && os.Getenv("KYC_REQUIRE_REDIS") == "" {
		testnote.Print("github.com/kycgo/kyc/cmd/kyc: Redis test of --store skipped: KYC_REDIS_ADDR not set " +
			"(a Redis server it may write to; .ci/run starts one)")
	}
	os.Exit(m.Run())
}

// fetches is how many access tokens and SIGN tickets srv handed out.
func fetches(srv *kyctest.Server) int {
	return srv.Requests(kyctest.EndpointAccessToken) + srv.Requests(kyctest.EndpointSignTicket)
}

// fillStore saves a fresh unit of srv's appId in store, as a server of the fleet would, and
// returns it; the request counters start again from zero.
func fillStore(t *testing.T, srv *kyctest.Server, store kyc.TicketStore) *kyc.TicketUnit {
	t.Helper()
	cl, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(), kyc.WithTicketStore(store))...)
	require.NoError(t, err)
	defer cl.Close()
	u, err := cl.Tickets(context.Background())
	require.NoError(t, err)
	saved, err := store.Load(context.Background(), srv.AppID)
	require.NoError(t, err)
	require.NotNil(t, saved)
	require.Equal(t, u.AccessToken, saved.AccessToken)
	srv.ResetCounts()
	return saved
}

// tokenRun runs `kyc token --reveal --json` plus args and returns the access token it printed.
func tokenRun(t *testing.T, env map[string]string, args ...string) (token, stderr string) {
	t.Helper()
	code, stdout, stderr := invoke(t, env, append([]string{"token", "--reveal", "--json"}, args...)...)
	require.Equal(t, exitOK, code, stderr)
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	require.NotEmpty(t, out.AccessToken)
	return out.AccessToken, stderr
}

// storeDir is a new directory for a file store (t.TempDir itself may be group-writable).
func storeDir(t *testing.T) string { return filepath.Join(t.TempDir(), "tickets") }

// A store that already holds a fresh unit: `kyc token` uses it and fetches nothing, and says no
// warning. The same through KYC_STORE and --store.
func TestStoreHoldsFreshUnit(t *testing.T) {
	srv, env := fakeEnv(t)
	dir := storeDir(t)
	fs, err := kyc.NewFileStore(dir)
	require.NoError(t, err)
	saved := fillStore(t, srv, fs)

	env[storeEnv] = "file:" + dir
	token, stderr := tokenRun(t, env)
	require.Equal(t, saved.AccessToken, token)
	require.Zero(t, fetches(srv), "the stored unit is fresh: nothing to fetch")
	require.NotContains(t, stderr, "warning")

	delete(env, storeEnv)
	token, stderr = tokenRun(t, env, "--store", "file:"+dir)
	require.Equal(t, saved.AccessToken, token)
	require.Zero(t, fetches(srv))
	require.NotContains(t, stderr, "warning")

	// Every command that fetches tickets takes the store: sign with the SIGN ticket too.
	code, _, stderr := invoke(t, env, "sign", "--store", "file:"+dir, "a", "b")
	require.Equal(t, exitOK, code, stderr)
	require.Zero(t, fetches(srv))
}

// A file store the command wrote on its first run is what its second run uses.
func TestStoreFileReusedAcrossRuns(t *testing.T) {
	srv, env := fakeEnv(t)
	env[storeEnv] = "file:" + storeDir(t)
	first, _ := tokenRun(t, env)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "the empty store: one fetch")
	second, _ := tokenRun(t, env)
	require.Equal(t, first, second)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "the second run adopts what the first saved")
}

// Without a store the command fetches, after a one-line warning that says what it costs and how
// to pass a store; it is printed before the fetch, even when the fetch fails.
func TestNoStoreWarns(t *testing.T) {
	srv, env := fakeEnv(t)
	_, stderr := tokenRun(t, env)
	require.Equal(t, noStoreWarning+"\n", stderr)
	require.Contains(t, stderr, "about a minute")
	require.Contains(t, stderr, "--store")
	require.Contains(t, stderr, storeEnv)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))

	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Times: 3, Status: 502})
	env["KYC_BASE_URL"] = srv.URL
	code, _, stderr := invoke(t, env, "query", "order1")
	require.Equal(t, exitFailed, code)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.Equal(t, noStoreWarning, lines[0], "the warning comes first")
	require.Greater(t, len(lines), 1)

	// Nothing fetched, nothing said: a signature with a given ticket.
	code, _, stderr = invoke(t, env, "sign", "--ticket", "T", "a")
	require.Equal(t, exitOK, code)
	require.Empty(t, stderr)
}

// pw is the Redis password of the bad-value tests: it must never be printed.
const pw = "pw-s3cret-0xKYC"

// Bad store values are usage errors before anything is sent, and no message, text or JSON,
// prints the Redis password.
func TestStoreBadValues(t *testing.T) {
	srv, env := fakeEnv(t)
	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, nil, 0o600))
	for _, spec := range []string{
		"file:",
		"file:" + notDir,
		"/var/lib/kyc",
		"memcached://h:11211",
		"redis:u:" + pw + "@h:6379/0",
		"redis://u:" + pw + "@h:99999/0",
		"redis://u:" + pw + "@h:port/0",
		"redis://u:" + pw + "@h:6379/db1",
		"redis://u:" + pw + "@h:6379/-1",
		"redis://u:" + pw + "@h:6379/0/1",
		"redis://u:" + pw + "@:6379/0",
		"redis://u:" + pw + "@ho st:6379/0",
		"redis://u:" + pw + "@h:6379/0?db=1",
		"redis://u:" + pw + "@h:6379/0?prefix=",
		"redis://u:" + pw + "@h:6379/0?prefix=a&prefix=b",
		"redis://u:" + pw + "@h:6379/0#x",
		"redis://u:%zz" + pw + "@h:6379/0",
	} {
		env[storeEnv] = spec
		code, stdout, stderr := invoke(t, env, "token")
		require.Equal(t, exitUsage, code, spec)
		require.Contains(t, stderr, storeEnv, spec)
		require.NotContains(t, stdout+stderr, pw, spec)
		require.NotContains(t, stderr, "warning", spec)

		delete(env, storeEnv)
		code, stdout, stderr = invoke(t, env, "query", "order1", "--json", "--store", spec)
		require.Equal(t, exitUsage, code, spec)
		require.Contains(t, stdout, "--store", spec)
		require.NotContains(t, stdout+stderr, pw, spec)
	}
	require.Zero(t, srv.TotalRequests(), "nothing was sent")

	// Help never prints the environment's store.
	env[storeEnv] = "redis://u:" + pw + "@h:6379/0"
	for _, args := range [][]string{{"help"}, {"help", "token"}, {"token", "--help"}} {
		_, stdout, stderr := invoke(t, env, args...)
		require.NotContains(t, stdout+stderr, pw, args)
	}
}

// A store that does not answer stops the command before it fetches: fetching without the
// store's lease is what the store is there to prevent. The error names the store without its
// password.
func TestStoreUnreachable(t *testing.T) {
	srv, env := fakeEnv(t)
	env[storeEnv] = "redis://kyc:" + pw + "@127.0.0.1:1/0"
	code, stdout, stderr := invoke(t, env, "token")
	require.Equal(t, exitFailed, code)
	require.Contains(t, stderr, "nothing was fetched")
	require.Contains(t, stderr, "redis://kyc:xxxxx@127.0.0.1:1/0")
	require.NotContains(t, stdout+stderr, pw)
	require.Zero(t, srv.TotalRequests())
}

func TestParseRedisURL(t *testing.T) {
	opts, prefix, name, err := parseRedisURL("rediss://ops:" + pw + "@[::1]:6380/3?prefix=staging:")
	require.NoError(t, err)
	require.Equal(t, "[::1]:6380", opts.Addr)
	require.Equal(t, 3, opts.DB)
	require.Equal(t, "ops", opts.Username)
	require.Equal(t, pw, opts.Password)
	require.NotNil(t, opts.TLSConfig)
	require.Equal(t, "::1", opts.TLSConfig.ServerName)
	require.Equal(t, "staging:", prefix)
	require.NotContains(t, name, pw)

	opts, prefix, _, err = parseRedisURL("redis://redis.internal")
	require.NoError(t, err)
	require.Equal(t, "redis.internal:6379", opts.Addr)
	require.Zero(t, opts.DB)
	require.Empty(t, opts.Password)
	require.Nil(t, opts.TLSConfig, "redis:// is plain TCP")
	require.Equal(t, redisstore.DefaultPrefix, prefix, "the services' default")
}

// The same with redis://: a unit saved by a server is used, and what a run saved is reused.
func TestStoreRedis(t *testing.T) {
	addr := os.Getenv("KYC_REDIS_ADDR")
	if addr == "" {
		if os.Getenv("CI") == "true" || os.Getenv("KYC_REQUIRE_REDIS") != "" {
			t.Fatal("KYC_REDIS_ADDR is not set, and in CI the Redis tests must run")
		}
		t.Skip("the Redis test of --store needs KYC_REDIS_ADDR=host:port, a Redis it may write to")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: 1, DialTimeout: 500 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "kyccmdtest-" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})

	srv, env := fakeEnv(t)
	saved := fillStore(t, srv, redisstore.New(rdb, redisstore.WithPrefix(prefix+"a:")))
	env[storeEnv] = "redis://" + addr + "/0?prefix=" + prefix + "a:"
	token, stderr := tokenRun(t, env)
	require.Equal(t, saved.AccessToken, token)
	require.Zero(t, fetches(srv), "the stored unit is fresh: nothing to fetch")
	require.NotContains(t, stderr, "warning")

	env[storeEnv] = "redis://" + addr + "/0?prefix=" + prefix + "b:"
	first, _ := tokenRun(t, env)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))
	second, _ := tokenRun(t, env)
	require.Equal(t, first, second)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "the second run adopts what the first saved")
}

// --store is taken by exactly the commands that fetch kyc1 tickets, and its help says so.
func TestStoreFlagOnTicketCommands(t *testing.T) {
	fetchers := []string{"nfc", "ocr", "query", "sign", "token", "will"}
	for _, cmd := range commands {
		code, stdout, _ := invoke(t, nil, "help", cmd.name)
		require.Equal(t, exitOK, code)
		takes := slices.Contains(fetchers, cmd.name)
		require.Equal(t, takes, strings.Contains(stdout, "-store"), cmd.name)
		require.Equal(t, takes, strings.Contains(stdout, storeEnv), cmd.name)
	}
}
