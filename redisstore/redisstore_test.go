package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/fleettest"
	"github.com/kycgo/kyc/internal/testnote"
	"github.com/kycgo/kyc/kyctest"
	"github.com/kycgo/kyc/redisstore"
)

// TestMain says, in the plain `go test ./...` too, which Redis tests will skip and why: the go
// command shows a passing package's t.Skip messages only with -v. In CI (see needEnv) they fail
// instead, so nothing is said.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("CI") != "true" && os.Getenv("KYC_REQUIRE_REDIS") == "" {
		var unset []string
		for _, v := range []string{"KYC_REDIS_ADDR", "KYC_REDIS_CLUSTER_ADDR", "KYC_REDIS_SENTINEL_ADDR"} {
			if os.Getenv(v) == "" {
				unset = append(unset, v)
			}
		}
		if len(unset) > 0 {
			testnote.Print("github.com/kycgo/kyc/redisstore: Redis tests skipped: " + strings.Join(unset, ", ") +
				" not set (a Redis server, a Cluster node, a Sentinel they may write to; .ci/run starts them)")
		}
	}
	os.Exit(m.Run())
}

// redisAddr returns the Redis the tests run against, or skips them.
func redisAddr(t testing.TB) string {
	return needEnv(t, "KYC_REDIS_ADDR", "the Redis tests need a Redis server: start one and run, in redisstore, "+
		"KYC_REDIS_ADDR=127.0.0.1:6379 go test ./... (.ci/run starts one by itself)")
}

// needEnv returns the variable name, or skips the test with why when it is unset. In CI (CI=true,
// or KYC_REQUIRE_REDIS set, as .ci/run does) a missing server fails the test instead.
func needEnv(t testing.TB, name, why string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" || os.Getenv("KYC_REQUIRE_REDIS") != "" {
			t.Fatalf("%s is not set, and in CI the Redis tests must run: %s", name, why)
		}
		t.Skip(why)
	}
	return v
}

// newRedis connects to addr with short timeouts, so that an unreachable Redis fails fast.
func newRedis(t testing.TB, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: 1, DialTimeout: 500 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testPrefix returns a key prefix of t's own and deletes its keys when t ends.
func testPrefix(t testing.TB, addr string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "kyctest:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return prefix
}

func TestContract(t *testing.T) {
	addr := redisAddr(t)
	prefix := fleettest.PerTest(func(t testing.TB) string { return testPrefix(t, addr) })
	fleettest.Contract(t, func(t testing.TB) kyc.TicketStore {
		return redisstore.New(newRedis(t, addr), redisstore.WithPrefix(prefix(t)))
	})
}

// Each instance has its own Redis client (its own connections) on one Redis.
func onRedis(t *testing.T, cleanup, addr string) fleettest.Config {
	prefix := testPrefix(t, cleanup)
	return fleettest.Config{Store: func(t testing.TB, _ int) kyc.TicketStore {
		return redisstore.New(newRedis(t, addr), redisstore.WithPrefix(prefix))
	}}
}

func TestFleet(t *testing.T) {
	addr := redisAddr(t)
	t.Run("8 instances with 100 callers each, 5 refresh periods", func(t *testing.T) {
		fleettest.Periods(t, onRedis(t, addr, addr), 5)
	})
	t.Run("dead leader", func(t *testing.T) {
		fleettest.DeadLeader(t, onRedis(t, addr, addr))
	})
	t.Run("redis unreachable", func(t *testing.T) {
		p := startProxy(t, addr)
		fleettest.StoreOutage(t, onRedis(t, addr, p.addr), p.down, p.up)
	})
}

func TestUnitLivesAsLongAsItsTickets(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, addr)
	s := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	ctx := context.Background()
	u := fleettest.Unit(kyctest.DefaultAppID, time.Now(), 0) // ticket 1 h, token 2 h
	require.NoError(t, s.Save(ctx, u))
	ttl, err := rdb.PTTL(ctx, prefix+"{"+kyctest.DefaultAppID+"}:unit").Result()
	require.NoError(t, err)
	require.InDelta(t, float64(time.Hour), float64(ttl), float64(5*time.Second))
}

func TestStoredValuesNeverReachAnError(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, addr)
	s := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	ctx := context.Background()
	const app = kyctest.DefaultAppID
	key := prefix + "{" + app + "}:unit"
	const secret = "TOKENTHATMUSTNOTLEAK"

	require.NoError(t, rdb.Set(ctx, key, `{"accessToken":"`+secret+`",`, 0).Err())
	_, err := s.Load(ctx, app)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	// An unreadable value is replaced by the next save.
	u := fleettest.Unit(app, time.Now(), 0)
	require.NoError(t, s.Save(ctx, u))
	got, err := s.Load(ctx, app)
	require.NoError(t, err)
	fleettest.RequireSameUnit(t, u, got)

	// A key of the wrong type: loading it fails with an error that names no value, and a save
	// replaces it.
	require.NoError(t, rdb.Del(ctx, key).Err())
	require.NoError(t, rdb.HSet(ctx, key, "x", secret).Err())
	_, err = s.Load(ctx, app)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	u = fleettest.Unit(app, time.Now().Add(time.Second), 0)
	require.NoError(t, s.Save(ctx, u))
	got, err = s.Load(ctx, app)
	require.NoError(t, err)
	fleettest.RequireSameUnit(t, u, got)

	_, err = s.Load(ctx, "ID}{x")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.ErrorIs(t, s.Save(ctx, nil), kyc.ErrInvalidInput)
}

// If the fence counter is lost (evicted) while a unit saved under a high fence remains, new
// leases still get higher fences, so their units are not refused.
func TestFenceNeverGoesBack(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, addr)
	s := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	ctx := context.Background()
	const app = kyctest.DefaultAppID
	require.NoError(t, rdb.Set(ctx, prefix+"{"+app+"}:fence", 57, 0).Err())
	require.NoError(t, s.Save(ctx, fleettest.Unit(app, time.Now(), 57)))
	require.NoError(t, rdb.Del(ctx, prefix+"{"+app+"}:fence").Err())
	l, err := s.Lease(ctx, app, time.Minute)
	require.NoError(t, err)
	f := l.(kyc.FencedLease).Fence()
	require.Greater(t, f, uint64(57))
	require.NoError(t, s.Save(ctx, fleettest.Unit(app, time.Now(), f)))
	require.NoError(t, l.Release(ctx))
}

// countCommands counts the commands a client sends.
type countCommands struct{ n *atomic.Int64 }

func (h countCommands) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h countCommands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h countCommands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// BenchmarkSignTicketCachedRedis is BenchmarkSignTicketCached (auth_test.go, memory store) with
// the unit shared through Redis: the fast path must cost the same, with no Redis round trip
// per call (redis-cmds/op counts the commands sent while it ran).
func BenchmarkSignTicketCachedRedis(b *testing.B) {
	addr := redisAddr(b)
	srv := kyctest.NewServer()
	defer srv.Close()
	rdb := newRedis(b, addr)
	var cmds atomic.Int64
	rdb.AddHook(countCommands{&cmds})
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL),
		kyc.WithTicketStore(redisstore.New(rdb, redisstore.WithPrefix(testPrefix(b, addr)))))
	require.NoError(b, err)
	ctx := context.Background()
	_, err = c.SignTicket(ctx)
	require.NoError(b, err)
	b.ReportAllocs()
	before := cmds.Load()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.SignTicket(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cmds.Load()-before)/float64(b.N), "redis-cmds/op")
}

// proxy stands between the clients and Redis, so that a test can make Redis unreachable (every
// connection is cut and new ones are closed at once) and bring it back.
type proxy struct {
	addr, target string
	ln           net.Listener

	mu    sync.Mutex
	off   bool
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.down()
	})
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		off := p.off
		p.mu.Unlock()
		if off {
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[u] = true, true
		p.mu.Unlock()
		go p.pipe(c, u)
		go p.pipe(u, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.off = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.off = false
}

func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis.internal:6379", Password: os.Getenv("REDIS_PASSWORD")})
	c, err := kyc.New("IDAXXXXX", os.Getenv("KYC_SECRET"), kyc.WithTicketStore(redisstore.New(rdb)))
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// Two hosts, each with its own Redis client, share the NFC reqId count (issue 10.14).
func TestNFCQueryCapAcrossHosts(t *testing.T) {
	addr := redisAddr(t)
	prefix := testPrefix(t, addr)
	fleettest.NFCQueryCap(t, func(t testing.TB, _ int) kyc.TicketStore {
		return redisstore.New(newRedis(t, addr), redisstore.WithPrefix(prefix))
	})
}

// Whatever lies under a store's unit key, a client never serves it and never panics: one token
// fetch replaces it, and neither its errors nor its log lines show the planted value (issue
// 10.15). The future and over-long units are refused by the client's plausibility check (a
// FetchedAt beyond clock skew ahead, lifetimes over the documented 7200 s / 3600 s).
func TestBadDataUnderItsKeys(t *testing.T) {
	addr := redisAddr(t)
	const planted = "PLANTEDTOKENTHATMUSTNOTLEAK"
	// unit returns a unit of app fetched at now+fetched, with the given lifetimes.
	unit := func(app string, fetched, token, ticket time.Duration) func(now time.Time) []byte {
		return func(now time.Time) []byte {
			at := now.Add(fetched)
			raw, err := json.Marshal(kyc.TicketUnit{AppID: app, AccessToken: planted, SignTicket: planted + "T", FetchedAt: at,
				TokenExpiresAt: at.Add(token), TicketExpiresAt: at.Add(ticket)})
			if err != nil {
				panic(err)
			}
			return raw
		}
	}
	for _, tc := range []struct {
		name  string
		value func(now time.Time) []byte
	}{
		{"garbage bytes", func(time.Time) []byte { return []byte("\x00\xff{\"accessToken\":\"" + planted + "\"\xfe") }},
		{"JSON that is not a unit", func(time.Time) []byte { return []byte(`["` + planted + `"]`) }},
		{"a unit of another appId", unit("IDAOTHERAPP", 0, 2*time.Hour, time.Hour)},
		{"an expired unit", unit(kyctest.DefaultAppID, -3*time.Hour, 2*time.Hour, time.Hour)},
		{"a unit from the future", unit(kyctest.DefaultAppID, time.Hour, 2*time.Hour, time.Hour)},
		{"a unit with over-long lifetimes", unit(kyctest.DefaultAppID, 0, 30*24*time.Hour, 30*24*time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := kyctest.NewServer()
			defer srv.Close()
			rdb := newRedis(t, addr)
			prefix := testPrefix(t, addr)
			key := prefix + "{" + srv.AppID + "}:unit"
			ctx := context.Background()
			require.NoError(t, rdb.Set(ctx, key, tc.value(srv.Clock.Now()), 0).Err())
			var logs strings.Builder
			var mu sync.Mutex
			c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
				kyc.WithLogger(slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))),
				kyc.WithTicketStore(redisstore.New(rdb, redisstore.WithPrefix(prefix))))
			require.NoError(t, err)
			tk, err := c.SignTicket(ctx)
			require.NoError(t, err)
			require.NotContains(t, tk, planted, "the planted unit is not served")
			require.Contains(t, srv.CurrentSignTickets(srv.AppID), tk)
			require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "one fetch")
			// The fetched unit replaced the planted one.
			got, err := redisstore.New(rdb, redisstore.WithPrefix(prefix)).Load(ctx, srv.AppID)
			require.NoError(t, err)
			require.NotNil(t, got)
			require.Equal(t, tk, got.SignTicket)
			mu.Lock()
			defer mu.Unlock()
			require.NotContains(t, logs.String(), planted)
		})
	}
}

// lockedWriter serializes the writes of a log handler shared by goroutines.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Garbage under the lease, fence and unit keys does not stop the store: the first refresh repairs
// them, saves its unit, and the next lease is granted with a fence above anything stored.
func TestBadDataUnderTheLeaseFenceAndUnitKeys(t *testing.T) {
	addr := redisAddr(t)
	for _, tc := range []struct {
		name  string
		plant func(ctx context.Context, rdb *redis.Client, base string) error
	}{
		{"a lease that never ends", func(ctx context.Context, rdb *redis.Client, base string) error {
			return rdb.Set(ctx, base+"lease", "garbage", 0).Err()
		}},
		{"a lease of another type", func(ctx context.Context, rdb *redis.Client, base string) error {
			return rdb.HSet(ctx, base+"lease", "x", "y").Err()
		}},
		{"a fence that is not a number", func(ctx context.Context, rdb *redis.Client, base string) error {
			return rdb.Set(ctx, base+"fence", "\xffnot a number", 0).Err()
		}},
		{"a fence of another type", func(ctx context.Context, rdb *redis.Client, base string) error {
			return rdb.RPush(ctx, base+"fence", "1").Err()
		}},
		{"a lease that is a unit's fence, forever", func(ctx context.Context, rdb *redis.Client, base string) error {
			return rdb.Set(ctx, base+"lease", "7", 0).Err()
		}},
		{"a unit of another type", func(ctx context.Context, rdb *redis.Client, base string) error {
			return rdb.HSet(ctx, base+"unit", "accessToken", "PLANTED").Err()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := kyctest.NewServer()
			defer srv.Close()
			rdb := newRedis(t, addr)
			prefix := testPrefix(t, addr)
			base := prefix + "{" + srv.AppID + "}:"
			ctx := context.Background()
			require.NoError(t, tc.plant(ctx, rdb, base))
			s := redisstore.New(rdb, redisstore.WithPrefix(prefix))
			c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
				kyc.WithRefreshTimeout(2*time.Second), kyc.WithTicketStore(s))
			require.NoError(t, err)
			tk, err := c.SignTicket(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken), "one fetch")
			got, err := s.Load(ctx, srv.AppID)
			require.NoError(t, err)
			require.NotNil(t, got, "the fetched unit was saved")
			require.Equal(t, tk, got.SignTicket)
			l, err := s.Lease(ctx, srv.AppID, time.Minute)
			require.NoError(t, err, "the lease works again")
			require.Greater(t, l.(kyc.FencedLease).Fence(), got.Fence)
			require.NoError(t, l.Release(ctx))
		})
	}
}
