package middleware

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/vigil-go/vigil/logging"
)

// discardExporter drops spans, so the batch processor does its real work
// without I/O.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	return nil
}
func (discardExporter) Shutdown(context.Context) error { return nil }

// benchProviders are the SDK providers a service runs with: batch span
// processor and the Prometheus exporter on a fresh registry.
func benchProviders(b *testing.B, sampler sdktrace.Sampler) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider) {
	b.Helper()
	exp, err := otelprom.New(otelprom.WithRegisterer(prometheus.NewRegistry()))
	if err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler),
		sdktrace.WithBatcher(discardExporter{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return tp, mp
}

// benchMux is the handler under test: a ServeMux with one route.
func benchMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	return mux
}

func runBench(b *testing.B, hd http.Handler) {
	r := httptest.NewRequest("GET", "/users/42", nil)
	r.Header.Set("User-Agent", "bench/1")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		clear(w.h)
		hd.ServeHTTP(w, r)
	}
	reportCPU(b, cpu)
}

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall-clock ns/op swings with other load; CPU time per op (which also
// counts the span processor, GC and metric work on other goroutines) is
// the steadier figure.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

// discardWriter is a reusable ResponseWriter that keeps nothing.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

func BenchmarkServer(b *testing.B) {
	jsonLog := slog.New(slog.NewJSONHandler(io.Discard, nil))
	b.Run("bare", func(b *testing.B) {
		runBench(b, benchMux())
	})
	b.Run("otelhttp", func(b *testing.B) {
		tp, mp := benchProviders(b, sdktrace.AlwaysSample())
		runBench(b, otelhttp.NewHandler(benchMux(), "server",
			otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp)))
	})
	b.Run("otelhttp+id+log", func(b *testing.B) {
		tp, mp := benchProviders(b, sdktrace.AlwaysSample())
		runBench(b, idAndLog(jsonLog, otelhttp.NewHandler(benchMux(), "server",
			otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp))))
	})
	b.Run("vigil", func(b *testing.B) {
		tp, mp := benchProviders(b, sdktrace.AlwaysSample())
		runBench(b, Handler(benchMux(), WithTracerProvider(tp),
			WithMeterProvider(mp), WithLogger(jsonLog)))
	})
	b.Run("vigil-unsampled", func(b *testing.B) {
		tp, mp := benchProviders(b, sdktrace.NeverSample())
		runBench(b, Handler(benchMux(), WithTracerProvider(tp),
			WithMeterProvider(mp), WithLogger(jsonLog)))
	})
	b.Run("vigil-disabled", func(b *testing.B) {
		runBench(b, Handler(benchMux(),
			WithTracerProvider(tracenoop.NewTracerProvider()),
			WithMeterProvider(metricnoop.NewMeterProvider()),
			WithParts(PartAll&^PartAccessLog)))
	})
}

// staticRT answers every request without I/O.
type staticRT struct{}

func (staticRT) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
}

func BenchmarkClient(b *testing.B) {
	run := func(b *testing.B, rt http.RoundTripper) {
		req := httptest.NewRequest("GET", "http://pricing.internal:8081/price/7", nil)
		req.RequestURI = ""
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			resp, err := rt.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
		}
		reportCPU(b, cpu)
	}
	b.Run("bare", func(b *testing.B) { run(b, staticRT{}) })
	b.Run("otelhttp", func(b *testing.B) {
		tp, mp := benchProviders(b, sdktrace.AlwaysSample())
		run(b, otelhttp.NewTransport(staticRT{},
			otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp)))
	})
	b.Run("vigil", func(b *testing.B) {
		tp, mp := benchProviders(b, sdktrace.AlwaysSample())
		run(b, Transport(staticRT{}, WithTracerProvider(tp), WithMeterProvider(mp)))
	})
}

// idAndLog is what a user adds to otelhttp by hand to match vigil: a
// request ID in the context and header, and a JSON access log line with
// the same fields.
func idAndLog(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID(new([32]byte))
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(logging.ContextWithRequestID(r.Context(), id))
		rw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(rw, r)
		sc := trace.SpanContextFromContext(r.Context())
		l.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rw.status), slog.Duration("duration", time.Since(start)),
			slog.Int("bytes_out", rw.n), slog.String("remote_addr", r.RemoteAddr),
			slog.String("user_agent", r.UserAgent()), slog.String("request_id", id),
			slog.String("trace_id", sc.TraceID().String()),
			slog.String("span_id", sc.SpanID().String()))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status, n int
}

func (s *statusWriter) WriteHeader(c int) { s.status = c; s.ResponseWriter.WriteHeader(c) }
func (s *statusWriter) Write(p []byte) (int, error) {
	n, err := s.ResponseWriter.Write(p)
	s.n += n
	return n, err
}
