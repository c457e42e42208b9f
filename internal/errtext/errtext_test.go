package errtext

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOnePrefix(t *testing.T) {
	inner := errors.New("kyc: rate limited")
	w := Wrapf(inner, "query %d", 3)
	require.Equal(t, "kyc: query 3: rate limited", w.Error())
	require.ErrorIs(t, w, inner)
	require.Equal(t, "kyc: outer: query 3: rate limited", Wrapf(w, "outer").Error())
	require.Equal(t, "rate limited", Unprefixed(inner).Error())
	require.ErrorIs(t, Unprefixed(inner), inner)
	require.Equal(t, "kyc: outer: context canceled", Wrapf(context.Canceled, "outer").Error(), "a foreign error keeps its text")
	require.Equal(t, "<nil>", Bare(nil))
}

func TestJoin(t *testing.T) {
	require.NoError(t, Join())
	require.NoError(t, Join(nil, nil))
	a, b := errors.New("kyc: a failed"), context.Canceled
	j := Join(nil, a, b)
	require.Equal(t, "kyc: a failed; context canceled", j.Error())
	require.ErrorIs(t, j, a)
	require.ErrorIs(t, j, b)
}
