// Package errtext gives every error the SDK's packages return one "kyc: " prefix: an error
// that wraps another of ours does not repeat the prefix that one has. The root package and
// the packages built on it (billing) share it, so that a user reads "kyc: " once per error
// whichever package produced it.
package errtext

import (
	"fmt"
	"strings"
)

// Prefix starts every error text of the SDK.
const Prefix = "kyc: "

// Bare is err's message without its leading Prefix, for embedding the text of one of our
// errors in another that has the prefix already.
func Bare(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(err.Error(), Prefix)
}

// wrapped adds context to an error without repeating its prefix.
type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }

// Wrapf returns an error reading "kyc: <context>: <err's text without its prefix>" that
// unwraps to err: use it, not fmt.Errorf("kyc: ...: %w"), when err may be one of ours.
func Wrapf(err error, format string, args ...any) error {
	return &wrapped{msg: Prefix + fmt.Sprintf(format, args...) + ": " + Bare(err), err: err}
}

// Unprefixed is err with its text's leading prefix dropped, for a second %w in a message that
// has the prefix already; it unwraps to err.
func Unprefixed(err error) error { return &wrapped{msg: Bare(err), err: err} }

// joined is errors.Join with one prefix: the texts of its errors without theirs, after one
// Prefix, separated by "; ".
type joined struct{ errs []error }

func (e *joined) Error() string {
	parts := make([]string, len(e.errs))
	for i, err := range e.errs {
		parts[i] = Bare(err)
	}
	return Prefix + strings.Join(parts, "; ")
}

func (e *joined) Unwrap() []error { return e.errs }

// Join joins the non-nil errs as errors.Join does (nil if there are none; errors.Is and
// errors.As see each), with one prefix.
func Join(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return &joined{errs: kept}
}
