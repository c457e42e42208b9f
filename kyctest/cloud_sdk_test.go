package kyctest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/kycgo/kyc/kyctest"
)

// TestOfficialSDKAgainstVerifier cross-checks the TC3 verifier (and so our signer, which it
// shares) with Tencent's official Go SDK (tencentcloud-sdk-go common v1.3.212, a test-only
// dependency): requests the SDK signs are accepted, and refused with the real code when the key
// is wrong.
func TestOfficialSDKAgainstVerifier(t *testing.T) {
	srv := kyctest.NewServer()
	defer srv.Close()
	send := func(key, action string, params map[string]any) (string, error) {
		cpf := profile.NewClientProfile()
		cpf.HttpProfile.Endpoint = strings.TrimPrefix(srv.URL, "http://")
		cpf.HttpProfile.Scheme = "HTTP"
		cpf.NetworkFailureMaxRetries = 0
		client := common.NewCommonClient(common.NewCredential(srv.SecretID, key), "", cpf)
		req := tchttp.NewCommonRequest("faceid", "2018-03-01", action)
		require.NoError(t, req.SetActionParameters(params))
		resp := tchttp.NewCommonResponse()
		err := client.Send(req, resp)
		return string(resp.GetBody()), err
	}
	body, err := send(srv.SecretKey, "DetectAuth", map[string]any{"RuleId": "1", "Name": "张三", "IdCard": "KYCTEST0000000001"})
	require.NoError(t, err)
	require.Contains(t, body, `"BizToken"`)
	body, err = send(srv.SecretKey, "GetEidToken", map[string]any{"MerchantId": "M1", "Config": map[string]any{"InputType": "3"}})
	require.NoError(t, err)
	require.Contains(t, body, `"EidToken"`)

	_, err = send(srv.SecretKey+"x", "DetectAuth", map[string]any{"RuleId": "1"})
	var sdkErr *tcerr.TencentCloudSDKError
	require.True(t, errors.As(err, &sdkErr), "%v", err)
	require.Equal(t, "AuthFailure.SignatureFailure", sdkErr.GetCode())
}
