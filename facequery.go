package kyc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/kycgo/kyc/internal/wire"
)

// MediaChoice says which media a result query returns: its value is the getFile sent (docs/A-auth-sign-face.md
// §4.4). Like every choice in this package it is a typed string.
type MediaChoice string

// Media choices. Media can exceed a megabyte: query the verdict without media and fetch media
// separately, as the manual advises.
const (
	NoMedia       MediaChoice = ""  // the verdict only (getFile not sent); the zero value
	PhotoAndVideo MediaChoice = "1" // getFile "1"
	PhotoOnly     MediaChoice = "2" // getFile "2"
	VideoOnly     MediaChoice = "3" // getFile "3"
)

// getFile is the wire value of a checked choice.
func (m MediaChoice) getFile() string { return string(m) }

func (m MediaChoice) wantsPhoto() bool { return m == PhotoAndVideo || m == PhotoOnly }
func (m MediaChoice) wantsVideo() bool { return m == PhotoAndVideo || m == VideoOnly }

// Media is a photo or video. It prints as its size only, under every fmt verb and in slog.
type Media []byte

// String returns "Media(N bytes)".
func (m Media) String() string { return "Media(" + strconv.Itoa(len(m)) + " bytes)" }

// GoString keeps %#v redacted.
func (m Media) GoString() string { return m.String() }

// Format prints the size for every verb, so %x or %s cannot dump the content.
func (m Media) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, m.String()) }

// LogValue keeps media out of structured logs.
func (m Media) LogValue() slog.Value { return slog.StringValue(m.String()) }

// FaceResult is the answer of the result query (queryfacerecord). Code "0" means the person was
// verified and is the same person; any other code is the verdict's failure code (see Err).
type FaceResult struct {
	Code            string
	Msg             string
	OrderNo         string `wire:"orderNo"`
	BizSeqNo        string `wire:"bizSeqNo"`
	TransactionTime string
	LiveRate        string    `wire:"liveRate"`     // liveness score, kept as sent ("99")
	Similarity      string    `wire:"similarity"`   // comparison score ("97.0"); absent for liveness only
	OccurredTime    string    `wire:"occurredTime"` // yyyyMMddHHmmss
	AppID           string    `wire:"appId"`
	SDKVersion      string    `wire:"sdkVersion"`
	TRTCFlag        string    `wire:"trtcFlag"` // "Y" when the scan went through the TRTC real-time channel
	Risk            *RiskInfo `wire:"riskInfo"` // Plus and Enhanced only, and not always
	Photo           Media     // with PhotoAndVideo or PhotoOnly, when present
	Video           Media     // with PhotoAndVideo or VideoOnly, when present
}

// Passed reports code "0": verified, and the same person.
func (r *FaceResult) Passed() bool { return r.Code == "0" }

// Err is nil for a pass, otherwise the verdict as an *APIError (errors.Is(err,
// ErrVerificationFailed) for not the same person, name and ID mismatch, suspected spoof).
func (r *FaceResult) Err() error {
	if r.Passed() {
		return nil
	}
	return &APIError{Op: endpointQueryFaceRecord, Code: r.Code, Msg: r.Msg, BizSeqNo: r.BizSeqNo, OrderNo: r.OrderNo,
		TransactionTime: r.TransactionTime, HTTPStatus: 200}
}

// RiskInfo is the risk object of a Plus or Enhanced result (docs/A-auth-sign-face.md §5). Keys are matched without
// regard to case; LivenessInfoTag is kept raw (its format is not documented) and read with
// ShieldTags.
type RiskInfo struct {
	DeviceInfoLevel string `wire:"deviceInfoLevel,list"`
	DeviceInfoTag   string `wire:"deviceInfoTag,list"`
	RiskInfoLevel   string `wire:"riskInfoLevel,list"`
	RiskInfoTag     string `wire:"riskInfoTag,list"`
	LivenessInfoTag string `wire:"LivenessInfoTag,list"`
}

// UnmarshalJSON accepts any key case and values as strings, numbers or lists (decodeObject).
func (ri *RiskInfo) UnmarshalJSON(b []byte) error {
	if _, err := decodeObject(b, ri); err != nil {
		return errors.New("riskInfo is not an object")
	}
	return nil
}

// HighRiskDevice reports a deviceInfoLevel of 3 or 4: a high-risk device, which the service
// intercepts (docs/A-auth-sign-face.md §7.1, "增强级 riskinfo").
func (ri *RiskInfo) HighRiskDevice() bool {
	if ri == nil {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(ri.DeviceInfoLevel))
	return err == nil && n >= 3
}

// ShieldTag is one AI-shield tag (大模型命中风险描述, docs/A-auth-sign-face.md §5.2). Its value is the tag's number
// in the manual, so a tag is tested by that number (tag == 3: a suspected re-capture attack).
// String gives the English description and Chinese the manual's wording:
//
//	 1 用户全程闭眼              eyes closed throughout
//	 2 用户未完成指定动作          required action not completed
//	 3 疑似翻拍攻击              suspected re-capture attack
//	 4 疑似合成攻击              suspected synthetic attack
//	 5 疑似黑产模版              suspected black-market template
//	 6 疑似存在水印              suspected watermark
//	 7 反光校验未通过             reflection check failed
//	 8 出现多张人脸              multiple faces
//	 9 人脸质量过差              face quality too poor
//	10 距离校验不通过             distance check failed
//	11 疑似对抗样本攻击           suspected adversarial-example attack
//	12 脸部区域疑似存在攻击痕迹      suspected attack traces in the face region
type ShieldTag int

// shieldText holds each tag's wording at its number: {Chinese, English}.
var shieldText = [...][2]string{
	{"", ""},
	{"用户全程闭眼", "eyes closed throughout"},
	{"用户未完成指定动作", "required action not completed"},
	{"疑似翻拍攻击", "suspected re-capture attack"},
	{"疑似合成攻击", "suspected synthetic attack"},
	{"疑似黑产模版", "suspected black-market template"},
	{"疑似存在水印", "suspected watermark"},
	{"反光校验未通过", "reflection check failed"},
	{"出现多张人脸", "multiple faces"},
	{"人脸质量过差", "face quality too poor"},
	{"距离校验不通过", "distance check failed"},
	{"疑似对抗样本攻击", "suspected adversarial-example attack"},
	{"脸部区域疑似存在攻击痕迹", "suspected attack traces in the face region"},
}

// String returns the English description.
func (t ShieldTag) String() string {
	if t < 1 || int(t) >= len(shieldText) {
		return "unknown AI-shield tag " + strconv.Itoa(int(t))
	}
	return shieldText[t][1]
}

// Chinese returns the manual's wording.
func (t ShieldTag) Chinese() string {
	if t < 1 || int(t) >= len(shieldText) {
		return ""
	}
	return shieldText[t][0]
}

// ShieldTags reads LivenessInfoTag as a list of tag numbers ("03", "3", "03,04", "03|04", or the
// Chinese descriptions). Parts it cannot read are returned in unknown, not guessed.
func (ri *RiskInfo) ShieldTags() (tags []ShieldTag, unknown []string) {
	if ri == nil || strings.TrimSpace(ri.LivenessInfoTag) == "" {
		return nil, nil
	}
	parts := strings.FieldsFunc(ri.LivenessInfoTag, func(r rune) bool {
		return r == ',' || r == '|' || r == ';' || r == ' ' || r == '，' || r == '、'
	})
next:
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err == nil && n >= 1 && n < len(shieldText) {
			tags = append(tags, ShieldTag(n))
			continue
		}
		for i := 1; i < len(shieldText); i++ {
			if p == shieldText[i][0] {
				tags = append(tags, ShieldTag(i))
				continue next
			}
		}
		unknown = append(unknown, p)
	}
	return tags, unknown
}

// FaceQuery asks for the result of one face verification (queryFaceRecord, docs/A-auth-sign-face.md §4.4), or its
// photos (QueryPhotos).
type FaceQuery struct {
	OrderNo string // the upload's orderNo
	// Media is the media asked for with the verdict (NoMedia, PhotoOnly, VideoOnly,
	// PhotoAndVideo). QueryResultTo asks for the media of its non-nil writers instead, and
	// QueryPhotos does not use it.
	Media MediaChoice
}

// FaceWriters receive a face result's media as the answer streams in (QueryResultTo); a nil
// writer means that medium is not asked for.
type FaceWriters struct {
	Photo, Video io.Writer
}

// QueryResult asks for the verdict of q.OrderNo and, with q.Media, the photo and video (held in
// memory; at most about the media's own size is allocated when the service sends a length).
// A verdict that is not a pass is a FaceResult with its code, not an error; no result yet or
// any more (66660011) is an error matching ErrNoResult.
func (s *FaceService) QueryResult(ctx context.Context, q FaceQuery) (*FaceResult, error) {
	orderNo, media := q.OrderNo, q.Media
	if err := media.check(); err != nil {
		return nil, err
	}
	var photo, video *arenaWriter
	ar := &arena{}
	res, err := s.c.queryFaceRecord(ctx, s.c.primary, orderNo, media.getFile(), func(cl int64) wire.MediaSink {
		ar.reset(cl)
		photo, video = &arenaWriter{a: ar}, &arenaWriter{a: ar}
		sink := wire.MediaSink{Fields: map[string]io.Writer{}}
		if media.wantsPhoto() {
			sink.Fields["photo"] = photo
		}
		if media.wantsVideo() {
			sink.Fields["video"] = video
		}
		return sink
	})
	if err != nil {
		return nil, err
	}
	if photo != nil {
		res.Photo, res.Video = photo.bytes(), video.bytes()
	}
	return res, nil
}

// QueryResultTo asks for the verdict of q.OrderNo and streams the photo and video into w's
// writers as the answer arrives, with memory bounded whatever their size. A nil writer means
// that medium is not asked for (q.Media is not used). The call is retried only while nothing
// has been written.
//
// Media can lag a passing verdict by a second or two: when a medium asked for is missing, the
// order is queried again as WithMediaWait says (asking only for what is still missing), and if
// it is still missing the call fails with an error matching ErrMediaNotReady (and ErrNoResult). A writer never receives its medium twice, and the writer of a medium that never
// came has received nothing. A verdict that is not a pass needs no media.
func (s *FaceService) QueryResultTo(ctx context.Context, q FaceQuery, w FaceWriters) (*FaceResult, error) {
	orderNo, photo, video := q.OrderNo, w.Photo, w.Video
	gates := &gateSet{}
	pg, vg := gates.gate(photo), gates.gate(video)
	wantPhoto, wantVideo := photo != nil, video != nil
	return awaitMedia(ctx, s.c, endpointQueryFaceRecord, orderNo, gates, func() (*FaceResult, error) {
		return s.c.queryFaceRecord(ctx, s.c.primary, orderNo, mediaChoice(wantPhoto && !pg.done, wantVideo && !vg.done).getFile(),
			func(int64) wire.MediaSink {
				sink := wire.MediaSink{Fields: map[string]io.Writer{}}
				if wantPhoto {
					sink.Fields["photo"] = pg
				}
				if wantVideo {
					sink.Fields["video"] = vg
				}
				return sink
			})
	}, func(res *FaceResult) string {
		if !res.Passed() {
			return ""
		}
		return missingList([]string{"photo", "video"}, []bool{wantPhoto, wantVideo}, []bool{pg.got(), vg.got()})
	})
}

// mediaChoice is the getFile choice for the media wanted.
func mediaChoice(photo, video bool) MediaChoice {
	switch {
	case photo && video:
		return PhotoAndVideo
	case photo:
		return PhotoOnly
	case video:
		return VideoOnly
	}
	return NoMedia
}

// WaitForMedia queries q.OrderNo until the media q.Media asks for is there: media can lag the verdict by
// a second or two, and the manual advises 3 tries 2 s apart (WithMediaWait). It stops early when
// ctx ends or the verdict is not a pass (failed verdicts may have no media). If the media is
// still missing after the last try, it returns the last result with an error matching
// ErrMediaNotReady (and ErrNoResult).
func (s *FaceService) WaitForMedia(ctx context.Context, q FaceQuery) (*FaceResult, error) {
	return waitForMedia(ctx, s.c, "face result", q.OrderNo, func() (*FaceResult, error) { return s.QueryResult(ctx, q) },
		func(res *FaceResult) string {
			if !res.Passed() {
				return ""
			}
			return missingList([]string{"photo", "video"}, []bool{q.Media.wantsPhoto(), q.Media.wantsVideo()},
				[]bool{len(res.Photo) > 0, len(res.Video) > 0})
		})
}

// queryFaceRecord is the queryfacerecord call, shared by the buffered and streamed variants.
func (c *Client) queryFaceRecord(ctx context.Context, app *appTickets, orderNo, getFile string, media func(int64) wire.MediaSink) (*FaceResult, error) {
	if err := checkOrderNo(orderNo); err != nil {
		return nil, err
	}
	p := params{{"appId", app.appID}, {"version", APIVersion}, {"nonce", NewNonce()}, {"orderNo", orderNo},
		{"getFile", getFile}, {"queryVersion", "1.0"}}
	env, err := c.call(ctx, signedCall{app: app, endpoint: endpointQueryFaceRecord, p: p, verdict: true, media: media})
	if err != nil {
		if err := verdictOrErr(env, err); err != nil {
			return nil, err
		}
	}
	res := &FaceResult{}
	obj, err := decodeResult(endpointQueryFaceRecord, orderNo, env, res, frame{&res.Code, &res.Msg, &res.OrderNo, &res.BizSeqNo, &res.TransactionTime})
	if err != nil {
		return nil, err
	}
	// The Plus query table lists LivenessInfoTag beside riskInfo, not in it (docs/A-auth-sign-face.md §5): it is kept
	// with the risk object.
	if raw, ok := member(obj, "LivenessInfoTag"); ok {
		var tag wire.Str
		if tag.UnmarshalJSON(raw) != nil {
			return nil, fmt.Errorf("kyc: %s: %w: result does not decode", endpointQueryFaceRecord, ErrBadResponse)
		}
		if tag != "" {
			if res.Risk == nil {
				res.Risk = &RiskInfo{}
			}
			if res.Risk.LivenessInfoTag == "" {
				res.Risk.LivenessInfoTag = string(tag)
			}
		}
	}
	return res, nil
}

// Photos is the answer of the photo query (queryphotoinfo): one to three photos from the scan.
type Photos struct {
	OrderNo      string  `wire:"orderNo"`
	BizSeqNo     string  `wire:"bizSeqNo"`
	OccurredTime string  `wire:"occurredTime"`
	Photos       []Media // empty when the service has none (photoList null)
}

// QueryPhotos fetches the photos taken during the scan of q.OrderNo (queryphotoinfo); q.Media
// is not used.
func (s *FaceService) QueryPhotos(ctx context.Context, q FaceQuery) (*Photos, error) {
	orderNo := q.OrderNo
	if err := checkOrderNo(orderNo); err != nil {
		return nil, err
	}
	// The Plus H5 page names the body field webankAppId, every other page appId (docs/B-h5-wechat-billing.md T9): the
	// same value is sent under both names, which covers either reading; only values are signed.
	p := params{{"appId", s.c.appID}, {"webankAppId", s.c.appID}, {"version", APIVersion}, {"nonce", NewNonce()},
		{"orderNo", orderNo}}
	ar := &arena{}
	var photos []*arenaWriter
	env, err := s.c.call(ctx, signedCall{app: s.c.primary, endpoint: endpointQueryPhotoInfo, p: p, media: func(cl int64) wire.MediaSink {
		ar.reset(cl)
		photos = photos[:0]
		return wire.MediaSink{Lists: map[string]func(int) (io.Writer, error){
			"photoList": func(i int) (io.Writer, error) {
				if i >= 10 {
					return nil, fmt.Errorf("photoList has more than 10 photos")
				}
				w := &arenaWriter{a: ar}
				photos = append(photos, w)
				return w, nil
			},
		}}
	}})
	if err != nil {
		return nil, err
	}
	out := &Photos{}
	if _, err := decodeResult(endpointQueryPhotoInfo, orderNo, env, out, frame{orderNo: &out.OrderNo, bizSeqNo: &out.BizSeqNo}); err != nil {
		return nil, err
	}
	for _, w := range photos {
		if b := w.bytes(); len(b) > 0 {
			out.Photos = append(out.Photos, b)
		}
	}
	return out, nil
}
