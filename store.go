package kyc

import (
	"context"
	"slices"
	"sync"
	"time"
)

// TicketStore keeps ticket units where several clients can share them: every process and
// instance that uses one appId must share one unit, because a token fetch leaves the previous
// token about one more minute of life (docs/A-auth-sign-face.md §2.1). Implementations must be safe for concurrent
// use. MemoryStore shares within a process, FileStore between the processes of one host, and the
// separate module github.com/kycgo/kyc/redisstore across hosts.
//
// A unit holds an access token and a ticket: a store must not log it, and must not put its
// content in an error.
type TicketStore interface {
	// Load returns the stored unit for appID, or nil and no error when there is none.
	Load(ctx context.Context, appID string) (*TicketUnit, error)
	// Save stores u unless CheckSave refuses it: the store holds a unit that supersedes u, or it
	// has granted a lease with a higher fence than u.Fence since u was fetched (u's fetcher lost
	// its lease: a late writer must not replace what its successor saves). Then it stores
	// nothing and returns ErrUnitSuperseded. The check and the write must be one atomic step.
	Save(ctx context.Context, u *TicketUnit) error
	// Lease asks to be the one refresher of appID for ttl. It returns ErrLeaseHeld when another
	// holder has it; the lease ends at Release or when ttl passes, whichever comes first, even if
	// its holder died. A store that fences returns a FencedLease.
	Lease(ctx context.Context, appID string, ttl time.Duration) (Lease, error)
}

// Lease is a held refresh lease.
type Lease interface {
	// Release ends the lease if it is still this holder's; it never ends a successor's lease.
	Release(ctx context.Context) error
}

// FencedLease is a Lease with a fencing token: a number that grows with every lease a store
// grants for an appId. The client stamps it on the unit it fetched under the lease
// (TicketUnit.Fence) so that the store can refuse that unit if the lease ran out in between.
type FencedLease interface {
	Lease
	Fence() uint64
}

// Supersedes reports whether u is newer than v. Units fetched under fenced leases are ordered by
// fence, which does not depend on the fetching hosts' clocks; otherwise the later FetchedAt wins.
func (u *TicketUnit) Supersedes(v *TicketUnit) bool {
	if u.Fence != 0 && v.Fence != 0 && u.Fence != v.Fence {
		return u.Fence > v.Fence
	}
	return u.FetchedAt.After(v.FetchedAt)
}

// CheckSave is the rule every TicketStore applies in Save: it returns ErrUnitSuperseded when u
// must not replace stored (nil: nothing stored), given the highest fence the store has granted
// for the appId (0: none); nil when u may be written. A stored unit that no fetch can have
// produced (fetched more than 5 minutes after u, or claiming a longer life than the service
// grants) counts as nothing stored, so that one fetch replaces it.
func CheckSave(stored, u *TicketUnit, granted uint64) error {
	if u.Fence != 0 && u.Fence < granted {
		return ErrUnitSuperseded // a later lease exists: u's fetcher is a late writer
	}
	if stored != nil && implausible(stored, u.FetchedAt) != "" {
		stored = nil
	}
	if stored != nil && !u.Supersedes(stored) {
		return ErrUnitSuperseded
	}
	return nil
}

// Bounds on what a unit read from a store may claim. A unit outside them did not come from a
// fetch by an instance with a sane clock (it was planted, corrupted, or written by a host whose
// clock is far off): it is never served, and the next fetch overwrites it (CheckSave).
const (
	// maxTokenLifetime and maxSignTicketLifetime are the documented lifetimes of the access
	// token (7200 s, docs/A-auth-sign-face.md §2.1) and the SIGN ticket (3600 s, docs/A-auth-sign-face.md §2.2). A fetch never records
	// more, whatever expire_in says.
	maxTokenLifetime      = 7200 * time.Second
	maxSignTicketLifetime = 3600 * time.Second
	// maxClockSkew is how far in the future a unit's FetchedAt may lie: the hosts of a fleet
	// disagree by seconds under NTP; 5 minutes leaves room for a badly kept clock, while a unit
	// from further ahead would otherwise supersede every real fetch for as long as it claims.
	maxClockSkew = 5 * time.Minute
)

// implausible says why no fetch can have produced u, judged at now ("" when one can). It never
// quotes the token or the ticket. This is the one plausibility rule: the ticket manager applies
// it to every unit it adopts from a store (adoptFromStore) and CheckSave to the stored unit a
// fetch would replace, so it holds for every TicketStore.
func implausible(u *TicketUnit, now time.Time) string {
	switch {
	case u.FetchedAt.After(now.Add(maxClockSkew)):
		return "fetched in the future beyond clock skew"
	case u.TokenExpiresAt.Sub(u.FetchedAt) > maxTokenLifetime:
		return "token lifetime above 7200 s"
	case u.TicketExpiresAt.Sub(u.FetchedAt) > maxSignTicketLifetime:
		return "SIGN ticket lifetime above 3600 s"
	}
	return ""
}

// checkUnit refuses a unit a store cannot keep. It never quotes a value.
func checkUnit(u *TicketUnit) error {
	switch {
	case u == nil:
		return invalidInput("ticket unit", "must not be nil")
	case checkAppID(u.AppID) != nil:
		return invalidInput("ticket unit", "needs a valid appId")
	case u.AccessToken == "" || u.SignTicket == "":
		return invalidInput("ticket unit", "needs an access token and a SIGN ticket")
	}
	return nil
}

// QueryCounter is an optional interface of a TicketStore: counts that every client sharing the
// store sees, so that a limit the service sets per identifier holds across a fleet and not only
// per process. The NFC result query uses it for its reqId limit (10 queries within 5 minutes,
// docs/C-ocr-will-nfc-eid.md §6.1): with a store that counts, two instances together send at most 10 queries of one
// reqId. MemoryStore, FileStore and github.com/kycgo/kyc/redisstore implement it. With a store
// that does not, each client counts its own queries (in memory), and a fleet may send more:
// the service then answers 66664003.
type QueryCounter interface {
	// CountQuery adds one to the count of key for appID and returns the count, this one
	// included, and the time of the first count (now, for the first). Adding and reading are
	// one atomic step: of n concurrent callers, each sees a different count. The count of a key
	// is forgotten keep after its first count (at the latest; a store may keep it longer); the
	// same key of another appId is another count. key is 1 to 64 visible ASCII characters.
	// An error means nothing is known of the count.
	CountQuery(ctx context.Context, appID, key string, now time.Time, keep time.Duration) (n int, first time.Time, err error)
}

// checkCountKey refuses a QueryCounter key or keep time a store cannot use.
func checkCountKey(appID, key string, keep time.Duration) error {
	if err := checkAppID(appID); err != nil {
		return err
	}
	if keep <= 0 {
		return invalidInput("query count time", "must be positive")
	}
	if key == "" || len(key) > 64 {
		return invalidInput("query count key", "must be 1 to 64 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return invalidInput("query count key", "must be visible ASCII characters")
		}
	}
	return nil
}

// queryCount is one count of a QueryCounter kept in memory or in a file.
type queryCount struct {
	N     int       `json:"n"`
	First time.Time `json:"first"`
	Until time.Time `json:"until"` // when it is forgotten
}

// maxQueryCounts bounds the counts a MemoryStore or FileStore keeps per appId; past it expired
// counts, then the oldest tenth, are forgotten (a forgotten reqId's next query goes to the
// service, which enforces the same limit).
const maxQueryCounts = 10000

// countQuery adds one to m[key] at now and returns it, forgetting expired counts first.
func countQuery(m map[string]queryCount, key string, now time.Time, keep time.Duration) queryCount {
	if q, ok := m[key]; ok && !now.Before(q.Until) {
		delete(m, key)
	}
	q, ok := m[key]
	if !ok {
		if len(m) >= maxQueryCounts {
			pruneQueryCounts(m, now)
		}
		q = queryCount{First: now, Until: now.Add(keep)}
	}
	q.N++
	m[key] = q
	return q
}

// pruneQueryCounts forgets the expired counts of m and, if that is not enough, the oldest tenth.
func pruneQueryCounts(m map[string]queryCount, now time.Time) {
	type entry struct {
		key   string
		first time.Time
	}
	live := make([]entry, 0, len(m))
	for k, q := range m {
		if !now.Before(q.Until) {
			delete(m, k)
			continue
		}
		live = append(live, entry{k, q.First})
	}
	if len(m) < maxQueryCounts {
		return
	}
	slices.SortFunc(live, func(a, b entry) int { return a.first.Compare(b.first) })
	for _, e := range live[:len(live)/10+1] {
		delete(m, e.key)
	}
}

// MemoryStore is the default TicketStore: one process, no persistence. Share one among the
// clients of a process that use the same appId.
type MemoryStore struct {
	mu     sync.Mutex
	units  map[string]TicketUnit
	leases map[string]*memoryLease
	fences map[string]uint64 // the last fence granted per appId
	counts map[string]map[string]queryCount
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{units: map[string]TicketUnit{}, leases: map[string]*memoryLease{}, fences: map[string]uint64{}}
}

// Load implements TicketStore.
func (s *MemoryStore) Load(_ context.Context, appID string) (*TicketUnit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.units[appID]
	if !ok {
		return nil, nil
	}
	return &u, nil
}

// Save implements TicketStore.
func (s *MemoryStore) Save(_ context.Context, u *TicketUnit) error {
	if err := checkUnit(u); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var stored *TicketUnit
	if old, ok := s.units[u.AppID]; ok {
		stored = &old
	}
	if err := CheckSave(stored, u, s.fences[u.AppID]); err != nil {
		return err
	}
	s.units[u.AppID] = *u
	return nil
}

// CountQuery implements QueryCounter, for the clients that share this MemoryStore.
func (s *MemoryStore) CountQuery(_ context.Context, appID, key string, now time.Time, keep time.Duration) (int, time.Time, error) {
	if err := checkCountKey(appID, key, keep); err != nil {
		return 0, time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]map[string]queryCount{}
	}
	m := s.counts[appID]
	if m == nil {
		m = map[string]queryCount{}
		s.counts[appID] = m
	}
	q := countQuery(m, key, now, keep)
	return q.N, q.First, nil
}

// Lease implements TicketStore. Lease times are wall-clock times.
func (s *MemoryStore) Lease(_ context.Context, appID string, ttl time.Duration) (Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[appID]; ok && time.Now().Before(l.until) {
		return nil, ErrLeaseHeld
	}
	s.fences[appID]++
	l := &memoryLease{store: s, appID: appID, until: time.Now().Add(ttl), fence: s.fences[appID]}
	s.leases[appID] = l
	return l, nil
}

type memoryLease struct {
	store *MemoryStore
	appID string
	until time.Time
	fence uint64
}

func (l *memoryLease) Fence() uint64 { return l.fence }

func (l *memoryLease) Release(context.Context) error {
	l.store.mu.Lock()
	defer l.store.mu.Unlock()
	if l.store.leases[l.appID] == l {
		delete(l.store.leases, l.appID)
	}
	return nil
}
