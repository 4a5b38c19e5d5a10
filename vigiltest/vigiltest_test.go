package vigiltest_test

import (
	"context"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/vigiltest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestSpansAreRecordedInEndOrder(t *testing.T) {
	tel := vigiltest.New(t)
	tr := tel.TracerProvider.Tracer("test")
	ctx, parent := tr.Start(context.Background(), "parent")
	_, child := tr.Start(ctx, "child")
	child.End()
	parent.End()

	got := tel.SpanNames()
	if len(got) != 2 || got[0] != "child" || got[1] != "parent" {
		t.Fatalf("SpanNames() = %v, want [child parent]", got)
	}
	if !tel.Spans()[1].SpanContext().IsSampled() {
		t.Error("parent span is not sampled")
	}
	tel.Reset()
	if n := len(tel.Spans()); n != 0 {
		t.Errorf("after Reset: %d spans, want 0", n)
	}
}

func TestCollectMetricsReadsCounters(t *testing.T) {
	tel := vigiltest.New(t)
	c, err := tel.MeterProvider.Meter("test").Int64Counter("jobs.done")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 3)

	m, ok := tel.Metric("jobs.done")
	if !ok {
		t.Fatalf("metric jobs.done not found in %+v", tel.CollectMetrics())
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok || len(sum.DataPoints) != 1 || sum.DataPoints[0].Value != 3 {
		t.Fatalf("jobs.done data = %+v, want one point of 3", m.Data)
	}
	if _, ok := tel.Metric("absent"); ok {
		t.Error("Metric(absent) reported found")
	}
}

func TestLogRecordsCarryTraceID(t *testing.T) {
	tel := vigiltest.New(t)
	ctx, span := tel.TracerProvider.Tracer("test").Start(
		context.Background(), "op")
	tel.Logger.InfoContext(ctx, "hello", "n", 1)
	tel.Logger.Debug("quiet")
	span.End()

	recs := tel.LogRecords()
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2: %s", len(recs), tel.LogOutput())
	}
	if recs[0]["msg"] != "hello" || recs[0]["n"] != float64(1) {
		t.Errorf("first record = %v", recs[0])
	}
	want := span.SpanContext().TraceID().String()
	if recs[0]["trace_id"] != want {
		t.Errorf("trace_id = %v, want %s", recs[0]["trace_id"], want)
	}
}

func TestPropagatorInjectsTraceparentAndBaggage(t *testing.T) {
	tel := vigiltest.New(t)
	ctx, span := tel.TracerProvider.Tracer("test").Start(
		context.Background(), "op")
	defer span.End()
	h := http.Header{}
	tel.Propagator.Inject(ctx, propagation.HeaderCarrier(h))
	if h.Get("traceparent") == "" {
		t.Errorf("no traceparent injected: %v", h)
	}
	fields := tel.Propagator.Fields()
	if len(fields) < 2 {
		t.Errorf("Fields() = %v, want tracecontext and baggage", fields)
	}
}
