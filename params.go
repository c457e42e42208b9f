package kyc

import (
	"bytes"
	"log/slog"
	"net/url"
	"unicode/utf8"
)

// params is an ordered set of wire fields, all strings. It marshals to a JSON object (empty
// values left out), renders as a query string, and feeds the signer table by name, so that the
// values sent and the values signed can never differ.
type params []param

type param struct{ k, v string }

func (p params) get(k string) (string, bool) {
	for _, kv := range p {
		if kv.k == k {
			return kv.v, kv.v != ""
		}
	}
	return "", false
}

func (p *params) set(k, v string) {
	for i := range *p {
		if (*p)[i].k == k {
			(*p)[i].v = v
			return
		}
	}
	*p = append(*p, param{k, v})
}

// sign fills the "sign" field (or signField) from the signer-table row for endpoint.
func (p *params) sign(endpoint, signField, ticket string) {
	p.set(signField, mustRule(endpoint).Sign(ticket, p.get))
}

// MarshalJSON writes the non-empty fields in order.
func (p params) MarshalJSON() ([]byte, error) { return p.appendJSON(nil), nil }

// appendJSON writes the object without going through reflection.
func (p params) appendJSON(b []byte) []byte {
	n := 2
	for _, kv := range p {
		n += len(kv.k) + len(kv.v) + 6
	}
	if b == nil {
		b = make([]byte, 0, n+n/8)
	}
	b = append(b, '{')
	first := true
	for _, kv := range p {
		if kv.v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, kv.k)
		b = append(b, ':')
		b = appendJSONString(b, kv.v)
	}
	return append(b, '}')
}

// appendJSONString writes s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced by U+FFFD as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// query encodes the non-empty fields in order (the documented examples list them in order).
func (p params) query() string {
	var b bytes.Buffer
	for _, kv := range p {
		if kv.v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.v))
	}
	return b.String()
}

// String keeps params out of logs: they carry signatures, names and ID numbers.
func (p params) String() string { return "params(REDACTED)" }

// LogValue keeps params out of structured logs.
func (p params) LogValue() slog.Value { return slog.StringValue("REDACTED") }
