package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/fleettest"
	"github.com/kycgo/kyc/redisstore"
)

// Redis Cluster and Sentinel, through redis.UniversalClient, against the real servers that
// .ci/run starts: a one-node cluster holding every slot, and a Sentinel that monitors the plain
// server. The scripts and the WATCH transaction span several keys of one appId: in a cluster
// they work only because those keys share a slot (the {appId} hash tag).

// quietRedis drops go-redis's own log lines (the failover client logs every master lookup).
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

func clusterClient(t testing.TB) redis.UniversalClient {
	addr := needEnv(t, "KYC_REDIS_CLUSTER_ADDR", "the Redis Cluster tests need a cluster node holding all slots: "+
		"set KYC_REDIS_CLUSTER_ADDR (.ci/run starts one)")
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, IsClusterMode: true, MaxRetries: 1,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second})
	_, ok := rdb.(*redis.ClusterClient)
	require.True(t, ok, "a cluster client")
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func sentinelClient(t testing.TB) redis.UniversalClient {
	addr := needEnv(t, "KYC_REDIS_SENTINEL_ADDR", "the Redis Sentinel tests need a Sentinel: set KYC_REDIS_SENTINEL_ADDR "+
		"and KYC_REDIS_SENTINEL_MASTER (.ci/run starts one)")
	master := needEnv(t, "KYC_REDIS_SENTINEL_MASTER", "the Redis Sentinel tests need the master's name in KYC_REDIS_SENTINEL_MASTER")
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, MasterName: master, MaxRetries: 1,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second})
	_, ok := rdb.(*redis.Client) // the failover client is a *redis.Client that asks the Sentinel
	require.True(t, ok, "a failover client")
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// universalPrefix returns a key prefix of t's own, and deletes its keys (on every master) when
// t ends.
func universalPrefix(t testing.TB, open func(testing.TB) redis.UniversalClient) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "kyctest:" + hex.EncodeToString(b[:]) + ":"
	rdb := open(t)
	t.Cleanup(func() {
		ctx := context.Background()
		del := func(ctx context.Context, c *redis.Client) error {
			iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val())
			}
			return iter.Err()
		}
		if cc, ok := rdb.(*redis.ClusterClient); ok {
			_ = cc.ForEachMaster(ctx, del)
		} else if c, ok := rdb.(*redis.Client); ok {
			_ = del(ctx, c)
		}
	})
	return prefix
}

func TestUniversalClients(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) redis.UniversalClient
	}{
		{"cluster", clusterClient},
		{"sentinel", sentinelClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("contract", func(t *testing.T) {
				prefix := fleettest.PerTest(func(t testing.TB) string { return universalPrefix(t, tc.open) })
				fleettest.Contract(t, func(t testing.TB) kyc.TicketStore {
					return redisstore.New(tc.open(t), redisstore.WithPrefix(prefix(t)))
				})
			})
			t.Run("fleet", func(t *testing.T) {
				prefix := universalPrefix(t, tc.open)
				fleettest.Periods(t, fleettest.Config{Clients: 4, Goroutines: 20, Store: func(t testing.TB, _ int) kyc.TicketStore {
					return redisstore.New(tc.open(t), redisstore.WithPrefix(prefix))
				}}, 2)
			})
			t.Run("NFC query cap", func(t *testing.T) {
				prefix := universalPrefix(t, tc.open)
				fleettest.NFCQueryCap(t, func(t testing.TB, _ int) kyc.TicketStore {
					return redisstore.New(tc.open(t), redisstore.WithPrefix(prefix))
				})
			})
		})
	}
}
