package kyc

import (
	"slices"
	"strconv"
	"strings"
)

// Product is a verification product, for billing questions. Product and Channel are numbers,
// unlike the package's other choices (typed strings, most of them the wire values): they are
// never sent, and they index the billing tables' bit sets (productSet).
type Product uint8

const (
	ProductPlus     Product = iota + 1 // Plus face verification
	ProductEnhanced                    // Enhanced ("Adv")
	ProductBasic                       // Basic
	ProductEID                         // E证通
	ProductWill                        // 意愿核身
	ProductNFC                         // 实证 NFC
)

// String names the product as the manual does.
func (p Product) String() string {
	switch p {
	case ProductPlus:
		return "Plus"
	case ProductEnhanced:
		return "Enhanced"
	case ProductBasic:
		return "Basic"
	case ProductEID:
		return "eID"
	case ProductWill:
		return "Will"
	case ProductNFC:
		return "NFC"
	}
	return "Product(" + strconv.Itoa(int(p)) + ")"
}

// Channel is where the journey runs.
type Channel uint8

const (
	// ChannelApp: App SDK and mobile/PC H5 on kyc1 (the "App SDK / H5" billing tables).
	ChannelApp Channel = iota + 1
	// ChannelWeChat: WeChat mini program / WeChat H5 (DetectAuth, API 3.0), and eID.
	ChannelWeChat
)

// String names the channel.
func (c Channel) String() string {
	switch c {
	case ChannelApp:
		return "App"
	case ChannelWeChat:
		return "WeChat"
	}
	return "Channel(" + strconv.Itoa(int(c)) + ")"
}

// productSet is a set of products, one bit per Product value.
type productSet uint8

func (s productSet) has(p Product) bool { return p >= ProductPlus && p <= ProductNFC && s&(1<<p) != 0 }

// CodeInfo is what the catalogue knows about one code.
type CodeInfo struct {
	Code      string // as the service sends it, e.g. "66660004", "-5008", "FailedOperation.CompareLowSimilarity"
	ZH        string // meaning as the manual words it
	EN        string // meaning in English, short, lower-case start, no trailing period
	Retryable bool   // the same request may be sent again (busy, rate limited, transient network)
	Class     error  // the sentinel class (ErrBusy, ErrNoResult, ...), or nil
	// Sources are the manual's tables that give the code this meaning: the service's answers,
	// or an app SDK (face, will, OCR, NFC) on one platform. A code that means different things
	// in different tables (300101, 66660000, 66660015, 100101) has one CodeInfo per meaning.
	Sources []CodeSource
	// Domain is the stage an app SDK reports the code under (WbFaceError.domain, e.g.
	// "WBFaceErrorDomainNativeProcess"; the SDKs spell the prefix WB or Wb); empty for the
	// service's codes and for the OCR and NFC SDKs, which have no domains.
	Domain string
	billed [3]productSet
}

// Billed reports whether the manual's billing tables charge this code for product p in channel ch.
func (c CodeInfo) Billed(p Product, ch Channel) bool {
	if ch < ChannelApp || ch > ChannelWeChat {
		return false
	}
	return c.billed[ch].has(p)
}

// LookupCode finds a code exactly as sent (surrounding spaces ignored). It does not allocate.
// It knows the service's codes and the codes the Android, iOS and Harmony app SDKs report (face,
// will, OCR, NFC). A code that several tables list with different meanings gives the service's
// meaning (the H5 page's for 300101) or, for an app-only code, the first table's: for what an
// app reported ask its Platform (IOS.LookupCode), and Meanings lists every table's meaning.
func LookupCode(code string) (CodeInfo, bool) {
	if m := codeIndex[strings.TrimSpace(code)]; len(m) > 0 {
		return m[0], true
	}
	return CodeInfo{}, false
}

// classOf is the class of a code, nil if unknown or classless. An API 3.0 code the catalogue does not
// list ("RequestLimitExceeded.Foo", "InvalidParameterValue.Bar") takes the class of its parent, the part
// before the first dot, because API 3.0 codes are hierarchical and new sub-codes appear without notice.
func classOf(code string) error {
	if info, ok := LookupCode(code); ok {
		return info.Class
	}
	if parent, _, ok := strings.Cut(strings.TrimSpace(code), "."); ok {
		if info, ok := LookupCode(parent); ok {
			return info.Class
		}
	}
	return nil
}

var (
	// codeIndex holds every meaning of a code, the primary one (LookupCode's) first.
	codeIndex map[string][]CodeInfo
	codeList  []CodeInfo
)

func init() {
	codeIndex = make(map[string][]CodeInfo, len(codeRows)+len(appCodeRows)*2)
	for _, r := range codeRows {
		if len(codeIndex[r.code]) > 0 {
			panic("kyc: code catalogue lists " + r.code + " twice")
		}
		addMeaning(CodeInfo{Code: r.code, ZH: r.zh, EN: r.en, Retryable: r.retry, Class: r.class,
			billed: [3]productSet{ChannelApp: r.app, ChannelWeChat: r.wechat}}, serviceSources(r.code))
	}
	for _, r := range otherTableRows {
		addMeaning(CodeInfo{Code: r.code, ZH: r.zh, EN: r.en, Class: r.class}, r.src.list())
	}
	for _, r := range appCodeRows {
		r.each(func(info CodeInfo, src sourceSet) { addMeaning(info, src.list()) })
	}
	codeList = make([]CodeInfo, 0, len(codeIndex)+8)
	for _, m := range codeIndex {
		codeList = append(codeList, m...)
	}
	slices.SortStableFunc(codeList, func(a, b CodeInfo) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return int(a.Sources[0]) - int(b.Sources[0])
	})
}

// addMeaning files one meaning of a code under its sources; a table that gives one code two
// meanings is a mistake in the catalogue.
func addMeaning(info CodeInfo, sources []CodeSource) {
	meanings := codeIndex[info.Code]
	for _, m := range meanings {
		for _, s := range m.Sources {
			if slices.Contains(sources, s) {
				panic("kyc: code catalogue gives " + info.Code + " two meanings in " + s.String())
			}
		}
	}
	for i, m := range meanings {
		// The same meaning in another table (200101 in the three OCR SDKs) joins its sources.
		if m.ZH == info.ZH && m.EN == info.EN && m.Domain == info.Domain && m.Class == info.Class {
			meanings[i].Sources = slices.Sorted(slices.Values(append(slices.Clip(m.Sources), sources...)))
			return
		}
	}
	info.Sources = sources
	codeIndex[info.Code] = append(meanings, info)
}

// codeRow is one line of the catalogue: app and wechat are the products billed in each channel.
type codeRow struct {
	code, zh, en string
	class        error
	retry        bool
	app, wechat  productSet
}

const (
	psPlus  = productSet(1 << ProductPlus)
	psEnh   = productSet(1 << ProductEnhanced)
	psBasic = productSet(1 << ProductBasic)
	psEID   = productSet(1 << ProductEID)
	psWill  = productSet(1 << ProductWill)
	psNFC   = productSet(1 << ProductNFC)
	psFace  = psPlus | psEnh | psBasic

	codeRetry = true  // Retryable
	codeFinal = false // not Retryable
)

// codeRows is the catalogue; its rows repeat one shape on purpose (one row a code, as the
// manual's tables list them). Sources: docs/A-auth-sign-face.md §7.1/§7.2 and docs/B-h5-wechat-billing.md §6.4 (manual L21176-21555, the Plus,
// Enhanced and Basic billing pages), docs/C-ocr-will-nfc-eid.md §9.1-9.4 (L21555-21855: eID, will, NFC, API 3.0), docs/C-ocr-will-nfc-eid.md §2.7 and §3.4
// (OCR, L13692-13712, L14890-14915; OCR codes are never billed), docs/C-ocr-will-nfc-eid.md §4.9 (eID API 3.0, L16421-16440),
// the OCR SDK's backend table (OAUTH_* and 99999x, L12940-12950), the H5 front-end codes (L4886-4892,
// will L19517-19524), and Tencent Cloud's public list of common API 3.0 error codes.
//
// Billing: ChannelApp is the "App SDK / H5（移动端浏览器）" tables, ChannelWeChat the "微信小程序 / H5（微信）"
// tables, which eID and the will WeChat channel share. A code billed nowhere has zero in both columns.
//
// Retryable is set only where sending the same request again is safe and may succeed: busy and
// internal errors, rate limits. Codes that describe a finished attempt (liveness, comparison, capture)
// are never Retryable: the person has to try again, which is a new order, not a resend.
//
// The rows repeat one shape (a known repetition): they are the manual's code tables as data.
var codeRows = []codeRow{
	// ---- success ----

	// "0" is 认证通过 (App tables), 成功 (WeChat tables), 请求成功 / 识别成功 (NFC server / terminal).
	// Billed in every face table, will (both channels), eID (WeChat) and NFC (App).
	{"0", "成功", "success", nil, codeFinal, psFace | psWill | psNFC, psFace | psWill | psEID},

	// ---- kyc1 App SDK / mobile H5 (docs/A-auth-sign-face.md §7.1, will docs/C-ocr-will-nfc-eid.md §9.2) ----
	{"66660004", "无法确认为同一人", "cannot confirm it is the same person", ErrVerificationFailed, codeFinal, psFace | psWill, 0},
	{"66660010", "姓名和身份证不一致，请确认", "name and ID number do not match", ErrVerificationFailed, codeFinal, psFace | psWill, 0},
	{"-5008", "声音未能识别，请大声慢读一遍数字", "voice not recognised, read the digits aloud slowly", nil, codeFinal, 0, 0},
	{"-5018", "未识别到指定动作", "the requested action was not detected", nil, codeFinal, 0, 0},
	{"-5023", "光线太强，请到室内识别", "light too strong, try indoors", nil, codeFinal, 0, 0},
	// 999999 is also INTERNAL_SERVER_ERROR in the OCR SDK's backend table (请稍后再试).
	{"999999", "网络不给力，请稍后重试", "service busy, retry later", ErrBusy, codeRetry, 0, 0},
	{"999998", "网络不给力，请稍后再试", "service busy (FRONT_INTERNAL_SERVER_ERROR), retry later", ErrBusy, codeRetry, 0, 0},
	{"999997", "网络不给力，请稍后再试", "service timed out (SERVICE_TIME_OUT), retry later", ErrBusy, codeRetry, 0, 0},
	// 66660000 is 请求参数异常 in the face and will tables, 参数过长 (also sent as -1304) in bank-card
	// OCR: that meaning is in otherTableRows.
	{"66660000", "请求参数异常", "request parameters invalid", ErrBadRequest, codeFinal, 0, 0},
	{"66660002", "服务不可用（已欠费或主动停服，请联系技术支持确认）", "service unavailable: account in arrears or service stopped", ErrServiceUnavailable, codeFinal, 0, 0},
	{"66660003", "试用版最大刷脸次数已超", "trial quota of verifications used up", ErrServiceUnavailable, codeFinal, 0, 0},
	{"66660005", "此证件信息不支持校验", "this ID document cannot be verified", nil, codeFinal, 0, 0},
	{"66660011", "未完成认证或认证结果已过期", "no result: verification not completed or result expired", ErrNoResult, codeFinal, 0, 0},
	// 66660015 is 姓名或身份证号格式不正确 in the face and will tables, 视频或图片异常 in ID-card OCR
	// (otherTableRows).
	{"66660015", "姓名或身份证号格式不正确", "name or ID number malformed", ErrBadRequest, codeFinal, 0, 0},
	{"66660016", "视频或图片异常", "abnormal video or image", nil, codeFinal, 0, 0},
	{"66660017", "验证次数超限", "too many verification attempts", nil, codeFinal, 0, 0},
	{"66660018", "操作超时，请退出重试", "operation timed out (faceId expired), start again", ErrExpired, codeFinal, 0, 0},
	// 66660023 and 66665001: billed for Plus only; the Basic and will tables drop "疑似非真人，" from the text.
	{"66660023", "疑似非真人，请确保本人操作且正脸对框", "suspected non-live person, the person must face the frame", ErrVerificationFailed, codeFinal, psPlus, 0},
	{"66660035", "未识别到人脸，请确保正脸对框且清晰完整", "no face detected", nil, codeFinal, 0, 0},
	{"66660037", "照片出现多张脸", "more than one face in the photo", nil, codeFinal, 0, 0},
	{"66660041", "脸部有遮挡或闭眼，请重试", "face covered or eyes closed", nil, codeFinal, 0, 0},
	{"66660044", "应用服务版本过低，请升级", "app service version too old, upgrade", nil, codeFinal, 0, 0},
	{"66660046", "比对源照片无法处理", "the comparison source photo cannot be processed", nil, codeFinal, 0, 0},
	{"66662001", "无此授权结果", "no such authorisation result", ErrNoResult, codeFinal, 0, 0},
	{"66665001", "疑似非真人，请确保本人操作且正脸对框", "suspected non-live person, the person must face the frame", ErrVerificationFailed, codeFinal, psPlus, 0},
	// 400101 is 签名校验不通过 in the face tables, OAUTH_INVALID_REQUEST 不合法请求 in the OCR SDK table.
	{"400101", "签名校验不通过（OAUTH_INVALID_REQUEST 不合法请求）", "signature check failed", ErrInvalidSignature, codeFinal, 0, 0},
	{"400102", "不合法请求（OAUTH_INVALID_LOGIN_STATUS）", "invalid login state: ticket or token not accepted", ErrInvalidSignature, codeFinal, 0, 0},
	// 400103 is an IP whitelist refusal in the face tables, OAUTH_ACCESS_DENIED 服务器拒绝访问此接口 in the OCR SDK table.
	{"400103", "IP 未加入白名单列表（请线下联系技术支持进行配置）；服务器拒绝访问此接口", "caller IP is not on the whitelist, access denied", ErrNotWhitelisted, codeFinal, 0, 0},
	// 400104: a new ticket would not help, so it is not ErrInvalidSignature; the account lacks the right.
	{"400104", "无权限访问此请求（OAUTH_INVALID_PRIVILEGE）", "no privilege for this request", ErrServiceUnavailable, codeFinal, 0, 0},
	{"400105", "身份验证不通过（OAUTH_REQUEST_VALIDATE_ERROR）", "authentication failed", ErrInvalidSignature, codeFinal, 0, 0},
	{"400106", "不合法请求", "illegal request", ErrBadRequest, codeFinal, 0, 0},
	{"400501", "请求超过最大限制（OAUTH_TPS_EXCEED_LIMIT）", "request rate over the maximum (TPS limit)", ErrRateLimited, codeRetry, 0, 0},
	{"400502", "请求上送版本参数错误（OAUTH_INVALID_VERSION）", "wrong version parameter", ErrBadRequest, codeFinal, 0, 0},
	{"400503", "文件校验值错误（OAUTH_INVALID_FILE_HASH）", "file hash mismatch", ErrBadRequest, codeFinal, 0, 0},
	{"400504", "请求访问频率过高（OAUTH_REQUEST_RATE_LIMIT）", "request rate too high", ErrRateLimited, codeRetry, 0, 0},
	{"400506", "请求频率过高，请稍后再试", "request rate too high, retry later", ErrRateLimited, codeRetry, 0, 0},
	// 400600: the will table writes 【微信】下载视频失败，请重试.
	{"400600", "微信下载视频失败，请重试", "failed to download the video from WeChat", nil, codeFinal, 0, 0},
	{"400601", "视频或图片异常", "abnormal video or image", nil, codeFinal, 0, 0},
	// 400604 is only in the notes under queryfacerecord (L2560); the query then answers 66660011.
	{"400604", "上传的视频非实时录制，被时间戳校验拦截", "uploaded video was not recorded live (timestamp check)", nil, codeFinal, 0, 0},

	// ---- H5 front-end codes on the callback URL (not server results, never billed) ----
	{"3001", "该浏览器不支持视频录制", "browser cannot record video, use another method", nil, codeFinal, 0, 0},
	{"3002", "登录态异常，cookie参数缺失", "login state lost (cookie missing), enter again", nil, codeFinal, 0, 0},
	// 3003: 人脸核身中途中断 on the face pages, 意愿核身中途中断 on the will page.
	{"3003", "核身中途中断", "verification interrupted, enter again", nil, codeFinal, 0, 0},
	{"3004", "无摄像头权限", "no camera permission, enter again and allow the camera", nil, codeFinal, 0, 0},
	{"3005", "该浏览器不支持实时检测模式", "browser does not support real-time detection, use another browser", nil, codeFinal, 0, 0},
	{"3006", "该功能仅支持微信环境打开", "will H5 only: must be opened inside WeChat", nil, codeFinal, 0, 0},
	// 300101 is 报文包体问题 for the H5 front end, 加解密失败 among the ID-card OCR server codes
	// (otherTableRows), DECODE_FAIL in the Android OCR SDK and 不合法请求 in the iOS and Harmony
	// OCR SDKs (appCodeRows).
	{"300101", "报文包体问题", "malformed message body, enter again", nil, codeFinal, 0, 0},

	// ---- ID-card OCR (docs/C-ocr-will-nfc-eid.md §2.7) and bank-card OCR (docs/C-ocr-will-nfc-eid.md §3.4): none billed ----
	{"66660020", "OCR 结果查询不到", "no OCR result for this order", ErrNoResult, codeFinal, 0, 0},
	{"66661001", "请调整角度，保持清晰", "not an ID card or image too poor, capture again", nil, codeFinal, 0, 0},
	{"66661003", "身份证已失效", "the ID card has expired", nil, codeFinal, 0, 0},
	{"66661004", "身份证日期不正确", "the ID card dates are wrong", nil, codeFinal, 0, 0},
	{"66661005", "图像解码异常", "image could not be decoded", nil, codeFinal, 0, 0},
	{"66661006", "非身份证人像面", "not the portrait side of the ID card", nil, codeFinal, 0, 0},
	{"66661007", "非身份证国徽面", "not the emblem side of the ID card", nil, codeFinal, 0, 0},
	{"66661008", "姓名或身份证号未能识别", "name or ID number not recognised", nil, codeFinal, 0, 0},
	{"66661009", "银行卡已过期", "bank card expired (warning code)", nil, codeFinal, 0, 0},
	{"66661010", "格式有误", "wrong image format", nil, codeFinal, 0, 0},
	{"66661012", "签发机关未能识别", "issuing authority not recognised", nil, codeFinal, 0, 0},
	{"66661099", "处理失败", "processing failed (OCR)", nil, codeFinal, 0, 0},
	{"-1304", "参数过长", "parameter too long (orderNo at most 32 characters)", ErrBadRequest, codeFinal, 0, 0},
	{"-9011", "银行卡识别失败", "bank card not recognised", nil, codeFinal, 0, 0},
	{"-9012", "银行卡图片模糊", "bank card image blurred", nil, codeFinal, 0, 0},
	{"-9013", "不是银行卡", "not a bank card", nil, codeFinal, 0, 0},
	{"-9014", "银行卡信息不合法", "bank card details invalid (glare or occlusion)", nil, codeFinal, 0, 0},
	{"-9110", "无效的日期信息", "invalid date (warning code)", nil, codeFinal, 0, 0},
	{"-9111", "边框不完整", "card border incomplete (warning code)", nil, codeFinal, 0, 0},
	{"-9112", "银行卡反光", "glare on the bank card (warning code)", nil, codeFinal, 0, 0},
	{"-9113", "银行卡复印件", "photocopy of a bank card (warning code)", nil, codeFinal, 0, 0},
	{"-9114", "银行卡翻拍件", "re-photographed bank card (warning code)", nil, codeFinal, 0, 0},

	// ---- will (意愿核身, docs/C-ocr-will-nfc-eid.md §9.2) ----
	{"66666004", "音频文件下载失败，请重试", "failed to download the answer or prompt audio", nil, codeFinal, 0, 0},
	{"66666006", "意愿表达结果不正确", "spoken answer does not match the expected answer", ErrVerificationFailed, codeFinal, psWill, 0},
	{"66666010", "当前订单识别结果不存在", "no will result for this order", ErrNoResult, codeFinal, 0, 0},

	// ---- 实证 NFC server (docs/C-ocr-will-nfc-eid.md §9.3): only 0 is billed, once per reqId ----
	{"66664002", "ocrCertId 已失效，请校验参数", "ocrCertId expired (valid 5 minutes), fetch a new one", ErrExpired, codeFinal, 0, 0},
	// 66664003: at most 10 queries per reqId within its 5 minutes. Despite its wording it is not
	// retried: the manual's table says no (docs/C-ocr-will-nfc-eid.md §9.3), and it answers a reqId whose queries are
	// spent, which a resend within the window cannot change.
	{"66664003", "请求频率过高，请稍后重试", "request rate too high: the reqId's 10 queries are spent", ErrRateLimited, codeFinal, 0, 0},
	{"66664004", "该 reqId 不存在，请校验参数", "no such reqId", ErrNoResult, codeFinal, 0, 0},
	{"66664005", "reqId 已失效或不存在", "reqId expired or missing (queryable for 5 minutes)", ErrExpired, codeFinal, 0, 0},
	{"66664006", "网络不给力,请稍后重试", "service busy, retry later", ErrBusy, codeRetry, 0, 0},
	{"66664007", "网络不给力,请稍后重试", "service busy, retry later", ErrBusy, codeRetry, 0, 0},

	// ---- 实证 NFC terminal (docs/C-ocr-will-nfc-eid.md §9.3): reported by the SDK, not by the server ----
	{"600100", "该设备不支持 NFC 功能", "device has no NFC", nil, codeFinal, 0, 0},
	{"600101", "用户退出本次识别", "user left the reading", nil, codeFinal, 0, 0},
	{"600102", "请求参数异常，请校验参数", "login parameters failed the check", ErrBadRequest, codeFinal, 0, 0},
	{"600103", "本次识别超时，请重试", "reading timed out", nil, codeFinal, 0, 0},
	{"600104", "网络不给力，请稍后重试", "network error, the request never reached the server", nil, codeFinal, 0, 0},
	{"600105", "网络不给力，请重试", "enmsg empty or undecodable", nil, codeFinal, 0, 0},
	{"600106", "初始化失败，请重试", "initialisation failed (Android)", nil, codeFinal, 0, 0},
	{"66664020", "读卡时勿移动卡片，请重试", "card moved while reading", nil, codeFinal, 0, 0},
	{"66664021", "设备不支持 NFC，请更换手机重试", "device NFC does not support the card, change phone", nil, codeFinal, 0, 0},
	{"66664022", "网络不给力,请稍后重试", "network error, read again", nil, codeFinal, 0, 0},
	{"66664023", "设备 NFC 异常，请重启 NFC 后重试", "device NFC error, restart NFC", nil, codeFinal, 0, 0},
	{"66664024", "证件类型不正确，请重试", "wrong kind of card", nil, codeFinal, 0, 0},
	{"66664025", "该设备不支持 NFC 功能", "device has no NFC, change phone", nil, codeFinal, 0, 0},
	{"66664026", "读卡时勿移动卡片，请重试", "the iOS NFC sheet timed out, read again", nil, codeFinal, 0, 0},
	// 66664027/66664029 and 66664028/66664030 share a row each in the manual.
	{"66664027", "网络不给力,请稍后重试", "network service error, contact support", nil, codeFinal, 0, 0},
	{"66664029", "网络不给力,请稍后重试", "network service error, contact support", nil, codeFinal, 0, 0},
	{"66664028", "请求参数异常，请重试", "debug parameter error, contact support", ErrBadRequest, codeFinal, 0, 0},
	{"66664030", "请求参数异常，请重试", "debug parameter error, contact support", ErrBadRequest, codeFinal, 0, 0},

	// ---- WeChat mini program / WeChat H5 / eID / will-WeChat result codes (docs/A-auth-sign-face.md §7.2, docs/C-ocr-will-nfc-eid.md §9.1, §9.2) ----
	// These arrive as result codes (ErrCode, LivenessDetail, ChargeDetail.ErrorCode), not as answers to a
	// request; Retryable on the busy ones means a new attempt later may succeed.
	{"1", "调用方式出错，请参考人脸核身 DetectAuth 文档进行调用", "wrong call method, see the DetectAuth docs", ErrBadRequest, codeFinal, 0, 0},
	{"2", "调用方式出错，请参考人脸核身 DetectAuth 文档进行调用", "wrong call method, see the DetectAuth docs", ErrBadRequest, codeFinal, 0, 0},
	{"3", "调用方式出错，请参考人脸核身 DetectAuth 文档进行调用", "wrong call method, see the DetectAuth docs", ErrBadRequest, codeFinal, 0, 0},
	{"4", "服务异常，请稍后重试或联系客服人员", "service error, retry later", ErrBusy, codeRetry, 0, 0},
	{"8", "服务异常，请稍后重试或联系客服人员", "service error, retry later", ErrBusy, codeRetry, 0, 0},
	{"10", "服务异常，请稍后重试或联系客服人员", "service error, retry later", ErrBusy, codeRetry, 0, 0},
	{"12", "服务异常，请稍后重试或联系客服人员", "service error, retry later", ErrBusy, codeRetry, 0, 0},
	{"13", "服务异常，请稍后重试或联系客服人员", "service error, retry later", ErrBusy, codeRetry, 0, 0},
	{"14", "本次校验已完成", "this verification is already complete", nil, codeFinal, 0, 0},
	{"15", "token 过期，请重试", "token expired", ErrExpired, codeFinal, 0, 0},
	{"16", "已达到重试上限", "retry limit reached", nil, codeFinal, 0, 0},
	{"17", "本次流程未完成", "flow not completed", ErrNoResult, codeFinal, 0, 0},
	{"201", "从微信拉取图片失败，请重试", "failed to fetch the image from WeChat", nil, codeFinal, 0, 0},
	{"202", "视频获取失败，请重试", "failed to fetch the video", nil, codeFinal, 0, 0},
	{"203", "无此 API 调用权限", "no permission to call this API", ErrServiceUnavailable, codeFinal, 0, 0},
	{"204", "当前公众号/小程序未完成对慧眼授权，请参照慧眼接入文档进行扫码授权，如有疑问可微信联系慧眼小助手（faceid001）", "the official account or mini program has not authorised FaceID", ErrServiceUnavailable, codeFinal, 0, 0},
	{"301", "当前认证人身份证号码与业务传入验证证件号码不符，请重新上传", "scanned ID number differs from the one the business passed in", ErrVerificationFailed, codeFinal, 0, 0},
	{"302", "身份证已过期，请使用有效身份证进行核验", "the ID card has expired", nil, codeFinal, 0, 0},
	{"303", "扫描识别失败，请重新拍摄", "scan not recognised, capture again", nil, codeFinal, 0, 0},
	{"1001", "引擎超时，请稍后重试", "engine timed out, retry later", ErrBusy, codeRetry, 0, 0},
	// 1002: billed for Plus only; the Enhanced, Basic, eID and will tables say 否 (docs/C-ocr-will-nfc-eid.md §9.1).
	{"1002", "疑似非真人录制", "suspected non-live recording", ErrVerificationFailed, codeFinal, 0, psPlus},
	{"1003", "人脸识别验证未成功，请重试", "face recognition did not succeed", ErrVerificationFailed, codeFinal, 0, 0},
	{"1004", "人脸验证失败，请重试", "face verification failed", ErrVerificationFailed, codeFinal, 0, 0},
	{"1005", "人脸验证失败，请重试", "face verification failed", ErrVerificationFailed, codeFinal, 0, 0},
	{"1006", "证照库出错，请重试", "error in the ID photo database", ErrBusy, codeRetry, 0, 0},
	{"1007", "未拉取微信活体结果或拉取微信活体结果失败", "the WeChat liveness result was not fetched, or fetching it failed", nil, codeFinal, 0, 0},
	// 11xx digit liveness, 12xx action liveness, 13xx silent liveness: Basic tables only.
	{"1101", "声音未能识别，请大声慢读一遍数字", "voice not recognised, read the digits aloud slowly", nil, codeFinal, 0, 0},
	{"1102", "脸部未完整露出，请保持正脸面对屏幕", "face not fully visible", nil, codeFinal, 0, 0},
	{"1103", "声音未能识别，请大声慢读一遍数字", "voice not recognised, read the digits aloud slowly", nil, codeFinal, 0, 0},
	{"1104", "视频格式出错无法检测，请更换手机进行验证", "video format cannot be checked, change phone", nil, codeFinal, 0, 0},
	{"1105", "视频拉取失败，请重试", "failed to fetch the video", nil, codeFinal, 0, 0},
	{"1106", "声音太小，请大声慢读一遍数字", "voice too quiet, read the digits aloud", nil, codeFinal, 0, 0},
	{"1107", "视频为空，或大小不合适，请控制录制时长在6s左右", "video empty or of the wrong size, record about 6 s", nil, codeFinal, 0, 0},
	{"1108", "视频像素太低无法检测，请更换手机进行验证", "video resolution too low, change phone", nil, codeFinal, 0, 0},
	{"1109", "未识别到唇动，请大声慢读一遍数字", "no lip movement detected", nil, codeFinal, 0, 0},
	{"1201", "光线不佳，建议在光源充足的室内环境验证", "poor light, try a well-lit room", nil, codeFinal, 0, 0},
	{"1202", "光线不佳，建议在光源充足的室内环境验证", "poor light, try a well-lit room", nil, codeFinal, 0, 0},
	{"1203", "离屏幕太近或太远，请确保人脸清晰完整", "face too close to or too far from the screen", nil, codeFinal, 0, 0},
	{"1204", "离屏幕太近或太远，请确保人脸清晰完整", "face too close to or too far from the screen", nil, codeFinal, 0, 0},
	{"1205", "离屏幕太近或太远，请确保人脸清晰完整", "face too close to or too far from the screen", nil, codeFinal, 0, 0},
	{"1206", "离屏幕太近或太远，请确保人脸清晰完整", "face too close to or too far from the screen", nil, codeFinal, 0, 0},
	{"1207", "动作未能识别，请按顺序缓慢做动作", "action not recognised, do the actions slowly in order", nil, codeFinal, 0, 0},
	{"1208", "动作未能识别，请按顺序缓慢做动作", "action not recognised, do the actions slowly in order", nil, codeFinal, 0, 0},
	{"1209", "动作未能识别，请按顺序缓慢做动作", "action not recognised, do the actions slowly in order", nil, codeFinal, 0, 0},
	{"1210", "动作未能识别，请按顺序缓慢做动作", "action not recognised, do the actions slowly in order", nil, codeFinal, 0, 0},
	{"1301", "疑似非真人录制，请重试", "suspected non-live recording", ErrVerificationFailed, codeFinal, 0, 0},
	{"1302", "人脸验证失败，请重试", "face verification failed", ErrVerificationFailed, codeFinal, 0, 0},
	{"1303", "视频录制时间过短，请重新录制2秒以上的视频", "video too short, record more than 2 s", nil, codeFinal, 0, 0},
	{"2001", "引擎超时，请稍后重试", "engine timed out, retry later", ErrBusy, codeRetry, 0, 0},
	{"2002", "姓名有误，请确认后重试", "name invalid", ErrBadRequest, codeFinal, 0, 0},
	{"2003", "身份证号有误，请确认后重试", "invalid ID number", ErrBadRequest, codeFinal, 0, 0},
	{"2004", "视频提取照片出错，请重试或更换手机进行验证", "could not extract a photo from the video", nil, codeFinal, 0, 0},
	{"2005", "未查询到身份信息，请通过其他渠道验证", "identity not found in the authoritative source", nil, codeFinal, 0, 0},
	// 2006 and 2016: billed in every WeChat-channel table (Plus, Enhanced, Basic, eID, will).
	{"2006", "姓名和身份证号不匹配，请核实身份后重试", "name and ID number do not match", ErrVerificationFailed, codeFinal, 0, psFace | psEID | psWill},
	{"2007", "未查询到照片信息，请通过其他渠道验证", "no reference photo found", nil, codeFinal, 0, 0},
	{"2008", "未查询到照片信息，请通过其他渠道验证", "no reference photo found", nil, codeFinal, 0, 0},
	{"2009", "查询到照片分辨率过低，请通过其他渠道验证", "reference photo resolution too low", nil, codeFinal, 0, 0},
	{"2010", "脸部未完整露出，请保持正脸面对屏幕", "face not fully visible", nil, codeFinal, 0, 0},
	{"2011", "无法判断为同一人，请确认身份后重试（疑似非活体）", "cannot confirm it is the same person (suspected non-live)", ErrVerificationFailed, codeFinal, 0, 0},
	{"2012", "检测到多张人脸，请保持验证视频中只有本人", "more than one face in the video", nil, codeFinal, 0, 0},
	{"2013", "脸部未完整露出，请保持正脸面对屏幕", "face not fully visible", nil, codeFinal, 0, 0},
	{"2014", "视频像素太低无法检测，请更换手机进行验证", "video resolution too low, change phone", nil, codeFinal, 0, 0},
	{"2015", "无法判断为同一人，请确认身份后重试（比对失败）", "cannot confirm it is the same person (comparison failed)", ErrVerificationFailed, codeFinal, 0, 0},
	{"2016", "无法判断为同一人，请确认身份后重试（相似度未达到通过阈值）", "cannot confirm it is the same person (similarity below threshold)", ErrVerificationFailed, codeFinal, 0, psFace | psEID | psWill},
	// 2017: "later" here means hours, not a backoff; 2018: the limit resets at midnight.
	{"2017", "权威数据源升级中，请稍后再试", "authoritative data source being upgraded, try later", ErrBusy, codeFinal, 0, 0},
	{"2018", "操作过于频繁，请第二天0点后重试", "too many attempts, retry after midnight", ErrRateLimited, codeFinal, 0, 0},

	// ---- API 3.0: 核身及要素 API (docs/C-ocr-will-nfc-eid.md §9.4) ----
	// "Success" (成功 in the AI face shield table, 检测通过 in the face-verification table), IdNameMisMatch and
	// CompareLowSimilarity are the billed codes of the standalone API 3.0 face-verification actions. Product
	// has no value for those actions, so they are filed under the API 3.0 channel (ChannelWeChat) for the
	// three face products, where they bill exactly like 0, 2006 and 2016.
	{"Success", "成功", "success", nil, codeFinal, 0, psFace},
	{"FailedOperation.IdNameMisMatch", "姓名和身份证号不一致，请核实后重试", "name and ID number do not match", ErrVerificationFailed, codeFinal, 0, psFace},
	{"FailedOperation.CompareLowSimilarity", "比对相似度未达到通过标准", "similarity below the pass threshold", ErrVerificationFailed, codeFinal, 0, psFace},
	{"FailedOperation.CompareFail", "比对失败", "comparison failed", ErrVerificationFailed, codeFinal, 0, 0},
	{"FailedOperation.LifePhotoDetectFake", "真人比对没通过", "live-person check did not pass", ErrVerificationFailed, codeFinal, 0, 0},
	{"FailedOperation.LifePhotoDetectFaces", "检测到多张人脸", "more than one face detected", nil, codeFinal, 0, 0},
	{"FailedOperation.LifePhotoDetectNoFaces", "未能检测到完整人脸", "no complete face detected", nil, codeFinal, 0, 0},
	{"FailedOperation.IdPhotoPoorQuality", "证件图片分辨率太低，请重新上传", "the ID image resolution is too low, upload again", nil, codeFinal, 0, 0},
	{"FailedOperation.CoveredFace", "图中人脸存在遮挡，请传入无遮挡人脸图片", "face covered, send an image of an uncovered face", nil, codeFinal, 0, 0},
	{"FailedOperation.IncompleteFace", "未检测到完整人脸，请传入完整人脸图片", "no complete face detected, send a complete face", nil, codeFinal, 0, 0},
	// PoorImageQuality: 图片质量过差 (AI face shield) or 图片质量太差 (face verification).
	{"FailedOperation.PoorImageQuality", "图片质量过差，请检查图片质量", "image quality too poor", nil, codeFinal, 0, 0},
	{"FailedOperation.ImageDecodeFailed", "图片解码失败", "image could not be decoded", ErrBadRequest, codeFinal, 0, 0},
	{"FailedOperation.VideoDecodeFailed", "视频解码异常", "video could not be decoded", ErrBadRequest, codeFinal, 0, 0},
	{"FailedOperation.VideoDurationExceeded", "视频时长过长，当前接口最大支持的视频时长为20s", "video longer than the 20 s maximum", ErrBadRequest, codeFinal, 0, 0},
	{"FailedOperation.DetectEngineSystemError", "服务引擎调用失败，请重试", "detection engine call failed, retry", ErrBusy, codeRetry, 0, 0},
	{"FailedOperation.UnKnown", "内部未知错误", "unknown internal error", ErrBusy, codeRetry, 0, 0},
	// FailedOperation.RequestLimitExceeded is a call-count limit (调用次数超出限制), not a rate: resending does not help.
	{"FailedOperation.RequestLimitExceeded", "调用次数超出限制", "call count limit exceeded", ErrRateLimited, codeFinal, 0, 0},

	// ---- API 3.0: eID and DetectAuth family (docs/C-ocr-will-nfc-eid.md §4.9 and the faceid action references) ----
	{"FailedOperation.DecryptSystemError", "解密失败", "decryption failed (check the Encryption parameters)", ErrBadRequest, codeFinal, 0, 0},
	{"FailedOperation.StsUnAuthErrError", "STS 未授权", "the STS is not authorised for this account", ErrServiceUnavailable, codeFinal, 0, 0},
	{"FailedOperation.UnregisteredEid", "该用户未注册E证通，请先注册并跟权威库核验", "the user has not registered for eID", nil, codeFinal, 0, 0},
	// The manual (L16423) prints InternalServerError.EncryptSystemError; Tencent's reference says
	// InternalError.EncryptSystemError. Both are listed so either spelling is recognised.
	{"InternalError.EncryptSystemError", "加密失败", "encryption failed", ErrBusy, codeRetry, 0, 0},
	// FailedOperation.EncryptSystemError: GetDetectInfoEnhanced's spelling (Tencent's SDK) of the
	// same failure, for an encrypted answer; a read, so resending it is safe.
	{"FailedOperation.EncryptSystemError", "加密失败", "encryption failed", ErrBusy, codeRetry, 0, 0},
	{"InternalServerError.EncryptSystemError", "加密失败", "encryption failed (spelling of the manual)", ErrBusy, codeRetry, 0, 0},
	{"InternalServerError", "内部错误", "internal error (spelling of the manual)", ErrBusy, codeRetry, 0, 0},
	{"InternalError.UnKnown", "内部未知错误", "unknown internal error", ErrBusy, codeRetry, 0, 0},
	// The manual (L16429) prints UnsupportedEncryptField; Tencent's reference and SDK say UnsupportEncryptField.
	{"InvalidParameter.UnsupportEncryptField", "存在不加密的字段，请参考文档修改", "a field that must be encrypted was sent in clear", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameter.UnsupportedEncryptField", "存在不加密的字段，请参考文档修改", "a field that must be encrypted was sent in clear (spelling of the manual)", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameter.RuleId", "RuleId不存在", "no such RuleId", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameterValue.RuleIdDisabled", "该 ruleid 已被您停用，请确认后重试", "the RuleId has been disabled", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameterValue.RuleIdNotExist", "Ruleid 不存在，请到人脸核身控制台申请", "no such RuleId, apply for one in the console", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameterValue.BizTokenExpired", "BizToken 过期", "the BizToken has expired", ErrExpired, codeFinal, 0, 0},
	{"InvalidParameterValue.BizTokenIllegal", "BizToken 不合法", "the BizToken is not valid", ErrBadRequest, codeFinal, 0, 0},
	{"UnauthorizedOperation.Arrears", "账号已欠费", "the account is in arrears", ErrServiceUnavailable, codeFinal, 0, 0},
	{"UnauthorizedOperation.ChargeStatusException", "计费状态异常", "billing status abnormal", ErrServiceUnavailable, codeFinal, 0, 0},
	{"UnauthorizedOperation.NonAuthorize", "账号未实名", "the account has not completed real-name verification", ErrServiceUnavailable, codeFinal, 0, 0},
	{"UnauthorizedOperation.Nonactivated", "未开通服务", "the service is not activated", ErrServiceUnavailable, codeFinal, 0, 0},

	// ---- API 3.0 common error codes (Tencent Cloud's public list) ----
	{"ActionOffline", "接口已下线", "the action has been taken offline", nil, codeFinal, 0, 0},
	{"AuthFailure.InvalidAuthorization", "请求头部的 Authorization 不符合腾讯云标准", "the Authorization header is malformed", ErrInvalidSignature, codeFinal, 0, 0},
	{"AuthFailure.InvalidSecretId", "密钥非法（不是云 API 密钥类型）", "the SecretId is not an API key", ErrInvalidSignature, codeFinal, 0, 0},
	{"AuthFailure.MFAFailure", "MFA 错误", "the MFA check failed", ErrInvalidSignature, codeFinal, 0, 0},
	{"AuthFailure.SecretIdNotFound", "密钥不存在", "no such SecretId (deleted, disabled or mistyped)", ErrInvalidSignature, codeFinal, 0, 0},
	// SignatureExpire: the signing timestamp is more than 5 minutes off the server's clock; fix the clock.
	{"AuthFailure.SignatureExpire", "签名过期。Timestamp 和服务器时间相差不得超过五分钟", "signature expired: timestamp more than 5 minutes off", ErrExpired, codeFinal, 0, 0},
	{"AuthFailure.SignatureFailure", "签名错误", "signature check failed", ErrInvalidSignature, codeFinal, 0, 0},
	// TokenFailure: the X-TC-Token of temporary credentials was refused, in practice because it expired.
	{"AuthFailure.TokenFailure", "token 错误", "temporary credential token refused or expired", ErrExpired, codeFinal, 0, 0},
	{"AuthFailure.UnauthorizedOperation", "请求未授权", "request not authorised by CAM", ErrServiceUnavailable, codeFinal, 0, 0},
	{"FailedOperation", "操作失败", "operation failed", nil, codeFinal, 0, 0},
	{"InternalError", "内部错误", "internal error", ErrBusy, codeRetry, 0, 0},
	{"InvalidAction", "接口不存在", "no such action", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameter", "参数错误", "invalid parameter", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidParameterValue", "参数取值错误", "invalid parameter value", ErrBadRequest, codeFinal, 0, 0},
	{"InvalidRequest", "请求 body 的 multipart 格式错误", "malformed multipart request body", ErrBadRequest, codeFinal, 0, 0},
	// IpInBlacklist is filed with the whitelist class: either way the caller's IP is refused.
	{"IpInBlacklist", "IP 地址在黑名单中", "caller IP is blacklisted", ErrNotWhitelisted, codeFinal, 0, 0},
	{"IpNotInWhitelist", "IP 地址不在白名单中", "caller IP is not on the whitelist", ErrNotWhitelisted, codeFinal, 0, 0},
	{"LimitExceeded", "超过配额限制", "quota exceeded", ErrRateLimited, codeFinal, 0, 0},
	{"MissingParameter", "缺少参数", "missing parameter", ErrBadRequest, codeFinal, 0, 0},
	{"NoSuchProduct", "产品不存在", "no such product", ErrBadRequest, codeFinal, 0, 0},
	{"NoSuchVersion", "接口版本不存在", "no such API version", ErrBadRequest, codeFinal, 0, 0},
	{"RequestLimitExceeded", "请求的次数超过了频率限制", "request rate limit exceeded", ErrRateLimited, codeRetry, 0, 0},
	{"RequestLimitExceeded.GlobalRegionUinLimitExceeded", "主账号超过频率限制", "account rate limit exceeded (all regions)", ErrRateLimited, codeRetry, 0, 0},
	{"RequestLimitExceeded.IPLimitExceeded", "IP 限频", "rate limit for the caller IP exceeded", ErrRateLimited, codeRetry, 0, 0},
	{"RequestLimitExceeded.UinLimitExceeded", "主账号限频", "account rate limit exceeded", ErrRateLimited, codeRetry, 0, 0},
	{"RequestSizeLimitExceeded", "请求包超过限制大小", "request body too large", ErrBadRequest, codeFinal, 0, 0},
	{"ResourceInUse", "资源被占用", "resource in use", nil, codeFinal, 0, 0},
	{"ResourceInsufficient", "资源不足", "insufficient resources", nil, codeFinal, 0, 0},
	// ResourceNotFound is left classless: for faceid it may name a RuleId as well as a result.
	{"ResourceNotFound", "资源不存在", "resource not found", nil, codeFinal, 0, 0},
	{"ResourceUnavailable", "资源不可用", "resource unavailable to this account", ErrServiceUnavailable, codeFinal, 0, 0},
	{"ResponseSizeLimitExceeded", "返回包超过限制大小", "response too large", nil, codeFinal, 0, 0},
	// ServiceUnavailable is the service's temporary state, not the account's: busy, not ErrServiceUnavailable.
	{"ServiceUnavailable", "当前服务暂时不可用", "service temporarily unavailable", ErrBusy, codeRetry, 0, 0},
	{"UnauthorizedOperation", "未授权操作", "unauthorised operation", ErrServiceUnavailable, codeFinal, 0, 0},
	{"UnknownParameter", "未知参数错误，用户多传未定义的参数会导致错误", "unknown parameter sent", ErrBadRequest, codeFinal, 0, 0},
	{"UnsupportedOperation", "操作不支持", "operation not supported", nil, codeFinal, 0, 0},
	{"UnsupportedProtocol", "请求协议错误，只支持 GET 和 POST", "unsupported HTTP method, only GET and POST", ErrBadRequest, codeFinal, 0, 0},
	{"UnsupportedRegion", "接口不支持所传地域", "the action does not support this region", ErrBadRequest, codeFinal, 0, 0},
}
