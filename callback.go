package kyc

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Callback is a checked H5 callback: the browser's return to the partner's url with the outcome
// (docs/B-h5-wechat-billing.md §3.3, §4). Its signature covers only appId, orderNo and code (SignedFields); FaceID and
// LiveRate arrive unsigned and may have been changed (UnsignedFields). Code "0" says the journey
// passed, but a browser can replay a callback: confirm with the result query before acting on it.
type Callback struct {
	Code     string
	OrderNo  string
	FaceID   string // faceId or h5faceId, unsigned
	LiveRate string // unsigned; absent on PC
	// FaceCode and WillCode are the will callback's face and spoken-answer result codes
	// (docs/C-ocr-will-nfc-eid.md §5.5); unsigned, absent from face callbacks.
	FaceCode string
	WillCode string
	// SignedFields are the wire fields the signature covers; UnsignedFields the other outcome
	// fields present in the callback.
	SignedFields   []string
	UnsignedFields []string
	// PreviousTicket is true when the signature matched the SIGN ticket that the current one
	// replaced (a rotation fell between login and callback).
	PreviousTicket bool
}

// Passed reports code "0". Confirm with the result query before relying on it.
func (cb *Callback) Passed() bool { return cb.Code == "0" }

// VerifyCallback checks a face H5 callback's query values: mobile (code, orderNo, faceId or
// h5faceId, newSignature, liveRate) or PC (code, orderNo, h5faceId, newSign). The signature must
// match the current SIGN ticket, or the one it replaced for 2 minutes after the replacement; the
// comparison is constant-time. With a shared TicketStore, a signature that matches neither makes
// the client re-read the store once (another instance may have refreshed) before refusing. A
// callback that repeats any of these fields, or carries both newSignature and newSign (or both
// faceId and h5faceId), is refused with ErrInvalidSignature before any ticket is used.
func (s *FaceService) VerifyCallback(ctx context.Context, q url.Values) (*Callback, error) {
	return s.c.verifyCallback(ctx, s.c.primary, endpointH5Callback, q)
}

// VerifyCallbackRequest is VerifyCallback on the request the browser made to the callback url.
func (s *FaceService) VerifyCallbackRequest(ctx context.Context, r *http.Request) (*Callback, error) {
	if r == nil || r.URL == nil {
		return nil, invalidInput("request", "must not be nil")
	}
	return s.VerifyCallback(ctx, r.URL.Query())
}

// callbackOutcomeFields are the fields a callback may carry besides the signature.
var callbackOutcomeFields = []string{"code", "orderNo", "faceId", "h5faceId", "liveRate", "faceCode", "willCode"}

// callbackSingleFields may appear at most once in a callback: the signed fields, the signature
// and the outcome fields. Were one repeated, we would verify the first value while a proxy or
// framework in front of the partner's code may act on the last (parameter pollution).
var callbackSingleFields = []string{"code", "orderNo", "newSignature", "newSign", "faceId", "h5faceId", "liveRate", "faceCode", "willCode"}

// checkCallbackShape refuses a polluted callback before any ticket is used. It names the field,
// never a value.
func checkCallbackShape(q url.Values) error {
	for _, f := range callbackSingleFields {
		if len(q[f]) > 1 {
			return fmt.Errorf("kyc: callback: %w: %s appears more than once", ErrInvalidSignature, f)
		}
	}
	// Mobile signs into newSignature, PC into newSign; the service never sends both. Nor does
	// it send both faceId (mobile Plus) and h5faceId (the others): refusing them fails safe
	// when one reader takes one and another the other.
	if q.Has("newSignature") && q.Has("newSign") {
		return fmt.Errorf("kyc: callback: %w: both newSignature and newSign present", ErrInvalidSignature)
	}
	if q.Has("faceId") && q.Has("h5faceId") {
		return fmt.Errorf("kyc: callback: %w: both faceId and h5faceId present", ErrInvalidSignature)
	}
	return nil
}

// verifyCallback checks a callback signed per the signer-table row endpoint.
func (c *Client) verifyCallback(ctx context.Context, app *appTickets, endpoint string, q url.Values) (*Callback, error) {
	if err := checkCallbackShape(q); err != nil {
		return nil, err
	}
	sig := q.Get("newSignature")
	if sig == "" {
		sig = q.Get("newSign")
	}
	code, orderNo := q.Get("code"), q.Get("orderNo")
	switch {
	case code == "":
		return nil, invalidInput("code", "missing from the callback")
	case orderNo == "":
		return nil, invalidInput("orderNo", "missing from the callback")
	case sig == "":
		return nil, fmt.Errorf("kyc: callback: %w: no newSignature or newSign", ErrInvalidSignature)
	case len(sig) != 40:
		return nil, fmt.Errorf("kyc: callback: %w: signature is not 40 hex characters", ErrInvalidSignature)
	}
	if err := checkOrderNo(orderNo); err != nil {
		return nil, err
	}
	// With a shared store, our unit may have been replaced by another instance since we last
	// read the store; if that read is older than the re-read interval, read it now, so that a
	// ticket replaced elsewhere more than prevTicketWindow ago is not taken as current. This
	// costs one store read per interval, not per callback.
	due := c.sharedStore && c.clock.Now().UnixNano() >= app.nextCheck.Load()
	u, err := app.get(ctx)
	if err != nil {
		return nil, err
	}
	if due {
		nu, err := app.recheckForCallback(ctx)
		if err != nil {
			return nil, fmt.Errorf("kyc: callback for order %s: %w: ticket store not re-read (%w)", orderNo, ErrInvalidSignature, bare(err))
		}
		if nu != nil {
			u = nu
		}
	}
	rule := mustRule(endpoint)
	values := params{{"appId", app.appID}, {"orderNo", orderNo}, {"code", code}}
	for _, f := range rule.Fields {
		if _, ok := values.get(f); !ok && f != "appId" {
			values.set(f, q.Get(f))
		}
	}
	got := []byte(strings.ToUpper(sig))
	match := func(ticket string) bool {
		want := rule.Sign(ticket, values.get)
		return subtle.ConstantTimeCompare(got, []byte(want)) == 1
	}
	cb := &Callback{Code: code, OrderNo: orderNo, FaceID: q.Get("faceId"), LiveRate: q.Get("liveRate"),
		FaceCode: q.Get("faceCode"), WillCode: q.Get("willCode")}
	if cb.FaceID == "" {
		cb.FaceID = q.Get("h5faceId")
	}
	// check tries the current ticket, then the one it replaced while that one's window lasts.
	check := func(u *cachedUnit) bool {
		switch {
		case match(u.SignTicket):
			return true
		case matchPrev(app, c.clock, match):
			cb.PreviousTicket = true
			return true
		}
		return false
	}
	if !check(u) {
		// Another instance sharing the store may have refreshed, and the service signs with the
		// newest ticket: re-read the store once and try again before refusing. A ticket the
		// store never held still fails.
		nu, err := app.recheckForCallback(ctx)
		if err != nil {
			return nil, fmt.Errorf("kyc: callback for order %s: %w: signature does not match (%w)", orderNo, ErrInvalidSignature, bare(err))
		}
		if nu == nil || !check(nu) {
			return nil, fmt.Errorf("kyc: callback for order %s: %w: signature does not match", orderNo, ErrInvalidSignature)
		}
	}
	cb.SignedFields = append([]string(nil), rule.Fields...)
	for _, f := range callbackOutcomeFields {
		if q.Has(f) && !contains(rule.Fields, f) {
			cb.UnsignedFields = append(cb.UnsignedFields, f)
		}
	}
	return cb, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// matchPrev reports whether the SIGN ticket the current one replaced matches, while it still
// counts: within prevTicketWindow of its replacement and before its own expiry. An older
// signature is refused.
func matchPrev(app *appTickets, clock Clock, match func(ticket string) bool) bool {
	p := app.prev.Load()
	if p == nil {
		return false
	}
	now := clock.Now()
	return now.Before(p.replacedAt.Add(prevTicketWindow)) && now.Before(p.ExpiresAt()) && match(p.SignTicket)
}

// recheckForCallback re-reads a shared store for a callback whose signature matched no ticket
// held here (or when the last read is older than the re-read interval), adopting a newer unit if the store has one, and returns the current unit then (nil
// when there is no shared store: nothing else can have refreshed). Concurrent callbacks share one
// re-read, bounded by callbackRecheckTimeout and by ctx.
func (a *appTickets) recheckForCallback(ctx context.Context) (*cachedUnit, error) {
	if !a.cfg.sharedStore {
		return nil, nil
	}
	ch := a.sf.DoChan("callback-recheck", func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callbackRecheckTimeout)
		defer cancel()
		u, _ := a.adoptFromStore(rctx)
		a.nextCheck.Store(a.cfg.clock.Now().Add(a.cfg.storeRecheck).UnixNano())
		return u, nil
	})
	select {
	case r := <-ch:
		u, _ := r.Val.(*cachedUnit)
		return u, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
