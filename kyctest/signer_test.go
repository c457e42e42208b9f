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

// The manual's hash-verified vectors (spec README, "Signature test vectors"), signed through the
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
// client at the server) may import the root package.
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
			if path == "github.com/kycgo/kyc" {
				require.Equal(t, "client.go", name, "%s imports the SDK", name)
			}
		}
	}
}
