package kyc

import "slices"

// Test-only exports: limits and lifetimes the SDK enforces itself, which users learn from the
// *InputError (or the doc comments) rather than from exported names, but which the external
// tests (package kyc_test) size their inputs and clocks by.
const (
	MaxWillRounds        = maxWillRounds
	MaxWillQuestion      = maxWillQuestion
	MaxWillQuestionTotal = maxWillQuestionTotal
	MaxWillAnswer        = maxWillAnswer
	MaxWillMidAnswer     = maxWillMidAnswer
	NFCCertIDLifetime    = nfcCertIDLifetime
	NFCReqIDWindow       = nfcReqIDWindow
	NFCReqIDMaxQueries   = nfcReqIDMaxQueries
	BizTokenLifetime     = bizTokenLifetime
	EIDTokenLifetime     = eidTokenLifetime
	BillMaxAgeDays       = billMaxAgeDays
)

// BillAvailableAt is billAvailableAt.
var BillAvailableAt = billAvailableAt

// Codes returns the whole catalogue, sorted by Code.
func Codes() []CodeInfo { return slices.Clone(codeList) }
