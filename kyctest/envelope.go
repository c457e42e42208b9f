package kyctest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// chinaTime is the zone of every yyyyMMddHHmmss timestamp the service writes.
var chinaTime = time.FixedZone("CST", 8*60*60)

const wireTimeLayout = "20060102150405"

// wireTime formats t as the service does: yyyyMMddHHmmss in China time (UTC+8).
func wireTime(t time.Time) string { return t.In(chinaTime).Format(wireTimeLayout) }

// field and object build JSON objects whose keys keep the order they are written in, so the
// answers read like the manual's examples.
type field struct {
	key string
	val any
}

type object []field

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// codeMessages are the messages the service sends with the codes the fake server produces
// (docs/A-auth-sign-face.md §7.1, OCR SDK table at manual L12940-12954). Unknown codes get a generic message.
var codeMessages = map[string]string{
	"0":        "请求成功",
	"66660000": "请求参数异常",
	"66660011": "未完成认证或认证结果已过期",
	"400101":   "不合法请求",
	"400102":   "不合法请求",
	"400103":   "服务器拒绝访问此接口",
	"400104":   "无权限访问此请求",
	"400105":   "身份验证不通过",
	"400506":   "请求频率过高，请稍后再试",
	"999997":   "网络不给力, 请稍后再试",
	"999998":   "网络不给力, 请稍后再试",
	"999999":   "网络不给力, 请稍后再试",
}

// codeMsg returns the message that goes with a kyc1 code.
func codeMsg(code string) string { return textOf(codeMessages, code) }

// textOf returns the text a table (codeMessages, chkDescriptions) gives a code, and the
// service's generic 请求失败 for a code the table does not know.
func textOf(table map[string]string, code string) string {
	if m, ok := table[code]; ok {
		return m
	}
	return "请求失败"
}

// code returns the wire form of a kyc1 code: a string, or with WithNumericFields a JSON number
// when the code is an integer ("-5008" included).
func (s *Server) code(code string) any {
	if s.cfg.numeric {
		if _, err := strconv.ParseInt(code, 10, 64); err == nil {
			return json.Number(code)
		}
	}
	return code
}

// seconds returns the wire form of an expire_in, d rounded to whole seconds: a string such as
// "7200", or with WithNumericFields a JSON number.
func (s *Server) seconds(d time.Duration) any {
	n := strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10)
	if s.cfg.numeric {
		return json.Number(n)
	}
	return n
}

// writeEnvelope answers HTTP 200 with the kyc1 envelope
// {"code","msg","bizSeqNo","transactionTime","result"}; result is left out when nil (error answers).
func (s *Server) writeEnvelope(w http.ResponseWriter, code, msg string, result any) {
	now := s.Clock.Now()
	writeJSON(w, envelope(s.code(code), msg, bizSeqNo(now), now, result))
}

// envelope builds the kyc1 envelope with a given wire code (a string or a json.Number), serial
// number and time, for answers whose result repeats them (the face upload and query answers).
func envelope(code any, msg, seq string, now time.Time, result any) object {
	o := object{
		{"code", code},
		{"msg", msg},
		{"bizSeqNo", seq},
		{"transactionTime", wireTime(now)},
	}
	if result != nil {
		o = append(o, field{"result", result})
	}
	return o
}

// writeCode answers HTTP 200 with the envelope for a non-zero code and its usual message.
func (s *Server) writeCode(w http.ResponseWriter, code string) {
	s.writeEnvelope(w, code, codeMsg(code), nil)
}

// writeJSON answers HTTP 200 with v as JSON, with the content type the service sends.
func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own values get here; a failure is a bug in the fake server.
		http.Error(w, "kyctest: cannot encode answer", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

const (
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	digits = "0123456789"
)

// randomString returns n characters drawn uniformly from alphabet (at most 256 symbols) with
// crypto/rand.
func randomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet) // reject bytes >= limit so every symbol is equally likely
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// bizSeqNo returns a 32-digit business serial number: the date (yyMMdd, China time) followed by
// random digits, the shape the service uses.
func bizSeqNo(now time.Time) string {
	return now.In(chinaTime).Format("060102") + randomString(26, digits)
}
