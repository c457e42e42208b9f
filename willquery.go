package kyc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/kycgo/kyc/internal/wire"
)

// WillFiles says which will files (audio, screenshot, will video) a result query returns
// (getWillFile, docs/C-ocr-will-nfc-eid.md §5.6.2). The service's default, when nothing is sent, is all of them, so
// this package always sends the value.
type WillFiles string

// Will file choices. Files can exceed a megabyte: query the verdict with NoWillFiles and fetch
// the files separately, as the manual advises.
const (
	NoWillFiles       WillFiles = ""  // getWillFile "0": none; the zero value
	AllWillFiles      WillFiles = "1" // getWillFile "1": all audio and video
	WillFilesButVideo WillFiles = "2" // getWillFile "2": all but the full will video (App SDK page; the H5 page returns none)
)

// wire is the getWillFile of a checked choice.
func (f WillFiles) wire() string {
	if f == NoWillFiles {
		return "0"
	}
	return string(f)
}

// WillQuery asks for the result of one will verification (getWillFaceResult).
type WillQuery struct {
	OrderNo string
	Face    MediaChoice // getFile: the face photo and liveness video
	Files   WillFiles   // getWillFile: the will audio and video
}

// WillTurn is one round of a multi-round result (willTurnsData).
type WillTurn struct {
	ID          string `wire:"id"`
	StandText   string `wire:"willStandText"`   // the prompt uploaded
	StandAnswer string `wire:"willStandAnswer"` // the accepted answers uploaded, "|"-separated
	UserAnswer  string `wire:"willUserAnswer"`  // what speech recognition heard
	UserAudio   Media  // the person's answer
	ReadAudio   Media  // the prompt as read out
}

// WillResult is the answer of getWillFaceResult (docs/C-ocr-will-nfc-eid.md §5.6.3). Code "0" means the face and the
// spoken answer both passed; FaceCode and WillCode say which part failed otherwise. It prints
// redacted.
type WillResult struct {
	Code            string
	Msg             string
	OrderNo         string `wire:"orderNo"`
	BizSeqNo        string `wire:"bizSeqNo"`
	TransactionTime string
	FaceCode        string    `wire:"faceCode"`
	FaceMsg         string    `wire:"faceMsg"`
	WillCode        string    `wire:"willCode"` // the spoken-answer (ASR) result; 66666006: not the expected answer
	WillMsg         string    `wire:"willMsg"`
	LiveRate        string    `wire:"liveRate"`
	Similarity      string    `wire:"similarity"`
	OccurredTime    string    `wire:"occurredTime"` // yyyyMMddHHmmss
	AppID           string    `wire:"appId"`
	SDKVersion      string    `wire:"sdkVersion"`      // App SDK page only
	TRTCFlag        string    `wire:"trtcFlag"`        // undocumented ("Y"), kept as sent
	Risk            *RiskInfo `wire:"riskInfo"`        // App SDK page only
	StandText       string    `wire:"willStandText"`   // willStandText
	StandAnswer     string    `wire:"willStandAnswer"` // willStandAnswer
	UserAnswer      string    `wire:"willUserAnswer"`  // willUserAnswer
	Photo           Media     // with Face PhotoAndVideo or PhotoOnly
	Video           Media     // with Face PhotoAndVideo or VideoOnly
	UserAudio       Media     // willUserAudio: single-round results only
	ReadAudio       Media     // willReadAudio: single-round results only
	ScreenShot      Media     // willScrnShotImage
	UserVideo       Media     // willUserVideo: the whole will stage (empty if the SDK keeps it)
	Turns           []WillTurn
	// Extra keeps the result's undocumented fields raw: the manual says fields may be added.
	Extra map[string]json.RawMessage
}

// Passed reports code "0".
func (r *WillResult) Passed() bool { return r.Code == "0" }

// Err is nil for a pass, otherwise the verdict as an *APIError (errors.Is(err,
// ErrVerificationFailed) for not the same person or not the expected answer).
func (r *WillResult) Err() error {
	return verdictErr(endpointWillResult, r.Code, r.Msg, r.BizSeqNo, r.OrderNo, r.TransactionTime)
}

// String keeps the answers and the media out of logs and error messages.
func (r WillResult) String() string {
	n := len(r.Photo) + len(r.Video) + len(r.UserAudio) + len(r.ReadAudio) + len(r.ScreenShot) + len(r.UserVideo)
	for _, t := range r.Turns {
		n += len(t.UserAudio) + len(t.ReadAudio)
	}
	return fmt.Sprintf("WillResult{code: %s, faceCode: %s, willCode: %s, orderNo: %s, turns: %d, media: %d bytes}",
		r.Code, r.FaceCode, r.WillCode, r.OrderNo, len(r.Turns), n)
}

// GoString keeps %#v redacted too.
func (r WillResult) GoString() string { return r.String() }

// LogValue keeps the answers and the media out of structured logs.
func (r WillResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("code", r.Code), slog.String("faceCode", r.FaceCode),
		slog.String("willCode", r.WillCode), slog.String("orderNo", r.OrderNo))
}

// WillWriters receive the media of a will result as the answer streams in. A nil writer
// discards that medium (it is still decoded if the service sends it). What is asked for is
// WillQuery's Face and Files.
type WillWriters struct {
	Photo, Video                                io.Writer
	UserAudio, ReadAudio, ScreenShot, UserVideo io.Writer
	// TurnUserAudio and TurnReadAudio return the writers for round i of willTurnsData (its
	// index in the list); nil functions or nil writers discard.
	TurnUserAudio, TurnReadAudio func(i int) io.Writer
}

// maxWillTurns bounds willTurnsData: five rounds are allowed, more is not an answer.
const maxWillTurns = 20

// willMediaFields are the single media fields of the result, in WillWriters order.
var willMediaFields = [...]string{"photo", "video", "willUserAudio", "willReadAudio", "willScrnShotImage", "willUserVideo"}

// QueryResult asks for the result of q.OrderNo with the media q asks for held in memory (one
// allocation sized from the answer's length). A verdict that is not a pass is a WillResult with
// its code, not an error; no result (66660011, 66666010) is an error matching ErrNoResult.
func (s *WillService) QueryResult(ctx context.Context, q WillQuery) (*WillResult, error) {
	ar := &arena{}
	var single [len(willMediaFields)]*arenaWriter
	var turns [][2]*arenaWriter
	turn := func(i, which int) io.Writer {
		for len(turns) <= i {
			turns = append(turns, [2]*arenaWriter{{a: ar}, {a: ar}})
		}
		return turns[i][which]
	}
	res, err := s.query(ctx, q, func(cl int64) willSinks {
		ar.reset(cl)
		turns = turns[:0]
		var out willSinks
		for i := range single {
			single[i] = &arenaWriter{a: ar}
			out.single[i] = single[i]
		}
		out.turnUser = func(i int) io.Writer { return turn(i, 0) }
		out.turnRead = func(i int) io.Writer { return turn(i, 1) }
		return out
	})
	if err != nil {
		return nil, err
	}
	res.Photo, res.Video, res.UserAudio = single[0].bytes(), single[1].bytes(), single[2].bytes()
	res.ReadAudio, res.ScreenShot, res.UserVideo = single[3].bytes(), single[4].bytes(), single[5].bytes()
	for i, idx := range res.turnIndex {
		if idx < len(turns) {
			res.Turns[i].UserAudio, res.Turns[i].ReadAudio = turns[idx][0].bytes(), turns[idx][1].bytes()
		}
	}
	return res.WillResult, nil
}

// QueryResultTo is QueryResult with the media streamed into w's writers as the answer arrives,
// with memory bounded whatever their size. The call is retried only while nothing has been
// written.
//
// Files lag a passing verdict by 1-2 s: when media asked for is missing (the rule of
// WaitForFiles: the face photo and video q.Face asks for, and some answer audio when q.Files
// asks for will files), the order is queried again as WithMediaWait says, and if media is still
// missing the call fails with an error matching ErrMediaNotReady (and ErrNoResult). A writer
// never receives its medium twice, and the writer of a medium that never came has received
// nothing. A verdict that is not a pass needs no media.
func (s *WillService) QueryResultTo(ctx context.Context, q WillQuery, w WillWriters) (*WillResult, error) {
	gates := &gateSet{}
	var single [len(willMediaFields)]*mediaGate
	for i, wr := range [...]io.Writer{w.Photo, w.Video, w.UserAudio, w.ReadAudio, w.ScreenShot, w.UserVideo} {
		single[i] = gates.gate(wr)
	}
	// The rounds' gates, by index in willTurnsData; the caller's function is asked once per round.
	turnUser, turnRead := map[int]*mediaGate{}, map[int]*mediaGate{}
	turnGate := func(m map[int]*mediaGate, f func(int) io.Writer) func(int) io.Writer {
		return func(i int) io.Writer {
			g := m[i]
			if g == nil {
				var wr io.Writer
				if f != nil {
					wr = f(i)
				}
				g = gates.gate(wr)
				m[i] = g
			}
			return g
		}
	}
	sinks := willSinks{turnUser: turnGate(turnUser, w.TurnUserAudio), turnRead: turnGate(turnRead, w.TurnReadAudio)}
	for i, g := range single {
		sinks.single[i] = g
	}
	res, err := awaitMedia(ctx, s.c, endpointWillResult, q.OrderNo, gates, func() (*willResult, error) {
		return s.query(ctx, q, func(int64) willSinks { return sinks })
	}, func(res *willResult) string {
		if !res.Passed() {
			return ""
		}
		turnAudio := false
		for _, g := range turnUser {
			turnAudio = turnAudio || g.got()
		}
		return q.missingMedia(single[0].got(), single[1].got(), single[2].got() || turnAudio)
	})
	if err != nil {
		return nil, err
	}
	return res.WillResult, nil
}

// WaitForFiles queries until the media q asks for is there: files lag the verdict by 1-2 s, and
// the manual advises 3 tries 2 s apart (WithMediaWait). It stops early when ctx ends or the
// verdict is not a pass. If media is still missing after the last try it returns the last
// result with an error matching ErrMediaNotReady (and ErrNoResult).
func (s *WillService) WaitForFiles(ctx context.Context, q WillQuery) (*WillResult, error) {
	return waitForMedia(ctx, s.c, "will result", q.OrderNo, func() (*WillResult, error) { return s.QueryResult(ctx, q) },
		func(res *WillResult) string {
			if !res.Passed() {
				return ""
			}
			return res.missing(q)
		})
}

// missing names the media q asks for that did not arrive: the face files asked for, and some
// answer audio when will files are asked for.
func (r *WillResult) missing(q WillQuery) string {
	audio := len(r.UserAudio) > 0
	for _, t := range r.Turns {
		audio = audio || len(t.UserAudio) > 0
	}
	return q.missingMedia(len(r.Photo) > 0, len(r.Video) > 0, audio)
}

// missingMedia names the media q asks for that did not arrive, given what did: the face photo and
// video q.Face asks for, and some answer audio (single-round or in a round) when q.Files asks for
// will files. "" means nothing is missing.
func (q WillQuery) missingMedia(photo, video, answerAudio bool) string {
	return missingList([]string{"photo", "video", "answer audio"},
		[]bool{q.Face.wantsPhoto(), q.Face.wantsVideo(), q.Files != NoWillFiles}, []bool{photo, video, answerAudio})
}

// willKnownFields are the documented result fields (and the media fields, which never reach
// env.Result): everything else goes to Extra.
var willKnownFields = map[string]bool{
	"orderNo": true, "bizSeqNo": true, "transactionTime": true, "faceCode": true, "faceMsg": true,
	"willCode": true, "willMsg": true, "liveRate": true, "similarity": true, "occurredTime": true,
	"appId": true, "sdkVersion": true, "trtcFlag": true, "riskInfo": true, "willStandText": true,
	"willStandAnswer": true, "willUserAnswer": true, "willTurnsData": true, "success": true,
}

// willSinks are the writers of one answer: the single media fields in willMediaFields order, and
// the turn audio by index in willTurnsData (nil functions or writers discard).
type willSinks struct {
	single             [len(willMediaFields)]io.Writer
	turnUser, turnRead func(int) io.Writer
}

// willResult is a decoded result plus, for each of its Turns, the turn's index in the
// willTurnsData list (which the media writers are keyed by).
type willResult struct {
	*WillResult
	turnIndex []int
}

// query is the getWillFaceResult call. writers is called once the answer's headers are in; every
// media field is registered (nil writers discard) so that media never counts against the
// envelope cap.
func (s *WillService) query(ctx context.Context, q WillQuery, writers func(int64) willSinks) (*willResult, error) {
	if err := checkOrderNo(q.OrderNo); err != nil {
		return nil, err
	}
	if err := q.Face.check(); err != nil {
		return nil, err
	}
	if err := q.Files.check(); err != nil {
		return nil, err
	}
	getFile := q.Face.getFile()
	if getFile == "" {
		getFile = "0" // "其他：不返回"; always sent, the manual marks it required
	}
	p := params{{"appId", s.c.appID}, {"orderNo", q.OrderNo}, {"nonce", NewNonce()}, {"version", APIVersion},
		{"getFile", getFile}, {"getWillFile", q.Files.wire()}}
	env, err := s.c.call(ctx, signedCall{app: s.c.primary, endpoint: endpointWillResult, p: p, verdict: true, media: func(cl int64) wire.MediaSink {
		ws := writers(cl)
		turnWriter := func(w func(int) io.Writer) func(int) (io.Writer, error) {
			return func(i int) (io.Writer, error) {
				if i >= maxWillTurns {
					return nil, fmt.Errorf("willTurnsData has more than %d rounds", maxWillTurns)
				}
				if w == nil {
					return nil, nil
				}
				return w(i), nil
			}
		}
		// Turn audio sits in the objects of willTurnsData: "list.member" names stream it.
		sink := wire.MediaSink{Fields: map[string]io.Writer{}, Lists: map[string]func(int) (io.Writer, error){
			"willTurnsData.willUserAudio": turnWriter(ws.turnUser),
			"willTurnsData.willReadAudio": turnWriter(ws.turnRead),
		}}
		for i, w := range ws.single {
			sink.Fields[willMediaFields[i]] = orDiscard(w)
		}
		return sink
	}})
	if err != nil {
		if err := verdictOrErr(env, err); err != nil {
			return nil, err
		}
	}
	return decodeWillResult(env, q.OrderNo)
}

// decodeWillResult builds the result from the envelope (media already streamed away).
func decodeWillResult(env *wire.Envelope, orderNo string) (*willResult, error) {
	res := &WillResult{}
	obj, err := decodeResult(endpointWillResult, orderNo, env, res, frame{&res.Code, &res.Msg, &res.OrderNo, &res.BizSeqNo, &res.TransactionTime})
	if err != nil {
		return nil, err
	}
	var turns []json.RawMessage
	if raw, ok := member(obj, "willTurnsData"); ok && json.Unmarshal(raw, &turns) != nil {
		return nil, fmt.Errorf("kyc: %s: %w: result does not decode", endpointWillResult, ErrBadResponse)
	}
	for k := range obj {
		if willKnownFields[k] {
			delete(obj, k)
		}
	}
	if len(obj) > 0 {
		res.Extra = obj
	}
	out := &willResult{WillResult: res}
	for i, raw := range turns {
		var t WillTurn
		if len(raw) == 0 || raw[0] != '{' {
			continue // null or not an object: nothing to report for that round
		}
		if _, err := decodeObject(raw, &t); err != nil {
			continue
		}
		res.Turns = append(res.Turns, t)
		out.turnIndex = append(out.turnIndex, i)
	}
	return out, nil
}
