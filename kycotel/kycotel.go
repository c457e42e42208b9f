// Package kycotel records what a kyc.Client does as OpenTelemetry spans and metrics. It is its
// own module, so that the kyc module itself depends on no OpenTelemetry package:
//
//	c, err := kyc.New(appID, secret, kyc.WithObserver(kycotel.New(tracerProvider, meterProvider)))
//
// Everything recorded is metadata from kyc.Event: operation names, the API, attempt counts,
// service codes, outcome classes and durations. No value sent or received (orderNo, faceId,
// BizToken, name, ID number, ticket, token, URL, error text) can reach a span or a metric: the
// events carry none.
//
// # Spans
//
// One span per call to the service, of kind Client, named "{kyc.api}/{kyc.operation}"
// ("kyc1/getAdvFaceId", "kyc1/access_token", "api3/DetectAuth"), a child of the span in the
// caller's context. Retries are inside it (kyc.attempts counts them). A failed call's status is
// Error with error.type as its description; a successful call's status is left unset. Attributes:
//
//	kyc.api                    "kyc1" or "api3" (Tencent Cloud API 3.0)
//	kyc.operation              the kyc1 endpoint name or the API 3.0 action
//	kyc.attempts               how many times the call was sent
//	kyc.response.code          the service's code in the last answer ("0", "400101",
//	                           "FailedOperation.Xxx"), absent when there was none
//	error.type                 on failure: the service's code, else the outcome class
//	                           ("bad_response", "timeout", "canceled", "transport", ...)
//	http.response.status_code  the HTTP status of a failed answer, when there was one
//
// The ticket manager's events are span events on the span in the context they happen in (the
// call that needed the tickets; nothing for background refreshes): "kyc.tickets.refresh" (with
// error.type when it failed), "kyc.tickets.stale" (kyc.operation and kyc.response.code of the
// refused call) and "kyc.tickets.store.error" (kyc.store.operation, error.type).
//
// # Metrics
//
//	kyc.client.calls              counter, {call}: kyc.api, kyc.operation, kyc.response.code,
//	                              error.type
//	kyc.client.attempts           counter, {attempt}: kyc.api, kyc.operation
//	kyc.client.call.duration      histogram, s: kyc.api, kyc.operation, error.type
//	kyc.tickets.refreshes         counter, {refresh}: error.type
//	kyc.tickets.refresh.duration  histogram, s: error.type
//	kyc.tickets.stale_retries     counter, {retry}: kyc.operation, kyc.response.code
//	kyc.tickets.store.errors      counter, {error}: kyc.store.operation, error.type
//
// Attributes that do not apply (no code, a success's error.type) are absent. The durations use
// the bucket boundaries the OpenTelemetry semantic conventions give for request durations in
// seconds.
package kycotel

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/kycgo/kyc"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/kycgo/kyc/kycotel"

// Attribute keys, typed constants of attribute.Key.
const (
	keyAPI        attribute.Key = "kyc.api"
	keyOperation  attribute.Key = "kyc.operation"
	keyAttempts   attribute.Key = "kyc.attempts"
	keyCode       attribute.Key = "kyc.response.code"
	keyStoreOp    attribute.Key = "kyc.store.operation"
	keyErrorType  attribute.Key = "error.type"                // semantic conventions
	keyHTTPStatus attribute.Key = "http.response.status_code" // semantic conventions
)

// durationBuckets are the semantic conventions' advice for request durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// New returns a kyc.Observer that records spans with tp and metrics with mp (for kyc.WithObserver).
// A nil provider means the global one (otel.GetTracerProvider, otel.GetMeterProvider). An
// instrument the meter cannot make is reported to otel.Handle and left out.
func New(tp trace.TracerProvider, mp metric.MeterProvider) kyc.Observer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName)
	o := &observer{tracer: tp.Tracer(ScopeName)}
	counters := []struct {
		dst               *metric.Int64Counter
		name, unit, about string
	}{
		{&o.calls, "kyc.client.calls", "{call}", "Calls to the service, by operation, code and outcome."},
		{&o.attempts, "kyc.client.attempts", "{attempt}", "Requests sent, retries included."},
		{&o.refreshes, "kyc.tickets.refreshes", "{refresh}", "Fetches of a new access token and SIGN ticket."},
		{&o.stale, "kyc.tickets.stale_retries", "{retry}", "Calls sent again after the service refused their ticket."},
		{&o.storeErrors, "kyc.tickets.store.errors", "{error}", "Ticket store calls that failed."},
	}
	for _, c := range counters {
		ctr, err := m.Int64Counter(c.name, metric.WithUnit(c.unit), metric.WithDescription(c.about))
		if err != nil {
			otel.Handle(err)
			ctr = noop.Int64Counter{}
		}
		*c.dst = ctr
	}
	histograms := []struct {
		dst         *metric.Float64Histogram
		name, about string
	}{
		{&o.callDuration, "kyc.client.call.duration", "Duration of calls to the service, retries included."},
		{&o.refreshDuration, "kyc.tickets.refresh.duration", "Duration of ticket unit fetches."},
	}
	for _, h := range histograms {
		hist, err := m.Float64Histogram(h.name, metric.WithUnit("s"), metric.WithDescription(h.about),
			metric.WithExplicitBucketBoundaries(durationBuckets...))
		if err != nil {
			otel.Handle(err)
			hist = noop.Float64Histogram{}
		}
		*h.dst = hist
	}
	return o
}

type observer struct {
	tracer trace.Tracer

	calls, attempts, refreshes, stale, storeErrors metric.Int64Counter
	callDuration, refreshDuration                  metric.Float64Histogram
}

// errorType is error.type for a failed event, "" for a success: the service's code when it
// answered with one, else the outcome class.
func errorType(e kyc.Event) string {
	if e.Class == "api" && e.Code != "" {
		return e.Code
	}
	return e.Class
}

// optional appends key=v to attrs unless v is empty.
func optional(attrs []attribute.KeyValue, key attribute.Key, v string) []attribute.KeyValue {
	if v == "" {
		return attrs
	}
	return append(attrs, key.String(v))
}

func (o *observer) CallStart(ctx context.Context, e kyc.Event) context.Context {
	ctx, _ = o.tracer.Start(ctx, e.API+"/"+e.Op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(keyAPI.String(e.API), keyOperation.String(e.Op)))
	return ctx
}

func (o *observer) CallEnd(ctx context.Context, e kyc.Event) {
	errType := errorType(e)
	op := []attribute.KeyValue{keyAPI.String(e.API), keyOperation.String(e.Op)}

	span := trace.SpanFromContext(ctx)
	attrs := append(op, keyAttempts.Int(e.Attempts))
	attrs = optional(attrs, keyCode, e.Code)
	attrs = optional(attrs, keyErrorType, errType)
	if e.HTTPStatus != 0 {
		attrs = append(attrs, keyHTTPStatus.Int(e.HTTPStatus))
	}
	span.SetAttributes(attrs...)
	if errType != "" {
		span.SetStatus(codes.Error, errType)
	}
	span.End()

	o.attempts.Add(ctx, int64(e.Attempts), metric.WithAttributes(op...))
	withErr := optional(op, keyErrorType, errType)
	o.callDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(withErr...))
	o.calls.Add(ctx, 1, metric.WithAttributes(optional(withErr, keyCode, e.Code)...))
}

func (o *observer) TicketRefresh(ctx context.Context, e kyc.Event) {
	attrs := optional(nil, keyErrorType, errorType(e))
	trace.SpanFromContext(ctx).AddEvent("kyc.tickets.refresh", trace.WithAttributes(attrs...))
	o.refreshes.Add(ctx, 1, metric.WithAttributes(attrs...))
	o.refreshDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
}

func (o *observer) StaleTicket(ctx context.Context, e kyc.Event) {
	attrs := optional([]attribute.KeyValue{keyOperation.String(e.Op)}, keyCode, e.Code)
	trace.SpanFromContext(ctx).AddEvent("kyc.tickets.stale", trace.WithAttributes(attrs...))
	o.stale.Add(ctx, 1, metric.WithAttributes(attrs...))
}

func (o *observer) StoreError(ctx context.Context, e kyc.Event) {
	attrs := []attribute.KeyValue{keyStoreOp.String(e.Op), keyErrorType.String(e.Class)}
	trace.SpanFromContext(ctx).AddEvent("kyc.tickets.store.error", trace.WithAttributes(attrs...))
	o.storeErrors.Add(ctx, 1, metric.WithAttributes(attrs...))
}
