package kyc

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

var allProducts = []Product{ProductPlus, ProductEnhanced, ProductBasic, ProductEID, ProductWill, ProductNFC}

// TestCatalogBilledSets checks, for every product and channel, the complete set of billed codes
// against the manual's billing tables (docs/A-auth-sign-face.md §7.1/§7.2, docs/B-h5-wechat-billing.md §6.4, docs/C-ocr-will-nfc-eid.md §9.1-9.4).
func TestCatalogBilledSets(t *testing.T) {
	api30 := []string{"Success", "FailedOperation.IdNameMisMatch", "FailedOperation.CompareLowSimilarity"}
	want := map[Channel]map[Product][]string{
		ChannelApp: {
			ProductPlus:     {"0", "66660004", "66660010", "66660023", "66665001"},
			ProductEnhanced: {"0", "66660004", "66660010"},
			ProductBasic:    {"0", "66660004", "66660010"},
			ProductWill:     {"0", "66660004", "66660010", "66666006"},
			ProductNFC:      {"0"},
			ProductEID:      nil,
		},
		ChannelWeChat: {
			ProductPlus:     append([]string{"0", "1002", "2006", "2016"}, api30...),
			ProductEnhanced: append([]string{"0", "2006", "2016"}, api30...),
			ProductBasic:    append([]string{"0", "2006", "2016"}, api30...),
			ProductWill:     {"0", "2006", "2016"},
			ProductEID:      {"0", "2006", "2016"},
			ProductNFC:      nil,
		},
	}
	for ch, byProduct := range want {
		for _, p := range allProducts {
			var got []string
			for _, c := range Codes() {
				if c.Billed(p, ch) {
					got = append(got, c.Code)
				}
			}
			require.ElementsMatch(t, byProduct[p], got, "%v in channel %v", p, ch)
		}
	}
}

func TestBilledFacts(t *testing.T) {
	tests := []struct {
		code string
		p    Product
		ch   Channel
		want bool
	}{
		{"0", ProductPlus, ChannelApp, true},
		{"66660004", ProductEnhanced, ChannelApp, true},
		{"66660010", ProductBasic, ChannelApp, true},
		{"66660023", ProductPlus, ChannelApp, true},
		{"66660023", ProductEnhanced, ChannelApp, false},
		{"66660023", ProductBasic, ChannelApp, false},
		{"66660023", ProductWill, ChannelApp, false},
		{"66665001", ProductPlus, ChannelApp, true},
		{"66665001", ProductBasic, ChannelApp, false},
		{"66660004", ProductPlus, ChannelWeChat, false},
		{"1002", ProductPlus, ChannelWeChat, true},
		{"1002", ProductEnhanced, ChannelWeChat, false},
		{"1002", ProductEID, ChannelWeChat, false}, // docs/C-ocr-will-nfc-eid.md §9.1
		{"1002", ProductWill, ChannelWeChat, false},
		{"2006", ProductBasic, ChannelWeChat, true},
		{"2016", ProductEID, ChannelWeChat, true},
		{"2016", ProductWill, ChannelWeChat, true},
		{"2006", ProductPlus, ChannelApp, false},
		{"66666006", ProductWill, ChannelApp, true},
		{"66666006", ProductWill, ChannelWeChat, false},
		{"0", ProductNFC, ChannelApp, true},
		{"0", ProductNFC, ChannelWeChat, false},
		{"0", ProductEID, ChannelWeChat, true},
		{"0", ProductEID, ChannelApp, false},
		{"66664003", ProductNFC, ChannelApp, false},
		{"Success", ProductPlus, ChannelWeChat, true},
		{"FailedOperation.IdNameMisMatch", ProductBasic, ChannelWeChat, true},
		{"FailedOperation.CompareLowSimilarity", ProductPlus, ChannelApp, false},
		{"66660015", ProductPlus, ChannelApp, false}, // OCR codes are never billed
		{"-9011", ProductPlus, ChannelApp, false},
		{"0", Product(0), ChannelApp, false},
		{"0", Product(7), ChannelApp, false},
		{"0", ProductPlus, Channel(0), false},
		{"0", ProductPlus, Channel(3), false},
	}
	for _, tt := range tests {
		info, ok := LookupCode(tt.code)
		require.True(t, ok, tt.code)
		require.Equal(t, tt.want, info.Billed(tt.p, tt.ch), "%s %v %v", tt.code, tt.p, tt.ch)
	}
}

func TestCodeClasses(t *testing.T) {
	tests := []struct {
		code  string
		class error
		retry bool
	}{
		{"0", nil, false},
		{"Success", nil, false},
		{"400101", ErrInvalidSignature, false},
		{"400102", ErrInvalidSignature, false},
		{"400105", ErrInvalidSignature, false},
		{"400103", ErrNotWhitelisted, false},
		{"400506", ErrRateLimited, true},
		{"66664003", ErrRateLimited, false}, // the reqId's queries are spent (docs/C-ocr-will-nfc-eid.md §9.3)
		{"RequestLimitExceeded", ErrRateLimited, true},
		{"RequestLimitExceeded.UinLimitExceeded", ErrRateLimited, true},
		{"999999", ErrBusy, true},
		{"999998", ErrBusy, true},
		{"999997", ErrBusy, true},
		{"66664006", ErrBusy, true},
		{"66664007", ErrBusy, true},
		{"InternalError", ErrBusy, true},
		{"FailedOperation.DetectEngineSystemError", ErrBusy, true},
		{"4", ErrBusy, true},
		{"13", ErrBusy, true},
		{"66660011", ErrNoResult, false},
		{"66666010", ErrNoResult, false},
		{"66664004", ErrNoResult, false},
		{"66662001", ErrNoResult, false},
		{"66660018", ErrExpired, false},
		{"66664002", ErrExpired, false},
		{"66664005", ErrExpired, false},
		{"15", ErrExpired, false},
		{"AuthFailure.SignatureExpire", ErrExpired, false},
		{"AuthFailure.TokenFailure", ErrExpired, false},
		{"66660000", ErrBadRequest, false},
		{"400106", ErrBadRequest, false},
		{"66660015", ErrBadRequest, false},
		{"InvalidParameter", ErrBadRequest, false},
		{"InvalidParameterValue", ErrBadRequest, false},
		{"MissingParameter", ErrBadRequest, false},
		{"66660002", ErrServiceUnavailable, false},
		{"UnauthorizedOperation.Arrears", ErrServiceUnavailable, false},
		{"UnauthorizedOperation.Nonactivated", ErrServiceUnavailable, false},
		{"UnauthorizedOperation.ChargeStatusException", ErrServiceUnavailable, false},
		{"AuthFailure.SignatureFailure", ErrInvalidSignature, false},
		{"AuthFailure.SecretIdNotFound", ErrInvalidSignature, false},
		{"AuthFailure.InvalidSecretId", ErrInvalidSignature, false},
		{"66660004", ErrVerificationFailed, false},
		{"66660010", ErrVerificationFailed, false},
		{"66665001", ErrVerificationFailed, false},
		{"66660023", ErrVerificationFailed, false},
		{"2006", ErrVerificationFailed, false},
		{"2015", ErrVerificationFailed, false},
		{"2016", ErrVerificationFailed, false},
		{"1002", ErrVerificationFailed, false},
		{"66666006", ErrVerificationFailed, false},
		{"FailedOperation.IdNameMisMatch", ErrVerificationFailed, false},
		{"FailedOperation.CompareLowSimilarity", ErrVerificationFailed, false},
		{"3001", nil, false},
		{"-9110", nil, false},
	}
	for _, tt := range tests {
		info, ok := LookupCode(tt.code)
		require.True(t, ok, tt.code)
		require.Equal(t, tt.class, info.Class, tt.code)
		require.Equal(t, tt.retry, info.Retryable, tt.code)
		require.Equal(t, tt.class, classOf(tt.code), tt.code)
	}
}

// TestRetryFlagOfEveryBusyOrRateLimitedCode lists every code of the busy and rate-limited classes
// with the retry flag the manual's wording gives it, written here by hand (not read from the
// catalogue). Retryable means: resending the same request later, within a backoff of seconds, may
// succeed. The list must name every such code of the catalogue, so a new busy code cannot slip in
// with an unchecked flag.
func TestRetryFlagOfEveryBusyOrRateLimitedCode(t *testing.T) {
	want := map[string]bool{
		// kyc1 (docs/A-auth-sign-face.md §7.1, docs/C-ocr-will-nfc-eid.md §9.2, the OCR SDK backend table): 网络不给力，请稍后重试 / 再试.
		"999999": true, "999998": true, "999997": true,
		"400501": true, // OAUTH_TPS_EXCEED_LIMIT: a per-second limit
		"400504": true, // OAUTH_REQUEST_RATE_LIMIT
		"400506": true, // 请求频率过高，请稍后再试
		// NFC (docs/C-ocr-will-nfc-eid.md §9.3): 66664003 is "at most 10 queries per reqId within 5 min" and a reqId lives 5 min,
		// so once it is answered the same query can never succeed: not retryable (cache the result).
		"66664003": false,
		"66664006": true, "66664007": true, // 网络不给力,请稍后重试
		// WeChat / eID result codes (docs/A-auth-sign-face.md §7.2, docs/C-ocr-will-nfc-eid.md §9.1): 服务异常，请稍后重试; 引擎超时，请稍后重试; 证照库出错，请重试.
		"4": true, "8": true, "10": true, "12": true, "13": true, "1001": true, "1006": true, "2001": true,
		"2017": false, // 权威数据源升级中: the upgrade lasts hours, a backoff of seconds cannot outlast it
		"2018": false, // 请第二天0点后重试: the limit resets at midnight
		// API 3.0 (docs/C-ocr-will-nfc-eid.md §9.4, D, Tencent Cloud's common codes).
		"FailedOperation.DetectEngineSystemError":           true,  // 服务引擎调用失败，请重试
		"FailedOperation.EncryptSystemError":                true,  // 加密失败 (GetDetectInfoEnhanced)
		"FailedOperation.UnKnown":                           true,  // 内部未知错误
		"FailedOperation.RequestLimitExceeded":              false, // 调用次数超出限制: a count, not a rate
		"InternalError":                                     true,
		"InternalError.EncryptSystemError":                  true,
		"InternalError.UnKnown":                             true,
		"InternalServerError":                               true,
		"InternalServerError.EncryptSystemError":            true,
		"LimitExceeded":                                     false, // 超过配额限制: a quota
		"RequestLimitExceeded":                              true,
		"RequestLimitExceeded.GlobalRegionUinLimitExceeded": true,
		"RequestLimitExceeded.IPLimitExceeded":              true,
		"RequestLimitExceeded.UinLimitExceeded":             true,
		"ServiceUnavailable":                                true, // 当前服务暂时不可用
	}
	var inCatalog []string
	for _, c := range Codes() {
		if c.Class == ErrBusy || c.Class == ErrRateLimited {
			inCatalog = append(inCatalog, c.Code)
		}
	}
	require.ElementsMatch(t, slices.Collect(maps.Keys(want)), inCatalog, "every busy or rate-limited code, and only those")
	for code, retry := range want {
		info, ok := LookupCode(code)
		require.True(t, ok, code)
		require.Equal(t, retry, info.Retryable, code)
		require.Equal(t, retry, (&APIError{Code: code}).Retryable(), code)
	}
}

func TestCodeClassOfFallsBackToParent(t *testing.T) {
	require.Equal(t, ErrRateLimited, classOf("RequestLimitExceeded.SomethingNew"))
	require.Equal(t, ErrBadRequest, classOf("InvalidParameterValue.SomethingNew"))
	require.Equal(t, ErrBusy, classOf(" InternalError.SomethingNew "))
	require.Nil(t, classOf("FailedOperation.SomethingNew")) // the parent has no class
	require.Nil(t, classOf("AuthFailure.SomethingNew"))     // no parent entry
	require.Nil(t, classOf("12345678"))
	require.Nil(t, classOf(""))
	_, ok := LookupCode("RequestLimitExceeded.SomethingNew")
	require.False(t, ok, "LookupCode is exact")
}

func TestCodeAPIErrorMatchesClass(t *testing.T) {
	err := error(&APIError{Op: "getPlusFaceId", Code: "400101"})
	require.ErrorIs(t, err, ErrInvalidSignature)
	require.NotErrorIs(t, err, ErrBusy)
	require.True(t, errors.Is(&APIError{Code: "999999"}, ErrBusy))
	require.True(t, (&APIError{Code: "999999"}).Retryable())
	require.False(t, (&APIError{Code: "66660004"}).Retryable())
}

func TestLookupCodeUnknownAndSpaces(t *testing.T) {
	for _, code := range []string{"", "00", "66660099", "success", "AuthFailure", "InvalidParameter.Nope"} {
		_, ok := LookupCode(code)
		require.False(t, ok, "%q", code)
	}
	info, ok := LookupCode(" 66660004\n")
	require.True(t, ok)
	require.Equal(t, "66660004", info.Code)
}

func TestCatalogSortedUniqueComplete(t *testing.T) {
	codes := Codes()
	require.Len(t, codes, len(codeRows)+len(otherTableRows)+appMeanings(t))
	require.True(t, slices.IsSortedFunc(codes, func(a, b CodeInfo) int { return strings.Compare(a.Code, b.Code) }))
	seen := map[string]bool{}
	for _, c := range codes {
		require.NotEmpty(t, c.Sources, c.Code)
		for _, src := range c.Sources {
			key := c.Code + "/" + src.String()
			require.False(t, seen[key], "two meanings of %s", key)
			seen[key] = true
		}
		require.Equal(t, strings.TrimSpace(c.Code), c.Code)
		require.NotEmpty(t, c.ZH, c.Code)
		require.NotEmpty(t, c.EN, c.Code)
		first, _ := utf8.DecodeRuneInString(c.EN)
		require.False(t, unicode.IsUpper(first), "EN of %s starts upper-case: %q", c.Code, c.EN)
		require.False(t, strings.HasSuffix(c.EN, "."), "EN of %s ends with a period", c.Code)
		require.False(t, strings.HasSuffix(c.ZH, "。"), "ZH of %s ends with a full stop", c.Code)
		got, ok := LookupCode(c.Code)
		require.True(t, ok)
		require.Contains(t, got.Meanings(), c)
		if c.Retryable {
			require.Contains(t, []error{ErrBusy, ErrRateLimited}, c.Class, "retryable %s", c.Code)
		}
	}
	// Codes returns a copy.
	codes[0].EN = "changed"
	require.NotEqual(t, "changed", Codes()[0].EN)
}

func TestLookupCodeAllocs(t *testing.T) {
	var info CodeInfo
	allocs := testing.AllocsPerRun(100, func() { info, _ = LookupCode("66660004") })
	require.Zero(t, allocs)
	require.Equal(t, ErrVerificationFailed, info.Class)
	allocs = testing.AllocsPerRun(100, func() { _ = classOf("RequestLimitExceeded.New") })
	require.Zero(t, allocs)
}

func TestCodeProductChannelStrings(t *testing.T) {
	names := []string{"Plus", "Enhanced", "Basic", "eID", "Will", "NFC"}
	for i, p := range allProducts {
		require.Equal(t, names[i], p.String())
	}
	require.Equal(t, "Product(9)", Product(9).String())
	require.Equal(t, "App", ChannelApp.String())
	require.Equal(t, "WeChat", ChannelWeChat.String())
	require.Equal(t, "Channel(0)", Channel(0).String())
}
