package resilience_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sony/gobreaker/v2"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/vigil-go/vigil/resilience"
)

// benchMeter is a real SDK meter provider with a manual reader, so that
// instruments record as in production.
func benchMeter(b *testing.B) *sdkmetric.MeterProvider {
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp
}

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
		br := resilience.NewBreaker(resilience.WithName("bench"),
			resilience.WithMeterProvider(benchMeter(b)))
		fn := func(context.Context) (int, error) { return 1, nil }
		b.ReportAllocs()
		for b.Loop() {
			_, _ = resilience.Do(ctx, br, fn)
		}
	})
	b.Run("gobreaker-parallel", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench"})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = cb.Execute(func() (int, error) { return 1, nil })
			}
		})
	})
	b.Run("vigil-parallel", func(b *testing.B) {
		br := resilience.NewBreaker(resilience.WithName("bench"),
			resilience.WithMeterProvider(benchMeter(b)))
		fn := func(context.Context) (int, error) { return 1, nil }
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = resilience.Do(ctx, br, fn)
			}
		})
	})
}

// gobreakerTransport is what a user might write instead: gobreaker
// around a RoundTripper, no retries, no telemetry.
type gobreakerTransport struct {
	cb   *gobreaker.CircuitBreaker[*http.Response]
	base http.RoundTripper
}

func (t gobreakerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.cb.Execute(func() (*http.Response, error) {
		return t.base.RoundTrip(r)
	})
}

func BenchmarkTransport(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	variants := []struct {
		name string
		rt   func(base http.RoundTripper) http.RoundTripper
	}{
		{"bare", func(base http.RoundTripper) http.RoundTripper { return base }},
		{"gobreaker", func(base http.RoundTripper) http.RoundTripper {
			cb := gobreaker.NewCircuitBreaker[*http.Response]( //nolint:bodyclose // no response
				gobreaker.Settings{})
			return gobreakerTransport{cb, base}
		}},
		{"vigil", func(base http.RoundTripper) http.RoundTripper {
			return resilience.NewTransport(base,
				resilience.WithMeterProvider(benchMeter(b)))
		}},
		{"vigil-no-breaker", func(base http.RoundTripper) http.RoundTripper {
			return resilience.NewTransport(base, resilience.WithoutBreaker(),
				resilience.WithMeterProvider(benchMeter(b)))
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			base := &http.Transport{}
			defer base.CloseIdleConnections()
			c := &http.Client{Transport: v.rt(base)}
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
}
