package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoffGrowsAndCaps(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	for n, ceil := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 50: time.Second} {
		for range 100 {
			d := b.Delay(n)
			require.GreaterOrEqual(t, d, ceil/2, "retry %d", n)
			require.LessOrEqual(t, d, ceil, "retry %d", n)
		}
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
	require.NoError(t, Sleep(context.Background(), time.Millisecond))
}

func TestBudget(t *testing.T) {
	b := NewBudget(10, 5)
	require.True(t, b.Take())
	require.True(t, b.Take())
	require.False(t, b.Take(), "exhausted")
	for range 5 {
		b.Refund()
	}
	require.True(t, b.Take())
	for range 100 {
		b.Refund()
	}
	require.True(t, b.Take())
	require.True(t, b.Take())
	require.False(t, b.Take(), "refunds stop at the capacity")
}

func TestRedactURL(t *testing.T) {
	raw := "https://kyc1.qcloud.com/api/oauth2/access_token?appId=IDA1&secret=S3cr3t&grant_type=client_credential&version=1.0.0"
	got := RedactURL(raw)
	require.NotContains(t, got, "S3cr3t")
	require.Contains(t, got, "appId=IDA1")
	require.Contains(t, got, "secret=REDACTED")
	for _, k := range []string{"access_token", "ticket", "sign", "newSignature", "user_id", "Secret", "sec%72et"} {
		got := RedactURL("http://h/p?" + k + "=VALUE&x=1")
		require.NotContains(t, got, "VALUE", k)
	}
	require.Equal(t, "REDACTED-URL", RedactURL("http://[::1%zz/?secret=x"))
	require.NotContains(t, RedactURL("http://user:pw@h/p?a=1"), "pw")
}

func TestRedactErrorKeepsTheChain(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1/api/oauth2/access_token?secret=TopSecret1")
	require.Error(t, err)
	err = RedactError(err)
	require.NotContains(t, err.Error(), "TopSecret1")
	var ue *url.Error
	require.True(t, errors.As(err, &ue))

	wrapped := &url.Error{Op: "Get", URL: "http://h/?access_token=Tok", Err: context.DeadlineExceeded}
	err = RedactError(wrapped)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotContains(t, err.Error(), "Tok")
}

func TestReadCapped(t *testing.T) {
	b, err := ReadCapped(strings.NewReader("12345"), 5)
	require.NoError(t, err)
	require.Equal(t, "12345", string(b))
	_, err = ReadCapped(strings.NewReader("123456"), 5)
	require.ErrorIs(t, err, ErrBodyTooLarge)
}

func TestCapReaderBoundary(t *testing.T) {
	for _, tc := range []struct {
		size    int
		tooLong bool
	}{{0, false}, {1023, false}, {1024, false}, {1025, true}, {4096, true}} {
		body := strings.Repeat("x", tc.size)
		// A one-byte reader too, so the limit is met across many reads.
		for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body))} {
			got, err := io.ReadAll(CapReader(r, 1024))
			if tc.tooLong {
				require.ErrorIs(t, err, ErrBodyTooLarge, "size %d", tc.size)
				require.Len(t, got, 1024, "at most the limit is returned")
			} else {
				require.NoError(t, err, "size %d", tc.size)
				require.Equal(t, body, string(got))
			}
		}
	}
}
