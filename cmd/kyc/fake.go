package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kycgo/kyc/kyctest"
)

// kyc fake. Its flags and run entry have the shape of every command's (reconcile's in bill.go
// most of all): one command, one entry of the command table; kept.
func init() {
	var addr, controlAddr, appID, secret *string
	register(&command{
		name: "fake", summary: "serve the fake service for front-end work",
		help: `Serves the built-in fake kyc1 and API 3.0 service (kyctest) on --addr until interrupted, and
prints, as export lines a shell can eval, every credential the other commands read: KYC_APP_ID,
KYC_SECRET, KYC_BASE_URL, KYC_OCR_APP_ID and KYC_OCR_SECRET (the same app: the fake serves OCR
for it), KYC_SECRET_ID, KYC_SECRET_KEY and KYC_CLOUD_URL (API 3.0), KYC_NFC_KEY, and
KYC_FAKE_CONTROL, the loopback control address (--control-addr) where kyc fake-order creates
and completes orders of every product with a chosen outcome:
  kyc fake --addr 127.0.0.1:8080 > fake.env &   (it runs until stopped)
  eval "$(grep ^export fake.env)"
  kyc fake-order --product face --outcome spoof   then: kyc query ORDER
It issues tokens and tickets with the real lifetimes, checks every signature, and serves the H5
login pages as a simulator where you pick the outcome. The appId and secret are invented unless given with
--app-id and --secret (both or neither). It stops, with exit code 0, on an interrupt (Ctrl-C) or
a SIGTERM.`,
		flags: func(fs *flag.FlagSet) {
			addr = fs.String("addr", "127.0.0.1:8080", "address to listen on")
			controlAddr = fs.String("control-addr", "127.0.0.1:0", "loopback address of the control endpoint (kyc fake-order)")
			appID = fs.String("app-id", "", "appId to accept (default: an invented one)")
			secret = fs.String("secret", "", "its secret (default: a random one)")
		},
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			if (*appID == "") != (*secret == "") {
				return usageError{"give --app-id and --secret together"}
			}
			ln, err := net.Listen("tcp", *addr)
			if err != nil {
				return usageError{fmt.Sprintf("cannot listen on %s: %v", *addr, err)}
			}
			// The control endpoint completes orders unsigned: it listens on loopback only.
			if host, _, err := net.SplitHostPort(*controlAddr); err != nil || !net.ParseIP(host).IsLoopback() {
				return usageError{"--control-addr must be a loopback address such as 127.0.0.1:0"}
			}
			cln, err := net.Listen("tcp", *controlAddr)
			if err != nil {
				ln.Close()
				return usageError{fmt.Sprintf("cannot listen on %s: %v", *controlAddr, err)}
			}
			opts := []kyctest.Option{kyctest.WithListener(ln)}
			if *appID != "" {
				opts = append(opts, kyctest.WithApp(*appID, *secret))
			}
			srv := kyctest.NewServer(opts...)
			defer srv.Close()
			control := &http.Server{Handler: controlHandler(srv), ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = control.Serve(cln) }()
			defer control.Close()
			controlURL := "http://" + cln.Addr().String()
			c.emit(map[string]any{"ok": true, "url": srv.URL, "appId": srv.AppID, "secret": srv.Secret,
				"secretId": srv.SecretID, "secretKey": srv.SecretKey, "nfcKey": srv.NFCKey(), "control": controlURL},
				"fake kyc1 and API 3.0 service listening on "+srv.URL,
				"export KYC_BASE_URL="+srv.URL,
				"export KYC_APP_ID="+srv.AppID,
				"export KYC_SECRET="+srv.Secret,
				"export KYC_OCR_APP_ID="+srv.AppID,
				"export KYC_OCR_SECRET="+srv.Secret,
				"export KYC_SECRET_ID="+srv.SecretID,
				"export KYC_SECRET_KEY="+srv.SecretKey,
				"export KYC_CLOUD_URL="+srv.URL,
				"export KYC_NFC_KEY="+srv.NFCKey(),
				"export KYC_FAKE_CONTROL="+controlURL,
				"(kyc fake-order creates and completes orders; interrupt to stop)")
			<-ctx.Done()
			return nil
		},
	})
}
