package kyc

import (
	"slices"
	"strconv"
	"strings"
)

// The codes the app SDKs report (face, will, OCR and NFC SDKs on Android, iOS and Harmony), as the
// manual's client error-code tables list them (docs/A-auth-sign-face.md §6.3 for the face SDKs,
// docs/C-ocr-will-nfc-eid.md §2.8 for OCR and §9.3 for NFC; the will SDKs' tables are the face
// tables plus the will-only rows below). They arrive at the backend only when the app forwards
// them; the service never answers with them.

// Platform is the operating system an app SDK runs on. Each has its own SDK, its own licence
// (WithSDKLicence) and, for some codes, its own meaning (Platform.LookupCode).
type Platform uint8

// The platforms the manual ships app SDKs for.
const (
	Android Platform = iota + 1
	IOS
	Harmony // HarmonyOS NEXT
)

var platformNames = [...]string{Android: "Android", IOS: "iOS", Harmony: "Harmony"}

// String names the platform as the manual does ("Android", "iOS", "Harmony").
func (p Platform) String() string {
	if p >= Android && p <= Harmony {
		return platformNames[p]
	}
	return "Platform(" + strconv.Itoa(int(p)) + ")"
}

func (p Platform) valid() bool { return p >= Android && p <= Harmony }

// LookupCode finds what a code means when an app on p reports it: the meaning in p's app SDK
// tables (face, will, OCR, NFC), else the service's meaning (the login and compare stages pass
// the service's codes through unchanged). It does not allocate.
func (p Platform) LookupCode(code string) (CodeInfo, bool) {
	var fallback CodeInfo
	found := false
	for _, m := range codeIndex[strings.TrimSpace(code)] {
		for _, s := range m.Sources {
			switch s.Platform() {
			case p:
				return m, true
			case 0:
				if !found && s == srcService {
					fallback, found = m, true
				}
			}
		}
	}
	return fallback, found
}

// Meanings returns every meaning the manual's tables give c's code, c's own first: support
// staff reading a code that several tables use (300101, 66660000, 66660015, 100101) see each
// table's meaning with its Sources rather than one string joining them.
func (c CodeInfo) Meanings() []CodeInfo {
	all := codeIndex[c.Code]
	out := make([]CodeInfo, 0, len(all))
	for _, m := range all {
		if m.ZH == c.ZH && slices.Equal(m.Sources, c.Sources) {
			out = append(out, m)
		}
	}
	for _, m := range all {
		if m.ZH != c.ZH || !slices.Equal(m.Sources, c.Sources) {
			out = append(out, m)
		}
	}
	return out
}

// CodeSource is one of the manual's code tables: the service's answers, one product's own
// server table, or one app SDK on one platform. String names it ("iOS will SDK").
type CodeSource uint8

const (
	srcService     CodeSource = iota + 1 // the kyc1 and API 3.0 answers and result codes
	srcH5Page                            // what the H5 page appends to the callback URL
	srcIDCardOCR                         // the ID-card OCR service's own table
	srcBankCardOCR                       // the bank-card OCR service's own table
	srcApp                               // the first app SDK source: see appSource
	srcEnd         = srcApp + CodeSource(kitCount*3)
)

// The app SDKs, each with one table per platform.
const (
	kitFace = iota
	kitWill
	kitOCR
	kitNFC
	kitCount
)

var kitNames = [kitCount]string{"face", "will", "OCR", "NFC"}

// appSource is the table of kit's SDK on p.
func appSource(kit int, p Platform) CodeSource {
	return srcApp + CodeSource(kit*3) + CodeSource(p-1)
}

var sourceNames = func() [srcEnd]string {
	n := [srcEnd]string{srcService: "service", srcH5Page: "H5 page", srcIDCardOCR: "ID-card OCR service",
		srcBankCardOCR: "bank-card OCR service"}
	for kit := range kitCount {
		for p := Android; p <= Harmony; p++ {
			n[appSource(kit, p)] = p.String() + " " + kitNames[kit] + " SDK"
		}
	}
	return n
}()

// String names the table: "service", "H5 page", "ID-card OCR service", "bank-card OCR
// service", or an app SDK such as "Android face SDK" or "iOS will SDK".
func (s CodeSource) String() string {
	if s >= srcService && s < srcEnd {
		return sourceNames[s]
	}
	return "CodeSource(" + strconv.Itoa(int(s)) + ")"
}

// Platform is the platform of an app SDK's table, zero for the service's tables.
func (s CodeSource) Platform() Platform {
	if s < srcApp || s >= srcEnd {
		return 0
	}
	return Platform((s-srcApp)%3) + 1
}

// sourceSet is a set of sources, one bit per CodeSource.
type sourceSet uint32

func (ss sourceSet) list() []CodeSource {
	var out []CodeSource
	for s := srcService; s < srcEnd; s++ {
		if ss&(1<<s) != 0 {
			out = append(out, s)
		}
	}
	return out
}

// appSources is the set of kits' tables on platforms ps.
func appSources(kits []int, ps ...Platform) sourceSet {
	var ss sourceSet
	for _, k := range kits {
		for _, p := range ps {
			ss |= 1 << appSource(k, p)
		}
	}
	return ss
}

var (
	faceAndWill = []int{kitFace, kitWill}
	onlyFace    = []int{kitFace}
	onlyWill    = []int{kitWill}
	onlyOCR     = []int{kitOCR}
	onlyNFC     = []int{kitNFC}
)

// serviceSources are the tables that list a code of codeRows (the service's catalogue): the
// service's, except for the H5 page's codes, the OCR backend codes the Android OCR SDK also lists
// (manual L12940-12950), and the NFC terminal codes, which only the NFC SDK reports.
func serviceSources(code string) []CodeSource {
	if ss, ok := serviceRetag[code]; ok {
		return ss.list()
	}
	return []CodeSource{srcService}
}

var serviceRetag = func() map[string]sourceSet {
	m := map[string]sourceSet{}
	for _, c := range []string{"3001", "3002", "3003", "3004", "3005", "3006", "300101"} {
		m[c] = 1 << srcH5Page
	}
	for _, c := range []string{"999999", "999998", "999997", "400101", "400102", "400103", "400104", "400105",
		"400501", "400502", "400503", "400504"} {
		m[c] = 1<<srcService | appSources(onlyOCR, Android)
	}
	// The NFC SDK exists for Android and iOS; 600106 is Android's only (manual L21773).
	for _, c := range []string{"600100", "600101", "600102", "600103", "600104", "600105",
		"66664020", "66664021", "66664022", "66664023", "66664024", "66664025", "66664026",
		"66664027", "66664028", "66664029", "66664030"} {
		m[c] = appSources(onlyNFC, Android, IOS)
	}
	m["600106"] = appSources(onlyNFC, Android)
	return m
}()

// otherRow is a meaning a product's own server table gives a code the service's catalogue
// lists with another meaning.
type otherRow struct {
	src          sourceSet
	code, zh, en string
	class        error
}

// otherTableRows: the OCR services' tables reuse three codes with their own meanings
// (docs/C-ocr-will-nfc-eid.md §2.7 and §3.4).
var otherTableRows = []otherRow{
	{1 << srcBankCardOCR, "66660000", "参数过长", "a parameter is too long (orderNo at most 32 characters; also sent as -1304)", ErrBadRequest},
	{1 << srcIDCardOCR, "66660015", "视频或图片异常", "abnormal video or image, change the image", nil},
	{1 << srcIDCardOCR, "300101", "加解密失败", "encryption or decryption failed, exit and retry", nil},
}

// appRow is one meaning in the app SDKs' tables, with its code on each platform ("" where that
// platform's table lacks it). The face SDKs number a stage's codes alike on every platform but
// for the second digit (1 Android, 2 iOS, 3 Harmony); the OCR and NFC SDKs share numbers.
type appRow struct {
	kits                  []int  // the SDKs whose tables list the row
	stage                 string // the domain, without "WBFaceErrorDomain", as Android names it
	android, ios, harmony string
	zh, en                string
}

// iosStage is the iOS name of a stage where it differs from Android's.
var iosStage = map[string]string{"Params": "InputParams", "GetInfoNetwork": "GetInfo"}

// each yields the row's meaning once per platform whose table lists it.
func (r appRow) each(yield func(CodeInfo, sourceSet)) {
	for _, pc := range [...]struct {
		p    Platform
		code string
	}{{Android, r.android}, {IOS, r.ios}, {Harmony, r.harmony}} {
		if pc.code == "" {
			continue
		}
		info := CodeInfo{Code: pc.code, ZH: r.zh, EN: r.en}
		if r.stage != "" {
			stage := r.stage
			if s, ok := iosStage[stage]; ok && pc.p == IOS {
				stage = s
			}
			info.Domain = "WBFaceErrorDomain" + stage
		}
		yield(info, appSources(r.kits, pc.p))
	}
}

// compareServerDomain is the one stage whose codes mean the comparison ran on the service.
const compareServerDomain = "WBFaceErrorDomainCompareServer"

// resultQueryable applies the manual's rule on the face and will SDKs' error domain (manual
// L1197, L2438; docs/A-auth-sign-face.md §6.2). The manual spells the domain both
// WBFaceErrorDomainCompareServer and WbFaceErrorDomainCompareServer, so case is ignored: a
// spelling wrongly refused would hide a finished, billed verification, while a wrongly accepted
// one costs a query that answers 66660011.
func resultQueryable(domain string) bool {
	return strings.EqualFold(strings.TrimSpace(domain), compareServerDomain)
}

// ResultQueryable reports whether the face SDK's error domain says the person finished and the
// service compared the face, so that a result can be queried. The manual's rule: only
// WBFaceErrorDomainCompareServer means the face scan was completed and its result can be
// fetched through the API; with any other domain the person left part-way or was stopped by
// risk control, and the service has no result to return (the query answers 66660011).
func (s *FaceService) ResultQueryable(domain string) bool { return resultQueryable(domain) }

// ResultQueryable is FaceService.ResultQueryable for the will SDK, whose errors carry the same
// domains: only WBFaceErrorDomainCompareServer means a will result can be queried.
func (s *WillService) ResultQueryable(domain string) bool { return resultQueryable(domain) }

// appCodeRows are the app SDKs' tables (manual: face Android L1203-1262, iOS L1963-2028, Harmony
// L2310-2372; will Android L18040-18097, iOS L18595-18663, Harmony L18892-18947; OCR L12925-12952,
// L13330-13340, L13545-13556). The rows repeat one shape on purpose: they are the tables as data.
var appCodeRows = []appRow{
	// ---- face and will SDKs ----
	{faceAndWill, "Params", "11000", "12000", "13000", "传入参数为空", "a start value is empty"},
	{faceAndWill, "Params", "11001", "12001", "13001", "传入的 keyLicence 不可用", "the licence is not usable (wrong platform, bundle id or expired)"},
	{faceAndWill, "Params", "11002", "", "13002", "报文加解密失败", "message encryption or decryption failed"},
	{faceAndWill, "Params", "", "12002", "", "身份证格式不正确", "the ID number is malformed"},
	{faceAndWill, "Params", "", "12003", "", "使用自带对比源，传入参数错误，非 base64", "own comparison photo is not base64"},
	{faceAndWill, "Params", "", "12004", "", "使用自带对比源，传入参数错误，超过1MB", "own comparison photo is over 1 MB"},
	{faceAndWill, "Params", "", "12005", "", "SDK 资源引入版本不匹配", "the SDK resource bundle is missing or of another version"},
	{faceAndWill, "Params", "", "12006", "", "订单号不能为0或者超过32位", "orderNo empty or longer than 32"},
	{faceAndWill, "Params", "", "12007", "", "nonce 字符串位数不为32位", "nonce is not 32 characters"},
	{onlyFace, "Params", "", "12008", "", "SDK 正在提供服务", "the SDK is already running (start called twice; Basic SDK only)"},
	{onlyWill, "Params", "", "12009", "", "定制化SDK生成参数失败", "customised SDK failed to build its parameters"},
	{onlyWill, "Params", "", "12010", "", "定制化参数校验错误", "customised parameters failed the check"},
	{faceAndWill, "LoginNetwork", "21100", "22100", "23100", "网络异常（登录时请求未到达后台）", "network error at login: the request never reached the service"},
	{faceAndWill, "LoginNetwork", "21200", "22200", "23200", "网络异常（登录时后台返回参数有误）", "network error at login: the service's answer was malformed"},
	{onlyWill, "LoginNetwork", "", "22003", "", "请勿晃动人脸，保持姿势", "hold still, do not move the face (no best frame)"},
	{faceAndWill, "GetInfoNetwork", "31100", "32100", "33100", "网络异常（获取活体类型/光线资源时请求未到达后台）", "network error fetching liveness resources: the request never reached the service"},
	{faceAndWill, "GetInfoNetwork", "31200", "32200", "33200", "网络异常（获取活体类型/光线资源时后台返回参数有误）", "network error fetching liveness resources: the service's answer was malformed"},
	{faceAndWill, "NativeProcess", "41000", "42000", "43000", "用户取消", "user cancelled (went to the background, home, back or cancel)"},
	{faceAndWill, "NativeProcess", "41001", "", "43001", "无法获取唇语数据", "could not get the digits for digit liveness"},
	{faceAndWill, "NativeProcess", "", "42001", "", "网络环境不满足认证需求", "network not good enough (none, or 2G)"},
	{faceAndWill, "NativeProcess", "41002", "42002", "43002", "权限异常，未获取权限", "permission not granted (camera, microphone)"},
	{faceAndWill, "NativeProcess", "41003", "42003", "43003", "相机运行中出错", "camera error"},
	{faceAndWill, "NativeProcess", "41004", "42004", "43004", "视频录制中出错", "video recording error"},
	{faceAndWill, "NativeProcess", "41005", "42005", "43005", "请勿晃动人脸，保持姿势", "hold still, do not move the face (no best frame)"},
	{faceAndWill, "NativeProcess", "41006", "42006", "43006", "视频大小不满足要求", "video size not acceptable"},
	{faceAndWill, "NativeProcess", "41007", "42007", "43007", "超时", "timed out (pre-detection or action liveness)"},
	{faceAndWill, "NativeProcess", "41008", "42008", "43008", "检测中人脸移出框外", "face left the frame during detection"},
	{faceAndWill, "NativeProcess", "41009", "42009", "43009", "光线活体本地错误", "light liveness failed on the device"},
	{faceAndWill, "NativeProcess", "41010", "42010", "43010", "风险控制超出次数", "risk control: too many attempts"},
	{faceAndWill, "NativeProcess", "41011", "42011", "43011", "没有检测到读数声音", "no voice heard reading the digits"},
	{faceAndWill, "NativeProcess", "41012", "42012", "43012", "初始化模型失败，请重试", "model initialisation failed, retry"},
	{faceAndWill, "NativeProcess", "41013", "", "43013", "初始化 SDK 异常", "the SDK is not initialised"},
	{faceAndWill, "NativeProcess", "41014", "", "43014", "简单模式本地加密失败", "simple mode: local encryption failed"},
	{faceAndWill, "NativeProcess", "", "42015", "", "报文解密失败", "message decryption failed"},
	{onlyWill, "NativeProcess", "41101", "42101", "", "音频录制中出错", "audio recording error"},
	{onlyWill, "NativeProcess", "41102", "42102", "", "没有检测到麦克风声音", "no sound from the microphone (volume too low)"},
	{onlyWill, "NativeProcess", "41103", "42103", "", "播报音频文件加载失败", "the prompt audio failed to load"},
	{onlyWill, "NativeProcess", "", "42104", "", "麦克风被占用，音频播报失败", "microphone busy, the prompt could not play"},
	{onlyWill, "NativeProcess", "", "42105", "", "视频录制中出错", "video recording error"},
	{onlyWill, "NativeProcess", "", "42106", "", "音量过低，用户主动退出", "volume too low, the user left"},
	{faceAndWill, "CompareNetwork", "51100", "52100", "53100", "网络异常（对比时请求未到达后台）", "network error at comparison: the request never reached the service"},
	{faceAndWill, "CompareNetwork", "51200", "52200", "53200", "网络异常（对比时后台返回参数有误）", "network error at comparison: the service's answer was malformed"},

	// ---- OCR SDKs (ID-card and bank-card share them) ----
	{onlyOCR, "", "-20000", "", "", "传入参数有误", "bad start values"},
	{onlyOCR, "", "", "100100", "100100", "传入 SDK 参数不合法", "bad start values"},
	{onlyOCR, "", "200100", "", "", "用户授权时取消", "user cancelled at the authorisation"},
	{onlyOCR, "", "200101", "200101", "200101", "用户取消操作", "user cancelled"},
	{onlyOCR, "", "200102", "200102", "200102", "识别超时", "recognition timed out (20 s)"},
	// 100101 is "no network" on Android and iOS, "SDK not logged in" on Harmony.
	{onlyOCR, "", "100101", "100101", "", "无网络", "no network"},
	{onlyOCR, "", "", "", "100101", "SDK 未登录", "the SDK is not logged in (call init before startOCRService)"},
	{onlyOCR, "", "100102", "100102", "", "不支持 2G 网络", "a 2G network is not supported"},
	{onlyOCR, "", "100103", "100103", "100103", "无相机权限", "no camera permission"},
	{onlyOCR, "", "100105", "", "", "权限异常", "permission error"},
	{onlyOCR, "", "-10000", "", "", "登录错误", "login error"},
	{onlyOCR, "", "-30000", "", "", "内部服务错误", "internal service error"},
	// 300101 is DECODE_FAIL on Android, 不合法请求(300102) on iOS and Harmony.
	{onlyOCR, "", "300101", "", "", "解码 enMsg 异常（包括 enMsg 为空）", "enMsg empty or undecodable"},
	{onlyOCR, "", "", "300101", "300101", "不合法请求(300102)", "illegal request, check the start values"},
	{onlyOCR, "", "", "300102", "300102", "网络出小差啦", "network problem"},
	{onlyOCR, "", "", "", "400100", "SDK 重复进入", "the SDK was entered twice"},
}

// opSources are the operations whose answers use a code table of their own, where some codes
// mean something else than in the service's catalogue (66660015 is an abnormal image for
// getOcrResult, a malformed ID number for the face uploads).
var opSources = map[string]CodeSource{endpointOCRResult: srcIDCardOCR, endpointBankCardOCRResult: srcBankCardOCR}

// meaningFor is the meaning of code in an answer to op: op's own table's when it has one that
// lists the code, else LookupCode's.
func meaningFor(op, code string) (CodeInfo, bool) {
	if src, ok := opSources[op]; ok {
		for _, m := range codeIndex[strings.TrimSpace(code)] {
			if slices.Contains(m.Sources, src) {
				return m, true
			}
		}
	}
	return LookupCode(code)
}
