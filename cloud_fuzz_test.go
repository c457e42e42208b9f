package kyc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// cloudSeeds adds every fixture response and a few odd shapes to f.
func cloudSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cloud", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var fx cloudFixture
		if err := json.Unmarshal(raw, &fx); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(fx.Response))
	}
	for _, s := range []string{``, `null`, `{}`, `{"Response":null}`, `{"Response":{}}`, `{"Response":{"Error":{}}}`,
		`{"Response":{"Error":{"Code":1}}}`, `{"Response":{"Error":null,"RequestId":7}}`, `{"Response":[]}`,
		`{"Response":{"Text":{"LivenessDetail":[{"Errcode":"x","IsNeedCharge":"true"}]}}}`,
		`{"Response":{"VideoData":{"LivenessVideo":"AAAA"}}}`, `{"Response":{"WeChatBillDetails":[{"ChargeCount":"1.0"}]}}`,
		// Error members the one-pass decode must not miss, and RequestIds the metadata refuses.
		`{"Response":{"error":{"Code":"InternalError"},"BizToken":"t","RequestId":"r"}}`,
		`{"Response":{"ERROR":{"Code":"InternalError"},"RequestId":"r"}}`,
		`{"Response":{"\u0045rror":{"Code":"InternalError"},"RequestId":"r"}}`,
		`{"Response":{"Err\u006fr":{"Code":"InternalError"},"BizToken":"\/t","RequestId":"r"}}`,
		`{"Response":{"Error":null,"BizToken":"t","RequestId":"r"}}`, `{"Response":{"BizToken":"error","RequestId":"r"}}`,
		`{"Response":{"BizToken":"t","RequestId":{}}}`, `{"Response":{"BizToken":"t","RequestId":7}}`,
		`{"Response":{"BizToken":"t","RequestId":"r","requestid":[]}}`, `{"response":{"BizToken":"t"}}`,
		`{"Response":{"BizToken":"t"},"Response":null}`, `{"Response":{"BizToken":1}}`} {
		f.Add([]byte(s))
	}
}

// FuzzDecodeCloud feeds arbitrary bodies to the API 3.0 decoder with each response type the
// client uses: it must never panic, and an error answer must carry a code.
func FuzzDecodeCloud(f *testing.F) {
	cloudSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		outs := []any{&detectInfoBody{}, &billPage{}, &DetectAuthResult{}, &EIDToken{},
			&struct {
				detectInfoBody
				EIDInfo *EIDInfo `json:"EidInfo"`
			}{}, &struct {
				Status    string `json:"Status"`
				RequestID string `json:"RequestId"`
			}{}, nil}
		for _, out := range outs {
			// The one-pass decode of a success answers as the full decode does.
			var fast, full any
			if out != nil {
				fast, full = reflect.New(reflect.TypeOf(out).Elem()).Interface(), reflect.New(reflect.TypeOf(out).Elem()).Interface()
			}
			fa, ferr := decodeCloud(raw, fast)
			wa, werr := decodeCloudFull(raw, full)
			if (ferr == nil) != (werr == nil) || fa.code != wa.code || fa.msg != wa.msg || (fa.outErr == nil) != (wa.outErr == nil) {
				t.Fatalf("one pass: %+v, %v; full: %+v, %v", fa, ferr, wa, werr)
			}
			if werr == nil && wa.code == "" && wa.outErr == nil {
				if !reflect.DeepEqual(fast, full) {
					t.Fatalf("one pass decoded %+v; full %+v", fast, full)
				}
			} else if fa.requestID != wa.requestID {
				t.Fatalf("requestId %q, want %q", fa.requestID, wa.requestID)
			}

			ans, err := decodeCloud(raw, out)
			if err != nil {
				if strings.Contains(err.Error(), string(raw)) && len(raw) > 8 {
					t.Fatalf("error quotes the body")
				}
				continue
			}
			if ans.outErr != nil && ans.code != "" {
				t.Fatalf("an error answer with a decode error")
			}
			if b, ok := out.(*detectInfoBody); ok && ans.code == "" && ans.outErr == nil {
				_ = b.info().String() // formatting never panics
			}
		}
	})
}

// FuzzLegacyDetectInfo feeds arbitrary strings to the decoder of GetDetectInfo's DetectInfo.
func FuzzLegacyDetectInfo(f *testing.F) {
	f.Add(``)
	f.Add(`{"Text":{"ErrCode":0,"Detail":{"LivenessData":[{"Seq":"s","Errcode":0}]}},"VideoData":{"LivenessVideo":"AAAA"}}`)
	f.Add(`{"Text":{"LivenessDetail":[{"Seq":"a"}],"Detail":{"LivenessData":[{"Seq":"b"}]}},"BestFrame":{"BestFrame":"/9j/"}}`)
	f.Add(`{"Text":null,"IdCardData":{"OcrFront":"!!"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decodeLegacyDetectInfo(s)
		if err != nil {
			if len(s) > 8 && strings.Contains(err.Error(), s) {
				t.Fatalf("error quotes the document")
			}
			return
		}
		_ = d.String()
	})
}

// FuzzBillingRecords decodes arbitrary JSON into the billing types: no panic, and whatever
// decodes survives a round trip through its own JSON unchanged (what a store keeps is what it
// gets back).
func FuzzBillingRecords(f *testing.F) {
	f.Add([]byte(`{"ReqTime":1764316800123,"Seq":"s","Idcard":"K**1","IdCard":"K**2","IsNeedCharge":null,"Errcode":2016,"ErrorCode":"0"}`))
	f.Add([]byte(`{"BizToken":"T","ChargeCount":"2","ChargeDetails":[{"IsNeedCharge":"false","ErrorCode":0}]}`))
	f.Add([]byte(`{"ErrCode":"00","LivenessDetail":[{"Livestatus":"1.0"}],"NFCRequestIds":["a",1]}`))
	f.Add([]byte(`{"ReqTime":"1764316800123","Errcode":" 17 "}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		check := func(v any) {
			if json.Unmarshal(raw, v) != nil {
				return
			}
			_ = reflect.ValueOf(v).Elem().Interface().(interface{ String() string }).String()
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T does not marshal: %v", v, err)
			}
			back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := json.Unmarshal(again, back); err != nil {
				t.Fatalf("%T does not read its own JSON: %v", v, err)
			}
			if !reflect.DeepEqual(v, back) {
				t.Fatalf("%T changes in a round trip:\n%#v\n%#v", v, v, back)
			}
		}
		check(&LivenessDetail{})
		check(&ChargeDetail{})
		check(&ChargeRecord{})
		check(&DetectText{})
		var d LivenessDetail
		if json.Unmarshal(raw, &d) == nil {
			if at, ok := d.Time(); ok && DayOf(at).IsZero() {
				t.Fatalf("a dated attempt without a day")
			}
		}
	})
}
