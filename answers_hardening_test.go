package kyc_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Issue 10.6 and 10.7: answers must be complete and about what was asked, identifiers handed on
// are plain values, and missing evidence is never a silent success.

// scriptedService answers the oauth2 calls like the service and every other kyc1 path with the
// next of its answers (the last one repeats). It records the bodies of those requests.
type scriptedService struct {
	mu      sync.Mutex
	answers [][]byte
	bodies  []map[string]any
}

func (s *scriptedService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/oauth2/access_token":
		io.WriteString(w, `{"code":"0","access_token":"tok","expire_in":"7200"}`)
		return
	case "/api/oauth2/api_ticket":
		io.WriteString(w, `{"code":"0","tickets":[{"value":"ticket","expire_in":"3600"}]}`)
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	i := min(len(s.bodies), len(s.answers)-1)
	s.bodies = append(s.bodies, body)
	ans := s.answers[i]
	s.mu.Unlock()
	w.Write(ans)
}

func (s *scriptedService) requests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies
}

// scriptedClient is a client of a scriptedService answering with answers in turn.
func scriptedClient(t *testing.T, answers [][]byte, opts ...kyc.Option) (*kyc.Client, *scriptedService) {
	t.Helper()
	ss := &scriptedService{answers: answers}
	srv := httptest.NewServer(ss)
	t.Cleanup(srv.Close)
	base := []kyc.Option{kyc.WithBaseURL(srv.URL), kyc.WithRetry(1, time.Millisecond, time.Millisecond), kyc.WithMediaWait(1, 0)}
	c, err := kyc.New("IDAXXXXX", "secretXYZ", append(base, opts...)...)
	require.NoError(t, err)
	return c, ss
}

// invalidUTF8 stands in a marshalled answer for bytes that are not UTF-8.
const invalidUTF8 = "@@INVALID-UTF8@@"

// kyc1Answer marshals a kyc1 answer, putting raw invalid UTF-8 where invalidUTF8 stands.
func kyc1Answer(t *testing.T, body map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return bytes.ReplaceAll(b, []byte(invalidUTF8), []byte("wb04\xff\xfe\xc0\x80"))
}

// An invented NFC answer: docs/C-ocr-will-nfc-eid.md §6.5's second derived vector (key below), which decrypts to
// {"orderNo": "o1", "reqId": "r1", "name": "张三"}.
const (
	nfcVectorKey    = "7F26724F72D48EBA5AD3848B30B81122"
	nfcVectorCipher = "z+8TuHNHkegxWOybUq+mSfCTa8RgSYdL+HENmhFwmXXnbPgpuButI6EIntVhO7PxmcxCpF2PWc7hNsP7AXOdKA=="
)

// answerCalls are the kyc1 calls that return a result object: a good result for each, the field
// of it that is the identifier the call hands on, and the call itself.
var answerCalls = []struct {
	name    string
	orderNo string
	id      string
	result  map[string]any
	opts    []kyc.Option
	call    func(context.Context, *kyc.Client) (any, error)
}{
	{name: "Face.GetFaceID", orderNo: "order001", id: "faceId",
		result: map[string]any{"faceId": "wb04f10695c3651ce155fea7070b74c9", "optimalDomain": "kyc1.qcloud.com"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order001", UserID: "user001",
				Name: cloudName, IDNo: cloudIDCard})
		}},
	{name: "Face.GetPCFaceID", orderNo: "order001", id: "h5faceId",
		result: map[string]any{"h5faceId": "wb04f10695c3651ce155fea7070b74c9"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Face.GetPCFaceID(ctx, kyc.PCFaceIDRequest{OrderNo: "order001", UserID: "user001", Name: cloudName, IDNo: cloudIDCard})
		}},
	{name: "Will.GetFaceID", orderNo: "order001", id: "faceId",
		result: map[string]any{"faceId": "wb04f10695c3651ce155fea7070b74c9", "optimalDomain": "kyc1.qcloud.com"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Will.GetFaceID(ctx, willRequest("order001", "user001"))
		}},
	{name: "NFC.GetCertID", orderNo: "order001", id: "ocrCertId",
		result: map[string]any{"ocrCertId": "cc1184c3995c71a731357f9812aab988"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: "order001", UserID: "user001", CardType: kyc.NFCIDCard})
		}},
	{name: "Face.QueryResult", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"liveRate": "99", "similarity": "97.0", "occurredTime": "20260101000000"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "order001", Media: kyc.NoMedia})
		}},
	{name: "Face.QueryResultTo", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"liveRate": "99", "similarity": "97.0"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: "order001"}, kyc.FaceWriters{})
		}},
	{name: "Face.QueryPhotos", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"occurredTime": "20260101000000", "photoList": []string{"/9j/"}},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: "order001"})
		}},
	{name: "Will.QueryResult", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"faceCode": "0", "willCode": "0", "liveRate": "99"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: "order001"})
		}},
	{name: "Will.QueryResultTo", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"faceCode": "0", "willCode": "0", "liveRate": "99"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: "order001"}, kyc.WillWriters{})
		}},
	{name: "OCR.IDCardResult", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"frontCode": "0", "backCode": "0", "name": cloudName},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: "order001"})
		}},
	{name: "OCR.IDCardResultTo", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"frontCode": "0", "backCode": "0", "name": cloudName},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.OCR.IDCardResultTo(ctx, kyc.IDCardQuery{OrderNo: "order001"}, kyc.IDCardWriters{})
		}},
	{name: "OCR.BankCardResult", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"bankCardNo": "6200000000000000000"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: "order001"})
		}},
	{name: "OCR.BankCardResultTo", orderNo: "order001", id: "bizSeqNo",
		result: map[string]any{"bankCardNo": "6200000000000000000"},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.OCR.BankCardResultTo(ctx, kyc.BankCardQuery{OrderNo: "order001"}, kyc.BankCardWriters{})
		}},
	{name: "NFC.QueryResult", orderNo: "o1", id: "bizSeqNo", opts: []kyc.Option{kyc.WithNFCKey(nfcVectorKey)},
		result: map[string]any{"nfcEnResult": nfcVectorCipher},
		call: func(ctx context.Context, c *kyc.Client) (any, error) {
			return c.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: "o1", ReqID: "r1"})
		}},
}

// answerFaults spoil a good answer; every one must end the call with ErrBadResponse.
var answerFaults = []struct {
	name  string
	spoil func(body, result map[string]any, id string)
}{
	{"no result object", func(body, _ map[string]any, _ string) { delete(body, "result") }},
	{"null result", func(body, _ map[string]any, _ string) { body["result"] = nil }},
	{"result for another order", func(_, result map[string]any, _ string) { result["orderNo"] = "other002" }},
	{"answer for another order", func(body, _ map[string]any, _ string) { body["orderNo"] = "other002" }},
	{"CRLF in the identifier", func(_, result map[string]any, id string) { result[id] = "wb04f1\r\nSet-Cookie: a=b" }},
	{"invalid UTF-8 in the identifier", func(_, result map[string]any, id string) { result[id] = invalidUTF8 }},
	{"over-long identifier", func(_, result map[string]any, id string) { result[id] = strings.Repeat("7", 300) }},
	{"CRLF in the top-level bizSeqNo", func(body, _ map[string]any, _ string) { body["bizSeqNo"] = "2000\r\nX-Injected: 1" }},
}

func goodAnswer(orderNo, id string, result map[string]any) (body, res map[string]any) {
	res = map[string]any{"orderNo": orderNo, "bizSeqNo": "20000000000000000000000000000001"}
	for k, v := range result {
		res[k] = v
	}
	if id != "bizSeqNo" && res[id] == nil {
		res[id] = "wb04f10695c3651ce155fea7070b74c9"
	}
	body = map[string]any{"code": "0", "msg": "请求成功", "bizSeqNo": "20000000000000000000000000000001",
		"transactionTime": "20260101000000", "result": res}
	return body, res
}

func TestAnswersMustBeCompleteAndAboutTheOrder(t *testing.T) {
	ctx := context.Background()
	for _, call := range answerCalls {
		t.Run(call.name+"/good answer", func(t *testing.T) {
			body, _ := goodAnswer(call.orderNo, call.id, call.result)
			c, _ := scriptedClient(t, [][]byte{kyc1Answer(t, body)}, call.opts...)
			res, err := call.call(ctx, c)
			require.NoError(t, err, "the unspoilt answer must pass, or the faults below prove nothing")
			require.NotNil(t, res)
		})
		for _, fault := range answerFaults {
			t.Run(call.name+"/"+fault.name, func(t *testing.T) {
				body, result := goodAnswer(call.orderNo, call.id, call.result)
				fault.spoil(body, result, call.id)
				c, ss := scriptedClient(t, [][]byte{kyc1Answer(t, body)}, call.opts...)
				res, err := call.call(ctx, c)
				require.ErrorIs(t, err, kyc.ErrBadResponse)
				require.True(t, reflect.ValueOf(res).IsNil(), "no result with the error")
				require.NotContains(t, err.Error(), "Set-Cookie")
				require.NotContains(t, err.Error(), "X-Injected")
				require.NotContains(t, err.Error(), "\r")
				require.NotContains(t, err.Error(), "other002", "the error never quotes the answer")
				require.Len(t, ss.requests(), 1, "a bad answer is not asked again")
			})
		}
	}
}

// The optimalDomain an upload returns becomes the host of a login URL: it must be a host name.
func TestUploadRefusesABadOptimalDomain(t *testing.T) {
	ctx := context.Background()
	for _, domain := range []string{"evil.example/phish?", "kyc1.qcloud.com\r\nX-Injected: 1", "user@evil.example", strings.Repeat("a", 300) + ".com", invalidUTF8} {
		body, _ := goodAnswer("order001", "faceId", map[string]any{"optimalDomain": domain})
		c, _ := scriptedClient(t, [][]byte{kyc1Answer(t, body)})
		res, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: "order001", UserID: "user001",
			Name: cloudName, IDNo: cloudIDCard})
		require.ErrorIs(t, err, kyc.ErrBadResponse, "%q", domain)
		require.Nil(t, res)
		will, err := c.Will.GetFaceID(ctx, willRequest("order001", "user001"))
		require.ErrorIs(t, err, kyc.ErrBadResponse, "%q", domain)
		require.Nil(t, will)
	}
}

// cloudAnswerClient is an API 3.0 client whose service answers every action with response.
func cloudAnswerClient(t *testing.T, response map[string]any) *kyc.Client {
	t.Helper()
	body, err := json.Marshal(map[string]any{"Response": response})
	require.NoError(t, err)
	body = bytes.ReplaceAll(body, []byte(invalidUTF8), []byte("CE66\xff\xfe"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := kyc.NewCloud("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
		kyc.WithCloudEndpoint(srv.URL), kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	return c
}

// The BizToken, EidToken and Url that DetectAuth and GetEidToken mint are handed on to a browser
// or back to the service: they are checked like the kyc1 identifiers.
func TestCloudTokensAreChecked(t *testing.T) {
	ctx := context.Background()
	calls := []struct {
		name, token string
		call        func(*kyc.Client) (any, error)
	}{
		{"DetectAuth", "BizToken", func(c *kyc.Client) (any, error) {
			return c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
		}},
		{"GetEidToken", "EidToken", func(c *kyc.Client) (any, error) {
			return c.EID.Token(ctx, kyc.EIDTokenRequest{MerchantID: "0NSJ2106211522222"})
		}},
	}
	good := func(token string) map[string]any {
		return map[string]any{token: "CE661F1A-0F1E-45BD-BE13-34C05CEA7681", "Url": "https://faceid.qq.com/api/auth/auth?token=CE661F1A",
			"RequestId": "c4d0ef5d-4d4e-4e83-bd55-ea5e1ee0a9d1"}
	}
	faults := []struct {
		name  string
		field string
		value string
	}{
		{"CRLF in the token", "", "CE661F1A\r\nX-Injected: 1"},
		{"invalid UTF-8 in the token", "", invalidUTF8},
		{"over-long token", "", strings.Repeat("C", 129)},
		{"space in the token", "", "CE66 1F1A"},
		{"CRLF in the Url", "Url", "https://faceid.qq.com/x\r\nX-Injected: 1"},
		{"a Url that is not http(s)", "Url", "javascript:alert(1)"},
		{"a relative Url", "Url", "/api/auth"},
		{"over-long Url", "Url", "https://faceid.qq.com/" + strings.Repeat("a", 2100)},
		{"invalid UTF-8 in the Url", "Url", "https://faceid.qq.com/" + invalidUTF8},
	}
	for _, call := range calls {
		t.Run(call.name+"/good answer", func(t *testing.T) {
			res, err := call.call(cloudAnswerClient(t, good(call.token)))
			require.NoError(t, err)
			require.NotNil(t, res)
		})
		for _, f := range faults {
			t.Run(call.name+"/"+f.name, func(t *testing.T) {
				resp := good(call.token)
				field := f.field
				if field == "" {
					field = call.token
				}
				resp[field] = f.value
				_, err := call.call(cloudAnswerClient(t, resp))
				require.ErrorIs(t, err, kyc.ErrBadResponse)
				require.NotContains(t, err.Error(), "X-Injected")
				require.NotContains(t, err.Error(), "javascript")
			})
		}
	}
}

// mediaClient is a kyctest server whose media lags the verdict by delay queries, and a client
// that queries up to tries times without waiting between queries.
func mediaClient(t *testing.T, delay, tries int) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	return newPairWith(t, []kyctest.Option{kyctest.WithMediaDelay(delay)}, kyc.WithMediaWait(tries, 0))
}

func TestQueryResultToWaitsForLaggingMedia(t *testing.T) {
	ctx := context.Background()
	srv, c := mediaClient(t, 1, 3)
	orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
	var photo, video bytes.Buffer
	res, err := c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: orderNo}, kyc.FaceWriters{Photo: &photo, Video: &video})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, 2, srv.Requests(kyctest.EndpointQueryFaceRecord), "the first answer had no media: asked once more")
	full, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
	require.NoError(t, err)
	require.NotEmpty(t, full.Photo)
	require.Equal(t, []byte(full.Photo), photo.Bytes(), "the photo, once")
	require.Equal(t, []byte(full.Video), video.Bytes(), "the video, once")
}

func TestQueryResultToMediaNeverReady(t *testing.T) {
	ctx := context.Background()
	srv, c := mediaClient(t, 100, 3)
	orderNo := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomePass)
	var photo, video countingWriter
	res, err := c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: orderNo}, kyc.FaceWriters{Photo: &photo, Video: &video})
	require.ErrorIs(t, err, kyc.ErrMediaNotReady)
	require.ErrorIs(t, err, kyc.ErrNoResult)
	require.False(t, errors.Is(err, kyc.ErrBadResponse))
	require.Nil(t, res, "no passing verdict without its evidence")
	require.Zero(t, photo.n+photo.calls+video.n+video.calls, "nothing written")
	require.Equal(t, 3, srv.Requests(kyctest.EndpointQueryFaceRecord), "WithMediaWait's tries")

	// A verdict that is not a pass needs no media: no waiting, no error.
	failed := appJourney(t, srv, c, kyc.Plus, kyctest.OutcomeNotSamePerson)
	before := srv.Requests(kyctest.EndpointQueryFaceRecord)
	res, err = c.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: failed}, kyc.FaceWriters{Photo: &photo, Video: &video})
	require.NoError(t, err)
	require.False(t, res.Passed())
	require.Equal(t, before+1, srv.Requests(kyctest.EndpointQueryFaceRecord))

	// The wait ends with the caller's context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Face.QueryResultTo(cctx, kyc.FaceQuery{OrderNo: orderNo}, kyc.FaceWriters{Photo: &photo, Video: &video})
	require.ErrorIs(t, err, context.Canceled)
}

// A medium that arrived is not written again while the one still missing is asked for.
func TestQueryResultToAsksOnlyForWhatIsMissing(t *testing.T) {
	photo, video := []byte("\xFF\xD8\xFF\xE0 invented photo"), []byte("\x00\x00\x00\x18ftypmp42 invented video")
	enc := base64.StdEncoding.EncodeToString
	first, _ := goodAnswer("order001", "bizSeqNo", map[string]any{"liveRate": "99", "photo": enc(photo)})
	second, _ := goodAnswer("order001", "bizSeqNo", map[string]any{"liveRate": "99", "photo": enc(photo), "video": enc(video)})
	c, ss := scriptedClient(t, [][]byte{kyc1Answer(t, first), kyc1Answer(t, second)}, kyc.WithMediaWait(3, 0))
	var gotPhoto, gotVideo bytes.Buffer
	res, err := c.Face.QueryResultTo(context.Background(), kyc.FaceQuery{OrderNo: "order001"}, kyc.FaceWriters{Photo: &gotPhoto, Video: &gotVideo})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, photo, gotPhoto.Bytes(), "the photo exactly once")
	require.Equal(t, video, gotVideo.Bytes())
	reqs := ss.requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "1", reqs[0]["getFile"])
	require.Equal(t, "3", reqs[1]["getFile"], "the second query asks for the video only")
}

func TestWillQueryResultToWaitsForLaggingFiles(t *testing.T) {
	ctx := context.Background()
	srv, c := mediaClient(t, 1, 3)
	orderNo := willAppJourney(t, srv, c, nil, kyctest.WillPass)
	var audio, video bytes.Buffer
	q := kyc.WillQuery{OrderNo: orderNo, Face: kyc.VideoOnly, Files: kyc.AllWillFiles}
	res, err := c.Will.QueryResultTo(ctx, q, kyc.WillWriters{UserAudio: &audio, Video: &video})
	require.NoError(t, err)
	require.True(t, res.Passed())
	full, err := c.Will.QueryResult(ctx, q)
	require.NoError(t, err)
	require.NotEmpty(t, full.UserAudio)
	require.Equal(t, []byte(full.UserAudio), audio.Bytes())
	require.Equal(t, []byte(full.Video), video.Bytes())

	srv, c = mediaClient(t, 100, 2)
	orderNo = willAppJourney(t, srv, c, nil, kyctest.WillPass)
	var w countingWriter
	turn := func(int) io.Writer { return &w }
	res, err = c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: orderNo, Face: kyc.PhotoAndVideo, Files: kyc.AllWillFiles},
		kyc.WillWriters{Photo: &w, Video: &w, UserAudio: &w, ReadAudio: &w, ScreenShot: &w, UserVideo: &w, TurnUserAudio: turn, TurnReadAudio: turn})
	require.ErrorIs(t, err, kyc.ErrMediaNotReady)
	require.ErrorIs(t, err, kyc.ErrNoResult)
	require.Nil(t, res)
	require.Zero(t, w.n+w.calls, "nothing written")
}

func TestOCRResultToWaitsForLaggingImages(t *testing.T) {
	ctx := context.Background()
	for _, delay := range []int{1, 100} {
		srv, c := mediaClient(t, delay, 2)
		require.NoError(t, srv.CompleteIDCardOCR("ocrlag1", kyctest.SampleIDCard()))
		require.NoError(t, srv.CompleteBankCardOCR("banklag1", kyctest.BankCardOCR{CardNo: "6200000000000000000", ValidDate: "12/2030"}))
		var front, head, origin countingWriter
		idRes, idErr := c.OCR.IDCardResultTo(ctx, kyc.IDCardQuery{OrderNo: "ocrlag1"}, kyc.IDCardWriters{Front: &front, Head: &head})
		bankRes, bankErr := c.OCR.BankCardResultTo(ctx, kyc.BankCardQuery{OrderNo: "banklag1"}, kyc.BankCardWriters{Origin: &origin})
		if delay == 1 {
			require.NoError(t, idErr)
			require.NoError(t, bankErr)
			require.True(t, idRes.FrontOK())
			require.True(t, bankRes.Passed())
			full, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: "ocrlag1", Images: true})
			require.NoError(t, err)
			require.Equal(t, int64(len(full.FrontPhoto)), front.n)
			require.Equal(t, int64(len(full.HeadPhoto)), head.n)
			require.NotZero(t, origin.n)
			continue
		}
		for _, err := range []error{idErr, bankErr} {
			require.ErrorIs(t, err, kyc.ErrMediaNotReady)
			require.ErrorIs(t, err, kyc.ErrNoResult)
		}
		require.Nil(t, idRes)
		require.Nil(t, bankRes)
		require.Zero(t, front.n+head.n+origin.n+front.calls+head.calls+origin.calls, "nothing written")
	}
}

// countingWriter counts what it is given and keeps nothing.
type countingWriter struct{ n, calls int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.calls++
	return len(p), nil
}
