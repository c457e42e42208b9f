package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

type fixture struct {
	Name     string          `json:"name"`
	Source   string          `json:"source"`
	Endpoint string          `json:"endpoint"`
	Note     string          `json:"note"`
	Response json.RawMessage `json:"response"`
	Expect   map[string]any  `json:"expect"`
	URL      string          `json:"url"`
}

func loadFixtures(t testing.TB, dir string) map[string]fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]fixture{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx fixture
		require.NoError(t, json.Unmarshal(raw, &fx), f)
		require.NotEmpty(t, fx.Name, f)
		require.NotEmpty(t, fx.Source, f)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out
}

// orderNo is the order the documented answer is about (its result's orderNo), or order001 when it
// names none: a replay asks about that order, since an answer about another order is refused.
func (f fixture) orderNo() string {
	var ans struct {
		Result struct {
			OrderNo string `json:"orderNo"`
		} `json:"result"`
	}
	if json.Unmarshal(f.Response, &ans) == nil && ans.Result.OrderNo != "" {
		return ans.Result.OrderNo
	}
	return "order001"
}

// fakeService answers kyc1 requests from canned bodies, by path (and type for api_ticket). It
// records the request bodies so tests can look at what was sent.
type fakeService struct {
	mu      sync.Mutex
	answers map[string][]byte
	bodies  map[string][]byte
	queries map[string]url.Values
}

func (f *fakeService) RoundTrip(r *http.Request) (*http.Response, error) {
	key := r.URL.Path
	if key == "/api/oauth2/api_ticket" {
		key += "?" + r.URL.Query().Get("type")
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bodies == nil {
		f.bodies, f.queries = map[string][]byte{}, map[string]url.Values{}
	}
	f.bodies[key], f.queries[key] = body, r.URL.Query()
	ans, ok := f.answers[key]
	if !ok {
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader("not found")), Request: r}, nil
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(ans)), Body: io.NopCloser(bytes.NewReader(ans)), Request: r}, nil
}

// newFixtureClient is a client whose service is fakeService, with the documented oauth2
// examples as the ticket answers.
func newFixtureClient(t testing.TB, answers map[string][]byte) (*Client, *fakeService) {
	t.Helper()
	fx := loadFixtures(t, "face")
	fs := &fakeService{answers: map[string][]byte{
		"/api/oauth2/access_token":     fx["oauth_access_token"].Response,
		"/api/oauth2/api_ticket?SIGN":  fx["oauth_sign_ticket"].Response,
		"/api/oauth2/api_ticket?NONCE": fx["oauth_nonce_ticket"].Response,
	}}
	for k, v := range answers {
		fs.answers[k] = v
	}
	c, err := New("IDAXXXXX", "fixtureSecret", WithHTTPClient(&http.Client{Transport: fs}), WithRetry(1, 1, 1))
	require.NoError(t, err)
	return c, fs
}

func TestFaceFixturesReplay(t *testing.T) {
	fx := loadFixtures(t, "face")
	ctx := context.Background()
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 100)...)
	for name, f := range fx {
		t.Run(name, func(t *testing.T) {
			path := map[string]string{
				endpointFaceIDPlus: "/api/server/getPlusFaceId", endpointFaceIDEnhanced: "/api/server/getAdvFaceId",
				endpointFaceIDBasic: "/api/server/getfaceid", endpointFaceIDPC: "/api/server/h5/geth5faceid",
				endpointQueryFaceRecord: "/api/v2/base/queryfacerecord", endpointQueryPhotoInfo: "/api/v2/base/queryphotoinfo",
			}[f.Endpoint]
			c, fs := newFixtureClient(t, map[string][]byte{path: f.Response})
			exp := func(k string) string { s, _ := f.Expect[k].(string); return s }
			expN := func(k string) int { n, _ := f.Expect[k].(float64); return int(n) }
			switch f.Endpoint {
			case endpointAccessToken, endpointSignTicket:
				u, err := c.Tickets(ctx)
				require.NoError(t, err)
				require.Equal(t, "accessToken_string", u.AccessToken)
				require.Equal(t, "ticket_string", u.SignTicket)
				life := u.TokenExpiresAt
				if f.Endpoint == endpointSignTicket {
					life = u.TicketExpiresAt
				}
				require.Equal(t, expN("expireIn"), int(life.Sub(u.FetchedAt).Seconds()))
			case endpointNonceTicket:
				tk, err := c.NonceTicket(ctx, "userID19959248596551")
				require.NoError(t, err)
				require.Equal(t, "ticket_string", tk)
				require.Equal(t, "userID19959248596551", fs.queries["/api/oauth2/api_ticket?NONCE"].Get("user_id"))
			case endpointFaceIDPlus, endpointFaceIDEnhanced, endpointFaceIDBasic, endpointFaceIDPC:
				var res *FaceID
				var err error
				if f.Endpoint == endpointFaceIDPC {
					res, err = c.Face.GetPCFaceID(ctx, PCFaceIDRequest{OrderNo: f.orderNo(), UserID: "user001", Photo: jpeg, PhotoType: PhotoHD})
				} else {
					v := map[string]Version{endpointFaceIDPlus: Plus, endpointFaceIDEnhanced: Enhanced, endpointFaceIDBasic: Basic}[f.Endpoint]
					res, err = c.Face.GetFaceID(ctx, FaceIDRequest{Version: v, OrderNo: f.orderNo(), UserID: "user001", Name: "测试", IDNo: "KYCTEST0001"})
				}
				require.NoError(t, err)
				require.Equal(t, exp("faceId"), res.FaceID)
				require.Equal(t, exp("orderNo"), res.OrderNo)
				require.Equal(t, exp("bizSeqNo"), res.BizSeqNo)
				require.Equal(t, exp("optimalDomain"), res.OptimalDomain)
				if exp("transactionTime") != "" {
					require.Equal(t, exp("transactionTime"), res.TransactionTime)
				}
			case endpointQueryFaceRecord:
				res, err := c.Face.QueryResult(ctx, FaceQuery{OrderNo: f.orderNo(), Media: PhotoAndVideo})
				if e := exp("error"); e != "" {
					var ae *APIError
					require.ErrorAs(t, err, &ae)
					require.Equal(t, e, ae.Code)
					require.ErrorIs(t, err, ErrNoResult)
					return
				}
				require.NoError(t, err)
				require.True(t, res.Passed())
				for k, got := range map[string]string{"code": res.Code, "orderNo": res.OrderNo, "liveRate": res.LiveRate,
					"similarity": res.Similarity, "occurredTime": res.OccurredTime, "appId": res.AppID, "sdkVersion": res.SDKVersion,
					"trtcFlag": res.TRTCFlag, "bizSeqNo": res.BizSeqNo} {
					if _, ok := f.Expect[k]; ok {
						require.Equal(t, exp(k), got, k)
					}
				}
				if exp("deviceInfoLevel") != "" {
					require.NotNil(t, res.Risk)
					require.Equal(t, exp("deviceInfoLevel"), res.Risk.DeviceInfoLevel)
					require.False(t, res.Risk.HighRiskDevice())
				} else {
					require.Nil(t, res.Risk)
				}
				require.Len(t, res.Photo, expN("photoBytes"))
				require.Len(t, res.Video, expN("videoBytes"))
				require.Equal(t, []byte{0xFF, 0xD8, 0xFF}, []byte(res.Photo))
			case endpointQueryPhotoInfo:
				res, err := c.Face.QueryPhotos(ctx, FaceQuery{OrderNo: f.orderNo()})
				require.NoError(t, err)
				require.Equal(t, exp("orderNo"), res.OrderNo)
				require.Equal(t, exp("occurredTime"), res.OccurredTime)
				require.Len(t, res.Photos, expN("photos"))
			case endpointH5Login:
				doc, err := url.Parse(f.URL)
				require.NoError(t, err)
				got, err := c.Face.H5LoginURL(ctx, H5LoginRequest{Face: &FaceID{FaceID: doc.Query().Get("faceId"), OrderNo: doc.Query().Get("orderNo"), UserID: doc.Query().Get("userId"), OptimalDomain: "kyc1.qcloud.com", Version: Plus}, CallbackURL: doc.Query().Get("url"), From: FromBrowser, ReplaceHistory: true})
				require.NoError(t, err)
				gu, err := url.Parse(got)
				require.NoError(t, err)
				require.Equal(t, doc.Scheme+"://"+doc.Host+doc.Path, gu.Scheme+"://"+gu.Host+gu.Path)
				require.Equal(t, keyOrder(doc.RawQuery), keyOrder(gu.RawQuery), "the documented parameter order")
				for _, k := range []string{"version", "orderNo", "faceId", "url", "from", "userId", "redirectType"} {
					require.Equal(t, doc.Query().Get(k), gu.Query().Get(k), k)
				}
				require.Equal(t, "IDAXXXXX", gu.Query().Get("appId"))
				require.Len(t, gu.Query().Get("nonce"), 32)
				require.Len(t, gu.Query().Get("sign"), 40)
			case endpointH5Callback:
				u, err := url.Parse(f.URL)
				require.NoError(t, err)
				cb, err := c.Face.VerifyCallback(ctx, u.Query())
				require.NoError(t, err)
				require.Equal(t, exp("code"), cb.Code)
				require.Equal(t, exp("orderNo"), cb.OrderNo)
				require.Equal(t, exp("faceId"), cb.FaceID)
				require.Equal(t, exp("unsigned"), strings.Join(cb.UnsignedFields, ","))
				require.Equal(t, exp("code") == "0", cb.Passed())
			default:
				t.Fatalf("fixture %s: no replay for endpoint %q", name, f.Endpoint)
			}
		})
	}
}

func keyOrder(rawQuery string) []string {
	var keys []string
	for _, kv := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	return keys
}

// The upload sends the documented fields, signs exactly appId, userId, nonce and version with the
// SIGN ticket, and carries ?orderNo= on the URL.
func TestUploadWireFormat(t *testing.T) {
	fx := loadFixtures(t, "face")
	c, fs := newFixtureClient(t, map[string][]byte{"/api/server/getPlusFaceId": fx["upload_plus"].Response})
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	_, err := c.Face.GetFaceID(context.Background(), FaceIDRequest{Version: Plus, OrderNo: "order001", UserID: "user001",
		Photo: png, PhotoType: PhotoWatermarked, RealTimeOnly: true}, WithNonce("kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"))
	require.NoError(t, err)
	var body map[string]string
	require.NoError(t, json.Unmarshal(fs.bodies["/api/server/getPlusFaceId"], &body))
	require.Equal(t, "order001", fs.queries["/api/server/getPlusFaceId"].Get("orderNo"))
	require.Equal(t, map[string]string{
		"appId": "IDAXXXXX", "orderNo": "order001", "userId": "user001", "sourcePhotoStr": "iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"sourcePhotoType": "1", "liveInterType": "1", "version": "1.0.0", "nonce": "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T",
		"sign": Sign("ticket_string", "IDAXXXXX", "user001", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"),
	}, body)
}

// FuzzQueryResultDecoder feeds arbitrary answers to the result query: never a panic, and an
// answer is either a result or an error.
func FuzzQueryResultDecoder(f *testing.F) {
	for _, name := range []string{"query_plus", "query_basic", "query_no_result", "query_photos", "query_photos_null"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "face", name+".json"))
		require.NoError(f, err)
		var fx fixture
		require.NoError(f, json.Unmarshal(raw, &fx))
		f.Add([]byte(fx.Response))
	}
	f.Add([]byte(`{"code":"66660004","result":{"riskInfo":{"LivenessInfoTag":["03","x"]},"photo":null}}`))
	f.Add([]byte(`{"code":0,"result":{"photo":"/9j/","video":"AAAA`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, _ := newFixtureClient(t, map[string][]byte{"/api/v2/base/queryfacerecord": body, "/api/v2/base/queryphotoinfo": body})
		res, err := c.Face.QueryResult(context.Background(), FaceQuery{OrderNo: "order001", Media: PhotoAndVideo})
		if (res == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error, got %v and %v", res, err)
		}
		if res != nil {
			_, _ = res.Risk.ShieldTags()
			_ = res.Err()
		}
		p, err := c.Face.QueryPhotos(context.Background(), FaceQuery{OrderNo: "order001"})
		if (p == nil) == (err == nil) {
			t.Fatalf("want exactly one of photos and error")
		}
	})
}

// FuzzVerifyCallback feeds arbitrary callback query strings to the check: never a panic, never a
// pass unless the signature matches what the SIGN ticket gives for the values.
func FuzzVerifyCallback(f *testing.F) {
	for _, name := range []string{"callback_mobile", "callback_pc"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "face", name+".json"))
		require.NoError(f, err)
		var fx fixture
		require.NoError(f, json.Unmarshal(raw, &fx))
		u, err := url.Parse(fx.URL)
		require.NoError(f, err)
		f.Add(u.RawQuery)
	}
	f.Add("code=0&orderNo=a&newSignature=&newSign=x")
	f.Add("code=%ZZ&orderNo=1")
	c, _ := newFixtureClient(f, nil)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		cb, err := c.Face.VerifyCallback(context.Background(), q)
		if err != nil {
			return
		}
		sig := q.Get("newSignature")
		if sig == "" {
			sig = q.Get("newSign")
		}
		want := Sign("ticket_string", "IDAXXXXX", cb.OrderNo, cb.Code)
		if !strings.EqualFold(sig, want) {
			t.Fatalf("accepted a callback whose signature is not the SIGN ticket's")
		}
	})
}
