package kyctest

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every exported error reads "kyctest: ..." and is told apart from the others by errors.Is.
func TestErrorsArePrefixedAndDistinct(t *testing.T) {
	all := []error{ErrUnknownApp, ErrBadSignature, ErrTicketExpired, ErrTicketUsed, ErrWrongUser,
		ErrUnknownOrder, ErrFaceIDExpired, ErrOrderCompleted, ErrUnknownOutcome, ErrNoH5, ErrNoSignTicket,
		ErrBadPartnerURL, ErrUnknownBizToken, ErrBizTokenExpired, ErrDetectFinished, ErrUnknownEidToken,
		ErrEidTokenExpired, ErrEidFinished, ErrUnknownRule}
	for i, e := range all {
		require.True(t, strings.HasPrefix(e.Error(), "kyctest: "), e.Error())
		require.False(t, strings.HasPrefix(e.Error(), "kyctest: kyctest:"), e.Error())
		for j, o := range all {
			require.Equal(t, i == j, errors.Is(e, o), "%v vs %v", e, o)
		}
	}
	require.Equal(t, "kyctest: no such order", ErrUnknownOrder.Error())
}

// Both code tables give their own text, and the service's generic 请求失败 to a code they lack.
func TestCodeTextsFallBackToTheGenericText(t *testing.T) {
	require.Equal(t, "请求参数异常", codeMsg("66660000"))
	require.Equal(t, "请求失败", codeMsg("12345"))
	require.Equal(t, "不一致", textOf(chkDescriptions, "1"))
	require.Equal(t, "请求失败", textOf(chkDescriptions, "-99"))
}
