package kyctest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Will verification (意愿核身, docs/C-ocr-will-nfc-eid.md §5): getWillFaceId mints a will faceId (FaceIDLifetime) with
// the prompts to read out; a test decides the outcome with CompleteWill, or a person picks it on
// the willLogin page (the H5 simulator of h5.go, posting to WillFinishPath), which redirects to
// the partner url with the signed callback (code, faceCode, willCode, orderNo, h5faceId,
// newSignature, liveRate). getWillFaceResult then answers the verdict for ResultLifetime, with
// the face photo and video (getFile) and fake WAV audio, screenshot and will video (getWillFile).

// WillFinishPath is where the will login page posts the chosen outcome; requests to it are
// counted under WillFinishEndpoint.
const (
	WillFinishPath     = "/kyctest/h5/will/finish"
	WillFinishEndpoint = "kyctest_will_finish"
)

// DefaultAudioBytes is the size of each fake will audio file (a WAV header and filler).
const DefaultAudioBytes = 16 * 1024

// WillOutcome is how a will verification ends: what CompleteWill, WillCallbackURL, PlayWillSDK
// and FinishWillH5 choose. The will simulator page offers exactly these constants, in this
// order: its buttons are generated from them.
type WillOutcome int

const (
	// WillPass: same person, expected answer. Passed: getWillFaceResult answers "0" (faceCode and
	// willCode "0"); the callback reports code 0.
	WillPass WillOutcome = iota + 1
	// WillWrongAnswer: the face passed but the spoken answer was not one of the accepted ones.
	// Not passed: the query answers 66666006 (billed), faceCode "0", willCode 66666006; so does
	// the callback.
	WillWrongAnswer
	// WillNotSamePerson: the face did not match. Not passed: the query and the callback answer
	// 66660004, with no will code.
	WillNotSamePerson
	// WillUserQuit: the person left. No verdict: the query answers 66660011 (the SDK's
	// ErrNoResult), and the H5 callback carries the front-end code 3003 (意愿核身中途中断).
	WillUserQuit
)

type willOutcomeInfo struct {
	code, faceCode, willCode string
	callback                 string
	name, id, label          string
	liveRate, similarity     string
}

var willOutcomes = [...]willOutcomeInfo{
	WillPass:          {"0", "0", "0", "0", "pass", "pass", "意愿核身通过", "99", "94.94"},
	WillWrongAnswer:   {"66666006", "0", "66666006", "66666006", "wrong answer", "wrong-answer", "意愿表达结果不正确", "99", "94.94"},
	WillNotSamePerson: {"66660004", "66660004", "", "66660004", "not same person", "not-same-person", "无法确认为同一人", "99", "42.5"},
	WillUserQuit:      {"", "", "", "3003", "user quit", "user-quit", "用户中途退出", "", ""},
}

func (o WillOutcome) valid() bool { return o >= WillPass && o <= WillUserQuit }

// Code returns the code getWillFaceResult answers for this outcome ("" for WillUserQuit, whose
// query answers 66660011).
func (o WillOutcome) Code() string {
	if !o.valid() {
		return ""
	}
	return willOutcomes[o].code
}

// String names the outcome.
func (o WillOutcome) String() string {
	if !o.valid() {
		return "WillOutcome(" + strconv.Itoa(int(o)) + ")"
	}
	return willOutcomes[o].name
}

// WillRound is one uploaded prompt, as the server keeps it.
type WillRound struct {
	ID, Question, Answer string
}

// WillOrderInfo is what the server knows about a will order, for assertions. It never holds the
// name or the ID number.
type WillOrderInfo struct {
	AppID, OrderNo, UserID, FaceID string
	Created, FaceIDExpires         time.Time
	Mode, Language, Speed          string // willType, willLanguage, speed as uploaded
	LiveInterType, MidAnswer       string
	SourcePhotoType                string
	Rounds                         []WillRound
	Started                        time.Time // first willLogin page load
	Outcome                        WillOutcome
	Completed                      time.Time
}

// willState holds will orders and the will pages waiting for an outcome, guarded by Server.mu.
type willState struct {
	orders   map[orderKey]*willOrder
	sessions map[string]*h5Session
}

type willOrder struct {
	WillOrderInfo
	mediaQueries int
}

// done reports whether the order has an outcome.
func (o *willOrder) done() bool { return o.Outcome != 0 }

func (o *willOrder) faceIDAlive(now time.Time) bool {
	return o.Outcome == 0 && now.Before(o.FaceIDExpires)
}

func (o *willOrder) resultAlive(now time.Time) bool {
	return o.Outcome.valid() && o.Outcome != WillUserQuit && !now.After(o.Completed.Add(ResultLifetime))
}

func (s *Server) registerWill() {
	s.will = &willState{orders: map[orderKey]*willOrder{}, sessions: map[string]*h5Session{}}
	s.handleRow(EndpointWillFaceID, s.serveWillUpload)
	s.handleRow(EndpointWillResult, s.serveWillResult)
	s.handleRow(EndpointWillLogin, s.serveWillLogin)
	s.handle(WillFinishEndpoint, http.MethodPost, WillFinishPath, s.serveWillFinish)
}

// readWillBody is readBody for the will upload, whose willContentList is a JSON array of
// objects: the list is taken out, and the rest must be strings as everywhere else.
func readWillBody(w http.ResponseWriter, r *http.Request) (map[string]string, []WillRound, bool) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, nil, false
	}
	var items []struct {
		ID       *string `json:"id"`
		Question *string `json:"question"`
		Answer   *string `json:"answer"`
	}
	if json.Unmarshal(m["willContentList"], &items) != nil {
		return nil, nil, false
	}
	delete(m, "willContentList")
	rest, _ := json.Marshal(m)
	r.Body = io.NopCloser(bytes.NewReader(rest))
	f, ok := readBody(w, r)
	if !ok {
		return nil, nil, false
	}
	rounds := make([]WillRound, len(items))
	for i, it := range items {
		if it.ID == nil || it.Question == nil || it.Answer == nil {
			return nil, nil, false
		}
		rounds[i] = WillRound{ID: *it.ID, Question: *it.Question, Answer: *it.Answer}
	}
	return f, rounds, true
}

// javaLen is the length of s as the service's Java counts it (UTF-16 code units).
func javaLen(s string) int { return len(utf16.Encode([]rune(s))) }

// validWillUpload checks the will fields the way the manual describes them (docs/C-ocr-will-nfc-eid.md §5.2.2): 1-5
// rounds (one outside the Q&A mode) with ids "0", "1", ... in order, questions of at most 250
// characters and 500 in all, answers of at most 10 characters ("|" between alternatives),
// liveService "2", and willMidAnswer exactly when liveInterType is "0".
func validWillUpload(f map[string]string, rounds []WillRound) bool {
	if !validUpload(ProductPlus, f) || f["liveService"] != "2" {
		return false
	}
	mode := orDefault(f["willType"], "0")
	switch {
	case mode != "0" && mode != "1" && mode != "2",
		orDefault(f["willLanguage"], "0") != "0",
		!oneOf(f["speed"], "", "-1", "0", "1", "1.5", "2"),
		!oneOf(f["liveInterType"], "", "0", "1"),
		(f["liveInterType"] == "0") != (f["willMidAnswer"] != ""),
		len(f["willMidAnswer"]) > 32,
		len(rounds) == 0 || len(rounds) > 5 || (len(rounds) > 1 && mode != "0"):
		return false
	}
	total := 0
	for i, r := range rounds {
		q, a := javaLen(r.Question), javaLen(r.Answer)
		if r.ID != strconv.Itoa(i) || q == 0 || q > 250 || a == 0 || a > 10 {
			return false
		}
		for _, alt := range strings.Split(r.Answer, "|") {
			if strings.TrimSpace(alt) == "" {
				return false
			}
		}
		total += q
	}
	return total <= 500
}

func oneOf(v string, set ...string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// serveWillUpload is POST /api/server/getWillFaceId. Its code is a JSON number, as in the
// manual's examples.
func (s *Server) serveWillUpload(w http.ResponseWriter, r *http.Request) {
	now := s.Clock.Now()
	fail := func(code string) { writeJSON(w, envelope(json.Number(code), codeMsg(code), bizSeqNo(now), now, nil)) }
	f, rounds, ok := readWillBody(w, r)
	if code := s.refusal(EndpointWillFaceID, f, ok && validWillUpload(f, rounds)); code != "" {
		fail(code)
		return
	}
	o := &willOrder{WillOrderInfo: WillOrderInfo{
		AppID: f["appId"], OrderNo: f["orderNo"], UserID: f["userId"], FaceID: newFaceID(ProductPlus),
		Created: now, FaceIDExpires: now.Add(FaceIDLifetime),
		Mode: f["willType"], Language: f["willLanguage"], Speed: f["speed"],
		LiveInterType: f["liveInterType"], MidAnswer: f["willMidAnswer"], Rounds: rounds,
	}}
	if f["sourcePhotoStr"] != "" {
		o.SourcePhotoType = f["sourcePhotoType"]
	}
	if !addOrder(s, s.will.orders, orderKey{o.AppID, o.OrderNo}, o) {
		fail(codeOrderReused)
		return
	}
	seq := bizSeqNo(now)
	writeJSON(w, envelope(json.Number("0"), "成功", seq, now, object{
		{"bizSeqNo", seq}, {"orderNo", o.OrderNo}, {"faceId", o.FaceID}, {"optimalDomain", s.domain},
	}))
}

// findWillOrder finds orderNo among the default app's will orders, then the others'. Call with
// s.mu held.
func (s *Server) findWillOrder(orderNo string) *willOrder {
	if o := s.will.orders[orderKey{s.AppID, orderNo}]; o != nil {
		return o
	}
	for k, o := range s.will.orders {
		if k.orderNo == orderNo {
			return o
		}
	}
	return nil
}

// liveWillOrder is liveOrder for will orders. Call with s.mu held.
func (s *Server) liveWillOrder(orderNo string, now time.Time) (*willOrder, error) {
	return live(s.findWillOrder(orderNo), orderNo, now)
}

// CompleteWill does what the person's journey does (the App SDK path, or an H5 test that only
// needs the result): it records outcome o on the will order now. The will faceId must be alive
// and the order without an outcome.
func (s *Server) CompleteWill(orderNo string, o WillOutcome) error {
	if !o.valid() {
		return ErrUnknownOutcome
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	ord, err := s.liveWillOrder(orderNo, now)
	if err != nil {
		return err
	}
	ord.Outcome, ord.Completed = o, now
	return nil
}

// WillCallbackURL does what the will page does when the person's journey ends with o, for tests
// that skip the HTML: it records o (like CompleteWill) and returns partnerURL with the signed
// callback parameters.
func (s *Server) WillCallbackURL(orderNo string, o WillOutcome, partnerURL string) (string, error) {
	return s.callbackURL(o.valid(), partnerURL, func(now time.Time) (string, error) {
		ord, err := s.liveWillOrder(orderNo, now)
		if err != nil {
			return "", err
		}
		return s.finishWill(ord, o, partnerURL, now)
	})
}

// WillOrder returns what the server knows about a will order (default app first).
func (s *Server) WillOrder(orderNo string) (WillOrderInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.findWillOrder(orderNo); o != nil {
		info := o.WillOrderInfo
		info.Rounds = append([]WillRound(nil), o.Rounds...)
		return info, true
	}
	return WillOrderInfo{}, false
}

// finishWill records out and returns the partner url with the will callback parameters (docs/C-ocr-will-nfc-eid.md
// §5.5): code, faceCode, willCode, orderNo, h5faceId, newSignature (appId, orderNo and code with
// the newest live SIGN ticket), liveRate. Call with s.mu held; nothing changes when it fails.
func (s *Server) finishWill(o *willOrder, out WillOutcome, partnerURL string, now time.Time) (string, error) {
	tickets := s.signTickets(o.AppID, now)
	if len(tickets) == 0 {
		return "", ErrNoSignTicket
	}
	info := willOutcomes[out]
	values := map[string]string{"appId": o.AppID, "orderNo": o.OrderNo, "code": info.callback}
	sign := row(EndpointWillCallback).signValues(tickets[0], values)
	kv := []string{"code", info.callback, "faceCode", info.faceCode, "willCode", info.willCode, "orderNo", o.OrderNo,
		"h5faceId", o.FaceID, "newSignature", sign}
	if info.liveRate != "" {
		kv = append(kv, "liveRate", info.liveRate)
	}
	o.Outcome, o.Completed = out, now
	return appendQuery(partnerURL, kv), nil
}

// serveWillLogin is GET /api/web/willLogin (docs/C-ocr-will-nfc-eid.md §5.4): the NONCE-signed seven values, then the
// simulator page (h5.go's) with the will outcomes.
func (s *Server) serveWillLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	params, partner, ok := s.loginParams(w, q, EndpointWillLogin, "faceId", oneOf(q.Get("from"), "", "App", "app", "browser"))
	if !ok {
		return
	}
	var choices []choice
	for out := WillPass; out <= WillUserQuit; out++ {
		info := willOutcomes[out]
		choices = append(choices, choice{Value: info.id, Label: info.label + "（" + info.callback + "）"})
	}
	s.openLogin(w, s.will.sessions, partner, WillFinishPath, choices, func(now time.Time) *loginOrder {
		o := s.will.orders[orderKey{params["appId"], params["orderNo"]}]
		if o == nil || o.FaceID != params["faceId"] || o.UserID != params["userId"] {
			return nil
		}
		return &loginOrder{o.AppID, o.OrderNo, "意愿核身", o.faceIDAlive(now), &o.Started}
	})
}

// serveWillFinish is POST WillFinishPath: it spends the form token, records the outcome and
// answers 302 to the partner url with the will callback.
func (s *Server) serveWillFinish(w http.ResponseWriter, r *http.Request) {
	s.finishPage(w, r, s.will.sessions, func(id string) bool { return willOutcomeByID(id) != 0 },
		func(key orderKey, id, partner string, now time.Time) (string, bool, error) {
			o := s.will.orders[key]
			if o == nil {
				return "", false, nil
			}
			if o.Outcome != 0 {
				return "", true, errOrderDone
			}
			loc, err := s.finishWill(o, willOutcomeByID(id), partner, now)
			return loc, true, err
		})
}

// willOutcomeByID maps a simulator form value to its outcome (0 when unknown).
func willOutcomeByID(id string) WillOutcome {
	for o := WillPass; o <= WillUserQuit; o++ {
		if willOutcomes[o].id == id {
			return o
		}
	}
	return 0
}

// fakeAudio returns size bytes that start like a WAV file (RIFF, WAVE, fmt); the filler names
// the order, the round and which audio it is.
func fakeAudio(orderNo, which string, round, size int) []byte {
	head := []byte{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' '}
	return fakeMedia(head, nil, fmt.Sprintf("kyctest %s audio %d of order %s;", which, round, orderNo), size)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// serveWillResult is POST /api/server/getWillFaceResult (docs/C-ocr-will-nfc-eid.md §5.6). getWillFile defaults to
// "1" when absent, as the manual says.
func (s *Server) serveWillResult(w http.ResponseWriter, r *http.Request) {
	f, ok := readBody(w, r)
	if code := s.refusal(EndpointWillResult, f, ok && validQuery(f)); code != "" {
		s.writeCode(w, code)
		return
	}
	getFile, getWillFile := f["getFile"], orDefault(f["getWillFile"], "1")
	wantPhoto, wantVideo := getFile == "1" || getFile == "2", getFile == "1" || getFile == "3"
	wantWill := getWillFile == "1" || getWillFile == "2"
	now := s.Clock.Now()
	s.mu.Lock()
	o := s.will.orders[orderKey{f["appId"], f["orderNo"]}]
	var info WillOrderInfo
	media := false
	if o != nil && o.resultAlive(now) {
		info = o.WillOrderInfo
		media = s.mediaDue(&o.mediaQueries, wantPhoto || wantVideo || wantWill)
	} else {
		o = nil
	}
	s.mu.Unlock()
	if o == nil {
		s.writeCode(w, "66660011")
		return
	}
	out := willOutcomes[info.Outcome]
	seq := bizSeqNo(now)
	userAnswer := func(r WillRound) string {
		if info.Outcome == WillWrongAnswer {
			return "不同意"
		}
		alt, _, _ := strings.Cut(r.Answer, "|")
		return alt
	}
	first := info.Rounds[0]
	res := object{{"bizSeqNo", seq}, {"transactionTime", wireTime(now)}, {"appId", info.AppID}, {"orderNo", info.OrderNo},
		{"similarity", out.similarity}, {"liveRate", out.liveRate}, {"occurredTime", wireTime(info.Completed)},
		{"riskInfo", object{{"deviceInfoLevel", "1"}, {"deviceInfoTag", ""}}},
		{"faceCode", out.faceCode}, {"faceMsg", msgFor(out.faceCode)}, {"willCode", out.willCode}, {"willMsg", msgFor(out.willCode)}}
	if media && wantPhoto && s.cfg.photoBytes > 0 {
		res = append(res, field{"photo", b64(fakePhoto(info.OrderNo, 0, s.cfg.photoBytes))})
	}
	if media && wantVideo && s.cfg.videoBytes > 0 {
		res = append(res, field{"video", b64(fakeVideo(info.OrderNo, s.cfg.videoBytes))})
	}
	single := len(info.Rounds) == 1
	if media && wantWill {
		if single {
			res = append(res, field{"willUserAudio", b64(fakeAudio(info.OrderNo, "user", 0, DefaultAudioBytes))},
				field{"willReadAudio", b64(fakeAudio(info.OrderNo, "read", 0, DefaultAudioBytes))})
		}
		if s.cfg.photoBytes > 0 {
			res = append(res, field{"willScrnShotImage", b64(fakePhoto(info.OrderNo, 1, s.cfg.photoBytes))})
		}
		if getWillFile == "1" && s.cfg.videoBytes > 0 {
			res = append(res, field{"willUserVideo", b64(fakeVideo(info.OrderNo+"will", s.cfg.videoBytes))})
		}
	}
	res = append(res, field{"willStandText", first.Question}, field{"willStandAnswer", first.Answer},
		field{"willUserAnswer", userAnswer(first)}, field{"sdkVersion", "v4.5.2.1"}, field{"trtcFlag", "Y"}, field{"success", false})
	if !single {
		turns := make([]object, len(info.Rounds))
		for i, rd := range info.Rounds {
			t := object{{"id", rd.ID}}
			if media && wantWill {
				t = append(t, field{"willUserAudio", b64(fakeAudio(info.OrderNo, "user", i, DefaultAudioBytes))},
					field{"willReadAudio", b64(fakeAudio(info.OrderNo, "read", i, DefaultAudioBytes))})
			}
			turns[i] = append(t, field{"willStandText", rd.Question}, field{"willStandAnswer", rd.Answer},
				field{"willUserAnswer", userAnswer(rd)})
		}
		res = append(res, field{"willTurnsData", turns})
	}
	writeJSON(w, envelope(s.code(out.code), msgFor(out.code), seq, now, res))
}
