package kyctest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// app is the ticket state of one appId. Every field is guarded by Server.mu.
type app struct {
	id, secret string
	tokens     []*accessToken // oldest first
	signs      []*ticket      // SIGN tickets, oldest first
	nonces     []*ticket      // NONCE tickets, oldest first
}

type accessToken struct {
	value   string
	expires time.Time
	revoked bool
}

// ticket is a SIGN or NONCE ticket. It dies with the token it was minted under (docs/A-auth-sign-face.md §2.2,
// manual L2785 and L2842).
type ticket struct {
	value   string
	expires time.Time
	token   *accessToken
	userID  string // NONCE only
	used    bool   // NONCE only: single use
}

func (t *accessToken) alive(now time.Time) bool { return !t.revoked && now.Before(t.expires) }

func (t *ticket) alive(now time.Time) bool { return now.Before(t.expires) && t.token.alive(now) }

// lifeLeft is how long t will still verify, as the service reports it in expire_in.
func (t *ticket) lifeLeft(now time.Time) time.Duration {
	return earliest(t.expires, t.token.expires).Sub(now)
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// keepDead is how long dead tokens and tickets are remembered, so that a late use is reported
// as expired rather than unknown.
const keepDead = 10 * time.Minute

func (s *Server) registerOAuth() {
	s.handleRow(EndpointAccessToken, s.serveAccessToken)
	// One path, two endpoints: a request that asks for a NONCE ticket (in any case) counts as
	// one; everything else counts as a SIGN ticket request. Each handler then checks the case.
	s.handleWhen(EndpointNonceTicket, http.MethodGet, row(EndpointNonceTicket).path, func(r *http.Request) bool {
		return strings.EqualFold(r.URL.Query().Get("type"), "NONCE")
	}, s.serveNonceTicket)
	s.handleRow(EndpointSignTicket, s.serveSignTicket)
}

// queryAppID returns the appId of an oauth2 request; the manual's tables spell it appid and its
// examples appId (docs/A-auth-sign-face.md §2.5).
func queryAppID(q url.Values) string {
	if v := q.Get("appId"); v != "" {
		return v
	}
	return q.Get("appid")
}

// serveAccessToken is GET /api/oauth2/access_token (docs/A-auth-sign-face.md §2.1).
func (s *Server) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	appID, secret := queryAppID(q), q.Get("secret")
	if appID == "" || secret == "" || q.Get("grant_type") != "client_credential" || q.Get("version") != apiVersion {
		s.writeCode(w, "66660000")
		return
	}
	s.mu.Lock()
	a := s.apps[appID]
	if a == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(a.secret)) != 1 {
		s.mu.Unlock()
		s.writeCode(w, "400105")
		return
	}
	now := s.Clock.Now()
	tok := s.mintToken(a, now)
	value, expires := tok.value, tok.expires
	s.mu.Unlock()

	writeJSON(w, object{
		{"code", s.code("0")},
		{"msg", codeMsg("0")},
		{"transactionTime", wireTime(now)},
		{"access_token", value},
		{"expire_time", wireTime(expires)},
		{"expire_in", s.seconds(expires.Sub(now))},
	})
}

// ticketParams checks what the SIGN and NONCE requests share and returns the app and the live
// token the request names, or the code to answer. Call with s.mu held.
func (s *Server) ticketParams(q url.Values, kind string, now time.Time) (*app, *accessToken, string) {
	appID, token := queryAppID(q), q.Get("access_token")
	if appID == "" || token == "" || q.Get("type") != kind || q.Get("version") != apiVersion {
		return nil, nil, "66660000"
	}
	if kind == "NONCE" && !validUserID(q.Get("user_id")) {
		return nil, nil, "66660000"
	}
	a := s.apps[appID]
	if a == nil {
		return nil, nil, "400102"
	}
	for _, t := range a.tokens {
		if t.alive(now) && subtle.ConstantTimeCompare([]byte(t.value), []byte(token)) == 1 {
			return a, t, ""
		}
	}
	return nil, nil, "400102"
}

// serveSignTicket is GET /api/oauth2/api_ticket?type=SIGN (docs/A-auth-sign-face.md §2.2).
func (s *Server) serveSignTicket(w http.ResponseWriter, r *http.Request) {
	s.serveTicket(w, r, "SIGN", func(a *app, tok *accessToken, _ url.Values, now time.Time) *ticket {
		return s.mintSignTicket(a, tok, now)
	})
}

// serveNonceTicket is GET /api/oauth2/api_ticket?type=NONCE&user_id=... (docs/A-auth-sign-face.md §2.3).
func (s *Server) serveNonceTicket(w http.ResponseWriter, r *http.Request) {
	s.serveTicket(w, r, "NONCE", func(a *app, tok *accessToken, q url.Values, now time.Time) *ticket {
		t := &ticket{value: randomString(64, alnum), expires: now.Add(s.cfg.nonceLife), token: tok, userID: q.Get("user_id")}
		a.nonces = append(pruneTickets(a.nonces, now), t)
		return t
	})
}

// serveTicket answers an api_ticket request of kind (SIGN or NONCE): mint makes the ticket for
// the app and the live access token the request names (with s.mu held).
func (s *Server) serveTicket(w http.ResponseWriter, r *http.Request, kind string,
	mint func(a *app, tok *accessToken, q url.Values, now time.Time) *ticket) {
	q := r.URL.Query()
	s.mu.Lock()
	now := s.Clock.Now()
	a, tok, code := s.ticketParams(q, kind, now)
	if a == nil {
		s.mu.Unlock()
		s.writeCode(w, code)
		return
	}
	t := mint(a, tok, q, now)
	value, left := t.value, t.lifeLeft(now)
	s.mu.Unlock()
	s.writeTicket(w, now, value, left)
}

// writeTicket answers an api_ticket request: one ticket in "tickets".
func (s *Server) writeTicket(w http.ResponseWriter, now time.Time, value string, left time.Duration) {
	writeJSON(w, object{
		{"code", s.code("0")},
		{"msg", codeMsg("0")},
		{"transactionTime", wireTime(now)},
		{"tickets", []object{{
			{"value", value},
			{"expire_in", s.seconds(left)},
			{"expire_time", wireTime(now.Add(left))},
		}}},
	})
}

// validUserID: 1-32 letters, digits, '_' or '-' ("不要带有特殊字符", docs/A-auth-sign-face.md §2.3).
func validUserID(u string) bool {
	if len(u) == 0 || len(u) > 32 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// mintToken issues a new access token for a; every older token then lives at most the overlap
// (docs/A-auth-sign-face.md §2.1). Call with s.mu held.
func (s *Server) mintToken(a *app, now time.Time) *accessToken {
	cut := now.Add(s.cfg.overlap)
	kept := a.tokens[:0]
	for _, t := range a.tokens {
		if now.Sub(t.expires) > keepDead {
			continue
		}
		t.expires = earliest(t.expires, cut)
		kept = append(kept, t)
	}
	clear(a.tokens[len(kept):])
	t := &accessToken{value: randomString(40, alnum), expires: now.Add(s.cfg.tokenLife)}
	a.tokens = append(kept, t)
	return t
}

// mintSignTicket issues a new SIGN ticket under tok; every older SIGN ticket of the app then
// lives at most the overlap (docs/A-auth-sign-face.md §2.2). Call with s.mu held.
func (s *Server) mintSignTicket(a *app, tok *accessToken, now time.Time) *ticket {
	cut := now.Add(s.cfg.overlap)
	a.signs = pruneTickets(a.signs, now)
	for _, t := range a.signs {
		t.expires = earliest(t.expires, cut)
	}
	t := &ticket{value: randomString(64, alnum), expires: now.Add(s.cfg.signLife), token: tok}
	a.signs = append(a.signs, t)
	return t
}

// pruneTickets forgets tickets that have been dead for longer than keepDead.
func pruneTickets(ts []*ticket, now time.Time) []*ticket {
	kept := ts[:0]
	for _, t := range ts {
		if now.Sub(earliest(t.expires, t.token.expires)) <= keepDead {
			kept = append(kept, t)
		}
	}
	clear(ts[len(kept):])
	return kept
}

// ReplaceToken does what another instance's fetch does: it mints a new access token for appID
// and a new SIGN ticket under it. The previous token, and the SIGN tickets minted before, keep
// working only for the overlap (60 s of Clock time by default). An unknown appID is ignored.
func (s *Server) ReplaceToken(appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[appID]
	if a == nil {
		return
	}
	now := s.Clock.Now()
	s.mintSignTicket(a, s.mintToken(a, now), now)
}

// Revoke does what changing the secret in the console does (docs/A-auth-sign-face.md §2.0): every token and ticket
// of appID stops working at once. The secret itself stays, so a client can fetch new ones.
// An unknown appID is ignored.
func (s *Server) Revoke(appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[appID]; a != nil {
		now := s.Clock.Now()
		for _, t := range a.tokens {
			t.revoked = true
			t.expires = earliest(t.expires, now) // remembered as dead from now on (keepDead)
		}
	}
}

// CurrentSignTickets returns the SIGN tickets of appID that verify now, newest first: what a
// test needs to sign an H5 callback as the service would.
func (s *Server) CurrentSignTickets(appID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signTickets(appID, s.Clock.Now())
}

// signTickets returns the live SIGN tickets of appID, newest first. Call with s.mu held.
func (s *Server) signTickets(appID string, now time.Time) []string {
	a := s.apps[appID]
	if a == nil {
		return nil
	}
	var out []string
	for i := len(a.signs) - 1; i >= 0; i-- {
		if t := a.signs[i]; t.alive(now) {
			out = append(out, t.value)
		}
	}
	return out
}
