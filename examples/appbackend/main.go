// Command appbackend is a small partner backend: the three handlers a mobile app and a browser
// journey need. By default it runs against the built-in fake service, so it works offline:
//
//	go run ./examples/appbackend
//
// then open the printed /kyc/h5 link in a browser. Against the real service, set KYC_APP_ID,
// KYC_SECRET and KYC_BASE_URL (and a public callback address in KYC_PUBLIC_URL).
//
//	POST /kyc/start     {"userId": "..."}  → faceId minted, SDK start values returned as JSON
//	GET  /kyc/h5?userId=...                → 302 to the one-time H5 login URL
//	GET  /kyc/callback                     → callback checked, result confirmed by a query
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// identity is what the partner already knows about its user (from its own KYC records). The
// demo's users are invented.
type identity struct{ name, idNo string }

// App holds the partner's state: its users and the orders it started. A real backend keeps
// orders in its database: the orderNo is the only key to a result later (docs/A-auth-sign-face.md §8 item 33).
type App struct {
	kyc       *kyc.Client
	publicURL string // where browsers reach this backend, for the H5 callback
	version   kyc.Version
	log       *slog.Logger

	mu     sync.Mutex
	users  map[string]identity
	orders map[string]string // orderNo → userId
}

// Handler routes the three endpoints.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /kyc/start", a.start)
	mux.HandleFunc("GET /kyc/h5", a.h5)
	mux.HandleFunc("GET /kyc/callback", a.callback)
	return mux
}

// newOrderNo returns a fresh order number: letters and digits, at most 32.
func newOrderNo() string {
	return "ord" + strings.ToLower(rand.Text())[:24]
}

func (a *App) identity(userID string) (identity, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := a.users[userID]
	return id, ok
}

func (a *App) remember(orderNo, userID string) {
	a.mu.Lock()
	a.orders[orderNo] = userID
	a.mu.Unlock()
}

// start mints a faceId for the user and returns the App SDK start values.
func (a *App) start(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID string `json:"userId"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		http.Error(w, "body must be {\"userId\": ...}", http.StatusBadRequest)
		return
	}
	id, ok := a.identity(in.UserID)
	if !ok {
		http.Error(w, "unknown user", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	orderNo := newOrderNo()
	face, err := a.kyc.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: a.version, OrderNo: orderNo, UserID: in.UserID, Name: id.name, IDNo: id.idNo})
	if err != nil {
		a.fail(w, r, "upload", err)
		return
	}
	a.remember(orderNo, in.UserID)
	start, err := a.kyc.Face.SDKParams(ctx, face)
	if err != nil {
		a.fail(w, r, "sdk start", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // a single-use signature
	_ = json.NewEncoder(w).Encode(start)
}

// h5 answers with a 302 to the login URL. The manual warns that a link in a page gets
// prefetched and burns the one-time signature, so the URL is minted only when the browser
// actually comes here.
func (a *App) h5(w http.ResponseWriter, r *http.Request) {
	userID := r.URL.Query().Get("userId")
	id, ok := a.identity(userID)
	if !ok {
		http.Error(w, "unknown user", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	orderNo := newOrderNo()
	v := a.version
	if v == kyc.Basic {
		v = kyc.Enhanced // Basic has no mobile H5 journey
	}
	face, err := a.kyc.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: v, OrderNo: orderNo, UserID: userID, Name: id.name, IDNo: id.idNo})
	if err != nil {
		a.fail(w, r, "upload", err)
		return
	}
	a.remember(orderNo, userID)
	login, err := a.kyc.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: a.publicURL + "/kyc/callback",
		From: kyc.FromBrowser, SkipResultPage: true})
	if err != nil {
		a.fail(w, r, "login url", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, login, http.StatusFound)
}

// Outcome is what the callback page reports, after the query confirmed it.
type Outcome struct {
	OrderNo string `json:"orderNo"`
	UserID  string `json:"userId"`
	Passed  bool   `json:"passed"`
	Code    string `json:"code"`
	Meaning string `json:"meaning,omitempty"`
}

// callback checks the signature, matches the order against our own records, then asks the
// service for the verdict: the callback alone can be replayed or partly forged (docs/B-h5-wechat-billing.md T21).
func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cb, err := a.kyc.Face.VerifyCallbackRequest(ctx, r)
	if err != nil {
		a.fail(w, r, "callback", err)
		return
	}
	a.mu.Lock()
	userID, known := a.orders[cb.OrderNo]
	a.mu.Unlock()
	if !known {
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	out := Outcome{OrderNo: cb.OrderNo, UserID: userID, Code: cb.Code}
	res, err := a.kyc.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: cb.OrderNo, Media: kyc.NoMedia})
	switch {
	case err == nil:
		out.Passed, out.Code = res.Passed(), res.Code
	case errors.Is(err, kyc.ErrNoResult):
		out.Code = cb.Code // the user left before a verdict (a front-end code such as 3003)
	default:
		a.fail(w, r, "query", err)
		return
	}
	if info, ok := kyc.LookupCode(out.Code); ok && !out.Passed {
		out.Meaning = info.EN
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// fail logs the error (kyc errors carry no personal data) and answers without details.
func (a *App) fail(w http.ResponseWriter, r *http.Request, step string, err error) {
	a.log.ErrorContext(r.Context(), "kyc step failed", "step", step, "error", err)
	status := http.StatusBadGateway
	if errors.Is(err, kyc.ErrInvalidInput) || errors.Is(err, kyc.ErrInvalidSignature) {
		status = http.StatusBadRequest
	}
	http.Error(w, step+" failed", status)
}

// NewApp builds the backend with the demo's invented users.
func NewApp(c *kyc.Client, publicURL string, logger *slog.Logger) *App {
	return &App{kyc: c, publicURL: strings.TrimRight(publicURL, "/"), version: kyc.Plus, log: logger,
		users: map[string]identity{
			"demo1": {name: "演示用户", idNo: "KYCDEMO0000000001"},
			"demo2": {name: "示例用户", idNo: "KYCDEMO0000000002"},
		},
		orders: map[string]string{}}
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "appbackend:", err)
		os.Exit(1)
	}
}

func run() error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	publicURL := "http://" + ln.Addr().String()
	var c *kyc.Client
	if appID := os.Getenv("KYC_APP_ID"); appID != "" {
		opts := []kyc.Option{kyc.WithLogger(logger)}
		if base := os.Getenv("KYC_BASE_URL"); base != "" {
			opts = append(opts, kyc.WithBaseURL(base))
		}
		if pub := os.Getenv("KYC_PUBLIC_URL"); pub != "" {
			publicURL = pub
		}
		c, err = kyc.New(appID, os.Getenv("KYC_SECRET"), opts...)
	} else {
		srv := kyctest.NewServer()
		defer srv.Close()
		fmt.Println("fake kyc1 service:", srv.URL)
		c, err = kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithLogger(logger))
	}
	if err != nil {
		return err
	}
	app := NewApp(c, publicURL, logger)
	fmt.Printf("partner backend: %s\nopen %s/kyc/h5?userId=demo1 in a browser\n", publicURL, publicURL)
	hs := &http.Server{Handler: app.Handler()}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); _ = hs.Shutdown(context.Background()) }()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
