package kyc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func ExampleFaceService_ResultQueryable() {
	srv, c := exampleClient()
	defer srv.Close()
	// The app forwards the WbFaceError it got from the face SDK: its domain, code and platform.
	domain, code := "WBFaceErrorDomainNativeProcess", "42000"
	if !c.Face.ResultQueryable(domain) {
		// The person left part-way: there is no result to query.
		info, _ := kyc.IOS.LookupCode(code)
		fmt.Println("no result:", info.EN)
	}
	fmt.Println(c.Face.ResultQueryable("WBFaceErrorDomainCompareServer"))
	// Output:
	// no result: user cancelled (went to the background, home, back or cancel)
	// true
}

func ExampleWillService_ResultQueryable() {
	srv, c := exampleClient()
	defer srv.Close()
	fmt.Println(c.Will.ResultQueryable("WbFaceErrorDomainCompareServer"), c.Will.ResultQueryable("WbFaceErrorDomainNativeProcess"))
	// Output: true false
}

func ExamplePlatform_LookupCode() {
	// 100101 is "no network" in the Android and iOS OCR SDKs, "SDK not logged in" in Harmony's.
	for _, p := range []kyc.Platform{kyc.Android, kyc.Harmony} {
		info, _ := p.LookupCode("100101")
		fmt.Println(p, info.Sources, info.EN)
	}
	// Output:
	// Android [Android OCR SDK iOS OCR SDK] no network
	// Harmony [Harmony OCR SDK] the SDK is not logged in (call init before startOCRService)
}

func ExampleCodeInfo_Meanings() {
	info, _ := kyc.LookupCode("66660015")
	for _, m := range info.Meanings() {
		fmt.Println(m.Sources, m.EN)
	}
	// Output:
	// [service] name or ID number malformed
	// [ID-card OCR service] abnormal video or image, change the image
}

func ExampleSDKStart_ForPlatform() {
	srv := kyctest.NewServer()
	defer srv.Close()
	// The console issues one licence per platform (each is bound to that App's bundle id).
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(),
		kyc.WithSDKLicence("LICENCE-FOR-ANDROID", kyc.Android), kyc.WithSDKLicence("LICENCE-FOR-IOS", kyc.IOS))...)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	face, _ := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "order20260501", UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001"})
	start, _ := c.Face.SDKParams(ctx, face)
	_, err = json.Marshal(start) // which licence? refused until the platform is named
	fmt.Println(err != nil)
	if err := start.ForPlatform(kyc.IOS); err != nil { // the platform the app said it runs on
		panic(err)
	}
	fmt.Println(start.Licence, start.ExpiresAt.Sub(srv.Clock.Now()) <= 120e9)
	// Output:
	// true
	// LICENCE-FOR-IOS true
}

func ExampleDetectService_BizTokenFromRedirect() {
	srv, c := exampleClient()
	defer srv.Close()
	// In the handler of DetectAuthRequest.RedirectURL: r.URL is where the browser came back to.
	u, _ := url.Parse("https://partner.example/kyc/wechat-done?token=CE661F1A-0F1E-45BD-BE13-34C05CEA7681")
	bizToken, err := c.Detect.BizTokenFromRedirect(u)
	fmt.Println(bizToken, err)
	// Then: check bizToken is one you minted, and read the verdict with c.Detect.InfoEnhanced.
	_, err = c.Detect.BizTokenFromRedirect(&url.URL{RawQuery: "token=a&BizToken=b"})
	fmt.Println(err)
	// Output:
	// CE661F1A-0F1E-45BD-BE13-34C05CEA7681 <nil>
	// kyc: invalid BizToken: the redirect URL carries two different tokens
}

func ExampleEIDService_TokenFromRedirect() {
	srv, c := exampleClient()
	defer srv.Close()
	u, _ := url.Parse("https://partner.example/kyc/eid-done?token=EIDTOKEN0000000001")
	eidToken, err := c.EID.TokenFromRedirect(u)
	fmt.Println(eidToken, err)
	// Output: EIDTOKEN0000000001 <nil>
}
