package fleettest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// nfcReq makes one NFC read at srv through c and returns its orderNo and reqId.
func nfcReq(t testing.TB, srv *kyctest.Server, c *kyc.Client, orderNo string) string {
	t.Helper()
	ctx := context.Background()
	cert, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: orderNo, UserID: "fleetUser1", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	require.NotEmpty(t, cert.CertID)
	reqID, err := srv.CompleteNFC(orderNo, kyctest.SampleNFCCard())
	require.NoError(t, err)
	return reqID
}

// NFCQueryCap checks that the NFC reqId limit (10 queries within 5 minutes, docs/C-ocr-will-nfc-eid.md §6.1) holds
// for two instances that share a store: together they send at most 10 queries of one reqId,
// one after the other or all at once, and refuse the 11th without sending anything. store
// returns instance i's handle on the shared store, which must be a kyc.QueryCounter.
func NFCQueryCap(t *testing.T, store func(t testing.TB, i int) kyc.TicketStore) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	clients := make([]*kyc.Client, 2)
	for i := range clients {
		s := store(t, i)
		_, ok := s.(kyc.QueryCounter)
		require.True(t, ok, "the store counts queries for the fleet")
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithTicketStore(s), kyc.WithNFCKey(srv.NFCKey()), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond))
		require.NoError(t, err)
		clients[i] = c
	}
	ctx := context.Background()

	t.Run("in turn", func(t *testing.T) {
		orderNo := "fleetNFC1"
		reqID := nfcReq(t, srv, clients[0], orderNo)
		before := srv.Requests(kyctest.EndpointNFCResult)
		for i := range nfcReqIDMaxQueries {
			_, err := clients[i%2].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
			require.NoError(t, err, "query %d", i+1)
		}
		for i := range clients {
			_, err := clients[i].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
			require.ErrorIs(t, err, kyc.ErrRateLimited, "client %d", i)
			require.ErrorContains(t, err, "queried 10 times")
		}
		require.Equal(t, nfcReqIDMaxQueries, srv.Requests(kyctest.EndpointNFCResult)-before, "the 11th is refused locally, by either client")

		// The window too: five minutes after the first query, both refuse a fresh reqId's
		// second query, counted by the other.
		orderNo2 := "fleetNFC2"
		reqID2 := nfcReq(t, srv, clients[1], orderNo2)
		_, err := clients[1].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo2, ReqID: reqID2})
		require.NoError(t, err)
		srv.Clock.Advance(nfcReqIDWindow)
		before = srv.Requests(kyctest.EndpointNFCResult)
		_, err = clients[0].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo2, ReqID: reqID2})
		require.ErrorIs(t, err, kyc.ErrExpired)
		require.Equal(t, before, srv.Requests(kyctest.EndpointNFCResult))
	})

	t.Run("all at once", func(t *testing.T) {
		orderNo := "fleetNFC3"
		reqID := nfcReq(t, srv, clients[0], orderNo)
		before := srv.Requests(kyctest.EndpointNFCResult)
		var mu sync.Mutex
		var ok, refused int
		var other []error
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				_, err := clients[g%2].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, kyc.ErrRateLimited):
					refused++
				default:
					other = append(other, err)
				}
			})
		}
		wg.Wait()
		require.Empty(t, other)
		require.Equal(t, nfcReqIDMaxQueries, ok)
		require.Equal(t, 16-nfcReqIDMaxQueries, refused)
		require.Equal(t, nfcReqIDMaxQueries, srv.Requests(kyctest.EndpointNFCResult)-before)
	})
}

// The NFC reqId's limits (docs/C-ocr-will-nfc-eid.md §9.3: "有效期 5 分钟，最多重复查询 10 次"), which the SDK enforces
// locally and does not export.
const (
	nfcReqIDMaxQueries = 10
	nfcReqIDWindow     = 5 * time.Minute
)
