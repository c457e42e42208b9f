package kyc_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Invented identity data that must never surface.
const (
	canarySecret = "CanarySecretZq7Wm2Lx9Pt4Rk8Vn3Hs6Jd1"
	canaryName   = "金丝雀测试"
	canaryIDNo   = "KYCCANARY000000001"
)

// lockedBuffer collects log output from concurrent goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCanaryNothingSensitiveInLogsOrErrors drives every public call, successes and every kind
// of failure, with debug logging on, and looks for the secret, every token and ticket the
// server handed out, a name and an ID number in all log output and every error string.
func TestCanaryNothingSensitiveInLogsOrErrors(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithApp("IDACANRY", canarySecret))
	defer srv.Close()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	jsonLogger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
		kyc.WithLogger(logger), kyc.WithRetry(2, time.Millisecond, 2*time.Millisecond), kyc.WithTimeout(200*time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()

	var texts []string // every error string and every formatted value we produce
	var secrets = []string{canarySecret, canaryName, canaryIDNo}
	note := func(v ...any) {
		for _, x := range v {
			if x == nil {
				continue
			}
			texts = append(texts, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x))
		}
	}

	tok, err := c.AccessToken(ctx)
	require.NoError(t, err)
	sign, err := c.SignTicket(ctx)
	require.NoError(t, err)
	unit, err := c.Tickets(ctx)
	require.NoError(t, err)
	note(unit, &unit)
	jsonLogger.Info("unit", "unit", unit)
	secrets = append(secrets, tok, sign)
	nonce, err := c.NonceTicket(ctx, "user001")
	require.NoError(t, err)
	secrets = append(secrets, nonce)
	nonce2, err := c.NonceTicket(ctx, canaryIDNo) // an ID number used as a user id: still never shown
	require.NoError(t, err)
	secrets = append(secrets, nonce2)
	require.NoError(t, c.RefreshTickets(ctx))
	unit2, err := c.Tickets(ctx)
	require.NoError(t, err)
	secrets = append(secrets, unit2.AccessToken, unit2.SignTicket)

	// Failures of every kind, on every oauth2 endpoint.
	_, err = c.NonceTicket(ctx, canaryName)
	note(err)
	for _, f := range []kyctest.Fault{
		{Drop: true}, {Truncate: true}, {Status: 502}, {Code: "400101"}, {Code: "999999"}, {Code: "66660000"},
		{Latency: time.Second},
	} {
		for _, ep := range []string{kyc.EndpointAccessToken, kyc.EndpointSignTicket, kyc.EndpointNonceTicket} {
			srv.ClearFaults()
			f.Endpoint = ep
			srv.Fail(f)
			note(c.RefreshTickets(ctx))
			_, err := c.NonceTicket(ctx, canaryIDNo)
			note(err)
		}
	}
	srv.ClearFaults()
	// A dead server: the transport error carries the request URL.
	dead := kyctest.NewServer(kyctest.WithApp("IDACANRY", canarySecret))
	deadURL := dead.URL
	dead.Close()
	c2, err := kyc.New("IDACANRY", canarySecret, kyc.WithBaseURL(deadURL), kyc.WithLogger(logger),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c2.AccessToken(ctx)
	require.Error(t, err)
	note(err)
	// Bad configuration and bad input.
	_, err = kyc.New("IDACANRY", canarySecret+" ")
	note(err)
	_, err = kyc.New(canaryName, canarySecret)
	note(err)
	note(kyc.CheckNonce(canaryIDNo))

	all := logs.String() + "\n" + strings.Join(texts, "\n")
	require.Contains(t, all, "kyc response", "debug logging was on")
	require.Contains(t, all, "REDACTED", "the transport error was redacted, not dropped")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.NotContains(t, all, s)
	}
}
