// Package redisstore is a kyc.TicketStore on Redis, for partner backends whose instances run on
// several hosts and share one appId. It is its own module, so that the kyc module does not
// depend on a Redis client.
//
// Every instance that uses an appId must share one access token and SIGN ticket: a token fetch
// leaves the previous token about one more minute of life (spec A 2.1). With this store exactly
// one instance refreshes at a time, under a lease, and the others adopt what it saved:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis.internal:6379", Password: pw})
//	c, err := kyc.New(appID, secret, kyc.WithTicketStore(redisstore.New(rdb)))
//
// Keys, for appId A under the default prefix "kyc:" (the braces keep them in one cluster slot):
//
//   - kyc:{A}:unit, the unit as JSON, with a time to live equal to its lifetime (expire_in);
//   - kyc:{A}:lease, the refresh lease, taken with SET NX PX; its value is the holder's fence;
//   - kyc:{A}:fence, a counter that grows with every lease: the fencing token.
//
// The client stamps the fence of its lease on the unit it fetched, and Save, a WATCH
// transaction, refuses a unit whose fence is lower than the last one granted: a refresher that
// stalled past its lease cannot overwrite what its successor saved. A lease is released only by
// its holder (a script compares the fence before deleting), and a holder that dies loses it when
// its time runs out.
//
// The unit holds an access token and a ticket: keep Redis private (AUTH, TLS, no shared
// database). Nothing here logs, and no error carries a stored value.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kycgo/kyc"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "kyc:"

// Store is a kyc.TicketStore on Redis. It is safe for concurrent use; create one per Redis
// client and share it.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// Option configures New.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default "kyc:"), e.g. to keep environments apart in
// one Redis.
func WithPrefix(prefix string) Option {
	return func(s *Store) { s.prefix = prefix }
}

// New returns a store on rdb (a *redis.Client, *redis.ClusterClient or failover client).
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb, prefix: DefaultPrefix}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

type keys struct{ unit, lease, fence string }

func (s *Store) keys(appID string) keys {
	base := s.prefix + "{" + appID + "}:"
	return keys{unit: base + "unit", lease: base + "lease", fence: base + "fence"}
}

// checkAppID refuses appIds that could not be kyc appIds (they go into key names).
func checkAppID(appID string) error {
	if appID == "" || len(appID) > 32 {
		return fmt.Errorf("redisstore: %w: appId must be 1 to 32 letters and digits", kyc.ErrInvalidInput)
	}
	for i := 0; i < len(appID); i++ {
		c := appID[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Errorf("redisstore: %w: appId must be 1 to 32 letters and digits", kyc.ErrInvalidInput)
		}
	}
	return nil
}

// Load implements kyc.TicketStore.
func (s *Store) Load(ctx context.Context, appID string) (*kyc.TicketUnit, error) {
	if err := checkAppID(appID); err != nil {
		return nil, err
	}
	raw, err := s.rdb.Get(ctx, s.keys(appID).unit).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: loading tickets of %s: %w", appID, err)
	}
	u, ok := decode(raw, appID)
	if !ok {
		return nil, fmt.Errorf("redisstore: the value stored for %s is not a ticket unit (%d bytes)", appID, len(raw))
	}
	return u, nil
}

// decode reads a stored unit. It never returns the decoder's error, which may quote the value.
func decode(raw []byte, appID string) (*kyc.TicketUnit, bool) {
	var u kyc.TicketUnit
	if json.Unmarshal(raw, &u) != nil || u.AppID != appID || u.AccessToken == "" || u.SignTicket == "" {
		return nil, false
	}
	return &u, true
}

// saveRetries bounds how often Save starts over when another writer changed the keys between
// its read and its write.
const saveRetries = 10

// Save implements kyc.TicketStore. The key lives as long as the unit: from its fetch to the
// expiry of the first of the token and the ticket.
func (s *Store) Save(ctx context.Context, u *kyc.TicketUnit) error {
	if u == nil {
		return fmt.Errorf("redisstore: %w: nil ticket unit", kyc.ErrInvalidInput)
	}
	if err := checkAppID(u.AppID); err != nil {
		return err
	}
	if u.AccessToken == "" || u.SignTicket == "" {
		return fmt.Errorf("redisstore: %w: a ticket unit needs an access token and a SIGN ticket", kyc.ErrInvalidInput)
	}
	data, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("redisstore: encoding the unit of %s: %w", u.AppID, err)
	}
	ttl := max(u.ExpiresAt().Sub(u.FetchedAt), time.Second)
	k := s.keys(u.AppID)
	for range saveRetries {
		err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			var stored *kyc.TicketUnit
			raw, err := tx.Get(ctx, k.unit).Bytes()
			switch {
			case err == nil:
				stored, _ = decode(raw, u.AppID) // an unreadable value is replaced
			case !errors.Is(err, redis.Nil):
				return err
			}
			granted, err := tx.Get(ctx, k.fence).Uint64()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			if err := kyc.CheckSave(stored, u, granted); err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, k.unit, data, ttl)
				return nil
			})
			return err
		}, k.unit, k.fence)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kyc.ErrUnitSuperseded):
		return err
	}
	return fmt.Errorf("redisstore: saving tickets of %s: %w", u.AppID, err)
}

// leaseScript takes the lease if it is free and returns its fence, or 0. The fence never goes
// back, even if the counter was evicted while a unit saved under a higher fence remains.
var leaseScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local f = redis.call('INCR', KEYS[2])
local raw = redis.call('GET', KEYS[3])
if raw then
  local ok, u = pcall(cjson.decode, raw)
  if ok and type(u) == 'table' and tonumber(u.fence) and tonumber(u.fence) >= f then
    f = tonumber(u.fence) + 1
    redis.call('SET', KEYS[2], f)
  end
end
redis.call('SET', KEYS[1], f, 'NX', 'PX', ARGV[1])
return f
`)

// releaseScript deletes the lease only if it still holds the caller's fence.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// Lease implements kyc.TicketStore. The lease's time is kept by Redis.
func (s *Store) Lease(ctx context.Context, appID string, ttl time.Duration) (kyc.Lease, error) {
	if err := checkAppID(appID); err != nil {
		return nil, err
	}
	if ttl < time.Millisecond {
		return nil, fmt.Errorf("redisstore: %w: lease time must be at least 1 ms", kyc.ErrInvalidInput)
	}
	k := s.keys(appID)
	fence, err := leaseScript.Run(ctx, s.rdb, []string{k.lease, k.fence, k.unit}, ttl.Milliseconds()).Int64()
	if err != nil {
		return nil, fmt.Errorf("redisstore: leasing tickets of %s: %w", appID, err)
	}
	if fence <= 0 {
		return nil, kyc.ErrLeaseHeld
	}
	return &lease{s: s, appID: appID, key: k.lease, fence: uint64(fence)}, nil
}

type lease struct {
	s     *Store
	appID string
	key   string
	fence uint64
}

// Fence implements kyc.FencedLease.
func (l *lease) Fence() uint64 { return l.fence }

// Release implements kyc.Lease: it never deletes a successor's lease.
func (l *lease) Release(ctx context.Context) error {
	if err := releaseScript.Run(ctx, l.s.rdb, []string{l.key}, strconv.FormatUint(l.fence, 10)).Err(); err != nil {
		return fmt.Errorf("redisstore: releasing the lease of %s: %w", l.appID, err)
	}
	return nil
}
