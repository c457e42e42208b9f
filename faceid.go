package kyc

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Version is a face-verification product version. A faceId works only with the SDK of its own
// version (docs/A-auth-sign-face.md §1.1). Its value is SDKStart.Product's.
type Version string

// The three versions.
const (
	Plus     Version = "plus"     // Plus 版: getPlusFaceId, initPlusSdk
	Enhanced Version = "enhanced" // 增强版 ("Adv"): getAdvFaceId, initAdvSdk
	Basic    Version = "basic"    // 基础版: getfaceid, initSdk
)

// String returns "plus", "enhanced" or "basic", or Version("...") for another value.
func (v Version) String() string {
	switch v {
	case Plus, Enhanced, Basic:
		return string(v)
	}
	return fmt.Sprintf("Version(%q)", string(v))
}

// uploadEndpoint is the signer-table endpoint that mints a faceId for v.
func (v Version) uploadEndpoint() (string, bool) {
	switch v {
	case Plus:
		return endpointFaceIDPlus, true
	case Enhanced:
		return endpointFaceIDEnhanced, true
	case Basic:
		return endpointFaceIDBasic, true
	}
	return "", false
}

// PhotoType says what kind of comparison photo is uploaded (sourcePhotoType, docs/A-auth-sign-face.md §4.1).
type PhotoType string

// Photo types. Sending the wrong one lowers accuracy.
const (
	PhotoWatermarked PhotoType = "1" // 水纹正脸照: a frontal photo with a ripple watermark
	PhotoHD          PhotoType = "2" // 高清正脸照: a high-definition frontal photo
)

// MaxPhotoSize is the largest comparison photo the service takes, before base64 (docs/A-auth-sign-face.md §4.1).
const MaxPhotoSize = 500 << 10

// FaceService is face verification: uploads that mint a faceId, SDK start values, H5 login URLs,
// callback checks, result and photo queries. Reach it as Client.Face.
type FaceService struct {
	c *Client
}

// FaceIDRequest is the identity uploaded for one verification attempt. It prints redacted.
type FaceIDRequest struct {
	Version Version // Plus, Enhanced or Basic
	OrderNo string  // unique per attempt: 1-32 letters and digits; keep it, results are found by it
	UserID  string  // the user's stable id: 1-32 letters and digits; the SDK start must use the same
	// Name and IDNo, together, compare the face with the authoritative source. Leave both empty
	// to compare with Photo instead.
	Name string
	IDNo string
	// Photo is the partner's own comparison photo (JPG, PNG or BMP, at most 500 KB), sent
	// base64-encoded. It needs PhotoType.
	Photo     []byte
	PhotoType PhotoType
	// RealTimeOnly asks the mobile H5 journey for real-time detection without falling back to
	// video recording (liveInterType "1"; a browser that cannot do it ends with code 3005).
	RealTimeOnly bool
}

// String keeps the name, ID number and photo out of logs and error messages.
func (r FaceIDRequest) String() string {
	return fmt.Sprintf("FaceIDRequest{version: %s, orderNo: %s, name: REDACTED, idNo: REDACTED, photo: %d bytes}",
		r.Version, r.OrderNo, len(r.Photo))
}

// GoString keeps %#v redacted too.
func (r FaceIDRequest) GoString() string { return r.String() }

// LogValue keeps the name, ID number and photo out of structured logs.
func (r FaceIDRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("version", r.Version.String()), slog.String("orderNo", r.OrderNo),
		slog.Int("photoBytes", len(r.Photo)))
}

// FaceID is what an upload returns, and what the next step takes: SDKParams, H5LoginURL or
// PCLoginURL read the faceId, its version, orderNo and userId from it, so that they cannot be
// swapped or mismatched. FaceID lives 5 minutes and belongs to its version.
type FaceID struct {
	FaceID          string `json:"faceId"` // h5faceId for the PC upload
	OrderNo         string `json:"orderNo"`
	UserID          string `json:"userId"` // the upload's userId: the start and login must use the same
	BizSeqNo        string `json:"bizSeqNo"`
	TransactionTime string `json:"transactionTime"`
	OptimalDomain   string `json:"optimalDomain"` // host for the H5 login URL; may be empty
	// Version is the face upload's version (Plus, Enhanced or Basic); empty for a will upload
	// (WillService.GetFaceID).
	Version Version `json:"version,omitempty"`
	// PC marks an h5faceId from GetPCFaceID: it works with PCLoginURL only.
	PC    bool   `json:"pc,omitempty"`
	Nonce string `json:"-"` // the nonce the upload was signed with
	// ExpiresAt is when the faceId stops starting journeys: 5 minutes after the upload was
	// sent, by the client's clock (WithClock).
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// faceJourney checks that f is a face upload's FaceID (not nil, not a will one), from the PC
// upload when pc is true and from GetFaceID otherwise.
func faceJourney(f *FaceID, pc bool) error {
	switch {
	case f == nil:
		return invalidInput("faceId", "must not be nil: pass the FaceID the upload returned")
	case pc && !f.PC:
		return invalidInput("faceId", "must be GetPCFaceID's h5faceId (FaceID.PC)")
	case !pc && f.PC:
		return invalidInput("faceId", "is GetPCFaceID's h5faceId: it works with PCLoginURL only")
	case pc:
		return nil
	}
	if _, ok := f.Version.uploadEndpoint(); !ok {
		return invalidInput("version", "must be Plus, Enhanced or Basic (a face upload's FaceID)")
	}
	return nil
}

// GetFaceID uploads the identity for one attempt and returns the faceId (getPlusFaceId,
// getAdvFaceId or getfaceid). Everything is checked before sending. The call is resent only if
// it provably never reached the service: a faceId is minted once per orderNo.
func (s *FaceService) GetFaceID(ctx context.Context, req FaceIDRequest, opts ...CallOption) (*FaceID, error) {
	endpoint, ok := req.Version.uploadEndpoint()
	if !ok {
		return nil, invalidInput("version", "must be Plus, Enhanced or Basic")
	}
	p, err := identityParams(s.c.appID, req.OrderNo, req.UserID, req.Name, req.IDNo, req.Photo, req.PhotoType)
	if err != nil {
		return nil, err
	}
	cfg, err := startOptions(opts)
	if err != nil {
		return nil, err
	}
	if req.RealTimeOnly {
		p.set("liveInterType", "1")
	}
	p.set("version", APIVersion)
	p.set("nonce", cfg.nonce)
	face, err := s.c.upload(ctx, endpoint, p, nil, cfg.nonce, false)
	if err != nil {
		return nil, err
	}
	face.Version = req.Version
	return face, nil
}

// PCFaceIDRequest is the identity uploaded for a PC-browser journey (Basic, geth5faceid). It
// prints redacted.
type PCFaceIDRequest struct {
	OrderNo   string
	UserID    string
	Name      string // with IDNo: compare with the authoritative source
	IDNo      string
	Photo     []byte // or compare with this photo (JPG, PNG or BMP, at most 500 KB)
	PhotoType PhotoType
}

// String keeps the name, ID number and photo out of logs and error messages.
func (r PCFaceIDRequest) String() string {
	return fmt.Sprintf("PCFaceIDRequest{orderNo: %s, name: REDACTED, idNo: REDACTED, photo: %d bytes}", r.OrderNo, len(r.Photo))
}

// GoString keeps %#v redacted too.
func (r PCFaceIDRequest) GoString() string { return r.String() }

// LogValue keeps the name, ID number and photo out of structured logs.
func (r PCFaceIDRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("orderNo", r.OrderNo), slog.Int("photoBytes", len(r.Photo)))
}

// GetPCFaceID uploads the identity for a PC-browser journey and returns the h5faceId
// (geth5faceid), marked PC for PCLoginURL. Its signature covers seven values and no nonce
// (docs/B-h5-wechat-billing.md §4), so it takes no CallOption.
func (s *FaceService) GetPCFaceID(ctx context.Context, req PCFaceIDRequest) (*FaceID, error) {
	p, err := identityParams(s.c.appID, req.OrderNo, req.UserID, req.Name, req.IDNo, req.Photo, req.PhotoType)
	if err != nil {
		return nil, err
	}
	p.set("version", APIVersion)
	face, err := s.c.upload(ctx, endpointFaceIDPC, p, nil, "", false)
	if err != nil {
		return nil, err
	}
	face.Version, face.PC = Basic, true
	return face, nil
}

// SDKStart is what the app hands to the face SDK (docs/A-auth-sign-face.md §6.1): marshal it to JSON in a handler.
// The names follow iOS and Harmony; Android calls them agreementNo, openApiAppId,
// openApiAppVersion, openApiNonce, openApiUserId and openApiSign. Sign is made with a fresh
// NONCE ticket for UserID: single use, valid 120 seconds.
type SDKStart struct {
	Product    string `json:"product"` // "plus", "enhanced", "basic", "idcard-ocr", "bankcard-ocr", "will" or "nfc": which SDK entry point to call
	FaceID     string `json:"faceId"`
	OrderNo    string `json:"orderNo"`
	AppID      string `json:"appId"`
	Version    string `json:"version"` // the API version, "1.0.0"
	Nonce      string `json:"nonce"`
	UserID     string `json:"userId"`
	Sign       string `json:"sign"`
	VerifyMode string `json:"verifyMode,omitempty"` // Android FaceVerifyStatus.Mode: "GRADE"
	Licence    string `json:"licence,omitempty"`    // keyLicence / licence, from WithSDKLicence (see ForPlatform)
	// OCRCertID is the NFC SDK's ocrCertId (openApiOcrCertId), from NFCService.GetCertID.
	OCRCertID string `json:"ocrCertId,omitempty"`
	// ExpiresAt is when the app must have started the SDK: 120 seconds after the NONCE ticket
	// was asked for, or earlier when the faceId or ocrCertId expires first.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`

	licences licences // every platform's licence, when they differ (ForPlatform picks one)
	platform Platform // set by ForPlatform
}

// SDKParams returns the start values for the face SDK of face's version, for the faceId,
// orderNo and userId GetFaceID returned in face, signed with a new NONCE ticket for that userId.
// Call it for every start: the ticket is single use.
func (s *FaceService) SDKParams(ctx context.Context, face *FaceID, opts ...CallOption) (*SDKStart, error) {
	if err := faceJourney(face, false); err != nil {
		return nil, err
	}
	// An empty faceId would start the Basic iOS SDK in liveness-only mode (docs/A-auth-sign-face.md §6.1), a check
	// that compares the face with nothing: refused, the reading that fails safe.
	if err := checkAlnumID("faceId", face.FaceID, maxFaceIDLen); err != nil {
		return nil, err
	}
	start, err := s.c.sdkStart(ctx, s.c.primary, endpointFaceSDKStart, face.Version.String(), face.OrderNo, face.UserID, face.FaceID, opts)
	return start.capExpiry(face.ExpiresAt), err
}

// H5From says where a mobile H5 journey starts (the login URL's "from").
type H5From string

// Where a mobile H5 journey starts.
const (
	FromApp     H5From = "app"     // inside an App's WebView (the manual's default)
	FromBrowser H5From = "browser" // in a browser, e.g. from an SMS link
)

// H5LoginRequest describes one mobile-H5 login (docs/B-h5-wechat-billing.md §3.2).
type H5LoginRequest struct {
	// Face is what GetFaceID (Plus or Enhanced) returned: its faceId, orderNo, userId and
	// optimalDomain (empty means the API host) go into the URL.
	Face        *FaceID
	CallbackURL string // where the browser returns with the result (absolute http or https URL, at most 1,024 bytes)
	From        H5From // FromApp (default) or FromBrowser
	// SkipResultPage goes straight to CallbackURL without the service's result page
	// (resultType "1").
	SkipResultPage bool
	// ReplaceHistory makes the face page navigate with location.replace (redirectType "1").
	ReplaceHistory bool
}

// H5LoginURL returns the /api/web/login URL for a mobile-H5 journey, signed with a new NONCE
// ticket. The signature is single use: answer the browser with a 302 to it; never put it in a
// page as a link, which browsers may prefetch (docs/B-h5-wechat-billing.md §3.2).
func (s *FaceService) H5LoginURL(ctx context.Context, req H5LoginRequest, opts ...CallOption) (string, error) {
	if err := faceJourney(req.Face, false); err != nil {
		return "", err
	}
	from := req.From
	switch from {
	case "":
		from = FromApp
	case FromApp, FromBrowser:
	default:
		return "", invalidInput("from", `must be "app" or "browser"`)
	}
	// The documented example's order: ..., url, from, userId, sign, then the optional flags.
	pre, post := params{{"from", string(from)}}, params{}
	if req.SkipResultPage {
		post.set("resultType", "1")
	}
	if req.ReplaceHistory {
		post.set("redirectType", "1")
	}
	f := req.Face
	return s.c.loginURL(ctx, s.c.primary, endpointH5Login, "faceId", f.FaceID, f.OrderNo, f.UserID,
		f.OptimalDomain, req.CallbackURL, pre, post, opts)
}

// PCLoginRequest describes one PC-browser login (Basic, docs/B-h5-wechat-billing.md §4).
type PCLoginRequest struct {
	// Face is what GetPCFaceID returned: its h5faceId, orderNo, userId and optimalDomain go
	// into the URL.
	Face        *FaceID
	CallbackURL string
}

// PCLoginURL returns the /api/pc/login URL for a PC-browser journey, signed with a new NONCE
// ticket. Like H5LoginURL, hand it out with a 302, never as a link.
func (s *FaceService) PCLoginURL(ctx context.Context, req PCLoginRequest, opts ...CallOption) (string, error) {
	if err := faceJourney(req.Face, true); err != nil {
		return "", err
	}
	f := req.Face
	return s.c.loginURL(ctx, s.c.primary, endpointPCLogin, "h5faceId", f.FaceID, f.OrderNo, f.UserID,
		f.OptimalDomain, req.CallbackURL, nil, nil, opts)
}
