package kyc_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
)

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestLivenessDetailWireForms(t *testing.T) {
	var d kyc.LivenessDetail
	require.NoError(t, json.Unmarshal([]byte(`{"ReqTime":1764300000000,"Seq":"s","IdCard":"KYC**1","Name":"*名",
		"IsNeedCharge":null,"Errcode":2016,"Livestatus":"0","Comparestatus":null}`), &d))
	require.Equal(t, "1764300000000", d.ReqTime)
	require.Equal(t, "KYC**1", d.IDCard)
	require.Equal(t, "2016", d.ErrCode)
	require.Nil(t, d.IsNeedCharge)
	require.False(t, d.Charged())
	_, ok := d.Time()
	require.True(t, ok)
	require.NotContains(t, d.String(), "KYC**1")
	require.NotContains(t, d.String(), "*名")

	// Re-serialised, a null IsNeedCharge stays null and the codes stay text.
	raw, err := json.Marshal(d)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"IsNeedCharge":null`)
	var back kyc.LivenessDetail
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, d, back)

	var c kyc.ChargeDetail
	require.NoError(t, json.Unmarshal([]byte(`{"Idcard":"old","ErrorCode":"0","IsNeedCharge":"true"}`), &c))
	require.Equal(t, "old", c.IDCard)
	require.True(t, c.Charged())
	require.Error(t, json.Unmarshal([]byte(`{"IsNeedCharge":"maybe"}`), &c))
}
