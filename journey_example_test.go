package kyc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// journeyOrders is the partner's own order records in the journey examples: which user each
// orderNo was made for, and the outcome recorded once per orderNo.
type journeyOrders struct {
	mu      sync.Mutex
	next    int
	user    map[string]string // orderNo → userID
	outcome map[string]string // orderNo → the first outcome recorded
}

func newJourneyOrders() *journeyOrders {
	return &journeyOrders{user: map[string]string{}, outcome: map[string]string{}}
}

// New makes a fresh orderNo for one attempt of userID.
func (o *journeyOrders) New(userID string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next++
	orderNo := "order" + strconv.Itoa(20260100+o.next)
	o.user[orderNo] = userID
	return orderNo
}

// User reports whether orderNo is one of ours, and for whom.
func (o *journeyOrders) User(orderNo string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, ok := o.user[orderNo]
	return u, ok
}

// Finish records outcome for orderNo unless one is recorded already. It returns the recorded
// outcome and whether this call recorded it: the first call for an orderNo wins.
func (o *journeyOrders) Finish(orderNo, outcome string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if prev, ok := o.outcome[orderNo]; ok {
		return prev, false
	}
	o.outcome[orderNo] = outcome
	return outcome, true
}

// identity is the partner's record of a user (invented identities).
func identity(userID string) (name, idNo string) {
	return "示例用户", "KYCTEST0000000001"
}

// Example_appSDKJourney is the App SDK journey of the README end to end: the backend uploads
// the identity and returns the start values, the app's SDK starts with them (played by
// kyctest), the person scans (the outcome is chosen with Complete), and the backend asks the
// result query. A person who leaves has no verdict: the query fails with ErrNoResult.
func Example_appSDKJourney() {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()

	for i, outcome := range []kyctest.Outcome{kyctest.OutcomePass, kyctest.OutcomeNotSamePerson, kyctest.OutcomeUserQuit} {
		orderNo, userID := "order2026020"+strconv.Itoa(i), "user001"
		name, idNo := identity(userID)
		// 1. The backend: a faceId for this attempt, then the app's start values as JSON.
		face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: userID, Name: name, IDNo: idNo})
		if err != nil {
			panic(err)
		}
		start, err := c.Face.SDKParams(ctx, face)
		if err != nil {
			panic(err)
		}
		var body bytes.Buffer
		_ = json.NewEncoder(&body).Encode(start)

		// 2. The app: the SDK logs in with these values, and the person scans.
		if err := srv.StartSDKJSON(body.Bytes()); err != nil {
			panic(err)
		}
		_ = srv.Complete(orderNo, outcome)

		// 3. The backend, after the SDK's callback to the app: the verdict.
		res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo})
		switch {
		case errors.Is(err, kyc.ErrNoResult):
			fmt.Println(orderNo, "no verdict: the user left; start again with a new orderNo")
		case err != nil:
			fmt.Println(orderNo, "query failed, retry:", err)
		case res.Passed():
			fmt.Println(orderNo, "passed")
		default:
			info, _ := kyc.LookupCode(res.Code)
			fmt.Println(orderNo, "failed:", res.Code, info.EN, errors.Is(res.Err(), kyc.ErrVerificationFailed))
		}
	}
	// Output:
	// order20260200 passed
	// order20260201 failed: 66660004 cannot confirm it is the same person true
	// order20260202 no verdict: the user left; start again with a new orderNo
}

// Example_h5Journey is the H5 journey of the README end to end, with the README's two handlers
// verbatim (TestREADMEMirrorsExamples checks it): the start handler redirects the browser to the
// login page; the person finishes there (played by kyctest's CallbackURL, which signs the
// callback as the real result page does); the browser comes back to the callback handler. The
// first person quits (code 3003, no verdict); the second passes, and their browser replays the
// callback, which records and acts nothing twice.
func Example_h5Journey() {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	orders := newJourneyOrders()
	sessionUser := func(r *http.Request) string { return r.URL.Query().Get("user") } // the partner's login session
	mux := http.NewServeMux()

	mux.HandleFunc("GET /kyc/h5", func(w http.ResponseWriter, r *http.Request) {
		userID := sessionUser(r)
		orderNo := orders.New(userID) // a fresh orderNo for every attempt
		name, idNo := identity(userID)
		face, err := c.Face.GetFaceID(r.Context(), kyc.FaceIDRequest{Version: kyc.Enhanced,
			OrderNo: orderNo, UserID: userID, Name: name, IDNo: idNo})
		if err != nil {
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		login, err := c.Face.H5LoginURL(r.Context(), kyc.H5LoginRequest{Face: face,
			CallbackURL: "https://you.example/kyc/callback", From: kyc.FromBrowser})
		if err != nil {
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, login, http.StatusFound) // never a link in a page: a prefetch spends the signature
	})

	mux.HandleFunc("GET /kyc/callback", func(w http.ResponseWriter, r *http.Request) {
		// The signature covers appId, orderNo and code only, and a browser can replay a
		// callback, code 0 included: check it, confirm with the result query, act once per order.
		cb, err := c.Face.VerifyCallbackRequest(r.Context(), r) // current or previous SIGN ticket, constant time
		if err != nil {
			http.Error(w, "bad callback", http.StatusBadRequest) // errors.Is(err, kyc.ErrInvalidSignature), ...
			return
		}
		if _, ok := orders.User(cb.OrderNo); !ok {
			http.NotFound(w, r) // not an orderNo you made
			return
		}
		res, err := c.Face.QueryResult(r.Context(), kyc.FaceQuery{OrderNo: cb.OrderNo})
		switch {
		case errors.Is(err, kyc.ErrNoResult):
			// No verdict (66660011): the user quit (callback code 3003, or another front-end
			// code), or a code 0 the service does not confirm. Record nothing: the user may
			// come back to this journey; else offer a new attempt with a new orderNo.
			fmt.Fprintln(w, "no verdict, code", cb.Code, "- start again")
			return
		case err != nil:
			http.Error(w, "try again", http.StatusBadGateway) // busy or unreachable: nothing recorded
			return
		}
		outcome := "failed " + res.Code // 66660004, ...: kyc.LookupCode(res.Code) says what it means
		if res.Passed() {
			outcome = "passed"
		}
		recorded, first := orders.Finish(cb.OrderNo, outcome) // atomic: the first outcome per orderNo wins
		if first {
			fmt.Println("acting once on", cb.OrderNo, recorded) // open the account, notify, ...
		}
		fmt.Fprintln(w, recorded) // a replay shows what was recorded, and acts on nothing
	})

	// The browser's side of the journey, for one person who ends with outcome. It returns the
	// callback URL the browser came back to, so that it can be replayed.
	browse := func(userID string, outcome kyctest.Outcome) string {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "https://you.example/kyc/h5?user="+userID, nil))
		login, _ := url.Parse(rec.Header().Get("Location"))
		fmt.Println(rec.Code, login.Path)
		callback, err := srv.CallbackURL(login.Query().Get("orderNo"), outcome, login.Query().Get("url"))
		if err != nil {
			panic(err)
		}
		back(mux, callback)
		return callback
	}

	browse("user001", kyctest.OutcomeUserQuit)
	replayed := browse("user002", kyctest.OutcomePass)
	back(mux, replayed) // the browser replays the callback, code 0 included
	// Output:
	// 302 /api/web/login
	// 200 no verdict, code 3003 - start again
	// 302 /api/web/login
	// acting once on order20260102 passed
	// 200 passed
	// 200 passed
}

// back is the browser's return to the callback URL; it prints the answer.
func back(h http.Handler, callback string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", callback, nil))
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
}
