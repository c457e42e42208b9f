package kyc_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// TestCallCloudRefusesLocally: a bad action name, a request that is not a JSON object and a
// response that is not a pointer are *InputError, and nothing is sent.
func TestCallCloudRefusesLocally(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()
	var out map[string]any
	for _, tc := range []struct {
		field, action string
		req, resp     any
	}{
		{"action", "", nil, nil},
		{"action", "mobileStatus", nil, nil},
		{"action", "Mobile-Status", nil, nil},
		{"action", "Mobile Status", nil, nil},
		{"action", "MobileStatus\n", nil, nil},
		{"action", "É", nil, nil},
		{"action", "A" + strings.Repeat("b", 64), nil, nil},
		{"request", "MobileStatus", "Mobile=1", nil},
		{"request", "MobileStatus", []int{1}, nil},
		{"request", "MobileStatus", json.RawMessage(`[1]`), nil},
		{"request", "MobileStatus", []byte(`{"Mobile":`), nil},
		{"request", "MobileStatus", map[int]string{1: "x"}, nil},
		{"response", "MobileStatus", nil, out},
		{"response", "MobileStatus", nil, (*map[string]any)(nil)},
	} {
		err := c.CallCloud(ctx, tc.action, tc.req, tc.resp)
		var ie *kyc.InputError
		require.ErrorAs(t, err, &ie, "%q %v", tc.action, tc.req)
		require.Equal(t, tc.field, ie.Field)
	}
	require.Zero(t, srv.TotalRequests())
	// 64 characters is allowed.
	err := c.CallCloud(ctx, "A"+strings.Repeat("b", 63), nil, nil)
	require.Equal(t, "InvalidAction", apiErr(t, err).Code)
}

// TestCallCloudDecodesTheResponse: structs, maps, raw JSON and nil; the request as a struct, a
// map, raw JSON or nil ({}).
func TestCallCloudDecodesTheResponse(t *testing.T) {
	_, c := newCloudPair(t, nil)
	ctx := context.Background()

	var typed struct {
		Result     string
		StatusCode int64
		RequestID  string `json:"RequestId"`
	}
	require.NoError(t, c.CallCloud(ctx, "MobileStatus", struct {
		Mobile string `json:"Mobile"`
	}{"13800000000"}, &typed))
	require.Equal(t, "0", typed.Result)
	require.NotEmpty(t, typed.RequestID)

	var m map[string]any
	require.NoError(t, c.CallCloud(ctx, "MobileStatus", map[string]string{"Mobile": "13800000000"}, &m))
	require.Equal(t, "0", m["Result"])
	require.NotContains(t, m, "Response", "the envelope is removed")

	var raw json.RawMessage
	require.NoError(t, c.CallCloud(ctx, "MobileStatus", json.RawMessage(` {"Mobile":"13800000000"} `), &raw))
	require.Contains(t, string(raw), `"StatusCode":0`)
	require.NoError(t, c.CallCloud(ctx, "MobileStatus", []byte(`{"Mobile":"13800000000"}`), nil))

	// nil sends {}: the service then misses its parameter.
	for _, req := range []any{nil, (*struct{})(nil), map[string]any(nil), json.RawMessage(nil)} {
		err := c.CallCloud(ctx, "MobileStatus", req, nil)
		ae := apiErr(t, err)
		require.Equal(t, "MissingParameter", ae.Code, "%#v", req)
		require.NotEmpty(t, ae.RequestID)
		require.Equal(t, "MobileStatus", ae.Op)
	}
}

// TestCallCloudRetries: read-only queries are resent after a retryable answer; every other
// action, an unknown one included, is sent once (it may bill).
func TestCallCloudRetries(t *testing.T) {
	srv, c := newCloudPair(t, nil)
	ctx := context.Background()

	srv.Fail(kyctest.Fault{Endpoint: "CheckEidTokenStatus", Code: "InternalError", Times: 2})
	err := c.CallCloud(ctx, "CheckEidTokenStatus", map[string]string{"EidToken": "NOSUCHTOKEN"}, nil)
	require.Equal(t, "InvalidParameterValue.BizTokenIllegal", apiErr(t, err).Code)
	require.Equal(t, 3, srv.Requests("CheckEidTokenStatus"), "a read-only query is resent")

	for _, action := range []string{"MobileStatus", "GetFaceIdToken", "SomeFutureAction"} {
		srv.ResetCounts()
		srv.ClearFaults()
		srv.Fail(kyctest.Fault{Code: "InternalError", Times: 1})
		err = c.CallCloud(ctx, action, map[string]string{"Mobile": "13800000000"}, nil)
		require.Equal(t, "InternalError", apiErr(t, err).Code, action)
		require.Equal(t, 1, srv.TotalRequests(), "%s may bill: sent once", action)
	}
}
