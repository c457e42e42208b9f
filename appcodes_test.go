package kyc

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// appMeanings counts the distinct meanings appCodeRows yields (a meaning two platforms share
// under one code is one CodeInfo).
func appMeanings(t *testing.T) int {
	t.Helper()
	keys := map[string]bool{}
	for _, r := range appCodeRows {
		r.each(func(info CodeInfo, _ sourceSet) { keys[info.Code+"|"+info.ZH+"|"+info.EN+"|"+info.Domain] = true })
	}
	return len(keys)
}

// codesBySource lists, per table, the codes the catalogue files under it.
func codesBySource() map[string][]string {
	by := map[string][]string{}
	for _, c := range Codes() {
		for _, s := range c.Sources {
			by[s.String()] = append(by[s.String()], c.Code)
		}
	}
	return by
}

// TestAppCodeTablesMatchManual compares the catalogue with the manual's app SDK tables: the number
// of codes each table lists, and a sample of codes with the manual's wording (manual lines in the
// comments; docs/A-auth-sign-face.md §6.3, docs/C-ocr-will-nfc-eid.md §2.8 and §9.3).
func TestAppCodeTablesMatchManual(t *testing.T) {
	want := map[string]int{
		// face: 3 params, 2 login, 2 get-info, 15 native, 2 compare (L1203-1262, L2310-2372)
		"Android face SDK": 24, "Harmony face SDK": 24,
		// 9 input params (12008 Basic only), 2 login, 2 get-info, 14 native, 2 compare (L1963-2028)
		"iOS face SDK": 29,
		// will: the face tables plus 41101-41103 on Android (L18040-18097); iOS adds 12009, 12010,
		// 22003 and 42101-42106 but has no 12008 (L18595-18663); Harmony is the face table (L18892-18947)
		"Android will SDK": 27, "iOS will SDK": 37, "Harmony will SDK": 24,
		// OCR: 11 terminal and 12 backend codes on Android (L12925-12952), 8 on iOS and Harmony
		"Android OCR SDK": 23, "iOS OCR SDK": 8, "Harmony OCR SDK": 8,
		// NFC terminal codes: 600100-600106 (600106 Android only) and 66664020-66664030 (L20515-20524, L21766-21783)
		"Android NFC SDK": 18, "iOS NFC SDK": 17,
		"H5 page": 7, "ID-card OCR service": 2, "bank-card OCR service": 1,
	}
	by := codesBySource()
	for src, n := range want {
		require.Len(t, by[src], n, "%s: %v", src, by[src])
	}
	// The manual's 122 app SDK codes: the face and will tables (89 distinct codes), the OCR
	// tables (26) and the NFC SDK's own list (7).
	distinct := map[string]bool{}
	for src, codes := range by {
		if strings.HasSuffix(src, " SDK") {
			for _, c := range codes {
				if !strings.HasPrefix(c, "666640") {
					distinct[c] = true
				}
			}
		}
	}
	require.Len(t, distinct, 122)

	sample := []struct {
		p          Platform
		code, zh   string
		src        string // one table that must list it
		domain, en string // a fragment of EN
	}{
		{Android, "41000", "用户取消", "Android face SDK", "WBFaceErrorDomainNativeProcess", "user cancelled"},
		{Android, "41000", "用户取消", "Android will SDK", "WBFaceErrorDomainNativeProcess", "user cancelled"},
		{IOS, "42000", "用户取消", "iOS face SDK", "WBFaceErrorDomainNativeProcess", "user cancelled"},
		{Harmony, "43000", "用户取消", "Harmony will SDK", "WBFaceErrorDomainNativeProcess", "user cancelled"},
		{Android, "11001", "传入的 keyLicence 不可用", "Android face SDK", "WBFaceErrorDomainParams", "licence"},
		{IOS, "12001", "传入的 keyLicence 不可用", "iOS will SDK", "WBFaceErrorDomainInputParams", "licence"},
		{IOS, "12008", "SDK 正在提供服务", "iOS face SDK", "WBFaceErrorDomainInputParams", "Basic"},
		{IOS, "32100", "网络异常（获取活体类型/光线资源时请求未到达后台）", "iOS face SDK", "WBFaceErrorDomainGetInfo", "never reached"},
		{Android, "31200", "网络异常（获取活体类型/光线资源时后台返回参数有误）", "Android face SDK", "WBFaceErrorDomainGetInfoNetwork", "malformed"},
		{IOS, "42001", "网络环境不满足认证需求", "iOS face SDK", "WBFaceErrorDomainNativeProcess", "2G"},
		{Android, "41001", "无法获取唇语数据", "Android face SDK", "WBFaceErrorDomainNativeProcess", "digits"},
		{IOS, "42106", "音量过低，用户主动退出", "iOS will SDK", "WBFaceErrorDomainNativeProcess", "volume"},
		{Android, "41103", "播报音频文件加载失败", "Android will SDK", "WBFaceErrorDomainNativeProcess", "audio"},
		{IOS, "22003", "请勿晃动人脸，保持姿势", "iOS will SDK", "WBFaceErrorDomainLoginNetwork", "hold still"},
		{Harmony, "53200", "网络异常（对比时后台返回参数有误）", "Harmony face SDK", "WBFaceErrorDomainCompareNetwork", "comparison"},
		{Android, "-20000", "传入参数有误", "Android OCR SDK", "", "bad start values"},
		{Android, "200100", "用户授权时取消", "Android OCR SDK", "", "authorisation"},
		{IOS, "200102", "识别超时", "iOS OCR SDK", "", "timed out"},
		{Harmony, "400100", "SDK 重复进入", "Harmony OCR SDK", "", "twice"},
		{Android, "999998", "网络不给力，请稍后再试", "Android OCR SDK", "", "busy"},
		{Android, "600106", "初始化失败，请重试", "Android NFC SDK", "", "initialisation"},
		{IOS, "600100", "该设备不支持 NFC 功能", "iOS NFC SDK", "", "no NFC"},
	}
	for _, s := range sample {
		info, ok := s.p.LookupCode(s.code)
		require.True(t, ok, "%v %s", s.p, s.code)
		require.Equal(t, s.zh, info.ZH, "%v %s", s.p, s.code)
		require.Equal(t, s.domain, info.Domain, "%v %s", s.p, s.code)
		require.Contains(t, info.EN, s.en, "%v %s", s.p, s.code)
		var names []string
		onPlatform := false
		for _, src := range info.Sources {
			names = append(names, src.String())
			onPlatform = onPlatform || src.Platform() == s.p
		}
		require.True(t, onPlatform, "%v %s from %v", s.p, s.code, names)
		require.Contains(t, names, s.src, "%v %s", s.p, s.code)
		plain, ok := LookupCode(s.code)
		require.True(t, ok, "LookupCode knows app code %s", s.code)
		require.Contains(t, plain.Meanings(), info)
	}
}

// TestDivergentCodesKeptPerSource: a code that tables give different meanings has one
// CodeInfo per meaning, each with its own sources, never one string joining them.
func TestDivergentCodesKeptPerSource(t *testing.T) {
	meanings := func(code string) map[string]string { // source -> ZH
		info, ok := LookupCode(code)
		require.True(t, ok, code)
		out := map[string]string{}
		for _, m := range info.Meanings() {
			require.NotContains(t, m.ZH, "；", "%s joins meanings: %q", code, m.ZH)
			require.NotContains(t, m.EN, "OCR:", "%s joins meanings: %q", code, m.EN)
			for _, s := range m.Sources {
				out[s.String()] = m.ZH
			}
		}
		return out
	}
	require.Equal(t, map[string]string{
		"H5 page":             "报文包体问题",
		"ID-card OCR service": "加解密失败",
		"Android OCR SDK":     "解码 enMsg 异常（包括 enMsg 为空）",
		"iOS OCR SDK":         "不合法请求(300102)",
		"Harmony OCR SDK":     "不合法请求(300102)",
	}, meanings("300101"))
	require.Equal(t, map[string]string{"service": "请求参数异常", "bank-card OCR service": "参数过长"}, meanings("66660000"))
	require.Equal(t, map[string]string{"service": "姓名或身份证号格式不正确", "ID-card OCR service": "视频或图片异常"}, meanings("66660015"))
	require.Equal(t, map[string]string{"Android OCR SDK": "无网络", "iOS OCR SDK": "无网络", "Harmony OCR SDK": "SDK 未登录"}, meanings("100101"))

	// LookupCode gives the service's meaning; a Platform gives its app's; Meanings starts with
	// the receiver's own.
	info, _ := LookupCode("66660015")
	require.Equal(t, []CodeSource{srcService}, info.Sources)
	require.Equal(t, ErrBadRequest, info.Class)
	require.Equal(t, "视频或图片异常", info.Meanings()[1].ZH)
	h5, _ := LookupCode("300101")
	require.Equal(t, "报文包体问题", h5.ZH)
	android, _ := Android.LookupCode("300101")
	require.Equal(t, "解码 enMsg 异常（包括 enMsg 为空）", android.ZH)
	require.Equal(t, android, android.Meanings()[0])
	harmony, _ := Harmony.LookupCode("100101")
	require.Equal(t, "SDK 未登录", harmony.ZH)
	ios, _ := IOS.LookupCode("100101")
	require.Equal(t, "无网络", ios.ZH)
}

func TestPlatformLookupFallsBackToServiceOnly(t *testing.T) {
	// The login and compare stages pass the service's codes through.
	info, ok := IOS.LookupCode(" 66660004 ")
	require.True(t, ok)
	require.Equal(t, ErrVerificationFailed, info.Class)
	// An iOS code is not an Android one, and no service meaning stands in for it.
	_, ok = Android.LookupCode("42000")
	require.False(t, ok)
	_, ok = Harmony.LookupCode("3001") // the H5 page's, not an app's
	require.False(t, ok)
	_, ok = Platform(0).LookupCode("41000")
	require.False(t, ok)
	allocs := testing.AllocsPerRun(100, func() { info, _ = IOS.LookupCode("42000") })
	require.Zero(t, allocs)
	require.Equal(t, "用户取消", info.ZH)
}

func TestResultQueryable(t *testing.T) {
	var f *FaceService
	var w *WillService
	for domain, want := range map[string]bool{
		"WBFaceErrorDomainCompareServer":   true, // iOS and the manual's rule text
		"WbFaceErrorDomainCompareServer":   true, // Android and Harmony tables
		" WBFaceErrorDomainCompareServer ": true,
		"WBFaceErrorDomainCompareNetwork":  false,
		"WBFaceErrorDomainLoginServer":     false, // the service refused the login: nothing to query
		"WBFaceErrorDomainNativeProcess":   false,
		"":                                 false,
		"CompareServer":                    false,
		"WBFaceErrorDomainCompareServerX":  false,
	} {
		require.Equal(t, want, f.ResultQueryable(domain), "%q", domain)
		require.Equal(t, want, w.ResultQueryable(domain), "%q", domain)
	}
}

func TestPlatformAndSourceStrings(t *testing.T) {
	require.Equal(t, "Android", Android.String())
	require.Equal(t, "iOS", IOS.String())
	require.Equal(t, "Harmony", Harmony.String())
	require.Equal(t, "Platform(7)", Platform(7).String())
	require.Equal(t, "iOS will SDK", appSource(kitWill, IOS).String())
	require.Equal(t, "Harmony OCR SDK", appSource(kitOCR, Harmony).String())
	require.Equal(t, IOS, appSource(kitWill, IOS).Platform())
	require.Equal(t, Platform(0), srcService.Platform())
	require.Equal(t, "CodeSource(0)", CodeSource(0).String())
	require.Equal(t, "CodeSource(99)", CodeSource(99).String())
	require.Equal(t, Platform(0), CodeSource(99).Platform())
}

// TestAnswerUsesItsOperationsTable: an OCR query's 66660015 is an abnormal image, not the face
// upload's malformed ID number, in the error's text and class.
func TestAnswerUsesItsOperationsTable(t *testing.T) {
	ocr := &APIError{Op: endpointOCRResult, Code: "66660015"}
	require.Contains(t, ocr.Error(), "abnormal video or image")
	require.False(t, errors.Is(ocr, ErrBadRequest))
	face := &APIError{Op: endpointFaceIDPlus, Code: "66660015"}
	require.Contains(t, face.Error(), "name or ID number malformed")
	require.True(t, errors.Is(face, ErrBadRequest))
	bank := &APIError{Op: endpointBankCardOCRResult, Code: "66660000"}
	require.Contains(t, bank.Error(), "a parameter is too long")
	require.True(t, errors.Is(bank, ErrBadRequest))
	// A code the operation's table does not list keeps the catalogue's meaning.
	busy := &APIError{Op: endpointOCRResult, Code: "999999"}
	require.True(t, errors.Is(busy, ErrBusy))
	require.Contains(t, busy.Error(), "service busy")
}
