package resilience_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/vigiltest"
)

// telemetry is the in-memory telemetry of one test.
type telemetry struct {
	t        *testing.T
	reader   *sdkmetric.ManualReader
	mp       *sdkmetric.MeterProvider
	recorder *tracetest.SpanRecorder
	tp       *sdktrace.TracerProvider
	logs     *vigiltest.Buffer
	logger   *slog.Logger
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{t: t, reader: sdkmetric.NewManualReader(),
		recorder: tracetest.NewSpanRecorder(), logs: &vigiltest.Buffer{}}
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	tel.tp = sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(tel.recorder))
	tel.logger = slog.New(slog.NewJSONHandler(tel.logs,
		&slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		_ = tel.mp.Shutdown(context.Background())
		_ = tel.tp.Shutdown(context.Background())
	})
	return tel
}

// span starts a recording span and returns its context.
func (tel *telemetry) span(name string) (context.Context, trace.Span) {
	return tel.tp.Tracer("test").Start(context.Background(), name)
}

// value returns the int64 point of metric name whose attributes include
// every key=value pair in want, and whether one was found.
func (tel *telemetry) value(name string, want ...attribute.KeyValue) (int64, bool) {
	tel.t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		tel.t.Fatalf("collect: %v", err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			var points []metricdata.DataPoint[int64]
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				points = d.DataPoints
			case metricdata.Gauge[int64]:
				points = d.DataPoints
			}
			for _, p := range points {
				if hasAll(p.Attributes, want) {
					return p.Value, true
				}
			}
		}
	}
	return 0, false
}

func hasAll(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		v, ok := set.Value(kv.Key)
		if !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// mustValue is value that fails the test when the point is missing.
func (tel *telemetry) mustValue(name string, want ...attribute.KeyValue) int64 {
	tel.t.Helper()
	v, ok := tel.value(name, want...)
	if !ok {
		tel.t.Fatalf("no %s point with %v", name, want)
	}
	return v
}

// logLines decodes the JSON log lines whose message contains msg.
func (tel *telemetry) logLines(msg string) []map[string]any {
	tel.t.Helper()
	var out []map[string]any
	for line := range strings.Lines(tel.logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tel.t.Fatalf("log line %q: %v", line, err)
		}
		if s, _ := m["msg"].(string); strings.Contains(s, msg) {
			out = append(out, m)
		}
	}
	return out
}

// events returns the events named name on the ended spans.
func (tel *telemetry) events(name string) []sdktrace.Event {
	var out []sdktrace.Event
	for _, s := range tel.recorder.Ended() {
		for _, e := range s.Events() {
			if e.Name == name {
				out = append(out, e)
			}
		}
	}
	return out
}

func attrOf(kvs []attribute.KeyValue, key string) (attribute.Value, bool) {
	for _, kv := range kvs {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// sequence returns a deterministic random source cycling through vs.
func sequence(vs ...float64) func() float64 {
	var mu sync.Mutex
	i := 0
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		v := vs[i%len(vs)]
		i++
		return v
	}
}
