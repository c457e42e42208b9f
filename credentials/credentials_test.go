package credentials

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// unreachable is a loopback address nobody listens on: the package defaults point there in
// these tests, so a provider left without its fake's URL can never reach the real STS or
// metadata service.
const unreachable = "http://127.0.0.1:1"

func TestMain(m *testing.M) {
	defaultSTSEndpoint, defaultMetadataEndpoint = unreachable, unreachable
	os.Exit(m.Run())
}

// guard is an HTTP client that sends only to loopback hosts and records every host asked for.
type guard struct {
	mu    sync.Mutex
	hosts []string
}

func (g *guard) client() *http.Client { return &http.Client{Transport: g, Timeout: 5 * time.Second} }

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	g.hosts = append(g.hosts, r.URL.Host)
	g.mu.Unlock()
	host, _, err := net.SplitHostPort(r.URL.Host)
	if err != nil {
		host = r.URL.Host
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("test guard: refused non-loopback host %s", r.URL.Host)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// loopbackOnly fails the test if any request went to a non-loopback host.
func (g *guard) loopbackOnly(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, h := range g.hosts {
		host, _, _ := net.SplitHostPort(h)
		ip := net.ParseIP(host)
		require.True(t, ip != nil && ip.IsLoopback(), "request to %s", h)
	}
}

const testRole = "qcs::cam::uin/100000000001:roleName/kyc-backend"

// detectWith checks that credentials are accepted by the fake's faceid actions.
func detectWith(t *testing.T, srv *kyctest.Server, creds kyc.CloudCredentials) error {
	t.Helper()
	c, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(Static(creds.SecretID, creds.SecretKey, creds.Token)),
		kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock), kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID})
	return err
}

func TestStaticAndEnvironment(t *testing.T) {
	got, err := Static("AKIDSTATIC", "static-key", "").Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, kyc.CloudCredentials{SecretID: "AKIDSTATIC", SecretKey: "static-key"}, got)

	t.Setenv(EnvSecretID, "")
	t.Setenv(EnvSecretKey, "")
	_, err = Environment().Retrieve(context.Background())
	require.ErrorIs(t, err, ErrNotFound)
	t.Setenv(EnvSecretID, "AKIDENV")
	t.Setenv(EnvSecretKey, "env-key")
	t.Setenv(EnvSessionToken, "env-token")
	got, err = Environment().Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, kyc.CloudCredentials{SecretID: "AKIDENV", SecretKey: "env-key", Token: "env-token"}, got)
}

func TestAssumeRoleAgainstFake(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	g := &guard{}
	p := &AssumeRole{Source: Static(srv.SecretID, srv.SecretKey, ""), RoleArn: testRole, RoleSessionName: "kyc-test",
		Duration: 15 * time.Minute, Endpoint: srv.URL, HTTPClient: g.client(), Clock: srv.Clock}
	creds, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, creds.Token)
	require.WithinDuration(t, srv.Clock.Now().Add(15*time.Minute), creds.Expires, 2*time.Second)
	require.NoError(t, detectWith(t, srv, creds))
	require.Equal(t, 1, srv.Requests(kyctest.EndpointAssumeRole))

	// Each call is a new set.
	again, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, creds.SecretID, again.SecretID)

	// The fake checks the TC3 signature (service sts): a wrong source key is refused, and the
	// error does not carry it.
	bad := *p
	bad.Source = Static(srv.SecretID, srv.SecretKey+"x", "")
	_, err = bad.Retrieve(context.Background())
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "AuthFailure.SignatureFailure", ae.Code)
	require.NotContains(t, err.Error(), srv.SecretKey)

	// Expired on the fake's clock: the temporary key no longer signs.
	srv.Clock.Advance(16 * time.Minute)
	err = detectWith(t, srv, creds)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "AuthFailure.TokenFailure", ae.Code)
	require.NotContains(t, err.Error(), creds.Token)
	g.loopbackOnly(t)
}

func TestAssumeRoleRefusedLocally(t *testing.T) {
	g := &guard{}
	base := AssumeRole{Source: Static("AKIDX", "key", ""), RoleArn: testRole, RoleSessionName: "s", HTTPClient: g.client()}
	for name, mut := range map[string]func(*AssumeRole){
		"no source":    func(a *AssumeRole) { a.Source = nil },
		"no role":      func(a *AssumeRole) { a.RoleArn = "" },
		"bad session":  func(a *AssumeRole) { a.RoleSessionName = "has space" },
		"too long":     func(a *AssumeRole) { a.Duration = 13 * time.Hour },
		"bad endpoint": func(a *AssumeRole) { a.Endpoint = "ftp://x" },
	} {
		a := base
		mut(&a)
		_, err := a.Retrieve(context.Background())
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, name)
	}
	require.Empty(t, g.hosts)
}

func TestCVMRoleAgainstFake(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithCVMRole("kyc-role", 10*time.Minute))
	defer srv.Close()
	g := &guard{}
	p := &CVMRole{Endpoint: srv.URL, HTTPClient: g.client()} // the role is discovered
	creds, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.WithinDuration(t, srv.Clock.Now().Add(10*time.Minute), creds.Expires, 2*time.Second)
	require.NoError(t, detectWith(t, srv, creds))

	named := &CVMRole{Role: "kyc-role", Endpoint: srv.URL, HTTPClient: g.client()}
	same, err := named.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, creds.SecretID, same.SecretID, "renewed only once half the life has passed")
	srv.Clock.Advance(5 * time.Minute)
	next, err := named.Retrieve(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, creds.SecretID, next.SecretID)

	_, err = (&CVMRole{Role: "other", Endpoint: srv.URL, HTTPClient: g.client()}).Retrieve(context.Background())
	require.ErrorIs(t, err, ErrNotFound)
	g.loopbackOnly(t)
}

func TestBadAnswers(t *testing.T) {
	g := &guard{}
	for name, body := range map[string]string{
		"not json":       `<html>`,
		"no expiry":      `{"TmpSecretId":"a","TmpSecretKey":"b","Token":"c","Code":"Success","Response":{"Credentials":{"TmpSecretId":"a","TmpSecretKey":"b","Token":"c"}}}`,
		"code not ok":    `{"TmpSecretId":"a","TmpSecretKey":"b","Token":"c","ExpiredTime":4102444800,"Code":"Fail"}`,
		"no credentials": `{"Code":"Success","ExpiredTime":4102444800,"Response":{"ExpiredTime":4102444800}}`,
	} {
		fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
		_, err := (&CVMRole{Role: "r", Endpoint: fake.URL, HTTPClient: g.client()}).Retrieve(context.Background())
		require.ErrorIs(t, err, kyc.ErrBadResponse, "cvm "+name)
		_, err = (&AssumeRole{Source: Static("AKIDX", "key", ""), RoleArn: testRole, RoleSessionName: "s", Endpoint: fake.URL,
			HTTPClient: g.client()}).Retrieve(context.Background())
		require.ErrorIs(t, err, kyc.ErrBadResponse, "sts "+name)
		fake.Close()
	}
	g.loopbackOnly(t)
}

// Without an injected Endpoint the providers go to the package defaults, which these tests make
// a dead loopback port: nothing reaches metadata.tencentyun.com or sts.tencentcloudapi.com.
func TestDefaultEndpointsUnreachableInTests(t *testing.T) {
	require.Equal(t, unreachable, defaultSTSEndpoint)
	require.Equal(t, unreachable, defaultMetadataEndpoint)
	g := &guard{}
	_, err := (&CVMRole{HTTPClient: g.client()}).Retrieve(context.Background())
	require.Error(t, err)
	_, err = (&AssumeRole{Source: Static("AKIDX", "key", ""), RoleArn: testRole, RoleSessionName: "s", HTTPClient: g.client()}).Retrieve(context.Background())
	require.Error(t, err)
	require.Equal(t, []string{"127.0.0.1:1", "127.0.0.1:1"}, g.hosts)
	require.False(t, errors.Is(err, kyc.ErrBadResponse))
	require.NotContains(t, err.Error(), "AKIDX")
}

// TestRedirectsAreNeverFollowed: an STS or metadata endpoint that answers with a redirect is a
// bad answer, also with the caller's own client (which would follow it): the signed AssumeRole
// request and the metadata GET never reach the redirect's target.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	g := &guard{}
	var reached atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	defer target.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		moved := httptest.NewServer(http.RedirectHandler(target.URL+"/elsewhere", code))
		_, err := (&CVMRole{Role: "r", Endpoint: moved.URL, HTTPClient: g.client()}).Retrieve(context.Background())
		require.ErrorIs(t, err, kyc.ErrBadResponse, "cvm %d", code)
		_, err = (&AssumeRole{Source: Static("AKIDX", "key", ""), RoleArn: testRole, RoleSessionName: "s", Endpoint: moved.URL,
			HTTPClient: g.client()}).Retrieve(context.Background())
		require.ErrorIs(t, err, kyc.ErrBadResponse, "sts %d", code)
		moved.Close()
	}
	require.Zero(t, reached.Load(), "a redirect was followed")
	g.loopbackOnly(t)
}
