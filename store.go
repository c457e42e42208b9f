package kyc

import (
	"context"
	"errors"
	"sync"
	"time"
)

// TicketStore keeps ticket units where several clients can share them: every process and
// instance that uses one appId must share one unit, because a token fetch leaves the previous
// token about one more minute of life (spec A 2.1). Implementations must be safe for concurrent
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

// ErrLeaseHeld is returned by TicketStore.Lease when another instance is refreshing.
var ErrLeaseHeld = errors.New("kyc: ticket refresh lease held elsewhere")

// ErrUnitSuperseded is returned by TicketStore.Save when it refuses a unit because a newer one
// is stored, or because a newer lease was granted after the unit's own.
var ErrUnitSuperseded = errors.New("kyc: a newer ticket unit or refresh lease exists in the store")

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
	// token (7200 s, spec A 2.1) and the SIGN ticket (3600 s, spec A 2.2). A fetch never records
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

// MemoryStore is the default TicketStore: one process, no persistence. Share one among the
// clients of a process that use the same appId.
type MemoryStore struct {
	mu     sync.Mutex
	units  map[string]TicketUnit
	leases map[string]*memoryLease
	fences map[string]uint64 // the last fence granted per appId
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
