package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWillFixturesReplay(t *testing.T) {
	ctx := context.Background()
	for name, f := range loadFixtures(t, "will") {
		t.Run(name, func(t *testing.T) {
			exp := func(k string) string { s, _ := f.Expect[k].(string); return s }
			expN := func(k string) int { n, _ := f.Expect[k].(float64); return int(n) }
			switch f.Endpoint {
			case endpointWillFaceID:
				c, fs := newProductClient(t, map[string][]byte{"/api/server/getWillFaceId": f.Response})
				res, err := c.Will.GetFaceID(ctx, WillFaceIDRequest{OrderNo: "order001", UserID: "user001", Name: "测试", IDNo: "KYCTEST0001",
					Rounds: []WillRound{{Question: "请问您本次业务是本人自愿办理吗？请回答：我确认", Answers: []string{"我确认", "确认"}}},
					Speed:  1.2, H5Fallback: true, MidAnswer: "我确认"}, WithNonce("kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"))
				require.NoError(t, err)
				require.Equal(t, exp("faceId"), res.FaceID)
				require.Equal(t, exp("optimalDomain"), res.OptimalDomain)
				if exp("orderNo") != "" {
					require.Equal(t, exp("orderNo"), res.OrderNo)
					require.Equal(t, exp("bizSeqNo"), res.BizSeqNo)
				}
				// The wire form: strings, the prompt list as objects, ?orderNo= on the URL, and a
				// SIGN signature over appId, userId, nonce and version only.
				require.Equal(t, "order001", fs.queries["/api/server/getWillFaceId"].Get("orderNo"))
				var body map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(fs.bodies["/api/server/getWillFaceId"], &body))
				str := func(k string) string { var s string; require.NoError(t, json.Unmarshal(body[k], &s), k); return s }
				for k, v := range map[string]string{"appId": "IDAXXXXX", "orderNo": "order001", "userId": "user001", "version": "1.0.0",
					"liveService": "2", "willType": "0", "willLanguage": "0", "speed": "1", "liveInterType": "0", "willMidAnswer": "我确认",
					"sign": Sign("ticket_string", "IDAXXXXX", "user001", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0")} {
					require.Equal(t, v, str(k), k)
				}
				require.JSONEq(t, `[{"id":"0","question":"请问您本次业务是本人自愿办理吗？请回答：我确认","answer":"我确认|确认"}]`, string(body["willContentList"]))
			case endpointWillResult:
				c, fs := newProductClient(t, map[string][]byte{"/api/server/getWillFaceResult": f.Response})
				res, err := c.Will.QueryResult(ctx, WillQuery{OrderNo: f.orderNo(), Face: PhotoAndVideo, Files: AllWillFiles})
				if e := exp("error"); e != "" {
					var ae *APIError
					require.ErrorAs(t, err, &ae)
					require.Equal(t, e, ae.Code)
					require.ErrorIs(t, err, ErrNoResult)
					return
				}
				require.NoError(t, err)
				var sent map[string]string
				require.NoError(t, json.Unmarshal(fs.bodies["/api/server/getWillFaceResult"], &sent))
				require.Equal(t, "1", sent["getFile"])
				require.Equal(t, "1", sent["getWillFile"])
				for k, got := range map[string]string{"code": res.Code, "faceCode": res.FaceCode, "willCode": res.WillCode,
					"orderNo": res.OrderNo, "similarity": res.Similarity, "liveRate": res.LiveRate, "appId": res.AppID,
					"trtcFlag": res.TRTCFlag, "standAnswer": res.StandAnswer, "userAnswer": res.UserAnswer} {
					if _, ok := f.Expect[k]; ok {
						require.Equal(t, exp(k), got, k)
					}
				}
				if exp("deviceInfoLevel") != "" {
					require.Equal(t, exp("deviceInfoLevel"), res.Risk.DeviceInfoLevel)
				}
				require.Len(t, res.Turns, expN("turns"))
				require.Len(t, res.UserAudio, expN("userAudioBytes"))
				require.Len(t, res.UserVideo, expN("userVideoBytes"))
				require.Equal(t, "RIFF", string(res.UserAudio[:4]))
				for i, n := range f.Expect["turnUserAudioBytes"].([]any) {
					require.Len(t, res.Turns[i].UserAudio, int(n.(float64)))
					require.NotEmpty(t, res.Turns[i].ReadAudio)
					require.Equal(t, "是的", res.Turns[i].StandAnswer)
				}
				require.Nil(t, res.Extra, "success and the documented fields are not extra")
				// Streamed, turn audio included.
				var user bytes.Buffer
				turns := map[int]*bytes.Buffer{}
				_, err = c.Will.QueryResultTo(ctx, WillQuery{OrderNo: f.orderNo(), Files: AllWillFiles}, WillWriters{UserAudio: &user,
					TurnReadAudio: func(i int) io.Writer { turns[i] = &bytes.Buffer{}; return turns[i] }})
				require.NoError(t, err)
				require.Equal(t, []byte(res.UserAudio), user.Bytes())
				for i, b := range turns {
					require.Equal(t, []byte(res.Turns[i].ReadAudio), b.Bytes())
				}
			case endpointWillLogin:
				doc, err := url.Parse(f.URL)
				require.NoError(t, err)
				c, _ := newProductClient(t, nil)
				got, err := c.Will.H5LoginURL(ctx, WillLoginRequest{Face: &FaceID{FaceID: doc.Query().Get("faceId"), OrderNo: doc.Query().Get("orderNo"), UserID: doc.Query().Get("userId"), OptimalDomain: doc.Host}, CallbackURL: doc.Query().Get("url"), From: FromBrowser, ReplaceHistory: true})
				require.NoError(t, err)
				gu, err := url.Parse(got)
				require.NoError(t, err)
				require.Equal(t, doc.Host+doc.Path, gu.Host+gu.Path)
				require.Equal(t, keyOrder(doc.RawQuery), keyOrder(gu.RawQuery), "the documented parameter order")
				for _, k := range []string{"version", "orderNo", "faceId", "url", "from", "userId", "redirectType"} {
					require.Equal(t, doc.Query().Get(k), gu.Query().Get(k), k)
				}
				require.Equal(t, Sign("ticket_string", "IDAXXXXX", gu.Query().Get("userId"), gu.Query().Get("orderNo"), "1.0.0",
					gu.Query().Get("faceId"), gu.Query().Get("nonce")), gu.Query().Get("sign"), "seven values with the NONCE ticket")
			case endpointWillCallback:
				u, err := url.Parse(f.URL)
				require.NoError(t, err)
				c, _ := newProductClient(t, nil)
				cb, err := c.Will.VerifyCallback(ctx, u.Query())
				require.NoError(t, err)
				require.Equal(t, exp("code"), cb.Code)
				require.Equal(t, exp("faceCode"), cb.FaceCode)
				require.Equal(t, exp("willCode"), cb.WillCode)
				require.Equal(t, exp("faceId"), cb.FaceID)
				require.Equal(t, exp("unsigned"), strings.Join(cb.UnsignedFields, ","))
			default:
				t.Fatalf("fixture %s: no replay for endpoint %q", name, f.Endpoint)
			}
		})
	}
}

// FuzzWillDecoder feeds arbitrary answers to the will result query, buffered and streamed: never a
// panic, and an answer is either a result or an error.
func FuzzWillDecoder(f *testing.F) {
	for _, seed := range fixtureSeeds(f, "will") {
		f.Add(seed)
	}
	f.Add([]byte(`{"code":"66666006","result":{"willTurnsData":[null,{"willUserAudio":null},"x",{"id":1,"willReadAudio":"UklGRg=="}],"extra":{"a":[1]}}}`))
	f.Add([]byte(`{"code":0,"result":{"willTurnsData":{"id":"0"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, _ := newProductClient(t, map[string][]byte{"/api/server/getWillFaceResult": body, "/api/server/getWillFaceId": body},
			WithMediaWait(2, 0)) // a passing answer without its audio is queried again, without waiting
		res, err := c.Will.QueryResult(context.Background(), WillQuery{OrderNo: "order001", Face: PhotoAndVideo, Files: AllWillFiles})
		if (res == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error, got %v and %v", res, err)
		}
		if res != nil {
			_, _ = res.Err(), res.String()
			if len(res.Turns) > maxWillTurns {
				t.Fatalf("%d turns", len(res.Turns))
			}
		}
		n := 0
		res, err = c.Will.QueryResultTo(context.Background(), WillQuery{OrderNo: "order001", Files: AllWillFiles}, WillWriters{
			UserAudio: io.Discard, TurnUserAudio: func(int) io.Writer { n++; return io.Discard }})
		if (res == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error")
		}
		if n > maxWillTurns {
			t.Fatalf("%d turn writers", n)
		}
		face, err := c.Will.GetFaceID(context.Background(), WillFaceIDRequest{OrderNo: "order001", UserID: "u1", Name: "测试", IDNo: "KYCTEST0001",
			Rounds: []WillRound{{Question: "问", Answers: []string{"是"}}}})
		if (face == nil) == (err == nil) || (face != nil && face.FaceID == "") {
			t.Fatalf("upload: want exactly one of a faceId and an error")
		}
	})
}
