package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinel errors of DecodeStream. The errors it returns are *StreamError values wrapping one of
// these (or io.ErrUnexpectedEOF, a reader's error or a writer's error); test them with errors.Is.
// No error ever quotes the input: answers carry photos and personal details. They are constants
// of a string error type, so that nothing can reassign them.
const (
	// ErrSyntax reports malformed JSON, including a duplicated "result" key or a media field
	// that appears twice in "result".
	ErrSyntax = sentinel("wire: malformed JSON")
	// ErrTooLarge reports that the non-media part of the answer exceeds maxOther bytes.
	ErrTooLarge = sentinel("wire: answer too large")
	// ErrBase64 reports a media field whose text is not valid base64.
	ErrBase64 = sentinel("wire: invalid base64")
	// ErrType reports a value of the wrong JSON type: an answer that is not an object, an envelope
	// field that does not decode into Envelope, or a media field that is not a string (or, for a
	// list, an array of strings) or null.
	ErrType = sentinel("wire: unexpected JSON type")
)

// sentinel is the type of the package's error constants.
type sentinel string

func (e sentinel) Error() string { return string(e) }

// StreamError is the error type of DecodeStream. Its message names the byte offset and, where one
// is known, the envelope or media field (as the caller or Envelope spells it), never the content.
type StreamError struct {
	Offset int64  // bytes of input consumed before the problem was found
	Field  string // envelope or media field name; "" when none applies
	Err    error  // ErrSyntax, ErrTooLarge, ErrBase64, ErrType, io.ErrUnexpectedEOF, or a reader's or writer's error
	detail string // fixed text written by this package
}

// Error names the field and the byte offset, never the data.
func (e *StreamError) Error() string {
	var b strings.Builder
	b.WriteString("wire: stream")
	if e.Field != "" {
		b.WriteString(" field ")
		b.WriteString(strconv.Quote(e.Field))
	}
	b.WriteString(" at byte ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	if e.detail != "" {
		b.WriteString(": ")
		b.WriteString(e.detail)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the sentinel or the underlying reader or writer error.
func (e *StreamError) Unwrap() error { return e.Err }

// MediaSink says where base64 media fields of the "result" object go.
type MediaSink struct {
	// Fields maps a field name inside "result" to the writer that receives its decoded bytes.
	// A nil writer decodes and validates the field but discards the bytes.
	Fields map[string]io.Writer
	// Lists maps the name of a field whose value is a JSON array of base64 strings (e.g.
	// "photoList") to a function that is called before each non-null element, with the element's
	// index in the array, and returns the writer for it (nil discards the element). A single
	// string instead of an array is taken as a one-element list. A name in both maps is a Field.
	Lists map[string]func(index int) (io.Writer, error)
	//
	// A Lists name of the form "list.member" (e.g. "willTurnsData.willUserAudio") streams the
	// member of that name in each object element of the array field list: the function is
	// called, with the element's index in the array, when the member is met. The elements' other
	// members are kept, and list appears in env.Result with the streamed members removed.
	// Elements that are not objects are kept as they are, and so is a null list. An exact name
	// match (a Field or a List called "list") takes precedence.
}

const (
	streamReadBuf  = 32 << 10 // bufio.Reader size
	streamQuadBuf  = 32 << 10 // base64 characters decoded per Write (into 24 KiB); a multiple of 4
	maxStreamDepth = 10000    // same nesting limit as encoding/json
)

// DecodeStream reads one kyc1 answer from r. Top-level fields decode into env (Code, Msg,
// BizSeqNo, TransactionTime, OrderNo as in Envelope; env.Result is set to the JSON of the
// "result" object with the media fields removed). Media fields listed in sink are base64-decoded
// (standard encoding, padding optional, whitespace and JSON escapes such as \/ and \n tolerated)
// straight into their writers as the bytes arrive, never held whole in memory. maxOther caps the
// bytes of everything that is not streamed media (the envelope and the other result fields);
// passing it is an error. Returns how many media bytes were written per field name.
//
// Details:
//   - *env is reset first; env may be nil. Top-level keys match Envelope's fields as
//     encoding/json would (case-insensitively, the last duplicate winning); unknown keys are
//     ignored. env.Result stays nil when "result" is absent and is "null" when it is null; a
//     non-object result is kept as it is. env.Result is compact JSON; nested values are kept.
//   - Media keys inside "result" match sink names exactly. A media value may be a string or
//     null; null, "" and a missing field write nothing (a writer never sees a zero-length Write).
//     The returned map has an entry for every sink field present with a non-null value (for a
//     list: the sum over its elements); it is returned, partial, with an error too.
//   - maxOther counts input bytes, including whitespace, outside the contents of streamed media
//     strings; going over it is ErrTooLarge. A negative value counts as 0. Memory use is
//     fixed buffers (about 60 KiB) plus an amount proportional to the non-media bytes.
//   - The answer must be a single JSON object; only whitespace may follow it.
//   - Errors are *StreamError. A body that ends early wraps io.ErrUnexpectedEOF; a writer's or a
//     Lists function's error is wrapped. On error *env may be partly filled and the writers may
//     already have received part of the media.
func DecodeStream(r io.Reader, sink MediaSink, maxOther int64, env *Envelope) (map[string]int64, error) {
	if env == nil {
		env = new(Envelope)
	}
	*env = Envelope{}
	if maxOther < 0 {
		maxOther = 0
	}
	d := &streamDecoder{
		br:     bufio.NewReaderSize(r, streamReadBuf),
		max:    maxOther,
		sink:   sink,
		env:    env,
		counts: make(map[string]int64),
	}
	err := d.answer()
	return d.counts, err
}

type streamDecoder struct {
	br     *bufio.Reader
	off    int64 // bytes consumed
	other  int64 // bytes consumed outside media string contents
	max    int64
	sink   MediaSink
	env    *Envelope
	counts map[string]int64
	depth  int
	key    []byte                                             // scratch for object keys
	objs   map[string]map[string]func(int) (io.Writer, error) // "list.member" Lists, by list

	// base64 state of the media string being decoded
	quad  []byte // base64 characters of a quantum decoded byte by byte (at most 4)
	out   []byte // decoded bytes not yet written; written when full and at the string's end
	outN  int    // how many of out are pending
	pad   int    // '=' seen so far
	field string // sink name of the current media field
	w     io.Writer
	n     int64 // bytes written for the current element
}

// fail builds an error located at offset at.
func (d *streamDecoder) fail(at int64, field string, err error, detail string) error {
	return &StreamError{Offset: at, Field: field, Err: err, detail: detail}
}

func (d *streamDecoder) syntax(at int64, detail string) error {
	return d.fail(at, "", ErrSyntax, detail)
}

// readErr converts a read error: EOF in the middle of the answer is io.ErrUnexpectedEOF.
func (d *streamDecoder) readErr(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return d.fail(d.off, d.field, err, "")
}

// next consumes one byte of the non-media part, charging it to the maxOther budget.
func (d *streamDecoder) next() (byte, error) {
	c, err := d.br.ReadByte()
	if err != nil {
		return 0, d.readErr(err)
	}
	d.off++
	d.other++
	if d.other > d.max {
		return 0, d.fail(d.off-1, "", ErrTooLarge, "non-media part over the limit")
	}
	return c, nil
}

// rawNext consumes one byte inside a media string (not charged to the budget).
func (d *streamDecoder) rawNext() (byte, error) {
	c, err := d.br.ReadByte()
	if err != nil {
		return 0, d.readErr(err)
	}
	d.off++
	return c, nil
}

// peekWS skips whitespace and returns the next byte without consuming it. At the end of input it
// returns io.EOF unwrapped so that the caller decides whether that is an error.
func (d *streamDecoder) peekWS() (byte, error) {
	for {
		b, err := d.br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, d.readErr(err)
		}
		switch b[0] {
		case ' ', '\t', '\n', '\r':
			if _, err := d.next(); err != nil {
				return 0, err
			}
		default:
			return b[0], nil
		}
	}
}

// peekValue is peekWS where the end of input is an error.
func (d *streamDecoder) peekValue() (byte, error) {
	c, err := d.peekWS()
	if err == io.EOF {
		return 0, d.readErr(err)
	}
	return c, err
}

// take consumes the next non-space byte and returns it; the end of input is an error.
func (d *streamDecoder) take() (byte, error) {
	c, err := d.peekValue()
	if err != nil {
		return c, err
	}
	_, err = d.next()
	return c, err
}

// expect consumes the next non-space byte, which must be want.
func (d *streamDecoder) expect(want byte, detail string) error {
	c, err := d.peekValue()
	if err != nil {
		return err
	}
	if c != want {
		return d.syntax(d.off, detail)
	}
	_, err = d.next()
	return err
}

func (d *streamDecoder) push() error {
	d.depth++
	if d.depth > maxStreamDepth {
		return d.syntax(d.off-1, "nesting too deep")
	}
	return nil
}

// answer decodes the top-level object.
func (d *streamDecoder) answer() error {
	c, err := d.peekValue()
	if err != nil {
		return err
	}
	if c != '{' {
		if c == '[' || c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' || isDigit(c) {
			return d.fail(d.off, "", ErrType, "answer is not a JSON object")
		}
		return d.syntax(d.off, "invalid character")
	}
	if _, err := d.next(); err != nil {
		return err
	}
	if err := d.push(); err != nil {
		return err
	}
	seenResult := false
	err = d.members(func(key []byte, keyAt int64) error {
		k, err := d.unquote(key, keyAt)
		if err != nil {
			return err
		}
		if strings.EqualFold(k, "result") {
			if seenResult {
				return d.syntax(keyAt, "duplicate result key")
			}
			seenResult = true
			return d.result()
		}
		var dst any
		var name string
		switch {
		case strings.EqualFold(k, "code"):
			dst, name = &d.env.Code, "code"
		case strings.EqualFold(k, "msg"):
			dst, name = &d.env.Msg, "msg"
		case strings.EqualFold(k, "bizSeqNo"):
			dst, name = &d.env.BizSeqNo, "bizSeqNo"
		case strings.EqualFold(k, "transactionTime"):
			dst, name = &d.env.TransactionTime, "transactionTime"
		case strings.EqualFold(k, "orderNo"):
			dst, name = &d.env.OrderNo, "orderNo"
		default:
			_, err := d.value(nil, false)
			return err
		}
		at := d.off
		raw, err := d.value(nil, true)
		if err != nil {
			return err
		}
		if json.Unmarshal(raw, dst) != nil {
			return d.fail(at, name, ErrType, "")
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.depth--
	// Only whitespace may follow the answer.
	if _, err := d.peekWS(); err != io.EOF {
		if err != nil {
			return err
		}
		return d.syntax(d.off, "data after the answer")
	}
	return nil
}

// members reads the members of an object whose '{' has been consumed, up to and including its
// '}', calling member with each raw key (quotes included) positioned before the value.
func (d *streamDecoder) members(member func(key []byte, keyAt int64) error) error {
	c, err := d.peekValue()
	if err != nil {
		return err
	}
	if c == '}' {
		_, err := d.next()
		return err
	}
	for {
		c, err := d.peekValue()
		if err != nil {
			return err
		}
		if c != '"' {
			return d.syntax(d.off, "expected a key")
		}
		keyAt := d.off
		if _, err := d.next(); err != nil {
			return err
		}
		d.key, err = d.str(append(d.key[:0], '"'), true)
		if err != nil {
			return err
		}
		if err := d.expect(':', "expected ':'"); err != nil {
			return err
		}
		if err := member(d.key, keyAt); err != nil {
			return err
		}
		c, err = d.peekValue()
		if err != nil {
			return err
		}
		if _, err := d.next(); err != nil {
			return err
		}
		switch c {
		case ',':
		case '}':
			return nil
		default:
			return d.syntax(d.off-1, "expected ',' or '}'")
		}
	}
}

// unquote decodes a raw JSON string (quotes included) the way encoding/json does.
func (d *streamDecoder) unquote(raw []byte, at int64) (string, error) {
	in := raw[1 : len(raw)-1]
	if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return string(in), nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", d.syntax(at, "bad string")
	}
	return s, nil
}

// result decodes the "result" value; media fields go to the sink, the rest into env.Result.
func (d *streamDecoder) result() error {
	c, err := d.peekValue()
	if err != nil {
		return err
	}
	if c != '{' {
		raw, err := d.value(nil, true)
		if err != nil {
			return err
		}
		d.env.Result = raw
		return nil
	}
	if _, err := d.next(); err != nil {
		return err
	}
	if err := d.push(); err != nil {
		return err
	}
	buf := []byte{'{'}
	seen := map[string]bool{}
	err = d.members(func(key []byte, keyAt int64) error {
		k, err := d.unquote(key, keyAt)
		if err != nil {
			return err
		}
		w, isField := d.sink.Fields[k]
		next, isList := d.sink.Lists[k]
		members, isObjs := d.objectLists()[k]
		if !isField && !isList && !isObjs {
			buf, err = d.value(memberKey(buf, 1, key), true)
			return err
		}
		if err := d.firstMedia(seen, k, keyAt, k); err != nil {
			return err
		}
		if isField {
			return d.mediaField(k, w)
		}
		if isList {
			return d.mediaList(k, next)
		}
		buf, err = d.objectList(memberKey(buf, 1, key), k, members)
		return err
	})
	if err != nil {
		return err
	}
	d.depth--
	d.env.Result = append(buf, '}')
	return nil
}
