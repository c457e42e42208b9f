package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/kycgo/kyc/kyctest"
)

func init() {
	var addr, appID, secret *string
	register(&command{
		name: "fake", summary: "serve the fake service for front-end work",
		help: `Serves the built-in fake kyc1 service (kyctest) on --addr until interrupted, and prints the appId and
secret to configure your backend with (KYC_APP_ID, KYC_SECRET, KYC_BASE_URL). It issues tokens
and tickets with the real lifetimes, checks every signature, and serves the H5 login pages as a
simulator where you pick the outcome. The appId and secret are invented unless given with
--app-id and --secret (both or neither). It stops, with exit code 0, on an interrupt (Ctrl-C) or
a SIGTERM.`,
		flags: func(fs *flag.FlagSet) {
			addr = fs.String("addr", "127.0.0.1:8080", "address to listen on")
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
			opts := []kyctest.Option{kyctest.WithListener(ln)}
			if *appID != "" {
				opts = append(opts, kyctest.WithApp(*appID, *secret))
			}
			srv := kyctest.NewServer(opts...)
			defer srv.Close()
			c.emit(map[string]any{"ok": true, "url": srv.URL, "appId": srv.AppID, "secret": srv.Secret},
				"fake kyc1 service listening on "+srv.URL,
				"export KYC_BASE_URL="+srv.URL,
				"export KYC_APP_ID="+srv.AppID,
				"export KYC_SECRET="+srv.Secret,
				"(interrupt to stop)")
			<-ctx.Done()
			return nil
		},
	})
}
