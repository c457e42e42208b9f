package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
)

// CallCloud performs any faceid 2018-03-01 action of Tencent Cloud API 3.0 (the ones this SDK has
// no typed call for, or a field it does not know yet): request is sent as the action's JSON
// parameters (nil sends {}), and the Response object of the answer, without the envelope and with
// its RequestId, is decoded into response (a non-nil pointer, e.g. to a struct whose json tags are
// the wire names, a map, or a json.RawMessage; nil discards it). The request is TC3-signed and
// sent on the client's one request path (timeouts, backoff, retry budget, body cap, redacted
// errors). An error answer is an *APIError with Code, Msg and RequestID; a bad action name or a
// request that is not a JSON object is an *InputError, before anything is sent. A successful
// answer replaces what response pointed to.
//
// Retries: most faceid actions are billed per call, so a request that may have reached the service
// is never resent (a second one could bill twice); only when it provably never left (the
// connection could not be made) is it sent again. The few actions known to be read-only queries
// (readOnlyCloudActions) are retried like every other query. An action not in that table is
// taken to bill: the safe default for one this SDK does not know.
//
// API reference: https://cloud.tencent.com/document/api/1007/31324 (the faceid actions) and
// https://cloud.tencent.com/document/api/1007/31326 (the request structure).
func (c *Client) CallCloud(ctx context.Context, action string, request, response any) error {
	if err := checkCloudAction(action); err != nil {
		return err
	}
	in, err := cloudParams(request)
	if err != nil {
		return err
	}
	if response != nil {
		if v := reflect.ValueOf(response); v.Kind() != reflect.Pointer || v.IsNil() {
			return invalidInput("response", "must be nil or a non-nil pointer")
		}
	}
	return c.cloudCall(ctx, action, in, response, !readOnlyCloudActions[action])
}

// readOnlyCloudActions are the faceid actions known to read a result without billing or minting
// anything, and so safe to resend after a failure that may have reached the service. Every other
// action, including one unknown here, is resent only when it provably never left (the mint rule):
// the 20 element and face checks are billed per call (vendor manual, "核身及要素 API 服务错误码"), and
// DetectAuth / GetEidToken mint a token. Add an action here only when its documentation says it
// neither bills per call nor creates anything.
var readOnlyCloudActions = map[string]bool{
	"GetDetectInfoEnhanced": true,
	"GetDetectInfo":         true,
	"GetEidResult":          true,
	"CheckEidTokenStatus":   true,
	"GetWeChatBillDetails":  true,
	"GetFaceIdResult":       true, // the App-SDK result, readable for three days
	"GetFaceIdRiskInfo":     true, // the App-SDK device risk, readable for three days
}

// maxCloudAction bounds an action name (the longest faceid action has 29 characters).
const maxCloudAction = 64

// checkCloudAction accepts an API 3.0 action name: ASCII letters and digits, starting with an
// upper-case letter, at most maxCloudAction characters. It is sent in a header and signed, so
// nothing else may reach the wire.
func checkCloudAction(action string) error {
	switch {
	case action == "":
		return invalidInput("action", "must not be empty")
	case len(action) > maxCloudAction:
		return invalidInput("action", "must be at most 64 characters")
	case action[0] < 'A' || action[0] > 'Z':
		return invalidInput("action", "must start with an upper-case letter")
	}
	for i := range len(action) {
		if b := action[i]; !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9') {
			return invalidInput("action", "must be ASCII letters and digits only")
		}
	}
	return nil
}

// emptyParams is what a nil request sends: {}.
var emptyParams = json.RawMessage("{}")

// cloudParams checks that request marshals to a JSON object: a struct, a map, a pointer to one,
// or raw JSON ([]byte, json.RawMessage) that is an object. nil (or a nil pointer or map) is {}.
func cloudParams(request any) (any, error) {
	if request == nil {
		return emptyParams, nil
	}
	switch r := request.(type) {
	case json.RawMessage:
		return rawParams(r)
	case []byte:
		return rawParams(r)
	}
	v := reflect.ValueOf(request)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return emptyParams, nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		return request, nil
	case reflect.Map:
		if v.IsNil() {
			return emptyParams, nil
		}
		if v.Type().Key().Kind() == reflect.String {
			return request, nil
		}
	}
	return nil, invalidInput("request", "must encode as a JSON object (a struct, a map with string keys, or raw JSON)")
}

func rawParams(b []byte) (any, error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return emptyParams, nil
	}
	if t[0] != '{' || !json.Valid(t) {
		return nil, invalidInput("request", "raw JSON must be one valid JSON object")
	}
	return json.RawMessage(t), nil
}
