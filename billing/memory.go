package billing

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kycgo/kyc"
)

// MemoryStore is a TokenStore in memory, for tests and single-process services. Saved
// gives what it holds to Reconcile.
type MemoryStore struct {
	mu     sync.Mutex
	tokens map[string]*storedToken
}

type storedToken struct {
	rec     TokenRecord
	final   bool
	pulls   int
	details []kyc.LivenessDetail
	seqs    map[string]int // Seq → index in details
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{tokens: map[string]*storedToken{}}
}

// SaveToken records a token; saving it again keeps what was pulled.
func (m *MemoryStore) SaveToken(_ context.Context, t TokenRecord) error {
	if t.BizToken == "" {
		return invalid("BizToken", "must not be empty")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.tokens[t.BizToken]; ok {
		st.rec = t
		return nil
	}
	m.tokens[t.BizToken] = &storedToken{rec: t, seqs: map[string]int{}}
	return nil
}

// MarkPulled merges details into the token's, keyed by Seq (a newer item replaces the one with
// its Seq; items without a Seq are replaced as a whole by the latest pull's).
func (m *MemoryStore) MarkPulled(_ context.Context, bizToken string, final bool, details []kyc.LivenessDetail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.tokens[bizToken]
	if !ok {
		st = &storedToken{rec: TokenRecord{BizToken: bizToken}, seqs: map[string]int{}}
		m.tokens[bizToken] = st
	}
	st.pulls++
	st.final = st.final || final
	if details == nil {
		return nil
	}
	kept := st.details[:0:0]
	for _, d := range st.details {
		if d.Seq != "" {
			kept = append(kept, d)
		}
	}
	clear(st.seqs)
	for i, d := range kept {
		st.seqs[d.Seq] = i
	}
	for _, d := range details {
		if i, ok := st.seqs[d.Seq]; ok && d.Seq != "" {
			kept[i] = d
			continue
		}
		if d.Seq != "" {
			st.seqs[d.Seq] = len(kept)
		}
		kept = append(kept, d)
	}
	st.details = kept
	return nil
}

// ListUnfinal lists the tokens not final and created before createdBefore, oldest first.
func (m *MemoryStore) ListUnfinal(_ context.Context, createdBefore time.Time) ([]TokenRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []TokenRecord
	for _, st := range m.tokens {
		if !st.final && st.rec.CreatedAt.Before(createdBefore) {
			out = append(out, st.rec)
		}
	}
	slices.SortFunc(out, func(a, b TokenRecord) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.BizToken, b.BizToken)
	})
	return out, nil
}

// tokenState is what the store holds for one token, for tests.
type tokenState struct {
	TokenRecord
	Final   bool
	Pulls   int // how many times MarkPulled was called
	Details int // attempts kept
}

// state reports what the store holds for bizToken.
func (m *MemoryStore) state(bizToken string) (tokenState, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.tokens[bizToken]
	if !ok {
		return tokenState{}, false
	}
	return tokenState{TokenRecord: st.rec, Final: st.final, Pulls: st.pulls, Details: len(st.details)}, true
}

// Saved returns every token with its details, sorted by BizToken, for Reconcile.
func (m *MemoryStore) Saved() []SavedToken {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SavedToken, 0, len(m.tokens))
	for _, st := range m.tokens {
		out = append(out, SavedToken{BizToken: st.rec.BizToken, Details: slices.Clone(st.details)})
	}
	slices.SortFunc(out, func(a, b SavedToken) int { return strings.Compare(a.BizToken, b.BizToken) })
	return out
}
