package kyc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

const willQuestion = "您好，为确保您本人操作，此次签约全程录音录像。请问您本次业务是本人自愿办理吗？请回答：我确认"

func willRequest(orderNo, userID string) kyc.WillFaceIDRequest {
	return kyc.WillFaceIDRequest{OrderNo: orderNo, UserID: userID, Name: testName, IDNo: testIDNo,
		Rounds: []kyc.WillRound{{Question: willQuestion, Answers: []string{"我确认"}}}}
}

// Every documented limit of the will upload is refused before anything is sent (docs/C-ocr-will-nfc-eid.md §5.2.2).
func TestWillInputLimitsSendNothing(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	ok := willRequest("order001", "user001")
	with := func(f func(r *kyc.WillFaceIDRequest)) kyc.WillFaceIDRequest {
		r := ok
		r.Rounds = append([]kyc.WillRound(nil), ok.Rounds...)
		f(&r)
		return r
	}
	round := func(q string, answers ...string) kyc.WillRound { return kyc.WillRound{Question: q, Answers: answers} }
	rounds := func(n int) []kyc.WillRound {
		out := make([]kyc.WillRound, n)
		for i := range out {
			out[i] = round("问题", "是")
		}
		return out
	}
	astral := "𠀀" // outside the BMP: two UTF-16 code units, as the service's Java counts it
	for _, tc := range []struct {
		name  string
		req   kyc.WillFaceIDRequest
		field string
	}{
		{"bad orderNo", with(func(r *kyc.WillFaceIDRequest) { r.OrderNo = "o-1" }), "orderNo"},
		{"orderNo over 32", with(func(r *kyc.WillFaceIDRequest) { r.OrderNo = strings.Repeat("1", 33) }), "orderNo"},
		{"userId over 32", with(func(r *kyc.WillFaceIDRequest) { r.UserID = strings.Repeat("u", 33) }), "userId"},
		{"name without idNo", with(func(r *kyc.WillFaceIDRequest) { r.IDNo = "" }), "name/idNo"},
		{"neither identity nor photo", with(func(r *kyc.WillFaceIDRequest) { r.Name, r.IDNo = "", "" }), "name/idNo"},
		{"photo without type", with(func(r *kyc.WillFaceIDRequest) { r.Photo = jpeg }), "sourcePhotoType"},
		{"photo not an image", with(func(r *kyc.WillFaceIDRequest) { r.Photo, r.PhotoType = []byte("GIF89a...."), kyc.PhotoHD }), "sourcePhotoStr"},
		{"unknown willType", with(func(r *kyc.WillFaceIDRequest) { r.Mode = "3" }), "willType"},
		{"speed as the wire code", with(func(r *kyc.WillFaceIDRequest) { r.Speed = 2 }), "speed"},
		{"speed as a negative code", with(func(r *kyc.WillFaceIDRequest) { r.Speed = -1 }), "speed"},
		{"fallback without willMidAnswer", with(func(r *kyc.WillFaceIDRequest) { r.H5Fallback = true }), "willMidAnswer"},
		{"willMidAnswer without fallback", with(func(r *kyc.WillFaceIDRequest) { r.MidAnswer = "我确认" }), "willMidAnswer"},
		{"willMidAnswer over 32 bytes", with(func(r *kyc.WillFaceIDRequest) {
			r.H5Fallback, r.MidAnswer = true, strings.Repeat("确", 11)
		}), "willMidAnswer"},
		{"blank willMidAnswer", with(func(r *kyc.WillFaceIDRequest) { r.H5Fallback, r.MidAnswer = true, "  " }), "willMidAnswer"},
		{"no rounds", with(func(r *kyc.WillFaceIDRequest) { r.Rounds = nil }), "willContentList"},
		{"six rounds", with(func(r *kyc.WillFaceIDRequest) { r.Rounds = rounds(6) }), "willContentList"},
		{"two rounds outside Q&A", with(func(r *kyc.WillFaceIDRequest) { r.Mode, r.Rounds = kyc.WillRead, rounds(2) }), "willContentList"},
		{"two rounds in nod mode", with(func(r *kyc.WillFaceIDRequest) { r.Mode, r.Rounds = kyc.WillNod, rounds(2) }), "willContentList"},
		{"blank question", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Question = " " }), "willContentList.question"},
		{"question with a control character", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Question = "问\n题" }), "willContentList.question"},
		{"question of 251", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Question = strings.Repeat("问", 251) }), "willContentList.question"},
		{"question of 251 UTF-16 units", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Question = strings.Repeat(astral, 125) + "问" }), "willContentList.question"},
		{"questions total 501", with(func(r *kyc.WillFaceIDRequest) {
			r.Rounds = []kyc.WillRound{round(strings.Repeat("问", 250), "是"), round(strings.Repeat("问", 250), "是"), round("问", "是")}
		}), "willContentList.question"},
		{"no answer", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Answers = nil }), "willContentList.answer"},
		{"blank answer", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Answers = []string{"是", ""} }), "willContentList.answer"},
		{"answer of 11", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Answers = []string{strings.Repeat("是", 11)} }), "willContentList.answer"},
		{"alternatives of 11 with separators", with(func(r *kyc.WillFaceIDRequest) {
			r.Rounds[0].Answers = []string{"嗯嗯嗯", "好的好的", "是的"} // 3+1+4+1+2
		}), "willContentList.answer"},
		{"answer containing the separator", with(func(r *kyc.WillFaceIDRequest) { r.Rounds[0].Answers = []string{"嗯|好"} }), "willContentList.answer"},
		{"nonce of 31", with(func(r *kyc.WillFaceIDRequest) {}), "nonce"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []kyc.CallOption
			if tc.name == "nonce of 31" {
				opts = append(opts, kyc.WithNonce(strings.Repeat("a", 31)))
			}
			_, err := c.Will.GetFaceID(ctx, tc.req, opts...)
			var ie *kyc.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
			require.NotContains(t, err.Error(), testName)
			require.NotContains(t, err.Error(), testIDNo)
		})
	}
	// Start values, login URL, callback and query.
	_, err := c.Will.SDKParams(ctx, &kyc.FaceID{OrderNo: "order001", UserID: "user001", FaceID: ""})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Will.SDKParams(ctx, &kyc.FaceID{OrderNo: "order-1", UserID: "user001", FaceID: "face001"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	login := kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: "face001", OrderNo: "order001", UserID: "user001"}, CallbackURL: "https://partner.example/cb"}
	for name, mut := range map[string]func(*kyc.WillLoginRequest){
		"no faceId":         func(r *kyc.WillLoginRequest) { r.Face.FaceID = "" },
		"relative callback": func(r *kyc.WillLoginRequest) { r.CallbackURL = "/cb" },
		"from unknown":      func(r *kyc.WillLoginRequest) { r.From = "desktop" },
		"bad optimalDomain": func(r *kyc.WillLoginRequest) { r.Face.OptimalDomain = "evil.example/x" },
	} {
		r, face := login, *login.Face
		r.Face = &face
		mut(&r)
		_, err := c.Will.H5LoginURL(ctx, r)
		require.Error(t, err, name)
	}
	_, err = c.Will.VerifyCallback(ctx, url.Values{"code": {"0"}, "orderNo": {"o1"}})
	require.Error(t, err)
	_, err = c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: "o 1"})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: ""}, kyc.WillWriters{})
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	require.Equal(t, 0, srv.TotalRequests(), "nothing may be sent for bad input")
}

// The limits' boundaries are accepted, by the client and by the fake service.
func TestWillLimitBoundariesAccepted(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	five := make([]kyc.WillRound, 5)
	for i := range five {
		five[i] = kyc.WillRound{Question: strings.Repeat("问", 100), Answers: []string{"嗯", "好的", "是的"}}
	}
	for name, req := range map[string]kyc.WillFaceIDRequest{
		"question of 250":               {Rounds: []kyc.WillRound{{Question: strings.Repeat("问", 250), Answers: []string{strings.Repeat("是", 10)}}}},
		"five rounds, 500 in all":       {Rounds: five, Speed: 1.35},
		"answers of 10 with separators": {Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"嗯嗯嗯", "好的好的", "是"}}}},
		"read mode":                     {Mode: kyc.WillRead, Rounds: []kyc.WillRound{{Question: "请朗读：本人自愿办理", Answers: []string{"本人自愿办理"}}}},
		"nod mode":                      {Mode: kyc.WillNod, Rounds: []kyc.WillRound{{Question: "同意请点头", Answers: []string{"点头"}}}},
		"H5 fallback":                   {H5Fallback: true, MidAnswer: "请回答：我确认", Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"我确认"}}}},
		"prompts at 0.8":                {Speed: 0.8, Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"是"}}}},
		"prompts at 1":                  {Speed: 1, Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"是"}}}},
		"prompts at 1.2":                {Speed: 1.2, Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"是"}}}},
		"prompts at 1.5":                {Speed: 1.5, Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"是"}}}},
		"H5 real-time only":             {Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"我确认"}}}},
		"photo instead of identity":     {Photo: jpeg, PhotoType: kyc.PhotoHD, Rounds: []kyc.WillRound{{Question: "问", Answers: []string{"是"}}}},
	} {
		t.Run(name, func(t *testing.T) {
			req.OrderNo, req.UserID = newOrderNo(), "user1"
			if req.Photo == nil {
				req.Name, req.IDNo = testName, testIDNo
			}
			res, err := c.Will.GetFaceID(ctx, req)
			require.NoError(t, err)
			o, ok := srv.WillOrder(req.OrderNo)
			require.True(t, ok)
			require.Equal(t, res.FaceID, o.FaceID)
			require.Len(t, o.Rounds, len(req.Rounds))
			for i, r := range req.Rounds {
				require.Equal(t, fmt.Sprint(i), o.Rounds[i].ID)
				require.Equal(t, r.Question, o.Rounds[i].Question)
				require.Equal(t, strings.Join(r.Answers, "|"), o.Rounds[i].Answer)
			}
			liveInterType := ""
			if req.H5Fallback {
				liveInterType = "0"
			}
			require.Equal(t, liveInterType, o.LiveInterType)
			require.Equal(t, req.MidAnswer, o.MidAnswer)
			// The manual's speed codes (docs/C-ocr-will-nfc-eid.md §10 item 14), written here, not taken from the SDK.
			speedCodes := map[float64]string{0: "", 0.8: "-1", 1: "0", 1.2: "1", 1.35: "1.5", 1.5: "2"}
			require.Equal(t, speedCodes[req.Speed], o.Speed)
			mode := req.Mode
			if mode == "" {
				mode = kyc.WillQA
			}
			require.Equal(t, string(mode), o.Mode, "willType is always sent")
			require.Equal(t, "0", o.Language, "willLanguage is always sent")
		})
	}
}

// willAppJourney runs the App SDK path: upload, start values checked as the SDK would, outcome.
func willAppJourney(t *testing.T, srv *kyctest.Server, c *kyc.Client, rounds []kyc.WillRound, out kyctest.WillOutcome) string {
	t.Helper()
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "willUser1"
	req := willRequest(orderNo, userID)
	if rounds != nil {
		req.Rounds = rounds
	}
	face, err := c.Will.GetFaceID(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, face.FaceID)
	require.Equal(t, orderNo, face.OrderNo)
	start, err := c.Will.SDKParams(ctx, face) // the will upload's value: faceId, orderNo, userId
	require.NoError(t, err)
	require.Equal(t, "will", start.Product)
	require.Equal(t, face.FaceID, start.FaceID)
	require.Equal(t, "GRADE", start.VerifyMode)
	require.NoError(t, srv.CheckNonceSignature(start.AppID, userID, start.Nonce, start.Sign))
	require.NoError(t, srv.CompleteWill(orderNo, out))
	return orderNo
}

func TestWillAppJourney(t *testing.T) {
	srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMedia(3000, 40000)})
	ctx := context.Background()

	t.Run("single round", func(t *testing.T) {
		orderNo := willAppJourney(t, srv, c, nil, kyctest.WillPass)
		res, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: orderNo})
		require.NoError(t, err)
		require.True(t, res.Passed())
		require.NoError(t, res.Err())
		require.Equal(t, "0", res.FaceCode)
		require.Equal(t, "0", res.WillCode)
		require.Equal(t, willQuestion, res.StandText)
		require.Equal(t, "我确认", res.StandAnswer)
		require.Equal(t, "我确认", res.UserAnswer)
		require.NotEmpty(t, res.Similarity)
		require.NotNil(t, res.Risk)
		require.Equal(t, "Y", res.TRTCFlag)
		require.Empty(t, res.Turns)
		require.Empty(t, res.Photo)
		require.Empty(t, res.UserAudio, "no files unless asked: getWillFile 0 is sent")

		full, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: orderNo, Face: kyc.PhotoAndVideo, Files: kyc.AllWillFiles})
		require.NoError(t, err)
		require.Len(t, full.Photo, 3000)
		require.Len(t, full.Video, 40000)
		require.Len(t, full.UserAudio, kyctest.DefaultAudioBytes)
		require.Len(t, full.ReadAudio, kyctest.DefaultAudioBytes)
		require.Equal(t, "RIFF", string(full.UserAudio[:4]))
		require.Len(t, full.ScreenShot, 3000)
		require.Len(t, full.UserVideo, 40000)
		require.NotContains(t, fmt.Sprintf("%v %#v", full, full), "我确认")

		noVideo, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: orderNo, Files: kyc.WillFilesButVideo})
		require.NoError(t, err)
		require.Equal(t, full.UserAudio, noVideo.UserAudio)
		require.Empty(t, noVideo.UserVideo)
		require.Empty(t, noVideo.Photo)

		var audio, video bytes.Buffer
		streamed, err := c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: orderNo, Face: kyc.VideoOnly, Files: kyc.AllWillFiles},
			kyc.WillWriters{UserAudio: &audio, UserVideo: &video})
		require.NoError(t, err)
		require.True(t, streamed.Passed())
		require.Equal(t, []byte(full.UserAudio), audio.Bytes())
		require.Equal(t, []byte(full.UserVideo), video.Bytes())
		require.Empty(t, streamed.UserAudio, "streamed media is not also held")
	})

	t.Run("three rounds", func(t *testing.T) {
		rounds := []kyc.WillRound{
			{Question: "第一轮：请回答是的", Answers: []string{"是的"}},
			{Question: "第二轮：请回答同意", Answers: []string{"同意", "嗯"}},
			{Question: "第三轮：请回答确认", Answers: []string{"确认"}},
		}
		orderNo := willAppJourney(t, srv, c, rounds, kyctest.WillPass)
		res, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: orderNo, Files: kyc.AllWillFiles})
		require.NoError(t, err)
		require.Len(t, res.Turns, 3)
		for i, turn := range res.Turns {
			require.Equal(t, fmt.Sprint(i), turn.ID)
			require.Equal(t, rounds[i].Question, turn.StandText)
			require.Equal(t, strings.Join(rounds[i].Answers, "|"), turn.StandAnswer)
			require.Equal(t, rounds[i].Answers[0], turn.UserAnswer)
			require.Len(t, turn.UserAudio, kyctest.DefaultAudioBytes)
			require.Len(t, turn.ReadAudio, kyctest.DefaultAudioBytes)
			require.Contains(t, string(turn.UserAudio), fmt.Sprintf("user audio %d of order", i))
		}
		require.Empty(t, res.UserAudio, "multi-round audio is per turn")
		turnAudio := map[int]*bytes.Buffer{}
		_, err = c.Will.QueryResultTo(ctx, kyc.WillQuery{OrderNo: orderNo, Files: kyc.AllWillFiles}, kyc.WillWriters{
			TurnUserAudio: func(i int) io.Writer { turnAudio[i] = &bytes.Buffer{}; return turnAudio[i] },
		})
		require.NoError(t, err)
		require.Len(t, turnAudio, 3)
		for i, b := range turnAudio {
			require.Equal(t, []byte(res.Turns[i].UserAudio), b.Bytes())
		}
	})
}

func TestWillVerdicts(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	for _, tc := range []struct {
		out                      kyctest.WillOutcome
		code, faceCode, willCode string
	}{
		{kyctest.WillWrongAnswer, "66666006", "0", "66666006"},
		{kyctest.WillNotSamePerson, "66660004", "66660004", ""},
	} {
		orderNo := willAppJourney(t, srv, c, nil, tc.out)
		res, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: orderNo})
		require.NoError(t, err, "a failed verdict is a result")
		require.False(t, res.Passed())
		require.Equal(t, tc.code, res.Code)
		require.Equal(t, tc.faceCode, res.FaceCode)
		require.Equal(t, tc.willCode, res.WillCode)
		require.ErrorIs(t, res.Err(), kyc.ErrVerificationFailed)
		info, _ := kyc.LookupCode(res.Code)
		require.True(t, info.Billed(kyc.ProductWill, kyc.ChannelApp))
	}
	quit := willAppJourney(t, srv, c, nil, kyctest.WillUserQuit)
	_, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: quit})
	require.ErrorIs(t, err, kyc.ErrNoResult)

	kept := willAppJourney(t, srv, c, nil, kyctest.WillPass)
	srv.Clock.Advance(72*time.Hour + time.Minute)
	_, err = c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: kept})
	require.ErrorIs(t, err, kyc.ErrNoResult)

	// The will faceId lives five minutes.
	orderNo := newOrderNo()
	_, err = c.Will.GetFaceID(ctx, willRequest(orderNo, "u1"))
	require.NoError(t, err)
	srv.Clock.Advance(5*time.Minute + time.Second)
	require.ErrorIs(t, srv.CompleteWill(orderNo, kyctest.WillPass), kyctest.ErrFaceIDExpired)
}

func TestWillH5Journey(t *testing.T) {
	srv, c := newPairWith(t, []kyctest.Option{kyctest.WithMediaDelay(1)}, kyc.WithMediaWait(3, 10*time.Millisecond))
	ctx := context.Background()
	orderNo, userID := newOrderNo(), "willH5user"
	req := willRequest(orderNo, userID)
	req.H5Fallback, req.MidAnswer = true, "请回答：我确认"
	face, err := c.Will.GetFaceID(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, face.OptimalDomain)
	login, err := c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: face.FaceID, OrderNo: orderNo, UserID: userID, OptimalDomain: face.OptimalDomain}, CallbackURL: "https://partner.example/will/cb?s=1", From: kyc.FromBrowser, ReplaceHistory: true})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(login, "http://"+face.OptimalDomain+"/api/web/willLogin?"), login)
	lu, _ := url.Parse(login)
	require.Equal(t, "browser", lu.Query().Get("from"))
	require.Equal(t, "1", lu.Query().Get("redirectType"))
	require.Equal(t, []string{"appId", "version", "nonce", "orderNo", "faceId", "url", "from", "userId", "sign", "redirectType"},
		keyOrderOf(lu.RawQuery), "the documented parameter order")
	appLogin, err := c.Will.H5LoginURL(ctx, kyc.WillLoginRequest{Face: &kyc.FaceID{FaceID: face.FaceID, OrderNo: orderNo, UserID: userID, OptimalDomain: face.OptimalDomain}, CallbackURL: "https://partner.example/will/cb"})
	require.NoError(t, err)
	au, _ := url.Parse(appLogin)
	require.Equal(t, "App", au.Query().Get("from"), "the will page's default spelling")

	cb := browser(t, login, "wrong-answer")
	require.Equal(t, "1", cb.Query().Get("s"))
	got, err := c.Will.VerifyCallback(ctx, cb.Query())
	require.NoError(t, err)
	require.False(t, got.Passed())
	require.Equal(t, "66666006", got.Code)
	require.Equal(t, "0", got.FaceCode)
	require.Equal(t, "66666006", got.WillCode)
	require.Equal(t, face.FaceID, got.FaceID)
	require.Equal(t, []string{"appId", "orderNo", "code"}, got.SignedFields)
	for _, f := range []string{"faceCode", "willCode", "h5faceId", "liveRate"} {
		require.Contains(t, got.UnsignedFields, f)
	}
	// A changed code is caught; the face callback check refuses nothing here, but the will check
	// is the one to use.
	tampered := cb.Query()
	tampered.Set("code", "0")
	_, err = c.Will.VerifyCallback(ctx, tampered)
	require.ErrorIs(t, err, kyc.ErrInvalidSignature)

	// The files lag one query behind the verdict: WaitForFiles retries.
	srv.ResetCounts()
	res, err := c.Will.WaitForFiles(ctx, kyc.WillQuery{OrderNo: orderNo, Face: kyc.PhotoOnly, Files: kyc.AllWillFiles})
	require.NoError(t, err)
	require.Equal(t, "66666006", res.Code)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointWillResult), "no wait for a failed verdict")

	pass := willAppJourney(t, srv, c, nil, kyctest.WillPass)
	srv.ResetCounts()
	res, err = c.Will.WaitForFiles(ctx, kyc.WillQuery{OrderNo: pass, Face: kyc.PhotoOnly, Files: kyc.AllWillFiles})
	require.NoError(t, err)
	require.NotEmpty(t, res.Photo)
	require.NotEmpty(t, res.UserAudio)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointWillResult))

	// The test helper signs like the page does.
	other := newOrderNo()
	f2, err := c.Will.GetFaceID(ctx, willRequest(other, "u2"))
	require.NoError(t, err)
	raw, err := srv.WillCallbackURL(other, kyctest.WillUserQuit, "https://partner.example/cb")
	require.NoError(t, err)
	u, _ := url.Parse(raw)
	quit, err := c.Will.VerifyCallbackRequest(ctx, httpRequest(t, u.String()))
	require.NoError(t, err)
	require.Equal(t, "3003", quit.Code)
	require.Equal(t, f2.FaceID, quit.FaceID)
}

func keyOrderOf(rawQuery string) []string {
	var keys []string
	for _, kv := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	return keys
}

// The will upload is a minting call: not resent once it reached the service, but re-signed once
// on a stale-ticket answer.
func TestWillUploadResend(t *testing.T) {
	srv, c := newPair(t)
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointWillFaceID, Code: "999999", Times: 1})
	_, err = c.Will.GetFaceID(ctx, willRequest(newOrderNo(), "u1"))
	require.ErrorIs(t, err, kyc.ErrBusy)
	require.Equal(t, 1, srv.Requests(kyctest.EndpointWillFaceID))
	srv.ResetCounts()
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointWillFaceID, Code: "400101", Times: 1})
	_, err = c.Will.GetFaceID(ctx, willRequest(newOrderNo(), "u1"))
	require.NoError(t, err)
	require.Equal(t, 2, srv.Requests(kyctest.EndpointWillFaceID))
}
