package kyctest

import (
	"testing"
	"time"

	"github.com/kycgo/kyc"
	"github.com/stretchr/testify/require"
)

// ocrQuery GETs an OCR result signed with the env's SIGN ticket, with snake_case names.
func (e *faceEnv) ocrQuery(path, orderNo string, extra ...string) map[string]any {
	e.t.Helper()
	nonce := kyc.NewNonce()
	kv := []string{"app_id", e.srv.AppID, "order_no", orderNo, "nonce", nonce, "version", "1.0.0",
		"sign", kyc.Sign(e.ticket, e.srv.AppID, orderNo, nonce, "1.0.0")}
	return getJSON(e.t, e.srv, path, append(kv, extra...)...)
}

const (
	ocrPath  = "/api/server/getOcrResult"
	bankPath = "/api/server/getBankCardOcrResult"
)

func TestIDCardOCR(t *testing.T) {
	e := newFaceEnv(t, WithMedia(500, 100))
	card := SampleIDCard()
	card.BackWarnCode = "00000001"
	require.NoError(t, e.srv.CompleteIDCardOCR("ocr0001", card))
	require.ErrorIs(t, e.srv.CompleteIDCardOCR("ocr0001", card), ErrOrderCompleted)
	require.ErrorIs(t, e.srv.CompleteIDCardOCR("ocr0002", IDCardOCR{AppID: "IDANOPE1"}), ErrUnknownApp)

	m := e.ocrQuery(ocrPath, "ocr0001")
	require.Equal(t, "0", m["code"])
	res := resultOf(t, m)
	require.Equal(t, card.Name, res["name"])
	require.Equal(t, card.IDNo, res["idcard"])
	require.Equal(t, "00000000", res["frontWarnCode"])
	require.Equal(t, "00000001", res["backWarnCode"])
	require.Equal(t, false, res["success"])
	require.NotContains(t, res, "nativePlace")
	require.NotContains(t, res, "frontPhoto")

	res = resultOf(t, e.ocrQuery(ocrPath, "ocr0001", "get_file", "1", "get_native", "1"))
	require.Equal(t, card.NativePlace, res["nativePlace"])
	for _, k := range []string{"frontPhoto", "backPhoto", "frontCrop", "backCrop", "headPhoto"} {
		img := decodeB64(t, res[k])
		require.Len(t, img, 500)
		require.Equal(t, []byte{0xFF, 0xD8}, img[:2])
	}

	// A side not recognised: no fields for it, its code.
	side := SampleIDCard()
	side.BackCode = "66661007"
	require.NoError(t, e.srv.CompleteIDCardOCR("ocr0003", side))
	res = resultOf(t, e.ocrQuery(ocrPath, "ocr0003", "get_file", "1"))
	require.Equal(t, "66661007", res["backCode"])
	require.NotContains(t, res, "validDate")
	require.NotContains(t, res, "backPhoto")
	require.Contains(t, res, "frontPhoto")

	// Unknown order, bad signature, bad parameters, expiry.
	require.Equal(t, "66660020", e.ocrQuery(ocrPath, "nope01")["code"])
	bad := getJSON(t, e.srv, ocrPath, "app_id", e.srv.AppID, "order_no", "ocr0001", "nonce", kyc.NewNonce(), "version", "1.0.0", "sign", "00")
	require.Equal(t, "400101", bad["code"])
	// The camelCase names of the POST calls are not the OCR query's.
	nonce := kyc.NewNonce()
	camel := getJSON(t, e.srv, ocrPath, "appId", e.srv.AppID, "orderNo", "ocr0001", "nonce", nonce, "version", "1.0.0",
		"sign", kyc.Sign(e.ticket, e.srv.AppID, "ocr0001", nonce, "1.0.0"))
	require.Equal(t, "66660000", camel["code"])
	e.srv.Clock.Advance(ResultLifetime + time.Minute)
	e.ticket = fetchSignTicket(t, e.srv, fetchToken(t, e.srv))
	require.Equal(t, "66660020", e.ocrQuery(ocrPath, "ocr0001")["code"])
	require.Equal(t, 7, e.srv.Requests(EndpointOCRResult))
}

func TestBankCardOCR(t *testing.T) {
	e := newFaceEnv(t, WithMedia(300, 100))
	card := SampleBankCard()
	card.MultiWarnCode = "[-9110, -9111]"
	require.NoError(t, e.srv.CompleteBankCardOCR("bank0001", card))
	require.NoError(t, e.srv.CompleteBankCardOCR("bank0002", BankCardOCR{Code: "-9013"}))
	m := e.ocrQuery(bankPath, "bank0001", "get_file", "1")
	require.Equal(t, "0", m["code"])
	res := resultOf(t, m)
	require.Equal(t, card.CardNo, res["bankCardNo"])
	require.Equal(t, "0", res["warnCode"])
	require.Equal(t, "[-9110, -9111]", res["multiWarnCode"])
	for _, k := range []string{"bankcardCropPhoto", "bankcardNoPhoto", "originBankcardPhoto"} {
		require.Len(t, decodeB64(t, res[k]), 300)
	}
	m = e.ocrQuery(bankPath, "bank0002", "get_file", "1")
	require.Equal(t, "-9013", m["code"])
	require.NotContains(t, resultOf(t, m), "bankCardNo")
	require.NotContains(t, resultOf(t, m), "bankcardCropPhoto")
	// The ID-card query does not see bank-card results.
	require.Equal(t, "66660020", e.ocrQuery(ocrPath, "bank0001")["code"])
}
