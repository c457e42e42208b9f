package kyc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
)

// Issue 11.2: a failed answer's result is never decoded into what the call returns. A
// stale-ticket answer that carries a result (with a faceId) is followed, after the renewal, by a
// success without one: the upload must fail as a success without a result, never hand on the
// failed answer's faceId.
func TestFailedAnswersResultIsNeverTaken(t *testing.T) {
	ctx := context.Background()
	const orderNo = "order7001"
	stale := kyc1Answer(t, map[string]any{"code": "400101", "msg": "签名验证失败", "result": map[string]any{
		"faceId": "wb04f10695c3651ce155fea7070b74c9", "orderNo": orderNo, "bizSeqNo": "20000000000000000000000000000001"}})
	empty := kyc1Answer(t, map[string]any{"code": "0", "msg": "请求成功", "bizSeqNo": "20000000000000000000000000000002"})
	calls := map[string]func(c *kyc.Client) (*kyc.FaceID, error){
		"face": func(c *kyc.Client) (*kyc.FaceID, error) {
			return c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "user1", Name: testName, IDNo: testIDNo})
		},
		"will": func(c *kyc.Client) (*kyc.FaceID, error) { return c.Will.GetFaceID(ctx, willRequest(orderNo, "user1")) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c, ss := scriptedClient(t, [][]byte{stale, empty})
			res, err := call(c)
			require.ErrorIs(t, err, kyc.ErrBadResponse)
			require.Nil(t, res)
			require.Len(t, ss.requests(), 2, "the stale answer is renewed and resent once")
		})
	}
}
