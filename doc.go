// Package kyc is a client for the server side of Tencent Cloud / WeBank face identity
// verification (人脸核身): the kyc1 partner API and the API 3.0 actions around it.
//
// # Tickets
//
// Every kyc1 signature is made with a ticket. The SIGN ticket (reusable, 60 minutes) signs the
// calls the partner backend makes itself (uploads, result queries) and the callbacks it
// receives; it is fetched with the access token and lives and dies with it, so the two are kept
// as one unit (see [Client.SignTicket]). The NONCE ticket (single use, 120 seconds, bound to a
// user) signs what the app or the browser presents to start a verification (see
// [Client.NonceTicket]); a new one is needed for every start.
//
// # Signatures
//
// [Sign] implements the manual's rule. [SignRuleFor] names, per endpoint, the fields signed and
// the ticket type: uploads and queries use the SIGN ticket over appId, userId or orderNo, nonce
// and version; SDK starts and H5 logins use a NONCE ticket; the PC-H5 upload signs seven values
// and no nonce; callbacks are signed over appId, orderNo and code with the SIGN ticket.
//
// # Errors
//
// Answers with a non-zero code are [*APIError]; match classes with errors.Is ([ErrBusy],
// [ErrInvalidSignature], [ErrNoResult], ...). [LookupCode] explains a code and tells whether it
// is billed.
//
// # Tests
//
// Package kyctest is a fake service for offline tests: kyctest.NewServer, then New with
// WithBaseURL(srv.URL) and WithClock(srv.Clock).
package kyc
