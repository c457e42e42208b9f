package kyc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kycgo/kyc/internal/wire"
)

// The result decoding shared by every kyc1 product: verdicts, codes, lenient text, and the arena
// that holds a buffered answer's media.

// looseText renders a JSON scalar as text and a list of scalars as comma-separated text.
func looseText(raw json.RawMessage) string {
	var s wire.Str
	if json.Unmarshal(raw, &s) == nil {
		return string(s)
	}
	var list []wire.Str
	if json.Unmarshal(raw, &list) == nil {
		parts := make([]string, len(list))
		for i, x := range list {
			parts[i] = string(x)
		}
		return strings.Join(parts, ",")
	}
	return ""
}

// verdictOrErr is what a result query (sent with signedCall.verdict) does with a failed call: nil
// when the answer is a verdict, whose result the caller decodes; otherwise err, its *APIError
// completed from the result (addResultMeta).
func verdictOrErr(env *wire.Envelope, err error) error {
	if isVerdict(env, err) {
		return nil
	}
	var ae *APIError
	if env != nil && errors.As(err, &ae) {
		addResultMeta(ae, env)
	}
	return err
}

// isVerdict reports whether a non-zero answer is a verification verdict rather than a failure of
// the call: a code of the ErrVerificationFailed class, or an unclassed code that came with a
// result object.
func isVerdict(env *wire.Envelope, err error) bool {
	var ae *APIError
	if env == nil || !errors.As(err, &ae) || ae.Code == "" {
		return false
	}
	class := classOf(ae.Code)
	return class == ErrVerificationFailed || (class == nil && env.HasResult())
}

// arena holds the media of one answer in one allocation sized from the answer's length (base64
// is 4/3 of its content, so three quarters of the body bounds all media together). Fields are
// decoded one after another, so each occupies a contiguous range.
type arena struct{ buf []byte }

func (a *arena) reset(contentLength int64) {
	const maxPrealloc = 256 << 20
	if contentLength > 0 && contentLength <= maxPrealloc {
		a.buf = make([]byte, 0, contentLength*3/4+8)
	} else {
		a.buf = nil
	}
}

type arenaWriter struct {
	a          *arena
	start, end int
	used       bool
}

func (w *arenaWriter) Write(p []byte) (int, error) {
	if !w.used {
		w.start, w.used = len(w.a.buf), true
	}
	w.a.buf = append(w.a.buf, p...)
	w.end = len(w.a.buf)
	return len(p), nil
}

func (w *arenaWriter) bytes() Media {
	if w == nil || !w.used || w.end == w.start {
		return nil
	}
	return Media(w.a.buf[w.start:w.end:w.end])
}

// verdictErr is nil for code "0", otherwise the code as an *APIError.
func verdictErr(op, code, msg, bizSeqNo, orderNo, txTime string) error {
	if code == "0" {
		return nil
	}
	return &APIError{Op: op, Code: code, Msg: msg, BizSeqNo: bizSeqNo, OrderNo: orderNo, TransactionTime: txTime, HTTPStatus: 200}
}

// okCode is the envelope's code, with any spelling of zero as "0".
func okCode(env *wire.Envelope) string {
	if env.Code.OK() {
		return "0"
	}
	return string(env.Code)
}

// orDiscard is w, or io.Discard for nil: media fields are always registered so that an image the
// service sends unasked never counts against the envelope cap, and the request path needs a
// writer for each.
func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// frame points at the fields a result type repeats from the answer's frame; orderNo and bizSeqNo
// are required, code, msg and txTime nil together for a type that has none of them (Photos).
type frame struct{ code, msg, orderNo, bizSeqNo, txTime *string }

// decodeResult decodes env's result object into res (decodeObject), checks the answer is about
// orderNo (checkFrame, with the orderNo and bizSeqNo res read from the result), then fills f
// from the frame: the code (every spelling of zero as "0"), msg and transactionTime, the
// orderNo asked about when the result names none, and the frame's bizSeqNo before the result's.
// It returns the result's members by key, for callers that read more of it.
func decodeResult(op, orderNo string, env *wire.Envelope, res any, f frame) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if env.HasResult() {
		var err error
		if obj, err = decodeObject(env.Result, res); err != nil {
			return nil, fmt.Errorf("kyc: %s: %w: result does not decode", op, ErrBadResponse)
		}
	}
	if err := checkFrame(op, orderNo, env, env.HasResult(), *f.orderNo, *f.bizSeqNo); err != nil {
		return nil, err
	}
	if f.code != nil {
		*f.code, *f.msg, *f.txTime = okCode(env), env.Msg, string(env.TransactionTime)
	}
	*f.orderNo = firstNonEmpty(*f.orderNo, orderNo)
	*f.bizSeqNo = firstNonEmpty(env.BizSeqNo, *f.bizSeqNo)
	return obj, nil
}

// normCode is a result code (Errcode, ErrorCode, ErrCode) that arrived as a number or a string,
// as text: "0" for any spelling of zero, "" when absent, else trimmed ("2016").
func normCode(c wire.Code) string {
	c = wire.Code(strings.TrimSpace(string(c)))
	if c.OK() {
		return "0"
	}
	return string(c)
}
