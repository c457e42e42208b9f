package kyc_test

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// signedCallback returns the callback query the service's result page would append, signed with
// ticket: mobile face (faceId, newSignature, liveRate), PC face (h5faceId, newSign) or will
// (faceCode, willCode, h5faceId, newSignature, liveRate).
func signedCallback(kind, appID, ticket, orderNo, code string) url.Values {
	sig := kyc.Sign(ticket, appID, orderNo, code)
	switch kind {
	case "pc":
		return url.Values{"code": {code}, "orderNo": {orderNo}, "h5faceId": {"h5face0001"}, "newSign": {sig}}
	case "will":
		return url.Values{"code": {code}, "faceCode": {"0"}, "willCode": {code}, "orderNo": {orderNo},
			"h5faceId": {"h5face0001"}, "newSignature": {sig}, "liveRate": {"99"}}
	}
	return url.Values{"code": {code}, "orderNo": {orderNo}, "faceId": {"face0001"}, "newSignature": {sig}, "liveRate": {"99"}}
}

func verifyAs(ctx context.Context, c *kyc.Client, kind string, q url.Values) (*kyc.Callback, error) {
	if kind == "will" {
		return c.Will.VerifyCallback(ctx, q)
	}
	return c.Face.VerifyCallback(ctx, q)
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// A callback in which a signed or outcome field appears twice is refused before any ticket is
// used: we would verify the first value while a framework in front of the partner may read the
// last one. So are two signature fields, and both faceId and h5faceId.
func TestCallbackRefusesParameterPollution(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	orderNo := newOrderNo()
	// A fresh client holds no ticket yet: a refused callback must not make it fetch one.
	for _, kind := range []string{"mobile", "pc", "will"} {
		base := signedCallback(kind, srv.AppID, "no-ticket-is-used", orderNo, "0")
		fields := []string{"code", "orderNo", "newSignature", "newSign", "faceId", "h5faceId", "liveRate", "faceCode", "willCode"}
		for _, f := range fields {
			for _, second := range []string{"66660015", "0", ""} {
				q := cloneValues(base)
				first := q.Get(f)
				if first == "" {
					first = "0"
				}
				q[f] = []string{first, second}
				_, err := verifyAs(ctx, c, kind, q)
				require.ErrorIs(t, err, kyc.ErrInvalidSignature, "%s: %s twice", kind, f)
				require.Contains(t, err.Error(), f)
				require.NotContains(t, err.Error(), base.Get("newSignature")+base.Get("newSign"))
			}
		}
	}
	both := signedCallback("mobile", srv.AppID, "t", orderNo, "0")
	both.Set("newSign", both.Get("newSignature"))
	_, err := c.Face.VerifyCallback(ctx, both)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature, "newSignature and newSign")
	both = signedCallback("mobile", srv.AppID, "t", orderNo, "0")
	both.Set("h5faceId", "h5face0002")
	_, err = c.Face.VerifyCallback(ctx, both)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature, "faceId and h5faceId")
	require.Equal(t, 0, srv.TotalRequests(), "refused before any ticket is fetched")

	// The same callbacks, correctly signed and with every field once, pass; with a field
	// repeated they are refused even though the first values verify.
	tk, err := c.SignTicket(ctx)
	require.NoError(t, err)
	for _, kind := range []string{"mobile", "pc", "will"} {
		good := signedCallback(kind, srv.AppID, tk, orderNo, "66660015")
		_, err := verifyAs(ctx, c, kind, good)
		require.NoError(t, err, kind)
		for f := range good {
			q := cloneValues(good)
			q[f] = append(q[f], "0")
			_, err := verifyAs(ctx, c, kind, q)
			require.ErrorIs(t, err, kyc.ErrInvalidSignature, "%s: %s twice", kind, f)
		}
	}
	good := signedCallback("mobile", srv.AppID, tk, orderNo, "0")
	both = cloneValues(good)
	both.Set("newSign", good.Get("newSignature"))
	_, err = c.Face.VerifyCallback(ctx, both)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature, "both signature fields, each valid")
	both = cloneValues(good)
	both.Set("h5faceId", "h5face0002")
	_, err = c.Face.VerifyCallback(ctx, both)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature, "both faceId and h5faceId")
}

// A SIGN ticket a refresh replaced verifies callbacks for 2 minutes after the replacement, not
// until its own expiry; lower-case signatures count the same on mobile and PC.
func TestPreviousTicketWindowIsTwoMinutes(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	old, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.NoError(t, c.RefreshTickets(ctx))
	orderNo := newOrderNo()
	lower := func(q url.Values) url.Values {
		q = cloneValues(q)
		for _, f := range []string{"newSignature", "newSign"} {
			if q.Has(f) {
				q.Set(f, strings.ToLower(q.Get(f)))
			}
		}
		return q
	}

	srv.Clock.Advance(time.Minute + 59*time.Second)
	for _, kind := range []string{"mobile", "pc", "will"} {
		q := signedCallback(kind, srv.AppID, old, orderNo, "0")
		for _, q := range []url.Values{q, lower(q)} {
			got, err := verifyAs(ctx, c, kind, q)
			require.NoError(t, err, "%s at 1m59s", kind)
			require.True(t, got.PreviousTicket)
		}
	}

	srv.Clock.Advance(2 * time.Second) // 2m01s after the replacement; the old ticket's own life has 58 minutes left
	for _, kind := range []string{"mobile", "pc", "will"} {
		q := signedCallback(kind, srv.AppID, old, orderNo, "0")
		for _, q := range []url.Values{q, lower(q)} {
			_, err := verifyAs(ctx, c, kind, q)
			require.ErrorIs(t, err, kyc.ErrInvalidSignature, "%s at 2m01s", kind)
		}
	}
	// The current ticket still verifies.
	cur, err := c.SignTicket(ctx)
	require.NoError(t, err)
	_, err = c.Face.VerifyCallback(ctx, lower(signedCallback("pc", srv.AppID, cur, orderNo, "0")))
	require.NoError(t, err)
}

// A previous SIGN ticket that has expired no longer verifies, even inside the 2-minute window.
func TestExpiredPreviousTicketRefused(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	first, err := c.Tickets(ctx)
	require.NoError(t, err)
	// No call until 30 s before the ticket's expiry: the next call must wait for a new unit,
	// which replaces the first one 30 s before it expires.
	srv.Clock.Advance(first.ExpiresAt().Sub(srv.Clock.Now()) - 30*time.Second)
	second, err := c.SignTicket(ctx)
	require.NoError(t, err)
	require.NotEqual(t, first.SignTicket, second)
	orderNo := newOrderNo()
	q := signedCallback("mobile", srv.AppID, first.SignTicket, orderNo, "0")
	got, err := c.Face.VerifyCallback(ctx, q)
	require.NoError(t, err, "before its expiry the replaced ticket still counts")
	require.True(t, got.PreviousTicket)

	srv.Clock.Advance(45 * time.Second) // 15 s past its expiry, 45 s into the window
	_, err = c.Face.VerifyCallback(ctx, q)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
}

// countingStore counts Loads and can make them hang until the caller gives up.
type countingStore struct {
	kyc.TicketStore
	loads atomic.Int32
	hang  atomic.Bool
}

func (s *countingStore) Load(ctx context.Context, appID string) (*kyc.TicketUnit, error) {
	s.loads.Add(1)
	if s.hang.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.TicketStore.Load(ctx, appID)
}

// Two instances share a store; A refreshes and the service signs the next callback with A's new
// ticket. B has not re-read the store yet: it re-reads it once, adopts A's unit and accepts the
// callback. A ticket the store never held is still refused.
func TestFleetVerifiesEachOthersCallbacks(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) kyc.TicketStore{
		"memory": func(*testing.T) kyc.TicketStore { return kyc.NewMemoryStore() },
		"file": func(t *testing.T) kyc.TicketStore {
			s, err := kyc.NewFileStore(t.TempDir())
			require.NoError(t, err)
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := kyctest.NewServer()
			t.Cleanup(srv.Close)
			backing := open(t)
			mk := func(store kyc.TicketStore) *kyc.Client {
				// Store re-reads 50 s apart and a clock that does not move that far: B learns of
				// A's refresh only through the callback.
				c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
					kyc.WithTicketStore(store), kyc.WithStoreRecheck(50*time.Second))
				require.NoError(t, err)
				return c
			}
			bStore := &countingStore{TicketStore: backing}
			a, b := mk(backing), mk(bStore)
			ctx := context.Background()
			t1, err := a.SignTicket(ctx)
			require.NoError(t, err)
			tb, err := b.SignTicket(ctx)
			require.NoError(t, err)
			require.Equal(t, t1, tb)

			require.NoError(t, a.RefreshTickets(ctx))
			t2, err := a.SignTicket(ctx)
			require.NoError(t, err)
			newest := srv.CurrentSignTickets(srv.AppID)[0]
			require.Equal(t, t2, newest, "the service signs with A's new ticket")

			orderNo := newOrderNo()
			loads := bStore.loads.Load()
			got, err := b.Face.VerifyCallback(ctx, signedCallback("mobile", srv.AppID, newest, orderNo, "0"))
			require.NoError(t, err)
			require.False(t, got.PreviousTicket)
			require.Equal(t, loads+1, bStore.loads.Load(), "one store re-read")
			tb, err = b.SignTicket(ctx)
			require.NoError(t, err)
			require.Equal(t, t2, tb, "B adopted A's unit")
			require.Equal(t, 2, srv.Requests(kyctest.EndpointAccessToken), "adopted, not fetched")
			// B's old ticket now counts as its previous one.
			got, err = b.Will.VerifyCallback(ctx, signedCallback("will", srv.AppID, t1, orderNo, "0"))
			require.NoError(t, err)
			require.True(t, got.PreviousTicket)

			// A ticket the store never held: refused by both, after one re-read each.
			srv.ReplaceToken(srv.AppID)
			stranger := srv.CurrentSignTickets(srv.AppID)[0]
			for _, c := range []*kyc.Client{a, b} {
				_, err := c.Face.VerifyCallback(ctx, signedCallback("pc", srv.AppID, stranger, orderNo, "0"))
				require.ErrorIs(t, err, kyc.ErrInvalidSignature)
			}

			// A store that does not answer: the re-read ends with the caller's context and the
			// callback is refused.
			bStore.hang.Store(true)
			cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			_, err = b.Face.VerifyCallback(cctx, signedCallback("mobile", srv.AppID, stranger, orderNo, "0"))
			require.ErrorIs(t, err, kyc.ErrInvalidSignature)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			bStore.hang.Store(false)
		})
	}
}

// In a fleet the 2-minute window counts from the replacement anywhere in the fleet: an instance
// that has not read the store since another one refreshed must not take its old ticket, replaced
// 3 minutes ago, as current.
func TestFleetPreviousTicketWindowCountsFromTheReplacement(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	store := kyc.NewMemoryStore()
	mk := func() *kyc.Client {
		c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithTicketStore(store))
		require.NoError(t, err)
		return c
	}
	a, b := mk(), mk()
	ctx := context.Background()
	t1, err := a.SignTicket(ctx)
	require.NoError(t, err)
	_, err = b.SignTicket(ctx)
	require.NoError(t, err)
	require.NoError(t, a.RefreshTickets(ctx))
	t2, err := a.SignTicket(ctx)
	require.NoError(t, err)
	orderNo := newOrderNo()

	// b makes no call for 90 s: t1 is its current ticket, but it was replaced 90 s ago.
	srv.Clock.Advance(90 * time.Second)
	got, err := b.Face.VerifyCallback(ctx, signedCallback("mobile", srv.AppID, t1, orderNo, "0"))
	require.NoError(t, err)
	require.True(t, got.PreviousTicket, "b learnt of the replacement from the store")
	srv.Clock.Advance(90 * time.Second) // 3 minutes after the replacement
	_, err = b.Face.VerifyCallback(ctx, signedCallback("mobile", srv.AppID, t1, orderNo, "0"))
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
	got, err = b.Face.VerifyCallback(ctx, signedCallback("mobile", srv.AppID, t2, orderNo, "0"))
	require.NoError(t, err)
	require.False(t, got.PreviousTicket)

	// The same with an instance that sleeps through the whole window.
	c := mk()
	_, err = c.SignTicket(ctx)
	require.NoError(t, err)
	require.NoError(t, a.RefreshTickets(ctx))
	srv.Clock.Advance(3 * time.Minute)
	_, err = c.Face.VerifyCallback(ctx, signedCallback("pc", srv.AppID, t2, orderNo, "0"))
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)
}
