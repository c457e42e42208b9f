package kyc

import (
	"context"
	"errors"
	"time"
)

// Observer receives what the client does, as metadata only, for tracing and metrics (the
// separate module github.com/kycgo/kyc/kycotel turns it into OpenTelemetry spans and metrics).
// Set one with WithObserver. Its methods are called synchronously on the calling goroutine,
// possibly from many goroutines at once: they must be safe for concurrent use and quick.
//
// Every method receives an Event, whose fields are names, counts, codes and durations only: no
// value that was sent or received (no orderNo, faceId, name, ID number, ticket, token, URL or
// error text) can reach an Observer.
type Observer interface {
	// CallStart is called when a call to the service begins, before its first attempt, with Op
	// and API set. The context it returns is the one the call's attempts are sent with and
	// CallEnd receives: an observer may start a span in it. It must return a context derived
	// from ctx (or ctx itself).
	CallStart(ctx context.Context, e Event) context.Context
	// CallEnd is called once the call ended, with the context CallStart returned, and with
	// Attempts, Code, Class, HTTPStatus and Duration set.
	CallEnd(ctx context.Context, e Event)
	// TicketRefresh is called after each fetch of a new access token and SIGN ticket (the
	// ticket unit), successful or not (Class), with Duration. Units adopted from a shared store
	// are not fetches and are not reported.
	TicketRefresh(ctx context.Context, e Event)
	// StaleTicket is called when the service refused a call's ticket unit (the 400101 class):
	// the unit is dropped, a new one obtained and the call sent once more. Op is the refused
	// call and Code the service's code.
	StaleTicket(ctx context.Context, e Event)
	// StoreError is called when the TicketStore failed: Op is the store method ("Load",
	// "Save", "Lease" or "Release") and Class the outcome class. A held lease (ErrLeaseHeld)
	// and a refused save (ErrUnitSuperseded) are the store working, not errors.
	StoreError(ctx context.Context, e Event)
}

// Event is one thing the client did, for an Observer. It has no field that can carry a value
// sent or received: its strings come from the package's own tables (Op, API, Class) or are
// service codes checked to look like one (Code).
type Event struct {
	// Op is the operation: a kyc1 endpoint name ("getAdvFaceId", "queryfacerecord",
	// "access_token", "nonce_ticket", ...), an API 3.0 action ("DetectAuth"), "refresh" for
	// TicketRefresh, or for StoreError the store method.
	Op string
	// API is "kyc1" or "api3" (Tencent Cloud API 3.0); "" for ticket-store events.
	API string
	// Attempts is how many times the call was sent (CallEnd), counting retries.
	Attempts int
	// Code is the service's code in the last answer: "0" for a kyc1 success, "" for an API 3.0
	// success and when no answer came ("400101", "66660011", "FailedOperation.Xxx"). A code
	// that does not look like one (over 64 bytes, or not letters, digits, '.', '_' and '-') is
	// reported as "invalid".
	Code string
	// Class is the outcome class: "" for a success, else "api" (the service answered with an
	// error code or HTTP status: *APIError), "bad_response" (ErrBadResponse), "timeout"
	// (context.DeadlineExceeded), "canceled" (context.Canceled), "input" (*InputError),
	// "closed" (ErrClosed), "store" (a TicketStore error) or "transport" (any other failure to
	// send or read).
	Class string
	// HTTPStatus is the HTTP status of a failed answer (*APIError), 0 otherwise.
	HTTPStatus int
	// Duration is the call's or the fetch's wall-clock time, retries and backoff included.
	Duration time.Duration
}

// The API names of Event.API.
const (
	apiKyc1 = "kyc1"
	apiAPI3 = "api3"
)

// maxEventCode bounds Event.Code: the longest real codes are API 3.0 ones such as
// "FailedOperation.LifePhotoDetectFaces" (about 40 bytes).
const maxEventCode = 64

// eventCode is code if it looks like a service code, "invalid" otherwise: an answer from a
// broken or hostile server must not carry a value into an observer through its code.
func eventCode(code string) string {
	if len(code) > maxEventCode {
		return "invalid"
	}
	for i := 0; i < len(code); i++ {
		switch b := code[i]; {
		case b >= '0' && b <= '9', b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b == '.', b == '_', b == '-':
		default:
			return "invalid"
		}
	}
	return code
}

// outcomeClass is Event.Class for err; fallback names the class of errors no other class
// matches ("transport" for calls, "store" for store errors).
func outcomeClass(err error, fallback string) string {
	var (
		apiErr   *APIError
		inputErr *InputError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &inputErr):
		return "input"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.As(err, &apiErr):
		return "api"
	case errors.Is(err, ErrBadResponse):
		return "bad_response"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return fallback
}

// callStart reports the start of a call of op through x to o and returns the context the call
// goes on with.
func callStart(ctx context.Context, o Observer, op string, x exchange) (context.Context, time.Time) {
	start := time.Now()
	if octx := o.CallStart(ctx, Event{Op: op, API: exchangeAPI(x)}); octx != nil {
		ctx = octx // an observer that breaks its contract (nil) does not break the call
	}
	return ctx, start
}

// callEnd reports the end of a call started at start, after attempts sends, ending with err.
func callEnd(ctx context.Context, o Observer, op string, x exchange, attempts int, start time.Time, err error) {
	e := Event{Op: op, API: exchangeAPI(x), Attempts: attempts, Class: outcomeClass(err, "transport"),
		Duration: time.Since(start)}
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		e.Code, e.HTTPStatus = eventCode(apiErr.Code), apiErr.HTTPStatus
	case err == nil:
		if k, ok := x.(*kyc1Call); ok && k.env != nil {
			e.Code = eventCode(string(k.env.Code))
		}
	}
	o.CallEnd(ctx, e)
}

func exchangeAPI(x exchange) string {
	if _, ok := x.(*cloudCall); ok {
		return apiAPI3
	}
	return apiKyc1
}

// observeStale reports a stale-ticket answer (err, an *APIError of the 400101 class) to o.
func observeStale(ctx context.Context, o Observer, err error) {
	if o == nil {
		return
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		o.StaleTicket(ctx, Event{Op: apiErr.Op, API: apiKyc1, Code: eventCode(apiErr.Code), Class: "api",
			HTTPStatus: apiErr.HTTPStatus})
	}
}

// observeRefresh reports a ticket-unit fetch started at start that ended with err.
func (a *appTickets) observeRefresh(ctx context.Context, start time.Time, err error) {
	if o := a.cfg.obs; o != nil {
		e := Event{Op: "refresh", API: apiKyc1, Class: outcomeClass(err, "transport"), Duration: time.Since(start)}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			e.Code, e.HTTPStatus = eventCode(apiErr.Code), apiErr.HTTPStatus
		}
		o.TicketRefresh(ctx, e)
	}
}

// storeError reports that the store method op failed with err.
func (a *appTickets) storeError(ctx context.Context, op string, err error) {
	if o := a.cfg.obs; o != nil {
		o.StoreError(ctx, Event{Op: op, Class: outcomeClass(err, "store")})
	}
}
