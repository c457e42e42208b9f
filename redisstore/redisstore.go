// Package redisstore is a kyc.TicketStore on Redis, for partner backends whose instances run on
// several hosts and share one appId. It is its own module, so that the kyc module does not
// depend on a Redis client.
//
// Every instance that uses an appId must share one access token and SIGN ticket: a token fetch
// leaves the previous token about one more minute of life (docs/A-auth-sign-face.md §2.1). With this store exactly
// one instance refreshes at a time, under a lease, and the others adopt what it saved:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis.internal:6379", Password: pw})
//	c, err := kyc.New(appID, secret, kyc.WithTicketStore(redisstore.New(rdb)))
//
// Keys, for appId A under the default prefix "kyc:" (the braces keep them in one cluster slot):
//
//   - kyc:{A}:unit, the unit as JSON, with a time to live equal to its lifetime (expire_in);
//   - kyc:{A}:lease, the refresh lease, taken with SET NX PX; its value is the holder's fence;
//   - kyc:{A}:fence, a counter that grows with every lease: the fencing token;
//   - kyc:{A}:count:K, a hash (n, first, until) per kyc.QueryCounter key K, e.g. the queries of
//     one NFC reqId, which lives as long as the count is kept.
//
// Every key of an appId carries the hash tag {A}, so that the transaction of Save (WATCH on the
// unit and the fence) and the lease script (lease, fence and unit) touch keys of one slot, as
// Redis Cluster requires. New accepts any redis.UniversalClient: a *redis.Client, a
// *redis.ClusterClient (redis.NewClusterClient, or redis.NewUniversalClient with several
// addresses) or a Sentinel failover client (redis.NewFailoverClient, or NewUniversalClient with
// a MasterName), which sends every command to the current master. With Sentinel, a failover
// may lose the writes the old master had not replicated: a lost unit is fetched again, and a
// lost fence counter never goes back (see the lease script); a lost query count lets a reqId be
// queried again, which the service then refuses on its own.
//
// Whatever is stored under these keys is checked before it is served: a value that is not a
// unit (garbage bytes, a key of another type), or a unit of another appId, makes Load return an
// error naming the key's appId and the value's size, never the value; the client then fetches,
// and Save replaces the value. An expired unit is never served by the client, which fetches and
// replaces it.
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

type keys struct{ unit, lease, fence, count string }

func (s *Store) keys(appID string) keys {
	base := s.prefix + "{" + appID + "}:"
	return keys{unit: base + "unit", lease: base + "lease", fence: base + "fence", count: base + "count:"}
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
			case errors.Is(err, redis.Nil), redis.HasErrorPrefix(err, "WRONGTYPE"):
				// Nothing, or a key of another type that this store never wrote: replaced too.
			default:
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
//
// What this store did not write is repaired rather than obeyed: a value under the lease key
// that is not a lease of this store (another type, not a fence, or without a time to live, so
// that it would never end) is replaced, and a fence counter that is not a number is treated as
// lost (as if evicted). Otherwise a planted key would stop every refresh for good.
var leaseScript = redis.NewScript(`
local lt = redis.call('TYPE', KEYS[1])['ok']
if lt == 'string' and redis.call('PTTL', KEYS[1]) >= 0 and tonumber(redis.call('GET', KEYS[1])) then return 0 end
if lt ~= 'none' then redis.call('DEL', KEYS[1]) end
local ft = redis.call('TYPE', KEYS[2])['ok']
if ft ~= 'none' then
  local v = ft == 'string' and redis.call('GET', KEYS[2])
  if not (v and #v <= 18 and string.match(v, '^%d+$')) then redis.call('DEL', KEYS[2]) end
end
local f = redis.call('INCR', KEYS[2])
if redis.call('TYPE', KEYS[3])['ok'] == 'string' then
  local ok, u = pcall(cjson.decode, redis.call('GET', KEYS[3]))
  if ok and type(u) == 'table' and tonumber(u.fence) and tonumber(u.fence) >= f and tonumber(u.fence) < 2^53 then
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

// countScript adds one to the count in the hash KEYS[1] at ARGV[1] (Unix milliseconds of the
// caller's clock), starting it afresh when it has none or its time (until) has passed; a new
// count is kept ARGV[2] milliseconds. It returns the count and the first time. A key of another
// type, or a hash that is not a count, is an error: a count that cannot be read is not reset.
var countScript = redis.NewScript(`
local now, keep = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TYPE', KEYS[1])['ok']
if t ~= 'none' and t ~= 'hash' then return redis.error_reply('not a query count') end
local c = redis.call('HMGET', KEYS[1], 'n', 'first', 'until')
if t == 'hash' and not (tonumber(c[1]) and tonumber(c[2]) and tonumber(c[3])) then
  return redis.error_reply('not a query count')
end
if t == 'none' or now >= tonumber(c[3]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'n', 0, 'first', now, 'until', now + keep)
  redis.call('PEXPIRE', KEYS[1], keep)
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
return {n, redis.call('HGET', KEYS[1], 'first')}
`)

// CountQuery implements kyc.QueryCounter: one script, so that clients on every host see each
// count once. Times are the callers' clocks, to the millisecond; Redis forgets a count keep
// after it started, by its own clock.
func (s *Store) CountQuery(ctx context.Context, appID, key string, now time.Time, keep time.Duration) (int, time.Time, error) {
	if err := checkAppID(appID); err != nil {
		return 0, time.Time{}, err
	}
	if err := checkCountKey(key); err != nil {
		return 0, time.Time{}, err
	}
	if keep < time.Millisecond {
		return 0, time.Time{}, fmt.Errorf("redisstore: %w: a count must be kept at least 1 ms", kyc.ErrInvalidInput)
	}
	res, err := countScript.Run(ctx, s.rdb, []string{s.keys(appID).count + key}, now.UnixMilli(), keep.Milliseconds()).Slice()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: counting queries of %s: %w", appID, err)
	}
	if len(res) != 2 {
		return 0, time.Time{}, fmt.Errorf("redisstore: counting queries of %s: unexpected answer", appID)
	}
	n, ok := res[0].(int64)
	first, ferr := strconv.ParseInt(fmt.Sprint(res[1]), 10, 64)
	if !ok || ferr != nil || n < 1 {
		return 0, time.Time{}, fmt.Errorf("redisstore: counting queries of %s: unexpected answer", appID)
	}
	return int(n), time.UnixMilli(first), nil
}

// checkCountKey refuses a count key that is not 1 to 64 visible ASCII characters.
func checkCountKey(key string) error {
	if key == "" || len(key) > 64 {
		return fmt.Errorf("redisstore: %w: a count key must be 1 to 64 visible ASCII characters", kyc.ErrInvalidInput)
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return fmt.Errorf("redisstore: %w: a count key must be 1 to 64 visible ASCII characters", kyc.ErrInvalidInput)
		}
	}
	return nil
}

var _ kyc.QueryCounter = (*Store)(nil)
