package billing

// Test-only exports for the external tests (package billing_test).
const (
	SourceSaved = sourceSaved
	SourceBill  = sourceBill
)

// TokenState is tokenState.
type TokenState = tokenState

// State is state.
func (m *MemoryStore) State(bizToken string) (TokenState, bool) { return m.state(bizToken) }

// FinalAfter is finalAfter.
const FinalAfter = finalAfter
