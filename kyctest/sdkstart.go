package kyctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The App SDK login (docs/A-auth-sign-face.md §6.1, docs/C-ocr-will-nfc-eid.md §2.3, §5.3, §6.3): an app hands the start values its partner
// backend made to one of the SDK's entry points, and the SDK's login asks the service to accept
// them. StartSDK plays that login: the values must be well formed, the NONCE signature must
// verify (the ticket is then spent), and the faceId (or ocrCertId) must belong to the orderNo,
// the userId and the entry point it is presented with: "a faceId works only with the SDK of its
// own version ... otherwise login fails" (docs/A-auth-sign-face.md §1.1, docs/A-auth-sign-face.md §8 item 16).

// SDKEntry is the SDK entry point an app calls. The values are those of the "product" field of
// the start values the kyc SDK hands out, so a test can pass that JSON to StartSDKJSON as is.
type SDKEntry string

// The SDK entry points (docs/A-auth-sign-face.md §1.1; C 2, 3, 5.3, 6.3).
const (
	SDKPlus         SDKEntry = "plus"         // initPlusSdk: a Plus faceId
	SDKEnhanced     SDKEntry = "enhanced"     // initAdvSdk: an Enhanced faceId
	SDKBasic        SDKEntry = "basic"        // initSdk: a Basic (getfaceid) faceId
	SDKWill         SDKEntry = "will"         // the will SDK: a getWillFaceId faceId
	SDKIDCardOCR    SDKEntry = "idcard-ocr"   // the OCR SDK, ID-card mode: no faceId
	SDKBankCardOCR  SDKEntry = "bankcard-ocr" // the OCR SDK, bank-card mode: no faceId
	SDKNFC          SDKEntry = "nfc"          // the NFC SDK: an ocrCertId
	sdkEntryUnknown SDKEntry = ""
)

// SDKStart is what the app hands the SDK: the values of the manual's InputData tables under
// their iOS and Harmony names (Android's agreementNo, openApiAppId, ... carry the same values).
// Its fields repeat the SDK's own start values (faceid.go) on purpose: a deliberate independent
// copy, read from the manual, as kyctest never imports the SDK's types.
type SDKStart struct {
	Entry     SDKEntry `json:"product"` // which entry point the app calls
	FaceID    string   `json:"faceId"`
	OrderNo   string   `json:"orderNo"`
	AppID     string   `json:"appId"`
	Version   string   `json:"version"` // the API version, "1.0.0"
	Nonce     string   `json:"nonce"`
	UserID    string   `json:"userId"`
	Sign      string   `json:"sign"`
	OCRCertID string   `json:"ocrCertId"` // NFC only
}

// Codes of a refused SDK login. The login passes the service's code through (domain
// LoginServer, docs/A-auth-sign-face.md §6.3).
const (
	// CodeSDKBadParams: a value is missing or malformed (66660000, 请求参数异常).
	CodeSDKBadParams = "66660000"
	// CodeSDKBadSign: the NONCE signature does not verify, or its ticket is used, expired or
	// another user's (400101, 签名校验不通过).
	CodeSDKBadSign = "400101"
	// CodeSDKMismatch: the faceId (or ocrCertId) is not the one minted for this orderNo, this
	// userId and this entry point (400106, 不合法请求). The manual only says "login fails"; it
	// names no code. 400106 is its code for a well-formed request that may not be made, the one
	// the H5 pages show for a faceId of another order, user or product.
	CodeSDKMismatch = "400106"
	// CodeSDKExpired: the faceId or ocrCertId is more than 5 minutes old, or its order is
	// finished (66660018, 操作超时，请退出重试).
	CodeSDKExpired = "66660018"
)

// ErrSDKMismatch: the faceId (or ocrCertId) does not belong with the orderNo, userId or entry
// point it was presented with.
var ErrSDKMismatch = errors.New("kyctest: faceId does not belong to this order, user or SDK")

// SDKLoginError is StartSDK's error: the code the login would show and the reason. It wraps
// ErrBadSignature, ErrTicketUsed, ErrTicketExpired, ErrWrongUser, ErrUnknownApp, ErrSDKMismatch,
// ErrUnknownOrder or ErrFaceIDExpired when one of them is the cause.
type SDKLoginError struct {
	Code string
	Err  error
}

// Error names the code and the reason; it never holds a ticket or a signature.
func (e *SDKLoginError) Error() string {
	return fmt.Sprintf("kyctest: SDK login refused with %s: %v", e.Code, e.Err)
}

// Unwrap returns the reason.
func (e *SDKLoginError) Unwrap() error { return e.Err }

var errSDKParams = errors.New("kyctest: start values missing or malformed")

// StartSDKJSON is StartSDK for start values as JSON, the form a partner backend sends them to its
// app in.
func (s *Server) StartSDKJSON(b []byte) error {
	var v SDKStart
	if err := json.Unmarshal(b, &v); err != nil {
		return &SDKLoginError{CodeSDKBadParams, errSDKParams}
	}
	return s.StartSDK(v)
}

// StartSDK does what the App SDK's login does with v: nil when the service would let the journey
// start, else an *SDKLoginError. The NONCE ticket is spent once the signature verifies, even when
// the faceId is then refused, as for the H5 login. A face or will order that starts is marked
// Started.
func (s *Server) StartSDK(v SDKStart) error {
	endpoint, ok := map[SDKEntry]string{SDKPlus: EndpointFaceSDKStart, SDKEnhanced: EndpointFaceSDKStart,
		SDKBasic: EndpointFaceSDKStart, SDKWill: EndpointWillSDKStart, SDKIDCardOCR: EndpointOCRSDKStart,
		SDKBankCardOCR: EndpointOCRSDKStart, SDKNFC: EndpointNFCSDKStart}[v.Entry]
	// The SDKs' own checks (iOS 12000, 12006, 12007): every value present, an orderNo of 1-32
	// letters and digits, a 32-character nonce. An empty faceId would start the Basic iOS SDK in
	// liveness-only mode (docs/A-auth-sign-face.md §6.1); the fake refuses it, the reading that fails safe, since such
	// a journey compares the face with nothing.
	needsID := v.Entry != SDKIDCardOCR && v.Entry != SDKBankCardOCR
	id := v.FaceID
	if v.Entry == SDKNFC {
		id = v.OCRCertID
	}
	if !ok || v.AppID == "" || v.Version != apiVersion || !validNonce(v.Nonce) || !validOrderNo(v.OrderNo) ||
		!validUserID(v.UserID) || v.Sign == "" || (needsID && id == "") {
		return &SDKLoginError{CodeSDKBadParams, errSDKParams}
	}
	if err := s.spendNonceTicket(endpoint, map[string]string{"appId": v.AppID, "userId": v.UserID,
		"nonce": v.Nonce, "version": v.Version, "sign": v.Sign}); err != nil {
		return &SDKLoginError{CodeSDKBadSign, err}
	}
	if !needsID {
		return nil // the OCR SDK starts a new orderNo: nothing was minted for it
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	key := orderKey{v.AppID, v.OrderNo}
	var (
		found          bool
		mintedID, user string
		entry          SDKEntry
		alive          bool
		started        *time.Time
	)
	switch v.Entry {
	case SDKWill:
		if o := s.will.orders[key]; o != nil {
			found, mintedID, user, entry, alive, started = true, o.FaceID, o.UserID, SDKWill, o.faceIDAlive(now), &o.Started
		}
	case SDKNFC:
		if o := s.nfc.orders[key]; o != nil {
			found, mintedID, user, entry = true, o.CertID, o.UserID, SDKNFC
			alive = o.ReqID == "" && now.Before(o.CertExpires)
		}
	default:
		if o := s.orders[key]; o != nil {
			found, mintedID, user, alive, started = true, o.FaceID, o.UserID, o.faceIDAlive(now), &o.Started
			entry = map[Product]SDKEntry{ProductPlus: SDKPlus, ProductEnhanced: SDKEnhanced, ProductBasic: SDKBasic}[o.Product]
		}
	}
	switch {
	case !found:
		return &SDKLoginError{CodeSDKMismatch, fmt.Errorf("%w (orderNo %s)", ErrUnknownOrder, v.OrderNo)}
	case mintedID != id:
		return &SDKLoginError{CodeSDKMismatch, fmt.Errorf("%w: not this order's (orderNo %s)", ErrSDKMismatch, v.OrderNo)}
	case user != v.UserID:
		return &SDKLoginError{CodeSDKMismatch, fmt.Errorf("%w: minted for another userId (orderNo %s)", ErrSDKMismatch, v.OrderNo)}
	case entry == sdkEntryUnknown || entry != v.Entry:
		// A PC h5faceId has no App SDK at all (docs/B-h5-wechat-billing.md §4).
		return &SDKLoginError{CodeSDKMismatch, fmt.Errorf("%w: not minted for the %s SDK (orderNo %s)", ErrSDKMismatch, v.Entry, v.OrderNo)}
	case !alive:
		return &SDKLoginError{CodeSDKExpired, fmt.Errorf("%w (orderNo %s)", ErrFaceIDExpired, v.OrderNo)}
	}
	if started != nil && started.IsZero() {
		*started = now
	}
	return nil
}
