package kyc_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Tests added where a planted bug survived the suite, or where an important rule was guarded by
// a single test. Each names the rule it guards.

// TestNFCQueryLimitAnswerIsNotResent: 66664003 (the reqId's ten queries are used up) cannot
// recover within the reqId's life, so the client sends it once, even with retries enabled.
func TestNFCQueryLimitAnswerIsNotResent(t *testing.T) {
	srv, c := newNFCPair(t, kyc.WithRetry(3, time.Millisecond, time.Millisecond))
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyc.EndpointNFCResult, Code: "66664003"})
	_, err := c.NFC.QueryResult(context.Background(), kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	require.Equal(t, 1, srv.Requests(kyc.EndpointNFCResult))

	// A busy answer on the same call is resent (the control).
	srv.ClearFaults()
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyc.EndpointNFCResult, Code: "66664006", Times: 1})
	_, err = c.NFC.QueryResult(context.Background(), kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err)
	require.Equal(t, 2, srv.Requests(kyc.EndpointNFCResult))
}
