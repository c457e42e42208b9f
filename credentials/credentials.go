// Package credentials provides where a kyc client gets its Tencent Cloud API 3.0 credentials:
// a fixed key (Static), the environment (Environment), a role assumed through STS (AssumeRole)
// and the role bound to a CVM instance (CVMRole). Pass one to kyc.WithCloudCredentialsProvider;
// the client caches what it returns and asks again shortly before it expires, one request at a
// time.
//
//	// API 3.0 only, with the role of the CVM instance the service runs on:
//	c, err := kyc.NewCloud("", "", kyc.WithCloudCredentialsProvider(&credentials.CVMRole{}))
//	// kyc1 and API 3.0, with the keys of TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY:
//	c, err := kyc.New(appID, secret, kyc.WithCloudCredentialsProvider(credentials.Environment()))
//
// No provider puts a secret key or a session token in an error or a log line.
package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/transport"
)

// ErrNotFound is returned when a provider finds no credentials where it looks (an empty
// environment variable, no role bound to the instance).
var ErrNotFound = errors.New("credentials: not found")

// maxAnswer caps what is read of an STS or metadata answer.
const maxAnswer = 64 << 10

// httpClient is the client AssumeRole and CVMRole send with: the caller's hc, or without one a
// client bounded by timeout (never http.DefaultClient), and in both cases one that follows no
// redirect (transport.WithoutRedirects; a credential answer has no reason to move, and a
// redirected AssumeRole would carry its signed request elsewhere). A 3xx answer is then refused
// as a bad answer.
func httpClient(hc *http.Client, timeout time.Duration) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	return transport.WithoutRedirects(hc)
}

// Static returns a provider that always hands out the same key (and session token, "" for a
// permanent API key); it never expires. It is what kyc.WithCloudCredentials does.
func Static(secretID, secretKey, token string) kyc.CloudCredentialsProvider {
	return staticProvider{kyc.CloudCredentials{SecretID: secretID, SecretKey: secretKey, Token: token}}
}

type staticProvider struct{ c kyc.CloudCredentials }

func (p staticProvider) Retrieve(context.Context) (kyc.CloudCredentials, error) { return p.c, nil }

// The environment variables Tencent's tools read.
const (
	EnvSecretID     = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey    = "TENCENTCLOUD_SECRET_KEY"
	EnvSessionToken = "TENCENTCLOUD_SESSION_TOKEN" // optional
)

// Environment returns a provider that reads EnvSecretID, EnvSecretKey and EnvSessionToken each
// time it is asked; without the first two it fails with ErrNotFound. The credentials never
// expire: the client keeps the first ones it reads.
func Environment() kyc.CloudCredentialsProvider { return envProvider{} }

type envProvider struct{}

func (envProvider) Retrieve(context.Context) (kyc.CloudCredentials, error) {
	id, key := strings.TrimSpace(os.Getenv(EnvSecretID)), strings.TrimSpace(os.Getenv(EnvSecretKey))
	if id == "" || key == "" {
		return kyc.CloudCredentials{}, fmt.Errorf("%w: %s and %s must both be set", ErrNotFound, EnvSecretID, EnvSecretKey)
	}
	return kyc.CloudCredentials{SecretID: id, SecretKey: key, Token: strings.TrimSpace(os.Getenv(EnvSessionToken))}, nil
}

// readJSON reads a capped JSON answer into v. Its errors never quote the body.
func readJSON(resp *http.Response, v any) error {
	raw, err := transport.ReadCapped(resp.Body, maxAnswer)
	switch {
	case errors.Is(err, transport.ErrBodyTooLarge):
		return errors.New("answer too large")
	case err != nil:
		return errors.New("reading the answer failed")
	}
	if json.Unmarshal(raw, v) != nil {
		return errors.New("answer is not the documented JSON")
	}
	return nil
}

// redact drops the URL from a transport error of AssumeRole or CVMRole (it names only the
// endpoint, but the rule is simple: nothing of the request is quoted).
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// expiry reads ExpiredTime (Unix seconds) or, without it, Expiration (RFC 3339). Temporary
// credentials without an expiry are refused: the client could not know when to renew them.
func expiry(expiredTime int64, expiration string) (time.Time, error) {
	if expiredTime > 0 {
		return time.Unix(expiredTime, 0), nil
	}
	if t, err := time.Parse(time.RFC3339, expiration); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("answer has no ExpiredTime or Expiration")
}
