// Command quickstart runs the core of a partner backend against the built-in fake server: it
// fetches the access token and SIGN ticket, mints a NONCE ticket for a user, signs the values an
// App SDK start needs, and lets the fake service check them the way the SDK login would.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	srv := kyctest.NewServer()
	defer srv.Close()
	fmt.Println("1. fake kyc1 service listening at", srv.URL, "for appId", srv.AppID)

	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock))
	if err != nil {
		return err
	}
	unit, err := c.Tickets(ctx)
	if err != nil {
		return err
	}
	fmt.Println("2. access token and SIGN ticket fetched as one unit:", unit) // prints redacted

	const userID = "demoUser001"
	nonceTicket, err := c.NonceTicket(ctx, userID)
	if err != nil {
		return err
	}
	nonce := kyc.NewNonce()
	sign := kyc.Sign(nonceTicket, srv.AppID, userID, nonce, kyc.APIVersion)
	fmt.Printf("3. NONCE ticket fetched for %s; SDK start signed (nonce %d chars, sign %d chars)\n", userID, len(nonce), len(sign))

	if err := srv.CheckNonceSignature(srv.AppID, userID, nonce, sign); err != nil {
		return fmt.Errorf("the fake SDK login refused the start values: %w", err)
	}
	fmt.Println("4. the fake SDK login accepted the signature")
	if err := srv.CheckNonceSignature(srv.AppID, userID, nonce, sign); err == nil {
		return fmt.Errorf("a NONCE ticket was accepted twice")
	}
	fmt.Println("5. a second login with the same NONCE ticket is refused, as the real service does")
	fmt.Printf("6. requests made: access_token %d, SIGN ticket %d, NONCE ticket %d\n",
		srv.Requests(kyctest.EndpointAccessToken), srv.Requests(kyctest.EndpointSignTicket), srv.Requests(kyctest.EndpointNonceTicket))
	return nil
}
