package kyc

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/kycgo/kyc/internal/wire"
)

// The one kyc1 call path, shared by every kyc1 product (face, will, OCR, NFC): a SIGN-signed call
// (signed with the right ticket, sent, decoded, renewed and sent once more on a stale-ticket
// answer, under the mint rule), the NONCE-signed SDK start values and browser login URLs, and the
// request fields the uploads share.

// signedCall is one SIGN-signed kyc1 call: an upload that mints something (a faceId, an
// ocrCertId) or a result query.
type signedCall struct {
	app      *appTickets // whose SIGN ticket signs (the client's, or OCR's own appId)
	endpoint string      // the signer-table row: method, path and the signed fields
	p        params      // the request's values; "sign" is set from the row before every send
	// body, when set, makes the POST body from the signed p (for bodies that are not only
	// strings, the will upload's prompt list); nil sends p itself.
	body func(params) any
	// query makes a GET's query from the signed p: a struct with `url` tags (go-querystring).
	// Every GET row needs one.
	query func(params) any
	// mint marks an upload: resent only if it provably never reached the service.
	mint bool
	// out receives the answer's result object when the code is zero; nil leaves it raw in the
	// envelope.
	out any
	// verdict, media and beforeAttempt are passed to the request as they are (request
	// documents them).
	verdict       bool
	media         func(contentLength int64) wire.MediaSink
	beforeAttempt func(ctx context.Context) error
}

// call sends sc: p signed with app's current SIGN ticket, as a GET query or as a POST body with
// ?orderNo= (the row's method), decoded into sc.out. It returns the envelope also when the code
// is not zero (a verdict's result is read from it). On a stale-ticket answer (the 400101 class)
// nothing was minted: the unit is renewed and the call signed and sent once more (withUnit).
// Every kyc1 product call that needs a SIGN signature goes through here.
func (c *Client) call(ctx context.Context, sc signedCall) (*wire.Envelope, error) {
	rule := mustRule(sc.endpoint)
	var env *wire.Envelope
	err := c.withUnit(ctx, sc.app, func(u *cachedUnit) error {
		sc.p.sign(sc.endpoint, "sign", u.SignTicket)
		req := &request{op: sc.endpoint, method: rule.Method, path: rule.Path, mint: sc.mint,
			verdict: sc.verdict, media: sc.media, beforeAttempt: sc.beforeAttempt}
		switch {
		case rule.Method == http.MethodGet:
			req.query = sc.query(sc.p)
		case sc.body != nil:
			req.body, req.orderNo = sc.body(sc.p), mustGet(sc.p, "orderNo")
		default:
			req.body, req.orderNo = sc.p, mustGet(sc.p, "orderNo")
		}
		var err error
		env, err = c.send(ctx, req, sc.out)
		return err
	})
	return env, err
}

// upload is call for an upload that mints a faceId (face and will): it returns the checked
// faceId (checkFaceIDAnswer) with the answer's frame. nonce is the one p was signed with;
// faceIDOnly refuses an answer that names the id h5faceId only (the will upload's answer names
// it faceId).
func (c *Client) upload(ctx context.Context, endpoint string, p params, body func(params) any, nonce string, faceIDOnly bool) (*FaceID, error) {
	var out *faceIDResult // nil when the answer has no result object
	orderNo := mustGet(p, "orderNo")
	minted := c.clock.Now() // before sending: the id's 5 minutes cannot have started earlier
	env, err := c.call(ctx, signedCall{app: c.primary, endpoint: endpoint, p: p, body: body, mint: true, out: &out})
	if err != nil {
		return nil, err
	}
	if err := checkFaceIDAnswer(endpoint, orderNo, env, out); err != nil {
		return nil, err
	}
	if faceIDOnly && out.FaceID == "" {
		return nil, badAnswer(endpoint, "no faceId in the answer")
	}
	return &FaceID{FaceID: firstNonEmpty(out.FaceID, out.H5FaceID), OrderNo: firstNonEmpty(out.OrderNo, orderNo),
		BizSeqNo: firstNonEmpty(env.BizSeqNo, out.BizSeqNo), TransactionTime: string(env.TransactionTime),
		OptimalDomain: out.OptimalDomain, UserID: mustGet(p, "userId"), Nonce: nonce, ExpiresAt: minted.Add(faceIDLifetime)}, nil
}

// faceIDResult is an upload's answer as sent: checkFaceIDAnswer judges it (faceId and h5faceId
// must agree) before a FaceID is made from it, so it is kept apart from FaceID.
type faceIDResult struct {
	FaceID        string `json:"faceId"`
	H5FaceID      string `json:"h5faceId"`
	OrderNo       string `json:"orderNo"`
	BizSeqNo      string `json:"bizSeqNo"`
	OptimalDomain string `json:"optimalDomain"`
}

// mustGet is p's value of k, "" when absent.
func mustGet(p params, k string) string {
	v, _ := p.get(k)
	return v
}

// identityParams checks and encodes the fields shared by the uploads (docs/A-auth-sign-face.md §4.1, docs/B-h5-wechat-billing.md §3.1, docs/B-h5-wechat-billing.md §4).
func identityParams(appID, orderNo, userID, name, idNo string, photo []byte, photoType PhotoType) (params, error) {
	if err := checkOrderNo(orderNo); err != nil {
		return nil, err
	}
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	if (name == "") != (idNo == "") {
		return nil, invalidInput("name/idNo", "must be given together (authoritative-source comparison) or both left empty")
	}
	if name != "" {
		if err := checkName(name); err != nil {
			return nil, err
		}
		if err := checkIDNo(idNo); err != nil {
			return nil, err
		}
	}
	p := params{{"appId", appID}, {"orderNo", orderNo}, {"name", name}, {"idNo", idNo}, {"userId", userID}}
	switch {
	case len(photo) > 0:
		if err := checkPhoto(photo, photoType); err != nil {
			return nil, err
		}
		p = append(p, param{"sourcePhotoStr", base64.StdEncoding.EncodeToString(photo)}, param{"sourcePhotoType", string(photoType)})
	case photoType != "":
		return nil, invalidInput("sourcePhotoType", "given without a photo")
	case name == "":
		return nil, invalidInput("name/idNo", "needed when no comparison photo is given")
	}
	return p, nil
}

// sdkStart builds start values for any SDK (face, OCR, will, NFC): the NONCE-ticket signature
// over appId, userId, nonce and version.
func (c *Client) sdkStart(ctx context.Context, app *appTickets, endpoint, product, orderNo, userID, faceID string, opts []CallOption) (*SDKStart, error) {
	if err := checkOrderNo(orderNo); err != nil {
		return nil, err
	}
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	if faceID != "" && !isAlnum(faceID) {
		return nil, invalidInput("faceId", "must contain only ASCII letters and digits")
	}
	cfg, err := startOptions(opts)
	if err != nil {
		return nil, err
	}
	fetched := c.clock.Now() // before asking: the ticket's 120 s cannot have started earlier
	ticket, err := c.nonceTicket(ctx, app, userID)
	if err != nil {
		return nil, err
	}
	p := params{{"appId", app.appID}, {"userId", userID}, {"nonce", cfg.nonce}, {"version", APIVersion}}
	p.sign(endpoint, "sign", ticket)
	start := &SDKStart{Product: product, FaceID: faceID, OrderNo: orderNo, AppID: app.appID, Version: APIVersion,
		Nonce: cfg.nonce, UserID: userID, Sign: mustGet(p, "sign"), ExpiresAt: fetched.Add(nonceTicketLifetime)}
	start.setLicences(c.sdkLicence)
	if endpoint == endpointFaceSDKStart {
		start.VerifyMode = "GRADE"
	}
	return start, nil
}

// loginURL builds a browser login URL for endpoint (mobile, PC or will H5): the 7-value NONCE
// signature over appId, userId, orderNo, version, the faceId field and nonce.
func (c *Client) loginURL(ctx context.Context, app *appTickets, endpoint, idField, faceID, orderNo, userID, domain, callback string, pre, post params, opts []CallOption) (string, error) {
	if err := checkAlnumID(idField, faceID, maxFaceIDLen); err != nil {
		return "", err
	}
	if err := checkOrderNo(orderNo); err != nil {
		return "", err
	}
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	if err := checkURL("url", callback); err != nil {
		return "", err
	}
	host, err := c.loginHost(domain)
	if err != nil {
		return "", err
	}
	cfg, err := startOptions(opts)
	if err != nil {
		return "", err
	}
	ticket, err := c.nonceTicket(ctx, app, userID)
	if err != nil {
		return "", err
	}
	p := params{{"appId", app.appID}, {"version", APIVersion}, {"nonce", cfg.nonce}, {"orderNo", orderNo},
		{idField, faceID}, {"url", callback}}
	p = append(p, pre...)
	p = append(p, param{"userId", userID})
	p.sign(endpoint, "sign", ticket)
	p = append(p, post...)
	rule := mustRule(endpoint)
	return host + rule.Path + "?" + p.query(), nil
}

// loginHost is the scheme and host of a login URL: optimalDomain when the upload gave one
// (docs/B-h5-wechat-billing.md T6), else the API host. The scheme is the API host's (https for the real service).
// The domain here comes from the caller (who copied it from the upload's answer): a bad one is
// the caller's input, refused as such.
func (c *Client) loginHost(domain string) (string, error) {
	base, _ := url.Parse(c.baseURL)
	if domain == "" {
		return base.Scheme + "://" + base.Host, nil
	}
	if err := checkOptimalDomain(domain); err != nil {
		return "", err
	}
	return base.Scheme + "://" + domain, nil
}

// flag is "1" for true and "" (not sent) for false.
func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}
