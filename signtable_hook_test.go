package kyc

import "testing"

// SwapSignRuleForTest changes the SDK's signer-table row for endpoint with change, for the rest
// of t, and restores the row when t ends. It lets independent_fake_test.go (package kyc_test)
// plant a wrong row and watch kyctest, which has its own table, refuse what the SDK then sends.
// t must not be parallel: the table is package state.
func SwapSignRuleForTest(t testing.TB, endpoint string, change func(*SignRule)) {
	t.Helper()
	for i := range signTable {
		if signTable[i].Endpoint != endpoint {
			continue
		}
		old := signTable[i]
		r := old
		r.Fields = append([]string(nil), old.Fields...)
		change(&r)
		signTable[i] = r
		t.Cleanup(func() { signTable[i] = old })
		return
	}
	t.Fatalf("no signer-table row for %s", endpoint)
}
