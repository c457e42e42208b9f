package kyctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

const (
	willUploadPath = "/api/server/getWillFaceId"
	willResultPath = "/api/server/getWillFaceResult"
)

// willUpload posts a signed getWillFaceId body with the given rounds and extra string fields.
func (e *faceEnv) willUpload(orderNo string, rounds []map[string]string, extra ...string) (map[string]any, []byte) {
	e.t.Helper()
	b := map[string]any{"appId": e.srv.AppID, "orderNo": orderNo, "userId": "willUser1", "name": testName, "idNo": testIDNo,
		"version": "1.0.0", "nonce": kyc.NewNonce(), "liveService": "2", "willContentList": rounds}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i]] = extra[i+1]
	}
	if b["sign"] == nil {
		b["sign"] = kyc.Sign(e.ticket, b["appId"].(string), b["userId"].(string), b["nonce"].(string), "1.0.0")
	}
	payload, err := json.Marshal(b)
	require.NoError(e.t, err)
	status, raw := postRaw(e.t, e.srv, willUploadPath+"?orderNo="+orderNo, "application/json", payload)
	require.Equal(e.t, http.StatusOK, status)
	return decode(e.t, raw), raw
}

func oneRound(q, a string) []map[string]string {
	return []map[string]string{{"id": "0", "question": q, "answer": a}}
}

func TestWillUpload(t *testing.T) {
	e := newFaceEnv(t)
	m, _ := e.willUpload("will0001", oneRound("请回答：我确认", "我确认|确认"), "willType", "0", "speed", "1.5")
	require.Equal(t, json.Number("0"), m["code"], "a JSON number, as documented: %v", m)
	res := resultOf(t, m)
	require.NotEmpty(t, res["faceId"])
	require.Equal(t, e.srv.domain, res["optimalDomain"])
	info, ok := e.srv.WillOrder("will0001")
	require.True(t, ok)
	require.Equal(t, []WillRound{{"0", "请回答：我确认", "我确认|确认"}}, info.Rounds)
	require.Equal(t, "1.5", info.Speed)

	five := make([]map[string]string, 5)
	for i := range five {
		five[i] = map[string]string{"id": string(rune('0' + i)), "question": strings.Repeat("问", 100), "answer": "是"}
	}
	six := append(append([]map[string]string(nil), five...), map[string]string{"id": "5", "question": "问", "answer": "是"})
	n := 0
	for name, tc := range map[string]struct {
		rounds []map[string]string
		extra  []string
		code   string
	}{
		"five rounds of 100":          {five, nil, "0"},
		"six rounds":                  {six, nil, "66660000"},
		"no rounds":                   {nil, nil, "66660000"},
		"ids out of order":            {[]map[string]string{{"id": "1", "question": "问", "answer": "是"}}, nil, "66660000"},
		"question of 251":             {oneRound(strings.Repeat("问", 251), "是"), nil, "66660000"},
		"answer of 11":                {oneRound("问", strings.Repeat("是", 11)), nil, "66660000"},
		"empty alternative":           {oneRound("问", "是||好"), nil, "66660000"},
		"two rounds in read mode":     {five[:2], []string{"willType", "1"}, "66660000"},
		"speed as a multiplier":       {oneRound("问", "是"), []string{"speed", "1.2"}, "66660000"},
		"fallback without answer":     {oneRound("问", "是"), []string{"liveInterType", "0"}, "66660000"},
		"mid answer without fallback": {oneRound("问", "是"), []string{"willMidAnswer", "是"}, "66660000"},
		"fallback with answer":        {oneRound("问", "是"), []string{"liveInterType", "0", "willMidAnswer", "是"}, "0"},
		"liveService 1":               {oneRound("问", "是"), []string{"liveService", "1"}, "66660000"},
		"bad signature":               {oneRound("问", "是"), []string{"sign", strings.Repeat("0", 40)}, "400101"},
	} {
		n++
		t.Run(name, func(t *testing.T) {
			m, raw := e.willUpload("w"+strconv.Itoa(n), tc.rounds, tc.extra...)
			require.Equal(t, json.Number(tc.code), m["code"], "%s", raw)
		})
	}
	// A reused orderNo.
	m, _ = e.willUpload("will0001", oneRound("问", "是"))
	require.Equal(t, json.Number(codeOrderReused), m["code"])
}

func (e *faceEnv) willResult(orderNo string, extra ...string) map[string]any {
	e.t.Helper()
	return e.post(willResultPath, e.queryBody(orderNo, extra...))
}

func TestWillResultAndFiles(t *testing.T) {
	e := newFaceEnv(t, WithMedia(200, 400))
	rounds := []map[string]string{{"id": "0", "question": "第一轮", "answer": "是的"}, {"id": "1", "question": "第二轮", "answer": "同意|嗯"}}
	m, _ := e.willUpload("will0002", rounds)
	require.Equal(t, json.Number("0"), m["code"])
	require.Equal(t, "66660011", e.willResult("will0002")["code"], "no result before the outcome")
	require.NoError(t, e.srv.CompleteWill("will0002", WillWrongAnswer))
	require.ErrorIs(t, e.srv.CompleteWill("will0002", WillPass), ErrOrderCompleted)

	// getWillFile absent means "1": every file.
	m = e.willResult("will0002", "getFile", "1")
	require.Equal(t, "66666006", m["code"])
	res := resultOf(t, m)
	require.Equal(t, "0", res["faceCode"])
	require.Equal(t, "66666006", res["willCode"])
	require.Len(t, decodeB64(t, res["photo"]), 200)
	require.Len(t, decodeB64(t, res["video"]), 400)
	require.Len(t, decodeB64(t, res["willUserVideo"]), 400)
	require.NotContains(t, res, "willUserAudio", "multi-round audio is per turn")
	turns := res["willTurnsData"].([]any)
	require.Len(t, turns, 2)
	second := turns[1].(map[string]any)
	require.Equal(t, "1", second["id"])
	require.Equal(t, "同意|嗯", second["willStandAnswer"])
	require.Equal(t, "不同意", second["willUserAnswer"])
	require.Equal(t, "RIFF", string(decodeB64(t, second["willUserAudio"])[:4]))

	res = resultOf(t, e.willResult("will0002", "getWillFile", "2"))
	require.NotContains(t, res, "willUserVideo")
	require.Contains(t, res, "willScrnShotImage")
	res = resultOf(t, e.willResult("will0002", "getWillFile", "0"))
	require.NotContains(t, res, "willScrnShotImage")
	require.NotContains(t, res["willTurnsData"].([]any)[0].(map[string]any), "willUserAudio")

	e.srv.Clock.Advance(ResultLifetime + time.Minute)
	e.ticket = fetchSignTicket(t, e.srv, fetchToken(t, e.srv))
	require.Equal(t, "66660011", e.willResult("will0002")["code"])
}

// The will login page: the NONCE-signed URL, the simulator form, the signed callback.
func TestWillLoginPage(t *testing.T) {
	e := newFaceEnv(t)
	m, _ := e.willUpload("will0003", oneRound("问", "是"))
	faceID := resultOf(t, m)["faceId"].(string)
	nonceTicket := fetchNonceTicket(t, e.srv, e.token, "willUser1")
	q := url.Values{"appId": {e.srv.AppID}, "version": {"1.0.0"}, "nonce": {kyc.NewNonce()}, "orderNo": {"will0003"},
		"faceId": {faceID}, "url": {"https://partner.example/cb"}, "from": {"browser"}, "userId": {"willUser1"}}
	q.Set("sign", kyc.Sign(nonceTicket, e.srv.AppID, "willUser1", "will0003", "1.0.0", faceID, q.Get("nonce")))
	status, page := get(t, e.srv, "/api/web/willLogin", flatten(q)...)
	require.Equal(t, http.StatusOK, status, "%s", page)
	require.Contains(t, string(page), "意愿核身")
	require.Contains(t, string(page), WillFinishPath)
	status, _ = get(t, e.srv, "/api/web/willLogin", flatten(q)...)
	require.Equal(t, http.StatusBadRequest, status, "the NONCE ticket is single use")

	token := between(string(page), `name="token" value="`, `"`)
	resp, err := noRedirect().PostForm(e.srv.URL+WillFinishPath, url.Values{"token": {token}, "outcome": {"pass"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	cb, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	got := cb.Query()
	require.Equal(t, "0", got.Get("code"))
	require.Equal(t, "0", got.Get("faceCode"))
	require.Equal(t, "0", got.Get("willCode"))
	require.Equal(t, faceID, got.Get("h5faceId"))
	require.Equal(t, kyc.Sign(e.ticket, e.srv.AppID, "will0003", "0"), got.Get("newSignature"))
	info, _ := e.srv.WillOrder("will0003")
	require.Equal(t, WillPass, info.Outcome)
	require.False(t, info.Started.IsZero())

	// An expired will faceId cannot be completed (a face login URL opening a will order is
	// TestFinishH5's case).
	m, _ = e.willUpload("will0004", oneRound("问", "是"))
	require.Equal(t, "0", fmt.Sprint(m["code"]))
	e.srv.Clock.Advance(FaceIDLifetime)
	_, err = e.srv.WillCallbackURL("will0004", WillPass, "https://partner.example/cb")
	require.ErrorIs(t, err, ErrFaceIDExpired)
}

func flatten(q url.Values) []string {
	var kv []string
	for k, vs := range q {
		kv = append(kv, k, vs[0])
	}
	return kv
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
