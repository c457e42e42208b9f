package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCodeAcceptsStringsAndNumbers(t *testing.T) {
	for in, want := range map[string]Code{
		`"0"`: "0", `0`: "0", `-5008`: "-5008", `"66660004"`: "66660004", `66660004`: "66660004", `null`: "", `" 0 "`: " 0 ",
	} {
		var c Code
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		require.Equal(t, want, c, in)
	}
	for _, bad := range []string{`{}`, `[]`, `"unterminated`} {
		var c Code
		require.Error(t, json.Unmarshal([]byte(bad), &c), bad)
	}
	require.True(t, Code("0").OK())
	require.True(t, Code("00").OK())
	require.False(t, Code("").OK())
	require.False(t, Code("66660004").OK())
	require.False(t, Code(" 0 ").OK())
}

func TestIntAcceptsStringsAndNumbers(t *testing.T) {
	for in, want := range map[string]Int{`"7200"`: 7200, `7200`: 7200, `"120"`: 120, `null`: 0, `""`: 0, `3600.0`: 3600} {
		var n Int
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		require.Equal(t, want, n, in)
	}
	for _, bad := range []string{`"abc"`, `1.5`, `true`, `{}`} {
		var n Int
		require.Error(t, json.Unmarshal([]byte(bad), &n), bad)
	}
}

func TestEnvelopeTolerance(t *testing.T) {
	// The documented examples: code as a number, duplicated bizSeqNo, success:false, unknown fields.
	var e Envelope
	require.NoError(t, json.Unmarshal([]byte(`{"code":0,"msg":"成功","result":{"bizSeqNo":"x","orderNo":"o","faceId":"f","success":false},"extra":[1,2]}`), &e))
	require.True(t, e.Code.OK())
	require.True(t, e.HasResult())
	var meta ResultMeta
	require.NoError(t, json.Unmarshal(e.Result, &meta))
	require.Equal(t, "o", meta.OrderNo)

	var token struct {
		Envelope
		TokenResponse
	}
	require.NoError(t, json.Unmarshal([]byte(`{"code":"0","msg":"请求成功","transactionTime":"20151022043831","access_token":"t","expire_time":"20151022043831","expire_in":"7200"}`), &token))
	require.Equal(t, Int(7200), token.ExpireIn)
	require.Equal(t, "t", token.AccessToken)
	require.Equal(t, Str("20151022043831"), token.TransactionTime)

	var none Envelope
	require.NoError(t, json.Unmarshal([]byte(`{"code":"66660011","result":null}`), &none))
	require.False(t, none.HasResult())
}

func FuzzEnvelope(f *testing.F) {
	f.Add([]byte(`{"code":"0","msg":"请求成功","bizSeqNo":"1","result":{"orderNo":"o"},"transactionTime":"20220415154914"}`))
	f.Add([]byte(`{"code":0,"tickets":[{"value":"v","expire_in":"3600"}]}`))
	f.Add([]byte(`{"code":-5008,"expire_in":7200}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e struct {
			Envelope
			TokenResponse
			TicketResponse
		}
		if json.Unmarshal(b, &e) == nil {
			_ = e.Code.OK()
			_ = e.HasResult()
		}
	})
}
