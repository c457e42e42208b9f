package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// Tests for paths that mutation testing (gremlins) found no test covering.

// TestDecodeStreamReaderErrorAnywhere: a reader error at any point of an answer (inside a
// literal, a number, an escape, a key, a media string, between members) comes back as that
// error, not as a syntax error, io.ErrUnexpectedEOF or success.
func TestDecodeStreamReaderErrorAnywhere(t *testing.T) {
	top, result := plusAnswer(randBytes(90, 300), randBytes(91, 600))
	result = append(result, member{"escapes", `"a\/b\u00e9\u00C9\n"`}, member{"num", `-12.5e+3`}, member{"n0", `0`},
		member{"t", `[true,false,null]`}, member{"photoList", `["QUJD","\u0051\u0051=="]`})
	top = append(top, member{"extra", `{"deep":[[{}],[]]}`})
	full := build(top, result)
	full = bytes.Replace(full, []byte(`"photo":"`), []byte(`"photo":"\/\/\u002b\u002F`), 1)
	_, err := DecodeStream(bytes.NewReader(full), newTestSink().sink(), 1<<20, nil)
	require.NoError(t, err)
	boom := errors.New("connection reset")
	for cut := 0; cut < len(full); cut++ {
		r := io.MultiReader(bytes.NewReader(full[:cut]), iotest.ErrReader(boom))
		_, err := DecodeStream(r, newTestSink().sink(), 1<<20, nil)
		require.ErrorIs(t, err, boom, "cut at %d", cut)
	}
}

// TestDecodeStreamMisplacedPadding: padding after a whole quantum, or more padding than the
// quantum allows, is invalid base64.
func TestDecodeStreamMisplacedPadding(t *testing.T) {
	for _, in := range []string{"QUJD=", "QUJD==", "QQ===", "Q===", "QUI=="} {
		_, err := DecodeStream(strings.NewReader(`{"result":{"photo":"`+in+`"}}`), newTestSink().sink(), 100, nil)
		require.ErrorIs(t, err, ErrBase64, in)
	}
	// Lower- and upper-case hex digits in a media \u escape are the same character.
	for _, in := range []string{`\u0051\u0051==`, `QQ\u003d\u003D`, `\u0051Q\u003D=`} {
		s := newTestSink()
		_, err := DecodeStream(strings.NewReader(`{"result":{"photo":"`+in+`"}}`), s.sink(), 100, nil)
		require.NoError(t, err, in)
		require.Equal(t, "A", s.photo.String(), in)
	}
}
