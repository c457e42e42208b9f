package kyc

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kycgo/kyc/internal/transport"
)

// Option configures a Client. Options are checked by New, which reports the first bad one.
type Option func(*Client) error

// WithBaseURL sets the kyc1 host (default https://kyc1.qcloud.com), e.g. a kyctest server's URL.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidInput("base URL", "must be an absolute http or https URL")
		}
		if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return invalidInput("base URL", "must not carry a query, fragment or user info")
		}
		c.baseURL = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client. Its Timeout should be zero or generous: each attempt is
// bounded by WithTimeout instead. Redirects are never followed whatever its CheckRedirect says
// (a 3xx answer fails the call with ErrBadResponse): the client uses a copy of hc with its own
// CheckRedirect and leaves hc as it was. Close leaves hc's connections alone.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return invalidInput("HTTP client", "must not be nil")
		}
		c.hc = hc
		return nil
	}
}

// WithTimeout bounds each attempt of each call (default 30 s). The caller's context bounds the
// whole call, retries included.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return invalidInput("timeout", "must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithRetry sets how many attempts a retryable call gets (at least 1; default 3) and the bounds of
// the jittered exponential backoff between them (default 200 ms to 5 s).
func WithRetry(attempts int, minBackoff, maxBackoff time.Duration) Option {
	return func(c *Client) error {
		if attempts < 1 || attempts > 10 {
			return invalidInput("retry attempts", "must be between 1 and 10")
		}
		if minBackoff <= 0 || maxBackoff < minBackoff {
			return invalidInput("retry backoff", "needs 0 < min <= max")
		}
		c.attempts, c.backoff = attempts, transport.Backoff{Min: minBackoff, Max: maxBackoff}
		return nil
	}
}

// WithLogger sets where debug lines go. They carry metadata only (endpoint, status, code,
// attempt, duration, sizes), never a value that was sent or received.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return invalidInput("logger", "must not be nil")
		}
		c.log = l
		return nil
	}
}

// WithTicketStore shares the access token and SIGN ticket through store (default: a private
// MemoryStore). Every process and instance that uses one appId must share one store: a token
// fetch cuts the previous token's life to about a minute (docs/A-auth-sign-face.md §2.1).
func WithTicketStore(store TicketStore) Option {
	return func(c *Client) error {
		if store == nil {
			return invalidInput("ticket store", "must not be nil")
		}
		c.store, c.sharedStore = store, true
		return nil
	}
}

// WithClock sets the clock used to judge ticket lifetimes (tests use kyctest's clock).
func WithClock(clock Clock) Option {
	return func(c *Client) error {
		if clock == nil {
			return invalidInput("clock", "must not be nil")
		}
		c.clock = clock
		return nil
	}
}

// WithRefreshAfter sets the age at which the ticket unit is refreshed in the background (default
// 20 minutes, as the manual recommends). It must be under the SIGN ticket's 60 minutes.
func WithRefreshAfter(d time.Duration) Option {
	return func(c *Client) error {
		if d < time.Second || d >= time.Hour {
			return invalidInput("refresh interval", "must be at least 1 s and under 60 minutes")
		}
		c.refreshAfter = d
		return nil
	}
}

// WithMaxBodySize caps how many bytes of a response are read (default 64 MiB).
func WithMaxBodySize(n int64) Option {
	return func(c *Client) error {
		if n < 1024 {
			return invalidInput("max body size", "must be at least 1024 bytes")
		}
		c.maxBody = n
		return nil
	}
}

// WithStoreRecheck sets how often a client that shares a TicketStore re-reads it to adopt a unit
// another instance fetched (default 15 s, well inside the one-minute overlap).
func WithStoreRecheck(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 || d > 50*time.Second {
			return invalidInput("store recheck interval", "must be positive and at most 50 s")
		}
		c.storeRecheck = d
		return nil
	}
}

// WithSDKLicence adds an SDK licence from the console (keyLicence / licence) to the start values
// returned for the apps. A licence is bound to one App's bundle id or package name, so the
// console issues one per platform: name the platforms it is for, one call per licence
// (WithSDKLicence(a, kyc.Android), WithSDKLicence(i, kyc.IOS)); the start values then carry none
// until SDKStart.ForPlatform picks the app's, and json.Marshal refuses them before. Without
// platforms, the licence is for every platform (an app on one platform). Mixing the two, or
// giving one platform two licences, is an *InputError: either would send a wrong licence.
func WithSDKLicence(licence string, platforms ...Platform) Option {
	return func(c *Client) error {
		if licence == "" || strings.ContainsAny(licence, " \t\r\n") {
			return invalidInput("licence", "must be the licence string from the console")
		}
		return c.sdkLicence.add(licence, platforms)
	}
}

// WithMediaWait sets how the media wait helpers poll for a photo or video that is not there yet:
// tries queries, interval apart (default 3 tries, 2 s apart, as the manual advises).
func WithMediaWait(tries int, interval time.Duration) Option {
	return func(c *Client) error {
		if tries < 1 || tries > 20 || interval < 0 || interval > time.Minute {
			return invalidInput("media wait", "needs 1-20 tries and an interval of at most a minute")
		}
		c.mediaTries, c.mediaWait = tries, interval
		return nil
	}
}

// CallOption adjusts how one signed kyc1 call is signed: an upload (GetFaceID, GetPCFaceID,
// GetCertID), an SDK start or a login URL.
type CallOption func(*startConfig) error

type startConfig struct{ nonce string }

// WithNonce signs with the given nonce instead of a fresh one: the one way to choose a nonce.
// For a start or login URL it may be the upload's (FaceID.Nonce); the manual allows both
// (docs/A-auth-sign-face.md §8 item 13).
func WithNonce(nonce string) CallOption {
	return func(c *startConfig) error {
		if err := CheckNonce(nonce); err != nil {
			return err
		}
		c.nonce = nonce
		return nil
	}
}

func startOptions(opts []CallOption) (startConfig, error) {
	var c startConfig
	for _, o := range opts {
		if o == nil {
			return c, invalidInput("option", "must not be nil")
		}
		if err := o(&c); err != nil {
			return c, err
		}
	}
	if c.nonce == "" {
		c.nonce = NewNonce()
	}
	return c, nil
}

// WithOCRCredentials gives OCR its own WBappid and secret: the manual's OCR queries take an appId
// that may be provisioned apart from the face one (docs/C-ocr-will-nfc-eid.md §1.6). OCR then has its own access
// token and SIGN ticket, kept in the client's TicketStore under that appId. Without this option
// OCR uses the client's appId. Giving the client's own appId changes nothing.
func WithOCRCredentials(appID, secret string) Option {
	return func(c *Client) error {
		if err := checkAppID(appID); err != nil {
			return err
		}
		if err := checkSecret(secret); err != nil {
			return err
		}
		c.ocrAppID, c.ocrSecret = appID, secret
		return nil
	}
}

// WithNFCKey sets the NFC key from the console: 32 hex characters (16 bytes), the SM4 key that
// decrypts getIdcardNfcResult's nfcEnResult (docs/C-ocr-will-nfc-eid.md §6.5). The key is hex-decoded, never used as
// its ASCII text as the manual's Java helper wrongly does.
func WithNFCKey(hexKey string) Option {
	return func(c *Client) error {
		key, err := parseNFCKey(hexKey)
		if err != nil {
			return err
		}
		c.nfcKey = key
		return nil
	}
}

// WithRefreshTimeout bounds one refresh of the ticket unit: the access-token and SIGN-ticket
// fetches with their retries (default 30 s). With a shared TicketStore the refresher holds the
// store's lease for 1.25 times as long, so an instance that dies mid-refresh is replaced by
// another one after at most that.
func WithRefreshTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 100*time.Millisecond || d > 5*time.Minute {
			return invalidInput("refresh timeout", "must be between 100 ms and 5 minutes")
		}
		c.refreshTimeout = d
		return nil
	}
}

// API 3.0 options (Detect, EID, Billing).

// WithCloudCredentials sets the SecretId and SecretKey (an API key of the Tencent Cloud account
// that owns the RuleId or MerchantId) that sign the API 3.0 actions. Only those actions use them.
// Temporary credentials (with a session token) expire, so they come from a provider:
// WithCloudCredentialsProvider, with credentials.Static for a set handed to you once.
func WithCloudCredentials(secretID, secretKey string) Option {
	return func(c *Client) error {
		if err := checkCloudCredentials(secretID, secretKey); err != nil {
			return err
		}
		return c.cloud.setStatic(func(s *CloudCredentials) { s.SecretID, s.SecretKey = secretID, secretKey })
	}
}

// WithCloudEndpoint sets the API 3.0 host (default https://faceid.tencentcloudapi.com), e.g. a
// kyctest server's URL or a regional endpoint.
func WithCloudEndpoint(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidInput("cloud endpoint", "must be an absolute http or https URL")
		}
		if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return invalidInput("cloud endpoint", "must be a bare host: API 3.0 requests go to /")
		}
		c.cloud.endpoint, c.cloud.host = u.Scheme+"://"+u.Host, u.Host
		return nil
	}
}

// WithCloudRegion sends X-TC-Region (e.g. "ap-guangzhou"). The faceid actions do not need it
// (docs/C-ocr-will-nfc-eid.md §4.6), so by default none is sent.
func WithCloudRegion(region string) Option {
	return func(c *Client) error {
		if region == "" || len(region) > 32 || strings.Trim(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return invalidInput("region", `must look like "ap-guangzhou"`)
		}
		c.cloud.region = region
		return nil
	}
}

// WithCloudLanguage sends X-TC-Language, the language of the service's error messages: "zh-CN"
// or "en-US". Error strings of this package do not depend on it (they use the code catalogue).
func WithCloudLanguage(lang string) Option {
	return func(c *Client) error {
		if lang != "zh-CN" && lang != "en-US" {
			return invalidInput("language", `must be "zh-CN" or "en-US"`)
		}
		c.cloud.language = lang
		return nil
	}
}

// WithEIDPollInterval sets how often EIDService.WaitTokenStatus asks (default 1 s, as the manual
// advises, docs/C-ocr-will-nfc-eid.md §4.3).
func WithEIDPollInterval(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 || d > time.Minute {
			return invalidInput("eID poll interval", "must be positive and at most a minute")
		}
		c.cloud.poll = d
		return nil
	}
}

// WithObserver sends what the client does to o, as metadata only (see Observer and Event): calls
// with their operation, attempts, code, outcome class and duration; ticket refreshes;
// stale-ticket retries; ticket-store errors. The module github.com/kycgo/kyc/kycotel makes an
// Observer that records OpenTelemetry spans and metrics. Without one, nothing is added to a
// call.
func WithObserver(o Observer) Option {
	return func(c *Client) error {
		if o == nil {
			return invalidInput("observer", "must not be nil")
		}
		c.obs = o
		return nil
	}
}
