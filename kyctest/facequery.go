package kyctest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// The face result endpoints: queryfacerecord and queryphotoinfo, with their fake media.

// validQuery checks the body shared by queryfacerecord and queryphotoinfo.
func validQuery(f map[string]string) bool {
	return f["appId"] != "" && validOrderNo(f["orderNo"]) && validNonce(f["nonce"]) &&
		f["version"] == apiVersion && f["sign"] != ""
}

// queriedOrder is the finished order a query asks about, or nil when the query must answer
// 66660011. wantsMedia counts the query against WithMediaDelay; the result reports whether media
// may be included. Call with s.mu held.
func (s *Server) queriedOrder(appID, orderNo string, now time.Time, wantsMedia bool) (OrderInfo, bool, bool) {
	o := s.orders[orderKey{appID, orderNo}]
	if o == nil || !o.resultAlive(now) {
		return OrderInfo{}, false, false
	}
	return o.OrderInfo, s.mediaDue(&o.mediaQueries, wantsMedia), true
}

// serveQueryFaceRecord is POST /api/v2/base/queryfacerecord (docs/A-auth-sign-face.md §4.4).
func (s *Server) serveQueryFaceRecord(w http.ResponseWriter, r *http.Request) {
	f, ok := readBody(w, r)
	if code := s.refusal(EndpointQueryFaceRecord, f, ok && validQuery(f)); code != "" {
		s.writeCode(w, code)
		return
	}
	getFile := f["getFile"]
	wantPhoto, wantVideo := getFile == "1" || getFile == "2", getFile == "1" || getFile == "3"
	now := s.Clock.Now()
	s.mu.Lock()
	o, media, found := s.queriedOrder(f["appId"], f["orderNo"], now, wantPhoto || wantVideo)
	s.mu.Unlock()
	if !found {
		s.writeCode(w, "66660011")
		return
	}

	info := o.Outcome.info()
	seq := bizSeqNo(now)
	res := object{{"orderNo", o.OrderNo}, {"liveRate", info.liveRate}}
	if o.Product.hasRiskInfo() {
		risk := object{{"deviceInfoLevel", "1"}, {"deviceInfoTag", ""}, {"riskInfoLevel", ""}, {"riskInfoTag", ""}}
		if o.Product == ProductPlus {
			risk = append(risk, field{"LivenessInfoTag", info.tag}) // capital L (docs/A-auth-sign-face.md §5.1)
		}
		res = append(res, field{"riskInfo", risk})
	}
	res = append(res,
		field{"similarity", info.similarity},
		field{"occurredTime", wireTime(o.Completed)},
		field{"appId", o.AppID},
	)
	if media && wantPhoto && s.cfg.photoBytes > 0 {
		res = append(res, field{"photo", base64.StdEncoding.EncodeToString(fakePhoto(o.OrderNo, 0, s.cfg.photoBytes))})
	}
	if media && wantVideo && s.cfg.videoBytes > 0 {
		res = append(res, field{"video", base64.StdEncoding.EncodeToString(fakeVideo(o.OrderNo, s.cfg.videoBytes))})
	}
	res = append(res, field{"bizSeqNo", seq})
	if f["queryVersion"] == "1.0" {
		res = append(res, field{"sdkVersion", sdkVersion(o.Product)}, field{"trtcFlag", "N"})
	}
	writeJSON(w, envelope(s.code(info.code), faceMsg(info.code, o.Product), seq, now, res))
}

// sdkVersion is the SDK version a query reports: those of the manual's examples.
func sdkVersion(p Product) string {
	if p.hasRiskInfo() {
		return "v4.5.2.1"
	}
	return "1.12.12"
}

// faceMsg is the message sent with a query code: the manual's Chinese text, without
// "疑似非真人，" for Basic and PC as in the Basic tables (docs/A-auth-sign-face.md §7.1).
func faceMsg(code string, p Product) string {
	m := msgFor(code)
	if p == ProductBasic || p == ProductPC {
		return basicMessage(m)
	}
	return m
}

// serveQueryPhotoInfo is POST /api/v2/base/queryphotoinfo (docs/A-auth-sign-face.md §4.5). Its code is a JSON number,
// errors included. The body may name the app webankAppId instead of appId: the manual documents
// that for Plus (docs/B-h5-wechat-billing.md T9); the fake accepts it for every order, as the endpoint cannot know the
// product before it has found the order.
func (s *Server) serveQueryPhotoInfo(w http.ResponseWriter, r *http.Request) {
	now := s.Clock.Now()
	fail := func(code string) {
		writeJSON(w, envelope(json.Number(code), codeMsg(code), bizSeqNo(now), now, nil))
	}
	f, ok := readBody(w, r)
	if ok {
		if wb := f["webankAppId"]; wb != "" {
			if a := f["appId"]; a != "" && a != wb {
				ok = false
			}
			f["appId"] = wb // the signature covers the value, whatever its name
		}
	}
	if code := s.refusal(EndpointQueryPhotoInfo, f, ok && validQuery(f)); code != "" {
		fail(code)
		return
	}
	s.mu.Lock()
	o, media, found := s.queriedOrder(f["appId"], f["orderNo"], now, true)
	s.mu.Unlock()
	if !found {
		fail("66660011")
		return
	}
	var photos []string // nil encodes as null: "null if none"
	if media && s.cfg.photoBytes > 0 {
		for i := range o.Outcome.info().photos {
			photos = append(photos, base64.StdEncoding.EncodeToString(fakePhoto(o.OrderNo, i, s.cfg.photoBytes)))
		}
	}
	writeJSON(w, envelope(json.Number("0"), codeMsg("0"), bizSeqNo(now), now, object{
		{"orderNo", o.OrderNo},
		{"occurredTime", wireTime(o.Completed)},
		{"photoList", photos},
	}))
}

// fakePhoto returns size bytes that start like a JPEG (SOI and a JFIF APP0 segment) and end with
// the EOI marker; the filler between names the order and the photo's index.
func fakePhoto(orderNo string, index, size int) []byte {
	head := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00}
	return fakeMedia(head, []byte{0xFF, 0xD9}, fmt.Sprintf("kyctest photo %d of order %s;", index+1, orderNo), size)
}

// fakeVideo returns size bytes that start with an MP4 "ftyp" box (brand isom, compatible mp42).
func fakeVideo(orderNo string, size int) []byte {
	head := []byte{0x00, 0x00, 0x00, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0x00, 0x00, 0x02, 0x00, 'i', 's', 'o', 'm', 'm', 'p', '4', '2'}
	return fakeMedia(head, nil, "kyctest video of order "+orderNo+";", size)
}

func fakeMedia(head, tail []byte, filler string, size int) []byte {
	out := make([]byte, size)
	n := copy(out, head)
	for i := n; i < size; i++ {
		out[i] = filler[(i-n)%len(filler)]
	}
	if size >= len(head)+len(tail) {
		copy(out[size-len(tail):], tail)
	}
	return out
}
