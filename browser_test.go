package kyc_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/internal/testnote"
	"github.com/kycgo/kyc/kyctest"
)

// noBrowser says why TestH5SimulatorInABrowser skips.
const noBrowser = "no Chromium found: install Debian's chromium (apt-get install chromium) or set KYC_CHROMIUM; .ci/run installs it"

// TestMain says, in the plain `go test ./...` too, that the browser test will skip and why: the
// go command shows a passing package's t.Skip messages only with -v.
func TestMain(m *testing.M) {
	flag.Parse()
	if findBrowser() == "" && os.Getenv("KYC_REQUIRE_BROWSER") == "" && testnote.Runs("TestH5SimulatorInABrowser") {
		testnote.Print("github.com/kycgo/kyc: TestH5SimulatorInABrowser skipped: " + noBrowser)
	}
	os.Exit(m.Run())
}

// findBrowser returns a Chromium binary, or "" when none is installed.
func findBrowser() string {
	if p := os.Getenv("KYC_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestH5SimulatorInABrowser drives the H5 simulator in headless Chromium the way a person
// would: the partner's backend redirects to the login URL, the page offers the outcomes, a click
// picks one, and the browser lands on the partner's callback, whose signature the client accepts.
func TestH5SimulatorInABrowser(t *testing.T) {
	browser := findBrowser()
	if browser == "" {
		if os.Getenv("KYC_REQUIRE_BROWSER") != "" {
			t.Fatal("KYC_REQUIRE_BROWSER is set but no Chromium was found")
		}
		t.Skip(noBrowser)
	}
	srv, c := newPair(t)
	type verdict struct {
		cb  *kyc.Callback
		err error
	}
	got := make(chan verdict, 4)
	var orderNo string
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/kyc/h5": // the backend mints the one-time URL only when the browser comes
			orderNo = newOrderNo()
			face, err := c.Face.GetFaceID(r.Context(), kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: "browserUser",
				Name: testName, IDNo: testIDNo})
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			login, err := c.Face.H5LoginURL(r.Context(), kyc.H5LoginRequest{Face: &kyc.FaceID{FaceID: face.FaceID, OrderNo: orderNo, UserID: "browserUser", OptimalDomain: face.OptimalDomain, Version: face.Version}, CallbackURL: "http://" + r.Host + "/kyc/callback", From: kyc.FromBrowser})
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			http.Redirect(w, r, login, http.StatusFound)
		case "/kyc/callback":
			cb, err := c.Face.VerifyCallbackRequest(r.Context(), r)
			got <- verdict{cb, err}
			if err != nil {
				fmt.Fprintln(w, "<p id=result>refused</p>")
				return
			}
			fmt.Fprintf(w, "<p id=result>verified code %s</p>", cb.Code)
		default:
			http.NotFound(w, r)
		}
	}))
	defer partner.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	err := chromedp.Do(ctx,
		chromedp.Navigate(partner.URL+"/kyc/h5"),
		chromedp.WaitVisible(chromedp.CSS("#pass")),
	)
	require.NoError(t, err)
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	require.NoError(t, err)
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pass")), chromedp.WaitVisible(chromedp.CSS("#result")))
	require.NoError(t, err)
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#result")))
	require.NoError(t, err)
	require.Contains(t, page, orderNo, "the simulator shows the order")
	require.Equal(t, "verified code 0", strings.TrimSpace(result))
	v := <-got
	require.NoError(t, v.err)
	require.True(t, v.cb.Passed())
	require.Equal(t, orderNo, v.cb.OrderNo)
	res, err := c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, kyctest.OutcomePass, mustOrder(t, srv, orderNo).Outcome)
}
