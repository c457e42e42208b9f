package kyc

import (
	"crypto/rand"
	"crypto/sha1"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// APIVersion is the value every kyc1 call and signature carries as "version" (docs/A-auth-sign-face.md §3.2).
const APIVersion = "1.0.0"

// Sign computes the kyc1 signature (docs/A-auth-sign-face.md §3.1): the values and the ticket, empty values dropped,
// sorted as Java sorts strings (UTF-16 code units), joined without a separator, SHA-1 over the
// UTF-8 bytes, 40 upper-case hex characters.
//
// The Java reference drops nulls and keeps empty strings; an empty string adds nothing to the
// concatenation, so dropping it gives the same digest. Duplicate values are kept.
func Sign(ticket string, values ...string) string {
	if len(values) >= 16 {
		return signMany(ticket, values)
	}
	// The values are ordered through a small array of indexes (0 is the ticket, i is
	// values[i-1]) rather than by moving the strings: an index array holds no pointers, so the
	// sort's writes need no GC write barriers, which cost as much as the sort itself while a
	// collection runs (seen in the profile of BenchmarkSign).
	var order [16]uint8
	k, n := 0, 0
	for i := 0; i <= len(values); i++ {
		v := ticket
		if i > 0 {
			v = values[i-1]
		}
		if v == "" {
			continue
		}
		n += len(v)
		// Insertion sort in Java's order (UTF-16 code units): the lists are short (3 to 8
		// values). Values that differ in an ASCII first byte, the common case, are ordered by
		// that byte alone; anything else takes the full comparison.
		j := k
		for ; j > 0; j-- {
			prev := pick(ticket, values, order[j-1])
			if prev[0] != v[0] && prev[0] < utf8.RuneSelf && v[0] < utf8.RuneSelf {
				if prev[0] < v[0] {
					break
				}
			} else if compareUTF16(prev, v) <= 0 {
				break
			}
			order[j] = order[j-1]
		}
		order[j] = uint8(i)
		k++
	}
	var buf [192]byte // the longest documented signature (the H5 login) joins to about 160 bytes
	joined := buf[:]
	if n > len(buf) {
		joined = make([]byte, n)
	}
	off := 0
	for _, i := range order[:k] {
		off += copy(joined[off:], pick(ticket, values, i))
	}
	return hexUpper(sha1.Sum(joined[:off]))
}

// pick is the value at index i of Sign's order: 0 is the ticket, i > 0 is values[i-1].
func pick(ticket string, values []string, i uint8) string {
	if i == 0 {
		return ticket
	}
	return values[i-1]
}

// signMany is Sign for long lists (no documented signature has more than 8 values): the same
// order, by a general sort.
func signMany(ticket string, values []string) string {
	vs := make([]string, 0, len(values)+1)
	for _, v := range append([]string{ticket}, values...) {
		if v != "" {
			vs = append(vs, v)
		}
	}
	slices.SortStableFunc(vs, compareUTF16)
	sum := sha1.Sum([]byte(strings.Join(vs, "")))
	return hexUpper(sum)
}

// hexPairs maps a byte to its two upper-case hex digits.
var hexPairs = func() (t [256][2]byte) {
	const digits = "0123456789ABCDEF"
	for i := range t {
		t[i] = [2]byte{digits[i>>4], digits[i&0x0f]}
	}
	return t
}()

func hexUpper(sum [sha1.Size]byte) string {
	var out [2 * sha1.Size]byte
	for i, b := range sum {
		p := hexPairs[b]
		out[2*i], out[2*i+1] = p[0], p[1]
	}
	return string(out[:])
}

// compareUTF16 orders strings as java.lang.String.compareTo does (by UTF-16 code unit). For
// ASCII, and for any pair of BMP characters, this is plain byte order; it differs only when a
// supplementary-plane character meets one in U+E000..U+FFFF (a rare CJK name in the PC-H5 sign).
func compareUTF16(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	if a[i] < utf8.RuneSelf && b[i] < utf8.RuneSelf {
		return int(a[i]) - int(b[i])
	}
	// Back up to the start of the rune both strings share up to i.
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	ra, _ := utf8.DecodeRuneInString(a[i:])
	rb, _ := utf8.DecodeRuneInString(b[i:])
	ka, kb := utf16Lead(ra), utf16Lead(rb)
	if ka != kb {
		return int(ka) - int(kb)
	}
	return int(ra) - int(rb)
}

// utf16Lead is the first UTF-16 code unit of r.
func utf16Lead(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

const nonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// nonceLen is the length of every nonce the service accepts (docs/A-auth-sign-face.md §3.2).
const nonceLen = 32

// NewNonce returns 32 random letters and digits from crypto/rand.
func NewNonce() string {
	var out [nonceLen]byte
	fillAlnum(out[:])
	return string(out[:])
}

// fillAlnum fills out with letters and digits drawn uniformly from crypto/rand: nonces, and the
// symmetric keys of API 3.0 encryption (encryption.go), which the service wants in that form.
func fillAlnum(out []byte) {
	var rnd [64]byte
	filled := 0
	for filled < len(out) {
		rand.Read(rnd[:]) // never returns an error (Go 1.24+): it crashes the program instead
		for _, b := range rnd {
			// 62 letters and digits: reject 248..255 so every symbol is equally likely.
			if b >= 248 {
				continue
			}
			out[filled] = nonceAlphabet[int(b)%len(nonceAlphabet)]
			filled++
			if filled == len(out) {
				break
			}
		}
	}
}

// CheckNonce reports whether s is a nonce the service accepts: exactly 32 ASCII letters and digits.
func CheckNonce(s string) error {
	if len(s) != nonceLen {
		return invalidInput("nonce", fmt.Sprintf("must be %d letters and digits, got %d characters", nonceLen, utf8.RuneCountInString(s)))
	}
	if !isAlnum(s) {
		return invalidInput("nonce", "must contain only ASCII letters and digits")
	}
	return nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// ticketKind says which ticket a signature is made with.
type ticketKind uint8

const (
	// noTicket marks the oauth2 calls, which are not signed.
	noTicket ticketKind = iota
	// signTicketKind is the reusable SIGN ticket (60 minutes): server calls and callbacks.
	signTicketKind
	// nonceTicketKind is the single-use NONCE ticket (120 s, bound to a user): what the app or
	// the browser presents.
	nonceTicketKind
)

// String returns the ticket type as the service spells it ("SIGN", "NONCE").
func (k ticketKind) String() string {
	switch k {
	case signTicketKind:
		return "SIGN"
	case nonceTicketKind:
		return "NONCE"
	}
	return "none"
}

// Endpoint names: the keys of the signer table (kyctest has its own, same strings).
const (
	endpointAccessToken       = "access_token"
	endpointSignTicket        = "sign_ticket"
	endpointNonceTicket       = "nonce_ticket"
	endpointFaceIDPlus        = "getPlusFaceId"
	endpointFaceIDEnhanced    = "getAdvFaceId"
	endpointFaceIDBasic       = "getfaceid"
	endpointFaceIDPC          = "geth5faceid"
	endpointFaceSDKStart      = "face_sdk_start"
	endpointH5Login           = "h5_login"
	endpointPCLogin           = "pc_login"
	endpointH5Callback        = "h5_callback"
	endpointQueryFaceRecord   = "queryfacerecord"
	endpointQueryPhotoInfo    = "queryphotoinfo"
	endpointOCRSDKStart       = "ocr_sdk_start"
	endpointOCRResult         = "getOcrResult"
	endpointBankCardOCRResult = "getBankCardOcrResult"
	endpointWillFaceID        = "getWillFaceId"
	endpointWillSDKStart      = "will_sdk_start"
	endpointWillLogin         = "willLogin"
	endpointWillCallback      = "will_callback"
	endpointWillResult        = "getWillFaceResult"
	endpointNFCCertID         = "getOcrCertId"
	endpointNFCSDKStart       = "nfc_sdk_start"
	endpointNFCResult         = "getIdcardNfcResult"
)

// signRule is one row of the signer table: an endpoint, how it is called, which ticket signs it
// and the wire names of the values signed besides the ticket.
type signRule struct {
	Endpoint string
	Method   string // "GET", "POST", or "" for values handed to an app or read from a callback
	Path     string // path on the kyc1 host (or on optimalDomain for the browser logins)
	Ticket   ticketKind
	Fields   []string
}

// Sign signs the values that value returns for r.Fields; a field value reports false when it is
// absent (a null in the Java reference) and is then left out.
func (r signRule) Sign(ticket string, value func(field string) (string, bool)) string {
	var stack [8]string
	vs := stack[:0]
	for _, f := range r.Fields {
		if v, ok := value(f); ok {
			vs = append(vs, v)
		}
	}
	return Sign(ticket, vs...)
}

// signTable is the one place that says what each endpoint signs (docs/README.md "Endpoint
// catalogue", docs/A-auth-sign-face.md §3.3, docs/B-h5-wechat-billing.md §3-4, docs/C-ocr-will-nfc-eid.md §2-6). Field names are the wire names the endpoint
// uses for those values; the signature itself covers values only.
var signTable = []signRule{
	{endpointAccessToken, "GET", "/api/oauth2/access_token", noTicket, nil},
	{endpointSignTicket, "GET", "/api/oauth2/api_ticket", noTicket, nil},
	{endpointNonceTicket, "GET", "/api/oauth2/api_ticket", noTicket, nil},
	{endpointFaceIDPlus, "POST", "/api/server/getPlusFaceId", signTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointFaceIDEnhanced, "POST", "/api/server/getAdvFaceId", signTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointFaceIDBasic, "POST", "/api/server/getfaceid", signTicketKind, []string{"appId", "userId", "nonce", "version"}},
	// The PC-H5 upload signs seven values and no nonce (docs/B-h5-wechat-billing.md §4, trap T3).
	{endpointFaceIDPC, "POST", "/api/server/h5/geth5faceid", signTicketKind, []string{"appId", "orderNo", "name", "idNo", "userId", "version"}},
	{endpointFaceSDKStart, "", "", nonceTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointH5Login, "GET", "/api/web/login", nonceTicketKind, []string{"appId", "userId", "orderNo", "version", "faceId", "nonce"}},
	{endpointPCLogin, "GET", "/api/pc/login", nonceTicketKind, []string{"appId", "userId", "orderNo", "version", "h5faceId", "nonce"}},
	// newSignature (mobile) / newSign (PC): appId, orderNo, code and the SIGN ticket (docs/B-h5-wechat-billing.md §3.3).
	{endpointH5Callback, "", "", signTicketKind, []string{"appId", "orderNo", "code"}},
	{endpointQueryFaceRecord, "POST", "/api/v2/base/queryfacerecord", signTicketKind, []string{"appId", "orderNo", "nonce", "version"}},
	{endpointQueryPhotoInfo, "POST", "/api/v2/base/queryphotoinfo", signTicketKind, []string{"appId", "orderNo", "nonce", "version"}},
	{endpointOCRSDKStart, "", "", nonceTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointOCRResult, "GET", "/api/server/getOcrResult", signTicketKind, []string{"app_id", "order_no", "nonce", "version"}},
	{endpointBankCardOCRResult, "GET", "/api/server/getBankCardOcrResult", signTicketKind, []string{"app_id", "order_no", "nonce", "version"}},
	{endpointWillFaceID, "POST", "/api/server/getWillFaceId", signTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointWillSDKStart, "", "", nonceTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointWillLogin, "GET", "/api/web/willLogin", nonceTicketKind, []string{"appId", "userId", "orderNo", "version", "faceId", "nonce"}},
	{endpointWillCallback, "", "", signTicketKind, []string{"appId", "orderNo", "code"}},
	{endpointWillResult, "POST", "/api/server/getWillFaceResult", signTicketKind, []string{"appId", "orderNo", "nonce", "version"}},
	// The NFC upload signs the orderNo, not the userId (docs/C-ocr-will-nfc-eid.md §10 item 7).
	{endpointNFCCertID, "POST", "/api/server/getOcrCertId", signTicketKind, []string{"appId", "orderNo", "nonce", "version"}},
	{endpointNFCSDKStart, "", "", nonceTicketKind, []string{"appId", "userId", "nonce", "version"}},
	{endpointNFCResult, "POST", "/api/v2/nfcpaas/getIdcardNfcResult", signTicketKind, []string{"appId", "orderNo", "nonce", "version"}},
}

// signRules returns a copy of the signer table.
func signRules() []signRule {
	out := make([]signRule, len(signTable))
	for i, r := range signTable {
		r.Fields = append([]string(nil), r.Fields...)
		out[i] = r
	}
	return out
}

// signRuleFor returns the signer-table row for an endpoint name (one of the endpoint constants).
func signRuleFor(endpoint string) (signRule, bool) {
	for _, r := range signTable {
		if r.Endpoint == endpoint {
			return r, true
		}
	}
	return signRule{}, false
}

// mustRule is for the package's own endpoints, whose names are constants.
func mustRule(endpoint string) signRule {
	r, ok := signRuleFor(endpoint)
	if !ok {
		panic("kyc: no signer-table row for " + endpoint) // a programming error in this package
	}
	return r
}
