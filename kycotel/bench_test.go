package kycotel_test

import (
	"context"
	"fmt"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kycotel"
	"github.com/kycgo/kyc/kyctest"
)

// benchUpload returns a face upload against a fresh kyctest server, with opts.
func benchUpload(b *testing.B, opts ...kyc.Option) func() {
	srv := kyctest.NewServer()
	b.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(), opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	if _, err := c.SignTicket(ctx); err != nil {
		b.Fatal(err)
	}
	n := 0
	return func() {
		n++
		_, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: fmt.Sprintf("benchorder%08d", n),
			UserID: testUserID, Name: testName, IDNo: testIDNo})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// The cost of kycotel on a face upload against kyctest: compare with BenchmarkUploadUnobserved.
func BenchmarkUploadObserved(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	call := benchUpload(b, kyc.WithObserver(kycotel.New(tp, mp)))
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}

func BenchmarkUploadUnobserved(b *testing.B) {
	call := benchUpload(b)
	b.ReportAllocs()
	for b.Loop() {
		call()
	}
}
