package kyctest

import "strings"

// The fake's own code facts, written from the manual's tables and not taken from the SDK's
// catalogue: the messages the service sends with the codes the fake can produce, and which
// WeChat-channel result codes are charged.

// serviceMessages are the Chinese messages of the manual's code tables: the App SDK / mobile H5
// table (docs/A-auth-sign-face.md §7.1, will docs/C-ocr-will-nfc-eid.md §9.2), the WeChat mini program / H5 table (docs/A-auth-sign-face.md §7.2, eID docs/C-ocr-will-nfc-eid.md §9.1), the
// NFC server table (docs/C-ocr-will-nfc-eid.md §9.3), the OCR tables (docs/C-ocr-will-nfc-eid.md §2.7, §3.4) and the API 3.0 errors (docs/C-ocr-will-nfc-eid.md §4.9), in the
// manual's Chinese (line numbers are lines of the manual's text extraction, docs/README.md).
var serviceMessages = map[string]string{
	// docs/A-auth-sign-face.md §7.1
	"66660004": "无法确认为同一人",
	"66660010": "姓名和身份证不一致，请确认",
	"-5008":    "声音未能识别，请大声慢读一遍数字",
	"-5018":    "未识别到指定动作",
	"-5023":    "光线太强，请到室内识别",
	"66660002": "服务不可用（已欠费或主动停服，请联系技术支持确认）",
	"66660003": "试用版最大刷脸次数已超",
	"66660005": "此证件信息不支持校验",
	"66660015": "姓名或身份证号格式不正确",
	"66660016": "视频或图片异常",
	"66660017": "验证次数超限",
	"66660018": "操作超时，请退出重试",
	"66660023": "疑似非真人，请确保本人操作且正脸对框",
	"66660035": "未识别到人脸，请确保正脸对框且清晰完整",
	"66660037": "照片出现多张脸",
	"66660041": "脸部有遮挡或闭眼，请重试",
	"66660044": "应用服务版本过低，请升级",
	"66660046": "比对源照片无法处理",
	"66662001": "无此授权结果",
	"66665001": "疑似非真人，请确保本人操作且正脸对框",
	"400600":   "微信下载视频失败，请重试",
	"400601":   "视频或图片异常",
	// docs/C-ocr-will-nfc-eid.md §9.2, will only (manual L21743-21745)
	"66666004": "音频文件下载失败，请重试",
	"66666006": "意愿表达结果不正确",
	"66666010": "当前订单识别结果不存在",
	// docs/C-ocr-will-nfc-eid.md §9.3, NFC server (manual L21755-21762)
	"66664002": "ocrCertId 已失效，请校验参数",
	"66664003": "请求频率过高，请稍后重试",
	"66664004": "该 reqId 不存在，请校验参数",
	"66664005": "reqId 已失效或不存在",
	"66664006": "网络不给力,请稍后重试",
	"66664007": "网络不给力,请稍后重试",
	// docs/C-ocr-will-nfc-eid.md §2.7, ID-card OCR (manual L13700-13712)
	"66660020": "OCR 结果查询不到",
	"66661001": "请调整角度，保持清晰",
	"66661003": "身份证已失效",
	"66661004": "身份证日期不正确",
	"66661005": "图像解码异常",
	"66661006": "非身份证人像面",
	"66661007": "非身份证国徽面",
	"66661008": "姓名或身份证号未能识别",
	"66661010": "格式有误",
	"66661012": "签发机关未能识别",
	"66661099": "处理失败",
	"300101":   "加解密失败",
	// docs/C-ocr-will-nfc-eid.md §3.4, bank-card OCR (manual L14898-14910)
	"-9011":    "银行卡识别失败",
	"-9012":    "银行卡图片模糊",
	"-9013":    "不是银行卡",
	"-9014":    "银行卡信息不合法",
	"-9110":    "无效的日期信息",
	"-9111":    "边框不完整",
	"-9112":    "银行卡反光",
	"-9113":    "银行卡复印件",
	"-9114":    "银行卡翻拍件",
	"66661009": "银行卡已过期",
	// docs/A-auth-sign-face.md §7.2 (WeChat channels; eID and will-WeChat share it, docs/C-ocr-will-nfc-eid.md §9.1, §9.2)
	"1":    "调用方式出错，请参考人脸核身 DetectAuth 文档进行调用",
	"2":    "调用方式出错，请参考人脸核身 DetectAuth 文档进行调用",
	"3":    "调用方式出错，请参考人脸核身 DetectAuth 文档进行调用",
	"4":    "服务异常，请稍后重试或联系客服人员",
	"8":    "服务异常，请稍后重试或联系客服人员",
	"10":   "服务异常，请稍后重试或联系客服人员",
	"12":   "服务异常，请稍后重试或联系客服人员",
	"13":   "服务异常，请稍后重试或联系客服人员",
	"14":   "本次校验已完成",
	"15":   "token 过期，请重试",
	"16":   "已达到重试上限",
	"17":   "本次流程未完成",
	"201":  "从微信拉取图片失败，请重试",
	"202":  "视频获取失败，请重试",
	"203":  "无此 API 调用权限",
	"301":  "当前认证人身份证号码与业务传入验证证件号码不符，请重新上传",
	"302":  "身份证已过期，请使用有效身份证进行核验",
	"303":  "扫描识别失败，请重新拍摄",
	"1001": "引擎超时，请稍后重试",
	"1002": "疑似非真人录制",
	"1003": "人脸识别验证未成功，请重试",
	"1004": "人脸验证失败，请重试",
	"1005": "人脸验证失败，请重试",
	"1006": "证照库出错，请重试",
	"1007": "未拉取微信活体结果或拉取微信活体结果失败",
	"2001": "引擎超时，请稍后重试",
	"2002": "姓名有误，请确认后重试",
	"2003": "身份证号有误，请确认后重试",
	"2004": "视频提取照片出错，请重试或更换手机进行验证",
	"2005": "未查询到身份信息，请通过其他渠道验证",
	"2006": "姓名和身份证号不匹配，请核实身份后重试",
	"2007": "未查询到照片信息，请通过其他渠道验证",
	"2008": "未查询到照片信息，请通过其他渠道验证",
	"2009": "查询到照片分辨率过低，请通过其他渠道验证",
	"2010": "脸部未完整露出，请保持正脸面对屏幕",
	"2011": "无法判断为同一人，请确认身份后重试（疑似非活体）",
	"2012": "检测到多张人脸，请保持验证视频中只有本人",
	"2013": "脸部未完整露出，请保持正脸面对屏幕",
	"2014": "视频像素太低无法检测，请更换手机进行验证",
	"2015": "无法判断为同一人，请确认身份后重试（比对失败）",
	"2016": "无法判断为同一人，请确认身份后重试（相似度未达到通过阈值）",
	"2017": "权威数据源升级中，请稍后再试",
	"2018": "操作过于频繁，请第二天0点后重试",
	// docs/C-ocr-will-nfc-eid.md §4.9, API 3.0 errors (manual L16421-16440), spelled as the service spells them
	// (docs/D-api3-actions.md §1.8, Tencent's SDK): the manual prints InternalServerError(.EncryptSystemError) and
	// InvalidParameter.UnsupportedEncryptField, which the service does not send.
	"InternalError.EncryptSystemError":       "加密失败。",
	"FailedOperation.EncryptSystemError":     "加密失败。",
	"InvalidParameter.UnsupportEncryptField": "存在不加密的字段，请参考文档修改。",
	"FailedOperation.DecryptSystemError":     "解密失败。",
	"FailedOperation.UnKnown":                "内部未知错误。",
	"InvalidParameter":                       "参数错误。",
	"InvalidParameterValue":                  "参数值错误。",
	"InvalidParameterValue.RuleIdDisabled":   "该 ruleid 已被您停用，请确认后重试。",
	"InvalidParameterValue.RuleIdNotExist":   "Ruleid 不存在，请到人脸核身控制台申请。",
	"InvalidParameterValue.BizTokenExpired":  "BizToken 过期。",
	"InvalidParameterValue.BizTokenIllegal":  "BizToken 不合法。",
	"UnauthorizedOperation.Arrears":          "账号已欠费。",
	"UnauthorizedOperation.NonAuthorize":     "账号未实名。",
	"UnauthorizedOperation.Nonactivated":     "未开通服务。",
	"InternalError":                          "内部错误。",
}

// serviceMessage is the message of code in the manual's tables, and false for a code they do
// not word in Chinese.
func serviceMessage(code string) (string, bool) {
	if m, ok := codeMessages[code]; ok {
		return m, true
	}
	m, ok := serviceMessages[code]
	return m, ok
}

// basicMessage is the Basic tables' wording of code: they drop "疑似非真人，" from 66660023 and
// 66665001 (docs/A-auth-sign-face.md §7.1).
func basicMessage(msg string) string { return strings.TrimPrefix(msg, "疑似非真人，") }

// wechatCharged reports whether the WeChat-channel tables charge result code for product p
// (docs/A-auth-sign-face.md §7.2, docs/B-h5-wechat-billing.md §6.4, docs/C-ocr-will-nfc-eid.md §9.1): 0, 2006 and 2016 for every product, eID included; 1002 for Plus
// only. A PC order runs the Basic product.
func wechatCharged(code string, p Product) bool {
	switch code {
	case "0", "2006", "2016":
		return true
	case "1002":
		return p == ProductPlus
	}
	return false
}
