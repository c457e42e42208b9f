package kyctest

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Face verification (docs/A-auth-sign-face.md §4, docs/B-h5-wechat-billing.md §3-4): the uploads that mint a faceId, the orders they create,
// the outcome a test (or the H5 page, h5.go) gives them, and the two result queries.

// Lifetimes and limits of face orders.
const (
	// FaceIDLifetime is how long a faceId (or h5faceId) can start a journey (docs/A-auth-sign-face.md §4.1).
	FaceIDLifetime = 5 * time.Minute
	// ResultLifetime is how long a finished order's result can be queried; later queries answer
	// 66660011 (docs/A-auth-sign-face.md §4.4, "3 days").
	ResultLifetime = 72 * time.Hour
	// MaxSourcePhotoBytes is the largest sourcePhotoStr accepted, decoded: "原始图片不能超过 500KB"
	// (docs/A-auth-sign-face.md §4.1), read as 500 × 1024 bytes.
	MaxSourcePhotoBytes = 500 * 1024
	// DefaultPhotoBytes and DefaultVideoBytes are the sizes of the fake media (see WithMedia).
	DefaultPhotoBytes = 20 * 1024
	DefaultVideoBytes = 200 * 1024
)

// maxSourcePhotoChars is the documented maximum length of sourcePhotoStr (docs/A-auth-sign-face.md §4.1).
const maxSourcePhotoChars = 1048576

// maxBody caps a JSON request body; the largest legal one (a 1 MiB photo) fits well.
const maxBody = 4 << 20

// codeOrderReused is what an upload with an orderNo the app already used answers. The manual
// names no code for it; 400106 (不合法请求, "illegal request", final) is the manual's code for a
// request that is well formed but may not be made, and it differs from 66660000 so a test can tell
// a reused orderNo from a malformed one.
const codeOrderReused = "400106"

// Product is what an order was minted for: the upload endpoint it came through; and, for the API
// 3.0 side, what a RuleId runs (WithRule) or ProductEID for an EidToken.
type Product int

const (
	ProductPlus     Product = iota + 1 // getPlusFaceId: App SDK or mobile H5
	ProductEnhanced                    // getAdvFaceId: App SDK or mobile H5
	ProductBasic                       // getfaceid: App SDK only
	ProductPC                          // h5/geth5faceid: PC-browser H5 (a Basic product)
	ProductEID                         // E证通 (GetEidToken): API 3.0 only
	// ProductWill is a RuleId with a will step (WithRule), billed at the will price on the will
	// table's codes (0, 2006, 2016 in the WeChat channels, like Enhanced).
	ProductWill
)

// productNames are the names Product.String gives, by product.
var productNames = [...]string{ProductPlus: "Plus", ProductEnhanced: "Enhanced", ProductBasic: "Basic",
	ProductPC: "PC", ProductEID: "eID", ProductWill: "Will"}

// String names the product ("Plus", "Enhanced", "Basic", "PC", "eID", "Will").
func (p Product) String() string {
	if p > 0 && int(p) < len(productNames) {
		return productNames[p]
	}
	return "Product(" + strconv.Itoa(int(p)) + ")"
}

// mobileH5 reports whether the product has a mobile-browser journey (/api/web/login): Plus and
// Enhanced do (docs/B-h5-wechat-billing.md §3); Basic has only the App SDK and the PC page (docs/B-h5-wechat-billing.md §7).
func (p Product) mobileH5() bool { return p == ProductPlus || p == ProductEnhanced }

// hasRiskInfo: riskInfo is in the Plus and Enhanced query answers only (docs/A-auth-sign-face.md §5.1).
func (p Product) hasRiskInfo() bool { return p == ProductPlus || p == ProductEnhanced }

// Outcome is how a person's face verification ends: what Complete, CallbackURL, PlaySDK and
// FinishH5 choose. The H5 simulator page offers exactly these constants, in this order: its
// buttons are generated from them.
type Outcome int

const (
	// OutcomePass: same person, live. Passed: queryfacerecord answers "0" (liveRate 99,
	// similarity 97.0); the H5 callback and the App SDK report code 0.
	OutcomePass Outcome = iota + 1
	// OutcomeNotSamePerson: the face does not match the identity. Not passed: queries answer
	// 66660004 (similarity 42.5), as do the callback and the App SDK.
	OutcomeNotSamePerson
	// OutcomeSpoof: suspected non-live person. Not passed: queries answer 66665001 (liveRate 12),
	// the Plus riskInfo carries LivenessInfoTag "03" (suspected re-capture); the callback reports
	// 66665001.
	OutcomeSpoof
	// OutcomeNameIDMismatch: the name and ID number do not match. Not passed: queries answer
	// 66660010, as does the callback.
	OutcomeNameIDMismatch
	// OutcomeUserQuit: the user left. No verdict: queries answer 66660011 (the SDK's ErrNoResult),
	// and the H5 callback carries the front-end code 3003 (核身中途中断), signed like every
	// other code, with no liveRate.
	OutcomeUserQuit
)

// outcomeInfo is what each outcome produces on the wire.
type outcomeInfo struct {
	code       string // query code ("" for user quit)
	callback   string // code on the H5 callback URL
	name       string // String()
	id         string // HTML button id and form value
	label      string // HTML button text
	liveRate   string
	similarity string
	tag        string // Plus LivenessInfoTag
	photos     int    // photos in queryphotoinfo's photoList
}

var outcomes = [...]outcomeInfo{
	OutcomePass:           {"0", "0", "pass", "pass", "核身通过", "99", "97.0", "", 3},
	OutcomeNotSamePerson:  {"66660004", "66660004", "not same person", "not-same-person", "无法确认为同一人", "99", "42.5", "", 1},
	OutcomeSpoof:          {"66665001", "66665001", "spoof", "spoof", "疑似非真人", "12", "0.0", "03", 1},
	OutcomeNameIDMismatch: {"66660010", "66660010", "name/ID mismatch", "name-id-mismatch", "姓名和身份证不一致", "99", "0.0", "", 1},
	// 3003 is the H5 front-end code for a journey interrupted midway (docs/B-h5-wechat-billing.md §3.2).
	OutcomeUserQuit: {"", "3003", "user quit", "user-quit", "用户中途退出", "", "", "", 0},
}

func (o Outcome) valid() bool { return o >= OutcomePass && o <= OutcomeUserQuit }

func (o Outcome) info() outcomeInfo {
	if !o.valid() {
		return outcomeInfo{}
	}
	return outcomes[o]
}

// Code returns the kyc1 code a queryfacerecord answers for an order with this outcome: "0",
// "66660004", "66665001" or "66660010"; "" for OutcomeUserQuit (the query answers 66660011) and for
// values that are not an Outcome.
func (o Outcome) Code() string { return o.info().code }

// String names the outcome ("pass", "not same person", "spoof", "name/ID mismatch", "user quit").
func (o Outcome) String() string {
	if !o.valid() {
		return "Outcome(" + strconv.Itoa(int(o)) + ")"
	}
	return outcomes[o].name
}

// WithMedia sets the sizes in bytes of the fake photo and video that queries return (defaults
// DefaultPhotoBytes, 20 KB, and DefaultVideoBytes, 200 KB). The photo starts with a JPEG SOI and
// JFIF header and ends with the EOI marker, the video starts with an MP4 "ftyp" box; the filler
// between is deterministic and names the order. A size of 0 or less leaves that medium out of
// every answer, as when the service has none.
func WithMedia(photoBytes, videoBytes int) Option {
	return func(cfg *config) {
		cfg.photoBytes = max(photoBytes, 0)
		cfg.videoBytes = max(videoBytes, 0)
	}
}

// WithMediaDelay makes media lag behind the verdict (docs/A-auth-sign-face.md §4.4: "retry up to 3 times, 2 s
// apart"): for each finished order, the first n queries that ask for media (queryfacerecord with
// getFile 1, 2 or 3, and queryphotoinfo) answer without it: no photo or video field, and a null
// photoList. The verdict itself is there from the first query.
func WithMediaDelay(n int) Option {
	return func(cfg *config) { cfg.mediaDelay = max(n, 0) }
}

// OrderInfo is what the server knows about an order, for assertions. It never holds the name or
// the ID number: the server does not keep them.
type OrderInfo struct {
	AppID           string
	OrderNo         string
	Product         Product
	UserID          string
	FaceID          string    // the faceId (the h5faceId for ProductPC)
	Created         time.Time // upload time on the Clock
	FaceIDExpires   time.Time // Created + FaceIDLifetime
	SourcePhotoType string    // "1" or "2" when the upload carried a sourcePhotoStr, else ""
	LiveInterType   string    // as uploaded (mobile uploads only)
	Started         time.Time // first H5 page load; zero if none
	Outcome         Outcome   // zero until the order is completed
	Completed       time.Time // when the outcome was recorded; zero until then
}

type orderKey struct{ appID, orderNo string }

// order is one faceId and its result. Every field is guarded by Server.mu.
type order struct {
	OrderInfo
	mediaQueries int // queries that asked for media since completion (WithMediaDelay)
}

// done reports whether the order has an outcome.
func (o *order) done() bool { return o.Outcome != 0 }

// faceIDAlive reports whether the faceId can still start or finish a journey.
func (o *order) faceIDAlive(now time.Time) bool {
	return o.Outcome == 0 && now.Before(o.FaceIDExpires)
}

// resultAlive reports whether queries find a result for the order.
func (o *order) resultAlive(now time.Time) bool {
	return o.Outcome.valid() && o.Outcome != OutcomeUserQuit && !now.After(o.Completed.Add(ResultLifetime))
}

// registerFace serves the uploads and queries at the paths of the signer table.
func (s *Server) registerFace() {
	for _, e := range []struct {
		endpoint string
		product  Product
	}{
		{EndpointFaceIDPlus, ProductPlus},
		{EndpointFaceIDEnhanced, ProductEnhanced},
		{EndpointFaceIDBasic, ProductBasic},
		{EndpointFaceIDPC, ProductPC},
	} {
		s.handleRow(e.endpoint, s.uploadHandler(e.endpoint, e.product))
	}
	s.handleRow(EndpointQueryFaceRecord, s.serveQueryFaceRecord)
	s.handleRow(EndpointQueryPhotoInfo, s.serveQueryPhotoInfo)
}

// readBody decodes a kyc1 POST body: a JSON object whose values are strings ("all values are
// strings", docs/A-auth-sign-face.md §4); a null counts as absent. It reports false for any other body, for a
// Content-Type other than application/json, and when the URL's ?orderNo= is missing or differs
// from the body's orderNo (docs/A-auth-sign-face.md §4: "always append ?orderNo=").
func readBody(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, false
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&raw); err != nil || raw == nil {
		return nil, false
	}
	params := make(map[string]string, len(raw))
	for k, v := range raw {
		if string(v) == "null" {
			continue
		}
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return nil, false
		}
		params[k] = str
	}
	if q := r.URL.Query()["orderNo"]; len(q) != 1 || q[0] != params["orderNo"] {
		return nil, false
	}
	return params, true
}

// validOrderNo: 1-32 letters and digits (docs/A-auth-sign-face.md §4.1).
func validOrderNo(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// validUpload checks an upload body the way the service would before it looks at the signature.
// name and idNo are only checked for presence: their format (66660015) is not judged.
func validUpload(p Product, f map[string]string) bool {
	if f["appId"] == "" || !validOrderNo(f["orderNo"]) || !validUserID(f["userId"]) ||
		f["version"] != apiVersion || f["sign"] == "" {
		return false
	}
	if p != ProductPC && !validNonce(f["nonce"]) { // the PC upload has no nonce (docs/B-h5-wechat-billing.md §4)
		return false
	}
	hasName, hasIDNo := f["name"] != "", f["idNo"] != ""
	if hasName != hasIDNo {
		return false
	}
	photo, typ := f["sourcePhotoStr"], f["sourcePhotoType"]
	if typ != "" && typ != "1" && typ != "2" {
		return false
	}
	if photo == "" {
		return hasName // no photo: compared against the authoritative source by name and idNo
	}
	return typ != "" && validPhoto(photo)
}

// validPhoto: standard padded base64 without line breaks or a data: prefix, at most 1 MiB of
// text, decoding to 1..MaxSourcePhotoBytes bytes (docs/A-auth-sign-face.md §4.1, B trap T27). The bytes are not
// checked to be an image.
func validPhoto(s string) bool {
	if len(s) > maxSourcePhotoChars || strings.ContainsAny(s, "\r\n") {
		return false // StdEncoding would skip line breaks; the manual forbids them
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) > 0 && len(b) <= MaxSourcePhotoBytes
}

// newFaceID mints a 32-character id: "wb" and 30 hex digits for a PC h5faceId, "tx" and 30 hex
// digits otherwise (the prefixes of the manual's examples).
func newFaceID(p Product) string {
	prefix := "tx"
	if p == ProductPC {
		prefix = "wb"
	}
	return prefix + randomString(30, "0123456789abcdef")
}

// uploadHandler serves getPlusFaceId, getAdvFaceId, getfaceid and h5/geth5faceid.
func (s *Server) uploadHandler(endpoint string, p Product) http.HandlerFunc {
	idField := "faceId"
	if p == ProductPC {
		idField = "h5faceId"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		f, ok := readBody(w, r)
		if code := s.refusal(endpoint, f, ok && validUpload(p, f)); code != "" {
			s.writeCode(w, code)
			return
		}
		now := s.Clock.Now()
		o := &order{OrderInfo: OrderInfo{
			AppID:         f["appId"],
			OrderNo:       f["orderNo"],
			Product:       p,
			UserID:        f["userId"],
			FaceID:        newFaceID(p),
			Created:       now,
			FaceIDExpires: now.Add(FaceIDLifetime),
		}}
		if f["sourcePhotoStr"] != "" {
			o.SourcePhotoType = f["sourcePhotoType"]
		}
		if p != ProductPC {
			o.LiveInterType = f["liveInterType"]
		}
		if !addOrder(s, s.orders, orderKey{o.AppID, o.OrderNo}, o) {
			s.writeCode(w, codeOrderReused)
			return
		}

		seq := bizSeqNo(now)
		writeJSON(w, envelope(s.code("0"), codeMsg("0"), seq, now, object{
			{"bizSeqNo", seq},
			{"transactionTime", wireTime(now)},
			{"orderNo", o.OrderNo},
			{idField, o.FaceID},
			{"optimalDomain", s.domain},
			{"success", false},
		}))
	}
}

// findOrder finds orderNo among the default app's orders, then among the other apps' in the
// order of their ids. Call with s.mu held.
func (s *Server) findOrder(orderNo string) *order {
	if o := s.orders[orderKey{s.AppID, orderNo}]; o != nil {
		return o
	}
	ids := make([]string, 0, len(s.apps))
	for id := range s.apps {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if o := s.orders[orderKey{id, orderNo}]; o != nil {
			return o
		}
	}
	return nil
}

// liveOrder finds orderNo and checks that its faceId can still be used. Call with s.mu held.
func (s *Server) liveOrder(orderNo string, now time.Time) (*order, error) {
	return live(s.findOrder(orderNo), orderNo, now)
}

// complete records the outcome. Call with s.mu held.
func (o *order) complete(out Outcome, now time.Time) {
	o.Outcome = out
	o.Completed = now
}

// Complete does what the person's journey does, for tests that skip the pages (the App SDK path,
// or an H5 test that only needs the result): it records outcome o on the order now. The order
// must have a live faceId (less than FaceIDLifetime old) and no outcome yet; orderNo is looked up
// in the default app first, then in the others. Queries then answer o.Code() (66660011 for
// OutcomeUserQuit).
func (s *Server) Complete(orderNo string, o Outcome) error {
	if !o.valid() {
		return ErrUnknownOutcome
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	ord, err := s.liveOrder(orderNo, now)
	if err != nil {
		return err
	}
	ord.complete(o, now)
	return nil
}

// Order returns what the server knows about orderNo (looked up in the default app first, then in
// the others), and false if no upload minted it.
func (s *Server) Order(orderNo string) (OrderInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.findOrder(orderNo); o != nil {
		return o.OrderInfo, true
	}
	return OrderInfo{}, false
}
