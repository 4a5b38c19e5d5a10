package vigiltest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Telemetry holds in-memory providers for one test. Create it with [New];
// the zero value is not usable. All methods are safe for concurrent use,
// including while the code under test is still recording.
type Telemetry struct {
	// TracerProvider samples every span and records it.
	TracerProvider *sdktrace.TracerProvider
	// MeterProvider is read by [Telemetry.CollectMetrics].
	MeterProvider *sdkmetric.MeterProvider
	// Logger writes JSON lines that [Telemetry.LogRecords] decodes.
	Logger *slog.Logger
	// Propagator is the W3C trace context and baggage composite that
	// vigil uses in production.
	Propagator propagation.TextMapPropagator

	tb       testing.TB
	recorder *tracetest.SpanRecorder
	reader   *sdkmetric.ManualReader
	logs     *Buffer
}

// New returns fresh in-memory telemetry for tb and shuts it down when the
// test ends. Options such as metric views are passed to the meter provider
// as given; nil options are ignored.
func New(tb testing.TB, opts ...sdkmetric.Option) *Telemetry {
	tb.Helper()
	t := &Telemetry{
		tb:       tb,
		recorder: tracetest.NewSpanRecorder(),
		reader:   sdkmetric.NewManualReader(),
		logs:     &Buffer{},
	}
	t.TracerProvider = sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(t.recorder))
	mopts := []sdkmetric.Option{sdkmetric.WithReader(t.reader)}
	for _, o := range opts {
		if o != nil {
			mopts = append(mopts, o)
		}
	}
	t.MeterProvider = sdkmetric.NewMeterProvider(mopts...)
	t.Logger = slog.New(newLogHandler(t.logs))
	t.Propagator = propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{})
	tb.Cleanup(t.shutdown)
	return t
}

func (t *Telemetry) shutdown() {
	ctx := context.Background()
	if err := t.TracerProvider.Shutdown(ctx); err != nil {
		t.tb.Errorf("vigiltest: tracer provider shutdown: %v", err)
	}
	if err := t.MeterProvider.Shutdown(ctx); err != nil {
		t.tb.Errorf("vigiltest: meter provider shutdown: %v", err)
	}
}

// Spans returns the spans that have ended so far, in the order they ended.
func (t *Telemetry) Spans() []sdktrace.ReadOnlySpan {
	return t.recorder.Ended()
}

// SpanNames returns the names of [Telemetry.Spans], in the same order.
func (t *Telemetry) SpanNames() []string {
	spans := t.Spans()
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name()
	}
	return names
}

// Reset forgets the spans and log lines recorded so far. Metrics are
// cumulative and are not reset.
func (t *Telemetry) Reset() {
	t.recorder.Reset()
	t.logs.Reset()
}

// CollectMetrics reads every instrument of [Telemetry.MeterProvider] now.
// A collection error fails the test.
func (t *Telemetry) CollectMetrics() metricdata.ResourceMetrics {
	t.tb.Helper()
	var rm metricdata.ResourceMetrics
	if err := t.reader.Collect(context.Background(), &rm); err != nil {
		t.tb.Fatalf("vigiltest: collect metrics: %v", err)
	}
	return rm
}

// Metric collects metrics and returns the one named name, reporting
// whether it was found in any scope.
func (t *Telemetry) Metric(name string) (metricdata.Metrics, bool) {
	t.tb.Helper()
	rm := t.CollectMetrics()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// LogRecords decodes every log line written so far, oldest first. A line
// that is not a JSON object fails the test.
func (t *Telemetry) LogRecords() []map[string]any {
	t.tb.Helper()
	var records []map[string]any
	for _, line := range bytes.Split(t.logs.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.tb.Fatalf("vigiltest: log line %q: %v", line, err)
		}
		records = append(records, rec)
	}
	return records
}

// LogOutput returns the raw log output written so far.
func (t *Telemetry) LogOutput() string {
	return string(t.logs.Bytes())
}

// Buffer is a bytes.Buffer safe for concurrent writers and readers: the
// io.Writer to give a logger that a server's goroutines write to while
// the test reads. The zero value is an empty buffer ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *Buffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// String returns what was written so far.
func (b *Buffer) String() string { return string(b.Bytes()) }

// Reset empties the buffer.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
