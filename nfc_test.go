package kyc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/fleettest"
	"github.com/kycgo/kyc/kyctest"
)

// The manual's example NFC key (docs/C-ocr-will-nfc-eid.md §6.5).
const docNFCKey = "7F26724F72D48EBA5AD3848B30B81122"

func newNFCPair(t *testing.T, opts ...kyc.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	return newPairWith(t, []kyctest.Option{kyctest.WithNFCKey(docNFCKey), kyctest.WithMedia(2500, 1000)},
		append([]kyc.Option{kyc.WithNFCKey(docNFCKey)}, opts...)...)
}

func TestNFCInputLimitsSendNothing(t *testing.T) {
	srv, c := newNFCPair(t)
	ctx := context.Background()
	ok := kyc.NFCCertIDRequest{OrderNo: "order001", UserID: "user001", CardType: kyc.NFCIDCard}
	for _, tc := range []struct {
		name  string
		mut   func(*kyc.NFCCertIDRequest)
		field string
	}{
		{"no card type", func(r *kyc.NFCCertIDRequest) { r.CardType = "" }, "nfcType"},
		{"card type 2", func(r *kyc.NFCCertIDRequest) { r.CardType = "2" }, "nfcType"},
		{"bad orderNo", func(r *kyc.NFCCertIDRequest) { r.OrderNo = "o_1" }, "orderNo"},
		{"orderNo over 32", func(r *kyc.NFCCertIDRequest) { r.OrderNo = strings.Repeat("1", 33) }, "orderNo"},
		{"userId over 30", func(r *kyc.NFCCertIDRequest) { r.UserID = strings.Repeat("u", 31) }, "userId"},
		{"userId with a symbol", func(r *kyc.NFCCertIDRequest) { r.UserID = "u.1" }, "userId"},
		{"bad nonce", func(r *kyc.NFCCertIDRequest) {}, "nonce"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.mut(&r)
			var opts []kyc.CallOption
			if tc.name == "bad nonce" {
				opts = append(opts, kyc.WithNonce("x"))
			}
			_, err := c.NFC.GetCertID(ctx, r, opts...)
			var ie *kyc.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
		})
	}
	for name, certID := range map[string]string{"empty": "", "over 40": strings.Repeat("a", 41), "symbol": "ab-cd"} {
		_, err := c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: "order001", UserID: "user001", CertID: certID})
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	_, err := c.NFC.SDKParams(ctx, &kyc.NFCCertID{OrderNo: "order001", UserID: strings.Repeat("u", 31), CertID: "cert001"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	for name, q := range map[string]kyc.NFCQuery{
		"no reqId":         {OrderNo: "order001"},
		"reqId over 40":    {OrderNo: "order001", ReqID: strings.Repeat("r", 41)},
		"reqId with space": {OrderNo: "order001", ReqID: "r 1"},
		"bad orderNo":      {OrderNo: "", ReqID: "r1"},
	} {
		_, err := c.NFC.QueryResult(ctx, q)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
	}
	// Without the key a query would spend one of the reqId's ten queries for nothing.
	_, noKey := newPair(t)
	_, err = noKey.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "order001", ReqID: "r1"})
	var ie *kyc.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "NFC key", ie.Field)
	for _, bad := range []string{"", "7F26", docNFCKey + "00", strings.Repeat("G", 32)} {
		_, err := kyc.New("IDAXXXXX", "secret", kyc.WithNFCKey(bad))
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
	}
	require.Equal(t, 0, srv.TotalRequests(), "nothing may be sent for bad input")
}

// nfcRead runs the upload, the start values and the chip read; it returns the order and reqId.
func nfcRead(t *testing.T, srv *kyctest.Server, c *kyc.Client, typ kyc.NFCCardType) (string, string) {
	t.Helper()
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "nfcUser1"
	cert, err := c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: orderNo, UserID: userID, CardType: typ})
	require.NoError(t, err)
	require.NotEmpty(t, cert.CertID)
	require.Equal(t, orderNo, cert.OrderNo)
	require.Equal(t, userID, cert.UserID)
	start, err := c.NFC.SDKParams(ctx, cert) // GetCertID's value carries its orderNo and userId
	require.NoError(t, err)
	require.Equal(t, "nfc", start.Product)
	require.Equal(t, cert.CertID, start.OCRCertID)
	require.NoError(t, srv.CheckNonceSignature(start.AppID, userID, start.Nonce, start.Sign))
	info, ok := srv.NFCOrder(orderNo)
	require.True(t, ok)
	require.Equal(t, string(typ), info.CardType)
	reqID, err := srv.CompleteNFC(orderNo, kyctest.SampleNFCCard())
	require.NoError(t, err)
	return orderNo, reqID
}

func TestNFCJourney(t *testing.T) {
	srv, c := newNFCPair(t)
	ctx := context.Background()
	sample := kyctest.SampleNFCCard()

	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	res, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err)
	card := res.Card
	require.Equal(t, orderNo, card.OrderNo)
	require.Equal(t, reqID, card.ReqID)
	require.Equal(t, sample.Name, card.Name)
	require.Equal(t, sample.IDNo, card.IDNo)
	require.Equal(t, sample.Nation, card.Nation)
	require.Equal(t, sample.Address, card.Address)
	require.Equal(t, sample.ValidDateBegin, card.ValidDateBegin)
	require.Equal(t, sample.SigningOrganization, card.SigningOrganization)
	require.Empty(t, card.EnName, "the ID card has no English name")
	require.Empty(t, card.PortraitPhoto, "no photos unless asked")
	require.NotEmpty(t, res.BizSeqNo)

	withPhotos, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID, Photos: true})
	require.NoError(t, err)
	for _, p := range []kyc.Media{withPhotos.Card.FrontPhoto, withPhotos.Card.BackPhoto, withPhotos.Card.PortraitPhoto} {
		require.Len(t, p, 2500)
		require.Equal(t, []byte{0xFF, 0xD8, 0xFF}, []byte(p[:3]))
	}

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("nfc", "card", withPhotos.Card)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", card, card, card, card), logged.String()} {
		require.NotContains(t, s, sample.Name)
		require.NotContains(t, s, sample.IDNo)
		require.NotContains(t, s, sample.Address)
	}

	// The Hong Kong and Macau permit: English name, no nation or address, only the portrait.
	orderNo, reqID = nfcRead(t, srv, c, kyc.NFCHKMacauPermit)
	res, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID, Photos: true})
	require.NoError(t, err)
	require.Equal(t, sample.EnName, res.Card.EnName)
	require.Empty(t, res.Card.Nation)
	require.Empty(t, res.Card.Address)
	require.Empty(t, res.Card.FrontPhoto)
	require.NotEmpty(t, res.Card.PortraitPhoto)
}

// The eleventh query of a reqId is refused locally and sends nothing (docs/C-ocr-will-nfc-eid.md §6.1).
func TestNFCReqIDQueryLimit(t *testing.T) {
	srv, c := newNFCPair(t)
	ctx := context.Background()
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	srv.ResetCounts()
	// A busy answer is retried: both requests count against the ten.
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointNFCResult, Code: "999999", Times: 1})
	for i := 0; i < kyc.NFCReqIDMaxQueries-1; i++ {
		_, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
		require.NoError(t, err, "query %d", i+1)
	}
	require.Equal(t, kyc.NFCReqIDMaxQueries, srv.Requests(kyctest.EndpointNFCResult))
	_, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	require.Contains(t, err.Error(), "queried 10 times")
	require.Equal(t, kyc.NFCReqIDMaxQueries, srv.Requests(kyctest.EndpointNFCResult), "the eleventh is not sent")
	info, _ := srv.NFCOrder(orderNo)
	require.Equal(t, kyc.NFCReqIDMaxQueries-1, info.Queries, "the faulted request never reached the handler")

	// Another reqId has its own count.
	orderNo2, reqID2 := nfcRead(t, srv, c, kyc.NFCIDCard)
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo2, ReqID: reqID2})
	require.NoError(t, err)

	// A second client knows nothing of the first's count: the service answers 66664003.
	other, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(docNFCKey),
		kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = other.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err, "the tenth request the service sees")
	_, err = other.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "66664003", ae.Code)
	require.ErrorIs(t, err, kyc.ErrRateLimited)
}

func TestNFCWindowsAndErrors(t *testing.T) {
	srv, c := newNFCPair(t)
	ctx := context.Background()
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	_, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err)
	// Five minutes after the first query the reqId is certainly dead: refused locally.
	srv.Clock.Advance(kyc.NFCReqIDWindow)
	srv.ResetCounts()
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrExpired)
	require.Equal(t, 0, srv.TotalRequests())
	// The service says so too (66664005), to a client that did not see the first query.
	other, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(docNFCKey))
	require.NoError(t, err)
	_, err = other.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrExpired)
	// An unknown reqId.
	_, err = other.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: "rqunknown"})
	require.ErrorIs(t, err, kyc.ErrNoResult)

	// The ocrCertId lives five minutes: no read after that.
	expired := newOrderNo()
	_, err = c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: expired, UserID: "u1", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	srv.Clock.Advance(kyc.NFCCertIDLifetime)
	_, err = srv.CompleteNFC(expired, kyctest.SampleNFCCard())
	require.Error(t, err)

	// A reused orderNo is refused and the upload is not resent. (The other client's token fetch
	// cut this client's token short: renew it first.)
	require.NoError(t, c.RefreshTickets(ctx))
	srv.ResetCounts()
	_, err = c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: expired, UserID: "u1", CardType: kyc.NFCIDCard})
	require.Error(t, err)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointNFCCertID))
}

// A wrong key gives a typed error, never a record of garbage.
func TestNFCWrongKey(t *testing.T) {
	srv, _ := newNFCPair(t)
	ctx := context.Background()
	for _, key := range []string{"00000000000000000000000000000000", strings.ToLower(docNFCKey[:31]) + "0"} {
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(key))
		require.NoError(t, err)
		orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
		res, err := c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID, Photos: true})
		require.ErrorIs(t, err, kyc.ErrDecrypt)
		require.Nil(t, res)
		require.NotContains(t, err.Error(), kyctest.SampleNFCCard().Name)
	}
	// Lower-case hex is the same key.
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(strings.ToLower(srv.NFCKey())))
	require.NoError(t, err)
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	_, err = c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.NoError(t, err)
}

// Clients that share a store share the reqId count (issue 10.14): MemoryStore and FileStore.
func TestNFCQueryCapHoldsAcrossAFleet(t *testing.T) {
	t.Run("MemoryStore", func(t *testing.T) {
		s := kyc.NewMemoryStore()
		fleettest.NFCQueryCap(t, func(testing.TB, int) kyc.TicketStore { return s })
	})
	t.Run("FileStore", func(t *testing.T) {
		dir := t.TempDir()
		fleettest.NFCQueryCap(t, func(t testing.TB, _ int) kyc.TicketStore {
			s, err := kyc.NewFileStore(dir) // a handle per instance, as separate processes have
			require.NoError(t, err)
			return s
		})
	})
}

// ticketsOnly hides every method of a store but the TicketStore ones.
type ticketsOnly struct{ kyc.TicketStore }

// A store that does not count leaves each client to count its own queries; the service refuses
// the fleet's eleventh (66664003), which is final: it is not resent.
func TestNFCQueryCapWithoutACountingStore(t *testing.T) {
	srv := kyctest.NewServer(kyctest.WithNFCKey(docNFCKey))
	t.Cleanup(srv.Close)
	shared := ticketsOnly{kyc.NewMemoryStore()}
	var clients []*kyc.Client
	for range 2 {
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(docNFCKey),
			kyc.WithTicketStore(shared), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond))
		require.NoError(t, err)
		clients = append(clients, c)
	}
	ctx := context.Background()
	orderNo, reqID := nfcRead(t, srv, clients[0], kyc.NFCIDCard)
	srv.ResetCounts()
	for i := range kyc.NFCReqIDMaxQueries {
		_, err := clients[0].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
		require.NoError(t, err, "query %d", i+1)
	}
	_, err := clients[0].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	require.Equal(t, kyc.NFCReqIDMaxQueries, srv.Requests(kyctest.EndpointNFCResult), "refused by the client that counted")

	_, err = clients[1].NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	var ae *kyc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "66664003", ae.Code)
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	require.Equal(t, kyc.NFCReqIDMaxQueries+1, srv.Requests(kyctest.EndpointNFCResult), "66664003 is not resent")
}

// brokenCounter is a store whose query counter fails.
type brokenCounter struct{ kyc.TicketStore }

func (brokenCounter) CountQuery(context.Context, string, string, time.Time, time.Duration) (int, time.Time, error) {
	return 0, time.Time{}, errors.New("kyc: ticket store: counter unavailable")
}

// A query the store cannot count is not sent: it could be the fleet's eleventh.
func TestNFCQueryNotSentWhenTheStoreCannotCount(t *testing.T) {
	srv, c := newNFCPair(t)
	orderNo, reqID := nfcRead(t, srv, c, kyc.NFCIDCard)
	c2, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(docNFCKey),
		kyc.WithTicketStore(brokenCounter{kyc.NewMemoryStore()}))
	require.NoError(t, err)
	srv.ResetCounts()
	_, err = c2.NFC.QueryResult(context.Background(), kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	require.ErrorContains(t, err, "counter unavailable")
	require.ErrorContains(t, err, "not sent")
	require.Zero(t, srv.Requests(kyctest.EndpointNFCResult))
}
