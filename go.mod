module github.com/kycgo/kyc

go 1.26.0

require (
	github.com/emmansun/gmsm v0.30.1
	github.com/google/go-querystring v1.2.0
	golang.org/x/sync v0.25.0
)

// Test-only: assertions, the H5 simulator's browser test, and a cross-check of the TC3 signer
// against Tencent's official SDK.
require (
	github.com/chromedp/chromedp v0.23.1
	github.com/stretchr/testify v1.12.1
	github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common v1.3.212
)

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.37.0 // indirect
)
