package logging_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

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
	var out bytes.Buffer
	logger := slog.New(logging.NewHandler(&out))

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

	// Print the line without its timestamp, so the output is stable.
	line := out.String()
	fmt.Print(line[strings.Index(line, `"level"`):])
	// Output:
	// "level":"INFO","msg":"placed","trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0102030405060708","request_id":"r-42","order":{"id":7,"password":"[REDACTED]"}}
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
