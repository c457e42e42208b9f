package kyc

import (
	"encoding/json"
	"net/url"
	"time"
)

// Lifetimes as values (docs/README.md, "Lifetimes"): what a caller needs to know about how long a
// value lives is carried by the value (FaceID.ExpiresAt, SDKStart.ExpiresAt,
// NFCCertID.ExpiresAt) or named here.

// ResultRetention is how long the service keeps a verification's result: the kyc1 results (face,
// will, OCR and NFC queries) and the API 3.0 results (DetectInfo, eID) can be read for 3 days
// after the journey, after which the query answers as if there were none (66660011 for face).
// Store what you need from a result within this time.
const ResultRetention = 72 * time.Hour

const (
	// faceIDLifetime is how long a faceId (also will's and the PC h5faceId) can start a journey
	// (docs/A-auth-sign-face.md §6.1: "valid 5 min").
	faceIDLifetime = 5 * time.Minute
	// nonceTicketLifetime is how long a NONCE ticket, and so a start signature made with it, is
	// accepted (docs/A-auth-sign-face.md §2.3: 120 s, single use).
	nonceTicketLifetime = 120 * time.Second
)

// capExpiry moves s's expiry back to t when the id it starts (faceId, ocrCertId) dies first.
func (s *SDKStart) capExpiry(t time.Time) *SDKStart {
	if s != nil && !t.IsZero() && t.Before(s.ExpiresAt) {
		s.ExpiresAt = t
	}
	return s
}

// licences are the SDK licences of WithSDKLicence: one for every platform (index 0) or one per
// platform, never both.
type licences [Harmony + 1]string

func (l *licences) add(licence string, platforms []Platform) error {
	if len(platforms) == 0 {
		platforms = []Platform{0}
	}
	for _, p := range platforms {
		if p != 0 && !p.valid() {
			return invalidInput("licence platform", "must be Android, IOS or Harmony")
		}
		if l[p] != "" && l[p] != licence {
			return invalidInput("licence", "given twice for "+platformOrAll(p)+" with different values")
		}
		l[p] = licence
	}
	if l[0] != "" && l.perPlatform() {
		return invalidInput("licence", "give one licence for every platform or one per platform, not both")
	}
	return nil
}

func platformOrAll(p Platform) string {
	if p == 0 {
		return "every platform"
	}
	return p.String()
}

// perPlatform reports whether licences were given per platform.
func (l *licences) perPlatform() bool { return l[Android] != "" || l[IOS] != "" || l[Harmony] != "" }

// setLicences gives s the licence for every platform, or keeps the per-platform ones for
// ForPlatform.
func (s *SDKStart) setLicences(l licences) {
	if l.perPlatform() {
		s.licences = l
		return
	}
	s.Licence = l[0]
}

// ForPlatform makes s the start values for an app on p: Licence becomes p's licence. With
// licences given per platform (WithSDKLicence(l, kyc.IOS)) it is required, and json.Marshal
// refuses s until it is called, so that no app is sent another platform's licence. It is an
// *InputError if p is not a platform or no licence was given for p.
func (s *SDKStart) ForPlatform(p Platform) error {
	if !p.valid() {
		return invalidInput("platform", "must be Android, IOS or Harmony")
	}
	if s.licences.perPlatform() {
		if s.licences[p] == "" {
			return invalidInput("licence", "none given for "+p.String()+" (WithSDKLicence)")
		}
		s.Licence = s.licences[p]
	}
	s.platform = p
	return nil
}

// MarshalJSON writes the start values, refusing (with an *InputError) values whose licence
// depends on a platform ForPlatform has not named.
func (s SDKStart) MarshalJSON() ([]byte, error) {
	if s.licences.perPlatform() && s.platform == 0 {
		return nil, invalidInput("licence", "licences are per platform: call ForPlatform before sending the start values")
	}
	type plain SDKStart // without the method, so that Marshal does not come back here
	return json.Marshal(plain(s))
}

// redirectToken reads one token from the query of the URL the person's browser returned to,
// under the first of keys present. Absent, repeated, disagreeing or malformed values are an
// *InputError: a redirect is a request from the browser, anyone can send one.
func redirectToken(field string, u *url.URL, keys ...string) (string, error) {
	if u == nil {
		return "", invalidInput(field, "no redirect URL")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", invalidInput(field, "the redirect URL's query is malformed")
	}
	var token string
	for _, k := range keys {
		vs := q[k]
		switch {
		case len(vs) == 0:
			continue
		case len(vs) > 1:
			return "", invalidInput(field, "given more than once in the redirect URL")
		case token != "" && vs[0] != token:
			return "", invalidInput(field, "the redirect URL carries two different tokens")
		}
		token = vs[0]
	}
	if token == "" {
		return "", invalidInput(field, "not in the redirect URL")
	}
	if err := checkCloudID(field, token, 128); err != nil {
		return "", err
	}
	return token, nil
}

// BizTokenFromRedirect reads the BizToken from the URL a WeChat H5 journey returns the browser
// to (Auth's RedirectURL, to which the service adds the BizToken). The manual does not name the
// query key (docs/B-h5-wechat-billing.md §8, T13), so "token" and "BizToken" are both read; a
// URL carrying neither, one of them twice, two different values or a malformed value is an
// *InputError. Anyone can call a redirect URL: check the BizToken against the ones you minted,
// and read the verdict with InfoEnhanced, never from the URL.
func (s *DetectService) BizTokenFromRedirect(u *url.URL) (string, error) {
	return redirectToken("BizToken", u, "token", "BizToken")
}

// TokenFromRedirect reads the EidToken from the URL an eID journey returns the browser to
// (EIDTokenRequest.RedirectURL, to which the service adds "token"; docs/C-ocr-will-nfc-eid.md
// §4.3). A URL without it, with it twice or with a malformed value is an *InputError. As with
// any redirect, check the token against the ones you minted and read the result with Result.
func (s *EIDService) TokenFromRedirect(u *url.URL) (string, error) {
	return redirectToken("EidToken", u, "token")
}
