package kyctest

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
)

// signEqual compares signatures case-insensitively ("不区分大小写", docs/A-auth-sign-face.md §3.1) in constant time.
func signEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToUpper(a)), []byte(strings.ToUpper(b))) == 1
}

// CheckNonceSignature does what the App SDK's login does with the start values: it looks for the
// NONCE ticket minted for userID with which the SHA-1 signature over appID, userID, nonce, "1.0.0"
// and the ticket (docs/A-auth-sign-face.md §6.1) equals sign (in any case), and spends it. It returns nil the first time, and an error wrapping
// ErrTicketUsed, ErrTicketExpired, ErrWrongUser, ErrBadSignature or ErrUnknownApp otherwise.
func (s *Server) CheckNonceSignature(appID, userID, nonce, sign string) error {
	return s.spendNonceTicket(EndpointFaceSDKStart, map[string]string{
		"appId": appID, "userId": userID, "nonce": nonce, "version": apiVersion, "sign": sign,
	})
}

// spendNonceTicket checks params["sign"] the way the service checks a NONCE-signed value set of
// endpoint (the SDK start, or the seven values of an H5 login URL): it looks for the NONCE ticket
// of params["appId"] with which the signer-table fields of endpoint, looked up in params, sign to
// params["sign"] (in any case). The ticket must have been minted for params["userId"], be unused
// and alive; it is then spent. Errors are those of CheckNonceSignature.
func (s *Server) spendNonceTicket(endpoint string, params map[string]string) error {
	rule, ok := signRows[endpoint]
	if !ok || rule.ticket != nonceTicket {
		return fmt.Errorf("kyctest: endpoint %q is not signed with a NONCE ticket", endpoint)
	}
	appID, userID, sign := params["appId"], params["userId"], params["sign"]

	return s.withApp(appID, func(a *app, now time.Time) error {
		for _, t := range a.nonces {
			if !signEqual(rule.signValues(t.value, params), sign) {
				continue
			}
			switch {
			case t.userID != userID:
				return ErrWrongUser
			case t.used:
				return ErrTicketUsed
			case !t.alive(now):
				return ErrTicketExpired
			}
			t.used = true
			return nil
		}
		return ErrBadSignature
	})
}

// withApp runs f with s.mu held on the app registered as appID, at the server's now;
// ErrUnknownApp when there is none.
func (s *Server) withApp(appID string, f func(a *app, now time.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[appID]
	if a == nil {
		return ErrUnknownApp
	}
	return f(a, s.Clock.Now())
}

// verifySignTicket checks params["sign"] the way the service checks a SIGN-signed call to
// endpoint: the signer-table fields of endpoint are looked up in params (absent ones are left
// out) and signed with each live SIGN ticket of the app named by params["appId"] (or "app_id",
// "appid", "webankAppId"). Handlers answer "400101" on any error.
func (s *Server) verifySignTicket(endpoint string, params map[string]string) error {
	rule, ok := signRows[endpoint]
	if !ok || rule.ticket != signTicket {
		return fmt.Errorf("kyctest: endpoint %q is not signed with a SIGN ticket", endpoint)
	}
	appID := ""
	for _, k := range []string{"appId", "app_id", "appid", "webankAppId"} {
		if v := params[k]; v != "" {
			appID = v
			break
		}
	}
	sign := params["sign"]
	if sign == "" {
		return ErrBadSignature
	}
	return s.withApp(appID, func(a *app, now time.Time) error {
		err := ErrBadSignature
		for i := len(a.signs) - 1; i >= 0; i-- {
			t := a.signs[i]
			if !signEqual(rule.signValues(t.value, params), sign) {
				continue
			}
			if t.alive(now) {
				return nil
			}
			err = ErrTicketExpired // keep looking: the values may also verify under a live ticket
		}
		return err
	})
}
