package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/tc3"
)

// STS AssumeRole (service sts, version 2018-08-13, https://cloud.tencent.com/document/api/1312/48197).
const (
	stsService = "sts"
	stsVersion = "2018-08-13"
	// DefaultSTSRegion is sent as X-TC-Region, as Tencent's own SDK does.
	DefaultSTSRegion = "ap-guangzhou"
	// DefaultRoleDuration is the lifetime asked for without AssumeRole.Duration (the service's
	// default, 7200 s); the service allows up to 43200 s.
	DefaultRoleDuration = 2 * time.Hour
)

// defaultSTSEndpoint is where AssumeRole goes without an Endpoint (a variable so that this
// package's tests can make it unreachable).
var defaultSTSEndpoint = "https://sts.tencentcloudapi.com"

// AssumeRole is a provider that asks STS for temporary credentials of a CAM role, signing the
// request (TC3-HMAC-SHA256) with the credentials of Source. Each Retrieve is one AssumeRole call;
// the client calls it again shortly before the credentials expire.
type AssumeRole struct {
	// Source signs the AssumeRole call: a key allowed to assume the role (e.g. Static or
	// Environment).
	Source kyc.CloudCredentialsProvider
	// RoleArn is the role, e.g. qcs::cam::uin/100000000001:roleName/kyc-backend.
	RoleArn string
	// RoleSessionName names the session in the audit logs (letters, digits and _+=,.@-).
	RoleSessionName string
	// Duration is the credentials' lifetime (default DefaultRoleDuration, at most 12 hours).
	Duration time.Duration
	// Endpoint is the STS URL (default https://sts.tencentcloudapi.com).
	Endpoint string
	// Region is sent as X-TC-Region (default DefaultSTSRegion).
	Region string
	// HTTPClient sends the call (default: a client with a 10 s timeout). A redirect is never
	// followed, with this client too: the answer is refused.
	HTTPClient *http.Client
	// Clock gives the signature's timestamp (default time.Now), e.g. kyctest's Clock.
	Clock kyc.Clock
}

// Retrieve calls AssumeRole. A refusal is a *kyc.APIError with the service's code.
func (a *AssumeRole) Retrieve(ctx context.Context) (kyc.CloudCredentials, error) {
	const op = "AssumeRole"
	switch {
	case a.Source == nil:
		return kyc.CloudCredentials{}, &kyc.InputError{Field: "AssumeRole.Source", Reason: "must not be nil"}
	case a.RoleArn == "" || strings.ContainsAny(a.RoleArn, " \t\r\n"):
		return kyc.CloudCredentials{}, &kyc.InputError{Field: "RoleArn", Reason: "must be the role's qcs::cam:: name"}
	case a.RoleSessionName == "" || len(a.RoleSessionName) > 128 ||
		strings.IndexFunc(a.RoleSessionName, func(r rune) bool { return !isSessionNameRune(r) }) >= 0:
		return kyc.CloudCredentials{}, &kyc.InputError{Field: "RoleSessionName", Reason: "1-128 letters, digits and _+=,.@-"}
	case a.Duration < 0 || a.Duration > 12*time.Hour || (a.Duration > 0 && a.Duration < time.Second):
		return kyc.CloudCredentials{}, &kyc.InputError{Field: "DurationSeconds", Reason: "between 1 s and 12 hours"}
	}
	endpoint, err := endpointURL(a.Endpoint, defaultSTSEndpoint)
	if err != nil {
		return kyc.CloudCredentials{}, err
	}
	src, err := a.Source.Retrieve(ctx)
	if err != nil {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: AssumeRole source: %w", err)
	}
	d := a.Duration
	if d == 0 {
		d = DefaultRoleDuration
	}
	body, err := json.Marshal(struct {
		RoleArn         string `json:"RoleArn"`
		RoleSessionName string `json:"RoleSessionName"`
		DurationSeconds int64  `json:"DurationSeconds"`
	}{a.RoleArn, a.RoleSessionName, int64(d / time.Second)})
	if err != nil {
		return kyc.CloudCredentials{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String()+"/", bytes.NewReader(body))
	if err != nil {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: AssumeRole: bad endpoint")
	}
	now := time.Now()
	if a.Clock != nil {
		now = a.Clock.Now()
	}
	ts := now.Unix()
	region := a.Region
	if region == "" {
		region = DefaultSTSRegion
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", op)
	req.Header.Set("X-TC-Version", stsVersion)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-TC-Region", region)
	if src.Token != "" {
		req.Header.Set("X-TC-Token", src.Token)
	}
	req.Header.Set("Authorization", tc3.NewSigner(src.SecretID, src.SecretKey, stsService).Authorization(endpoint.Host, ts, body))
	hc := httpClient(a.HTTPClient, 10*time.Second)
	resp, err := hc.Do(req)
	if err != nil {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: AssumeRole: %w", redact(err))
	}
	defer resp.Body.Close()
	var ans struct {
		Response struct {
			Error *struct {
				Code    string `json:"Code"`
				Message string `json:"Message"`
			} `json:"Error"`
			Credentials struct {
				Token        string `json:"Token"`
				TmpSecretID  string `json:"TmpSecretId"`
				TmpSecretKey string `json:"TmpSecretKey"`
			} `json:"Credentials"`
			ExpiredTime int64  `json:"ExpiredTime"`
			Expiration  string `json:"Expiration"`
			RequestID   string `json:"RequestId"`
		} `json:"Response"`
	}
	if err := readJSON(resp, &ans); err != nil {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: AssumeRole: %w: %s (HTTP %d)", kyc.ErrBadResponse, err, resp.StatusCode)
	}
	r := ans.Response
	if r.Error != nil {
		return kyc.CloudCredentials{}, &kyc.APIError{Op: op, Code: r.Error.Code, Msg: r.Error.Message, RequestID: r.RequestID, HTTPStatus: resp.StatusCode}
	}
	exp, err := expiry(r.ExpiredTime, r.Expiration)
	if err != nil || r.Credentials.TmpSecretID == "" || r.Credentials.TmpSecretKey == "" || r.Credentials.Token == "" {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: AssumeRole: %w: incomplete credentials (requestId %s)", kyc.ErrBadResponse, r.RequestID)
	}
	return kyc.CloudCredentials{SecretID: r.Credentials.TmpSecretID, SecretKey: r.Credentials.TmpSecretKey,
		Token: r.Credentials.Token, Expires: exp}, nil
}

func isSessionNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

// endpointURL checks an Endpoint (or takes the default): an absolute http(s) URL of a bare host.
func endpointURL(raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return nil, &kyc.InputError{Field: "Endpoint", Reason: "must be an absolute http or https URL of a host"}
	}
	return u, nil
}
