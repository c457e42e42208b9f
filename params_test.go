package kyc

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzParamsJSONMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"plain", `quote " and \ backslash`, "tab\tnew\nline\r", "\x00\x1f", "张三", "bad \xff utf8", "\u2028", "<&>"} {
		f.Add("key", s)
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		if v == "" {
			return
		}
		got := params{{k, v}}.appendJSON(nil)
		var back map[string]string
		require.NoError(t, json.Unmarshal(got, &back), "%q", got)
		want, _ := json.Marshal(map[string]string{k: v})
		var wantBack map[string]string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		require.Equal(t, wantBack, back)
	})
}

func TestParamsOrderAndEmpty(t *testing.T) {
	p := params{{"b", "2"}, {"a", ""}, {"c", "3"}}
	require.Equal(t, `{"b":"2","c":"3"}`, string(p.appendJSON(nil)))
	require.Equal(t, "b=2&c=3", p.query())
	p.set("a", "x y")
	require.Equal(t, "b=2&a=x+y&c=3", p.query())
	v, ok := p.get("a")
	require.True(t, ok)
	require.Equal(t, "x y", v)
	require.Equal(t, "params(REDACTED)", p.String())
}
