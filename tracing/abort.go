package tracing

import (
	"context"
	"errors"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// errAborted is returned by exports attempted after Shutdown's deadline.
var errAborted = errors.New("tracing: export aborted by shutdown deadline")

// abortableExporter cancels in-flight and later exports once abort is
// cancelled. The SDK's batch processor keeps draining its queue in the
// background after Shutdown returns at its context's deadline, one export
// timeout per batch; against a collector that hangs that would keep
// goroutines and a connection alive for minutes.
type abortableExporter struct {
	sdktrace.SpanExporter
	abort context.Context
}

func (e abortableExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.abort.Err() != nil {
		return errAborted
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.abort, cancel)
	defer stop()
	return e.SpanExporter.ExportSpans(ctx, spans)
}
