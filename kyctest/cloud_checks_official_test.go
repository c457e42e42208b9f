package kyctest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"

	"github.com/kycgo/kyc/kyctest"
)

// The answers of the 20 element and face checks, as Tencent's typed faceid client declares them
// (docs/D-api3-actions.md section 2: pointers, float64 for float, int64 for integer (int64)), written here
// because that module is not reachable; the strict decode refuses any name the model lacks.
type (
	officialVerdict struct {
		Result      *string `json:"Result,omitempty"`
		Description *string `json:"Description,omitempty"`
		RequestId   *string `json:"RequestId,omitempty"`
	}
	officialFakeFaces struct {
		AttackRiskLevel      *string `json:"AttackRiskLevel,omitempty"`
		AttackRiskDetailList []*struct {
			Type *string `json:"Type,omitempty"`
		} `json:"AttackRiskDetailList,omitempty"`
		ExtraInfo *struct {
			RetrievalLivenessExtraInfo []*struct {
				HitGroup        *string  `json:"HitGroup,omitempty"`
				SimilarityScore *float64 `json:"SimilarityScore,omitempty"`
				HitTemplate     *string  `json:"HitTemplate,omitempty"`
			} `json:"RetrievalLivenessExtraInfo,omitempty"`
		} `json:"ExtraInfo,omitempty"`
		RequestId *string `json:"RequestId,omitempty"`
	}
	officialLiveness struct {
		officialVerdict
		BestFrameBase64 *string   `json:"BestFrameBase64,omitempty"`
		Sim             *float64  `json:"Sim,omitempty"`
		BestFrameList   []*string `json:"BestFrameList,omitempty"`
	}
	officialImageRecognition struct {
		officialVerdict
		Sim   *float64 `json:"Sim,omitempty"`
		Extra *string  `json:"Extra,omitempty"` // V2 only
	}
	officialIdCardInformation struct {
		officialVerdict
		Sim           *float64            `json:"Sim,omitempty"`
		Name          *string             `json:"Name,omitempty"`
		Sex           *string             `json:"Sex,omitempty"`
		Nation        *string             `json:"Nation,omitempty"`
		Birth         *string             `json:"Birth,omitempty"`
		Address       *string             `json:"Address,omitempty"`
		IdNum         *string             `json:"IdNum,omitempty"`
		Portrait      *string             `json:"Portrait,omitempty"`
		Warnings      *string             `json:"Warnings,omitempty"`
		Quality       *float64            `json:"Quality,omitempty"`
		Encryption    *officialEncryption `json:"Encryption,omitempty"`
		EncryptedBody *string             `json:"EncryptedBody,omitempty"`
	}
	officialIdCardOCR struct {
		officialVerdict
		Name     *string  `json:"Name,omitempty"`
		IdCard   *string  `json:"IdCard,omitempty"`
		Sex      *string  `json:"Sex,omitempty"`
		Nation   *string  `json:"Nation,omitempty"`
		Birth    *string  `json:"Birth,omitempty"`
		Address  *string  `json:"Address,omitempty"`
		Portrait *string  `json:"Portrait,omitempty"`
		Warnings *string  `json:"Warnings,omitempty"`
		Quality  *float64 `json:"Quality,omitempty"`
	}
	officialBankCardInfo struct {
		officialVerdict
		AccountBank *string `json:"AccountBank,omitempty"`
		AccountType *int64  `json:"AccountType,omitempty"`
	}
	officialNetworkTime struct {
		officialVerdict
		Range *string `json:"Range,omitempty"`
	}
	officialMobileStatus struct {
		officialVerdict
		StatusCode *int64 `json:"StatusCode,omitempty"`
	}
	officialPhone struct {
		officialVerdict
		Isp          *string `json:"Isp,omitempty"`
		ResultDetail *string `json:"ResultDetail,omitempty"` // PhoneVerification only
	}
)

// officialCheckModels gives, per action, a fresh value of its answer's model.
var officialCheckModels = map[string]func() any{
	"DetectAIFakeFaces":             func() any { return new(officialFakeFaces) },
	"LivenessRecognition":           func() any { return new(officialLiveness) },
	"LivenessCompare":               func() any { return new(officialLiveness) },
	"ImageRecognition":              func() any { return new(officialImageRecognition) },
	"ImageRecognitionV2":            func() any { return new(officialImageRecognition) },
	"CheckIdCardInformation":        func() any { return new(officialIdCardInformation) },
	"IdCardVerification":            func() any { return new(officialVerdict) },
	"IdCardOCRVerification":         func() any { return new(officialIdCardOCR) },
	"CheckIdNameDate":               func() any { return new(officialVerdict) },
	"CheckBankCardInformation":      func() any { return new(officialBankCardInfo) },
	"BankCard2EVerification":        func() any { return new(officialVerdict) },
	"BankCardVerification":          func() any { return new(officialVerdict) },
	"BankCard4EVerification":        func() any { return new(officialVerdict) },
	"MobileNetworkTimeVerification": func() any { return new(officialNetworkTime) },
	"MobileStatus":                  func() any { return new(officialMobileStatus) },
	"PhoneVerification":             func() any { return new(officialPhone) },
	"PhoneVerificationCMCC":         func() any { return new(officialPhone) },
	"PhoneVerificationCTCC":         func() any { return new(officialPhone) },
	"PhoneVerificationCUCC":         func() any { return new(officialPhone) },
	"CheckPhoneAndName":             func() any { return new(officialVerdict) },
}

// TestOfficialClientSendsEveryCheck: Tencent's common client sends each documented request of
// the 20 checks (testdata/cloud/checks) to kyctest, which accepts its signature and parameters;
// the answer decodes through the client and strictly into the service's model, and a chosen
// outcome comes back too.
func TestOfficialClientSendsEveryCheck(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	oc := newOfficialClient(t, srv)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "cloud", "checks", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 20)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx struct {
			Action  string         `json:"action"`
			Request map[string]any `json:"request"`
		}
		require.NoError(t, json.Unmarshal(raw, &fx))
		model, ok := officialCheckModels[fx.Action]
		require.True(t, ok, fx.Action)

		resp := tchttp.NewCommonResponse()
		req := tchttp.NewCommonRequest("faceid", "2018-03-01", fx.Action)
		require.NoError(t, req.SetActionParameters(fx.Request))
		require.NoError(t, oc.client.Send(req, resp), fx.Action)
		var env struct {
			Response json.RawMessage `json:"Response"`
		}
		require.NoError(t, json.Unmarshal(resp.GetBody(), &env))
		d := json.NewDecoder(bytes.NewReader(env.Response))
		d.DisallowUnknownFields()
		m := model()
		require.NoError(t, d.Decode(m), "%s answers a name or a type the model does not have: %s", fx.Action, env.Response)
		require.NotContains(t, string(env.Response), `"Error"`, fx.Action)
	}

	// A chosen outcome, through the same client.
	srv.MismatchIdentity("测试用户", "KYCTEST0000000001")
	resp := tchttp.NewCommonResponse()
	req := tchttp.NewCommonRequest("faceid", "2018-03-01", "IdCardVerification")
	require.NoError(t, req.SetActionParameters(map[string]any{"Name": "测试用户", "IdCard": "KYCTEST0000000001"}))
	require.NoError(t, oc.client.Send(req, resp))
	var v struct{ Response officialVerdict }
	require.NoError(t, json.Unmarshal(resp.GetBody(), &v))
	require.Equal(t, "-1", *v.Response.Result)

	// An unknown parameter is refused as the service does.
	req = tchttp.NewCommonRequest("faceid", "2018-03-01", "MobileStatus")
	require.NoError(t, req.SetActionParameters(map[string]any{"Mobile": "13800000000", "Mobil": "x"}))
	err = oc.client.Send(req, tchttp.NewCommonResponse())
	require.ErrorContains(t, err, "UnknownParameter")
}
