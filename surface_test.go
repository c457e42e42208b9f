package kyc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
)

// TestShieldTagsByNumber pins the AI-shield tags to the manual's numbers (docs/A-auth-sign-face.md §5.2): users
// test a tag by its number, so tag n must carry the n-th wording. The table is the manual's,
// written here, not read from the SDK.
func TestShieldTagsByNumber(t *testing.T) {
	manual := []string{"用户全程闭眼", "用户未完成指定动作", "疑似翻拍攻击", "疑似合成攻击", "疑似黑产模版",
		"疑似存在水印", "反光校验未通过", "出现多张人脸", "人脸质量过差", "距离校验不通过", "疑似对抗样本攻击",
		"脸部区域疑似存在攻击痕迹"}
	risk := kyc.RiskInfo{LivenessInfoTag: "01|02|03|04|05|06|07|08|09|10|11|12|13"}
	tags, unknown := risk.ShieldTags()
	require.Equal(t, []string{"13"}, unknown, "13 is not a documented tag")
	require.Len(t, tags, len(manual))
	for i, tag := range tags {
		require.Equal(t, kyc.ShieldTag(i+1), tag)
		require.Equal(t, manual[i], tag.Chinese(), "tag %d", i+1)
		byText, _ := (&kyc.RiskInfo{LivenessInfoTag: manual[i]}).ShieldTags()
		require.Equal(t, []kyc.ShieldTag{kyc.ShieldTag(i + 1)}, byText, "the wording reads as tag %d", i+1)
	}
	require.Equal(t, "suspected re-capture attack", kyc.ShieldTag(3).String())
}

// TestBankWarningsByCode pins the documented bank-card warning codes (docs/C-ocr-will-nfc-eid.md §3.4): users test
// a warning by its code, so each documented code must be Known and described.
func TestBankWarningsByCode(t *testing.T) {
	for code, text := range map[kyc.BankCardWarning]string{
		"-9110": "invalid date information", "-9111": "card border incomplete", "-9112": "glare or reflection",
		"-9113": "photocopy", "-9114": "re-capture of a screen or photo", "66661009": "card expired",
	} {
		require.True(t, code.Known(), code)
		require.Equal(t, text, code.String())
	}
}
