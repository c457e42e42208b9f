package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// Media members of objects inside an array (the will result's willTurnsData) stream to their
// writers; the other members stay in env.Result.
func TestDecodeStreamObjects(t *testing.T) {
	a0, a1 := bytes.Repeat([]byte("RIFF0"), 5000), bytes.Repeat([]byte("RIFF1"), 7000)
	r0 := []byte("read0")
	body := `{"code":"0","result":{"orderNo":"o1","willTurnsData":[` +
		`{"id":"0","willUserAudio":"` + base64.StdEncoding.EncodeToString(a0) + `","willReadAudio":"` + base64.StdEncoding.EncodeToString(r0) + `","willStandAnswer":"是的"},` +
		`null,` +
		`{"willUserAudio":"` + base64.StdEncoding.EncodeToString(a1) + `","id":"2","willReadAudio":null},` +
		`"odd",{}]}}`
	got := map[int]map[string]*bytes.Buffer{}
	writer := func(member string) func(int) (io.Writer, error) {
		return func(i int) (io.Writer, error) {
			if got[i] == nil {
				got[i] = map[string]*bytes.Buffer{"willUserAudio": {}, "willReadAudio": {}}
			}
			return got[i][member], nil
		}
	}
	sink := MediaSink{Lists: map[string]func(int) (io.Writer, error){
		"willTurnsData.willUserAudio": writer("willUserAudio"),
		"willTurnsData.willReadAudio": writer("willReadAudio"),
	}}
	var env Envelope
	counts, err := DecodeStream(strings.NewReader(body), sink, 1024, &env)
	require.NoError(t, err)
	require.Equal(t, a0, got[0]["willUserAudio"].Bytes())
	require.Equal(t, r0, got[0]["willReadAudio"].Bytes())
	require.Equal(t, a1, got[2]["willUserAudio"].Bytes())
	require.Empty(t, got[2]["willReadAudio"].Bytes())
	require.NotContains(t, got, 1, "null elements get no writers")
	require.NotContains(t, got, 4, "writers are asked for only when their member is met")
	require.Equal(t, int64(len(a0)+len(r0)+len(a1)), counts["willTurnsData"])
	require.JSONEq(t, `{"orderNo":"o1","willTurnsData":[{"id":"0","willStandAnswer":"是的"},null,{"id":"2"},"odd",{}]}`, string(env.Result))
}

func TestDecodeStreamObjectsEdges(t *testing.T) {
	sink := func(err error) MediaSink {
		return MediaSink{Lists: map[string]func(int) (io.Writer, error){
			"t.a": func(int) (io.Writer, error) { return nil, err },
		}}
	}
	for _, tc := range []struct {
		body   string
		want   error
		result string
	}{
		{`{"result":{"t":null}}`, nil, `{"t":null}`},
		{`{"result":{"t":[]}}`, nil, `{"t":[]}`},
		{`{"result":{"t":[{"a":"AAAA","b":1}]}}`, nil, `{"t":[{"b":1}]}`},
		{`{"result":{"t":"AAAA"}}`, ErrType, ""},
		{`{"result":{"t":[{"a":1}]}}`, ErrType, ""},
		{`{"result":{"t":[{"a":"A"}]}}`, ErrBase64, ""},
		{`{"result":{"t":[{"a":"AAAA","a":"AAAA"}]}}`, ErrSyntax, ""},
		{`{"result":{"t":[{"a":"AAAA"},]}}`, ErrSyntax, ""},
		{`{"result":{"t":[{"a":"AAAA"}`, io.ErrUnexpectedEOF, ""},
		{`{"result":{"t":[1 2]}}`, ErrSyntax, ""},
		{`{"result":{"t":[],"t":[]}}`, ErrSyntax, ""},
	} {
		var env Envelope
		_, err := DecodeStream(strings.NewReader(tc.body), sink(nil), 1024, &env)
		if tc.want == nil {
			require.NoError(t, err, tc.body)
			require.JSONEq(t, tc.result, string(env.Result), tc.body)
			continue
		}
		require.ErrorIs(t, err, tc.want, tc.body)
		var se *StreamError
		require.True(t, errors.As(err, &se))
	}
	// A failing writer function stops the decode with its error.
	boom := errors.New("boom")
	_, err := DecodeStream(strings.NewReader(`{"result":{"t":[{"a":"AAAA"}]}}`), sink(boom), 1024, nil)
	require.ErrorIs(t, err, boom)
	// An exact name wins over a "list.member" name.
	exact := MediaSink{Lists: map[string]func(int) (io.Writer, error){"t": nil, "t.a": func(int) (io.Writer, error) { return nil, boom }}}
	_, err = DecodeStream(strings.NewReader(`{"result":{"t":["AAAA"]}}`), exact, 1024, nil)
	require.NoError(t, err)
	// Kept members count against maxOther; media members do not.
	big := `{"result":{"t":[{"a":"` + strings.Repeat("QUFB", 10000) + `","b":"x"}]}}`
	_, err = DecodeStream(strings.NewReader(big), sink(nil), 100, nil)
	require.NoError(t, err)
	_, err = DecodeStream(strings.NewReader(`{"result":{"t":[{"b":"`+strings.Repeat("x", 200)+`"}]}}`), sink(nil), 100, nil)
	require.ErrorIs(t, err, ErrTooLarge)
}

// FuzzDecodeStreamObjects: never a panic; an accepted answer leaves valid JSON in env.Result with
// the streamed members gone, and reading one byte at a time gives the same outcome.
func FuzzDecodeStreamObjects(f *testing.F) {
	f.Add([]byte(`{"code":"0","result":{"t":[{"a":"QUFB","b":1},null,{"a":null}],"x":2}}`))
	f.Add([]byte(`{"result":{"t":[{"a":"A"}]}}`))
	f.Add([]byte(`{"result":{"t":{"a":"QUFB"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run := func(r io.Reader) (string, map[int]string, error) {
			got := map[int]string{}
			sink := MediaSink{Lists: map[string]func(int) (io.Writer, error){
				"t.a": func(i int) (io.Writer, error) {
					b := &bytes.Buffer{}
					return writerFunc(func(p []byte) (int, error) { got[i] += string(p); return b.Write(p) }), nil
				},
			}}
			var env Envelope
			_, err := DecodeStream(r, sink, 1<<16, &env)
			return string(env.Result), got, err
		}
		res, media, err := run(bytes.NewReader(data))
		res1, media1, err1 := run(iotestOneByte(data))
		require.Equal(t, err == nil, err1 == nil)
		if err != nil {
			return
		}
		require.Equal(t, res, res1)
		require.Equal(t, media, media1)
		if res == "" || res == "null" {
			return
		}
		var m map[string]any
		if json.Unmarshal([]byte(res), &m) != nil {
			return // a non-object result is kept as sent
		}
		if list, ok := m["t"].([]any); ok {
			for _, el := range list {
				if o, ok := el.(map[string]any); ok {
					require.NotContains(t, o, "a")
				}
			}
		}
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func iotestOneByte(data []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }
