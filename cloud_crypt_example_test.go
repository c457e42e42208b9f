package kyc_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/credentials"
	"github.com/kycgo/kyc/kyctest"
)

// ExampleWithCloudEncryption encrypts the name and ID number of DetectAuth on the wire and reads
// the result back encrypted, against kyctest's key pair.
func ExampleWithCloudEncryption() {
	srv := kyctest.NewServer()
	defer srv.Close()
	secretID, secretKey, ctx := srv.SecretID, srv.SecretKey, context.Background()
	publicKeyPEM := srv.CloudEncryptionKey("SM4-GCM") // real code: the SM2 key from the faceid console
	// Run by ExampleWithCloudEncryption (cloud_crypt_example_test.go), which has these lines verbatim.
	c, err := kyc.NewCloud(secretID, secretKey, kyc.WithCloudEncryption("SM4-GCM", publicKeyPEM),
		kyc.WithCloudEndpoint(srv.URL)) // (the endpoint: only for kyctest)
	if err != nil {
		panic(err)
	}
	// Name and IdCard leave as ciphertext under a fresh key; the key, wrapped, rides along.
	auth, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1", Name: "测试用户", IDCard: "KYCTEST0000000001"})
	if err != nil {
		panic(err)
	}
	// EncryptText: Text.Name, IdCard, OcrName, OcrIdCard come back encrypted; EncryptBody: all of it.
	info, err := c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{BizToken: auth.BizToken, RuleID: "1",
		Parts: kyc.PartText, EncryptText: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(info.Text.Name == "测试用户", srv.EncryptedRequests()[0].EncryptList)
	// Output: true [IdCard Name]
}

// ExampleWithCloudCredentialsProvider signs the API 3.0 actions with the temporary credentials
// of a CVM instance's role, renewed before they expire; here kyctest plays the metadata service.
func ExampleWithCloudCredentialsProvider() {
	srv := kyctest.NewServer(kyctest.WithCVMRole("kyc-backend", time.Hour))
	defer srv.Close()
	ctx := context.Background()
	// Run by ExampleWithCloudCredentialsProvider (cloud_crypt_example_test.go), which has these lines verbatim.
	role := &credentials.CVMRole{Role: "kyc-backend", Endpoint: srv.URL} // real code: &credentials.CVMRole{}
	c, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(role), kyc.WithCloudEndpoint(srv.URL),
		kyc.WithClock(srv.Clock))
	if err != nil {
		panic(err)
	}
	_, err = c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: "1"})
	fmt.Println(err == nil, len(srv.CloudKeyUses()))
	// Output: true 1
	_ = http.MethodGet
}
