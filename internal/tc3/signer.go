package tc3

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Signer makes the Authorization header of JSONPost requests for one key pair and service, the
// same header as Authorization(secretID, secretKey, JSONPost(...)) but at a fraction of the cost:
// the derived key (four HMACs) is kept for its UTC day, and the canonical headers, fixed by the
// JSONPost shape, are written straight into one buffer instead of being built, lower-cased and
// sorted per call. It is safe for concurrent use.
type Signer struct {
	secretID, secretKey, service string
	day                          atomic.Pointer[dayKey]
}

// dayKey is what a Signer derives once per UTC day.
type dayKey struct {
	day        int64  // days since 1970-01-01 UTC
	scope      string // date/service/tc3_request
	prefix     string // the Authorization header up to the hex signature
	ipad, opad [sha256.BlockSize]byte
}

// NewSigner returns a Signer for a key pair and a service (e.g. "faceid").
func NewSigner(secretID, secretKey, service string) *Signer {
	return &Signer{secretID: secretID, secretKey: secretKey, service: service}
}

// jsonPostHeaders is the part of the canonical request between the query and the host value:
// JSONPost signs content-type (always application/json) and host, in that (sorted) order.
const (
	jsonPostHead = "POST\n/\n\ncontent-type:application/json\nhost:"
	jsonPostTail = "\n\ncontent-type;host\n"
)

// Authorization is the Authorization header for JSONPost(host, service, timestamp, payload).
func (s *Signer) Authorization(host string, timestamp int64, payload []byte) string {
	k := s.key(timestamp)
	host = strings.TrimSpace(host)
	if strings.IndexFunc(host, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 0x80 }) >= 0 {
		host = strings.ToLower(host) // as canonicalHeaders does; hosts are lower-case in practice
	}

	// The canonical request, hashed.
	var stack [320]byte
	buf := append(stack[:0], jsonPostHead...)
	buf = append(buf, host...)
	buf = append(buf, jsonPostTail...)
	sum := sha256.Sum256(payload)
	buf = hex.AppendEncode(buf, sum[:])
	sum = sha256.Sum256(buf)

	// HMAC-SHA256(key, string to sign) = H(key^opad || H(key^ipad || string to sign)), with the
	// padded keys computed once per day.
	buf = append(buf[:0], k.ipad[:]...)
	buf = append(buf, Algorithm+"\n"...)
	buf = strconv.AppendInt(buf, timestamp, 10)
	buf = append(buf, '\n')
	buf = append(buf, k.scope...)
	buf = append(buf, '\n')
	buf = hex.AppendEncode(buf, sum[:])
	inner := sha256.Sum256(buf)
	var outer [sha256.BlockSize + sha256.Size]byte
	copy(outer[:], k.opad[:])
	copy(outer[sha256.BlockSize:], inner[:])
	sig := sha256.Sum256(outer[:])

	var hexSig [2 * sha256.Size]byte
	hex.Encode(hexSig[:], sig[:])
	var b strings.Builder
	b.Grow(len(k.prefix) + len(hexSig))
	b.WriteString(k.prefix)
	b.Write(hexSig[:])
	return b.String()
}

// key returns the day's derived key, deriving it when the UTC day of timestamp is not the one
// kept. Two days in use at once (calls on both sides of midnight) only cost extra derivations.
func (s *Signer) key(timestamp int64) *dayKey {
	day := timestamp / 86400
	if timestamp%86400 < 0 {
		day-- // floor: the day of a timestamp before 1970 starts before it
	}
	if k := s.day.Load(); k != nil && k.day == day {
		return k
	}
	date := time.Unix(day*86400, 0).UTC().Format("2006-01-02")
	k := &dayKey{day: day, scope: date + "/" + s.service + "/tc3_request"}
	k.prefix = Algorithm + " Credential=" + s.secretID + "/" + k.scope + ", SignedHeaders=content-type;host, Signature="
	key := Key(s.secretKey, date, s.service) // 32 bytes: shorter than a block, so used as is
	for i := range k.ipad {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		k.ipad[i], k.opad[i] = b^0x36, b^0x5c
	}
	s.day.Store(k)
	return k
}
