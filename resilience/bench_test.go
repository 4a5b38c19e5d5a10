package resilience_test

import (
	"context"
	"testing"

	"github.com/sony/gobreaker/v2"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/vigil-go/vigil/resilience"
)

func BenchmarkBreakerExecute(b *testing.B) {
	ctx := context.Background()
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench"})
		b.ReportAllocs()
		for b.Loop() {
			_, _ = cb.Execute(func() (int, error) { return 1, nil })
		}
	})
	b.Run("vigil", func(b *testing.B) {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		defer func() { _ = mp.Shutdown(ctx) }()
		br := resilience.NewBreaker[int](resilience.WithName("bench"),
			resilience.WithMeterProvider(mp))
		fn := func(context.Context) (int, error) { return 1, nil }
		b.ReportAllocs()
		for b.Loop() {
			_, _ = br.Execute(ctx, fn)
		}
	})
}
