package kyc

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc/internal/wire"
)

// The rules of the one result decoder (decode.go), on a type that uses each of them.
func TestDecodeObjectRules(t *testing.T) {
	type rec struct {
		Text    string    `wire:"text"`
		Alt     string    `wire:"IdCard,Idcard"`
		Count   int       `json:"count"`
		Charged *bool     `wire:"charged"`
		Warn    string    `wire:"warn,list"`
		Code    string    `wire:"Errcode,ErrorCode,code"`
		Photo   Media     `wire:"photo,base64"`
		Risk    *RiskInfo `wire:"riskInfo"`
		Skipped string
	}
	var r rec
	obj, err := decodeObject([]byte(`{"TEXT": 97.0, "IdCard": "", "Idcard": "1101", "count": "3", "charged": "true",
		"warn": [1, "2"], "ErrorCode": 0, "photo": "AQID", "riskInfo": {"deviceinfolevel": 3}, "Skipped": "x", "extra": 1}`), &r)
	require.NoError(t, err)
	yes := true
	require.Equal(t, rec{Text: "97.0", Alt: "1101", Count: 3, Charged: &yes, Warn: "1,2", Code: "0", Photo: Media{1, 2, 3},
		Risk: &RiskInfo{DeviceInfoLevel: "3"}}, r, "case-folded keys, first non-empty spelling, lenient scalars, options")
	require.Contains(t, obj, "extra", "the object is returned whole")

	r = rec{Text: "kept"}
	_, err = decodeObject([]byte(`{"text": null, "count": null, "charged": null}`), &r)
	require.NoError(t, err)
	require.Equal(t, rec{Text: "kept"}, r, "null leaves a field as it was")

	for name, raw := range map[string]string{
		"not an object": `[1]`, "object for text": `{"text": {}}`, "text for a count": `{"count": "three"}`,
		"not a boolean": `{"charged": "yes"}`, "not base64": `{"photo": "@@"}`,
	} {
		_, err := decodeObject([]byte(raw), &rec{})
		require.Error(t, err, name)
	}
	_, err = decodeObject([]byte(`{"photo": "@@"}`), &rec{})
	require.Equal(t, notBase64{"photo"}, err, "a base64 error names the field")
}

// A result query reads a failed answer's result once: as the verdict, or, for any other
// failure, to complete the *APIError (verdictOrErr).
func TestVerdictOrErr(t *testing.T) {
	c := &Client{}
	for _, tc := range []struct {
		code    string
		verdict bool
	}{{"66660011", false}, {"66660004", true}} {
		env := &wire.Envelope{Code: wire.Code(tc.code), Result: []byte(`{"orderNo":"order1","bizSeqNo":"2001"}`)}
		apiErr := c.apiError("op", 200, env, true)
		require.Empty(t, apiErr.OrderNo, "not read when the caller reads the result")
		err := verdictOrErr(env, apiErr)
		if tc.verdict {
			require.NoError(t, err, tc.code)
			continue
		}
		require.Same(t, apiErr, err)
		require.Equal(t, "order1", apiErr.OrderNo)
		require.Equal(t, "2001", apiErr.BizSeqNo)
	}
}
