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
// (spec B 3.3, 4). Its signature covers only appId, orderNo and code (SignedFields); FaceID and
// LiveRate arrive unsigned and may have been changed (UnsignedFields). Code "0" says the journey
// passed, but a browser can replay a callback: confirm with the result query before acting on it.
type Callback struct {
	Code     string
	OrderNo  string
	FaceID   string // faceId or h5faceId, unsigned
	LiveRate string // unsigned; absent on PC
	// FaceCode and WillCode are the will callback's face and spoken-answer result codes
	// (spec C 5.5); unsigned, absent from face callbacks.
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
// match the current or the previous SIGN ticket; the comparison is constant-time.
func (s *FaceService) VerifyCallback(ctx context.Context, q url.Values) (*Callback, error) {
	return s.c.verifyCallback(ctx, s.c.primary, EndpointH5Callback, q)
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

// verifyCallback checks a callback signed per the signer-table row endpoint.
func (c *Client) verifyCallback(ctx context.Context, app *appTickets, endpoint string, q url.Values) (*Callback, error) {
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
	u, err := app.get(ctx)
	if err != nil {
		return nil, err
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
	switch {
	case match(u.SignTicket):
	case prevUsable(app, c.clock) && match(app.prev.Load().SignTicket):
		cb.PreviousTicket = true
	default:
		return nil, fmt.Errorf("kyc: callback for order %s: %w: signature does not match", orderNo, ErrInvalidSignature)
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

// prevUsable reports whether the previous unit's SIGN ticket has not expired: an older signature
// is refused.
func prevUsable(app *appTickets, clock Clock) bool {
	p := app.prev.Load()
	return p != nil && clock.Now().Before(p.ExpiresAt())
}
