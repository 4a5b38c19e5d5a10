package tracing

import (
	"context"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// abortableExporter cancels in-flight and later exports once abort is
// cancelled, and counts the spans it did not deliver in stats.
//
// The SDK's batch processor keeps draining its queue in the background
// after Shutdown returns at its context's deadline, one export timeout per
// batch; against a collector that hangs that would keep goroutines and a
// connection alive for minutes. Exports that fail because of the abort
// report no error: Shutdown has already returned the deadline error, and a
// report arriving later would land in whatever error handler is global by
// then.
//
// The batch processor sends export errors only to the OTel error handler,
// so without stats a Shutdown whose final exports all failed would return
// nil.
type abortableExporter struct {
	sdktrace.SpanExporter
	abort context.Context
	stats *exportStats
}

func (e abortableExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.abort.Err() != nil {
		e.stats.add(len(spans), context.Cause(e.abort))
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.abort, cancel)
	defer stop()
	err := e.SpanExporter.ExportSpans(ctx, spans)
	if err == nil {
		return nil
	}
	if e.abort.Err() != nil {
		e.stats.add(len(spans), context.Cause(e.abort))
		return nil
	}
	e.stats.add(len(spans), err)
	return err
}

// exportStats counts the spans given to the exporter that it did not
// deliver, with the error of the last such export.
type exportStats struct {
	mu      sync.Mutex
	failed  int64
	lastErr error
}

func (s *exportStats) add(n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed += int64(n)
	s.lastErr = err
}

func (s *exportStats) snapshot() (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed, s.lastErr
}
