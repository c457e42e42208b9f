package kyctest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The manual's hash-verified vectors (docs/README.md, "Signature test vectors"), signed through the
// fake's own rows so that a wrong row or a wrong sort fails here, not only end to end.
func TestOwnSignerTableMatchesTheManualVectors(t *testing.T) {
	const ticket1 = "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS"
	const nonce = "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"
	for _, tc := range []struct {
		endpoint, ticket string
		params           map[string]string
		want             string
	}{
		{EndpointFaceIDPlus, ticket1, map[string]string{"appId": "IDAXXXXX", "userId": "userID19959248596551", "nonce": nonce,
			"version": "1.0.0", "orderNo": "notSigned1", "name": "not signed", "idNo": "not signed"}, "D7606F1741DDCF90757DA924EDCF152A200AC7F0"},
		{EndpointFaceSDKStart, ticket1, map[string]string{"appId": "IDAXXXXX", "userId": "userID19959248596551", "nonce": nonce,
			"version": "1.0.0", "faceId": "notSigned"}, "D7606F1741DDCF90757DA924EDCF152A200AC7F0"},
		{EndpointWillSDKStart, ticket1, map[string]string{"appId": "IDAXXXXX", "userId": "userID19959248596551", "nonce": nonce,
			"version": "1.0.0"}, "D7606F1741DDCF90757DA924EDCF152A200AC7F0"},
		{EndpointQueryFaceRecord, ticket1, map[string]string{"appId": "IDAXXXXX", "orderNo": "orderNo596551", "nonce": nonce,
			"version": "1.0.0", "getFile": "1"}, "6CD5F0DBCFA1155E2A66754B33C2E67DD358393B"},
		{EndpointNFCCertID, ticket1, map[string]string{"appId": "IDAXXXXX", "orderNo": "orderNo596551", "nonce": nonce,
			"version": "1.0.0", "userId": "notSigned", "nfcType": "1"}, "6CD5F0DBCFA1155E2A66754B33C2E67DD358393B"},
		{EndpointOCRResult, ticket1, map[string]string{"app_id": "IDAXXXXX", "order_no": "orderNo596551", "nonce": nonce,
			"version": "1.0.0", "get_file": "1"}, "6CD5F0DBCFA1155E2A66754B33C2E67DD358393B"},
		{EndpointH5Login, "zxc9Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS", map[string]string{"appId": "appId001",
			"userId": "userID19959248596551", "nonce": nonce, "version": "1.0.0", "faceId": "bwiwe1457895464",
			"orderNo": "aabc1457895464", "url": "https://example.invalid/cb"}, "4E9DFABF938BF37BDB7A7DC25CCA1233D12D986B"},
		{EndpointWillLogin, "zxc9Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS", map[string]string{"appId": "appId001",
			"userId": "userID19959248596551", "nonce": nonce, "version": "1.0.0", "faceId": "bwiwe1457895464",
			"orderNo": "aabc1457895464"}, "4E9DFABF938BF37BDB7A7DC25CCA1233D12D986B"},
		{EndpointPCLogin, "zxc9Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS", map[string]string{"appId": "appId001",
			"userId": "userID19959248596551", "nonce": nonce, "version": "1.0.0", "h5faceId": "bwiwe1457895464",
			"orderNo": "aabc1457895464"}, "4E9DFABF938BF37BDB7A7DC25CCA1233D12D986B"},
		{EndpointFaceIDPC, "duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoe", map[string]string{"appId": "appId001",
			"orderNo": "19959248596551", "name": "testName", "idNo": "4300000000000", "userId": "19959248596551",
			"version": "1.0.0", "sourcePhotoType": "1"}, "11670F8BD6181CF71FB4656534253A0627D835CF"},
	} {
		require.Equal(t, tc.want, row(tc.endpoint).signValues(tc.ticket, tc.params), tc.endpoint)
	}
}

// Java orders by UTF-16 code unit: a supplementary-plane character (a surrogate pair, 0xD8xx)
// sorts before U+E000..U+FFFF, where UTF-8 byte order puts it after.
func TestJavaCompareIsUTF16Order(t *testing.T) {
	require.Negative(t, javaCompare("\U00020000", "\uFF21"))
	require.Positive(t, strings.Compare("\U00020000", "\uFF21"), "byte order differs here")
	require.Negative(t, javaCompare("1.0.0", "IDA"))
	require.Negative(t, javaCompare("ab", "abc"))
	require.Zero(t, javaCompare("same", "same"))
	require.Equal(t, sha1Sign("t", []string{"\uFF21", "\U00020000"}), sha1Sign("t", []string{"\U00020000", "\uFF21"}))
}

// The fake must stay independent of the SDK it tests: only client.go (the options that point a
// client at the server) may import the root package, and none may import its internal packages
// (the SDK's TC3 signer among them).
func TestOnlyClientOptionsImportTheSDK(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			require.False(t, strings.HasPrefix(path, "github.com/kycgo/kyc/internal"), "%s imports %s", name, path)
			if path == "github.com/kycgo/kyc" {
				require.Equal(t, "client.go", name, "%s imports the SDK", name)
			}
		}
	}
}

// The TC3 vectors of the docs/README.md ("API 3.0 actions"), checked against the fake's own verifier:
// the second produced by Tencent's own Go SDK, the first the spec's DetectAuth vector with an
// obviously invented ID number, its digest recomputed by an independent implementation.
func TestOwnTC3VerifierMatchesTheVectors(t *testing.T) {
	const key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
	for _, tc := range []struct{ host, body, want string }{
		{"127.0.0.1:36105", `{"IdCard":"TEST00000000000001","Name":"张三","RuleId":"1"}`,
			"4e166c0b7f278fb1f347a3dcd86d6cb5cd7616072f5fc1cf5ba6fa64a60e986f"},
		{"faceid.tencentcloudapi.com", `{"BizToken":"CE661F1A-0F1E-45BD-BE13-34C05CEA7681","RuleId":"1"}`,
			"2832864c5b6b10ab1bfd10b5afb84298081fc1f627f57c12d94c64b82bf4fd8f"},
	} {
		got := tc3Signature(key, "POST", "/", "", map[string]string{"content-type": "application/json", "host": tc.host},
			[]byte(tc.body), 1795971494, "2026-11-29", "faceid")
		require.Equal(t, tc.want, got, tc.host)
	}
	a, err := parseTC3("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2026-11-29/faceid/tc3_request, " +
		"SignedHeaders=content-type;host, Signature=2832864C5B6B10AB1BFD10B5AFB84298081FC1F627F57C12D94C64B82BF4FD8F")
	require.NoError(t, err)
	require.Equal(t, tc3Auth{secretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", date: "2026-11-29", service: "faceid",
		signedHeaders: []string{"content-type", "host"}, signature: "2832864c5b6b10ab1bfd10b5afb84298081fc1f627f57c12d94c64b82bf4fd8f"}, a)
	for _, bad := range []string{"", "TC3-HMAC-SHA256 Credential=a/2026-11-29/faceid/tc3_request, SignedHeaders=host",
		"TC3-HMAC-SHA256 Credential=a/2026-13-29/faceid/tc3_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64),
		"TC3-HMAC-SHA256 Credential=a/2026-11-29/faceid/tc3_request, SignedHeaders=host, Signature=" + strings.Repeat("g", 64),
		"TC3-HMAC-SHA256 Credential=a/2026-11-29/faceid/tc3_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64) + ", Signature=x",
	} {
		_, err := parseTC3(bad)
		require.ErrorIs(t, err, errBadAuthorization)
	}
}
