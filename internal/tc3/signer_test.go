package tc3

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSignerVectors(t *testing.T) {
	s := NewSigner(vecID, vecKey, "faceid")
	for _, v := range []struct{ host, body, sig string }{
		{"127.0.0.1:36105", `{"IdCard":"` + vecIDCard + `","Name":"张三","RuleId":"1"}`,
			"4e166c0b7f278fb1f347a3dcd86d6cb5cd7616072f5fc1cf5ba6fa64a60e986f"},
		{"faceid.tencentcloudapi.com", `{"BizToken":"CE661F1A-0F1E-45BD-BE13-34C05CEA7681","RuleId":"1"}`,
			"2832864c5b6b10ab1bfd10b5afb84298081fc1f627f57c12d94c64b82bf4fd8f"},
	} {
		for range 2 { // derived, then kept
			require.Equal(t, "TC3-HMAC-SHA256 Credential="+vecID+"/2026-11-29/faceid/tc3_request, SignedHeaders=content-type;host, Signature="+v.sig,
				s.Authorization(v.host, vecTS, []byte(v.body)))
		}
	}
}

// TestSignerMatchesReference: the Signer writes what Authorization writes for every input, on
// both sides of midnight UTC and back (the kept key follows the day), for hosts in any case.
func TestSignerMatchesReference(t *testing.T) {
	s := NewSigner(vecID, vecKey, "faceid")
	const midnight = 1796000000 - 1796000000%86400
	stamps := []int64{vecTS, midnight - 1, midnight, midnight + 86399, midnight + 86400, midnight - 1, 0, -1, -86400, -86401, vecTS}
	hosts := []string{"faceid.tencentcloudapi.com", " FaceID.TencentCloudAPI.com:443 ", "127.0.0.1:8080", "bücher.example", ""}
	bodies := []string{"", "{}", `{"RuleId":"1","Extra":"` + string(make([]byte, 300)) + `"}`}
	for _, ts := range stamps {
		for _, h := range hosts {
			for _, b := range bodies {
				want := Authorization(vecID, vecKey, JSONPost(h, "faceid", ts, []byte(b)))
				require.Equal(t, want, s.Authorization(h, ts, []byte(b)), "ts %d host %q", ts, h)
			}
		}
	}
	// Another key pair and service never share the kept key.
	require.Equal(t, Authorization("AKIDother", vecKey+"x", JSONPost("h", "cvm", vecTS, nil)),
		NewSigner("AKIDother", vecKey+"x", "cvm").Authorization("h", vecTS, nil))
}

// TestSignerConcurrent signs from many goroutines across two days (run with -race).
func TestSignerConcurrent(t *testing.T) {
	s := NewSigner(vecID, vecKey, "faceid")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				ts := int64(vecTS + (g+i)%2*86400)
				body := []byte(fmt.Sprintf(`{"n":%d}`, i))
				if got, want := s.Authorization("h", ts, body), Authorization(vecID, vecKey, JSONPost("h", "faceid", ts, body)); got != want {
					t.Errorf("ts %d: %s != %s", ts, got, want)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkSigner(b *testing.B) {
	s := NewSigner(vecID, vecKey, "faceid")
	body := []byte(`{"BizToken":"CE661F1A-0F1E-45BD-BE13-34C05CEA7681","RuleId":"1"}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Authorization("faceid.tencentcloudapi.com", vecTS, body)
	}
}
