package checks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/checks"
	"github.com/kycgo/kyc/kyctest"
)

// Invented identity and media of the tests (the fixtures use the same).
const (
	testName  = "测试用户"
	testID    = "KYCTEST0000000001"
	testCard  = "6200000000000000001"
	testPhone = "13800000000"
)

var (
	testPhoto = []byte("\xff\xd8\xff\xe0\x00\x10JFIFkyctest test photo\xff\xd9")
	testVideo = []byte("\x00\x00\x00\x18ftypisomkyctest test video")
)

// newPair starts a fake server and the checks of a client pointed at it.
func newPair(t testing.TB, opts ...kyc.Option) (*kyctest.Server, *checks.Client, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	base := []kyc.Option{kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock), kyc.WithRetry(3, time.Millisecond, 5*time.Millisecond)}
	c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, append(base, opts...)...)
	require.NoError(t, err)
	return srv, checks.New(c), c
}

// action is one of the 20 actions, typed: run decodes a request from JSON and makes the typed
// call; newResult is a fresh result of the type the call returns.
type action struct {
	run       func(ctx context.Context, c *checks.Client, req []byte) (any, error)
	newResult func() any
}

func typed[Req, Res any](method func(*checks.Client) func(context.Context, Req) (*Res, error)) action {
	return action{
		run: func(ctx context.Context, c *checks.Client, raw []byte) (any, error) {
			var req Req
			d := json.NewDecoder(bytes.NewReader(raw))
			d.DisallowUnknownFields()
			if err := d.Decode(&req); err != nil {
				return nil, err
			}
			return method(c)(ctx, req)
		},
		newResult: func() any { return new(Res) },
	}
}

var actions = map[string]action{
	"DetectAIFakeFaces": typed(func(c *checks.Client) func(context.Context, checks.FakeFacesRequest) (*checks.FakeFacesResult, error) {
		return c.Face.DetectFake
	}),
	"LivenessRecognition": typed(func(c *checks.Client) func(context.Context, checks.LivenessRecognitionRequest) (*checks.LivenessResult, error) {
		return c.Face.LivenessWithID
	}),
	"LivenessCompare": typed(func(c *checks.Client) func(context.Context, checks.LivenessCompareRequest) (*checks.LivenessResult, error) {
		return c.Face.LivenessWithPhoto
	}),
	"ImageRecognition": typed(func(c *checks.Client) func(context.Context, checks.ImageRecognitionRequest) (*checks.ImageRecognitionResult, error) {
		return c.Face.PhotoWithID
	}),
	"ImageRecognitionV2": typed(func(c *checks.Client) func(context.Context, checks.ImageRecognitionV2Request) (*checks.ImageRecognitionV2Result, error) {
		return c.Face.PhotoWithIDV2
	}),
	"CheckIdCardInformation": typed(func(c *checks.Client) func(context.Context, checks.IDCardInformationRequest) (*checks.IDCardInformationResult, error) {
		return c.IDCard.CheckCard
	}),
	"IdCardVerification": typed(func(c *checks.Client) func(context.Context, checks.IDCardVerificationRequest) (*checks.CheckResult, error) {
		return c.IDCard.Verify
	}),
	"IdCardOCRVerification": typed(func(c *checks.Client) func(context.Context, checks.IDCardOCRRequest) (*checks.IDCardOCRResult, error) {
		return c.IDCard.VerifyOCR
	}),
	"CheckIdNameDate": typed(func(c *checks.Client) func(context.Context, checks.IDCardValidityRequest) (*checks.CheckResult, error) {
		return c.IDCard.VerifyValidity
	}),
	"CheckBankCardInformation": typed(func(c *checks.Client) func(context.Context, checks.BankCardInformationRequest) (*checks.BankCardInformationResult, error) {
		return c.BankCard.Information
	}),
	"BankCard2EVerification": typed(func(c *checks.Client) func(context.Context, checks.BankCard2ERequest) (*checks.CheckResult, error) {
		return c.BankCard.Verify2E
	}),
	"BankCardVerification": typed(func(c *checks.Client) func(context.Context, checks.BankCard3ERequest) (*checks.CheckResult, error) {
		return c.BankCard.Verify3E
	}),
	"BankCard4EVerification": typed(func(c *checks.Client) func(context.Context, checks.BankCard4ERequest) (*checks.CheckResult, error) {
		return c.BankCard.Verify4E
	}),
	"MobileNetworkTimeVerification": typed(func(c *checks.Client) func(context.Context, checks.MobileRequest) (*checks.NetworkTimeResult, error) {
		return c.Phone.NetworkTime
	}),
	"MobileStatus": typed(func(c *checks.Client) func(context.Context, checks.MobileRequest) (*checks.MobileStatusResult, error) {
		return c.Phone.Status
	}),
	"PhoneVerification": typed(func(c *checks.Client) func(context.Context, checks.PhoneVerificationRequest) (*checks.PhoneVerificationResult, error) {
		return c.Phone.Verify
	}),
	"PhoneVerificationCMCC": typed(func(c *checks.Client) func(context.Context, checks.CarrierVerificationRequest) (*checks.CarrierResult, error) {
		return c.Phone.VerifyCMCC
	}),
	"PhoneVerificationCTCC": typed(func(c *checks.Client) func(context.Context, checks.CarrierVerificationRequest) (*checks.CarrierResult, error) {
		return c.Phone.VerifyCTCC
	}),
	"PhoneVerificationCUCC": typed(func(c *checks.Client) func(context.Context, checks.CarrierVerificationRequest) (*checks.CarrierResult, error) {
		return c.Phone.VerifyCUCC
	}),
	"CheckPhoneAndName": typed(func(c *checks.Client) func(context.Context, checks.PhoneNameRequest) (*checks.CheckResult, error) {
		return c.Phone.VerifyName
	}),
}

// fixture is one file of testdata/cloud/checks: a documented request and answer of an action.
type fixture struct {
	Action   string          `json:"action"`
	Request  json.RawMessage `json:"request"`
	Response struct {
		Response json.RawMessage `json:"Response"`
	} `json:"response"`
}

func fixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "cloud", "checks", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 20, "one fixture per action")
	var out []fixture
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx fixture
		require.NoError(t, json.Unmarshal(raw, &fx), f)
		require.Equal(t, strings.TrimSuffix(filepath.Base(f), ".json"), fx.Action)
		out = append(out, fx)
	}
	return out
}

// strict decodes raw into v, refusing names v does not have.
func strict(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// wireNames lists the json names of a struct type, embedded structs flattened.
func wireNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			names = append(names, wireNames(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestResultTypesHaveEveryModelField: each documented answer decodes strictly into the typed
// result (no field of the model is missing from the type), and the type has no name the model
// lacks (the fixture lists every field of the model).
func TestResultTypesHaveEveryModelField(t *testing.T) {
	for _, fx := range fixtures(t) {
		a, ok := actions[fx.Action]
		require.True(t, ok, fx.Action)
		res := a.newResult()
		require.NoError(t, strict(fx.Response.Response, res), fx.Action)
		require.Equal(t, keys(t, fx.Response.Response), wireNames(reflect.TypeOf(res).Elem()), fx.Action)
	}
}

// TestRequestTypesSendTheDocumentedParameters: each documented request reads into the typed
// request and is sent back byte for byte the same parameters (media re-encoded as base64).
func TestRequestTypesSendTheDocumentedParameters(t *testing.T) {
	for _, fx := range fixtures(t) {
		var sent json.RawMessage
		srv := kyctest.NewServer()
		c, err := kyc.NewCloud(srv.SecretID, srv.SecretKey, kyc.WithCloudEndpoint(srv.URL), kyc.WithClock(srv.Clock),
			kyc.WithHTTPClient(recordingClient(&sent)))
		require.NoError(t, err)
		_, err = actions[fx.Action].run(context.Background(), checks.New(c), fx.Request)
		require.NoError(t, err, fx.Action)
		require.JSONEq(t, string(fx.Request), string(sent), fx.Action)
		srv.Close()
	}
}

// TestEveryActionTyped: each documented request, through its typed call, against kyctest: the
// answer decodes, passes, is charged, and carries a RequestId.
func TestEveryActionTyped(t *testing.T) {
	srv, ch, _ := newPair(t)
	for _, fx := range fixtures(t) {
		res, err := actions[fx.Action].run(context.Background(), ch, fx.Request)
		require.NoError(t, err, fx.Action)
		v := reflect.ValueOf(res)
		require.NotEmpty(t, v.Elem().FieldByName("RequestID").String(), fx.Action)
		p := res.(interface {
			Passed() bool
			Billed() bool
		})
		require.True(t, p.Passed(), "%s: %v", fx.Action, res)
		require.True(t, p.Billed(), fx.Action)
		require.Equal(t, 1, srv.Requests(fx.Action), fx.Action)
	}
}

// TestEveryActionThroughCallCloud: each documented request through CallCloud against kyctest:
// the Response decodes strictly into the typed result, and kyctest answers no name the model
// lacks.
func TestEveryActionThroughCallCloud(t *testing.T) {
	_, _, c := newPair(t)
	for _, fx := range fixtures(t) {
		var raw json.RawMessage
		require.NoError(t, c.CallCloud(context.Background(), fx.Action, fx.Request, &raw), fx.Action)
		res := actions[fx.Action].newResult()
		require.NoError(t, strict(raw, res), fx.Action)
		require.Subset(t, keys(t, fx.Response.Response), keys(t, raw), fx.Action)
		require.Contains(t, string(raw), `"RequestId"`)
	}
}
