package billing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/billing"
	"github.com/kycgo/kyc/kyctest"
)

// newCloudPair is a kyctest server and a client pointed at it (srv.ClientOptions: its URL,
// clock and API 3.0 keys), with quick retries.
func newCloudPair(t testing.TB, srvOpts []kyctest.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond))...)
	require.NoError(t, err)
	return srv, c
}

// cloudExample is newCloudPair for examples, which have no testing.TB.
func cloudExample() (*kyctest.Server, *kyc.Client) {
	srv := kyctest.NewServer()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	return srv, c
}

// sweeper is a sweeper over store that tells ages by the server's clock, as the client does.
func sweeper(srv *kyctest.Server, c *kyc.Client, store billing.TokenStore) *billing.Sweeper {
	sw := billing.NewSweeper(c, store)
	sw.Clock = srv.Clock
	return sw
}

// Invented identity for the WeChat journeys.
const (
	cloudName   = "测试用户"
	cloudIDCard = "KYCTEST0000000001"
)
