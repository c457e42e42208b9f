package tc3

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The two vectors of the docs/README.md ("TC3 test vectors"). The second was produced by Tencent's
// official Go SDK; the first is the spec's DetectAuth vector with its ID number replaced by an
// obviously invented one (TEST00000000000001), its digest recomputed by an independent TC3
// implementation (Python's hashlib and hmac, which reproduce the spec's original digest).
const (
	vecID  = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
	vecKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
	vecTS  = 1795971494 // 2026-11-29 UTC
)

// vecIDCard is the first vector's ID number: obviously invented.
const vecIDCard = "TEST00000000000001"

func TestVectors(t *testing.T) {
	for _, v := range []struct {
		host, body, sig string
	}{
		{"127.0.0.1:36105", `{"IdCard":"` + vecIDCard + `","Name":"张三","RuleId":"1"}`,
			"4e166c0b7f278fb1f347a3dcd86d6cb5cd7616072f5fc1cf5ba6fa64a60e986f"},
		{"faceid.tencentcloudapi.com", `{"BizToken":"CE661F1A-0F1E-45BD-BE13-34C05CEA7681","RuleId":"1"}`,
			"2832864c5b6b10ab1bfd10b5afb84298081fc1f627f57c12d94c64b82bf4fd8f"},
	} {
		r := JSONPost(v.host, "faceid", vecTS, []byte(v.body))
		require.Equal(t, "2026-11-29", r.Date())
		require.Equal(t, v.sig, Signature(vecKey, r), v.host)
		auth := Authorization(vecID, vecKey, r)
		require.Equal(t, "TC3-HMAC-SHA256 Credential="+vecID+"/2026-11-29/faceid/tc3_request, SignedHeaders=content-type;host, Signature="+v.sig, auth)

		c, err := Parse(auth)
		require.NoError(t, err)
		require.Equal(t, Credential{SecretID: vecID, Date: "2026-11-29", Service: "faceid",
			SignedHeaders: []string{"content-type", "host"}, Signature: v.sig}, c)
	}
}

func TestCanonicalForm(t *testing.T) {
	r := JSONPost("faceid.tencentcloudapi.com", "faceid", vecTS, []byte(`{}`))
	require.Equal(t, "POST\n/\n\ncontent-type:application/json\nhost:faceid.tencentcloudapi.com\n\ncontent-type;host\n"+
		"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", r.CanonicalRequest())
	sts := r.StringToSign()
	require.True(t, strings.HasPrefix(sts, "TC3-HMAC-SHA256\n1795971494\n2026-11-29/faceid/tc3_request\n"), sts)

	// Header order and case do not matter: names and values are lower-cased and sorted.
	r2 := r
	r2.Headers = []Header{{"Host", "FACEID.tencentcloudapi.com "}, {"Content-Type", "application/json"}}
	require.Equal(t, r.CanonicalRequest(), r2.CanonicalRequest())
	require.Equal(t, Signature(vecKey, r), Signature(vecKey, r2))

	// Every input is covered.
	for _, mutate := range []func(*Request){
		func(r *Request) { r.Payload = []byte(`{ }`) },
		func(r *Request) { r.Timestamp++ },
		func(r *Request) { r.Service = "cvm" },
		func(r *Request) {
			r.Headers = []Header{{"content-type", "application/json"}, {"host", "faceid.tencentcloudapi.com:443"}}
		},
		func(r *Request) { r.Method = "GET" },
		func(r *Request) { r.Query = "a=1" },
	} {
		m := r
		mutate(&m)
		require.NotEqual(t, Signature(vecKey, r), Signature(vecKey, m))
	}
	require.NotEqual(t, Signature(vecKey, r), Signature(vecKey+"x", r))
}

func TestDateIsUTC(t *testing.T) {
	// 2026-11-29 23:30 UTC is already the 30th in China: the scope uses UTC.
	r := JSONPost("h", "faceid", 1795995000, nil)
	require.Equal(t, "2026-11-29", r.Date())
}

func TestParseRejects(t *testing.T) {
	good := Authorization(vecID, vecKey, JSONPost("h", "faceid", vecTS, nil))
	_, err := Parse(good)
	require.NoError(t, err)
	for _, bad := range []string{
		"",
		"Bearer x",
		strings.Replace(good, "TC3-HMAC-SHA256", "TC3-HMAC-SHA1", 1),
		strings.Replace(good, "/tc3_request", "/tc4_request", 1),
		strings.Replace(good, "2026-11-29", "2026-13-29", 1),
		strings.Replace(good, "Signature=", "Signature=zz", 1),
		strings.Replace(good, ", SignedHeaders=content-type;host", "", 1),
		good + ", Extra=1",
		strings.Replace(good, "Credential="+vecID, "Credential=", 1),
	} {
		_, err := Parse(bad)
		require.ErrorIs(t, err, ErrMalformed, bad)
		if bad != "" {
			require.NotContains(t, err.Error(), vecID)
		}
	}
}

func TestEqual(t *testing.T) {
	require.True(t, Equal("abcdef", "ABCDEF"))
	require.False(t, Equal("abcdef", "abcdee"))
	require.False(t, Equal("abc", "abcd"))
}

func BenchmarkSign(b *testing.B) {
	body := []byte(`{"BizToken":"CE661F1A-0F1E-45BD-BE13-34C05CEA7681","RuleId":"1"}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = Authorization(vecID, vecKey, JSONPost("faceid.tencentcloudapi.com", "faceid", vecTS, body))
	}
}
