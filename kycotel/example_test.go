package kycotel_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kycotel"
	"github.com/kycgo/kyc/kyctest"
)

// New gives a client an Observer that records a span per call and the client's metrics. Here
// the providers keep spans in memory; in a service, pass the ones your exporters are set up on.
func ExampleNew() {
	srv := kyctest.NewServer()
	defer srv.Close()
	spans := tracetest.NewInMemoryExporter()

	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(),
		kyc.WithObserver(kycotel.New(tp, mp)))...)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_, err = c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: "exampleorder01"})
	// Spans: kyc1/access_token, kyc1/sign_ticket, kyc1/queryfacerecord (error.type = the code)

	fmt.Println(err != nil)
	for _, s := range spans.GetSpans() {
		fmt.Println(s.Name, s.Status.Code)
	}
	// Output:
	// true
	// kyc1/access_token Unset
	// kyc1/sign_ticket Unset
	// kyc1/queryfacerecord Error
}
