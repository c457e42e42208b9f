package kyc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// Example_kyctestDrivers tests partner code with kyctest's drivers, which play the user's side
// without any HTML: FinishH5 is the browser on an H5 login URL and returns the signed callback
// URL; PlaySDK is the App SDK given the start values. The README's "Testing your code with
// kyctest" block is this function's body (TestREADMEMirrorsExamples checks it).
func Example_kyctestDrivers() {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()

	// H5: your backend makes the login URL; the person's browser picks an outcome.
	face, _ := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order001", UserID: "user001", Name: "测试用户", IDNo: "KYCTEST0000000001"})
	loginURL, _ := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: "https://partner.example/kyc/done"})
	callbackURL, err := srv.FinishH5(ctx, loginURL, kyctest.OutcomeNotSamePerson)
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(callbackURL) // what your callback handler receives
	cb, err := c.Face.VerifyCallback(ctx, u.Query())
	fmt.Println("callback", cb.Code, err)

	// App SDK: your backend makes the start values; the app's SDK runs with them.
	face, _ = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order002", UserID: "user001", Name: "测试用户", IDNo: "KYCTEST0000000001"})
	start, _ := c.Face.SDKParams(ctx, face)
	startJSON, _ := json.Marshal(start) // what your backend sends the app
	if err := srv.PlaySDK(startJSON, kyctest.OutcomePass); err != nil {
		panic(err) // an *kyctest.SDKLoginError: the real SDK's login would refuse these values
	}
	res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: "order002"})
	fmt.Println("query", res.Code, res.Passed(), err)
	// Output:
	// callback 66660004 <nil>
	// query 0 true <nil>
}
