package logging_test

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/vigil-go/vigil/logging"
)

// BenchmarkHandler logs the same access-log-like record through slog's
// JSON handler and through vigil's, with a real sampled span and a
// request ID in the context.
func BenchmarkHandler(b *testing.B) {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	ctx, span := tp.Tracer("bench").Start(context.Background(), "op")
	defer span.End()
	ctx = logging.ContextWithRequestID(ctx, "01J9ZX4R8Q6V2M")

	handlers := []struct {
		name string
		h    slog.Handler
	}{
		{"slog.JSONHandler", slog.NewJSONHandler(io.Discard, nil)},
		{"slog.JSONHandler+manual_ids", slog.NewJSONHandler(io.Discard, nil)},
		{"vigil.NewHandler", logging.NewHandler(io.Discard)},
		{"vigil.NewHandler/no_redaction",
			logging.NewHandler(io.Discard, logging.WithRedactedKeys())},
		{"vigil.NewHandler/group", logging.NewHandler(io.Discard).
			WithGroup("http").WithAttrs([]slog.Attr{slog.Int("v", 1)})},
	}
	for _, bh := range handlers {
		l := slog.New(bh.h)
		manual := bh.name == "slog.JSONHandler+manual_ids"
		b.Run(bh.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				if manual {
					sc := span.SpanContext()
					l.LogAttrs(ctx, slog.LevelInfo, "request",
						slog.String("trace_id", sc.TraceID().String()),
						slog.String("span_id", sc.SpanID().String()),
						slog.String("request_id",
							logging.RequestIDFromContext(ctx)),
						slog.String("method", "GET"),
						slog.String("route", "/users/{id}"),
						slog.Int("status", 200),
						slog.Int64("bytes_out", 512))
					continue
				}
				l.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("method", "GET"),
					slog.String("route", "/users/{id}"),
					slog.Int("status", 200),
					slog.Int64("bytes_out", 512))
			}
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N),
				"cpu-ns/op")
		})
	}
}

// processCPU returns the user and system CPU time of this process in
// nanoseconds. On the shared benchmark machine it varies less than wall
// time, which includes waiting for a core.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
