package logging_test

import (
	"context"
	"log/slog"
	"os"

	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/logging"
)

// removeTime drops the time so that example output is stable.
func removeTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}

func ExampleNewHandler() {
	logger := slog.New(logging.NewHandler(os.Stdout))

	// In a service the middleware puts these in the request context.
	ctx := logging.ContextWithRequestID(context.Background(), "r-42")
	ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(
		trace.SpanContextConfig{
			TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8,
				9, 10, 11, 12, 13, 14, 15, 16},
			SpanID: trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		}))

	logger.WithGroup("order").InfoContext(ctx, "placed",
		"id", 7, "password", "hunter2")
	// The output holds one JSON line: time, level, msg, then trace_id,
	// span_id and request_id at the top level, then
	// "order":{"id":7,"password":"[REDACTED]"}.
}

func ExampleWrapHandler() {
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: removeTime,
	})
	logger := slog.New(logging.WrapHandler(text))

	ctx := logging.ContextWithRequestID(context.Background(), "r-42")
	logger.InfoContext(ctx, "charged", "token", "secret-value")
	// Output:
	// level=INFO msg=charged request_id=r-42 token=[REDACTED]
}
