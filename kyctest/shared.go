package kyctest

import (
	"fmt"
	"time"
)

// Rules that several of the server's journeys (face, will, NFC, OCR) apply alike, written once.

// refusal is the code the service answers a SIGN-signed call to endpoint before anything else:
// 66660000 when its fields are not valid, 400101 when its signature does not verify with a live
// SIGN ticket of its app; "" when the call may go on.
func (s *Server) refusal(endpoint string, f map[string]string, valid bool) string {
	if !valid {
		return "66660000"
	}
	if s.verifySignTicket(endpoint, f) != nil {
		return "400101"
	}
	return ""
}

// addOrder stores o under key in orders unless an order of the app already has that orderNo (an
// orderNo is used once); it reports whether it stored o. It takes s.mu.
func addOrder[O any](s *Server, orders map[orderKey]O, key orderKey, o O) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, reused := orders[key]; reused {
		return false
	}
	orders[key] = o
	return true
}

// mediaDue counts a result query that asks for media (want) against WithMediaDelay and reports
// whether the media may be included: the first mediaDelay such queries answer without it.
// Call with s.mu held.
func (s *Server) mediaDue(queries *int, want bool) bool {
	if !want {
		return false
	}
	*queries++
	return *queries > s.cfg.mediaDelay
}

// journey is an order a person's face journey finishes: face and will orders.
type journey interface {
	comparable
	done() bool
	faceIDAlive(now time.Time) bool
}

// live checks that the order found for orderNo (nil when none) can still start or finish its
// journey: it exists, has no outcome yet and its faceId is alive.
func live[O journey](o O, orderNo string, now time.Time) (O, error) {
	var none O
	switch {
	case o == none:
		return none, fmt.Errorf("%w (orderNo %s)", ErrUnknownOrder, orderNo)
	case o.done():
		return none, fmt.Errorf("%w (orderNo %s)", ErrOrderCompleted, orderNo)
	case !o.faceIDAlive(now):
		return none, fmt.Errorf("%w (orderNo %s)", ErrFaceIDExpired, orderNo)
	}
	return o, nil
}

// callbackURL is what CallbackURL and WillCallbackURL share: the outcome must be valid and the
// partner URL absolute; finish then runs with s.mu held at the server's now.
func (s *Server) callbackURL(valid bool, partnerURL string, finish func(now time.Time) (string, error)) (string, error) {
	if !valid {
		return "", ErrUnknownOutcome
	}
	if !absoluteURL(partnerURL) {
		return "", ErrBadPartnerURL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return finish(s.Clock.Now())
}
