package kyc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kycgo/kyc/internal/transport"
	"github.com/kycgo/kyc/internal/wire"
)

// The Tencent Cloud API 3.0 side (docs/B-h5-wechat-billing.md §2, docs/C-ocr-will-nfc-eid.md §4): the WeChat journeys (Client.Detect), E证通
// (Client.EID) and the WeChat-channel bill (Client.Billing) are actions of the faceid service,
// version 2018-03-01, sent as POST / with a JSON body and TC3-HMAC-SHA256 headers made with a
// SecretId and SecretKey. They share the client's one request path (roundTrip in client.go):
// per-attempt timeout, retries with backoff and budget, the mint rule, body cap, redaction.

// API 3.0 constants.
const (
	// defaultCloudEndpoint is the faceid API 3.0 host (WithCloudEndpoint changes it).
	defaultCloudEndpoint = "https://faceid.tencentcloudapi.com"
	// cloudVersion is the faceid API version every action is sent with (X-TC-Version).
	cloudVersion = "2018-03-01"
	// cloudService is the service name in the TC3 credential scope.
	cloudService = "faceid"
)

// cloudConfig is the API 3.0 part of a Client, set by the WithCloud* options.
type cloudConfig struct {
	endpoint, host string // "" means defaultCloudEndpoint
	region         string // X-TC-Region; faceid does not need one
	language       string // X-TC-Language
	poll           time.Duration

	// creds hands out the signing credentials and their signer (cloudcreds.go); static is its
	// provider when WithCloudCredentials sets them.
	creds  *credCache
	static *staticCreds
	cipher *cloudCipher // WithCloudEncryption (encryption.go); nil: fields go in clear
}

// NewCloud returns a client for the API 3.0 actions only (Detect, EID, Billing), for users of
// the WeChat and eID channels who have no kyc1 appId. Its kyc1 calls fail with an *InputError
// before sending; use New for those. It checks its arguments and options and sends nothing.
// With WithCloudCredentialsProvider among opts, pass "" for both secretID and secretKey.
func NewCloud(secretID, secretKey string, opts ...Option) (*Client, error) {
	if secretID == "" && secretKey == "" {
		return newCloudFromProvider(opts) // cloudcreds.go
	}
	if err := checkCloudCredentials(secretID, secretKey); err != nil {
		return nil, err
	}
	all := make([]Option, 0, len(opts)+1)
	all = append(all, WithCloudCredentials(secretID, secretKey))
	return newClient("", "", append(all, opts...))
}

func checkCloudCredentials(secretID, secretKey string) error {
	for _, f := range []struct{ name, v string }{{"SecretId", secretID}, {"SecretKey", secretKey}} {
		switch {
		case f.v == "":
			return invalidInput(f.name, "must not be empty")
		case len(f.v) > 128:
			return invalidInput(f.name, "must be at most 128 characters")
		case strings.IndexFunc(f.v, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
			return invalidInput(f.name, "must be printable ASCII without spaces")
		}
	}
	return nil
}

// cloudCall performs one API 3.0 action: in is marshalled as the JSON body, the Response
// object decoded into out (whose RequestId field, if any, is filled too). A minting action
// (DetectAuth, GetEidToken) is resent only when it provably never reached the service. Without
// credentials it fails before sending.
func (c *Client) cloudCall(ctx context.Context, action string, in, out any, mint bool) error {
	if c.cloud.creds == nil {
		return invalidInput("SecretId", "no API 3.0 credentials: pass kyc.WithCloudCredentials or use kyc.NewCloud")
	}
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("kyc: %s: encoding request: %w", action, err)
	}
	k := &cloudCall{c: c, action: action, body: body, out: out}
	err = c.roundTrip(ctx, action, mint, k)
	if c.cloud.creds.invalidate(k.cred, err) { // cloudcreds.go: a rejected temporary key, once
		err = c.roundTrip(ctx, action, mint, k)
	}
	return err
}

// cloudCall is the API 3.0 half of a call.
type cloudCall struct {
	c      *Client
	action string
	body   []byte
	out    any
	cred   *credEntry // the credentials of the last attempt
}

// newRequest signs every attempt afresh: X-TC-Timestamp is part of the signature and the service
// refuses one more than 5 minutes off (AuthFailure.SignatureExpire).
func (k *cloudCall) newRequest(ctx context.Context) (*http.Request, error) {
	cfg := &k.c.cloud
	endpoint, host := cfg.endpoint, cfg.host
	if endpoint == "" {
		endpoint, host = defaultCloudEndpoint, strings.TrimPrefix(defaultCloudEndpoint, "https://")
	}
	cred, err := cfg.credentials(ctx, k.c.clock)
	if err != nil {
		return nil, err
	}
	k.cred = cred
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(k.body))
	if err != nil {
		return nil, fmt.Errorf("kyc: %s: %w", k.action, transport.RedactError(err))
	}
	ts := k.c.clock.Now().Unix()
	// The header map is filled directly, in canonical form (what Set would store), with one
	// backing array for the values: the same request as Header.Set writes, without canonicalising
	// each name and allocating each value slice.
	vals := make([]string, 0, 8)
	h := hreq.Header
	add := func(name, v string) {
		vals = append(vals, v)
		h[name] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	add("Content-Type", "application/json") // signed exactly so: keep in step with tc3.JSONPost
	add("X-Tc-Action", k.action)
	add("X-Tc-Version", cloudVersion)
	add("X-Tc-Timestamp", strconv.FormatInt(ts, 10))
	if cfg.region != "" {
		add("X-Tc-Region", cfg.region)
	}
	if cred.creds.Token != "" {
		add("X-Tc-Token", cred.creds.Token)
	}
	if cfg.language != "" {
		add("X-Tc-Language", cfg.language)
	}
	add("Authorization", cred.signer.Authorization(host, ts, k.body))
	return hreq, nil
}

func (k *cloudCall) readResponse(resp *http.Response) (answer, error) {
	var a answer
	raw, err := transport.ReadCapped(resp.Body, k.c.maxBody)
	a.size = int64(len(raw))
	if err != nil {
		if errors.Is(err, transport.ErrBodyTooLarge) {
			return a, fmt.Errorf("kyc: %s: %w: body over %d bytes", k.action, ErrBadResponse, k.c.maxBody)
		}
		a.retry = true
		return a, fmt.Errorf("kyc: %s: reading response: %w", k.action, transport.RedactError(err))
	}
	ans, err := decodeCloud(raw, k.out)
	if err != nil {
		if resp.StatusCode != http.StatusOK {
			a.retry = retryableStatus(resp.StatusCode)
			return a, &APIError{Op: k.action, HTTPStatus: resp.StatusCode}
		}
		a.retry = true
		return a, fmt.Errorf("kyc: %s: %w: not an API 3.0 answer (%d bytes)", k.action, ErrBadResponse, len(raw))
	}
	if ans.code != "" {
		a.code = ans.code
		a.retry = cloudRetryable(ans.code) || retryableStatus(resp.StatusCode)
		return a, &APIError{Op: k.action, Code: ans.code, Msg: ans.msg, RequestID: ans.requestID, HTTPStatus: resp.StatusCode}
	}
	if ans.outErr != nil {
		return a, fmt.Errorf("kyc: %s: %w: Response does not decode (requestId %s)", k.action, ErrBadResponse, ans.requestID)
	}
	return a, nil
}

// cloudAnswer is what decodeCloud found in an API 3.0 answer.
type cloudAnswer struct {
	requestID string
	code, msg string // Response.Error; code "" for a success
	outErr    error  // a success whose fields did not decode into out
}

// decodeCloud decodes an API 3.0 answer, {"Response": {..., "RequestId"}} or {"Response":
// {"Error": {"Code", "Message"}, "RequestId"}}: the Response object of a success into out (nil:
// not decoded). It fails on anything else, including an Error without a Code. Its errors never
// quote the body.
//
// A success is decoded in one pass, as struct{ Response *T } for out's type *T (out must point to
// a zero T, as every caller's does: the decoded T replaces it), then copied into out; the
// RequestId of a success is out's to keep. That needs to know there is no Error member without
// decoding the metadata first, and an answer without a backslash (so every key is written
// literally) and without "error" as a quoted string in any case (encoding/json matches keys
// case-insensitively) has none. Anything else, and a success that does not decode, takes
// decodeCloudFull, whose answer this always is (FuzzDecodeCloud checks it): every out type has a
// RequestId string field, so a RequestId the metadata refuses (an object, an array) fails out's
// decode too.
func decodeCloud(raw []byte, out any) (cloudAnswer, error) {
	if out != nil && bytes.IndexByte(raw, '\\') < 0 && !quotesError(raw) {
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
			// {"Response": *T} decodes in one pass; a nil Response was absent or null.
			h := reflect.New(successHolder(v.Type()))
			if json.Unmarshal(raw, h.Interface()) == nil {
				if r := h.Elem().Field(0); !r.IsNil() {
					v.Elem().Set(r.Elem())
					return cloudAnswer{}, nil
				}
			}
		}
	}
	return decodeCloudFull(raw, out)
}

// quotesError reports whether raw holds the JSON string "error" in any letter case.
func quotesError(raw []byte) bool {
	for i := 0; ; {
		q := bytes.IndexByte(raw[i:], '"')
		if q < 0 {
			return false
		}
		i += q + 1
		if len(raw)-i >= 6 && raw[i+5] == '"' && bytes.EqualFold(raw[i:i+5], []byte("error")) {
			return true
		}
	}
}

// successHolders caches, per result type *T, the type struct{ Response *T `json:"Response"` }.
var successHolders sync.Map

func successHolder(t reflect.Type) reflect.Type {
	if h, ok := successHolders.Load(t); ok {
		return h.(reflect.Type)
	}
	h := reflect.StructOf([]reflect.StructField{{Name: "Response", Type: t, Tag: `json:"Response"`}})
	successHolders.Store(t, h)
	return h
}

// decodeCloudFull decodes any API 3.0 answer: the metadata of the Response object first, then,
// for a success, out from the same bytes.
func decodeCloudFull(raw []byte, out any) (cloudAnswer, error) {
	p := &cloudPayload{out: out}
	holder := struct {
		Response *cloudPayload `json:"Response"`
	}{Response: p}
	if err := json.Unmarshal(raw, &holder); err != nil {
		return cloudAnswer{}, errors.New("kyc: not JSON with a Response object")
	}
	if holder.Response == nil || !p.seen {
		return cloudAnswer{}, errors.New("kyc: no Response object")
	}
	ans := cloudAnswer{requestID: string(p.meta.RequestID), outErr: p.outErr}
	if e := p.meta.Error; e != nil {
		ans.code, ans.msg = strings.TrimSpace(string(e.Code)), string(e.Message)
		if ans.code == "" {
			return cloudAnswer{}, errors.New("kyc: Response.Error without a Code")
		}
		ans.outErr = nil
	}
	return ans, nil
}

// cloudPayload decodes the Response object: the metadata first, then, for a success, the
// caller's type from the same bytes.
type cloudPayload struct {
	meta struct {
		Error *struct {
			Code    wire.Str `json:"Code"`
			Message wire.Str `json:"Message"`
		} `json:"Error"`
		RequestID wire.Str `json:"RequestId"`
	}
	out    any
	seen   bool
	outErr error
}

func (p *cloudPayload) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &p.meta); err != nil {
		return err
	}
	p.seen = true
	if p.meta.Error == nil && p.out != nil {
		p.outErr = json.Unmarshal(b, p.out)
	}
	return nil
}

// cloudRetryable says whether an API 3.0 error code may succeed when the same request is sent
// again (RequestLimitExceeded, InternalError, ServiceUnavailable and kin). A sub-code the
// catalogue does not list takes its parent's answer ("InternalError.Foo" as "InternalError").
func cloudRetryable(code string) bool {
	if info, ok := LookupCode(code); ok {
		return info.Retryable
	}
	if parent, _, ok := strings.Cut(code, "."); ok {
		info, ok := LookupCode(parent)
		return ok && info.Retryable
	}
	return false
}

// cloudText applies the length and character rules of an API 3.0 string parameter: at most max
// characters of valid UTF-8 without control characters. field is the wire name.
func cloudText(field, v string, max int) error {
	switch {
	case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
		return invalidInput(field, "must be valid UTF-8 without control characters")
	case utf8.RuneCountInString(v) > max:
		return invalidInput(field, "must be at most "+strconv.Itoa(max)+" characters")
	}
	return nil
}

// cloudURL checks a RedirectUrl: absolute http(s), at most 1024 bytes (docs/B-h5-wechat-billing.md §2.1, FAQ).
func cloudURL(field, raw string) error { return checkURL(field, raw) }

// renameField re-labels a shared check's InputError with the API 3.0 wire name of the field.
func renameField(err error, field string) error {
	var ie *InputError
	if errors.As(err, &ie) {
		return &InputError{Field: field, Reason: ie.Reason}
	}
	return err
}
