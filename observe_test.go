package kyc_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// recorder is an Observer that keeps every event, named by the method that received it.
type recorder struct {
	mu     sync.Mutex
	events []recorded
	open   int // calls started and not ended
}

type recorded struct {
	kind string // "start", "end", "refresh", "stale", "store"
	e    kyc.Event
}

func (r *recorder) add(kind string, e kyc.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, recorded{kind, e})
	switch kind {
	case "start":
		r.open++
	case "end":
		r.open--
	}
}

type startKey struct{}

func (r *recorder) CallStart(ctx context.Context, e kyc.Event) context.Context {
	r.add("start", e)
	return context.WithValue(ctx, startKey{}, e.Op)
}

func (r *recorder) CallEnd(ctx context.Context, e kyc.Event) {
	// The context is the one CallStart returned, for this very call.
	if op, _ := ctx.Value(startKey{}).(string); op != e.Op {
		e.Class = "WRONG CONTEXT"
	}
	r.add("end", e)
}
func (r *recorder) TicketRefresh(_ context.Context, e kyc.Event) { r.add("refresh", e) }
func (r *recorder) StaleTicket(_ context.Context, e kyc.Event)   { r.add("stale", e) }
func (r *recorder) StoreError(_ context.Context, e kyc.Event)    { r.add("store", e) }

// of returns the events of kind, in order.
func (r *recorder) of(kind string) []kyc.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []kyc.Event
	for _, ev := range r.events {
		if ev.kind == kind {
			out = append(out, ev.e)
		}
	}
	return out
}

// ends returns "op attempts code class" for each ended call, in order.
func (r *recorder) ends() []string {
	var out []string
	for _, e := range r.of("end") {
		out = append(out, strings.Join([]string{e.API, e.Op, strconv.Itoa(e.Attempts), e.Code, e.Class}, " "))
	}
	return out
}

// Invented values that must never reach an observer.
const (
	obsOrderNo = "obsorder0001"
	obsUserID  = "obsuser0001"
	obsName    = "观测测试"
	obsIDNo    = "OBSERVERTEST00001X"
)

// checkNoValues fails if any string of any event holds one of the values (or the server's
// secrets and tickets).
func checkNoValues(t *testing.T, r *recorder, values ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.events)
	for _, ev := range r.events {
		v := reflect.ValueOf(ev.e)
		for i := range v.NumField() {
			if v.Field(i).Kind() != reflect.String {
				continue
			}
			s := v.Field(i).String()
			for _, value := range values {
				if value != "" && strings.Contains(s, value) {
					t.Errorf("%s event field %s = %q carries a value", ev.kind, v.Type().Field(i).Name, s)
				}
			}
		}
	}
}

// A face upload whose ticket the service refused (the unit was revoked): the call fails with
// 400101, a new unit is fetched, the call is sent once more. The observer sees each call with
// its attempts and code, one stale-ticket retry, two refreshes, and no value.
func TestObserverStaleTicketRetry(t *testing.T) {
	r := &recorder{}
	srv, c := newPair(t, kyc.WithObserver(r))
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.NoError(t, err)
	srv.Revoke(srv.AppID)

	_, err = c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: obsOrderNo, UserID: obsUserID,
		Name: obsName, IDNo: obsIDNo})
	require.NoError(t, err)

	require.Equal(t, []string{
		"kyc1 access_token 1 0 ", "kyc1 sign_ticket 1 0 ",
		"kyc1 getAdvFaceId 1 400101 api",
		"kyc1 access_token 1 0 ", "kyc1 sign_ticket 1 0 ",
		"kyc1 getAdvFaceId 1 0 ",
	}, r.ends())
	stale := r.of("stale")
	require.Len(t, stale, 1)
	require.Equal(t, kyc.Event{Op: "getAdvFaceId", API: "kyc1", Code: "400101", Class: "api", HTTPStatus: 200}, stale[0])
	refreshes := r.of("refresh")
	require.Len(t, refreshes, 2)
	for _, e := range refreshes {
		require.Equal(t, "refresh", e.Op)
		require.Empty(t, e.Class)
		require.Positive(t, e.Duration)
	}
	require.Len(t, r.of("start"), 6)
	require.Zero(t, r.open)
	for _, e := range r.of("end") {
		require.Positive(t, e.Duration)
	}
	checkNoValues(t, r, obsOrderNo, obsUserID, obsName, obsIDNo, srv.Secret, srv.AppID)
}

// Retries are counted: two busy answers, then a success, is one call of three attempts.
func TestObserverCountsAttempts(t *testing.T) {
	r := &recorder{}
	srv, c := newPair(t, kyc.WithObserver(r))
	ctx := context.Background()
	_, err := c.SignTicket(ctx)
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: "999999", Times: 2})

	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: obsOrderNo})
	var apiErr *kyc.APIError
	require.ErrorAs(t, err, &apiErr) // the order does not exist: a code after the busy ones
	ends := r.of("end")
	last := ends[len(ends)-1]
	require.Equal(t, "queryfacerecord", last.Op)
	require.Equal(t, 3, last.Attempts)
	require.Equal(t, apiErr.Code, last.Code)
	require.Equal(t, "api", last.Class)
	checkNoValues(t, r, obsOrderNo, srv.Secret)
}

// An API 3.0 action is reported with its action name and API "api3"; its error code too.
func TestObserverCloudCall(t *testing.T) {
	r := &recorder{}
	srv, c := newCloudPair(t, nil, kyc.WithObserver(r))
	ctx := context.Background()
	_, err := c.Detect.Auth(ctx, kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID, Name: obsName, IDCard: obsIDNo})
	require.NoError(t, err)
	srv.Fail(kyctest.Fault{Endpoint: "GetDetectInfoEnhanced", Code: "FailedOperation.UnKnown", Times: 1})
	// The busy answer is retried; the unknown BizToken is not.
	_, err = c.Detect.InfoEnhanced(ctx, kyc.DetectInfoRequest{RuleID: kyctest.DefaultRuleID, BizToken: "obsbiztoken0001"})
	require.Error(t, err)
	require.Equal(t, []string{"api3 DetectAuth 1  ", "api3 GetDetectInfoEnhanced 2 InvalidParameterValue.BizTokenIllegal api"}, r.ends())
	checkNoValues(t, r, obsName, obsIDNo, "obsbiztoken0001", srv.SecretID, srv.SecretKey)
}

// obsFailingStore is a MemoryStore whose Load and Lease fail, with an error text that carries a
// value: the observer gets the class only.
type obsFailingStore struct{ *kyc.MemoryStore }

var errObsStoreDown = errors.New("store down for " + obsIDNo)

func (obsFailingStore) Load(context.Context, string) (*kyc.TicketUnit, error) {
	return nil, errObsStoreDown
}
func (obsFailingStore) Lease(context.Context, string, time.Duration) (kyc.Lease, error) {
	return nil, errObsStoreDown
}

func TestObserverStoreErrors(t *testing.T) {
	r := &recorder{}
	srv, c := newPair(t, kyc.WithObserver(r), kyc.WithTicketStore(obsFailingStore{kyc.NewMemoryStore()}))
	_, err := c.SignTicket(context.Background())
	require.NoError(t, err) // nothing to serve: fetched without the lease
	var ops []string
	for _, e := range r.of("store") {
		require.Equal(t, "store", e.Class)
		ops = append(ops, e.Op)
	}
	require.Equal(t, []string{"Load", "Lease"}, ops)
	require.Len(t, r.of("refresh"), 1)
	checkNoValues(t, r, obsIDNo, srv.Secret)
}

// A call whose context ended is reported as canceled, its attempt counted.
func TestObserverCanceledCall(t *testing.T) {
	r := &recorder{}
	_, c := newPair(t, kyc.WithObserver(r))
	_, err := c.SignTicket(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: obsOrderNo})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, []string{"kyc1 access_token 1 0 ", "kyc1 sign_ticket 1 0 ", "kyc1 queryfacerecord 1  canceled"}, r.ends())
}

// Event holds metadata only: names, counts, codes and a duration. A field added to it must be
// added here, after checking it cannot carry a value sent or received.
func TestEventHasNoValueFields(t *testing.T) {
	want := map[string]reflect.Type{
		"Op": reflect.TypeFor[string](), "API": reflect.TypeFor[string](), "Code": reflect.TypeFor[string](),
		"Class": reflect.TypeFor[string](), "Attempts": reflect.TypeFor[int](), "HTTPStatus": reflect.TypeFor[int](),
		"Duration": reflect.TypeFor[time.Duration](),
	}
	typ := reflect.TypeFor[kyc.Event]()
	require.Equal(t, len(want), typ.NumField())
	for i := range typ.NumField() {
		f := typ.Field(i)
		require.Equal(t, want[f.Name], f.Type, "Event.%s", f.Name)
	}
}

// A code that does not look like one (here an ID number and spaces, from a broken server) is
// reported as "invalid", never as it came.
func TestObserverOddCode(t *testing.T) {
	for _, code := range []string{"bad " + obsIDNo, strings.Repeat("A", 65)} {
		r := &recorder{}
		srv, c := newPair(t, kyc.WithObserver(r))
		srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: code, Times: 1})
		_, err := c.Face.QueryResult(context.Background(), kyc.FaceQuery{OrderNo: obsOrderNo})
		require.Error(t, err)
		ends := r.of("end")
		require.Equal(t, "invalid", ends[len(ends)-1].Code)
		checkNoValues(t, r, obsIDNo, obsOrderNo, code)
	}
}

// nilContext is an Observer that breaks its contract: CallStart returns nil.
type nilContext struct{ *recorder }

func (n nilContext) CallStart(ctx context.Context, e kyc.Event) context.Context {
	n.recorder.CallStart(ctx, e)
	return nil
}

func (n nilContext) CallEnd(ctx context.Context, e kyc.Event) { n.add("end", e) }

// An observer that returns no context from CallStart does not break the call.
func TestObserverNilContext(t *testing.T) {
	r := &recorder{}
	_, c := newPair(t, kyc.WithObserver(nilContext{r}))
	_, err := c.SignTicket(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"kyc1 access_token 1 0 ", "kyc1 sign_ticket 1 0 "}, r.ends())
}
