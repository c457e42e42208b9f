package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func init() {
	register(&command{
		name: "demo", summary: "run the journeys against the built-in fake service",
		help: `Starts the built-in fake service and runs, step by step, what a partner backend does in five
journeys:

  App SDK            upload the identity, SDK start values, the app's login, the verdict,
                     photo and video, the scan's photos
  mobile H5          upload, the one-time login URL, the simulator page where the person
                     picks an outcome, the callback check, the verdict
  ID-card OCR        SDK start values, the scan of both sides, the result and card images
  will verification  upload with a question-and-answer round, SDK start values, the answer
                     on camera, the verdict and the answer audio
  NFC ID-card        upload for one chip read, SDK start values, the read, the SM4-decrypted
                     result

No network, no credentials. With --json the steps are printed as one JSON document.`,
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			d := &demo{cli: c}
			err := d.run(ctx)
			if c.json {
				out := map[string]any{"ok": err == nil, "steps": d.steps}
				if err != nil {
					out["error"] = err.Error()
				}
				c.printJSON(c.stdout, out)
				if err != nil {
					return fmt.Errorf("%w", errReported)
				}
			}
			return err
		},
	})
}

// errReported: the error was already printed as part of the JSON output.
var errReported = errors.New("demo failed")

type demoStep struct {
	Journey string `json:"journey"`
	Step    string `json:"step"`
}

type demo struct {
	cli     *cli
	journey string
	steps   []demoStep
	n       int
}

func (d *demo) say(format string, args ...any) {
	d.n++
	s := fmt.Sprintf(format, args...)
	d.steps = append(d.steps, demoStep{Journey: d.journey, Step: s})
	if !d.cli.json {
		fmt.Fprintf(d.cli.stdout, "  %2d. %s\n", d.n, s)
	}
}

func (d *demo) section(name string) {
	d.journey, d.n = name, 0
	if !d.cli.json {
		fmt.Fprintf(d.cli.stdout, "\n== %s\n", name)
	}
}

func (d *demo) run(ctx context.Context) error {
	srv := kyctest.NewServer(kyctest.WithMedia(24<<10, 512<<10))
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
	if err != nil {
		return err
	}
	if !d.cli.json {
		fmt.Fprintf(d.cli.stdout, "fake kyc1 service at %s, appId %s (the secret and tickets stay hidden)\n", srv.URL, srv.AppID)
	}
	if err := d.appJourney(ctx, srv, c); err != nil {
		return fmt.Errorf("App SDK journey: %w", err)
	}
	if err := d.h5Journey(ctx, c); err != nil {
		return fmt.Errorf("mobile H5 journey: %w", err)
	}
	for _, j := range extraJourneys {
		if err := j(ctx, d, srv, c); err != nil {
			return err
		}
	}
	if !d.cli.json {
		fmt.Fprintf(d.cli.stdout, "\nrequests the fake service saw: %d; access tokens fetched: %d\n", srv.TotalRequests(), srv.Requests(kyctest.EndpointAccessToken))
	}
	return nil
}

// extraJourneys are the other products' demos (OCR, will, NFC, ...), registered by their files.
var extraJourneys []func(ctx context.Context, d *demo, srv *kyctest.Server, c *kyc.Client) error

func demoOrderNo(prefix string) string {
	return prefix + fmt.Sprint(time.Now().UnixNano())
}

// Invented identity for the demo.
const (
	demoName = "演示用户"
	demoIDNo = "KYCDEMO0000000001"
)

func (d *demo) appJourney(ctx context.Context, srv *kyctest.Server, c *kyc.Client) error {
	d.section("App SDK journey (Plus)")
	orderNo, userID := demoOrderNo("app"), "demoUser1"
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: orderNo, UserID: userID, Name: demoName, IDNo: demoIDNo})
	if err != nil {
		return err
	}
	d.say("uploaded the identity for order %s: faceId %s (valid 5 minutes)", orderNo, face.FaceID)
	start, err := c.Face.SDKParams(ctx, face)
	if err != nil {
		return err
	}
	d.say("start values for the app signed with a fresh NONCE ticket: nonce %d chars, sign %d chars", len(start.Nonce), len(start.Sign))
	if err := srv.CheckNonceSignature(start.AppID, start.UserID, start.Nonce, start.Sign); err != nil {
		return fmt.Errorf("the SDK login refused the start values: %w", err)
	}
	d.say("the app's SDK logged in with them (the NONCE ticket is now spent)")
	if err := srv.Complete(orderNo, kyctest.OutcomePass); err != nil {
		return err
	}
	d.say("the person completed the scan: outcome %q", kyctest.OutcomePass)
	res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.NoMedia})
	if err != nil {
		return err
	}
	d.say("verdict: code %s, passed %v, liveness %s, similarity %s", res.Code, res.Passed(), res.LiveRate, res.Similarity)
	media, err := c.Face.WaitForMedia(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoAndVideo})
	if err != nil {
		return err
	}
	d.say("evidence fetched separately: photo %d bytes, video %d bytes", len(media.Photo), len(media.Video))
	photos, err := c.Face.QueryPhotos(ctx, kyc.FaceQuery{OrderNo: orderNo})
	if err != nil {
		return err
	}
	d.say("the scan's photos: %d", len(photos.Photos))
	return nil
}

func (d *demo) h5Journey(ctx context.Context, c *kyc.Client) error {
	d.section("mobile H5 journey (Enhanced)")
	orderNo, userID := demoOrderNo("h5"), "demoUser2"
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: orderNo, UserID: userID, Name: demoName, IDNo: demoIDNo})
	if err != nil {
		return err
	}
	d.say("uploaded the identity for order %s: faceId %s, login host %s", orderNo, face.FaceID, face.OptimalDomain)
	const callback = "https://partner.example/kyc/callback"
	login, err := c.Face.H5LoginURL(ctx, kyc.H5LoginRequest{Face: face, CallbackURL: callback, From: kyc.FromBrowser,
		SkipResultPage: true})
	if err != nil {
		return err
	}
	d.say("one-time login URL built (hand it to the browser as a 302, never as a link)")
	cbURL, err := simulateBrowser(ctx, login, "pass")
	if err != nil {
		return err
	}
	d.say("the browser opened the simulator page, the person chose %q, and was sent back to %s", "pass", callback)
	cb, err := c.Face.VerifyCallback(ctx, cbURL.Query())
	if err != nil {
		return err
	}
	d.say("callback signature checked: code %s for order %s (signed: %s; not signed: %s)", cb.Code, cb.OrderNo,
		strings.Join(cb.SignedFields, ", "), strings.Join(cb.UnsignedFields, ", "))
	res, err := c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: orderNo, Media: kyc.PhotoOnly})
	if err != nil {
		return err
	}
	d.say("verdict confirmed by the query: code %s, passed %v, photo %d bytes", res.Code, res.Passed(), len(res.Photo))
	return nil
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	formToken  = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// simulateBrowser loads the H5 login page and submits the person's choice, returning where the
// browser is sent back to.
func simulateBrowser(ctx context.Context, login, outcome string) (*url.URL, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, "GET", login, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	action, token := formAction.FindSubmatch(page), formToken.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || action == nil || token == nil {
		return nil, fmt.Errorf("the login page answered HTTP %d without a form", resp.StatusCode)
	}
	base, _ := url.Parse(login)
	finish, err := base.Parse(string(action[1]))
	if err != nil {
		return nil, err
	}
	form := url.Values{"token": {string(token[1])}, "outcome": {outcome}}
	req, _ = http.NewRequestWithContext(ctx, "POST", finish.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = hc.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("the simulator answered HTTP %d instead of a redirect", resp.StatusCode)
	}
	return url.Parse(resp.Header.Get("Location"))
}
