package kyctest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Tencent Cloud API 3.0 actions of the faceid service (docs/B-h5-wechat-billing.md §2, docs/C-ocr-will-nfc-eid.md §4), served at POST / on
// the same server (point kyc.WithCloudEndpoint at srv.URL): DetectAuth, GetDetectInfoEnhanced,
// GetDetectInfo (cloud_detect.go), GetEidToken, GetEidResult, CheckEidTokenStatus (cloud_eid.go)
// and GetWeChatBillDetails (cloud_bill.go). Every request is checked as the service does:
// X-TC-Version, a TC3-HMAC-SHA256 signature by a registered SecretId (AuthFailure.SecretIdNotFound,
// AuthFailure.SignatureFailure), X-TC-Timestamp within 5 minutes of the Clock
// (AuthFailure.SignatureExpire), X-TC-Token for temporary credentials (AuthFailure.TokenFailure),
// unknown parameters (UnknownParameter). Answers are {"Response": {..., "RequestId"}} or
// {"Response": {"Error": {"Code", "Message"}, "RequestId"}}, HTTP 200. Requests are counted under
// the action name (srv.Requests("DetectAuth")) and faults match it; a Fault.Code answers the
// API 3.0 error envelope.

// API 3.0 lifetimes and limits.
const (
	// BizTokenLifetime is how long a BizToken can run a journey (docs/B-h5-wechat-billing.md §1): CompleteDetect
	// refuses it later with ErrBizTokenExpired.
	BizTokenLifetime = 7200 * time.Second
	// EidTokenLifetime is how long an EidToken can run a journey (docs/C-ocr-will-nfc-eid.md §4.4): then its status is
	// "timeout" and GetEidResult answers InvalidParameterValue.BizTokenExpired.
	EidTokenLifetime = 600 * time.Second
	// SignatureWindow is how far X-TC-Timestamp may be from the Clock.
	SignatureWindow = 5 * time.Minute
	// DefaultRuleID is the RuleId every Server knows (a Plus flow) unless WithRule is used.
	DefaultRuleID = "1"
	// DefaultBillPageSize is how many tokens a GetWeChatBillDetails page holds (WithBillPageSize).
	DefaultBillPageSize = 50
	// CodeTokenExpired is what every action answers for a BizToken or EidToken past its life:
	// InvalidParameterValue.BizTokenExpired ("BizToken 过期", docs/C-ocr-will-nfc-eid.md §4.9, the eID table uses it
	// for the EidToken too). The SDK classes it as expired.
	CodeTokenExpired = "InvalidParameterValue.BizTokenExpired"
	// CodeTokenIllegal is what an unknown token (or one used with another RuleId) answers.
	CodeTokenIllegal = "InvalidParameterValue.BizTokenIllegal"
)

// maxCloudBody caps an API 3.0 request body (DetectAIFakeFaces' 10 MB FaceInput fits).
const maxCloudBody = 12 << 20

type cloudCred struct {
	id, key, token string
	expires        time.Time // temporary credentials (cloud_sts.go); zero: never
	revoked        bool      // RevokeCloudCredentials
}

type cloudConfig struct {
	creds    []cloudCred
	rules    map[string]Product
	pageSize int

	cvmRole     string        // WithCVMRole (cloud_sts.go)
	cvmLifetime time.Duration // WithCVMRole
}

// WithCloudCredentials registers an API 3.0 key pair. The first pair registered is the
// server's SecretID and SecretKey; without any, a random pair is made (temporary credentials
// never become the server's pair). An empty id or key is a
// programming error and makes NewServer panic.
func WithCloudCredentials(secretID, secretKey string) Option {
	return func(cfg *config) { cfg.cloud.creds = append(cfg.cloud.creds, cloudCred{id: secretID, key: secretKey}) }
}

// WithCloudTemporaryCredentials registers a temporary key pair with its session token: requests
// signed with it must carry X-TC-Token: token (a credentials provider hands the three together).
func WithCloudTemporaryCredentials(secretID, secretKey, token string) Option {
	return func(cfg *config) {
		cfg.cloud.creds = append(cfg.cloud.creds, cloudCred{id: secretID, key: secretKey, token: token})
	}
}

// WithRule registers a RuleId (a console business flow) and the product it runs (ProductPlus,
// ProductEnhanced, ProductBasic or ProductWill), which decides which attempt codes are charged. The
// first call replaces the default rule DefaultRuleID.
func WithRule(ruleID string, product Product) Option {
	return func(cfg *config) {
		if cfg.cloud.rules == nil {
			cfg.cloud.rules = map[string]Product{}
		}
		cfg.cloud.rules[ruleID] = product
	}
}

// WithBillPageSize sets how many tokens a GetWeChatBillDetails page holds (default
// DefaultBillPageSize; at least 1).
func WithBillPageSize(n int) Option {
	return func(cfg *config) { cfg.cloud.pageSize = max(n, 1) }
}

// cloudState is the API 3.0 side of a Server.
type cloudState struct {
	creds    map[string]cloudCred
	rules    map[string]Product
	pageSize int

	credMu sync.RWMutex   // guards creds once the server runs (cloud_sts.go adds and revokes)
	uses   map[string]int // authenticated requests by SecretId, guarded by credMu

	mu      sync.Mutex              // guards what follows
	detects map[string]*detectToken // by BizToken (cloud_detect.go)
	order   []string                // BizTokens in minting order
	eids    map[string]*eidToken    // by EidToken (cloud_eid.go)
	seeded  []seededRecord          // SeedBill (cloud_bill.go)
	checks  checkOutcomes           // the outcomes of the element and face checks (cloud_checks.go)
}

// registerCloud sets up the API 3.0 state and routes. Called by NewServer.
func (s *Server) registerCloud() {
	cfg := s.cfg.cloud
	cs := &cloudState{creds: map[string]cloudCred{}, uses: map[string]int{}, rules: cfg.rules, pageSize: cfg.pageSize,
		detects: map[string]*detectToken{}, eids: map[string]*eidToken{}}
	if cs.rules == nil {
		cs.rules = map[string]Product{DefaultRuleID: ProductPlus}
	}
	if cs.pageSize == 0 {
		cs.pageSize = DefaultBillPageSize
	}
	for _, c := range cfg.creds {
		if c.id == "" || c.key == "" {
			panic("kyctest: WithCloudCredentials needs a non-empty SecretId and SecretKey")
		}
		cs.creds[c.id] = c
		if s.SecretID == "" && c.token == "" {
			s.SecretID, s.SecretKey = c.id, c.key
		}
	}
	if s.SecretID == "" {
		s.SecretID, s.SecretKey = "AKIDKYCT"+randomString(28, alnum), randomString(32, alnum)
		cs.creds[s.SecretID] = cloudCred{id: s.SecretID, key: s.SecretKey}
	}
	s.cloud = cs

	handlers := s.checkHandlers() // the element and face checks (cloud_checks.go)
	for action, h := range map[string]cloudHandler{
		"DetectAuth":            s.detectAuth,
		"GetDetectInfoEnhanced": s.getDetectInfoEnhanced,
		"GetDetectInfo":         s.getDetectInfo,
		"GetEidToken":           s.getEidToken,
		"GetEidResult":          s.getEidResult,
		"CheckEidTokenStatus":   s.checkEidTokenStatus,
		"GetWeChatBillDetails":  s.getWeChatBillDetails,
	} {
		handlers[action] = h
	}
	for action, h := range handlers {
		s.routes["/"] = append(s.routes["/"], &route{
			endpoint: action, method: http.MethodPost,
			when: func(r *http.Request) bool { return r.Header.Get("X-TC-Action") == action },
			h:    s.serveCloud(h),
			code: writeCloudFault,
		})
	}
	// Anything else at / with an X-TC-Action header: an action this fake does not have.
	s.routes["/"] = append(s.routes["/"], &route{
		endpoint: EndpointCloudOther, method: http.MethodPost,
		when: func(r *http.Request) bool { return r.Header.Get("X-TC-Action") != "" },
		h: func(w http.ResponseWriter, r *http.Request) {
			writeCloudError(w, "InvalidAction", "接口不存在")
		},
		code: writeCloudFault,
	})
}

// EndpointCloudOther is the counter name of API 3.0 requests for actions this fake does not serve.
const EndpointCloudOther = "cloud:other"

// cloudHandler serves one action once the request is authenticated: body is the JSON body. It
// returns the Response fields, or an error code and message.
type cloudHandler func(body []byte) (object, *cloudError)

// cloudError is an API 3.0 error answer.
type cloudError struct{ code, msg string }

func errCode(code, msg string) *cloudError { return &cloudError{code, msg} }

// serveCloud authenticates the request the way the service does, then runs h.
func (s *Server) serveCloud(h cloudHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCloudBody))
		if err != nil {
			writeCloudError(w, "RequestSizeLimitExceeded", "请求包超过限制大小")
			return
		}
		if e := s.authenticate(r, body); e != nil {
			writeCloudError(w, e.code, e.msg)
			return
		}
		fields, e := h(body)
		if e != nil {
			writeCloudError(w, e.code, e.msg)
			return
		}
		writeCloudResponse(w, fields)
	}
}

// authenticate checks the version, timestamp, SecretId, signature and session token of a faceid
// action.
func (s *Server) authenticate(r *http.Request, body []byte) *cloudError {
	return s.authenticateService(r, body, "faceid", "2018-03-01")
}

// authenticateService is authenticate for any API 3.0 service and version (sts, cloud_sts.go).
func (s *Server) authenticateService(r *http.Request, body []byte, service, version string) *cloudError {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errCode("InvalidParameter", "Content-Type must be application/json")
	}
	switch v := r.Header.Get("X-TC-Version"); v {
	case version:
	case "":
		return errCode("MissingParameter", "The request is missing a required parameter `X-TC-Version`.")
	default:
		return errCode("NoSuchVersion", "The requested version `"+safeText(v)+"` of API `"+safeText(r.Header.Get("X-TC-Action"))+"` does not exist.")
	}
	tsText := r.Header.Get("X-TC-Timestamp")
	if tsText == "" {
		return errCode("MissingParameter", "The request is missing a required parameter `X-TC-Timestamp`.")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errCode("InvalidParameter", "X-TC-Timestamp must be Unix seconds")
	}
	cred, err := parseTC3(r.Header.Get("Authorization"))
	if err != nil {
		return errCode("AuthFailure.InvalidAuthorization", "Authorization 不符合腾讯云标准")
	}
	now := s.Clock.Now()
	if d := now.Sub(time.Unix(ts, 0)); d > SignatureWindow || d < -SignatureWindow {
		return errCode("AuthFailure.SignatureExpire", "签名过期。Timestamp 和服务器时间相差不得超过五分钟")
	}
	key, ok := s.cloud.lookupCred(cred.secretID)
	if !ok {
		return errCode("AuthFailure.SecretIdNotFound", "密钥不存在")
	}
	headers := map[string]string{}
	for _, name := range cred.signedHeaders {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
		}
		headers[name] = v
	}
	_, signsHost := headers["host"]
	_, signsType := headers["content-type"]
	if !signsHost || !signsType || len(headers) != len(cred.signedHeaders) || cred.service != service ||
		cred.date != time.Unix(ts, 0).UTC().Format(time.DateOnly) ||
		!hmac.Equal([]byte(tc3Signature(key.key, r.Method, r.URL.Path, r.URL.RawQuery, headers, body, ts, cred.date, cred.service)), []byte(cred.signature)) {
		return errCode("AuthFailure.SignatureFailure", "签名错误")
	}
	if tok := r.Header.Get("X-TC-Token"); tok != key.token {
		return errCode("AuthFailure.TokenFailure", "token 错误")
	}
	if !key.expires.IsZero() && !now.Before(key.expires) {
		return errCode("AuthFailure.TokenFailure", "临时密钥已过期")
	}
	s.cloud.used(key.id)
	return nil
}

// safeText keeps a header value short and printable in an error message.
func safeText(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' || r == '`' {
			return '?'
		}
		return r
	}, s)
}

// decodeParams decodes an action's body into p, refusing fields p does not have
// (UnknownParameter) and malformed JSON (InvalidParameter), as the service does.
func decodeParams(body []byte, p any) *cloudError {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(p); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return errCode("UnknownParameter", "The parameter "+safeText(strings.TrimPrefix(err.Error(), "json: unknown field "))+" is not recognized.")
		}
		return errCode("InvalidParameter", "request body is not valid JSON for this action")
	}
	if d.More() {
		return errCode("InvalidParameter", "request body is not valid JSON for this action")
	}
	return nil
}

// writeCloudResponse answers {"Response": {fields..., "RequestId"}}.
func writeCloudResponse(w http.ResponseWriter, fields object) {
	resp := append(fields[:len(fields):len(fields)], field{"RequestId", newRequestID()})
	writeJSON(w, object{{"Response", resp}})
}

// writeCloudError answers {"Response": {"Error": {"Code", "Message"}, "RequestId"}}, HTTP 200.
func writeCloudError(w http.ResponseWriter, code, msg string) {
	writeJSON(w, object{{"Response", object{
		{"Error", object{{"Code", code}, {"Message", msg}}},
		{"RequestId", newRequestID()},
	}}})
}

// writeCloudFault answers a Fault.Code on an API 3.0 route.
func writeCloudFault(w http.ResponseWriter, code string) {
	msg := "kyctest fault"
	if m, ok := serviceMessage(code); ok {
		msg = m
	}
	writeCloudError(w, code, msg)
}

// newRequestID is a random UUID, the form of RequestId.
func newRequestID() string { return strings.ToLower(newUUID()) }

// newUUID is a random upper-case UUID, the form of BizToken (e.g. CE661F1A-0F1E-45BD-BE13-34C05CEA7681).
func newUUID() string {
	const hex = "0123456789ABCDEF"
	s := randomString(32, hex)
	variant := "89AB"[strings.IndexByte(hex, s[16])%4]
	return s[:8] + "-" + s[8:12] + "-4" + s[13:16] + "-" + string(variant) + s[17:20] + "-" + s[20:]
}

// infoParts reads an InfoType: "0" (or empty) for everything, else a set of digits from allowed.
func infoParts(infoType, allowed string) (map[byte]bool, bool) {
	if infoType == "" || infoType == "0" {
		all := map[byte]bool{}
		for i := range len(allowed) {
			all[allowed[i]] = true
		}
		return all, true
	}
	parts := map[byte]bool{}
	for i := range len(infoType) {
		if strings.IndexByte(allowed, infoType[i]) < 0 {
			return nil, false
		}
		parts[infoType[i]] = true
	}
	return parts, true
}

// The fake's own TC3-HMAC-SHA256 verifier, written from the docs/README.md ("API 3.0 actions") and
// not shared with the SDK's signer, so that a mistake in the client's signing is refused here.
// It lives here, with the API 3.0 front door that calls it; its steps follow the same rule as
// internal/tc3's on purpose: a deliberate independent copy.

// tc3Auth is a parsed Authorization header:
//
//	TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>
type tc3Auth struct {
	secretID, date, service string
	signedHeaders           []string // lower-case names, as listed
	signature               string   // lower-case hex
}

var errBadAuthorization = errors.New("kyctest: malformed TC3 Authorization")

// parseTC3 reads an Authorization header; its error never quotes it.
func parseTC3(header string) (tc3Auth, error) {
	rest, ok := strings.CutPrefix(header, "TC3-HMAC-SHA256 ")
	if !ok {
		return tc3Auth{}, errBadAuthorization
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if _, dup := fields[k]; !ok || dup {
			return tc3Auth{}, errBadAuthorization
		}
		fields[k] = v
	}
	cred, headers, sig := fields["Credential"], fields["SignedHeaders"], strings.ToLower(fields["Signature"])
	if len(fields) != 3 || cred == "" || headers == "" || len(sig) != 64 {
		return tc3Auth{}, errBadAuthorization
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return tc3Auth{}, errBadAuthorization
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 4 || scope[0] == "" || scope[2] == "" || scope[3] != "tc3_request" {
		return tc3Auth{}, errBadAuthorization
	}
	if _, err := time.Parse(time.DateOnly, scope[1]); err != nil {
		return tc3Auth{}, errBadAuthorization
	}
	return tc3Auth{secretID: scope[0], date: scope[1], service: scope[2],
		signedHeaders: strings.Split(strings.ToLower(headers), ";"), signature: sig}, nil
}

// tc3Signature is the signature the service expects for a request: headers holds the signed
// headers' values by lower-case name.
//
//	canonical request = method \n path \n query \n "name:value\n" lines (lower-cased, trimmed,
//	                    sorted by name) \n name;name \n hex(sha256(body))
//	string to sign    = TC3-HMAC-SHA256 \n timestamp \n date/service/tc3_request \n hex(sha256(canonical request))
//	key               = HMAC chain "TC3"+secretKey → date → service → "tc3_request"
func tc3Signature(secretKey, method, path, query string, headers map[string]string, body []byte, timestamp int64, date, service string) string {
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	slices.Sort(names)
	var canon strings.Builder
	canon.WriteString(method + "\n" + path + "\n" + query + "\n")
	for _, n := range names {
		canon.WriteString(n + ":" + strings.ToLower(strings.TrimSpace(headers[n])) + "\n")
	}
	bodySum := sha256.Sum256(body)
	canon.WriteString("\n" + strings.Join(names, ";") + "\n" + hex.EncodeToString(bodySum[:]))
	canonSum := sha256.Sum256([]byte(canon.String()))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(timestamp, 10) + "\n" + date + "/" + service + "/tc3_request\n" +
		hex.EncodeToString(canonSum[:])
	key := hmacSHA256([]byte("TC3"+secretKey), date)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "tc3_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
