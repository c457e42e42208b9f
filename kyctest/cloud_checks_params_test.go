package kyctest

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The parameter structs of the 20 checks share parts by embedding (chkIdName, chkCardImage,
// chkBankCardInfo, chkMobile). Each action must still take exactly the parameters of its model,
// no more (UnknownParameter) and no fewer.
func TestCheckActionsTakeExactlyTheirModelsParameters(t *testing.T) {
	const (
		person  = "IdCard Name Encryption"
		carrier = person + " Phone"
		recog   = person + " ImageBase64 Optional"
	)
	want := map[string]string{
		"DetectAIFakeFaces":             "FaceInput FaceInputType Encryption EncryptedBody",
		"LivenessRecognition":           person + " LivenessType VideoBase64 VideoUrl ValidateData Optional",
		"LivenessCompare":               "LivenessType ImageBase64 ImageUrl ValidateData Optional VideoBase64 VideoUrl",
		"ImageRecognition":              recog,
		"ImageRecognitionV2":            recog + " Extra",
		"CheckIdCardInformation":        "ImageBase64 ImageUrl Config IsEncrypt IsEncryptResponse Encryption",
		"IdCardVerification":            person,
		"IdCardOCRVerification":         person + " ImageBase64 ImageUrl Config",
		"CheckIdNameDate":               person + " ValidityBegin ValidityEnd",
		"CheckBankCardInformation":      "BankCard Encryption",
		"BankCard2EVerification":        "Name BankCard Encryption",
		"BankCardVerification":          person + " BankCard CertType",
		"BankCard4EVerification":        person + " BankCard CertType Phone",
		"MobileNetworkTimeVerification": "Mobile Encryption",
		"MobileStatus":                  "Mobile Encryption",
		"PhoneVerification":             "IdCard Name Phone VerifyMode CiphertextBlob EncryptList Iv",
		"PhoneVerificationCMCC":         carrier,
		"PhoneVerificationCTCC":         carrier,
		"PhoneVerificationCUCC":         carrier,
		"CheckPhoneAndName":             "Mobile Name Encryption",
	}
	var all []string
	for _, names := range want {
		all = append(all, strings.Fields(names)...)
	}
	slices.Sort(all)
	all = slices.Compact(all)

	srv := NewServer()
	defer srv.Close()
	handlers := srv.checkHandlers()
	require.Len(t, handlers, len(want))
	for action, names := range want {
		h := handlers[action]
		require.NotNil(t, h, action)
		for _, name := range all {
			// null decodes into any type, so only an unknown name is refused.
			_, e := h([]byte(`{"` + name + `": null}`))
			taken := e == nil || e.code != "UnknownParameter"
			require.Equal(t, slices.Contains(strings.Fields(names), name), taken, "%s takes %s", action, name)
		}
	}
}

// An absent required parameter is named in the service's own words.
func TestCheckMissingParameterText(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	_, e := srv.checkHandlers()["IdCardVerification"]([]byte(`{}`))
	require.NotNil(t, e)
	require.Equal(t, "MissingParameter", e.code)
	require.Equal(t, "The request is missing a required parameter `IdCard`.", e.msg)
}
