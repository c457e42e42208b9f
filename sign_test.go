package kyc

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
)

type signVector struct {
	Name   string   `json:"name"`
	Source string   `json:"source"`
	Ticket string   `json:"ticket"`
	Values []string `json:"values"`
	Sign   string   `json:"sign"`
}

func loadSignVectors(t testing.TB) []signVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/signatures.json")
	require.NoError(t, err)
	var f struct {
		Vectors []signVector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(raw, &f))
	require.NotEmpty(t, f.Vectors)
	return f.Vectors
}

func TestSignGoldenVectors(t *testing.T) {
	docs := 0
	for _, v := range loadSignVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			require.Equal(t, v.Sign, Sign(v.Ticket, v.Values...))
			// Order of the inputs never matters: only values are signed, sorted.
			rev := slices.Clone(v.Values)
			slices.Reverse(rev)
			require.Equal(t, v.Sign, Sign(v.Ticket, rev...))
			// The recorded digest is also what a plain UTF-16 sort gives (utf16.Encode, slices.Compare).
			require.Equal(t, v.Sign, referenceSign(v.Ticket, v.Values))
		})
		if v.Source == "doc" {
			docs++
		}
	}
	require.Equal(t, 4, docs, "the four vectors of docs/README.md")
}

func TestSignDropsEmptyValuesAndKeepsDuplicates(t *testing.T) {
	const ticket = "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS"
	base := Sign(ticket, "IDAXXXXX", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0")
	require.Equal(t, base, Sign(ticket, "", "IDAXXXXX", "userID19959248596551", "", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"))
	require.NotEqual(t, base, Sign(ticket, "IDAXXXXX", "IDAXXXXX", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"))
	require.Len(t, base, 40)
	require.Equal(t, strings.ToUpper(base), base)
}

// TestSignSortsNonASCIIAsJava reaches compareUTF16 through Sign: pairs of values whose UTF-8 byte
// order and Java's UTF-16 order differ. The expected pre-image is written out by hand in Java's
// order and hashed here, so the test does not trust any sort of this package.
func TestSignSortsNonASCIIAsJava(t *testing.T) {
	const ticket = "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS"
	digest := func(preimage string) string {
		sum := sha1.Sum([]byte(preimage))
		return strings.ToUpper(hexString(sum[:]))
	}
	tests := []struct {
		values   []string
		preimage string // the values and the ticket joined in Java's String.compareTo order
	}{
		// U+20000 is D840 DC00 in UTF-16, below U+E000; in UTF-8 it is F0..., above EE 80 80.
		{[]string{"\uE000", "\U00020000"}, ticket + "\U00020000" + "\uE000"},
		{[]string{"\U00020000", "\uE000"}, ticket + "\U00020000" + "\uE000"},
		// A shared prefix first, then U+1F600 (D83D) against U+FFFD.
		{[]string{"x\uFFFD", "x\U0001F600", "aabc1457895464"}, ticket + "aabc1457895464" + "x\U0001F600" + "x\uFFFD"},
		// A rare CJK name (U+20BB7) beside full-width letters (U+FF21), as in a PC-H5 upload.
		{[]string{"\uFF21\uFF22", "\U00020BB7\u91CE", "1.0.0", "user0001"}, "1.0.0" + ticket + "user0001" + "\U00020BB7\u91CE" + "\uFF21\uFF22"},
		// More than the stack array holds, so the sort runs over a heap slice too.
		{[]string{"\uE001", "a", "b", "c", "d", "e", "f", "g", "\U00020001"}, ticket + "abcdefg" + "\U00020001" + "\uE001"},
	}
	for _, tt := range tests {
		want := digest(tt.preimage)
		require.Equal(t, want, Sign(ticket, tt.values...), "%q", tt.values)
		// The same values named through the signer table (SignRule.Sign) sort the same way.
		fields := map[string]string{"appId": tt.values[0], "orderNo": tt.values[1]}
		rule := signRule{Fields: []string{"appId", "orderNo"}}
		require.Equal(t, Sign(ticket, tt.values[0], tt.values[1]),
			rule.Sign(ticket, func(f string) (string, bool) { v, ok := fields[f]; return v, ok }))
	}
	// A UTF-8 byte sort gives another digest: the vectors above really separate the two orders.
	require.NotEqual(t, digest(ticket+"\uE000"+"\U00020000"), Sign(ticket, "\uE000", "\U00020000"))
	require.Less(t, ticket+"\uE000", ticket+"\U00020000", "byte order puts U+E000 first")

	// The PC-H5 row of the signer table with a supplementary-plane name.
	pc, _ := signRuleFor(endpointFaceIDPC)
	const pcTicket = "duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoe"
	pcVals := map[string]string{"appId": "appId001", "orderNo": "20260101ORDER0001", "name": "\U00020BB7\u91CE\u82B1\u5B50",
		"idNo": "\uFF21\uFF22\uFF23", "userId": "user0001", "version": "1.0.0"}
	require.Equal(t, digest("1.0.020260101ORDER0001appId001"+pcTicket+"user0001"+pcVals["name"]+pcVals["idNo"]),
		pc.Sign(pcTicket, func(f string) (string, bool) { v, ok := pcVals[f]; return v, ok }))
}

func TestSignManyValuesAndLongInput(t *testing.T) {
	vals := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", strings.Repeat("x", 600)}
	// Eleven values (past the stack array) joining to over 600 bytes (past the stack buffer),
	// against a straightforward implementation of the manual's rule.
	require.Equal(t, referenceSign("T", vals), Sign("T", vals...))
	// 15 values fill the index array exactly; 16 and more take signMany. Empty values and
	// non-ASCII ones ordered by UTF-16 code units on both paths.
	for _, n := range []int{15, 16, 40} {
		many := make([]string, n)
		for i := range many {
			many[i] = []string{"z", "", "\U0001F600x", "\uFF21", "k" + strconv.Itoa(i), "A"}[i%6]
		}
		require.Equal(t, referenceSign("T", many), Sign("T", many...), "%d values", n)
	}
}

// referenceSign is the manual's Java reference written plainly, with Java's UTF-16 ordering.
func referenceSign(ticket string, values []string) string {
	vs := []string{ticket}
	for _, v := range values {
		if v != "" {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b string) int {
		ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
		return slices.Compare(ua, ub)
	})
	sum := sha1.Sum([]byte(strings.Join(vs, "")))
	return strings.ToUpper(hexString(sum[:]))
}

func hexString(b []byte) string {
	const d = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, d[c>>4], d[c&15])
	}
	return string(out)
}

func TestCompareUTF16MatchesJava(t *testing.T) {
	cases := [][2]string{
		{"a", "b"}, {"A", "a"}, {"1.0.0", "IDAXXXXX"}, {"ab", "abc"}, {"", "a"},
		{"张三", "李四"}, {"\uE000", "\U00020000"}, // BMP private use vs CJK Ext-B: Java puts the surrogate first
		{"x\U0001F600", "x\uFFFD"}, {"\U00020000", "\U00020001"}, {"é", "e"}, {"名字", "名"},
	}
	for _, c := range cases {
		for _, p := range [][2]string{c, {c[1], c[0]}, {c[0], c[0]}} {
			ua, ub := utf16.Encode([]rune(p[0])), utf16.Encode([]rune(p[1]))
			want := slices.Compare(ua, ub)
			got := compareUTF16(p[0], p[1])
			require.Equal(t, want, sign(got), "%q vs %q", p[0], p[1])
		}
	}
	// The case where byte order and Java order differ.
	require.Less(t, compareUTF16("\U00020000", "\uE000"), 0)
	require.Greater(t, strings.Compare("\U00020000", "\uE000"), 0)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func FuzzSignMatchesReference(f *testing.F) {
	f.Add("ticket", "IDAXXXXX", "userID1", "张三", "\U00020000")
	f.Add("", "", "", "", "")
	// Pairs where UTF-8 byte order and Java's UTF-16 order differ.
	f.Add("ticket", "\uE000", "\U00020000", "1.0.0", "userID1")
	f.Add("\U00020000", "\uFFFF", "appId", "\uE000x", "\U0010FFFF")
	f.Add("T", "x\U0001F600", "x\uFFFD", "x\uE000", "x")
	f.Add("T", "\U00020BB7\u91CE", "\uFF21\uFF22", "\U00020BB7", "\uFF21")
	f.Fuzz(func(t *testing.T, ticket, a, b, c, d string) {
		for _, s := range []string{ticket, a, b, c, d} {
			if !utf8Valid(s) {
				t.Skip()
			}
		}
		require.Equal(t, referenceSign(ticket, []string{a, b, c, d}), Sign(ticket, a, b, c, d))
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		n := NewNonce()
		require.NoError(t, CheckNonce(n))
		require.False(t, seen[n], "nonce repeated")
		seen[n] = true
		for _, r := range n {
			counts[r]++
		}
	}
	// Every one of the 62 symbols shows up in 64,000 draws (expected about 1,000 each).
	require.Len(t, counts, 62)
	for r, c := range counts {
		require.Greater(t, c, 700, "symbol %q is under-represented", r)
	}
}

// TestNewNonceUniform: every symbol is equally likely. With 320,000 draws each symbol is expected
// about 5,161 times (standard deviation about 71); a 10% band is seven deviations wide, so the test
// does not fail by chance, while a modulo bias (dropping the rejection of bytes 248..255) gives the
// first symbols about 6,270 each and fails it.
func TestNewNonceUniform(t *testing.T) {
	const nonces = 10000
	counts := map[rune]int{}
	for range nonces {
		for _, r := range NewNonce() {
			counts[r]++
		}
	}
	require.Len(t, counts, 62)
	want := float64(nonces*nonceLen) / 62
	for r, c := range counts {
		require.InDelta(t, want, float64(c), want/10, "symbol %q", r)
	}
}

func TestCheckNonce(t *testing.T) {
	require.NoError(t, CheckNonce("kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"))
	for _, bad := range []string{"", "short", "kHoSxvLZGxSoFsjaxlbzEoUzh5PAnTU7T", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7-", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7张"} {
		err := CheckNonce(bad)
		require.ErrorIs(t, err, ErrInvalidInput, "%q", bad)
		if bad != "" {
			require.NotContains(t, err.Error(), bad)
		}
	}
}

func TestSignTableCoversEveryEndpoint(t *testing.T) {
	// Every row of the endpoint catalogue in docs/README.md, with its ticket and signed fields.
	want := map[string]struct {
		ticket ticketKind
		fields int
	}{
		endpointAccessToken: {noTicket, 0}, endpointSignTicket: {noTicket, 0}, endpointNonceTicket: {noTicket, 0},
		endpointFaceIDPlus: {signTicketKind, 4}, endpointFaceIDEnhanced: {signTicketKind, 4}, endpointFaceIDBasic: {signTicketKind, 4},
		endpointFaceIDPC: {signTicketKind, 6}, endpointFaceSDKStart: {nonceTicketKind, 4}, endpointH5Login: {nonceTicketKind, 6},
		endpointPCLogin: {nonceTicketKind, 6}, endpointH5Callback: {signTicketKind, 3}, endpointQueryFaceRecord: {signTicketKind, 4},
		endpointQueryPhotoInfo: {signTicketKind, 4}, endpointOCRSDKStart: {nonceTicketKind, 4}, endpointOCRResult: {signTicketKind, 4},
		endpointBankCardOCRResult: {signTicketKind, 4}, endpointWillFaceID: {signTicketKind, 4}, endpointWillSDKStart: {nonceTicketKind, 4},
		endpointWillLogin: {nonceTicketKind, 6}, endpointWillCallback: {signTicketKind, 3}, endpointWillResult: {signTicketKind, 4},
		endpointNFCCertID: {signTicketKind, 4}, endpointNFCSDKStart: {nonceTicketKind, 4}, endpointNFCResult: {signTicketKind, 4},
	}
	rules := signRules()
	require.Len(t, rules, len(want))
	for _, r := range rules {
		w, ok := want[r.Endpoint]
		require.True(t, ok, r.Endpoint)
		require.Equal(t, w.ticket, r.Ticket, r.Endpoint)
		require.Len(t, r.Fields, w.fields, r.Endpoint)
		if r.Ticket != noTicket {
			require.Contains(t, r.Fields, firstOf(r.Fields, "appId", "app_id"), r.Endpoint)
		}
	}
	// SignRule.Sign reproduces the doc vectors from named fields.
	login, ok := signRuleFor(endpointH5Login)
	require.True(t, ok)
	vals := map[string]string{"appId": "appId001", "userId": "userID19959248596551", "orderNo": "aabc1457895464",
		"version": "1.0.0", "faceId": "bwiwe1457895464", "nonce": "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "url": "https://x.example"}
	got := login.Sign("zxc9Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS", func(f string) (string, bool) { v, ok := vals[f]; return v, ok })
	require.Equal(t, "4E9DFABF938BF37BDB7A7DC25CCA1233D12D986B", got)
	pc, _ := signRuleFor(endpointFaceIDPC)
	// Once ExampleSignRuleFor's output, when the table was exported.
	require.Equal(t, "SIGN [appId orderNo name idNo userId version]", fmt.Sprint(pc.Ticket, " ", pc.Fields))
	pcVals := map[string]string{"appId": "appId001", "orderNo": "19959248596551", "name": "testName", "idNo": "4300000000000", "userId": "19959248596551", "version": "1.0.0"}
	require.Equal(t, "11670F8BD6181CF71FB4656534253A0627D835CF", pc.Sign("duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoe", func(f string) (string, bool) { v, ok := pcVals[f]; return v, ok }))
	_, ok = signRuleFor("nope")
	require.False(t, ok)
}

func firstOf(fields []string, names ...string) string {
	for _, n := range names {
		if slices.Contains(fields, n) {
			return n
		}
	}
	return names[0]
}

var sinkString string

// BenchmarkSign signs the five-value upload shape (four values plus the ticket).
func BenchmarkSign(b *testing.B) {
	const ticket = "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS"
	b.ReportAllocs()
	for b.Loop() {
		sinkString = Sign(ticket, "IDAXXXXX", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0")
	}
}

var sinkSum [sha1.Size]byte

// BenchmarkSignSHA1Baseline is crypto/sha1 over the same bytes, already sorted and joined: the
// floor that BenchmarkSign is measured against.
func BenchmarkSignSHA1Baseline(b *testing.B) {
	joined := []byte("1.0.0IDAXXXXXXO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMSkHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7TuserID19959248596551")
	b.ReportAllocs()
	for b.Loop() {
		sinkSum = sha1.Sum(joined)
	}
}
