package tracing

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// abortableExporter cancels in-flight and later exports once abort is
// cancelled. The SDK's batch processor keeps draining its queue in the
// background after Shutdown returns at its context's deadline, one export
// timeout per batch; against a collector that hangs that would keep
// goroutines and a connection alive for minutes. Exports that fail
// because of the abort report no error: Shutdown has already returned
// the deadline error, and a report arriving later would land in whatever
// error handler is global by then.
type abortableExporter struct {
	sdktrace.SpanExporter
	abort context.Context
}

func (e abortableExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.abort.Err() != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.abort, cancel)
	defer stop()
	err := e.SpanExporter.ExportSpans(ctx, spans)
	if err != nil && e.abort.Err() != nil {
		return nil
	}
	return err
}
