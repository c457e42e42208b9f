package kyc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycgo/kyc"
)

func ExampleClient_Close() {
	srv, c := exampleClient()
	defer srv.Close()

	if _, err := c.SignTicket(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	// At shutdown: stop the ticket refreshes and close the idle connections.
	if err := c.Close(); err != nil {
		fmt.Println(err)
	}
	_, err := c.SignTicket(context.Background())
	fmt.Println(errors.Is(err, kyc.ErrClosed))
	// Output: true
}
