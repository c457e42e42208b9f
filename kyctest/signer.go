package kyctest

import (
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf16"
)

// The fake's own signer table and signing code, written from the manual (docs/README.md "Endpoint
// catalogue", docs/A-auth-sign-face.md §3.1-3.3, docs/B-h5-wechat-billing.md §3.2-3.3 and §4, docs/C-ocr-will-nfc-eid.md §2-6) and not shared with the SDK:
// a fake that judged requests with the SDK's rows would accept any mistake in them.

// apiVersion is the "version" every kyc1 call and signature carries (docs/A-auth-sign-face.md §3.2: "version is
// always 1.0.0, the API version, not the SDK version").
const apiVersion = "1.0.0"

// nonceLen is the length of every nonce (docs/A-auth-sign-face.md §3.2: "a 32-character random string of letters
// and digits").
const nonceLen = 32

// Endpoint names: what Requests counts and Fault.Endpoint matches. The kyc1 calls are named
// after the last segment of their path; the values handed to an app, and the callbacks, which
// are not HTTP calls to the service, have names of their own.
const (
	EndpointAccessToken       = "access_token"         // GET /api/oauth2/access_token
	EndpointSignTicket        = "sign_ticket"          // GET /api/oauth2/api_ticket?type=SIGN
	EndpointNonceTicket       = "nonce_ticket"         // GET /api/oauth2/api_ticket?type=NONCE
	EndpointFaceIDPlus        = "getPlusFaceId"        // POST /api/server/getPlusFaceId
	EndpointFaceIDEnhanced    = "getAdvFaceId"         // POST /api/server/getAdvFaceId
	EndpointFaceIDBasic       = "getfaceid"            // POST /api/server/getfaceid
	EndpointFaceIDPC          = "geth5faceid"          // POST /api/server/h5/geth5faceid
	EndpointFaceSDKStart      = "face_sdk_start"       // the face App SDK's start values (StartSDK)
	EndpointH5Login           = "h5_login"             // GET /api/web/login
	EndpointPCLogin           = "pc_login"             // GET /api/pc/login
	EndpointH5Callback        = "h5_callback"          // the signed H5 callback (newSignature, newSign)
	EndpointQueryFaceRecord   = "queryfacerecord"      // POST /api/v2/base/queryfacerecord
	EndpointQueryPhotoInfo    = "queryphotoinfo"       // POST /api/v2/base/queryphotoinfo
	EndpointOCRSDKStart       = "ocr_sdk_start"        // the OCR App SDK's start values (StartSDK)
	EndpointOCRResult         = "getOcrResult"         // GET /api/server/getOcrResult
	EndpointBankCardOCRResult = "getBankCardOcrResult" // GET /api/server/getBankCardOcrResult
	EndpointWillFaceID        = "getWillFaceId"        // POST /api/server/getWillFaceId
	EndpointWillSDKStart      = "will_sdk_start"       // the will App SDK's start values (StartSDK)
	EndpointWillLogin         = "willLogin"            // GET /api/web/willLogin
	EndpointWillCallback      = "will_callback"        // the signed will H5 callback
	EndpointWillResult        = "getWillFaceResult"    // POST /api/server/getWillFaceResult
	EndpointNFCCertID         = "getOcrCertId"         // POST /api/server/getOcrCertId
	EndpointNFCSDKStart       = "nfc_sdk_start"        // the NFC App SDK's start values (StartSDK)
	EndpointNFCResult         = "getIdcardNfcResult"   // POST /api/v2/nfcpaas/getIdcardNfcResult
)

// ticketType says which ticket signs an endpoint.
type ticketType uint8

const (
	unsigned    ticketType = iota // the oauth2 calls
	signTicket                    // SIGN: server calls and the callbacks
	nonceTicket                   // NONCE: what an app or a browser presents
)

// signRow is what the fake knows about one endpoint: where it is served and what its signature
// covers. fields are the request's own names for the signed values, looked up in the request.
type signRow struct {
	method, path string // "" for values that never reach the service as a call of their own
	ticket       ticketType
	fields       []string
}

// Signed field sets, named for the manual's tables.
var (
	// Uploads and SDK starts: "appId, userId, nonce, version" (docs/A-auth-sign-face.md §3.3, docs/C-ocr-will-nfc-eid.md §5.2, docs/C-ocr-will-nfc-eid.md §6.2 item 7
	// excepted).
	userFields = []string{"appId", "userId", "nonce", "version"}
	// Results: "appId, orderNo, nonce, version" (docs/A-auth-sign-face.md §3.3, docs/C-ocr-will-nfc-eid.md §5.6, docs/C-ocr-will-nfc-eid.md §6.4).
	orderFields = []string{"appId", "orderNo", "nonce", "version"}
	// Browser logins: seven values, "appId, userId, orderNo, version, faceId, nonce" and the
	// NONCE ticket (docs/B-h5-wechat-billing.md §3.2, vector 3; PC: h5faceId, docs/B-h5-wechat-billing.md §4.2; will: docs/C-ocr-will-nfc-eid.md §5.4).
	loginFields = []string{"appId", "userId", "orderNo", "version", "faceId", "nonce"}
	// Callbacks: "appId, orderNo, code" and the SIGN ticket (docs/B-h5-wechat-billing.md §3.3, docs/C-ocr-will-nfc-eid.md §5.5).
	callbackFields = []string{"appId", "orderNo", "code"}
)

// signRows is the fake's table. Each row cites where the manual says it. Its rows are alike in
// shape on purpose: one row an endpoint, as the manual lists them, is what makes a wrong row easy
// to see.
var signRows = map[string]signRow{
	EndpointAccessToken: {"GET", "/api/oauth2/access_token", unsigned, nil},
	EndpointSignTicket:  {"GET", "/api/oauth2/api_ticket", unsigned, nil},
	EndpointNonceTicket: {"GET", "/api/oauth2/api_ticket", unsigned, nil},
	// docs/A-auth-sign-face.md §4.1-4.3: the upload signs the userId, not the orderNo, name or photo.
	EndpointFaceIDPlus:     {"POST", "/api/server/getPlusFaceId", signTicket, userFields},
	EndpointFaceIDEnhanced: {"POST", "/api/server/getAdvFaceId", signTicket, userFields},
	EndpointFaceIDBasic:    {"POST", "/api/server/getfaceid", signTicket, userFields},
	// docs/B-h5-wechat-billing.md §4.1, vector 4: the PC upload signs appId, orderNo, name, idNo, userId, version and
	// no nonce (it sends none).
	EndpointFaceIDPC: {"POST", "/api/server/h5/geth5faceid", signTicket,
		[]string{"appId", "orderNo", "name", "idNo", "userId", "version"}},
	// docs/A-auth-sign-face.md §6.1: sign = SHA1(sorted{appId, userId, nonce, "1.0.0", nonceTicket}).
	EndpointFaceSDKStart: {"", "", nonceTicket, userFields},
	EndpointH5Login:      {"GET", "/api/web/login", nonceTicket, loginFields},
	EndpointPCLogin: {"GET", "/api/pc/login", nonceTicket,
		[]string{"appId", "userId", "orderNo", "version", "h5faceId", "nonce"}},
	EndpointH5Callback:      {"", "", signTicket, callbackFields},
	EndpointQueryFaceRecord: {"POST", "/api/v2/base/queryfacerecord", signTicket, orderFields},
	EndpointQueryPhotoInfo:  {"POST", "/api/v2/base/queryphotoinfo", signTicket, orderFields},
	// docs/C-ocr-will-nfc-eid.md §2.3: the OCR SDK start signs like the face one.
	EndpointOCRSDKStart: {"", "", nonceTicket, userFields},
	// docs/C-ocr-will-nfc-eid.md §2.5, §3.3: the OCR result is a GET whose names are app_id and order_no; the values
	// signed are the same four.
	EndpointOCRResult:         {"GET", "/api/server/getOcrResult", signTicket, []string{"app_id", "order_no", "nonce", "version"}},
	EndpointBankCardOCRResult: {"GET", "/api/server/getBankCardOcrResult", signTicket, []string{"app_id", "order_no", "nonce", "version"}},
	EndpointWillFaceID:        {"POST", "/api/server/getWillFaceId", signTicket, userFields},
	EndpointWillSDKStart:      {"", "", nonceTicket, userFields},
	EndpointWillLogin:         {"GET", "/api/web/willLogin", nonceTicket, loginFields},
	EndpointWillCallback:      {"", "", signTicket, callbackFields},
	EndpointWillResult:        {"POST", "/api/server/getWillFaceResult", signTicket, orderFields},
	// docs/C-ocr-will-nfc-eid.md §6.2 (and C 10 item 7): the NFC upload signs the orderNo where the face upload signs
	// the userId.
	EndpointNFCCertID:   {"POST", "/api/server/getOcrCertId", signTicket, orderFields},
	EndpointNFCSDKStart: {"", "", nonceTicket, userFields},
	EndpointNFCResult:   {"POST", "/api/v2/nfcpaas/getIdcardNfcResult", signTicket, orderFields},
}

// row returns the fake's row for one of its own endpoints.
func row(endpoint string) signRow {
	r, ok := signRows[endpoint]
	if !ok {
		panic("kyctest: no signer-table row for " + endpoint) // a programming error here
	}
	return r
}

// signValues signs the values of r's fields found in params (a field absent from params is a
// null in the manual's Java reference, and left out) with ticket.
func (r signRow) signValues(ticket string, params map[string]string) string {
	vs := make([]string, 0, len(r.fields))
	for _, f := range r.fields {
		if v, ok := params[f]; ok {
			vs = append(vs, v)
		}
	}
	return sha1Sign(ticket, vs)
}

// sha1Sign is the manual's Java reference (docs/A-auth-sign-face.md §3.1) step by step: the values and the ticket,
// sorted with String.compareTo (by UTF-16 code unit), joined with no separator, SHA-1 over the
// UTF-8 bytes, upper-case hex. Empty strings are kept, as the Java code keeps them.
func sha1Sign(ticket string, values []string) string {
	all := append(slices.Clone(values), ticket)
	slices.SortStableFunc(all, javaCompare)
	sum := sha1.Sum([]byte(strings.Join(all, "")))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// javaCompare is java.lang.String.compareTo: the first differing UTF-16 code unit decides, then
// the length in code units.
func javaCompare(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

// validNonce: exactly 32 ASCII letters and digits (docs/A-auth-sign-face.md §3.2; the iOS SDK refuses any other
// length with 12007).
func validNonce(s string) bool { return len(s) == nonceLen && isAlnum(s) }

// isAlnum reports whether s is made of ASCII letters and digits only.
func isAlnum(s string) bool {
	return strings.TrimLeft(s, alnum) == ""
}
