package kyctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Drivers: the user's side of every journey, for tests of partner code that must not scrape the
// simulator's HTML. Each takes what the partner backend hands the user (an H5 login URL, or the
// App SDK's start values as JSON) and a chosen outcome, applies the fake's own rules to it (the
// NONCE signature, the faceId's order, user, product and lifetime) and does what the user's
// browser or app does:
//
//	FinishH5, FinishWillH5          a browser on the mobile, PC or will login URL: the callback URL
//	PlaySDK, PlayWillSDK            the face or will App SDK: the outcome is recorded
//	PlayIDCardOCRSDK, PlayBankCardOCRSDK  the OCR SDK: the scan result is recorded
//	PlayNFCSDK                      the NFC SDK: the chip is read and the reqId returned
//
// Complete, CompleteWill, CallbackURL, WillCallbackURL, CompleteIDCardOCR, CompleteBankCardOCR and
// CompleteNFC remain for tests that hold only an orderNo; the drivers check what the user was
// given as well.

// PageError is the error page the H5 simulator showed instead of the outcome form (FinishH5,
// FinishWillH5): the code the page shows (400101 a bad or spent signature, 400106 a faceId of
// another order, user or product, 66660018 an expired faceId or a finished order, 66660000 a
// malformed URL) and the HTTP status.
type PageError struct {
	Status int
	Code   string
}

// Error names the status and the code; it holds no part of the URL.
func (e *PageError) Error() string {
	return fmt.Sprintf("kyctest: H5 page answered %d with code %s", e.Status, e.Code)
}

// ErrNotThisServer: a login URL that does not point at this server; the drivers never follow it.
var ErrNotThisServer = errors.New("kyctest: login URL is not on this server")

var (
	pageTokenRE = regexp.MustCompile(`name="token" value="([^"]*)"`)
	pageChoice  = regexp.MustCompile(`name="outcome" value="([^"]*)"`)
	pageCodeRE  = regexp.MustCompile(`<code id="code">([^<]*)</code>`)
	pageAction  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
)

// FinishH5 plays the person's browser on a mobile (Plus, Enhanced) or PC H5 login URL, as
// FaceService.H5LoginURL or PCLoginURL make it: it loads the page (the NONCE signature is checked
// and spent, the faceId must belong to the URL's orderNo and userId and be alive), picks outcome
// o and follows the form to the redirect. It returns the partner callback URL the browser lands
// on, with code (o's callback code: 0, 66660004, 66665001, 66660010 or 3003), orderNo, faceId or
// h5faceId, newSignature (newSign on PC) signed with the app's newest SIGN ticket, and liveRate
// on mobile. A page the simulator refuses is a *PageError; a will login URL is refused too (its
// page offers WillOutcome values: use FinishWillH5), after its NONCE signature has been spent, as
// a browser that loaded it would have spent it.
func (s *Server) FinishH5(ctx context.Context, loginURL string, o Outcome) (string, error) {
	if !o.valid() {
		return "", ErrUnknownOutcome
	}
	return s.finishLogin(ctx, loginURL, H5FinishPath, o.info().id)
}

// FinishWillH5 is FinishH5 for a will login URL (WillService.H5LoginURL): the callback carries
// code, faceCode, willCode, orderNo, h5faceId, newSignature and liveRate as o sets them.
func (s *Server) FinishWillH5(ctx context.Context, loginURL string, o WillOutcome) (string, error) {
	if !o.valid() {
		return "", ErrUnknownOutcome
	}
	return s.finishLogin(ctx, loginURL, WillFinishPath, willOutcomes[o].id)
}

// finishLogin loads loginURL on this server, checks the page offers choice and posts it to
// action; it returns the redirect's Location.
func (s *Server) finishLogin(ctx context.Context, loginURL, action, choice string) (string, error) {
	u, err := url.Parse(loginURL)
	if err != nil || u.Host != s.domain || (u.Scheme != "http" && u.Scheme != "https") {
		return "", ErrNotThisServer
	}
	// The browser: no redirect is followed, as the last one leaves for the partner's site.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := s.fetchPage(ctx, hc, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	m := pageAction.FindStringSubmatch(page)
	t := pageTokenRE.FindStringSubmatch(page)
	if m == nil || t == nil || html.UnescapeString(m[1]) != action {
		return "", errors.New("kyctest: login page has no outcome form for this journey")
	}
	offered := false
	for _, c := range pageChoice.FindAllStringSubmatch(page, -1) {
		offered = offered || html.UnescapeString(c[1]) == choice
	}
	if !offered {
		return "", ErrUnknownOutcome
	}
	form := url.Values{"token": {html.UnescapeString(t[1])}, "outcome": {choice}}
	post := u.ResolveReference(&url.URL{Path: action})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, post.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", refusedPage(resp)
	}
	return resp.Header.Get("Location"), nil
}

// fetchPage loads a simulator page and returns its HTML, or a *PageError when it is not 200.
func (s *Server) fetchPage(ctx context.Context, hc *http.Client, method, u string, body io.Reader) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", refusedPage(resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), err
}

func refusedPage(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	code := ""
	if m := pageCodeRE.FindSubmatch(b); m != nil {
		code = html.UnescapeString(string(m[1]))
	}
	return &PageError{Status: resp.StatusCode, Code: code}
}

// playStart logs the App SDK in with startJSON (StartSDKJSON's rules) and checks that it is for
// one of entries.
func (s *Server) playStart(startJSON []byte, entries ...SDKEntry) (SDKStart, error) {
	var v SDKStart
	if err := s.StartSDKJSON(startJSON); err != nil {
		return v, err
	}
	_ = json.Unmarshal(startJSON, &v) // StartSDKJSON parsed it
	for _, e := range entries {
		if v.Entry == e {
			return v, nil
		}
	}
	return v, &SDKLoginError{CodeSDKMismatch, fmt.Errorf("%w: these start values are for the %s SDK (orderNo %s)", ErrSDKMismatch, v.Entry, v.OrderNo)}
}

// PlaySDK plays the face App SDK (Plus, Enhanced or Basic) with the start values a backend made
// (FaceService.SDKParams, as JSON): the login (StartSDK: an *SDKLoginError when the service would
// refuse it), then the person's scan ending with outcome o, which queryfacerecord then answers
// (o.Code(), or 66660011 for OutcomeUserQuit). The SDK reports o's callback code to the app.
func (s *Server) PlaySDK(startJSON []byte, o Outcome) error {
	if !o.valid() {
		return ErrUnknownOutcome
	}
	v, err := s.playStart(startJSON, SDKPlus, SDKEnhanced, SDKBasic)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	ord, err := live(s.orders[orderKey{v.AppID, v.OrderNo}], v.OrderNo, now)
	if err != nil {
		return err
	}
	ord.complete(o, now)
	return nil
}

// PlayWillSDK is PlaySDK for the will App SDK (WillService.SDKParams): the login, then the
// person's answers ending with o, which getWillFaceResult then answers (o.Code()).
func (s *Server) PlayWillSDK(startJSON []byte, o WillOutcome) error {
	if !o.valid() {
		return ErrUnknownOutcome
	}
	v, err := s.playStart(startJSON, SDKWill)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	ord, err := live(s.will.orders[orderKey{v.AppID, v.OrderNo}], v.OrderNo, now)
	if err != nil {
		return err
	}
	ord.Outcome, ord.Completed = o, now
	return nil
}

// PlayIDCardOCRSDK plays the OCR SDK in ID-card mode with the start values a backend made
// (OCRService.IDCardSDKParams, as JSON): the login, then the scan, which records r (SampleIDCard,
// or one with failure codes) for the start values' app and orderNo; the ID-card result query then
// answers it.
func (s *Server) PlayIDCardOCRSDK(startJSON []byte, r IDCardOCR) error {
	v, err := s.playStart(startJSON, SDKIDCardOCR)
	if err != nil {
		return err
	}
	r.AppID = v.AppID
	return s.CompleteIDCardOCR(v.OrderNo, r)
}

// PlayBankCardOCRSDK is PlayIDCardOCRSDK in bank-card mode (OCRService.BankCardSDKParams), with
// r (SampleBankCard, or one with failure codes) as the scan.
func (s *Server) PlayBankCardOCRSDK(startJSON []byte, r BankCardOCR) error {
	v, err := s.playStart(startJSON, SDKBankCardOCR)
	if err != nil {
		return err
	}
	r.AppID = v.AppID
	return s.CompleteBankCardOCR(v.OrderNo, r)
}

// PlayNFCSDK plays the NFC SDK with the start values a backend made (NFCService.SDKParams, as
// JSON): the login (the ocrCertId must be the order's, alive and unread), then the chip read of
// card. It returns the reqId the SDK hands the app, for the result query.
func (s *Server) PlayNFCSDK(startJSON []byte, card NFCCard) (string, error) {
	v, err := s.playStart(startJSON, SDKNFC)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	o := s.nfc.orders[orderKey{v.AppID, v.OrderNo}]
	if o == nil || o.ReqID != "" || !now.Before(o.CertExpires) {
		// StartSDK checked all three under the lock a moment ago; only a concurrent read gets here.
		return "", fmt.Errorf("%w (orderNo %s)", ErrOrderCompleted, v.OrderNo)
	}
	o.ReqID, o.ReadAt, o.card = "rq"+randomString(30, "0123456789abcdef"), now, card
	return o.ReqID, nil
}
