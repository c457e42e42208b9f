package kyctest

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The H5 simulator (docs/B-h5-wechat-billing.md §3.2-3.3 and §4): the mobile and PC login pages check the NONCE-signed
// URL and the faceId, then show a plain form where a person picks the outcome. Submitting it
// posts to H5FinishPath, which records the outcome and redirects the browser to the partner url
// with the signed result, as the real result page does. No script and no external asset is used.

// H5FinishPath is where the simulator's page posts the chosen outcome (form fields "token" and
// "outcome"). Requests to it are counted under the endpoint name H5FinishEndpoint.
const (
	H5FinishPath     = "/kyctest/h5/finish"
	H5FinishEndpoint = "kyctest_h5_finish"
)

// H5SessionLifetime is how long a loaded page can still be submitted. The faceId only has to be
// alive when the page loads: the real journey only has to start within the faceId's 5 minutes.
const H5SessionLifetime = 10 * time.Minute

// h5Session is a loaded page waiting for its outcome; its form token is its key in
// Server.sessions. Guarded by Server.mu.
type h5Session struct {
	key        orderKey
	partnerURL string
	expires    time.Time
}

func (s *Server) registerH5() {
	s.handleRow(EndpointH5Login, s.loginHandler(EndpointH5Login, false))
	s.handleRow(EndpointPCLogin, s.loginHandler(EndpointPCLogin, true))
	s.handle(H5FinishEndpoint, http.MethodPost, H5FinishPath, s.serveFinish)
}

// Error pages of the simulator: the code and the message the page shows, all with HTTP 400.
var (
	pageBadParams = pageError{"66660000", "请求参数异常"}
	// "签名不合法" is what the manual says a reused login URL shows (docs/B-h5-wechat-billing.md §3.2, trap T7).
	pageBadSign  = pageError{"400101", "签名不合法"}
	pageBadOrder = pageError{"400106", "不合法请求"} // faceId unknown, or not this order's, user's or product's
	pageExpired  = pageError{"66660018", "操作超时，请退出重试"}
	pageNoTicket = pageError{"999999", "网络不给力，请稍后重试"} // no live SIGN ticket to sign the callback
)

type pageError struct{ Code, Message string }

// loginHandler serves GET /api/web/login (mobile: faceId of a Plus or Enhanced order) and
// GET /api/pc/login (PC: h5faceId of a PC order). from, resultType and redirectType are accepted
// and ignored.
func (s *Server) loginHandler(endpoint string, pc bool) http.HandlerFunc {
	idField := "faceId"
	if pc {
		idField = "h5faceId"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		params, partner, ok := s.loginParams(w, r.URL.Query(), endpoint, idField, true)
		if !ok {
			return
		}
		var choices []choice
		for out := OutcomePass; out <= OutcomeUserQuit; out++ {
			info := out.info()
			choices = append(choices, choice{Value: info.id, Label: info.label + "（" + info.callback + "）"})
		}
		s.openLogin(w, s.sessions, partner, H5FinishPath, choices, func(now time.Time) *loginOrder {
			o := s.orders[orderKey{params["appId"], params["orderNo"]}]
			if o == nil || o.FaceID != params[idField] || o.UserID != params["userId"] ||
				(pc && o.Product != ProductPC) || (!pc && !o.Product.mobileH5()) {
				return nil
			}
			return &loginOrder{o.AppID, o.OrderNo, o.Product.String(), o.faceIDAlive(now), &o.Started}
		})
	}
}

// loginParams reads the seven NONCE-signed values of an H5 login URL (idField names its faceId)
// and its partner url, then spends the NONCE ticket. When a value is missing or malformed (or
// extraOK is false), or the signature is refused, it answers the error page and reports false.
func (s *Server) loginParams(w http.ResponseWriter, q url.Values, endpoint, idField string, extraOK bool) (map[string]string, string, bool) {
	params := map[string]string{}
	for _, k := range []string{"appId", "version", "nonce", "orderNo", idField, "userId", "sign"} {
		params[k] = q.Get(k)
	}
	partner := q.Get("url") // already URL-decoded
	if params["appId"] == "" || params["version"] != apiVersion || !validNonce(params["nonce"]) ||
		!validOrderNo(params["orderNo"]) || params[idField] == "" || !validUserID(params["userId"]) ||
		params["sign"] == "" || !absoluteURL(partner) || !extraOK {
		writePage(w, http.StatusBadRequest, errorPage, pageBadParams)
		return nil, "", false
	}
	// The NONCE ticket is spent before the order is looked at, as a login that gets this far
	// has been accepted by the signature check.
	if s.spendNonceTicket(endpoint, params) != nil {
		writePage(w, http.StatusBadRequest, errorPage, pageBadSign)
		return nil, "", false
	}
	return params, partner, true
}

// loginOrder is what a login page needs of the order its URL names.
type loginOrder struct {
	appID, orderNo, product string
	alive                   bool       // the faceId can still start a journey
	started                 *time.Time // the order's Started, set by the first login
}

// openLogin answers a login page: lookup (run with s.mu held; nil for an unknown order or one the
// URL's faceId, userId or product does not match) finds the order; a live one gets a form token
// in sessions and the page offering choices, which posts to action.
func (s *Server) openLogin(w http.ResponseWriter, sessions map[string]*h5Session, partner, action string, choices []choice,
	lookup func(now time.Time) *loginOrder) {
	s.mu.Lock()
	now := s.Clock.Now()
	o := lookup(now)
	switch {
	case o == nil:
		s.mu.Unlock()
		writePage(w, http.StatusBadRequest, errorPage, pageBadOrder)
		return
	case !o.alive:
		s.mu.Unlock()
		writePage(w, http.StatusBadRequest, errorPage, pageExpired)
		return
	}
	token := randomString(32, alnum)
	for t, sess := range sessions { // forget pages that can no longer be submitted
		if !now.Before(sess.expires) {
			delete(sessions, t)
		}
	}
	sessions[token] = &h5Session{key: orderKey{o.appID, o.orderNo}, partnerURL: partner, expires: now.Add(H5SessionLifetime)}
	if o.started.IsZero() {
		*o.started = now
	}
	s.mu.Unlock()
	writePage(w, http.StatusOK, loginPage, loginPageData{Product: o.product, OrderNo: o.orderNo, Action: action, Token: token, Choices: choices})
}

// absoluteURL reports whether the partner url can be redirected to.
func absoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
}

// serveFinish is POST H5FinishPath: it spends the form token, records the outcome and answers 302
// to the partner url with the callback parameters.
func (s *Server) serveFinish(w http.ResponseWriter, r *http.Request) {
	s.finishPage(w, r, s.sessions, func(id string) bool { return outcomeByID(id) != 0 },
		func(key orderKey, id, partner string, now time.Time) (string, bool, error) {
			o := s.orders[key]
			if o == nil {
				return "", false, nil
			}
			if o.Outcome != 0 {
				return "", true, errOrderDone
			}
			loc, err := s.finish(o, outcomeByID(id), partner, now)
			return loc, true, err
		})
}

// errOrderDone marks a finish for an order that already has an outcome.
var errOrderDone = errors.New("order already has an outcome")

// finishPage is the POST handler shared by the simulator pages (face and will): it checks the
// form, spends its token in sessions, lets finish record the outcome (with s.mu held; found
// false for an unknown order, errOrderDone for a finished one) and answers 302 to the partner
// url that finish returns.
func (s *Server) finishPage(w http.ResponseWriter, r *http.Request, sessions map[string]*h5Session,
	validOutcome func(id string) bool, finish func(key orderKey, id, partner string, now time.Time) (loc string, found bool, err error)) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writePage(w, http.StatusBadRequest, errorPage, pageBadParams)
		return
	}
	id, token := r.PostForm.Get("outcome"), r.PostForm.Get("token")
	if !validOutcome(id) || token == "" {
		writePage(w, http.StatusBadRequest, errorPage, pageBadParams)
		return
	}
	s.mu.Lock()
	now := s.Clock.Now()
	sess := sessions[token]
	delete(sessions, token) // single use
	if sess == nil {
		s.mu.Unlock()
		writePage(w, http.StatusBadRequest, errorPage, pageBadOrder)
		return
	}
	if !now.Before(sess.expires) {
		s.mu.Unlock()
		writePage(w, http.StatusBadRequest, errorPage, pageExpired)
		return
	}
	loc, found, err := finish(sess.key, id, sess.partnerURL, now)
	s.mu.Unlock()
	switch {
	case !found:
		writePage(w, http.StatusBadRequest, errorPage, pageBadOrder)
		return
	case errors.Is(err, errOrderDone):
		writePage(w, http.StatusBadRequest, errorPage, pageExpired)
		return
	case err != nil:
		writePage(w, http.StatusInternalServerError, errorPage, pageNoTicket)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, loc, http.StatusFound)
}

func outcomeByID(id string) Outcome {
	for o := OutcomePass; o <= OutcomeUserQuit; o++ {
		if outcomes[o].id == id {
			return o
		}
	}
	return 0
}

// finish records outcome out on o and returns the partner url with the callback parameters
// appended (docs/B-h5-wechat-billing.md §3.3 and §4.3):
//
//	mobile Plus:      code, orderNo, faceId,   newSignature, liveRate
//	mobile Enhanced:  code, orderNo, h5faceId, newSignature, liveRate
//	PC:               code, orderNo, h5faceId, newSign
//
// The signature is the SHA-1 signature over appId, orderNo, code and the ticket with the app's newest live SIGN ticket.
// OutcomeUserQuit sends the front-end code 3003, signed like every other code, and no liveRate.
// Call with s.mu held; nothing changes when it fails.
func (s *Server) finish(o *order, out Outcome, partnerURL string, now time.Time) (string, error) {
	tickets := s.signTickets(o.AppID, now)
	if len(tickets) == 0 {
		return "", ErrNoSignTicket
	}
	info := out.info()
	values := map[string]string{"appId": o.AppID, "orderNo": o.OrderNo, "code": info.callback}
	sign := row(EndpointH5Callback).signValues(tickets[0], values)

	idField, signField := "h5faceId", "newSignature"
	switch o.Product {
	case ProductPlus:
		idField = "faceId"
	case ProductPC:
		signField = "newSign"
	}
	kv := []string{"code", info.callback, "orderNo", o.OrderNo, idField, o.FaceID, signField, sign}
	if o.Product != ProductPC && info.liveRate != "" {
		kv = append(kv, "liveRate", info.liveRate)
	}
	o.complete(out, now)
	return appendQuery(partnerURL, kv), nil
}

// appendQuery adds the key/value pairs to raw's query, keeping what raw already has byte for byte:
// after "?" when raw has no query, after "&" when it has one, before any #fragment.
func appendQuery(raw string, kv []string) string {
	base, frag, hasFrag := strings.Cut(raw, "#")
	var b strings.Builder
	b.WriteString(base)
	switch {
	case !strings.Contains(base, "?"):
		b.WriteByte('?')
	case !strings.HasSuffix(base, "?") && !strings.HasSuffix(base, "&"):
		b.WriteByte('&')
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}

// CallbackURL does what the H5 page does when the person picks outcome o, for tests that skip the
// HTML: it records o on the order (like Complete: a live faceId and no outcome yet are required)
// and returns partnerURL with the callback parameters the real result page appends, signed with
// the app's newest live SIGN ticket: mobile (Plus, Enhanced) or PC as per the order. Basic orders
// have no H5 journey (ErrNoH5).
func (s *Server) CallbackURL(orderNo string, o Outcome, partnerURL string) (string, error) {
	return s.callbackURL(o.valid(), partnerURL, func(now time.Time) (string, error) {
		ord, err := s.liveOrder(orderNo, now)
		if err != nil {
			return "", err
		}
		if ord.Product == ProductBasic {
			return "", ErrNoH5
		}
		return s.finish(ord, o, partnerURL, now)
	})
}

type choice struct{ Value, Label string }

type loginPageData struct {
	Product, OrderNo, Action, Token string
	Choices                         []choice
}

const pageHead = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kyctest 人脸核身</title>
<style>
body { font-family: sans-serif; max-width: 30em; margin: 2em auto; padding: 0 1em; }
button { display: block; width: 100%; margin: .5em 0; padding: .8em; font-size: 1em; }
</style>
</head>
<body>
`

var (
	loginPage = template.Must(template.New("login").Parse(pageHead + `<h1>人脸核身（kyctest 模拟）</h1>
<p>产品：{{.Product}}<br>订单号：<code>{{.OrderNo}}</code></p>
<p>请选择本次核身的结果：</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.Token}}">
{{range .Choices}}<button type="submit" name="outcome" value="{{.Value}}" id="{{.Value}}">{{.Label}}</button>
{{end}}</form>
</body>
</html>
`))
	errorPage = template.Must(template.New("error").Parse(pageHead + `<h1>{{.Message}}</h1>
<p>错误码：<code id="code">{{.Code}}</code></p>
</body>
</html>
`))
)

// writePage renders a simulator page. Pages are never cached: each holds a one-time token or
// answers a one-time URL.
func writePage(w http.ResponseWriter, status int, t *template.Template, data any) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		http.Error(w, "kyctest: cannot render page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
