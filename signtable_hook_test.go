package kyc

import "testing"

// SwapSignFieldsForTest replaces the signed fields of the SDK's signer-table row for endpoint
// with what change returns, for the rest of t, and restores the row when t ends. It lets
// independent_fake_test.go (package kyc_test) plant a wrong row and watch kyctest, which has its
// own table, refuse what the SDK then sends. t must not be parallel: the table is package state.
func SwapSignFieldsForTest(t testing.TB, endpoint string, change func(fields []string) []string) {
	t.Helper()
	for i := range signTable {
		if signTable[i].Endpoint != endpoint {
			continue
		}
		old := signTable[i]
		r := old
		r.Fields = change(append([]string(nil), old.Fields...))
		signTable[i] = r
		t.Cleanup(func() { signTable[i] = old })
		return
	}
	t.Fatalf("no signer-table row for %s", endpoint)
}

// SignFieldsForTest returns a copy of the signed fields of the SDK's row for endpoint.
func SignFieldsForTest(t testing.TB, endpoint string) []string {
	t.Helper()
	for _, r := range signTable {
		if r.Endpoint == endpoint {
			return append([]string(nil), r.Fields...)
		}
	}
	t.Fatalf("no signer-table row for %s", endpoint)
	return nil
}
