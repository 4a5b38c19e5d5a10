package tracing_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-go/vigil/tracing"

	"github.com/vigil-go/vigil/internal/testsvc"
)

// BenchmarkSpan starts and ends one span per op on a provider with no
// endpoint, one exporting to a working collector, and ones whose
// collector refuses connections or accepts and never answers: the dead
// collectors must cost no more than the working one, since export happens
// off the request path.
func BenchmarkSpan(b *testing.B) {
	cases := []struct {
		name string
		addr func(testing.TB) string
	}{
		{"no_endpoint", nil},
		{"collector_up", func(tb testing.TB) string {
			return startCollector(tb).addr
		}},
		{"collector_refuses", closedPort},
		{"collector_hangs", testsvc.SilentListener},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			opts := []tracing.Option{
				tracing.WithExportTimeout(200 * time.Millisecond),
			}
			if bc.addr != nil {
				opts = append(opts,
					tracing.WithEndpoint("http://"+bc.addr(b)))
			}
			tp, err := tracing.NewProvider(context.Background(), opts...)
			if err != nil {
				b.Fatal(err)
			}
			tr := tp.Tracer("bench")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_, span := tr.Start(ctx, "GET /users/{id}")
				span.End()
			}
			b.StopTimer()
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			_ = tp.Shutdown(sctx)
		})
	}
}
