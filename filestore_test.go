package kyc_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/fleettest"
	"github.com/kycgo/kyc/kyctest"
)

func TestFileStoreContract(t *testing.T) {
	dir := fleettest.PerTest(func(t testing.TB) string { return t.TempDir() })
	fleettest.Contract(t, func(t testing.TB) kyc.TicketStore {
		s, err := kyc.NewFileStore(dir(t))
		require.NoError(t, err)
		return s
	})
}

func TestFileStoreFilesArePrivateAndReplacedAtomically(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tickets")
	s, err := kyc.NewFileStore(dir)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o700), fi.Mode().Perm())

	ctx := context.Background()
	const app = kyctest.DefaultAppID
	now := time.Now()
	require.NoError(t, s.Save(ctx, fleettest.Unit(app, now, 0)))
	l, err := s.Lease(ctx, app, time.Minute)
	require.NoError(t, err)
	require.NoError(t, l.Release(ctx))
	requireFiles := func() {
		t.Helper()
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
			fi, err := e.Info()
			require.NoError(t, err)
			require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), e.Name())
		}
		require.ElementsMatch(t, []string{app + ".json", app + ".lock", app + ".lease"}, names, "no temporary file left behind")
	}
	requireFiles()

	// Writers racing with readers: a reader sees a whole unit every time, and the newest wins.
	var wg sync.WaitGroup
	var torn atomic.Int32
	for i := range 40 {
		wg.Go(func() {
			err := s.Save(ctx, fleettest.Unit(app, now.Add(time.Duration(i+1)*time.Millisecond), 0))
			if err != nil && !errors.Is(err, kyc.ErrUnitSuperseded) {
				torn.Add(1)
			}
		})
		wg.Go(func() {
			if u, err := s.Load(ctx, app); err != nil || u == nil || u.AccessToken == "" {
				torn.Add(1)
			}
		})
	}
	wg.Wait()
	require.Zero(t, torn.Load())
	got, err := s.Load(ctx, app)
	require.NoError(t, err)
	fleettest.RequireSameUnit(t, fleettest.Unit(app, now.Add(40*time.Millisecond), 0), got)
	requireFiles()
}

// A restarted process reuses the unit on disk instead of fetching one, which would cut the other
// processes' token to a minute; an expired unit on disk is not reused.
func TestFileStoreRestartReusesTheStoredUnit(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	start := func() *kyc.Client {
		s, err := kyc.NewFileStore(dir)
		require.NoError(t, err)
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithTicketStore(s))
		require.NoError(t, err)
		return c
	}
	ctx := context.Background()
	first, err := start().SignTicket(ctx)
	require.NoError(t, err)
	srv.Clock.Advance(10 * time.Minute)
	again, err := start().SignTicket(ctx)
	require.NoError(t, err)
	require.Equal(t, first, again)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAccessToken))

	srv.Clock.Advance(time.Hour)
	later, err := start().SignTicket(ctx)
	require.NoError(t, err)
	require.NotEqual(t, first, later)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken))
}

func TestFileStoreErrorsNeverShowTheFile(t *testing.T) {
	dir := t.TempDir()
	s, err := kyc.NewFileStore(dir)
	require.NoError(t, err)
	ctx := context.Background()
	const app = kyctest.DefaultAppID
	const secret = "TOKENTHATMUSTNOTLEAK"
	require.NoError(t, os.WriteFile(filepath.Join(dir, app+".json"), []byte(`{"unit":{"accessToken":"`+secret+`",`), 0o600))
	_, err = s.Load(ctx, app)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	require.Contains(t, err.Error(), app+".json")

	// A save replaces a corrupt file.
	u := fleettest.Unit(app, time.Now(), 0)
	require.NoError(t, s.Save(ctx, u))
	got, err := s.Load(ctx, app)
	require.NoError(t, err)
	fleettest.RequireSameUnit(t, u, got)

	// appIds that could name a file elsewhere are refused.
	_, err = s.Load(ctx, "../x")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = s.Lease(ctx, "a/b", time.Minute)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)

	// A directory that went away is an unreachable store, not an empty one.
	require.NoError(t, os.RemoveAll(dir))
	_, err = s.Load(ctx, app)
	require.Error(t, err)
	_, err = s.Lease(ctx, app, time.Minute)
	require.Error(t, err)
	require.NotErrorIs(t, err, kyc.ErrLeaseHeld)

	_, err = kyc.NewFileStore("")
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = kyc.NewFileStore(file)
	require.Error(t, err)
}

// Multi-process tests: the test binary runs again as each process of a fleet (the helper
// process below), sharing one directory, against a fake service in this process. The children
// cannot share this process's fake clock, so they run on real time with short lifetimes.

// childEnv names the environment variables that configure a helper process.
const (
	envChild   = "KYC_FILESTORE_CHILD" // its role: "client" or "lease"
	envURL     = "KYC_FLEET_URL"
	envAppID   = "KYC_FLEET_APPID"
	envSecret  = "KYC_FLEET_SECRET"
	envDir     = "KYC_FLEET_DIR"
	envRun     = "KYC_FLEET_RUN"
	envRefresh = "KYC_FLEET_REFRESH_AFTER"
)

// Timings of the multi-process fleets.
const (
	procRefreshAfter   = 2 * time.Second
	procRefreshTimeout = 3 * time.Second
	procLease          = procRefreshTimeout + procRefreshTimeout/4
)

// TestFileStoreChildProcess is one process of a multi-process fleet; it does nothing in a normal
// run.
func TestFileStoreChildProcess(t *testing.T) {
	switch os.Getenv(envChild) {
	case "":
		t.Skip("helper process of the multi-process FileStore tests")
	case "lease":
		childHoldLease(t)
	case "client":
		childClient(t)
	default:
		t.Fatalf("unknown role %q", os.Getenv(envChild))
	}
}

// childHoldLease takes the lease for a minute, says so, and waits to be killed.
func childHoldLease(t *testing.T) {
	s, err := kyc.NewFileStore(os.Getenv(envDir))
	require.NoError(t, err)
	l, err := s.Lease(context.Background(), os.Getenv(envAppID), time.Minute)
	require.NoError(t, err)
	fmt.Printf("KYCCHILD LEASED %d\n", l.(kyc.FencedLease).Fence())
	time.Sleep(time.Minute)
}

type childResult struct {
	Calls, Nonces, Errors int
	FirstError            string
}

// childClient runs a client with callers for the time it is given, announcing every token fetch
// it sends, then prints what its callers saw.
func childClient(t *testing.T) {
	run, err := time.ParseDuration(os.Getenv(envRun))
	require.NoError(t, err)
	refresh, err := time.ParseDuration(os.Getenv(envRefresh))
	require.NoError(t, err)
	store, err := kyc.NewFileStore(os.Getenv(envDir))
	require.NoError(t, err)
	c, err := kyc.New(os.Getenv(envAppID), os.Getenv(envSecret),
		kyc.WithBaseURL(os.Getenv(envURL)), kyc.WithTicketStore(store),
		kyc.WithRefreshAfter(refresh), kyc.WithStoreRecheck(200*time.Millisecond),
		kyc.WithRefreshTimeout(procRefreshTimeout), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond),
		kyc.WithHTTPClient(&http.Client{Transport: announcer{http.DefaultTransport}}))
	require.NoError(t, err)

	var mu sync.Mutex
	var res childResult
	var ready atomic.Bool
	deadline := time.Now().Add(run)
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := c.SignTicket(ctx)
				nonce := err == nil && n%5 == 0
				if nonce {
					_, err = c.NonceTicket(ctx, "user"+strconv.Itoa(g))
				}
				cancel()
				if err == nil && ready.CompareAndSwap(false, true) {
					fmt.Println("KYCCHILD READY")
				}
				mu.Lock()
				res.Calls++
				if nonce {
					res.Nonces++
				}
				if err != nil {
					if res.Errors == 0 {
						res.FirstError = err.Error()
					}
					res.Errors++
				}
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	out, err := json.Marshal(res)
	require.NoError(t, err)
	fmt.Printf("KYCCHILD RESULT %s\n", out)
}

// announcer prints a line for every token fetch before sending it, so that the parent knows
// which process is fetching.
type announcer struct{ base http.RoundTripper }

func (a announcer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/api/oauth2/access_token" {
		fmt.Println("KYCCHILD FETCH")
	}
	return a.base.RoundTrip(r)
}

// procFleet is the parent's side: a fake service behind a front that notes when each token
// request arrives, a directory, and the helper processes.
type procFleet struct {
	t   *testing.T
	srv *kyctest.Server
	url string
	dir string

	mu       sync.Mutex
	arrivals []time.Time // token requests, as they reach the service
	fetchers []int       // the process behind each announced fetch, in order
	procs    []*proc
}

type proc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{} // closed when its output ends
	ready  atomic.Bool   // its client has the unit
	result *childResult
	leased atomic.Uint64 // the fence a "lease" child reported
}

func newProcFleet(t *testing.T) *procFleet {
	// A replaced token lives 10 s more: a process that kept using one longer after a fetch by
	// another would be refused, and the refusal would show as an extra NONCE request.
	srv := kyctest.NewServer(kyctest.WithLifetimes(time.Minute, 50*time.Second, 0, 10*time.Second))
	t.Cleanup(srv.Close)
	pf := &procFleet{t: t, srv: srv, dir: filepath.Join(t.TempDir(), "tickets")}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/oauth2/access_token" {
			pf.mu.Lock()
			pf.arrivals = append(pf.arrivals, time.Now())
			pf.mu.Unlock()
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	pf.url = front.URL
	return pf
}

// start runs a helper process in role for run.
func (pf *procFleet) start(role string, run time.Duration) *proc {
	pf.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileStoreChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"="+role, envURL+"="+pf.url, envAppID+"="+pf.srv.AppID,
		envSecret+"="+pf.srv.Secret, envDir+"="+pf.dir, envRun+"="+run.String(), envRefresh+"="+procRefreshAfter.String())
	p := &proc{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(pf.t, err)
	require.NoError(pf.t, cmd.Start())
	pf.mu.Lock()
	idx := len(pf.procs)
	pf.procs = append(pf.procs, p)
	pf.mu.Unlock()
	pf.t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "KYCCHILD READY":
				p.ready.Store(true)
			case line == "KYCCHILD FETCH":
				pf.mu.Lock()
				pf.fetchers = append(pf.fetchers, idx)
				pf.mu.Unlock()
			case strings.HasPrefix(line, "KYCCHILD RESULT "):
				var r childResult
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "KYCCHILD RESULT ")), &r) == nil {
					p.result = &r
				}
			case strings.HasPrefix(line, "KYCCHILD LEASED "):
				f, _ := strconv.ParseUint(strings.TrimPrefix(line, "KYCCHILD LEASED "), 10, 64)
				p.leased.Store(f)
			}
		}
	}()
	return p
}

// finish waits for p and requires that it ran cleanly and that its callers saw no error.
func (pf *procFleet) finish(p *proc) *childResult {
	pf.t.Helper()
	<-p.done
	err := p.cmd.Wait()
	require.NoError(pf.t, err, "helper process failed: %s", p.stderr.String())
	require.NotNil(pf.t, p.result, "helper process reported nothing: %s", p.stderr.String())
	require.Zero(pf.t, p.result.Errors, "first error: %s", p.result.FirstError)
	require.NotZero(pf.t, p.result.Calls)
	return p.result
}

func (pf *procFleet) fetchTimes() []time.Time {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	return slicesClone(pf.arrivals)
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

// waitFetches waits until n token requests have arrived.
func (pf *procFleet) waitFetches(n int, within time.Duration) {
	pf.t.Helper()
	require.Eventually(pf.t, func() bool { return len(pf.fetchTimes()) >= n }, within, 5*time.Millisecond,
		"waiting for token fetch %d", n)
}

// requireOnePerPeriod checks that token fetches (from the from-th on) never came two in one
// refresh period, however many processes. A period is measured from the start of a fetch on
// its client and the arrival here lags by a varying amount under load, hence half a period.
func (pf *procFleet) requireOnePerPeriod(from int) {
	pf.t.Helper()
	times := pf.fetchTimes()
	for i := from + 1; i < len(times); i++ {
		gap := times[i].Sub(times[i-1])
		require.GreaterOrEqual(pf.t, gap, procRefreshAfter/2, "fetches %d and %d came %v apart", i-1, i, gap)
	}
}

// requireNoStaleToken checks that every NONCE ticket request was answered at the first try: no
// process used a token after another's fetch had cut it.
func (pf *procFleet) requireNoStaleToken(results ...*childResult) {
	pf.t.Helper()
	sum := 0
	for _, r := range results {
		sum += r.Nonces
	}
	require.Equal(pf.t, sum, pf.srv.Requests(kyctest.EndpointNonceTicket))
}

func TestFileStoreProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs helper processes for ~10 s")
	}
	t.Run("one fetch per period, restarts reuse the unit", func(t *testing.T) {
		t.Parallel()
		pf := newProcFleet(t)
		a, b := pf.start("client", 7*time.Second), pf.start("client", 7*time.Second)
		short := pf.start("client", 2*time.Second)
		rs := []*childResult{pf.finish(short)}
		restarted := pf.start("client", 4*time.Second) // reads the unit on disk
		rs = append(rs, pf.finish(a), pf.finish(b), pf.finish(restarted))
		n := len(pf.fetchTimes())
		require.GreaterOrEqual(t, n, 3, "a cold start and at least two refreshes in 7 s")
		require.LessOrEqual(t, n, 5, "a cold start and at most one fetch per period (7 s / 1.9 s)")
		pf.requireOnePerPeriod(0)
		pf.requireNoStaleToken(rs...)
	})
	t.Run("dead leader", func(t *testing.T) {
		t.Parallel()
		pf := newProcFleet(t)
		var procs []*proc
		for range 4 {
			procs = append(procs, pf.start("client", 8*time.Second))
		}
		pf.waitFetches(1, 10*time.Second)
		// The next fetch hangs: its process holds the lease when we kill it.
		pf.srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointAccessToken, Latency: time.Minute, Times: 1})
		pf.waitFetches(2, 10*time.Second)
		require.Eventually(t, func() bool {
			pf.mu.Lock()
			defer pf.mu.Unlock()
			return len(pf.fetchers) >= 2
		}, 5*time.Second, 5*time.Millisecond)
		pf.mu.Lock()
		leader := pf.fetchers[1]
		pf.mu.Unlock()
		time.Sleep(300 * time.Millisecond) // the others find the lease held
		require.Len(t, pf.fetchTimes(), 2)
		killed := time.Now()
		require.NoError(t, procs[leader].cmd.Process.Kill())
		pf.waitFetches(3, procLease+5*time.Second)
		took := pf.fetchTimes()[2].Sub(killed)
		// The kernel freed the dead holder's lock, so the others need not wait out its lease.
		require.Less(t, took, procLease, "takeover within the lease time")
		t.Logf("takeover fetch %v after the leader was killed (lease %v)", took.Round(time.Millisecond), procLease)
		<-procs[leader].done
		_ = procs[leader].cmd.Wait()
		for i, p := range procs {
			if i != leader {
				pf.finish(p)
			}
		}
		pf.requireOnePerPeriod(2)
	})
	t.Run("store outage", func(t *testing.T) {
		t.Parallel()
		pf := newProcFleet(t)
		var procs []*proc
		for range 4 {
			// 15 s: the processes must outlive their start-up (slow under load), the 3 s outage
			// and the refresh after it; a shorter run made this flaky on a loaded machine.
			procs = append(procs, pf.start("client", 15*time.Second))
		}
		// Every process holds the unit (a process that starts during the outage has nothing to
		// serve and must fetch its own).
		require.Eventually(t, func() bool {
			for _, p := range procs {
				if !p.ready.Load() {
					return false
				}
			}
			return true
		}, 10*time.Second, 5*time.Millisecond)
		require.NoError(t, os.Rename(pf.dir, pf.dir+".away"))
		time.Sleep(3 * time.Second) // more than a refresh period
		require.Len(t, pf.fetchTimes(), 1, "no fetch while the store is away and the unit valid")
		require.NoError(t, os.Rename(pf.dir+".away", pf.dir))
		pf.waitFetches(2, 10*time.Second)
		var rs []*childResult
		for _, p := range procs {
			rs = append(rs, pf.finish(p))
		}
		pf.requireOnePerPeriod(0)
		pf.requireNoStaleToken(rs...)
	})
}

// When the process holding the lease dies, the kernel drops its lock and the lease is free at
// once, long before its minute is up.
func TestFileStoreLeaseEndsWhenItsHolderDies(t *testing.T) {
	pf := newProcFleet(t)
	require.NoError(t, os.MkdirAll(pf.dir, 0o700))
	holder := pf.start("lease", 0)
	require.Eventually(t, func() bool { return holder.leased.Load() != 0 }, 10*time.Second, 5*time.Millisecond)
	s, err := kyc.NewFileStore(pf.dir)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = s.Lease(ctx, pf.srv.AppID, time.Minute)
	require.ErrorIs(t, err, kyc.ErrLeaseHeld)
	require.NoError(t, holder.cmd.Process.Kill())
	<-holder.done
	_ = holder.cmd.Wait()
	l, err := s.Lease(ctx, pf.srv.AppID, time.Minute)
	require.NoError(t, err)
	require.Greater(t, l.(kyc.FencedLease).Fence(), holder.leased.Load())
	require.NoError(t, l.Release(ctx))
}

func ExampleNewFileStore() {
	// One directory per host, private to the service's user; every process of the service that
	// uses this appId points at it.
	store, err := kyc.NewFileStore("/var/lib/partner-backend/kyc-tickets")
	if err != nil {
		log.Fatal(err)
	}
	c, err := kyc.New("IDAXXXXX", os.Getenv("KYC_SECRET"), kyc.WithTicketStore(store))
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// FileStore uses only files that nobody but the process's user could have planted or read: a
// planted ticket (a symbolic link, a file open to others, a file of another user) is refused
// with an error that says what is wrong and shows nothing of the file, and its unit is never
// served.
func TestFileStoreRefusesFilesItDidNotWrite(t *testing.T) {
	const app = kyctest.DefaultAppID
	ctx := context.Background()
	const secret = "PLANTEDTOKENMUSTNOTLEAK"
	planted := fleettest.Unit(app, time.Now(), 0)
	planted.AccessToken = secret
	data, err := json.Marshal(map[string]any{"unit": planted})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string)
		want  string
	}{
		{"symbolic link", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere.json")
			require.NoError(t, os.WriteFile(target, data, 0o600))
			require.NoError(t, os.Symlink(target, path))
		}, "symbolic link"},
		{"mode 0644", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, data, 0o600))
			require.NoError(t, os.Chmod(path, 0o644))
		}, "mode 0644"},
		{"mode 0666", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, data, 0o600))
			require.NoError(t, os.Chmod(path, 0o666))
		}, "mode 0666"},
		{"owned by another user", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, data, 0o600))
			chownOrSkip(t, path)
		}, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := kyc.NewFileStore(dir)
			require.NoError(t, err)
			tc.plant(t, filepath.Join(dir, app+".json"))
			u, err := s.Load(ctx, app)
			require.Nil(t, u, "a planted unit is never served")
			require.ErrorIs(t, err, kyc.ErrUntrustedFile)
			require.ErrorContains(t, err, app+".json")
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "TICKET-")
			// Nor does a save go through it.
			err = s.Save(ctx, fleettest.Unit(app, time.Now().Add(time.Second), 0))
			require.ErrorIs(t, err, kyc.ErrUntrustedFile)

			// The lock and lease files are held to the same rule.
			require.NoError(t, os.Remove(filepath.Join(dir, app+".json")))
			lock := filepath.Join(dir, app+".lock")
			require.NoError(t, os.Remove(lock))
			tc.plant(t, lock)
			_, err = s.Lease(ctx, app, time.Minute)
			require.ErrorIs(t, err, kyc.ErrUntrustedFile)
			require.ErrorContains(t, err, app+".lock")
			require.NotContains(t, err.Error(), secret)
		})
	}

	t.Run("a client does not serve a planted unit", func(t *testing.T) {
		srv := kyctest.NewServer()
		defer srv.Close()
		dir := t.TempDir()
		s, err := kyc.NewFileStore(dir)
		require.NoError(t, err)
		p := filepath.Join(dir, srv.AppID+".json")
		u := fleettest.Unit(srv.AppID, srv.Clock.Now(), 0)
		u.AccessToken, u.SignTicket = secret, "PLANTEDTICKET"
		raw, err := json.Marshal(map[string]any{"unit": u})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, raw, 0o600))
		require.NoError(t, os.Chmod(p, 0o644))
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithTicketStore(s))
		require.NoError(t, err)
		tk, err := c.SignTicket(ctx)
		if err == nil {
			require.NotEqual(t, "PLANTEDTICKET", tk)
		} else {
			require.NotContains(t, err.Error(), secret)
		}
	})
}

// NewFileStore refuses a directory that another user could write to or owns, before reading
// anything in it, and creates a missing one with mode 0700.
func TestFileStoreRefusesAnOpenDirectory(t *testing.T) {
	for _, tc := range []struct {
		name string
		prep func(t *testing.T, dir string)
		want string
	}{
		{"world-writable", func(t *testing.T, dir string) { require.NoError(t, os.Chmod(dir, 0o777)) }, "mode 0777"},
		{"world-writable, sticky", func(t *testing.T, dir string) { require.NoError(t, os.Chmod(dir, 0o1733)) }, "write"},
		{"group-writable", func(t *testing.T, dir string) { require.NoError(t, os.Chmod(dir, 0o770)) }, "mode 0770"},
		{"owned by another user", func(t *testing.T, dir string) { chownOrSkip(t, dir) }, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tickets")
			require.NoError(t, os.Mkdir(dir, 0o700))
			tc.prep(t, dir)
			s, err := kyc.NewFileStore(dir)
			require.Nil(t, s)
			require.ErrorIs(t, err, kyc.ErrUntrustedFile)
			require.ErrorContains(t, err, dir)
			require.ErrorContains(t, err, tc.want)
		})
	}
	t.Run("a link to an open directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "tickets")
		require.NoError(t, os.Mkdir(dir, 0o700))
		require.NoError(t, os.Chmod(dir, 0o777))
		link := filepath.Join(t.TempDir(), "link")
		require.NoError(t, os.Symlink(dir, link))
		_, err := kyc.NewFileStore(link)
		require.ErrorIs(t, err, kyc.ErrUntrustedFile)
	})
	t.Run("created private", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "tickets")
		_, err := kyc.NewFileStore(dir)
		require.NoError(t, err)
		fi, err := os.Stat(dir)
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o700), fi.Mode().Perm())
	})
}

// chownOrSkip gives path to uid 65534 (nobody). Only root may; other users skip the check, in
// CI (run as root) it must run.
func chownOrSkip(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, 65534, 65534); err != nil {
		if os.Getenv("CI") == "" && errors.Is(err, fs.ErrPermission) {
			t.Skip("giving a file to another user needs root: run as root to check ownership")
		}
		require.NoError(t, err)
	}
}
