package kyc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// callPrinter is an Observer that prints each call as it ends (kycotel records spans and
// metrics instead).
type callPrinter struct{}

func (callPrinter) CallStart(ctx context.Context, _ kyc.Event) context.Context { return ctx }
func (callPrinter) CallEnd(_ context.Context, e kyc.Event) {
	fmt.Printf("%s %s attempts=%d code=%q class=%q\n", e.API, e.Op, e.Attempts, e.Code, e.Class)
}
func (callPrinter) TicketRefresh(_ context.Context, e kyc.Event) {
	fmt.Printf("tickets refreshed %q\n", e.Class)
}
func (callPrinter) StaleTicket(context.Context, kyc.Event) {}
func (callPrinter) StoreError(context.Context, kyc.Event)  {}

// An Observer sees every call with its operation, attempts, code and outcome class, and never a
// value: the orderNo below reaches no event.
func ExampleWithObserver() {
	srv := kyctest.NewServer()
	defer srv.Close()
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(), kyc.WithObserver(callPrinter{}))...)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_, err = c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: "exampleorder01"})
	fmt.Println(errors.Is(err, kyc.ErrNoResult))
	// Output:
	// kyc1 access_token attempts=1 code="0" class=""
	// kyc1 sign_ticket attempts=1 code="0" class=""
	// tickets refreshed ""
	// kyc1 queryfacerecord attempts=1 code="66660011" class="api"
	// true
}
