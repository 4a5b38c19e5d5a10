package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// clock is a manual clock for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_700_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// withClock makes the cache read time from c.
func withClock(c *clock) Option {
	return optionFunc(func(cfg *config) { cfg.now = c.Now })
}

// rig is a cache with in-memory telemetry and a counting loader.
type rig struct {
	cache  *Cache
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	loads  atomic.Int64
}

func newRig(t *testing.T, opts ...Option) *rig {
	t.Helper()
	r := &rig{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	t.Cleanup(func() {
		_ = mp.Shutdown(context.Background())
		_ = tp.Shutdown(context.Background())
	})
	opts = append([]Option{WithMeterProvider(mp), WithTracerProvider(tp)}, opts...)
	c, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.cache = c
	return r
}

// loader returns a Loader answering value and counting its calls.
func (r *rig) loader(value string) Loader {
	return func(context.Context) ([]byte, error) {
		r.loads.Add(1)
		return []byte(value), nil
	}
}

func (r *rig) get(t *testing.T, key, value string) string {
	t.Helper()
	v, err := r.cache.GetOrLoad(context.Background(), key, r.loader(value))
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// lookups returns shop.cache.lookups by "layer/result".
func (r *rig) lookups(t *testing.T) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "shop.cache.lookups" {
				continue
			}
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok || !sum.IsMonotonic {
				t.Fatalf("shop.cache.lookups is %T, want a monotonic int64 sum", m.Data)
			}
			for _, dp := range sum.DataPoints {
				l, _ := dp.Attributes.Value(keyLayer)
				res, _ := dp.Attributes.Value(keyResult)
				out[l.AsString()+"/"+res.AsString()] = dp.Value
			}
		}
	}
	return out
}

// spanAttr returns attribute k of the ended spans named name, in order.
func (r *rig) spanAttr(name string, k attribute.Key) []string {
	var out []string
	for _, s := range r.spans.Ended() {
		if s.Name() != name {
			continue
		}
		for _, a := range s.Attributes() {
			if a.Key == k {
				out = append(out, a.Value.String())
			}
		}
	}
	return out
}

// meterOf returns the meter provider r's cache records on.
func meterOf(r *rig) metric.MeterProvider { return r.cache.cfg.meterProvider }
