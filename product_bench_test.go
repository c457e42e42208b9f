package kyc_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
)

// answerServer answers the oauth2 calls and every other path with body, built once, so that the
// benchmarks measure the client's memory, not the server's.
func answerServer(b *testing.B, body []byte) *kyc.Client {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/oauth2/access_token":
			io.WriteString(w, `{"code":"0","access_token":"tok","expire_in":"7200"}`)
		case "/api/oauth2/api_ticket":
			io.WriteString(w, `{"code":"0","tickets":[{"value":"ticket","expire_in":"3600"}]}`)
		default:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		}
	}))
	b.Cleanup(srv.Close)
	c, err := kyc.New("IDAXXXXX", "secret", kyc.WithBaseURL(srv.URL))
	require.NoError(b, err)
	_, err = c.SignTicket(context.Background())
	require.NoError(b, err)
	return c
}

func blob(size int, head string) []byte {
	out := bytes.Repeat([]byte("kycmedia"), size/8+1)[:size]
	copy(out, head)
	return out
}

// willBody is a will result with a 20 MB will video, a 1 MB face video and three rounds of audio.
func willBody(b *testing.B) ([]byte, int64) {
	video, face, audio := blob(20<<20, "\x00\x00\x00\x18ftypmp42"), blob(1<<20, "\x00\x00\x00\x18ftypmp42"), blob(200<<10, "RIFF")
	enc := base64.StdEncoding.EncodeToString
	turns := []map[string]string{}
	for i := range 3 {
		turns = append(turns, map[string]string{"id": strconv.Itoa(i), "willUserAudio": enc(audio), "willReadAudio": enc(audio),
			"willStandText": "请回答：是的", "willStandAnswer": "是的", "willUserAnswer": "是的"})
	}
	body, err := json.Marshal(map[string]any{"code": "0", "msg": "请求成功", "bizSeqNo": "1", "transactionTime": "20260101000000",
		"result": map[string]any{"orderNo": "order001", "faceCode": "0", "willCode": "0", "photo": enc(jpeg), "video": enc(face),
			"willUserVideo": enc(video), "willScrnShotImage": enc(jpeg), "willTurnsData": turns}})
	require.NoError(b, err)
	return body, int64(len(video) + len(face) + 6*len(audio) + 2*len(jpeg))
}

// BenchmarkWillResultStreamed20MB streams a will result with a 20 MB video (and 1.2 MB of turn
// audio inside willTurnsData) to writers: what it allocates per call must stay far below the
// media's size, as for the face result (target 4 MB).
func BenchmarkWillResultStreamed20MB(b *testing.B) {
	body, media := willBody(b)
	c := answerServer(b, body)
	ctx := context.Background()
	b.SetBytes(media)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		n := &countWriter{}
		turn := func(int) io.Writer { return n }
		res, err := c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: "order001", Face: kyc.PhotoAndVideo, Files: kyc.AllWillFiles},
			kyc.WillWriters{Photo: n, Video: n, UserVideo: n, ScreenShot: n, TurnUserAudio: turn, TurnReadAudio: turn})
		if err != nil || n.n != media || len(res.Turns) != 3 {
			b.Fatalf("err %v, %d bytes", err, n.n)
		}
	}
	reportAlloc(b, &before)
}

// BenchmarkWillResultBuffered20MB holds the same media in memory: about the media's size, at most
// twice it.
func BenchmarkWillResultBuffered20MB(b *testing.B) {
	body, media := willBody(b)
	c := answerServer(b, body)
	ctx := context.Background()
	b.SetBytes(media)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		res, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: "order001", Face: kyc.PhotoAndVideo, Files: kyc.AllWillFiles})
		if err != nil || len(res.UserVideo) != 20<<20 || len(res.Turns[2].ReadAudio) != 200<<10 {
			b.Fatalf("err %v", err)
		}
	}
	reportAlloc(b, &before)
	b.ReportMetric(float64(media)/(1<<20), "media-MB")
}

// BenchmarkIDCardOCRStreamed20MB streams five 4 MB ID-card images to writers.
func BenchmarkIDCardOCRStreamed20MB(b *testing.B) {
	img := blob(4<<20, "\xFF\xD8\xFF\xE0")
	enc := base64.StdEncoding.EncodeToString(img)
	body, err := json.Marshal(map[string]any{"code": "0", "msg": "请求成功", "bizSeqNo": "1", "transactionTime": "20260101000000",
		"result": map[string]any{"orderNo": "order001", "frontCode": "0", "backCode": "0", "name": "测试", "frontPhoto": enc,
			"backPhoto": enc, "frontCrop": enc, "backCrop": enc, "headPhoto": enc}})
	require.NoError(b, err)
	c := answerServer(b, body)
	ctx := context.Background()
	b.SetBytes(5 * int64(len(img)))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		n := &countWriter{}
		_, err := c.OCR.IDCardResultTo(ctx, kyc.IDCardQuery{OrderNo: "order001"}, kyc.IDCardWriters{Front: n, Back: n, FrontCrop: n, BackCrop: n, Head: n})
		if err != nil || n.n != 5*int64(len(img)) {
			b.Fatalf("err %v, %d bytes", err, n.n)
		}
	}
	reportAlloc(b, &before)
}
