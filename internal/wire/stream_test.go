package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// ---- helpers ----

// mediaBuf is a writer that records what it receives and flags zero-length writes.
type mediaBuf struct {
	bytes.Buffer
	writes int
	zero   bool
}

func (m *mediaBuf) Write(p []byte) (int, error) {
	m.writes++
	if len(p) == 0 {
		m.zero = true
	}
	return m.Buffer.Write(p)
}

// testSink collects photo, video and photoList elements.
type testSink struct {
	photo, video mediaBuf
	list         map[int]*mediaBuf
	calls        []int
}

func newTestSink() *testSink { return &testSink{list: map[int]*mediaBuf{}} }

func (s *testSink) sink() MediaSink {
	return MediaSink{
		Fields: map[string]io.Writer{"photo": &s.photo, "video": &s.video},
		Lists: map[string]func(int) (io.Writer, error){
			"photoList": func(i int) (io.Writer, error) {
				s.calls = append(s.calls, i)
				b := &mediaBuf{}
				s.list[i] = b
				return b, nil
			},
		},
	}
}

func (s *testSink) anyZeroWrite() bool {
	if s.photo.zero || s.video.zero {
		return true
	}
	for _, b := range s.list {
		if b.zero {
			return true
		}
	}
	return false
}

func randBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// member is one "key": value pair of a hand-built answer.
type member struct{ k, v string }

func object(ms []member) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"` + m.k + `":` + m.v)
	}
	sb.WriteByte('}')
	return sb.String()
}

// plusAnswer builds a queryfacerecord answer in the shape of docs/A-auth-sign-face.md §4.4.
func plusAnswer(photo, video []byte) (top []member, result []member) {
	result = []member{
		{"orderNo", `"testReflect1650008613761"`},
		{"liveRate", `"99"`},
		{"riskInfo", `{"deviceInfoLevel":"1","deviceInfoTag":"","riskInfoLevel":"","riskInfoTag":"","n":[1,2.5e3,{"x":null}]}`},
		{"similarity", `"97.0"`},
		{"occurredTime", `"20220415154341"`},
		{"appId", `"IDAXXXXX"`},
		{"photo", `"` + b64(photo) + `"`},
		{"sdkVersion", `"v4.5.2.1"`},
		{"video", `"` + b64(video) + `"`},
		{"bizSeqNo", `"22041520001184442415491408594474"`},
	}
	top = []member{
		{"code", `"0"`},
		{"msg", `"请求成功"`},
		{"bizSeqNo", `"22041520001184442415491408594474"`},
		{"result", ""},
		{"transactionTime", `"20220415154914"`},
	}
	return top, result
}

func build(top, result []member) []byte {
	ms := append([]member(nil), top...)
	for i := range ms {
		if ms[i].k == "result" && ms[i].v == "" {
			ms[i].v = object(result)
		}
	}
	return []byte(object(ms))
}

func decodeMap(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

func wantResultMap(t testing.TB, result []member, drop ...string) map[string]any {
	t.Helper()
	m := decodeMap(t, []byte(object(result)))
	for _, k := range drop {
		delete(m, k)
	}
	return m
}

// ---- unit tests ----

func TestDecodeStreamPlusAnswer(t *testing.T) {
	photo, video := randBytes(1, 3000), randBytes(2, 10001)
	top, result := plusAnswer(photo, video)
	s := newTestSink()
	var env Envelope
	n, err := DecodeStream(bytes.NewReader(build(top, result)), s.sink(), 1<<20, &env)
	require.NoError(t, err)
	require.Equal(t, Code("0"), env.Code)
	require.True(t, env.Code.OK())
	require.Equal(t, "请求成功", env.Msg)
	require.Equal(t, "22041520001184442415491408594474", env.BizSeqNo)
	require.Equal(t, Str("20220415154914"), env.TransactionTime)
	require.Equal(t, "", env.OrderNo)
	require.True(t, env.HasResult())
	require.Equal(t, wantResultMap(t, result, "photo", "video"), decodeMap(t, env.Result))
	require.Equal(t, photo, s.photo.Bytes())
	require.Equal(t, video, s.video.Bytes())
	require.Equal(t, map[string]int64{"photo": 3000, "video": 10001}, n)
	require.False(t, s.anyZeroWrite())

	var meta ResultMeta
	require.NoError(t, json.Unmarshal(env.Result, &meta))
	require.Equal(t, "testReflect1650008613761", meta.OrderNo)
}

func TestDecodeStreamFieldOrder(t *testing.T) {
	photo, video := randBytes(3, 700), randBytes(4, 5000)
	top, result := plusAnswer(photo, video)
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 40; i++ {
		tp := append([]member(nil), top...)
		rs := append([]member(nil), result...)
		r.Shuffle(len(tp), func(a, b int) { tp[a], tp[b] = tp[b], tp[a] })
		r.Shuffle(len(rs), func(a, b int) { rs[a], rs[b] = rs[b], rs[a] })
		in := build(tp, rs)
		if i%2 == 1 { // indented, with whitespace everywhere
			var ind bytes.Buffer
			require.NoError(t, json.Indent(&ind, in, " \t", "\r\n  "))
			in = append(append([]byte("\n "), ind.Bytes()...), "\n\t "...)
		}
		s := newTestSink()
		var env Envelope
		n, err := DecodeStream(bytes.NewReader(in), s.sink(), 1<<20, &env)
		require.NoError(t, err, "permutation %d", i)
		require.Equal(t, Code("0"), env.Code)
		require.Equal(t, Str("20220415154914"), env.TransactionTime)
		require.Equal(t, wantResultMap(t, result, "photo", "video"), decodeMap(t, env.Result))
		require.Equal(t, photo, s.photo.Bytes())
		require.Equal(t, video, s.video.Bytes())
		require.Equal(t, map[string]int64{"photo": 700, "video": 5000}, n)
	}
}

func TestDecodeStreamCodeAfterResult(t *testing.T) {
	in := `{"result":{"video":"` + b64([]byte("mp4 bytes")) + `","liveRate":"99"},"code":66660004,"msg":"x","orderNo":"A1"}`
	s := newTestSink()
	var env Envelope
	n, err := DecodeStream(strings.NewReader(in), s.sink(), 1<<10, &env)
	require.NoError(t, err)
	require.Equal(t, Code("66660004"), env.Code)
	require.False(t, env.Code.OK())
	require.Equal(t, "A1", env.OrderNo)
	require.JSONEq(t, `{"liveRate":"99"}`, string(env.Result))
	require.Equal(t, "mp4 bytes", s.video.String())
	require.Equal(t, map[string]int64{"video": 9}, n)
}

func TestDecodeStreamPhotoList(t *testing.T) {
	p := [][]byte{randBytes(10, 1234), randBytes(11, 1), randBytes(12, 40000)}
	in := `{"code":0,"msg":"请求成功","bizSeqNo":"业务流水号","result":{"orderNo":"AAAAAA001","occurredTime":"20180907142653",` +
		`"photoList":["` + b64(p[0]) + `", "` + b64(p[1]) + `" ,"` + b64(p[2]) + `"]}}`
	s := newTestSink()
	var env Envelope
	n, err := DecodeStream(strings.NewReader(in), s.sink(), 1<<10, &env)
	require.NoError(t, err)
	require.Equal(t, Code("0"), env.Code)
	require.True(t, env.Code.OK())
	require.Equal(t, []int{0, 1, 2}, s.calls)
	for i := range p {
		require.Equal(t, p[i], s.list[i].Bytes(), "element %d", i)
	}
	require.Equal(t, map[string]int64{"photoList": 1234 + 1 + 40000}, n)
	require.JSONEq(t, `{"orderNo":"AAAAAA001","occurredTime":"20180907142653"}`, string(env.Result))
}

func TestDecodeStreamPhotoListShapes(t *testing.T) {
	for _, tc := range []struct {
		name, list string
		calls      []int
		counts     map[string]int64
	}{
		{"null", `null`, nil, map[string]int64{}},
		{"empty", `[]`, nil, map[string]int64{"photoList": 0}},
		{"null elements", `[null,"QUJD",null,""]`, []int{1, 3}, map[string]int64{"photoList": 3}},
		{"single string", `"QUJD"`, []int{0}, map[string]int64{"photoList": 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"code":"0","result":{"photoList":` + tc.list + `,"orderNo":"x"}}`
			s := newTestSink()
			var env Envelope
			n, err := DecodeStream(strings.NewReader(in), s.sink(), 1<<10, &env)
			require.NoError(t, err)
			require.Equal(t, tc.calls, s.calls)
			require.Equal(t, tc.counts, n)
			require.JSONEq(t, `{"orderNo":"x"}`, string(env.Result))
			require.False(t, s.anyZeroWrite())
		})
	}
	// The list writer for "" is asked for but never written to.
	s := newTestSink()
	_, err := DecodeStream(strings.NewReader(`{"result":{"photoList":[""]}}`), s.sink(), 100, nil)
	require.NoError(t, err)
	require.Equal(t, 0, s.list[0].writes)
}

func TestDecodeStreamNullAndMissingMedia(t *testing.T) {
	for _, tc := range []struct {
		name, result string
		counts       map[string]int64
	}{
		{"null", `{"photo":null,"video":null,"liveRate":"99"}`, map[string]int64{}},
		{"empty", `{"photo":"","video":"","liveRate":"99"}`, map[string]int64{"photo": 0, "video": 0}},
		{"missing", `{"liveRate":"99"}`, map[string]int64{}},
		{"whitespace only", `{"photo":" \n","video":"\r\n\t","liveRate":"99"}`, map[string]int64{"photo": 0, "video": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSink()
			var env Envelope
			n, err := DecodeStream(strings.NewReader(`{"code":"66660011","result":`+tc.result+`}`), s.sink(), 1<<10, &env)
			require.NoError(t, err)
			require.Equal(t, tc.counts, n)
			require.Equal(t, 0, s.photo.writes)
			require.Equal(t, 0, s.video.writes)
			require.JSONEq(t, `{"liveRate":"99"}`, string(env.Result))
		})
	}
}

func TestDecodeStreamResultAbsentOrNull(t *testing.T) {
	s := newTestSink()
	var env Envelope
	env.Msg = "stale"
	_, err := DecodeStream(strings.NewReader(`{"code":"400101","msg":"签名校验失败"}`), s.sink(), 100, &env)
	require.NoError(t, err)
	require.Nil(t, env.Result)
	require.False(t, env.HasResult())
	require.Equal(t, "签名校验失败", env.Msg)

	_, err = DecodeStream(strings.NewReader(`{"code":"400101","result":null}`), s.sink(), 100, &env)
	require.NoError(t, err)
	require.Equal(t, "null", string(env.Result))
	require.False(t, env.HasResult())
	require.Equal(t, "", env.Msg, "env is reset")

	_, err = DecodeStream(strings.NewReader(`{"result":[1, "a" ,{"photo":"!"}]}`), s.sink(), 100, &env)
	require.NoError(t, err)
	require.Equal(t, `[1,"a",{"photo":"!"}]`, string(env.Result))
}

func TestDecodeStreamEscapesAndPadding(t *testing.T) {
	data := randBytes(20, 3*1000+2) // needs one '=' of padding
	enc := b64(data)
	require.True(t, strings.HasSuffix(enc, "="))
	escaped := strings.ReplaceAll(enc, "/", `\/`)
	// Insert escaped and raw whitespace every 76 characters, as a MIME encoder would.
	var wrapped strings.Builder
	for i := 0; i < len(enc); i += 76 {
		wrapped.WriteString(enc[i:min(i+76, len(enc))])
		wrapped.WriteString(`\r\n`)
	}
	unicode := strings.NewReplacer("A", `\u0041`, "+", `\u002B`, "=", `\u003d`).Replace(enc)
	for name, v := range map[string]string{
		"escaped slash": escaped,
		"unpadded":      strings.TrimRight(enc, "="),
		"wrapped":       wrapped.String(),
		"spaces":        strings.ReplaceAll(enc, "Q", " Q "),
		"tabs escaped":  strings.ReplaceAll(escaped, "x", `x\t`),
		"unicode":       unicode,
	} {
		t.Run(name, func(t *testing.T) {
			s := newTestSink()
			in := `{"result":{"photo":"` + v + `"},"code":"0"}`
			require.True(t, json.Valid([]byte(in)))
			n, err := DecodeStream(strings.NewReader(in), s.sink(), 1<<10, nil)
			require.NoError(t, err)
			require.Equal(t, data, s.photo.Bytes())
			require.Equal(t, int64(len(data)), n["photo"])
		})
	}
	for _, tc := range []struct{ in, out string }{
		{"QQ", "A"}, {"QQ=", "A"}, {"QQ==", "A"}, {"QUI", "AB"}, {"QUI=", "AB"}, {"QUJD", "ABC"}, {"", ""},
	} {
		s := newTestSink()
		_, err := DecodeStream(strings.NewReader(`{"result":{"photo":"`+tc.in+`"}}`), s.sink(), 100, nil)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.out, s.photo.String(), tc.in)
	}
}

func TestDecodeStreamBadBase64(t *testing.T) {
	const secret = "U2VjcmV0UGVyc29u" // must never show up in an error
	for _, v := range []string{
		secret + "!", secret + "Q", secret + "QQ=A", secret + "QQ===", secret + "===", secret + "=",
		secret + `\"`, secret + `\\`, secret + `\b`, secret + `\u00e9`, secret + `\u0000`, "é" + secret,
		secret + "-_",
	} {
		s := newTestSink()
		in := `{"code":"0","result":{"photo":"` + v + `"}}`
		_, err := DecodeStream(strings.NewReader(in), s.sink(), 1<<10, nil)
		require.ErrorIs(t, err, ErrBase64, v)
		var se *StreamError
		require.ErrorAs(t, err, &se)
		require.Equal(t, "photo", se.Field)
		require.Contains(t, err.Error(), `"photo"`)
		require.NotContains(t, err.Error(), secret)
		require.NotContains(t, err.Error(), "U2Vj")
	}
}

func TestDecodeStreamLargeVideo(t *testing.T) {
	video := randBytes(30, 3<<20+1)
	photo := randBytes(31, 50000)
	top, result := plusAnswer(photo, video)
	in := build(top, result)
	// Feed the answer in uneven pieces so that quanta and escapes straddle reads.
	for _, r := range []io.Reader{
		bytes.NewReader(in),
		iotest.HalfReader(bytes.NewReader(in)),
		&choppyReader{data: in, r: rand.New(rand.NewPCG(1, 2))},
	} {
		s := newTestSink()
		var env Envelope
		n, err := DecodeStream(r, s.sink(), 4096, &env)
		require.NoError(t, err)
		require.True(t, bytes.Equal(video, s.video.Bytes()), "video differs")
		require.True(t, bytes.Equal(photo, s.photo.Bytes()), "photo differs")
		require.Equal(t, int64(len(video)), n["video"])
		require.Equal(t, wantResultMap(t, result, "photo", "video"), decodeMap(t, env.Result))
		require.False(t, s.anyZeroWrite())
	}
}

// choppyReader returns random-length pieces (1 byte to 70 KiB).
type choppyReader struct {
	data []byte
	r    *rand.Rand
}

func (c *choppyReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1 + c.r.IntN(70000)
	if c.r.IntN(4) == 0 {
		n = 1 + c.r.IntN(7)
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestDecodeStreamIsStreaming checks that media bytes reach the writer before the answer ends.
func TestDecodeStreamIsStreaming(t *testing.T) {
	pr, pw := io.Pipe()
	first := make(chan struct{})
	w := &signalWriter{first: first}
	done := make(chan error, 1)
	go func() {
		_, err := DecodeStream(pr, MediaSink{Fields: map[string]io.Writer{"video": w}}, 100, nil)
		done <- err
	}()
	chunk := b64(randBytes(40, 300000))
	_, err := io.WriteString(pw, `{"code":"0","result":{"video":"`+chunk)
	require.NoError(t, err)
	<-first // would block forever if the decoder waited for the closing quote
	_, err = io.WriteString(pw, `"}}`)
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	require.NoError(t, <-done)
	require.Equal(t, 300000, w.n)
}

type signalWriter struct {
	first chan struct{}
	n     int
}

func (s *signalWriter) Write(p []byte) (int, error) {
	if s.n == 0 {
		close(s.first)
	}
	s.n += len(p)
	return len(p), nil
}

type failWriter struct {
	after, n  int
	failed    bool
	lateWrite bool
	err       error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if f.failed {
		f.lateWrite = true
	}
	if f.n+len(p) > f.after {
		f.failed = true
		k := f.after - f.n
		f.n = f.after
		return k, f.err
	}
	f.n += len(p)
	return len(p), nil
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestDecodeStreamWriterError(t *testing.T) {
	boom := errors.New("disk full")
	video := randBytes(50, 500000)
	in := `{"result":{"video":"` + b64(video) + `"},"code":"0"}`
	fw := &failWriter{after: 100000, err: boom}
	n, err := DecodeStream(strings.NewReader(in), MediaSink{Fields: map[string]io.Writer{"video": fw}}, 100, nil)
	require.ErrorIs(t, err, boom)
	var se *StreamError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "video", se.Field)
	require.Equal(t, int64(100000), n["video"])
	require.True(t, fw.failed)
	require.False(t, fw.lateWrite, "no write after the error")

	_, err = DecodeStream(strings.NewReader(in), MediaSink{Fields: map[string]io.Writer{"video": shortWriter{}}}, 100, nil)
	require.ErrorIs(t, err, io.ErrShortWrite)

	listErr := errors.New("no space for photo")
	sink := MediaSink{Lists: map[string]func(int) (io.Writer, error){"photoList": func(i int) (io.Writer, error) {
		if i == 1 {
			return nil, listErr
		}
		return io.Discard, nil
	}}}
	_, err = DecodeStream(strings.NewReader(`{"result":{"photoList":["QQ==","QQ==","QQ=="]}}`), sink, 100, nil)
	require.ErrorIs(t, err, listErr)
}

func TestDecodeStreamNilWriters(t *testing.T) {
	sink := MediaSink{
		Fields: map[string]io.Writer{"photo": nil},
		Lists:  map[string]func(int) (io.Writer, error){"photoList": func(int) (io.Writer, error) { return nil, nil }, "other": nil},
	}
	in := `{"result":{"photo":"QUJD","photoList":["QUI="],"other":["QQ"],"x":1}}`
	var env Envelope
	n, err := DecodeStream(strings.NewReader(in), sink, 100, &env)
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"photo": 3, "photoList": 2, "other": 1}, n)
	require.Equal(t, `{"x":1}`, string(env.Result))
	// nil env is allowed
	_, err = DecodeStream(strings.NewReader(in), sink, 100, nil)
	require.NoError(t, err)
}

func TestDecodeStreamMaxOther(t *testing.T) {
	video := b64(randBytes(60, 100000))
	in := `{"code":"0","msg":"ok","result":{"video":"` + video + `","liveRate":"99"}}`
	other := int64(len(in) - len(video))
	sink := MediaSink{Fields: map[string]io.Writer{"video": io.Discard}}
	_, err := DecodeStream(strings.NewReader(in), sink, other, nil)
	require.NoError(t, err, "exactly at the limit")
	_, err = DecodeStream(strings.NewReader(in), sink, other-1, nil)
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = DecodeStream(strings.NewReader(in), sink, -1, nil)
	require.ErrorIs(t, err, ErrTooLarge)

	// A big non-media field trips the limit without being buffered whole.
	big := `{"code":"0","result":{"notMedia":"` + strings.Repeat("A", 1<<20) + `"}}`
	_, err = DecodeStream(strings.NewReader(big), sink, 64<<10, nil)
	require.ErrorIs(t, err, ErrTooLarge)
	var se *StreamError
	require.ErrorAs(t, err, &se)
	require.Equal(t, int64(64<<10), se.Offset)
	// Media without a sink is not media.
	_, err = DecodeStream(strings.NewReader(in), MediaSink{}, 1000, nil)
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestDecodeStreamTruncated(t *testing.T) {
	top, result := plusAnswer(randBytes(70, 2000), randBytes(71, 20000))
	result = append(result, member{"escapes", `"a\/b\u00e9\n"`}, member{"num", `-12.5e+3`}, member{"t", `[true,false,null]`})
	top = append(top, member{"extra", `{"deep":[[{}],[]]}`})
	full := build(top, result)
	// photo with escaped slashes so that cuts land inside escapes too
	full = bytes.Replace(full, []byte(`"photo":"`), []byte(`"photo":"\/\/\/\/`), 1)
	_, err := DecodeStream(bytes.NewReader(full), newTestSink().sink(), 1<<20, nil)
	require.NoError(t, err)
	cuts := 0
	for _, stride := range []int{97, 7} {
		for cut := 0; cut < len(full); cut += stride {
			if stride == 7 && cut > 3000 && len(full)-cut > 3000 {
				continue
			}
			_, err := DecodeStream(bytes.NewReader(full[:cut]), newTestSink().sink(), 1<<20, nil)
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", cut)
			cuts++
		}
	}
	require.Greater(t, cuts, 300)
}

func TestDecodeStreamReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	in := `{"code":"0","result":{"video":"` + b64(randBytes(80, 100000)) + `"}}`
	r := io.MultiReader(strings.NewReader(in[:50000]), iotest.ErrReader(boom))
	_, err := DecodeStream(r, MediaSink{Fields: map[string]io.Writer{"video": io.Discard}}, 100, nil)
	require.ErrorIs(t, err, boom)
	require.NotErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestDecodeStreamSyntaxErrors(t *testing.T) {
	const secret = "测试用户 KYCTEST0000000001"
	for _, in := range []string{
		`x`, `{"code"}`, `{"code":}`, `{"code":"0",}`, `{"code":"0" "msg":"a"}`, `{code:"0"}`,
		`{"msg":"` + secret + `\x"}`, `{"msg":"` + secret + "\x01" + `"}`, `{"result":{"a":tru}}`,
		`{"result":{"a":01}}`, `{"result":{"a":1.}}`, `{"result":{"a":-}}`, `{"result":{"a":1e}}`,
		`{"result":{"a":[1,]}}`, `{"result":{"a":{"b"}}}`, `{"result":{"a":[}}`, `{"result":{"a":"\u12g4"}}`,
		`{"result":{"photo":"QQ==` + "\n" + `"}}`, `{"result":{"photo":"\q"}}`, `{"result":{"photo":"\u00zz"}}`,
		`{"result":{"photoList":["QQ==",]}}`, `{"result":{"photoList":["QQ==" "QQ=="]}}`,
		`{"code":"0"} x`, `{"code":"0"}{}`, `{"result":{},"result":{}}`, `{"result":null,"RESULT":{}}`,
		`{"result":{"photo":"QQ==","photo":"QQ=="}}`, `{"result":{"photoList":null,"photoList":[]}}`,
	} {
		_, err := DecodeStream(strings.NewReader(in), newTestSink().sink(), 1<<10, nil)
		require.ErrorIs(t, err, ErrSyntax, in)
		require.NotContains(t, err.Error(), "张三")
		require.NotContains(t, err.Error(), "1101")
	}
}

func TestDecodeStreamTypeErrors(t *testing.T) {
	for _, tc := range []struct{ in, field string }{
		{`[]`, ""}, {`"x"`, ""}, {`null`, ""}, {`12`, ""},
		{`{"msg":5}`, "msg"}, {`{"code":{}}`, "code"}, {`{"bizSeqNo":["a"]}`, "bizSeqNo"},
		{`{"Code":[1]}`, "code"}, {`{"transactionTime":{}}`, "transactionTime"}, {`{"orderNo":true}`, "orderNo"},
		{`{"result":{"photo":5}}`, "photo"}, {`{"result":{"photo":["QQ=="]}}`, "photo"},
		{`{"result":{"photoList":{}}}`, "photoList"}, {`{"result":{"photoList":[1]}}`, "photoList"},
		{`{"result":{"photoList":[["QQ=="]]}}`, "photoList"},
	} {
		_, err := DecodeStream(strings.NewReader(tc.in), newTestSink().sink(), 1<<10, nil)
		require.ErrorIs(t, err, ErrType, tc.in)
		var se *StreamError
		require.ErrorAs(t, err, &se)
		require.Equal(t, tc.field, se.Field, tc.in)
	}
}

func TestDecodeStreamTolerance(t *testing.T) {
	in := `{"CODE":"-5008","Msg":" 请求成功 ","bizseqno":12,"transactionTime":20220415154914,"orderNo":null,` +
		`"success":false,"unknown":{"a":[1,{"b":"c"}]},"result":{"success":false,"photo":"QUJD","riskInfo":{"LivenessInfoTag":"01"}}}`
	var env Envelope
	s := newTestSink()
	_, err := DecodeStream(strings.NewReader(in), s.sink(), 1<<10, &env)
	require.Error(t, err, "bizSeqNo as a number does not fit Envelope")
	require.ErrorIs(t, err, ErrType)

	in = strings.Replace(in, `"bizseqno":12`, `"bizseqno":"12"`, 1)
	_, err = DecodeStream(strings.NewReader(in), s.sink(), 1<<10, &env)
	require.NoError(t, err)
	var want Envelope
	require.NoError(t, json.Unmarshal([]byte(in), &want))
	require.Equal(t, want.Code, env.Code)
	require.Equal(t, want.Msg, env.Msg)
	require.Equal(t, want.BizSeqNo, env.BizSeqNo)
	require.Equal(t, Str("20220415154914"), env.TransactionTime)
	require.Equal(t, "ABC", s.photo.String())
	require.Equal(t, `{"success":false,"riskInfo":{"LivenessInfoTag":"01"}}`, string(env.Result))
	// escaped keys are decoded before they are matched
	s = newTestSink()
	_, err = DecodeStream(strings.NewReader(`{"res\u0075lt":{"ph\u006fto":"QUJD"}}`), s.sink(), 1<<10, &env)
	require.NoError(t, err)
	require.Equal(t, "ABC", s.photo.String())
	require.Equal(t, `{}`, string(env.Result))
}

func TestDecodeStreamDepth(t *testing.T) {
	for _, n := range []int{9997, 9998, 9999, 20000} {
		in := `{"result":{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}}`
		_, err := DecodeStream(strings.NewReader(in), MediaSink{}, 1<<20, nil)
		if json.Valid([]byte(in)) {
			require.NoError(t, err, n)
		} else {
			require.ErrorIs(t, err, ErrSyntax, n)
		}
	}
	require.True(t, json.Valid([]byte(`{"result":{"x":`+strings.Repeat("[", 9998)+strings.Repeat("]", 9998)+`}}`)))
}

// TestDecodeStreamMemory checks that the allocation does not grow with the media size.
func TestDecodeStreamMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	in := buildBenchAnswer(8<<20, false)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := DecodeStream(bytes.NewReader(in), MediaSink{Fields: map[string]io.Writer{"video": io.Discard, "photo": io.Discard}}, 1<<20, nil)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

// ---- fuzzing ----

// oracleB64 decodes like DecodeStream is documented to: whitespace ignored, padding optional.
func oracleB64(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	t := strings.TrimRight(s, "=")
	if pad := len(s) - len(t); pad > 0 && (len(t)%4 == 0 || pad > 4-len(t)%4) {
		return nil, false
	}
	if len(t)%4 != 0 {
		t += strings.Repeat("=", 4-len(t)%4)
	}
	b, err := base64.StdEncoding.DecodeString(t)
	return b, err == nil
}

type streamOutcome struct {
	env    Envelope
	counts map[string]int64
	sink   *testSink
	err    error
}

func runStream(t *testing.T, r io.Reader, maxOther int64) streamOutcome {
	s := newTestSink()
	var o streamOutcome
	o.counts, o.err = DecodeStream(r, s.sink(), maxOther, &o.env)
	o.sink = s
	if s.anyZeroWrite() {
		t.Fatal("zero-length write")
	}
	return o
}

func sameOutcome(t *testing.T, a, b streamOutcome) {
	t.Helper()
	require.Equal(t, a.env, b.env)
	require.Equal(t, a.counts, b.counts)
	require.Equal(t, a.sink.photo.Bytes(), b.sink.photo.Bytes())
	require.Equal(t, a.sink.video.Bytes(), b.sink.video.Bytes())
	require.Equal(t, a.sink.calls, b.sink.calls)
	for i, buf := range a.sink.list {
		require.Equal(t, buf.Bytes(), b.sink.list[i].Bytes())
	}
}

// hasDuplicateKeys reports a "result" key (any case) twice at the top level, or a media key
// twice in the result object.
func hasDuplicateKeys(data []byte) bool {
	// A token walk: decoding into a map would lose the duplicates.
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return false
	}
	results := 0
	for dec.More() {
		tk, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := tk.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return false
		}
		if !strings.EqualFold(key, "result") {
			continue
		}
		results++
		rd := json.NewDecoder(bytes.NewReader(raw))
		if tk, err := rd.Token(); err != nil || tk != json.Delim('{') {
			continue
		}
		seen := map[string]bool{}
		for rd.More() {
			tk, err := rd.Token()
			if err != nil {
				return false
			}
			k, _ := tk.(string)
			if k == "photo" || k == "video" || k == "photoList" {
				if seen[k] {
					return true
				}
				seen[k] = true
			}
			var skip json.RawMessage
			if err := rd.Decode(&skip); err != nil {
				return false
			}
		}
	}
	return results > 1
}

func jsonKind(raw json.RawMessage) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func checkAgainstEncodingJSON(t *testing.T, data []byte, got streamOutcome) {
	if !json.Valid(data) {
		require.Error(t, got.err, "invalid JSON accepted")
		return
	}
	if jsonKind(data) != '{' {
		require.ErrorIs(t, got.err, ErrType)
		return
	}
	if hasDuplicateKeys(data) {
		require.Error(t, got.err)
		return
	}
	var expected []error
	var want Envelope
	if json.Unmarshal(data, &want) != nil {
		expected = append(expected, ErrType)
	}
	var top struct {
		Result json.RawMessage `json:"result"`
	}
	require.NoError(t, json.Unmarshal(data, &top))

	wantCounts := map[string]int64{}
	wantMedia := map[string][]byte{}
	wantList := map[int][]byte{}
	var wantCalls []int
	var wantResult any
	decodeAny := func(raw []byte) any {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		require.NoError(t, dec.Decode(&v))
		return v
	}
	media := func(raw json.RawMessage) ([]byte, error) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, ErrType
		}
		b, ok := oracleB64(s)
		if !ok {
			return nil, ErrBase64
		}
		return b, nil
	}
	if top.Result != nil {
		wantResult = decodeAny(top.Result)
		if m, ok := wantResult.(map[string]any); ok {
			var fields map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(top.Result, &fields))
			for _, name := range []string{"photo", "video"} {
				raw, ok := fields[name]
				delete(m, name)
				if !ok || jsonKind(raw) == 'n' {
					continue
				}
				b, err := media(raw)
				if err != nil {
					expected = append(expected, err)
					continue
				}
				wantMedia[name] = b
				wantCounts[name] = int64(len(b))
			}
			if raw, ok := fields["photoList"]; ok && jsonKind(raw) != 'n' {
				delete(m, "photoList")
				var elems []json.RawMessage
				switch jsonKind(raw) {
				case '"':
					elems = []json.RawMessage{raw}
				case '[':
					require.NoError(t, json.Unmarshal(raw, &elems))
				default:
					expected = append(expected, ErrType)
				}
				wantCounts["photoList"] = 0
				for i, e := range elems {
					if jsonKind(e) == 'n' {
						continue
					}
					b, err := media(e)
					if err != nil {
						expected = append(expected, err)
						continue
					}
					wantCalls = append(wantCalls, i)
					wantList[i] = b
					wantCounts["photoList"] += int64(len(b))
				}
			}
			delete(m, "photoList")
		}
	}
	if len(expected) > 0 {
		require.Error(t, got.err)
		for _, e := range expected {
			if errors.Is(got.err, e) {
				return
			}
		}
		t.Fatalf("error %v, want one of %v", got.err, expected)
	}
	require.NoError(t, got.err)
	require.Equal(t, want.Code, got.env.Code)
	require.Equal(t, want.Msg, got.env.Msg)
	require.Equal(t, want.BizSeqNo, got.env.BizSeqNo)
	require.Equal(t, want.TransactionTime, got.env.TransactionTime)
	require.Equal(t, want.OrderNo, got.env.OrderNo)
	if top.Result == nil {
		require.Nil(t, got.env.Result)
	} else {
		require.True(t, json.Valid(got.env.Result))
		if !reflect.DeepEqual(wantResult, decodeAny(got.env.Result)) {
			t.Fatalf("result differs:\n got %s\nwant %#v", got.env.Result, wantResult)
		}
	}
	require.Equal(t, wantCounts, got.counts)
	require.Equal(t, string(wantMedia["photo"]), got.sink.photo.String())
	require.Equal(t, string(wantMedia["video"]), got.sink.video.String())
	require.Equal(t, wantCalls, got.sink.calls)
	for i, b := range wantList {
		require.Equal(t, string(b), got.sink.list[i].String())
	}
}

func fuzzSeeds() []string {
	photo, video := randBytes(90, 40), randBytes(91, 130)
	top, result := plusAnswer(photo, video)
	plus := string(build(top, result))
	return []string{
		plus,
		`{"code":0,"msg":"请求成功","bizSeqNo":"业务流水号","result":{"orderNo":"AAAAAA001","occurredTime":"20180907142653","photoList":["QUJD","` + b64(photo) + `","/+/+"]}}`,
		`{"code":0,"msg":"请求成功","result":{"orderNo":"AAAAAA001","photoList":null}}`,
		`{"result":{"video":"` + strings.ReplaceAll(b64(video), "/", `\/`) + `","riskInfo":{"deviceInfoLevel":"1"}},"code":"0"}`,
		`{"code":-5008,"msg":" 请求成功 ","result":null}`,
		`{"code":"66660011","msg":"无此查询结果"}`,
		`{"code":"0","result":{"photo":"QUI","video":"","liveRate":99,"x":[1.5e3,true,null,{"y":"\u00e9\n"}]}}`,
		`{"code":"0","result":{"photo":"Q\u0055J\nD","video":null}}`,
		`{"result":{"photo":"QQ==A"}}`,
		`{"result":{"photo":"QQ=`,
		`{"code":"0","result":{"photoList":[null,"QQ",""]}} `,
		`{"code":[],"result":{}}`,
		`{"result":{"photoList":"QUJD"},"Result":null}`,
		`[1,2]`,
		`{"msg":"\ud800","result":{"photo":"\u00"}}`,
	}
}

func FuzzDecodeStream(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := runStream(t, bytes.NewReader(data), int64(len(data)))
		checkAgainstEncodingJSON(t, data, got)

		// The same bytes one at a time give the same outcome.
		one := runStream(t, iotest.OneByteReader(bytes.NewReader(data)), int64(len(data)))
		require.Equal(t, got.err == nil, one.err == nil)
		if got.err == nil {
			sameOutcome(t, got, one)
		}

		// A smaller budget either succeeds identically or reports ErrTooLarge.
		limit := int64(len(data) / 2)
		small := runStream(t, bytes.NewReader(data), limit)
		if got.err == nil {
			if small.err != nil {
				require.ErrorIs(t, small.err, ErrTooLarge)
			} else {
				sameOutcome(t, got, small)
			}
		}

		// Any strict prefix of an accepted answer is a truncated answer.
		if got.err == nil {
			trimmed := bytes.TrimRight(data, " \t\r\n")
			for _, cut := range []int{0, len(trimmed) / 2, len(trimmed) - 1} {
				p := runStream(t, bytes.NewReader(trimmed[:cut]), int64(len(data)))
				require.ErrorIs(t, p.err, io.ErrUnexpectedEOF, "cut %d", cut)
			}
		}
	})
}

func TestFuzzSeedsBehave(t *testing.T) {
	for i, s := range fuzzSeeds() {
		got := runStream(t, strings.NewReader(s), int64(len(s)))
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkAgainstEncodingJSON(t, []byte(s), got) })
	}
}

// ---- benchmarks ----

// buildBenchAnswer builds a queryfacerecord answer with a videoSize-byte video.
func buildBenchAnswer(videoSize int, escapeSlash bool) []byte {
	top, result := plusAnswer(randBytes(100, 60<<10), randBytes(101, videoSize))
	in := build(top, result)
	if escapeSlash {
		in = bytes.ReplaceAll(in, []byte("/"), []byte(`\/`))
	}
	return in
}

func benchmarkDecodeStream(b *testing.B, escapeSlash bool) {
	in := buildBenchAnswer(20<<20, escapeSlash)
	sink := MediaSink{Fields: map[string]io.Writer{"video": io.Discard, "photo": io.Discard}}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var env Envelope
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ops := 0
	for b.Loop() {
		ops++
		n, err := DecodeStream(bytes.NewReader(in), sink, 1<<20, &env)
		if err != nil || n["video"] != 20<<20 {
			b.Fatal(err, n)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(ops)/1e6, "alloc-MB/op")
}

func BenchmarkDecodeStream20MB(b *testing.B) { benchmarkDecodeStream(b, false) }

// BenchmarkDecodeStream20MBEscapedSlash has every '/' written as `\/`, as some JSON encoders do.
func BenchmarkDecodeStream20MBEscapedSlash(b *testing.B) { benchmarkDecodeStream(b, true) }

// TestDecodeStreamMediaSpecials puts one unusual byte or escape into a long media string at
// places around the reader's buffer and the decoder's chunk boundaries, where the bulk path
// (text found with IndexByte, validated by the base64 decoder) hands over to the byte-by-byte
// rules: the media decode as the unescaped text says, and an error names the offset of the byte
// at fault. (FuzzDecodeStream compares with encoding/json on short inputs; these are long.)
func TestDecodeStreamMediaSpecials(t *testing.T) {
	video := b64(randBytes(110, 80001)) // 106,668 characters, no padding: over three read buffers
	prefix := `{"code":"0","result":{"orderNo":"o1","video":"`
	start := len(prefix)
	var places []int
	for d := range 6 {
		places = append(places, d, len(video)-d)
		for _, b := range []int{streamReadBuf, 2 * streamReadBuf, 3 * streamReadBuf} {
			places = append(places, b-start-4+d) // around a read-buffer boundary of the input
		}
		for _, b := range []int{streamQuadBuf, 2 * streamQuadBuf} {
			places = append(places, b-4+d) // around a full output buffer
		}
	}
	check := func(data []byte, text string, got streamOutcome) {
		t.Helper()
		want, err := base64.StdEncoding.DecodeString(text)
		require.NoError(t, err)
		require.NoError(t, got.err)
		require.Equal(t, map[string]int64{"video": int64(len(want))}, got.counts)
		require.True(t, bytes.Equal(want, got.sink.video.Bytes()), "video differs")
		require.Equal(t, `{"orderNo":"o1","liveRate":"99"}`, string(got.env.Result))
	}
	for _, sp := range []struct {
		text, adds string // adds: the base64 characters it stands for
		err        error  // nil: decodes; else the error, at the offset of the insertion
	}{
		{`\/A\/A`, "/A/A", nil}, {`\u0041\u0042CD`, "ABCD", nil}, {`\n`, "", nil}, {`\r\n`, "", nil},
		{` `, "", nil}, {`\t`, "", nil},
		{"\n", "", ErrSyntax}, {"\r", "", ErrSyntax}, {"\x01", "", ErrSyntax}, {`!`, "", ErrBase64},
		{`-`, "", ErrBase64}, {`=`, "", ErrBase64}, {`\"`, "", ErrBase64}, {`\u00e9`, "", ErrBase64},
		{"é", "", ErrBase64},
	} {
		for _, p := range places {
			if p < 0 || p > len(video) {
				continue
			}
			data := []byte(prefix + video[:p] + sp.text + video[p:] + `","liveRate":"99"}}`)
			got := runStream(t, bytes.NewReader(data), 1000)
			if sp.err == nil {
				check(data, video[:p]+sp.adds+video[p:], got)
				continue
			}
			require.ErrorIs(t, got.err, sp.err, "%q at %d", sp.text, p)
			var se *StreamError
			require.ErrorAs(t, got.err, &se)
			if sp.text != "=" { // misplaced padding is found after it
				require.Equal(t, int64(start+p), se.Offset, "%q at %d", sp.text, p)
			}
		}
	}
	// One byte at a time (every byte a buffer boundary), escapes at a few places.
	for _, p := range []int{0, 1, 2, 3, 1001} {
		data := []byte(prefix + video[:p] + `\/\u0041 \/\/` + video[p:] + `","liveRate":"99"}}`)
		check(data, video[:p]+"/A//"+video[p:], runStream(t, iotest.OneByteReader(bytes.NewReader(data)), 1000))
	}
}
