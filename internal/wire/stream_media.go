package wire

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// mediaField decodes a media value that is a string or null.
func (d *streamDecoder) mediaField(name string, w io.Writer) error {
	c, done, err := d.mediaValue()
	if done {
		return err
	}
	if c != '"' {
		return d.fail(d.off, name, ErrType, "media field is not a string")
	}
	d.counts[name] += 0
	return d.media(name, w)
}

// mediaValue peeks at a media value. A null is consumed (done, with its error); otherwise c is its
// first byte, left for the caller to judge.
func (d *streamDecoder) mediaValue() (c byte, done bool, err error) {
	c, err = d.peekValue()
	if err != nil {
		return c, true, err
	}
	if c == 'n' {
		_, err = d.value(nil, false)
		return c, true, err
	}
	return c, false, nil
}

// listSep consumes the ',' or ']' after a list element; end reports the ']' (the list's depth
// is then popped).
func (d *streamDecoder) listSep() (end bool, err error) {
	c, err := d.take()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		return false, nil
	case ']':
		d.depth--
		return true, nil
	default:
		return false, d.syntax(d.off-1, "expected ',' or ']'")
	}
}

// mediaList decodes a list of media strings: an array of strings and nulls, a string, or null.
func (d *streamDecoder) mediaList(name string, next func(int) (io.Writer, error)) error {
	c, done, err := d.mediaValue()
	if done {
		return err
	}
	switch c {
	case '"':
		d.counts[name] += 0
		return d.listElem(name, next, 0)
	case '[':
	default:
		return d.fail(d.off, name, ErrType, "media list is not an array")
	}
	d.counts[name] += 0
	if _, err := d.next(); err != nil {
		return err
	}
	if err := d.push(); err != nil {
		return err
	}
	c, err = d.peekValue()
	if err != nil {
		return err
	}
	if c == ']' {
		d.depth--
		_, err := d.next()
		return err
	}
	for i := 0; ; i++ {
		c, err := d.peekValue()
		if err != nil {
			return err
		}
		switch c {
		case 'n':
			if _, err := d.value(nil, false); err != nil {
				return err
			}
		case '"':
			if err := d.listElem(name, next, i); err != nil {
				return err
			}
		default:
			if c == '[' || c == '{' || c == 't' || c == 'f' || c == '-' || isDigit(c) {
				return d.fail(d.off, name, ErrType, "media list element is not a string")
			}
			return d.syntax(d.off, "invalid character")
		}
		if end, err := d.listSep(); end || err != nil {
			return err
		}
	}
}

// objectLists returns the "list.member" entries of sink.Lists by list name, then member name.
func (d *streamDecoder) objectLists() map[string]map[string]func(int) (io.Writer, error) {
	if d.objs == nil {
		d.objs = map[string]map[string]func(int) (io.Writer, error){}
		for name, next := range d.sink.Lists {
			list, member, ok := strings.Cut(name, ".")
			if !ok || list == "" || member == "" {
				continue
			}
			if d.objs[list] == nil {
				d.objs[list] = map[string]func(int) (io.Writer, error){}
			}
			d.objs[list][member] = next
		}
	}
	return d.objs
}

// objectList decodes an array of objects whose members named in members stream to the writers
// those functions return; the array, without those members, is appended to dst.
func (d *streamDecoder) objectList(dst []byte, name string, members map[string]func(int) (io.Writer, error)) ([]byte, error) {
	c, err := d.peekValue()
	if err != nil {
		return dst, err
	}
	switch c {
	case 'n':
		return d.value(dst, true)
	case '[':
	default:
		return dst, d.fail(d.off, name, ErrType, "media object list is not an array")
	}
	d.counts[name] += 0
	if _, err := d.next(); err != nil {
		return dst, err
	}
	if err := d.push(); err != nil {
		return dst, err
	}
	dst = append(dst, '[')
	for i := 0; ; i++ {
		c, err := d.peekValue()
		if err != nil {
			return dst, err
		}
		if c == ']' && i == 0 {
			if _, err := d.next(); err != nil {
				return dst, err
			}
			d.depth--
			return append(dst, ']'), nil
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		if c == '{' {
			dst, err = d.mediaObject(dst, name, members, i)
		} else {
			dst, err = d.value(dst, true)
		}
		if err != nil {
			return dst, err
		}
		end, err := d.listSep()
		if err != nil {
			return dst, err
		}
		if end {
			return append(dst, ']'), nil
		}
	}
}

// mediaObject decodes element i of a media object list (positioned at its '{'): members named in
// members stream to their writers, the others are appended to dst.
func (d *streamDecoder) mediaObject(dst []byte, name string, members map[string]func(int) (io.Writer, error), i int) ([]byte, error) {
	if _, err := d.next(); err != nil {
		return dst, err
	}
	if err := d.push(); err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	start := len(dst)
	seen := map[string]bool{}
	err := d.members(func(key []byte, keyAt int64) error {
		k, err := d.unquote(key, keyAt)
		if err != nil {
			return err
		}
		next, isMedia := members[k]
		if !isMedia {
			dst, err = d.value(memberKey(dst, start, key), true)
			return err
		}
		if err := d.firstMedia(seen, k, keyAt, name); err != nil {
			return err
		}
		c, done, err := d.mediaValue()
		if done {
			return err
		}
		if c != '"' {
			return d.fail(d.off, name, ErrType, "media field is not a string")
		}
		var w io.Writer
		if next != nil {
			if w, err = next(i); err != nil {
				return d.fail(d.off, name, err, "media object list element "+strconv.Itoa(i))
			}
		}
		return d.media(name, w)
	})
	if err != nil {
		return dst, err
	}
	d.depth--
	return append(dst, '}'), nil
}

// memberKey appends `,"key":` (no comma before the first member, which starts at start) to an
// object being rebuilt in dst; the caller appends the value.
func memberKey(dst []byte, start int, key []byte) []byte {
	if len(dst) > start {
		dst = append(dst, ',')
	}
	dst = append(dst, key...)
	return append(dst, ':')
}

// firstMedia records media key k in seen and refuses it the second time: a media field must not
// appear twice in one object.
func (d *streamDecoder) firstMedia(seen map[string]bool, k string, keyAt int64, field string) error {
	if seen[k] {
		return d.fail(keyAt, field, ErrSyntax, "duplicate media key")
	}
	seen[k] = true
	return nil
}

func (d *streamDecoder) listElem(name string, next func(int) (io.Writer, error), i int) error {
	var w io.Writer
	if next != nil {
		var err error
		w, err = next(i)
		if err != nil {
			return d.fail(d.off, name, err, "media list element "+strconv.Itoa(i))
		}
	}
	return d.media(name, w)
}

// media streams one JSON string (positioned at its opening quote) through the base64 decoder
// into w, adding the decoded length to counts[name].
func (d *streamDecoder) media(name string, w io.Writer) error {
	if _, err := d.next(); err != nil { // opening quote
		return err
	}
	if d.out == nil {
		d.quad = make([]byte, 0, 4)
		d.out = make([]byte, streamQuadBuf/4*3)
	}
	d.quad, d.outN, d.pad, d.field, d.w, d.n = d.quad[:0], 0, 0, name, w, 0
	err := d.mediaBody()
	d.counts[name] += d.n
	d.field, d.w = "", nil
	return err
}

// b64class classifies bytes inside a media string.
var b64class = func() (t [256]uint8) {
	for i := range t {
		t[i] = clsBad
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = clsChar
	}
	t['='] = clsPad
	t[' '], t['\t'], t['\n'], t['\r'] = clsSpace, clsSpace, clsSpace, clsSpace
	return t
}()

const (
	clsChar = iota
	clsPad
	clsSpace
	clsBad
)

// mediaBody reads the rest of a media string. It finds where the string's plain text stops (its
// closing quote or next escape) with bytes.IndexByte, and hands whole quanta of that text to the
// base64 decoder, which validates them: looking at each byte here would cost as much as the
// decoding. Only text the decoder refuses (padding, spaces, anything wrong) and the few
// characters around an escape go through the byte-by-byte rules of b64byte.
func (d *streamDecoder) mediaBody() error {
	for {
		if d.br.Buffered() == 0 {
			if _, err := d.br.Peek(1); err != nil {
				return d.readErr(err)
			}
		}
		buf, _ := d.br.Peek(d.br.Buffered())
		// The closing quote is searched for once per buffer, not once per escape: escapes may
		// be frequent (every '/' as \/).
		q := bytes.IndexByte(buf, '"')
		if q < 0 {
			q = len(buf)
		}
		for pos := 0; ; {
			end := q
			if e := bytes.IndexByte(buf[pos:q], '\\'); e >= 0 {
				end = pos + e
			}
			i, err := d.mediaText(buf[pos:end])
			d.off += int64(i)
			_, _ = d.br.Discard(i)
			pos += i
			if err != nil {
				return err
			}
			if end == len(buf) {
				break // more input needed
			}
			if end == q {
				if _, err := d.next(); err != nil {
					return err
				}
				return d.finish()
			}
			// An escape. The longest (\uXXXX) is 6 bytes: one that may run past the buffered
			// bytes makes the reader fill its buffer, so buf is peeked again after it.
			at := d.off
			if _, err := d.rawNext(); err != nil {
				return err
			}
			if err := d.mediaEscape(at); err != nil {
				return err
			}
			if len(buf)-end < 6 {
				break
			}
			pos += int(d.off - at)
		}
	}
}

// mediaText decodes text of a media string holding no quote and no backslash, which starts at
// offset d.off. It returns how many bytes it consumed: all of them, unless it fails.
func (d *streamDecoder) mediaText(text []byte) (int, error) {
	i := 0
	for i < len(text) {
		if len(d.quad) > 0 || d.pad > 0 {
			// Within a quantum, or after padding: byte by byte.
			if err := d.textByte(text[i], d.off+int64(i)); err != nil {
				return i, err
			}
			i++
			continue
		}
		room := (len(d.out) - d.outN) / 3 * 4
		if room == 0 {
			if err := d.emit(d.off + int64(i)); err != nil {
				return i, err
			}
			continue
		}
		m := min(len(text)-i, room) &^ 3
		if m == 0 {
			// Under a quantum left: the rest waits in d.quad for the next text.
			for ; i < len(text); i++ {
				if err := d.textByte(text[i], d.off+int64(i)); err != nil {
					return i, err
				}
			}
			return i, nil
		}
		chunk := text[i : i+m]
		// The decoder skips raw CR and LF, which JSON forbids in a string: those go the slow way.
		if bytes.IndexByte(chunk, '\n') < 0 && bytes.IndexByte(chunk, '\r') < 0 {
			if n, err := base64.RawStdEncoding.Decode(d.out[d.outN:], chunk); err == nil {
				d.outN += n
				i += m
				continue
			}
		}
		// Not plain base64: the same bytes by the rules, which find what is wrong, or skip
		// spaces and take padding.
		for end := i + m; i < end; i++ {
			if err := d.textByte(text[i], d.off+int64(i)); err != nil {
				return i, err
			}
		}
	}
	return i, nil
}

// textByte feeds one raw byte of a media string: a control character is a JSON syntax error,
// anything else a base64 character.
func (d *streamDecoder) textByte(c byte, at int64) error {
	if c < 0x20 {
		return d.syntax(at, "control character in string")
	}
	return d.b64byte(c, at)
}

// mediaEscape decodes the JSON escape after a backslash at offset at inside a media string.
func (d *streamDecoder) mediaEscape(at int64) error {
	e, err := d.rawNext()
	if err != nil {
		return err
	}
	switch e {
	case '/':
		return d.b64byte('/', at)
	case 'n', 'r', 't':
		return nil
	case '"', '\\', 'b', 'f':
		return d.fail(at, d.field, ErrBase64, "invalid character")
	case 'u':
		var r rune
		for k := 0; k < 4; k++ {
			h, err := d.rawNext()
			if err != nil {
				return err
			}
			v := unhex(h)
			if v < 0 {
				return d.syntax(d.off-1, "bad \\u escape")
			}
			r = r<<4 | rune(v)
		}
		if r >= 0x80 {
			return d.fail(at, d.field, ErrBase64, "invalid character")
		}
		return d.b64byte(byte(r), at)
	default:
		return d.syntax(at, "bad escape")
	}
}

// b64byte feeds one (unescaped) character of a media string.
func (d *streamDecoder) b64byte(c byte, at int64) error {
	switch b64class[c] {
	case clsChar:
		if d.pad > 0 {
			return d.fail(at, d.field, ErrBase64, "data after padding")
		}
		d.quad = append(d.quad, c)
		if len(d.quad) == 4 {
			return d.flush(at + 1)
		}
	case clsPad:
		d.pad++
		if d.pad > 2 {
			return d.fail(at, d.field, ErrBase64, "too much padding")
		}
	case clsSpace:
	default:
		return d.fail(at, d.field, ErrBase64, "invalid character")
	}
	return nil
}

// flush decodes the pending characters (a whole quantum, or the final partial one) into d.out.
func (d *streamDecoder) flush(at int64) error {
	if len(d.out)-d.outN < 3 {
		if err := d.emit(at); err != nil {
			return err
		}
	}
	n, err := base64.RawStdEncoding.Decode(d.out[d.outN:], d.quad)
	d.quad = d.quad[:0]
	if err != nil {
		return d.fail(at, d.field, ErrBase64, "")
	}
	d.outN += n
	return nil
}

// emit writes the decoded bytes held in d.out.
func (d *streamDecoder) emit(at int64) error {
	n := d.outN
	d.outN = 0
	if n == 0 {
		return nil
	}
	if d.w != nil {
		wn, err := d.w.Write(d.out[:n])
		if err == nil && wn != n {
			err = io.ErrShortWrite
		}
		if wn > 0 && wn <= n {
			d.n += int64(wn)
		}
		if err != nil {
			return d.fail(at, d.field, fmt.Errorf("writing media: %w", err), "")
		}
		return nil
	}
	d.n += int64(n)
	return nil
}

// finish checks the end of a media string and writes its last bytes.
func (d *streamDecoder) finish() error {
	m := len(d.quad) % 4
	switch {
	case m == 1:
		return d.fail(d.off, d.field, ErrBase64, "truncated quantum")
	case d.pad > 0 && (m == 0 || d.pad > 4-m):
		return d.fail(d.off, d.field, ErrBase64, "misplaced padding")
	}
	if err := d.flush(d.off); err != nil {
		return err
	}
	return d.emit(d.off)
}
