package kyc

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kycgo/kyc/internal/errtext"
)

// Error classes, matched with errors.Is. An *APIError matches the class its code belongs to in
// the code catalogue (LookupCode); local failures wrap the class that describes them.
//
// Their texts carry no "kyc: " prefix: they are always returned wrapped in an error that has
// exactly one ("kyc: getPlusFaceId: malformed response: ..."), as Go error texts read.
var (
	// ErrInvalidInput: a request was refused before anything was sent.
	ErrInvalidInput = errors.New("invalid input")
	// ErrInvalidSignature: the service refused a signature or a ticket (400101 and its kin).
	ErrInvalidSignature = errors.New("signature or ticket refused")
	// ErrRateLimited: too many requests (400506, 66664003, RequestLimitExceeded).
	ErrRateLimited = errors.New("rate limited")
	// ErrBusy: the service is busy or failed internally; the call may be retried (999999 ...).
	ErrBusy = errors.New("service busy")
	// ErrNoResult: there is no result for this order (66660011 and kin).
	ErrNoResult = errors.New("no result")
	// ErrExpired: something timed out or expired: a faceId, a token, a ticket unit.
	ErrExpired = errors.New("expired")
	// ErrNotWhitelisted: the caller's IP address is not on the service's list (400103).
	ErrNotWhitelisted = errors.New("IP not whitelisted")
	// ErrServiceUnavailable: the account cannot use the service (arrears, not activated).
	ErrServiceUnavailable = errors.New("service unavailable for this account")
	// ErrBadRequest: the service says the request is malformed (66660000, 400106, InvalidParameter).
	ErrBadRequest = errors.New("request refused as malformed")
	// ErrVerificationFailed: the verification ran and did not pass (not the same person, name
	// and ID mismatch, suspected spoof). Usually billed.
	ErrVerificationFailed = errors.New("verification did not pass")
	// ErrBadResponse: the service answered with something this package cannot decode, or an
	// answer that is incomplete, about another order, or hands on a malformed identifier.
	ErrBadResponse = errors.New("malformed response")
	// ErrMediaNotReady: the verdict is there but media asked for (a photo, a video, will audio,
	// card images) is still missing after the media wait (WithMediaWait). It also matches
	// ErrNoResult.
	ErrMediaNotReady error = &subclassError{msg: "media not ready", parent: ErrNoResult}
	// ErrUnauthorized: the service refused the appId and secret themselves: the access-token
	// request, which carries nothing else, was answered with a refusal (400101, 400102, 400105).
	// Check the appId and secret passed to New (a secret changed in the console counts).
	ErrUnauthorized = errors.New("appId or secret refused")
	// ErrClosed: the client was closed (Client.Close); make a new one.
	ErrClosed = errors.New("client closed")
)

// subclassError is a sentinel that also matches a broader class with errors.Is.
type subclassError struct {
	msg    string
	parent error
}

func (e *subclassError) Error() string { return e.msg }

// Unwrap makes errors.Is(err, parent) true for errors wrapping the sentinel.
func (e *subclassError) Unwrap() error { return e.parent }

// APIError is a non-zero answer from the service. It never carries a secret, a ticket, an access
// token, a signature pre-image, a name, an ID number or a response body.
type APIError struct {
	Op              string // the endpoint or action, e.g. "getPlusFaceId" or "DetectAuth"
	Code            string // the service's code as a string: "66660004", "-5008", "FailedOperation.X"
	Msg             string // the service's message, as sent
	BizSeqNo        string // kyc1 business serial number, for support tickets
	OrderNo         string
	TransactionTime string // yyyyMMddHHmmss, the service's clock
	HTTPStatus      int
	RequestID       string // API 3.0 RequestId
}

// Error formats the code and what the catalogue says it means; the service's own message is
// used only for codes the catalogue does not know, and then shortened.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("kyc: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Code == "" {
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		return b.String()
	}
	b.WriteString("code ")
	b.WriteString(e.Code)
	if e.credentialsRefused() {
		b.WriteString(" (appId or secret refused: check both; a secret changed in the console counts)")
	} else if info, ok := meaningFor(e.Op, e.Code); ok && info.EN != "" {
		b.WriteString(" (")
		b.WriteString(info.EN)
		b.WriteString(")")
	} else if m := strings.TrimSpace(e.Msg); m != "" {
		b.WriteString(" (")
		b.WriteString(truncateRunes(m, 80))
		b.WriteString(")")
	}
	if e.Code == codeIllegalRequest && mintingEndpoints[e.Op] {
		b.WriteString(": an upload answered so was most likely sent with an orderNo used before; every upload needs a new orderNo")
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
		b.WriteString(", HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
	}
	if e.BizSeqNo != "" {
		b.WriteString(", bizSeqNo ")
		b.WriteString(e.BizSeqNo)
	}
	if e.RequestID != "" {
		b.WriteString(", requestId ")
		b.WriteString(e.RequestID)
	}
	return b.String()
}

// Is reports whether target is the class of e's code.
func (e *APIError) Is(target error) bool {
	if target == nil {
		return false
	}
	if e.Code == "" { // an HTTP failure without a kyc1 answer
		switch {
		case e.HTTPStatus == 429:
			return target == ErrRateLimited
		case e.HTTPStatus >= 500:
			return target == ErrBusy
		}
		return false
	}
	if e.credentialsRefused() {
		return target == ErrUnauthorized
	}
	if info, ok := meaningFor(e.Op, e.Code); ok && info.Sources[0] != srcService {
		return info.Class == target // the meaning of the operation's own table
	}
	return classOf(e.Code) == target
}

// credentialCodes are the refusals that, answered to the access-token request, can only be about
// the appId and secret: that request carries no signature and no ticket. The manual names no
// code for a wrong secret (kyctest answers 400105); reading all three as a credentials refusal is
// the safe choice: a caller who matches ErrInvalidSignature would otherwise refresh tickets in a
// loop that cannot succeed. 400104 (no privilege) keeps its class: the account lacks a right.
var credentialCodes = map[string]bool{"400101": true, "400102": true, "400105": true}

func (e *APIError) credentialsRefused() bool {
	return e.Op == endpointAccessToken && credentialCodes[e.Code]
}

// codeIllegalRequest (400106, 不合法请求) is what an upload with a reused orderNo gets. The manual
// names no code for a reused orderNo ("每次唯一", docs/A-auth-sign-face.md note 33); kyctest answers 400106, the
// catalogue's code for a well-formed request that may not be made, and the message says so.
const codeIllegalRequest = "400106"

// mintingEndpoints are the kyc1 uploads that mint an id for an orderNo.
var mintingEndpoints = map[string]bool{
	endpointFaceIDPlus: true, endpointFaceIDEnhanced: true, endpointFaceIDBasic: true, endpointFaceIDPC: true,
	endpointWillFaceID: true, endpointNFCCertID: true,
}

// Retryable reports whether the catalogue says the same request may be sent again.
func (e *APIError) Retryable() bool {
	info, ok := LookupCode(e.Code)
	return ok && info.Retryable
}

// staleTicketCodes are the answers that mean the SIGN ticket or access token we used is no longer
// accepted (docs/A-auth-sign-face.md §7.1 and the OAUTH_* codes of the OCR SDK table, manual L12946-12950). On one
// of these the ticket unit that signed the call is dropped and the call is retried once. 400104
// (no privilege) is not in the list: a new ticket would not change it.
var staleTicketCodes = map[string]bool{"400101": true, "400102": true, "400105": true}

func isStaleTicket(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && staleTicketCodes[ae.Code]
}

// InputError is a request refused before sending: Field names the wire field, Reason says why.
// It matches ErrInvalidInput. It never quotes the value.
type InputError struct {
	Field  string
	Reason string
}

// Error names the field and the reason, never the value.
func (e *InputError) Error() string { return "kyc: invalid " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Unwrap() error { return ErrInvalidInput }

func invalidInput(field, reason string) error { return &InputError{Field: field, Reason: reason} }

// The root package's names for the helpers of internal/errtext, which keep one "kyc: " prefix
// per error across the SDK's packages.

// bareText is err's message without its leading "kyc: ".
func bareText(err error) string { return errtext.Bare(err) }

// wrapf returns an error reading "kyc: <context>: <err's text without its prefix>" that unwraps
// to err: use it, not fmt.Errorf("kyc: ...: %w"), when err may come from this package.
func wrapf(err error, format string, args ...any) error { return errtext.Wrapf(err, format, args...) }

// bare is err with its text's leading "kyc: " dropped, for a second %w in a message that has
// the prefix already; it unwraps to err.
func bare(err error) error { return errtext.Unprefixed(err) }

// joinErrors joins the non-nil errs as errors.Join does, with one "kyc: " prefix.
func joinErrors(errs ...error) error { return errtext.Join(errs...) }

// truncateRunes cuts s to n runes, marking a cut with an ellipsis.
func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

// ErrUntrustedFile marks a FileStore directory or file that someone other than the process's
// user could have written (or, for a file, read): FileStore refuses it rather than use it.
var ErrUntrustedFile = errors.New("refused as untrusted")

// ErrDecrypt: an NFC result (nfcEnResult) did not decrypt with the configured key into the
// documented JSON: the key is wrong, or the ciphertext is corrupt. Nothing of the plaintext is
// returned or quoted.
var ErrDecrypt = errors.New("NFC result does not decrypt with the configured key")

// ErrLeaseHeld is returned by TicketStore.Lease when another instance is refreshing.
var ErrLeaseHeld = errors.New("kyc: ticket refresh lease held elsewhere")

// ErrUnitSuperseded is returned by TicketStore.Save when it refuses a unit because a newer one
// is stored, or because a newer lease was granted after the unit's own.
var ErrUnitSuperseded = errors.New("kyc: a newer ticket unit or refresh lease exists in the store")

// errWriter marks a failure of the caller's writer: resending would not help.
var errWriter = errors.New("writing media")

var errMediaTooLarge = errors.New("media exceeds the body size limit")

// errOverCap marks a streamed answer refused for its size (WithMaxBodySize).
var errOverCap = errors.New("over the size limit")
