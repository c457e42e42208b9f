// Package kyc is a client for the server side of Tencent Cloud / WeBank face identity
// verification (人脸核身): the kyc1 partner API (https://kyc1.qcloud.com) and the Tencent Cloud
// API 3.0 actions around it. Create one Client per appId with New (or NewCloud for the API 3.0
// channels only) and share it: it is safe for concurrent use.
//
// # Which journey needs which calls
//
// App SDK (face, Plus / Enhanced / Basic): upload the identity with FaceService.GetFaceID (a
// faceId valid 5 minutes, one per attempt, with a fresh orderNo), hand the app the values of
// FaceService.SDKParams (it takes the FaceID GetFaceID returned, so its faceId, version,
// orderNo and userId cannot be mixed up), and after the SDK's callback read the verdict with
// FaceService.QueryResult; fetch evidence separately with QueryResult's media choices,
// QueryResultTo (streamed to writers) or WaitForMedia, and the scan's photos with QueryPhotos.
//
// Mobile H5 (Plus, Enhanced): GetFaceID, then answer the browser with a 302 to
// FaceService.H5LoginURL (never a link in a page: a prefetch spends the one-time signature);
// the browser returns to your callback, which FaceService.VerifyCallbackRequest checks; confirm
// with QueryResult. PC H5 (Basic): FaceService.GetPCFaceID, FaceService.PCLoginURL,
// VerifyCallbackRequest, QueryResult.
//
// OCR: OCRService.IDCardSDKParams or BankCardSDKParams for the app (no upload), then
// OCRService.IDCardResult or BankCardResult. OCR may use its own appId (WithOCRCredentials).
//
// Will verification (意愿核身): WillService.GetFaceID with the prompts, WillService.SDKParams or
// WillService.H5LoginURL, WillService.VerifyCallback for H5, WillService.QueryResult.
//
// NFC (实证): NFCService.GetCertID, NFCService.SDKParams (with the ocrCertId), then
// NFCService.QueryResult, which decrypts the reading with the key of WithNFCKey.
//
// WeChat mini program and WeChat H5 (API 3.0, WithCloudCredentials): DetectService.Auth mints a
// BizToken, DetectService.InfoEnhanced reads the result; eID: EIDService.Token, Result,
// WaitTokenStatus. Billing: BillingService.Day pages a day's bill; package
// github.com/kycgo/kyc/billing compares it with the details saved from InfoEnhanced (Reconcile)
// and pulls unfinished BizTokens (Sweeper). Will verification on these channels:
// DetectAuthRequest's IntentionQuestions, IntentionActions and Config, EIDTokenConfig, and the
// Intention results (PartIntention). WithCloudEncryption sends names and ID numbers encrypted;
// WithCloudCredentialsProvider rotates temporary credentials (providers in package
// github.com/kycgo/kyc/credentials: environment, STS AssumeRole, CVM role).
//
// Element and face checks (API 3.0, billed per call: name + ID number, bank card, mobile number,
// liveness, photo comparison, the AI face shield): package github.com/kycgo/kyc/checks, typed
// calls for the 20 actions of the manual's billing chapter. Any other faceid action:
// Client.CallCloud (the command: kyc call ACTION --json '{...}').
//
// # Which ticket signs what
//
// Every kyc1 signature (Sign) is made with a ticket. The SIGN ticket (reusable, 60 minutes)
// signs the calls the backend makes itself (uploads, result queries) and the H5 callbacks it
// receives; it is fetched with the access token and lives and dies with it, so the two are kept
// as one unit (Client.SignTicket, Client.Tickets). The NONCE ticket (single use, 120 seconds,
// bound to a user) signs what the app or the browser presents to start: SDK start values and H5
// login URLs (Client.NonceTicket). One internal table names, per endpoint, the fields signed and the
// ticket type: uploads sign appId, userId, nonce and version (the NFC upload signs orderNo
// instead of userId); queries sign appId, orderNo, nonce and version; the PC-H5 upload signs
// seven values and no nonce; callbacks are signed over appId, orderNo and code. The API 3.0
// actions are signed with TC3-HMAC-SHA256 instead, from a SecretId and SecretKey.
//
// # Tickets across instances
//
// A token fetch leaves the previous token about a minute of life, so every process that uses
// an appId must share one unit: pass one TicketStore to every client (MemoryStore within a
// process, FileStore across the processes of a host, the redisstore module across hosts).
//
// # Observability
//
// WithObserver receives metadata of every call (operation, attempts, code, outcome class,
// duration), ticket refreshes, stale-ticket retries and store errors, never a value; the
// separate module github.com/kycgo/kyc/kycotel makes OpenTelemetry spans and metrics of them.
//
// # Errors
//
// Answers with a non-zero code are *APIError; match classes with errors.Is (ErrBusy,
// ErrInvalidSignature, ErrNoResult, ErrVerificationFailed, ...). Requests refused before
// sending are *InputError (ErrInvalidInput). LookupCode explains a code and tells whether it is
// billed. No error or log line carries a secret, a ticket, a name, an ID number or media.
//
// The codes an app reports (its face, will, OCR or NFC SDK's error) mean what that platform's
// SDK table says: ask IOS.LookupCode("42000"), not LookupCode; FaceService.ResultQueryable says
// from the error's domain whether a result can be queried at all. CodeInfo.Meanings lists every
// table's meaning of a code several tables use.
//
// # Tests
//
// Package kyctest is a fake service for offline tests: kyctest.NewServer, then New with
// WithBaseURL(srv.URL) (WithCloudEndpoint(srv.URL) for API 3.0) and WithClock(srv.Clock).
package kyc
