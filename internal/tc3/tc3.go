// Package tc3 signs Tencent Cloud API 3.0 requests with TC3-HMAC-SHA256 and parses the
// Authorization header it produces, for the client and for the fake server's verifier.
//
// The rule (docs/README.md, "API 3.0 actions"): the canonical request is
//
//	METHOD \n PATH \n QUERY \n canonical headers \n signed headers \n hex(sha256(payload))
//
// where canonical headers are "name:value\n" lines, names and values lower-cased and trimmed,
// sorted by name; the string to sign is
//
//	TC3-HMAC-SHA256 \n timestamp \n date/service/tc3_request \n hex(sha256(canonical request))
//
// with date the UTC day of the timestamp; the key is the HMAC-SHA256 chain "TC3"+SecretKey →
// date → service → "tc3_request"; the signature is the hex HMAC-SHA256 of the string to sign.
// It knows nothing of the faceid actions and never logs.
package tc3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the name of the scheme in the Authorization header.
const Algorithm = "TC3-HMAC-SHA256"

// Header is one signed request header.
type Header struct {
	Name, Value string
}

// Request is what a signature covers. The zero Method is "POST", the zero Path "/".
type Request struct {
	Method    string
	Path      string
	Query     string   // the canonical query string ("" for POST)
	Headers   []Header // the signed headers, e.g. content-type and host
	Payload   []byte
	Service   string // "faceid"
	Timestamp int64  // Unix seconds, the X-TC-Timestamp header
}

// JSONPost is the request this package's users send: POST / with a JSON body, signing
// content-type and host, as the official SDK does.
func JSONPost(host, service string, timestamp int64, payload []byte) Request {
	return Request{
		Method:    "POST",
		Path:      "/",
		Headers:   []Header{{"content-type", "application/json"}, {"host", host}},
		Payload:   payload,
		Service:   service,
		Timestamp: timestamp,
	}
}

// Date is the UTC day of the timestamp, as the credential scope writes it.
func (r Request) Date() string {
	return time.Unix(r.Timestamp, 0).UTC().Format("2006-01-02")
}

// Scope is date/service/tc3_request.
func (r Request) Scope() string {
	return r.Date() + "/" + r.Service + "/tc3_request"
}

// canonicalHeaders returns the header lines and the signed-header list, both sorted by name.
func (r Request) canonicalHeaders() (lines, signed string) {
	hs := make([]Header, len(r.Headers))
	for i, h := range r.Headers {
		hs[i] = Header{strings.ToLower(strings.TrimSpace(h.Name)), strings.ToLower(strings.TrimSpace(h.Value))}
	}
	slices.SortFunc(hs, func(a, b Header) int { return strings.Compare(a.Name, b.Name) })
	var lb, sb strings.Builder
	for i, h := range hs {
		lb.WriteString(h.Name)
		lb.WriteByte(':')
		lb.WriteString(h.Value)
		lb.WriteByte('\n')
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(h.Name)
	}
	return lb.String(), sb.String()
}

// SignedHeaders is the signed-header list: lower-case names, sorted, joined with ";".
func (r Request) SignedHeaders() string {
	_, s := r.canonicalHeaders()
	return s
}

// CanonicalRequest is the first step of the signature. It contains the payload's hash, not the
// payload.
func (r Request) CanonicalRequest() string {
	c, _ := r.canonical()
	return c
}

// canonical returns the canonical request and the signed-header list.
func (r Request) canonical() (canonical, signed string) {
	method, path := r.Method, r.Path
	if method == "" {
		method = "POST"
	}
	if path == "" {
		path = "/"
	}
	lines, signed := r.canonicalHeaders()
	sum := sha256.Sum256(r.Payload)
	return method + "\n" + path + "\n" + r.Query + "\n" + lines + "\n" + signed + "\n" + hex.EncodeToString(sum[:]), signed
}

// StringToSign is the second step.
func (r Request) StringToSign() string {
	s, _ := r.stringToSign()
	return s
}

func (r Request) stringToSign() (sts, signed string) {
	c, signed := r.canonical()
	sum := sha256.Sum256([]byte(c))
	return Algorithm + "\n" + strconv.FormatInt(r.Timestamp, 10) + "\n" + r.Scope() + "\n" + hex.EncodeToString(sum[:]), signed
}

// Key derives the signing key for one day and service.
func Key(secretKey, date, service string) []byte {
	k := mac([]byte("TC3"+secretKey), date)
	k = mac(k, service)
	return mac(k, "tc3_request")
}

// Signature is the hex signature of r with secretKey.
func Signature(secretKey string, r Request) string {
	sig, _ := sign(secretKey, r)
	return sig
}

func sign(secretKey string, r Request) (sig, signed string) {
	sts, signed := r.stringToSign()
	return hex.EncodeToString(mac(Key(secretKey, r.Date(), r.Service), sts)), signed
}

// Authorization is the value of the Authorization header for r, signed by secretID/secretKey.
func Authorization(secretID, secretKey string, r Request) string {
	sig, signed := sign(secretKey, r)
	return Algorithm + " Credential=" + secretID + "/" + r.Scope() + ", SignedHeaders=" + signed + ", Signature=" + sig
}

func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// Credential is a parsed Authorization header.
type Credential struct {
	SecretID      string
	Date          string // yyyy-mm-dd, UTC
	Service       string
	SignedHeaders []string // lower-case names as listed
	Signature     string   // lower-case hex
}

// ErrMalformed is returned by Parse for a header that is not a TC3 Authorization.
var ErrMalformed = errors.New("tc3: malformed Authorization header")

// Parse reads an Authorization header:
//
//	TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>
//
// Its errors never quote the header.
func Parse(header string) (Credential, error) {
	rest, ok := strings.CutPrefix(header, Algorithm+" ")
	if !ok {
		return Credential{}, ErrMalformed
	}
	var c Credential
	var scope string
	seen := 0
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Credential{}, ErrMalformed
		}
		switch k {
		case "Credential":
			scope, seen = v, seen|1
		case "SignedHeaders":
			c.SignedHeaders, seen = strings.Split(strings.ToLower(v), ";"), seen|2
		case "Signature":
			c.Signature, seen = strings.ToLower(v), seen|4
		default:
			return Credential{}, ErrMalformed
		}
	}
	if seen != 7 {
		return Credential{}, ErrMalformed
	}
	parts := strings.Split(scope, "/")
	if len(parts) != 4 || parts[3] != "tc3_request" || parts[0] == "" || parts[2] == "" {
		return Credential{}, ErrMalformed
	}
	if _, err := time.Parse("2006-01-02", parts[1]); err != nil {
		return Credential{}, ErrMalformed
	}
	if len(c.Signature) != 64 {
		return Credential{}, ErrMalformed
	}
	if _, err := hex.DecodeString(c.Signature); err != nil {
		return Credential{}, ErrMalformed
	}
	c.SecretID, c.Date, c.Service = parts[0], parts[1], parts[2]
	return c, nil
}

// Equal compares two hex signatures in constant time.
func Equal(a, b string) bool {
	return hmac.Equal([]byte(strings.ToLower(a)), []byte(strings.ToLower(b)))
}
