package kyctest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

// Made-up identity: the server must never echo or keep it.
const (
	testName = "测试用户"
	testIDNo = "4300000000000"
)

var uploadPaths = map[Product]string{
	ProductPlus:     "/api/server/getPlusFaceId",
	ProductEnhanced: "/api/server/getAdvFaceId",
	ProductBasic:    "/api/server/getfaceid",
	ProductPC:       "/api/server/h5/geth5faceid",
}

const (
	queryPath = "/api/v2/base/queryfacerecord"
	photoPath = "/api/v2/base/queryphotoinfo"
)

// faceEnv is a server plus the access token and SIGN ticket a partner backend fetched from it
// through the oauth2 endpoints.
type faceEnv struct {
	t             *testing.T
	srv           *Server
	token, ticket string
}

func newFaceEnv(t *testing.T, opts ...Option) *faceEnv {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	tok := fetchToken(t, srv)
	return &faceEnv{t: t, srv: srv, token: tok, ticket: fetchSignTicket(t, srv, tok)}
}

// postRaw POSTs payload to path?orderNo=... with the content type and returns status and body.
func postRaw(t *testing.T, srv *Server, pathAndQuery, contentType string, payload []byte) (int, []byte) {
	t.Helper()
	resp, err := srv.ts.Client().Post(srv.URL+pathAndQuery, contentType, bytes.NewReader(payload))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// post sends body as JSON to path?orderNo=<body's orderNo>, as the manual requires, and decodes
// the answer, which must be HTTP 200.
func (e *faceEnv) post(path string, body map[string]string) map[string]any {
	e.t.Helper()
	m, _ := e.postBody(path, body)
	return m
}

func (e *faceEnv) postBody(path string, body map[string]string) (map[string]any, []byte) {
	e.t.Helper()
	payload, err := json.Marshal(body)
	require.NoError(e.t, err)
	status, raw := postRaw(e.t, e.srv, path+"?orderNo="+url.QueryEscape(body["orderNo"]), "application/json", payload)
	require.Equal(e.t, http.StatusOK, status, "body: %s", raw)
	return decode(e.t, raw), raw
}

// uploadBody is a signed upload body for product p, comparing against the authoritative source.
func (e *faceEnv) uploadBody(p Product, orderNo, userID string) map[string]string {
	b := map[string]string{
		"appId": e.srv.AppID, "orderNo": orderNo, "name": testName, "idNo": testIDNo,
		"userId": userID, "version": "1.0.0",
	}
	e.sign(p, b)
	return b
}

// sign (re)computes the upload signature of b for product p, with the env's SIGN ticket.
func (e *faceEnv) sign(p Product, b map[string]string) {
	if p == ProductPC {
		delete(b, "nonce") // seven values, no nonce (docs/B-h5-wechat-billing.md §4)
		b["sign"] = kyc.Sign(e.ticket, b["appId"], b["orderNo"], b["name"], b["idNo"], b["userId"], b["version"])
		return
	}
	if b["nonce"] == "" {
		b["nonce"] = kyc.NewNonce()
	}
	b["liveInterType"] = "1"
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["userId"], b["nonce"], b["version"])
}

// mint uploads for product p and returns the faceId (h5faceId for PC).
func (e *faceEnv) mint(p Product, orderNo, userID string) string {
	e.t.Helper()
	m := e.post(uploadPaths[p], e.uploadBody(p, orderNo, userID))
	require.Equal(e.t, "0", m["code"], "answer: %v", m)
	res := m["result"].(map[string]any)
	if p == ProductPC {
		return res["h5faceId"].(string)
	}
	return res["faceId"].(string)
}

// queryBody is a signed queryfacerecord/queryphotoinfo body; extra adds unsigned fields.
func (e *faceEnv) queryBody(orderNo string, extra ...string) map[string]string {
	b := map[string]string{"appId": e.srv.AppID, "orderNo": orderNo, "nonce": kyc.NewNonce(), "version": "1.0.0"}
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["orderNo"], b["nonce"], b["version"])
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i]] = extra[i+1]
	}
	return b
}

func (e *faceEnv) query(orderNo string, extra ...string) map[string]any {
	e.t.Helper()
	return e.post(queryPath, e.queryBody(orderNo, extra...))
}

func resultOf(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	res, ok := m["result"].(map[string]any)
	require.True(t, ok, "no result in %v", m)
	return res
}

func decodeB64(t *testing.T, v any) []byte {
	t.Helper()
	s, ok := v.(string)
	require.True(t, ok, "not a string: %T", v)
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestUploadAnswers(t *testing.T) {
	for _, p := range []Product{ProductPlus, ProductEnhanced, ProductBasic} {
		t.Run(p.String(), func(t *testing.T) {
			e := newFaceEnv(t)
			orderNo := "Order" + p.String() + "001"
			m, raw := e.postBody(uploadPaths[p], e.uploadBody(p, orderNo, "user_1"))
			require.Equal(t, "0", m["code"])
			require.Equal(t, "请求成功", m["msg"])
			require.Regexp(t, `^\d{32}$`, m["bizSeqNo"])
			require.Regexp(t, wireTimeRE, m["transactionTime"])
			res := resultOf(t, m)
			require.Equal(t, m["bizSeqNo"], res["bizSeqNo"])
			require.Equal(t, m["transactionTime"], res["transactionTime"])
			require.Equal(t, orderNo, res["orderNo"])
			require.Regexp(t, `^tx[0-9a-f]{30}$`, res["faceId"])
			require.Equal(t, strings.TrimPrefix(e.srv.URL, "http://"), res["optimalDomain"], "the login URL must come back here")
			require.Equal(t, false, res["success"])
			require.Contains(t, string(raw), `"result":{"bizSeqNo":`, "fields in the manual's order")
			require.NotContains(t, string(raw), testName)
			require.NotContains(t, string(raw), testIDNo)

			info, ok := e.srv.Order(orderNo)
			require.True(t, ok)
			require.Equal(t, p, info.Product)
			require.Equal(t, e.srv.AppID, info.AppID)
			require.Equal(t, "user_1", info.UserID)
			require.Equal(t, res["faceId"], info.FaceID)
			require.Equal(t, "1", info.LiveInterType)
			require.Empty(t, info.SourcePhotoType)
			require.Equal(t, FaceIDLifetime, info.FaceIDExpires.Sub(info.Created))
			require.Zero(t, info.Outcome)
			require.True(t, info.Completed.IsZero())
			require.NotContains(t, fmt.Sprintf("%+v", info), testIDNo)
			require.Equal(t, 1, e.srv.Requests(map[Product]string{ProductPlus: EndpointFaceIDPlus, ProductEnhanced: EndpointFaceIDEnhanced, ProductBasic: EndpointFaceIDBasic}[p]))
		})
	}
}

func TestUploadNumericCode(t *testing.T) {
	srv := NewServer(WithNumericFields())
	defer srv.Close()
	tok := tokenAnswer(t, srv, srv.AppID, srv.Secret)["access_token"].(string)
	tk := signTicketAnswer(t, srv, srv.AppID, tok)["tickets"].([]any)[0].(map[string]any)["value"].(string)
	e := &faceEnv{t: t, srv: srv, token: tok, ticket: tk}
	m := e.post(uploadPaths[ProductPlus], e.uploadBody(ProductPlus, "numeric001", "u1"))
	require.Equal(t, json.Number("0"), m["code"], "the Plus example sends code 0 as a number")
}

func TestUploadPC(t *testing.T) {
	e := newFaceEnv(t)
	b := e.uploadBody(ProductPC, "pc001", "u1")
	require.NotContains(t, b, "nonce")
	m := e.post(uploadPaths[ProductPC], b)
	require.Equal(t, "0", m["code"], "answer: %v", m)
	res := resultOf(t, m)
	require.Regexp(t, `^wb[0-9a-f]{30}$`, res["h5faceId"])
	require.NotContains(t, res, "faceId")
	require.Equal(t, strings.TrimPrefix(e.srv.URL, "http://"), res["optimalDomain"])
	info, _ := e.srv.Order("pc001")
	require.Equal(t, ProductPC, info.Product)
	require.Equal(t, res["h5faceId"], info.FaceID)
	require.Equal(t, 1, e.srv.Requests(EndpointFaceIDPC))

	// The mobile five-value signature does not verify here (docs/B-h5-wechat-billing.md trap T3).
	b = e.uploadBody(ProductPC, "pc002", "u1")
	b["nonce"] = kyc.NewNonce()
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["userId"], b["nonce"], b["version"])
	require.Equal(t, "400101", e.post(uploadPaths[ProductPC], b)["code"])

	// Without name and idNo (own photo), the signature covers the five values left.
	b = map[string]string{"appId": e.srv.AppID, "orderNo": "pc003", "userId": "u1", "version": "1.0.0",
		"sourcePhotoStr": base64.StdEncoding.EncodeToString(fakePhoto("x", 0, 1000)), "sourcePhotoType": "1"}
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["orderNo"], b["userId"], b["version"])
	require.Equal(t, "0", e.post(uploadPaths[ProductPC], b)["code"])
	info, _ = e.srv.Order("pc003")
	require.Equal(t, "1", info.SourcePhotoType)
}

func TestUploadRejects(t *testing.T) {
	photo := func(n int) string { return base64.StdEncoding.EncodeToString(fakePhoto("p", 0, n)) }
	ownPhoto := func(b map[string]string) {
		delete(b, "name")
		delete(b, "idNo")
		b["sourcePhotoStr"] = photo(1000)
		b["sourcePhotoType"] = "2"
	}
	cases := []struct {
		name   string
		edit   func(e *faceEnv, b map[string]string) // edits the body, then it is re-signed
		after  func(e *faceEnv, b map[string]string) // edits after signing
		code   string
		photos string // expected SourcePhotoType when accepted
	}{
		{name: "good", code: "0"},
		{name: "own photo without name", edit: func(e *faceEnv, b map[string]string) { ownPhoto(b) }, code: "0", photos: "2"},
		{name: "photo of exactly 500 KB", edit: func(e *faceEnv, b map[string]string) {
			ownPhoto(b)
			b["sourcePhotoStr"] = photo(MaxSourcePhotoBytes)
		}, code: "0", photos: "2"},
		{name: "bad signature", after: func(e *faceEnv, b map[string]string) { b["sign"] = strings.Repeat("A", 40) }, code: "400101"},
		{name: "signature over another userId", after: func(e *faceEnv, b map[string]string) { b["userId"] = "u2" }, code: "400101"},
		{name: "signed with a NONCE ticket", after: func(e *faceEnv, b map[string]string) {
			nt := fetchNonceTicket(e.t, e.srv, e.token, b["userId"])
			b["sign"] = kyc.Sign(nt, b["appId"], b["userId"], b["nonce"], b["version"])
		}, code: "400101"},
		{name: "unknown app", after: func(e *faceEnv, b map[string]string) { b["appId"] = "IDANOONE" }, code: "400101"},
		{name: "name without idNo", edit: func(e *faceEnv, b map[string]string) { delete(b, "idNo") }, code: "66660000"},
		{name: "idNo without name", edit: func(e *faceEnv, b map[string]string) { b["name"] = "" }, code: "66660000"},
		{name: "neither name nor photo", edit: func(e *faceEnv, b map[string]string) { delete(b, "name"); delete(b, "idNo") }, code: "66660000"},
		{name: "photo without type", edit: func(e *faceEnv, b map[string]string) { ownPhoto(b); delete(b, "sourcePhotoType") }, code: "66660000"},
		{name: "photo type 3", edit: func(e *faceEnv, b map[string]string) { ownPhoto(b); b["sourcePhotoType"] = "3" }, code: "66660000"},
		{name: "photo too large", edit: func(e *faceEnv, b map[string]string) {
			ownPhoto(b)
			b["sourcePhotoStr"] = photo(MaxSourcePhotoBytes + 1)
		}, code: "66660000"},
		{name: "photo with line breaks", edit: func(e *faceEnv, b map[string]string) {
			ownPhoto(b)
			b["sourcePhotoStr"] = b["sourcePhotoStr"][:76] + "\n" + b["sourcePhotoStr"][76:]
		}, code: "66660000"},
		{name: "photo with data: prefix", edit: func(e *faceEnv, b map[string]string) {
			ownPhoto(b)
			b["sourcePhotoStr"] = "data:image/jpeg;base64," + b["sourcePhotoStr"]
		}, code: "66660000"},
		{name: "photo not base64", edit: func(e *faceEnv, b map[string]string) { ownPhoto(b); b["sourcePhotoStr"] = "not base64!" }, code: "66660000"},
		{name: "orderNo of 33", edit: func(e *faceEnv, b map[string]string) { b["orderNo"] = strings.Repeat("1", 33) }, code: "66660000"},
		{name: "orderNo with a dash", edit: func(e *faceEnv, b map[string]string) { b["orderNo"] = "order-1" }, code: "66660000"},
		{name: "userId of 33", edit: func(e *faceEnv, b map[string]string) { b["userId"] = strings.Repeat("u", 33) }, code: "66660000"},
		{name: "userId missing", edit: func(e *faceEnv, b map[string]string) { delete(b, "userId") }, code: "66660000"},
		{name: "nonce of 31", edit: func(e *faceEnv, b map[string]string) { b["nonce"] = kyc.NewNonce()[:31] }, code: "66660000"},
		{name: "version 1.0", edit: func(e *faceEnv, b map[string]string) { b["version"] = "1.0" }, code: "66660000"},
		{name: "sign missing", after: func(e *faceEnv, b map[string]string) { delete(b, "sign") }, code: "66660000"},
	}
	for _, p := range []Product{ProductPlus, ProductEnhanced, ProductBasic, ProductPC} {
		for _, c := range cases {
			if p == ProductPC && strings.Contains(c.name, "nonce") {
				continue
			}
			t.Run(p.String()+"/"+c.name, func(t *testing.T) {
				e := newFaceEnv(t)
				b := e.uploadBody(p, "reject001", "u1")
				if c.edit != nil {
					c.edit(e, b)
					e.sign(p, b)
				}
				if c.after != nil {
					c.after(e, b)
				}
				m, raw := e.postBody(uploadPaths[p], b)
				require.Equal(t, c.code, m["code"], "answer: %s", raw)
				_, minted := e.srv.Order(b["orderNo"])
				require.Equal(t, c.code == "0", minted)
				if c.code != "0" {
					require.NotContains(t, m, "result")
					return
				}
				info, _ := e.srv.Order(b["orderNo"])
				require.Equal(t, c.photos, info.SourcePhotoType)
			})
		}
	}
}

func TestUploadRejectsMalformedRequests(t *testing.T) {
	e := newFaceEnv(t)
	b := e.uploadBody(ProductPlus, "malformed001", "u1")
	good, err := json.Marshal(b)
	require.NoError(t, err)
	path := uploadPaths[ProductPlus]
	for _, c := range []struct {
		name, pathAndQuery, contentType, payload string
	}{
		{"no ?orderNo=", path, "application/json", string(good)},
		{"another ?orderNo=", path + "?orderNo=other001", "application/json", string(good)},
		{"form content type", path + "?orderNo=malformed001", "application/x-www-form-urlencoded", string(good)},
		{"not JSON", path + "?orderNo=malformed001", "application/json", "appId=x"},
		{"a number value", path + "?orderNo=malformed001", "application/json", strings.Replace(string(good), `"version":"1.0.0"`, `"version":1`, 1)},
		{"an array", path + "?orderNo=malformed001", "application/json", "[]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, raw := postRaw(t, e.srv, c.pathAndQuery, c.contentType, []byte(c.payload))
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, "66660000", decode(t, raw)["code"])
		})
	}
	// A charset parameter and a null field are fine.
	b["liveInterType"] = ""
	payload := strings.Replace(string(good), `"liveInterType":"1"`, `"liveInterType":null`, 1)
	status, raw := postRaw(t, e.srv, path+"?orderNo=malformed001", "application/json; charset=utf-8", []byte(payload))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "0", decode(t, raw)["code"], "answer: %s", raw)
	info, _ := e.srv.Order("malformed001")
	require.Empty(t, info.LiveInterType)
}

func TestUploadReusedOrderNo(t *testing.T) {
	e := newFaceEnv(t)
	faceID := e.mint(ProductPlus, "reused001", "u1")
	for _, p := range []Product{ProductPlus, ProductEnhanced, ProductBasic, ProductPC} {
		m := e.post(uploadPaths[p], e.uploadBody(p, "reused001", "u2"))
		require.Equal(t, codeOrderReused, m["code"], "%v: a reused orderNo is refused", p)
		info, ok := kyc.LookupCode(codeOrderReused)
		require.True(t, ok)
		require.ErrorIs(t, info.Class, kyc.ErrBadRequest)
	}
	info, _ := e.srv.Order("reused001")
	require.Equal(t, faceID, info.FaceID, "the first upload's order stands")
	require.Equal(t, "u1", info.UserID)
}

func TestOrdersArePerApp(t *testing.T) {
	srv := NewServer(WithApp("IDAOTHER", "other-secret"))
	defer srv.Close()
	e := &faceEnv{t: t, srv: srv}
	e.token = fetchToken(t, srv)
	e.ticket = fetchSignTicket(t, srv, e.token)
	e.mint(ProductPlus, "shared001", "u1")

	m := tokenAnswer(t, srv, "IDAOTHER", "other-secret")
	otherTicket := ticketOf(t, signTicketAnswer(t, srv, "IDAOTHER", m["access_token"].(string)))["value"].(string)
	b := map[string]string{"appId": "IDAOTHER", "orderNo": "shared001", "name": testName, "idNo": testIDNo,
		"userId": "u9", "version": "1.0.0", "nonce": kyc.NewNonce()}
	b["sign"] = kyc.Sign(otherTicket, b["appId"], b["userId"], b["nonce"], b["version"])
	require.Equal(t, "0", e.post(uploadPaths[ProductEnhanced], b)["code"])

	info, ok := srv.Order("shared001")
	require.True(t, ok)
	require.Equal(t, srv.AppID, info.AppID, "the default app is looked up first")
	require.NoError(t, srv.Complete("shared001", OutcomePass), "completes the default app's order")
	require.ErrorIs(t, srv.Complete("shared001", OutcomePass), ErrOrderCompleted)

	require.Equal(t, "0", e.query("shared001")["code"])
	other := &faceEnv{t: t, srv: srv, ticket: otherTicket}
	q := other.queryBody("shared001")
	q["appId"] = "IDAOTHER"
	q["sign"] = kyc.Sign(otherTicket, q["appId"], q["orderNo"], q["nonce"], q["version"])
	require.Equal(t, "66660011", e.post(queryPath, q)["code"], "the other app's order is not finished")
}

func TestOutcomes(t *testing.T) {
	want := map[Outcome][2]string{
		OutcomePass:           {"0", "pass"},
		OutcomeNotSamePerson:  {"66660004", "not same person"},
		OutcomeSpoof:          {"66665001", "spoof"},
		OutcomeNameIDMismatch: {"66660010", "name/ID mismatch"},
		OutcomeUserQuit:       {"", "user quit"},
	}
	for o, w := range want {
		require.Equal(t, w[0], o.Code(), "%v", o)
		require.Equal(t, w[1], o.String())
		if w[0] != "" {
			_, ok := kyc.LookupCode(w[0])
			require.True(t, ok, "%s is in the catalogue", w[0])
		}
	}
	require.Equal(t, "Outcome(0)", Outcome(0).String())
	require.Equal(t, "Outcome(9)", Outcome(9).String())
	require.Empty(t, Outcome(9).Code())
	info, _ := kyc.LookupCode(OutcomeSpoof.Code())
	require.True(t, info.Billed(kyc.ProductPlus, kyc.ChannelApp), "66665001 is billed for Plus")
	require.Equal(t, "PC", ProductPC.String())
	require.Equal(t, "Product(9)", Product(9).String())
}

func TestComplete(t *testing.T) {
	e := newFaceEnv(t)
	require.ErrorIs(t, e.srv.Complete("nothing001", OutcomePass), ErrUnknownOrder)
	e.mint(ProductBasic, "complete001", "u1")
	require.ErrorIs(t, e.srv.Complete("complete001", Outcome(0)), ErrUnknownOutcome)
	require.ErrorIs(t, e.srv.Complete("complete001", Outcome(6)), ErrUnknownOutcome)

	e.srv.Clock.Advance(FaceIDLifetime - time.Second)
	require.NoError(t, e.srv.Complete("complete001", OutcomeNotSamePerson))
	info, _ := e.srv.Order("complete001")
	require.Equal(t, OutcomeNotSamePerson, info.Outcome)
	require.WithinDuration(t, e.srv.Clock.Now(), info.Completed, time.Second)
	err := e.srv.Complete("complete001", OutcomePass)
	require.ErrorIs(t, err, ErrOrderCompleted, "a faceId serves one attempt")
	require.Contains(t, err.Error(), "complete001")
}

func TestFaceIDExpiry(t *testing.T) {
	e := newFaceEnv(t)
	e.mint(ProductPlus, "expiry001", "u1")
	e.srv.Clock.Advance(FaceIDLifetime + time.Second)
	require.ErrorIs(t, e.srv.Complete("expiry001", OutcomePass), ErrFaceIDExpired)
	_, err := e.srv.CallbackURL("expiry001", OutcomePass, "https://partner.example/cb")
	require.ErrorIs(t, err, ErrFaceIDExpired)
	require.Equal(t, "66660011", e.query("expiry001")["code"], "the flow never started")
}

func TestQueryOutcomes(t *testing.T) {
	for _, p := range []Product{ProductPlus, ProductEnhanced, ProductBasic, ProductPC} {
		for _, o := range []Outcome{OutcomePass, OutcomeNotSamePerson, OutcomeSpoof, OutcomeNameIDMismatch} {
			t.Run(p.String()+"/"+o.String(), func(t *testing.T) {
				e := newFaceEnv(t)
				e.mint(p, "query001", "u1")
				require.NoError(t, e.srv.Complete("query001", o))
				info, _ := e.srv.Order("query001")

				m, raw := e.postBody(queryPath, e.queryBody("query001"))
				require.Equal(t, o.Code(), m["code"])
				require.NotEmpty(t, m["msg"])
				if p == ProductBasic || p == ProductPC {
					require.NotContains(t, m["msg"], "疑似非真人", "the Basic tables drop it")
				}
				res := resultOf(t, m)
				require.Equal(t, "query001", res["orderNo"])
				require.Equal(t, e.srv.AppID, res["appId"])
				require.Equal(t, m["bizSeqNo"], res["bizSeqNo"])
				require.Equal(t, wireTime(info.Completed), res["occurredTime"])
				require.NotEmpty(t, res["liveRate"])
				require.NotEmpty(t, res["similarity"])
				require.NotContains(t, res, "photo", "getFile absent: no media")
				require.NotContains(t, res, "video")
				require.NotContains(t, res, "sdkVersion")
				require.NotContains(t, res, "trtcFlag")
				require.NotContains(t, string(raw), testIDNo)

				risk, hasRisk := res["riskInfo"].(map[string]any)
				require.Equal(t, p == ProductPlus || p == ProductEnhanced, hasRisk, "riskInfo: Plus and Enhanced only")
				if hasRisk {
					for _, k := range []string{"deviceInfoLevel", "deviceInfoTag", "riskInfoLevel", "riskInfoTag"} {
						require.Contains(t, risk, k)
					}
					tag, hasTag := risk["LivenessInfoTag"]
					require.Equal(t, p == ProductPlus, hasTag, "LivenessInfoTag: Plus only")
					if hasTag && o == OutcomeSpoof {
						require.Equal(t, "03", tag)
					} else if hasTag {
						require.Equal(t, "", tag)
					}
				}
			})
		}
	}
}

func TestQueryGetFile(t *testing.T) {
	e := newFaceEnv(t, WithMedia(1000, 5000))
	e.mint(ProductPlus, "media001", "u1")
	require.NoError(t, e.srv.Complete("media001", OutcomePass))
	for _, c := range []struct {
		getFile      string
		photo, video bool
	}{
		{"1", true, true}, {"2", true, false}, {"3", false, true}, {"", false, false}, {"0", false, false}, {"4", false, false},
	} {
		res := resultOf(t, e.query("media001", "getFile", c.getFile))
		require.Equal(t, c.photo, res["photo"] != nil, "getFile %q photo", c.getFile)
		require.Equal(t, c.video, res["video"] != nil, "getFile %q video", c.getFile)
		if c.photo {
			b := decodeB64(t, res["photo"])
			require.Len(t, b, 1000)
			require.Equal(t, []byte{0xFF, 0xD8, 0xFF, 0xE0}, b[:4], "a JPEG")
			require.Equal(t, "JFIF", string(b[6:10]))
			require.Equal(t, []byte{0xFF, 0xD9}, b[len(b)-2:])
		}
		if c.video {
			b := decodeB64(t, res["video"])
			require.Len(t, b, 5000)
			require.Equal(t, "ftyp", string(b[4:8]), "an MP4")
		}
	}
	// Deterministic: the same bytes every time.
	a := resultOf(t, e.query("media001", "getFile", "1"))
	b := resultOf(t, e.query("media001", "getFile", "1"))
	require.Equal(t, a["photo"], b["photo"])
	require.Equal(t, a["video"], b["video"])

	res := resultOf(t, e.query("media001", "queryVersion", "1.0"))
	require.Equal(t, "v4.5.2.1", res["sdkVersion"])
	require.Equal(t, "N", res["trtcFlag"])
	require.NotContains(t, resultOf(t, e.query("media001", "queryVersion", "2.0")), "sdkVersion")
}

func TestQueryDefaultMedia(t *testing.T) {
	e := newFaceEnv(t)
	e.mint(ProductEnhanced, "media002", "u1")
	require.NoError(t, e.srv.Complete("media002", OutcomeNotSamePerson))
	m := e.query("media002", "getFile", "1")
	require.Equal(t, "66660004", m["code"])
	res := resultOf(t, m)
	require.Len(t, decodeB64(t, res["photo"]), DefaultPhotoBytes)
	require.Len(t, decodeB64(t, res["video"]), DefaultVideoBytes)
}

func TestQueryWithoutMedia(t *testing.T) {
	e := newFaceEnv(t, WithMedia(0, 0))
	e.mint(ProductPlus, "media003", "u1")
	require.NoError(t, e.srv.Complete("media003", OutcomePass))
	res := resultOf(t, e.query("media003", "getFile", "1"))
	require.NotContains(t, res, "photo")
	require.NotContains(t, res, "video")
}

func TestQueryMediaDelay(t *testing.T) {
	e := newFaceEnv(t, WithMediaDelay(2))
	e.mint(ProductPlus, "delay001", "u1")
	require.NoError(t, e.srv.Complete("delay001", OutcomePass))

	require.Equal(t, "0", e.query("delay001")["code"], "a query without getFile does not count")
	for i := range 2 {
		m := e.query("delay001", "getFile", "1")
		require.Equal(t, "0", m["code"], "the verdict is there at once")
		res := resultOf(t, m)
		require.NotContains(t, res, "photo", "media query %d", i+1)
		require.NotContains(t, res, "video")
	}
	res := resultOf(t, e.query("delay001", "getFile", "2"))
	require.Len(t, decodeB64(t, res["photo"]), DefaultPhotoBytes, "the third media query has it")

	// Each order has its own count; queryphotoinfo counts too.
	e.mint(ProductPlus, "delay002", "u1")
	require.NoError(t, e.srv.Complete("delay002", OutcomePass))
	m, raw := e.postBody(photoPath, e.queryBody("delay002"))
	require.Equal(t, json.Number("0"), m["code"])
	require.Contains(t, string(raw), `"photoList":null`)
	require.NotContains(t, resultOf(t, e.query("delay002", "getFile", "1")), "photo")
	require.Contains(t, resultOf(t, e.query("delay002", "getFile", "1")), "photo")
}

func TestQueryNoResult(t *testing.T) {
	e := newFaceEnv(t)
	require.Equal(t, "66660011", e.query("unknown001")["code"], "unknown order")

	e.mint(ProductPlus, "unfinished001", "u1")
	m := e.query("unfinished001", "getFile", "1")
	require.Equal(t, "66660011", m["code"], "faceId never used")
	require.Equal(t, "未完成认证或认证结果已过期", m["msg"])
	require.NotContains(t, m, "result")

	e.mint(ProductEnhanced, "quit001", "u1")
	require.NoError(t, e.srv.Complete("quit001", OutcomeUserQuit))
	require.Equal(t, "66660011", e.query("quit001")["code"], "user quit")
	info, _ := e.srv.Order("quit001")
	require.Equal(t, OutcomeUserQuit, info.Outcome)

	e.mint(ProductBasic, "old001", "u1")
	require.NoError(t, e.srv.Complete("old001", OutcomePass))
	e.srv.Clock.Advance(ResultLifetime - time.Minute)
	e.ticket = fetchSignTicket(t, e.srv, fetchToken(t, e.srv)) // the old ones died long ago
	require.Equal(t, "0", e.query("old001")["code"], "still within 3 days")
	e.srv.Clock.Advance(2 * time.Minute)
	require.Equal(t, "66660011", e.query("old001")["code"], "older than 3 days")
	require.Equal(t, 5, e.srv.Requests(EndpointQueryFaceRecord))
}

func TestQueryRejects(t *testing.T) {
	e := newFaceEnv(t)
	e.mint(ProductPlus, "qreject001", "u1")
	require.NoError(t, e.srv.Complete("qreject001", OutcomePass))

	b := e.queryBody("qreject001")
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["orderNo"], b["nonce"]) // no version
	require.Equal(t, "400101", e.post(queryPath, b)["code"])
	b = e.queryBody("qreject001")
	b["sign"] = kyc.Sign(e.ticket, b["appId"], b["userId"], b["nonce"], b["version"]) // upload field set
	require.Equal(t, "400101", e.post(queryPath, b)["code"])
	b = e.queryBody("qreject001")
	delete(b, "nonce")
	require.Equal(t, "66660000", e.post(queryPath, b)["code"])
	b = e.queryBody("qreject001")
	b["version"] = "1.0"
	require.Equal(t, "66660000", e.post(queryPath, b)["code"])
	payload, _ := json.Marshal(e.queryBody("qreject001"))
	_, raw := postRaw(t, e.srv, queryPath, "application/json", payload) // no ?orderNo=
	require.Equal(t, "66660000", decode(t, raw)["code"])
}

func TestQueryPhotoInfo(t *testing.T) {
	e := newFaceEnv(t, WithMedia(700, 10))
	e.mint(ProductEnhanced, "photos001", "u1")
	require.NoError(t, e.srv.Complete("photos001", OutcomePass))

	m := e.post(photoPath, e.queryBody("photos001"))
	require.Equal(t, json.Number("0"), m["code"], "code is a number here (docs/A-auth-sign-face.md §4.5)")
	res := resultOf(t, m)
	require.Equal(t, "photos001", res["orderNo"])
	info, _ := e.srv.Order("photos001")
	require.Equal(t, wireTime(info.Completed), res["occurredTime"])
	list := res["photoList"].([]any)
	require.Len(t, list, 3)
	seen := map[string]bool{}
	for _, p := range list {
		b := decodeB64(t, p)
		require.Len(t, b, 700)
		require.Equal(t, []byte{0xFF, 0xD8}, b[:2])
		seen[p.(string)] = true
	}
	require.Len(t, seen, 3, "three different photos")

	e.mint(ProductEnhanced, "photos002", "u1")
	require.NoError(t, e.srv.Complete("photos002", OutcomeSpoof))
	m = e.post(photoPath, e.queryBody("photos002"))
	require.Equal(t, json.Number("0"), m["code"], "the photos exist whatever the verdict")
	require.Len(t, resultOf(t, m)["photoList"], 1)

	// Errors are numbers too.
	require.Equal(t, json.Number("66660011"), e.post(photoPath, e.queryBody("nothing001"))["code"])
	b := e.queryBody("photos001")
	b["sign"] = strings.Repeat("0", 40)
	require.Equal(t, json.Number("400101"), e.post(photoPath, b)["code"])
	b = e.queryBody("photos001")
	b["nonce"] = "short"
	require.Equal(t, json.Number("66660000"), e.post(photoPath, b)["code"])
	require.Equal(t, 5, e.srv.Requests(EndpointQueryPhotoInfo))
}

func TestQueryPhotoInfoNull(t *testing.T) {
	e := newFaceEnv(t, WithMedia(0, 1000))
	e.mint(ProductBasic, "photos003", "u1")
	require.NoError(t, e.srv.Complete("photos003", OutcomePass))
	m, raw := e.postBody(photoPath, e.queryBody("photos003"))
	require.Equal(t, json.Number("0"), m["code"])
	require.Contains(t, string(raw), `"photoList":null`)
	require.Nil(t, resultOf(t, m)["photoList"])
}

func TestQueryPhotoInfoWebankAppID(t *testing.T) {
	e := newFaceEnv(t)
	e.mint(ProductPlus, "photos004", "u1")
	require.NoError(t, e.srv.Complete("photos004", OutcomePass))

	b := e.queryBody("photos004")
	b["webankAppId"] = b["appId"] // the Plus manual's spelling (docs/B-h5-wechat-billing.md T9)
	delete(b, "appId")
	m := e.post(photoPath, b)
	require.Equal(t, json.Number("0"), m["code"], "answer: %v", m)
	require.Len(t, resultOf(t, m)["photoList"], 3)

	b = e.queryBody("photos004")
	b["webankAppId"] = b["appId"]
	require.Equal(t, json.Number("0"), e.post(photoPath, b)["code"], "both spellings, same value")
	b["webankAppId"] = "IDAOTHER"
	require.Equal(t, json.Number("66660000"), e.post(photoPath, b)["code"], "two different appIds")
}

func TestConcurrentOrders(t *testing.T) {
	e := newFaceEnv(t, WithMedia(100, 100))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			orderNo := fmt.Sprintf("conc%03d", i)
			b := e.uploadBody(ProductPlus, orderNo, "u1")
			payload, _ := json.Marshal(b)
			resp, err := e.srv.ts.Client().Post(e.srv.URL+uploadPaths[ProductPlus]+"?orderNo="+orderNo, "application/json", bytes.NewReader(payload))
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if err := e.srv.Complete(orderNo, OutcomePass); err != nil {
				errs <- err
				return
			}
			q, _ := json.Marshal(e.queryBody(orderNo, "getFile", "1"))
			resp, err = e.srv.ts.Client().Post(e.srv.URL+queryPath+"?orderNo="+orderNo, "application/json", bytes.NewReader(q))
			if err != nil {
				errs <- err
				return
			}
			var m struct{ Code string }
			err = json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if err == nil && m.Code != "0" {
				err = fmt.Errorf("%s: code %s", orderNo, m.Code)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
