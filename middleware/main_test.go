package middleware

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/vigiltest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// harness collects spans, metrics and log records in memory.
type harness struct {
	t      *testing.T
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	logs   *vigiltest.Buffer
	logger *slog.Logger
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, spans: tracetest.NewSpanRecorder(),
		reader: sdkmetric.NewManualReader(), logs: &vigiltest.Buffer{}}
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	h.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	h.logger = slog.New(slog.NewJSONHandler(h.logs,
		&slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		_ = h.tp.Shutdown(context.Background())
		_ = h.mp.Shutdown(context.Background())
	})
	return h
}

// opts are the options that point the middleware at the harness.
func (h *harness) opts(more ...Option) []Option {
	return append([]Option{WithTracerProvider(h.tp),
		WithMeterProvider(h.mp), WithLogger(h.logger)}, more...)
}

func (h *harness) handler(next http.Handler, more ...Option) http.Handler {
	return Handler(next, h.opts(more...)...)
}

// serve runs one request through hd on a recorder.
func serve(hd http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, r)
	return rec
}

func (h *harness) ended() []sdktrace.ReadOnlySpan { return h.spans.Ended() }

// onlySpan returns the one ended span, failing otherwise.
func (h *harness) onlySpan() sdktrace.ReadOnlySpan {
	h.t.Helper()
	s := h.ended()
	if len(s) != 1 {
		h.t.Fatalf("got %d spans, want 1", len(s))
	}
	return s[0]
}

// logLines returns the decoded log records, failing on any line that is
// not one JSON object.
func (h *harness) logLines() []map[string]any {
	h.t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(h.logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			h.t.Fatalf("log line is not JSON: %v: %q", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// collect returns the metrics gathered so far.
func (h *harness) collect() metricdata.ResourceMetrics {
	h.t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		h.t.Fatal(err)
	}
	return rm
}

// metric returns the named metric, or fails.
func (h *harness) metric(name string) metricdata.Aggregation {
	h.t.Helper()
	for _, sm := range h.collect().ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m.Data
			}
		}
	}
	h.t.Fatalf("metric %s not found", name)
	return nil
}

// histPoints returns the points of a float64 histogram.
func (h *harness) histPoints(name string) []metricdata.HistogramDataPoint[float64] {
	h.t.Helper()
	d, ok := h.metric(name).(metricdata.Histogram[float64])
	if !ok {
		h.t.Fatalf("%s is %T", name, h.metric(name))
	}
	return d.DataPoints
}

// hasMetric reports whether any data point of name was recorded.
func (h *harness) hasMetric(name string) bool {
	for _, sm := range h.collect().ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return true
			}
		}
	}
	return false
}

// attrMap flattens a set for comparisons.
func attrMap(s attribute.Set) map[string]string {
	m := map[string]string{}
	for _, kv := range s.ToSlice() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func spanAttrs(s sdktrace.ReadOnlySpan) map[string]string {
	return attrMap(attribute.NewSet(s.Attributes()...))
}

// activeSum returns the sum of http.server.active_requests.
func (h *harness) activeSum() int64 {
	h.t.Helper()
	d, ok := h.metric("http.server.active_requests").(metricdata.Sum[int64])
	if !ok {
		h.t.Fatal("active requests is not an int64 sum")
	}
	var n int64
	for _, p := range d.DataPoints {
		n += p.Value
	}
	return n
}

// ok is a handler that writes a short body.
var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte("ok"))
})

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func attrSet(kv []attribute.KeyValue) attribute.Set { return attribute.NewSet(kv...) }
