package health

import (
	"database/sql"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// discardWriter is a ResponseWriter that keeps one header map, so that the
// benchmarks measure the handler rather than the recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchServe(b *testing.B, h http.Handler, target string) {
	b.Helper()
	w := &discardWriter{h: http.Header{}}
	req := httptest.NewRequest(http.MethodGet, target, nil)
	h.ServeHTTP(w, req) // fill the cache; b.Loop resets the timer
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// benchRegistry has three cached checks and a real SDK meter provider.
func benchRegistry(b *testing.B, opts ...Option) *Registry {
	b.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	r := New(append([]Option{WithMeterProvider(mp), WithCacheTTL(time.Hour)}, opts...)...)
	b.Cleanup(r.Close)
	return r
}

func openSQLite(b *testing.B) *sql.DB {
	b.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

func BenchmarkProbe(b *testing.B) {
	b.Run("bare_ok_handler", func(b *testing.B) {
		benchServe(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("ok"))
		}), "/readyz")
	})
	b.Run("handrolled_sql_ping_per_probe", func(b *testing.B) {
		db := openSQLite(b)
		benchServe(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := db.PingContext(r.Context()); err != nil {
				http.Error(w, "failed", http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write([]byte("ok"))
		}), "/readyz")
	})
	cached := func(b *testing.B) http.Handler {
		r := benchRegistry(b)
		mustRegister(b, r, Check{Name: "db", Func: SQL(openSQLite(b))})
		mustRegister(b, r, Check{Name: "pricing", Func: passing})
		mustRegister(b, r, Check{Name: "goroutines", Func: Goroutines(1e6),
			Probes: Liveness | Readiness})
		return r.Handler()
	}
	b.Run("cached_readyz_3_checks", func(b *testing.B) {
		benchServe(b, cached(b), "/readyz")
	})
	b.Run("cached_readyz_verbose", func(b *testing.B) {
		benchServe(b, cached(b), "/readyz?verbose")
	})
	b.Run("cached_healthz_json", func(b *testing.B) {
		benchServe(b, cached(b), "/healthz")
	})
	b.Run("handrolled_tcp_dial_per_probe", func(b *testing.B) {
		addr := loopbackListener(b)
		benchServe(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, err := (&net.Dialer{}).DialContext(r.Context(), "tcp", addr)
			if err != nil {
				http.Error(w, "failed", http.StatusServiceUnavailable)
				return
			}
			_ = conn.Close()
			_, _ = w.Write([]byte("ok"))
		}), "/readyz")
	})
	b.Run("cached_readyz_tcp", func(b *testing.B) {
		r := benchRegistry(b)
		mustRegister(b, r, Check{Name: "tcp", Func: TCP(loopbackListener(b))})
		benchServe(b, r.Handler(), "/readyz")
	})
	b.Run("uncached_readyz_sql_ping", func(b *testing.B) {
		r := benchRegistry(b, WithCacheTTL(-1))
		mustRegister(b, r, Check{Name: "db", Func: SQL(openSQLite(b))})
		benchServe(b, r.Handler(), "/readyz")
	})
}

// loopbackListener accepts and closes connections on 127.0.0.1 until the
// benchmark ends, and returns its address.
func loopbackListener(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	b.Cleanup(func() { _ = ln.Close(); <-done })
	return ln.Addr().String()
}

func BenchmarkEvaluateCached(b *testing.B) {
	r := benchRegistry(b)
	mustRegister(b, r, Check{Name: "c", Func: passing})
	ctx := b.Context()
	r.Evaluate(ctx, Readiness)
	b.ReportAllocs()
	for b.Loop() {
		r.Evaluate(ctx, Readiness)
	}
}
