package cache

import (
	"context"
	"sync"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkHit compares a memory hit through the cache, with real metric
// and trace pipelines attached, to the mutex-guarded map a user would
// write by hand.
func BenchmarkHit(b *testing.B) {
	ctx := context.Background()
	load := func(context.Context) ([]byte, error) { return []byte("kettle"), nil }

	b.Run("map+mutex", func(b *testing.B) {
		var mu sync.Mutex
		m := map[string][]byte{"product:1": []byte("kettle")}
		b.ReportAllocs()
		for b.Loop() {
			mu.Lock()
			_ = m["product:1"]
			mu.Unlock()
		}
	})
	for _, tc := range []struct {
		name string
		opts func(b *testing.B) []Option
	}{
		{"cache/no-telemetry", func(*testing.B) []Option { return nil }},
		{"cache/metrics+traces", func(b *testing.B) []Option {
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
			b.Cleanup(func() { _ = mp.Shutdown(ctx); _ = tp.Shutdown(ctx) })
			return []Option{WithMeterProvider(mp), WithTracerProvider(tp)}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := New(tc.opts(b)...)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.GetOrLoad(ctx, "product:1", load); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetOrLoad(ctx, "product:1", load); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
