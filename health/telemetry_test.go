package health

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// switchable is a check whose error can be changed between runs.
type switchable struct{ err atomic.Pointer[error] }

func (s *switchable) set(err error) { s.err.Store(&err) }

func (s *switchable) check(context.Context) error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func stateOf(attrs attribute.Set) string {
	v, _ := attrs.Value(stateKey)
	return v.AsString()
}

func TestMetricsReportStatusAndDuration(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	r := New(WithMeterProvider(mp), WithCacheTTL(-1))
	t.Cleanup(r.Close)
	s := &switchable{}
	mustRegister(t, r, Check{Name: "db", Func: s.check})

	r.Evaluate(t.Context(), Readiness)
	s.set(errBoom)
	r.Evaluate(t.Context(), Readiness)
	r.Evaluate(t.Context(), Readiness)

	data := collect(t, reader)
	gauge, ok := data[statusInstrument].(metricdata.Gauge[int64])
	if !ok || len(gauge.DataPoints) != 3 {
		t.Fatalf("%s = %#v, want a gauge with 3 series", statusInstrument, data[statusInstrument])
	}
	for _, dp := range gauge.DataPoints {
		name, _ := dp.Attributes.Value(nameKey)
		want := int64(0)
		if stateOf(dp.Attributes) == "fail" {
			want = 1
		}
		if dp.Value != want || name.AsString() != "db" {
			t.Errorf("status{%s,%s} = %d, want %d", name.AsString(),
				stateOf(dp.Attributes), dp.Value, want)
		}
	}
	hist, ok := data[durationInstrument].(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s missing: %#v", durationInstrument, data)
	}
	counts := map[string]uint64{}
	for _, dp := range hist.DataPoints {
		counts[stateOf(dp.Attributes)] = dp.Count
	}
	if counts["pass"] != 1 || counts["fail"] != 2 {
		t.Fatalf("duration counts by state = %v, want pass 1 fail 2", counts)
	}
}

func TestTimeoutTurnsStatusFailingWithoutAProbe(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	r := New(WithMeterProvider(mp))
	t.Cleanup(r.Close)
	release := make(chan struct{})
	defer close(release)
	mustRegister(t, r, Check{Name: "hang", Timeout: 20 * time.Millisecond,
		Interval: time.Hour,
		Func:     func(context.Context) error { <-release; return nil }})

	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		gauge, _ := collect(t, reader)[statusInstrument].(metricdata.Gauge[int64])
		for _, dp := range gauge.DataPoints {
			if stateOf(dp.Attributes) == "fail" && dp.Value == 1 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("status gauge never turned fail for a hanging background check")
}

func TestLogsOneLinePerStatusChange(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	r := newTestRegistry(t, WithLogger(logger), WithCacheTTL(-1))
	s := &switchable{}
	mustRegister(t, r, Check{Name: "db", Func: s.check})

	steps := []error{nil, nil, errBoom, errBoom, errors.New("other"), nil, nil}
	for _, err := range steps {
		s.set(err)
		r.Evaluate(t.Context(), Readiness)
	}
	r.Drain()

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"level=WARN msg=\"health: check status changed\" check=db from=pass to=fail",
		"level=INFO msg=\"health: check status changed\" check=db from=fail to=pass",
		"level=INFO msg=\"health: draining, readiness now fails\"",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %q, want it to contain %q", i, lines[i], w)
		}
	}
	if !strings.Contains(lines[0], "error=boom") {
		t.Errorf("fail line lacks the error: %q", lines[0])
	}
}

func TestFirstFailingResultIsLogged(t *testing.T) {
	var buf bytes.Buffer
	r := newTestRegistry(t, WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	mustRegister(t, r, Check{Name: "db", Func: failing})
	r.Evaluate(t.Context(), Readiness)
	if !strings.Contains(buf.String(), "from=unknown to=fail") {
		t.Fatalf("log = %q, want a first fail line", buf.String())
	}
}
