package kyctest

// The package's exported errors, in one place, all of one string type, constError, whose texts
// begin "kyctest: ". None of them, nor anything wrapping them, contains personal data, a
// ticket, a token or a signature.

// Errors of CheckNonceSignature and of the server's own signature checks. They are constants
// of a string error type, so that nothing can reassign them.
const (
	// ErrUnknownApp: the appId is not registered with this server.
	ErrUnknownApp = constError("unknown appId")
	// ErrBadSignature: no ticket of the app produces the signature from the values given.
	ErrBadSignature = constError("signature does not verify")
	// ErrTicketExpired: the signature was made with a ticket that has expired, was replaced
	// more than the overlap ago, or was revoked.
	ErrTicketExpired = constError("ticket expired or revoked")
	// ErrTicketUsed: the NONCE ticket has already been used (they are single use).
	ErrTicketUsed = constError("NONCE ticket already used")
	// ErrWrongUser: the NONCE ticket was minted for another user_id.
	ErrWrongUser = constError("NONCE ticket was minted for another user_id")
)

// constError is the type of the package's errors: the constants above, and the values of the
// variables below (variables because they were declared so first; their texts are all different,
// so no two of them are equal).
type constError string

func (e constError) Error() string { return "kyctest: " + string(e) }

// Errors of Complete and CallbackURL (kyc1 orders) and of the API 3.0 test controls
// (CompleteDetect, StartEid, CompleteEid, SeedBill).
var (
	// ErrUnknownOrder: no upload minted a faceId for that orderNo.
	ErrUnknownOrder error = constError("no such order")
	// ErrFaceIDExpired: the order's faceId is more than FaceIDLifetime old on the Clock.
	ErrFaceIDExpired error = constError("faceId expired")
	// ErrOrderCompleted: the order already has an outcome (a faceId serves one attempt).
	ErrOrderCompleted error = constError("order already completed")
	// ErrUnknownOutcome: the Outcome is not one of the Outcome constants.
	ErrUnknownOutcome error = constError("unknown outcome")
	// ErrNoH5: the order is a Basic (App SDK) order, which has no H5 journey.
	ErrNoH5 error = constError("Basic (App SDK) orders have no H5 journey")
	// ErrNoSignTicket: the app has no live SIGN ticket to sign the H5 callback with.
	ErrNoSignTicket error = constError("the app has no live SIGN ticket to sign the callback")
	// ErrBadPartnerURL: the partner callback URL is not an absolute URL.
	ErrBadPartnerURL error = constError("the partner url is not an absolute URL")

	// ErrUnknownBizToken: no DetectAuth minted this BizToken.
	ErrUnknownBizToken error = constError("no such BizToken")
	// ErrBizTokenExpired: the BizToken is more than BizTokenLifetime old on the Clock.
	ErrBizTokenExpired error = constError("BizToken expired")
	// ErrDetectFinished: the journey already passed; a passed BizToken takes no more attempts.
	ErrDetectFinished error = constError("the journey already passed")
	// ErrUnknownEidToken: no GetEidToken minted this EidToken.
	ErrUnknownEidToken error = constError("no such EidToken")
	// ErrEidTokenExpired: the EidToken is more than EidTokenLifetime old on the Clock.
	ErrEidTokenExpired error = constError("EidToken expired")
	// ErrEidFinished: the eID journey is already finished.
	ErrEidFinished error = constError("the eID journey is already finished")
	// ErrUnknownRule: the RuleId was not registered (WithRule).
	ErrUnknownRule error = constError("no such RuleId")
)
