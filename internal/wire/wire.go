// Package wire decodes the kyc1 service's JSON tolerantly: codes and lifetimes that arrive as
// strings or numbers, the "result" envelope, unknown fields ignored (the manual asks partners not
// to validate responses strictly, docs/A-auth-sign-face.md §4 and §8).
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Code is a response code sent as a JSON string ("0") or number (0, -5008). It keeps the
// text form; null and absent decode to "".
type Code string

// UnmarshalJSON accepts a string, a number or null.
func (c *Code) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	*c = Code(s)
	return nil
}

// OK reports whether the code means success ("0"; an integer zero written in another way too).
func (c Code) OK() bool {
	if c == "0" {
		return true
	}
	n, err := strconv.ParseInt(string(c), 10, 64)
	return err == nil && n == 0 && c != ""
}

// Int is an integer sent as a JSON number or a string ("7200"); null and "" decode to 0.
type Int int64

// UnmarshalJSON accepts a number, a numeric string or null.
func (n *Int) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return errors.New("wire: not an integer")
		}
		v = int64(f)
	}
	*n = Int(v)
	return nil
}

// Str is a string that may arrive as a JSON number or boolean; its text form is kept.
type Str string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (s *Str) UnmarshalJSON(b []byte) error {
	t, err := scalarText(b)
	if err != nil {
		return err
	}
	*s = Str(t)
	return nil
}

// scalarText returns the text of a JSON string, number, boolean or null ("" for null). The error
// never quotes the input: it may hold personal data.
func scalarText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", errors.New("wire: empty value")
	}
	switch b[0] {
	case '"':
		// Most values are plain: no escapes, so the text between the quotes is the string.
		if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 && bytes.IndexByte(b[1:len(b)-1], '"') < 0 && utf8.Valid(b) {
			return string(b[1 : len(b)-1]), nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", errors.New("wire: bad string")
		}
		return s, nil
	case 'n':
		if string(b) == "null" {
			return "", nil
		}
	case 't', 'f':
		if string(b) == "true" || string(b) == "false" {
			return string(b), nil
		}
	default:
		if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') {
			if json.Valid(b) {
				return string(b), nil
			}
		}
	}
	return "", errors.New("wire: expected a string or a number")
}

// Envelope is the kyc1 response frame. Result is left raw for the caller's typed decode.
type Envelope struct {
	Code            Code            `json:"code"`
	Msg             string          `json:"msg"`
	BizSeqNo        string          `json:"bizSeqNo"`
	TransactionTime Str             `json:"transactionTime"`
	OrderNo         string          `json:"orderNo"`
	Result          json.RawMessage `json:"result"`
}

// ResultMeta is what a "result" object may repeat from the envelope.
type ResultMeta struct {
	BizSeqNo        string `json:"bizSeqNo"`
	OrderNo         string `json:"orderNo"`
	TransactionTime Str    `json:"transactionTime"`
}

// HasResult reports whether the envelope carries a non-null result object.
func (e *Envelope) HasResult() bool {
	r := bytes.TrimSpace(e.Result)
	return len(r) > 0 && !bytes.Equal(r, []byte("null"))
}

// TokenResponse is the access_token answer (docs/A-auth-sign-face.md §2.1): fields are at the top level.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpireIn    Int    `json:"expire_in"`
	ExpireTime  Str    `json:"expire_time"` // display only: never used for validity
}

// TicketResponse is the api_ticket answer (docs/A-auth-sign-face.md §2.2-2.3).
type TicketResponse struct {
	Tickets []struct {
		Value      string `json:"value"`
		ExpireIn   Int    `json:"expire_in"`
		ExpireTime Str    `json:"expire_time"`
	} `json:"tickets"`
}
