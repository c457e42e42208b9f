package kyctest

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

// The fake's own TC3-HMAC-SHA256 verifier, written from the docs/README.md ("API 3.0 actions") and
// not shared with the SDK's signer, so that a mistake in the client's signing is refused here.
// Its imports and steps repeat internal/tc3's on purpose: a deliberate independent copy.

// tc3Auth is a parsed Authorization header:
//
//	TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>
type tc3Auth struct {
	secretID, date, service string
	signedHeaders           []string // lower-case names, as listed
	signature               string   // lower-case hex
}

var errBadAuthorization = errors.New("kyctest: malformed TC3 Authorization")

// parseTC3 reads an Authorization header; its error never quotes it.
func parseTC3(header string) (tc3Auth, error) {
	rest, ok := strings.CutPrefix(header, "TC3-HMAC-SHA256 ")
	if !ok {
		return tc3Auth{}, errBadAuthorization
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if _, dup := fields[k]; !ok || dup {
			return tc3Auth{}, errBadAuthorization
		}
		fields[k] = v
	}
	cred, headers, sig := fields["Credential"], fields["SignedHeaders"], strings.ToLower(fields["Signature"])
	if len(fields) != 3 || cred == "" || headers == "" || len(sig) != 64 {
		return tc3Auth{}, errBadAuthorization
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return tc3Auth{}, errBadAuthorization
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 4 || scope[0] == "" || scope[2] == "" || scope[3] != "tc3_request" {
		return tc3Auth{}, errBadAuthorization
	}
	if _, err := time.Parse(time.DateOnly, scope[1]); err != nil {
		return tc3Auth{}, errBadAuthorization
	}
	return tc3Auth{secretID: scope[0], date: scope[1], service: scope[2],
		signedHeaders: strings.Split(strings.ToLower(headers), ";"), signature: sig}, nil
}

// tc3Signature is the signature the service expects for a request: headers holds the signed
// headers' values by lower-case name.
//
//	canonical request = method \n path \n query \n "name:value\n" lines (lower-cased, trimmed,
//	                    sorted by name) \n name;name \n hex(sha256(body))
//	string to sign    = TC3-HMAC-SHA256 \n timestamp \n date/service/tc3_request \n hex(sha256(canonical request))
//	key               = HMAC chain "TC3"+secretKey → date → service → "tc3_request"
func tc3Signature(secretKey, method, path, query string, headers map[string]string, body []byte, timestamp int64, date, service string) string {
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	slices.Sort(names)
	var canon strings.Builder
	canon.WriteString(method + "\n" + path + "\n" + query + "\n")
	for _, n := range names {
		canon.WriteString(n + ":" + strings.ToLower(strings.TrimSpace(headers[n])) + "\n")
	}
	bodySum := sha256.Sum256(body)
	canon.WriteString("\n" + strings.Join(names, ";") + "\n" + hex.EncodeToString(bodySum[:]))
	canonSum := sha256.Sum256([]byte(canon.String()))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(timestamp, 10) + "\n" + date + "/" + service + "/tc3_request\n" +
		hex.EncodeToString(canonSum[:])
	key := hmacSHA256([]byte("TC3"+secretKey), date)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "tc3_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
