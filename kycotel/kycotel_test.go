package kycotel_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kycotel"
	"github.com/kycgo/kyc/kyctest"
)

// Invented values: none may appear in a span or a metric.
const (
	testOrderNo  = "otelorder0001"
	testUserID   = "oteluser0001"
	testName     = "遥测测试"
	testIDNo     = "OTELTESTONLY00001X"
	testBizToken = "otelbiztoken0001"
)

// rig is a kyctest server, a client observed by kycotel, the in-memory span exporter and the
// manual metric reader.
type rig struct {
	srv    *kyctest.Server
	c      *kyc.Client
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	tracer trace.Tracer
}

func newRig(t *testing.T, opts ...kyc.Option) *rig {
	t.Helper()
	r := &rig{srv: kyctest.NewServer(), spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	t.Cleanup(r.srv.Close)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	r.tracer = tp.Tracer("partner")
	all := append(r.srv.ClientOptions(), kyc.WithRetry(3, time.Millisecond, 2*time.Millisecond),
		kyc.WithObserver(kycotel.New(tp, mp)))
	c, err := kyc.New(r.srv.AppID, r.srv.Secret, append(all, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	r.c = c
	return r
}

// span returns the ended spans named name, in the order they ended.
func (r *rig) named(name string) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range r.spans.GetSpans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func (r *rig) names() []string {
	var out []string
	for _, s := range r.spans.GetSpans() {
		out = append(out, s.Name)
	}
	return out
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// metrics collects the metrics: name -> "k=v,k=v" (attributes sorted) -> value (a counter's sum,
// a histogram's count).
func (r *rig) metrics(t *testing.T) map[string]map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.reader.Collect(context.Background(), &rm))
	out := map[string]map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, kycotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			points := map[string]int64{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					points[p.Attributes.Encoded(attribute.DefaultEncoder())] = p.Value
				}
			case metricdata.Histogram[float64]:
				require.Equal(t, "s", m.Unit, m.Name)
				for _, p := range d.DataPoints {
					points[p.Attributes.Encoded(attribute.DefaultEncoder())] = int64(p.Count)
				}
			default:
				t.Fatalf("%s: unexpected %T", m.Name, m.Data)
			}
			out[m.Name] = points
		}
	}
	return out
}

// checkNoValues fails if a value appears in a span name, status, attribute or event, or in a
// metric's attributes.
func (r *rig) checkNoValues(t *testing.T, values ...string) {
	t.Helper()
	values = append(values, r.srv.Secret, r.srv.AppID, r.srv.SecretID, r.srv.SecretKey, r.srv.URL)
	var texts []string
	for _, s := range r.spans.GetSpans() {
		texts = append(texts, s.Name, s.Status.Description, fmt.Sprint(attrs(s.Attributes)))
		for _, ev := range s.Events {
			texts = append(texts, ev.Name, fmt.Sprint(attrs(ev.Attributes)))
		}
	}
	for name, points := range r.metrics(t) {
		texts = append(texts, name)
		for k := range points {
			texts = append(texts, k)
		}
	}
	require.NotEmpty(t, texts)
	for _, text := range texts {
		for _, v := range values {
			if v != "" && strings.Contains(text, v) {
				t.Errorf("%q carries a value (%q)", text, v)
			}
		}
	}
}

// A face upload whose ticket unit the service refused: the 400101 call, the refresh's two calls
// and the call sent again are spans under the partner's span, which gets the stale-ticket and
// refresh events; the counters count one stale retry and two refreshes.
func TestFaceCallWithStaleTicket(t *testing.T) {
	r := newRig(t)
	ctx, parent := r.tracer.Start(context.Background(), "partner handler")
	_, err := r.c.SignTicket(ctx)
	require.NoError(t, err)
	r.srv.Revoke(r.srv.AppID)
	_, err = r.c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Enhanced, OrderNo: testOrderNo, UserID: testUserID,
		Name: testName, IDNo: testIDNo})
	require.NoError(t, err)
	parent.End()

	require.Equal(t, []string{"kyc1/access_token", "kyc1/sign_ticket", "kyc1/getAdvFaceId",
		"kyc1/access_token", "kyc1/sign_ticket", "kyc1/getAdvFaceId", "partner handler"}, r.names())
	uploads := r.named("kyc1/getAdvFaceId")
	refused, sent := uploads[0], uploads[1]
	for _, s := range uploads {
		require.Equal(t, trace.SpanKindClient, s.SpanKind)
		require.Equal(t, parent.SpanContext().SpanID(), s.Parent.SpanID(), "a child of the partner's span")
	}
	require.Equal(t, map[string]any{"kyc.api": "kyc1", "kyc.operation": "getAdvFaceId", "kyc.attempts": int64(1),
		"kyc.response.code": "400101", "error.type": "400101", "http.response.status_code": int64(200)}, attrs(refused.Attributes))
	require.Equal(t, codes.Error, refused.Status.Code)
	require.Equal(t, "400101", refused.Status.Description)
	require.Equal(t, map[string]any{"kyc.api": "kyc1", "kyc.operation": "getAdvFaceId", "kyc.attempts": int64(1),
		"kyc.response.code": "0"}, attrs(sent.Attributes))
	require.Equal(t, codes.Unset, sent.Status.Code)

	var events []string
	for _, ev := range r.named("partner handler")[0].Events {
		events = append(events, ev.Name+" "+fmt.Sprint(attrs(ev.Attributes)))
	}
	require.Equal(t, []string{"kyc.tickets.refresh map[]",
		"kyc.tickets.stale map[kyc.operation:getAdvFaceId kyc.response.code:400101]",
		"kyc.tickets.refresh map[]"}, events)

	m := r.metrics(t)
	require.Equal(t, map[string]int64{
		"error.type=400101,kyc.api=kyc1,kyc.operation=getAdvFaceId,kyc.response.code=400101": 1,
		"kyc.api=kyc1,kyc.operation=getAdvFaceId,kyc.response.code=0":                        1,
		"kyc.api=kyc1,kyc.operation=access_token,kyc.response.code=0":                        2,
		"kyc.api=kyc1,kyc.operation=sign_ticket,kyc.response.code=0":                         2,
	}, m["kyc.client.calls"])
	require.Equal(t, map[string]int64{"kyc.operation=getAdvFaceId,kyc.response.code=400101": 1}, m["kyc.tickets.stale_retries"])
	require.Equal(t, map[string]int64{"": 2}, m["kyc.tickets.refreshes"])
	require.Equal(t, map[string]int64{"": 2}, m["kyc.tickets.refresh.duration"])
	require.Equal(t, int64(1), m["kyc.client.call.duration"]["error.type=400101,kyc.api=kyc1,kyc.operation=getAdvFaceId"])
	require.Equal(t, int64(1), m["kyc.client.call.duration"]["kyc.api=kyc1,kyc.operation=getAdvFaceId"])
	r.checkNoValues(t, testOrderNo, testUserID, testName, testIDNo)
}

// An API 3.0 action is a span "api3/{action}" without a code (API 3.0 has none for a success).
func TestCloudCall(t *testing.T) {
	r := newRig(t)
	res, err := r.c.Detect.Auth(context.Background(), kyc.DetectAuthRequest{RuleID: kyctest.DefaultRuleID,
		Name: testName, IDCard: testIDNo})
	require.NoError(t, err)
	spans := r.named("api3/DetectAuth")
	require.Len(t, spans, 1)
	require.Equal(t, map[string]any{"kyc.api": "api3", "kyc.operation": "DetectAuth", "kyc.attempts": int64(1)},
		attrs(spans[0].Attributes))
	require.Equal(t, codes.Unset, spans[0].Status.Code)
	require.Equal(t, map[string]int64{"kyc.api=api3,kyc.operation=DetectAuth": 1}, r.metrics(t)["kyc.client.calls"])
	r.checkNoValues(t, testName, testIDNo, res.BizToken)
}

// A query that fails with the service's code after two busy answers: one span of three
// attempts with that code as error.type, three attempts counted.
func TestFailingCallWithRetries(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.c.SignTicket(ctx)
	require.NoError(t, err)
	r.srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Code: "999999", Times: 2})
	_, err = r.c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: testOrderNo})
	var apiErr *kyc.APIError
	require.ErrorAs(t, err, &apiErr)
	require.NotEmpty(t, apiErr.Code)

	spans := r.named("kyc1/queryfacerecord")
	require.Len(t, spans, 1)
	a := attrs(spans[0].Attributes)
	require.Equal(t, int64(3), a["kyc.attempts"])
	require.Equal(t, apiErr.Code, a["kyc.response.code"])
	require.Equal(t, apiErr.Code, a["error.type"])
	require.Equal(t, codes.Error, spans[0].Status.Code)
	m := r.metrics(t)
	require.Equal(t, int64(3), m["kyc.client.attempts"]["kyc.api=kyc1,kyc.operation=queryfacerecord"])
	require.Equal(t, int64(1), m["kyc.client.calls"]["error.type="+apiErr.Code+",kyc.api=kyc1,kyc.operation=queryfacerecord,kyc.response.code="+apiErr.Code])
	r.checkNoValues(t, testOrderNo)
}

// A call whose answer is not one: error.type is the outcome class, with no code.
func TestBadAnswer(t *testing.T) {
	r := newRig(t, kyc.WithRetry(1, time.Millisecond, time.Millisecond))
	ctx := context.Background()
	_, err := r.c.SignTicket(ctx)
	require.NoError(t, err)
	r.srv.Fail(kyctest.Fault{Endpoint: kyctest.EndpointQueryFaceRecord, Status: 502, Times: 1})
	_, err = r.c.Face.QueryResult(ctx, kyc.FaceQuery{OrderNo: testOrderNo})
	require.Error(t, err)
	s := r.named("kyc1/queryfacerecord")[0]
	require.Equal(t, map[string]any{"kyc.api": "kyc1", "kyc.operation": "queryfacerecord", "kyc.attempts": int64(1),
		"error.type": "api", "http.response.status_code": int64(502)}, attrs(s.Attributes))
	require.Equal(t, codes.Error, s.Status.Code)
	r.checkNoValues(t, testOrderNo)
}

// downStore is a ticket store whose Load and Lease fail, with an error text that holds a value.
type downStore struct{ *kyc.MemoryStore }

var errDown = errors.New("store down: " + testIDNo)

func (downStore) Load(context.Context, string) (*kyc.TicketUnit, error) { return nil, errDown }
func (downStore) Lease(context.Context, string, time.Duration) (kyc.Lease, error) {
	return nil, errDown
}

// A store that fails: one error counted per store call, with its operation and class, never
// its text.
func TestStoreErrors(t *testing.T) {
	r := newRig(t, kyc.WithTicketStore(downStore{kyc.NewMemoryStore()}))
	ctx, parent := r.tracer.Start(context.Background(), "partner handler")
	_, err := r.c.SignTicket(ctx) // nothing to serve: fetched without the lease
	require.NoError(t, err)
	parent.End()
	require.Equal(t, map[string]int64{
		"error.type=store,kyc.store.operation=Load":  1,
		"error.type=store,kyc.store.operation=Lease": 1,
	}, r.metrics(t)["kyc.tickets.store.errors"])
	var events []string
	for _, ev := range r.named("partner handler")[0].Events {
		events = append(events, ev.Name)
	}
	require.Equal(t, []string{"kyc.tickets.store.error", "kyc.tickets.store.error", "kyc.tickets.refresh"}, events)
	r.checkNoValues(t, testIDNo, errDown.Error())
}

// Nil providers fall back to the global ones (no-ops by default): calls still work.
func TestGlobalProviders(t *testing.T) {
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(), kyc.WithObserver(kycotel.New(nil, nil)))...)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.SignTicket(context.Background())
	require.NoError(t, err)
}
