//go:build unix

package main

import (
	"encoding/json"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// `kyc fake` stops with exit code 0 on SIGTERM, as on an interrupt: the test sends itself a SIGTERM
// while the command runs under main's signal context.
func TestFakeStopsOnSIGTERM(t *testing.T) {
	// guard keeps the test process alive even if the command's context ignores SIGTERM.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGTERM)
	defer signal.Stop(guard)

	ctx, stop := signalContext()
	defer stop()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fake", "--addr", "127.0.0.1:0", "--json"}, &out, &errb, func(string) string { return "" })
	}()
	var info struct{ URL string }
	require.Eventually(t, func() bool { return json.Unmarshal([]byte(out.String()), &info) == nil }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	<-guard
	select {
	case code := <-done:
		require.Equal(t, exitOK, code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("kyc fake kept serving after SIGTERM")
	}
}
