package dbsql

import (
	"context"
	"log/slog"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/internal/scope"
)

// maxShapes bounds the query shapes counted per request scope.
const maxShapes = 256

// repeatKey finds one database's counts in a request scope; each database
// counts and reports with its own telemetry.
type repeatKey struct{ t *telemetry }

// repeatCounts counts executions per query shape within one scope.
type repeatCounts struct {
	mu     sync.Mutex
	shapes map[string]*shapeCount
	hooked bool
}

type shapeCount struct {
	op *operation
	n  int
}

func newRepeatCounts() any {
	return &repeatCounts{shapes: make(map[string]*shapeCount)}
}

// StartScope opens a request scope for work outside an HTTP request (a
// queue consumer, a batch job) so that N+1 detection covers it. Call the
// returned function when the unit of work ends; it reports repeated query
// shapes as log warnings, span events on the span in the returned context's
// parent, and a counter. When ctx already carries a scope (the HTTP
// middleware opens one per request) StartScope returns ctx and a function
// that does nothing. Both are safe for concurrent use.
func StartScope(ctx context.Context) (context.Context, func()) {
	ctx, end := scope.Start(ctx)
	return ctx, func() { end(ctx) }
}

// countRepeat counts one successful execution of op in the scope carried by
// ctx, if any.
func (t *telemetry) countRepeat(ctx context.Context, op *operation) {
	if t.cfg.nPlusOne <= 0 {
		return
	}
	s := scope.From(ctx)
	if s == nil {
		return
	}
	rc, ok := s.Load(repeatKey{t}, newRepeatCounts).(*repeatCounts)
	if !ok {
		return // the scope has ended
	}
	rc.mu.Lock()
	first := !rc.hooked
	rc.hooked = true
	if c := rc.shapes[op.text]; c != nil {
		c.n++
	} else if len(rc.shapes) < maxShapes {
		rc.shapes[op.text] = &shapeCount{op: op, n: 1}
	}
	rc.mu.Unlock()
	if first {
		s.OnEnd(func(ctx context.Context) { t.reportRepeats(ctx, rc) })
	}
}

// reportRepeats emits one warning per shape that ran more than the
// threshold, when the scope ends.
func (t *telemetry) reportRepeats(ctx context.Context, rc *repeatCounts) {
	rc.mu.Lock()
	var over []shapeCount
	for _, c := range rc.shapes {
		if c.n > t.cfg.nPlusOne {
			over = append(over, *c)
		}
	}
	rc.mu.Unlock()
	span := trace.SpanFromContext(ctx)
	for _, c := range over {
		t.repeats.Add(ctx, 1, metric.WithAttributes(c.op.attrs...))
		span.AddEvent("db.n_plus_one", trace.WithAttributes(
			keyQueryText.String(c.op.text),
			keyOperation.String(c.op.opName),
			keyCollection.String(c.op.collection),
			keyRepeatCount.Int(c.n),
			attribute.Int("vigil.db.n_plus_one.threshold", t.cfg.nPlusOne)))
		if t.cfg.logger == nil {
			continue
		}
		attrs := []slog.Attr{
			slog.String("db.query.text", c.op.text),
			slog.Int("count", c.n),
			slog.Int("threshold", t.cfg.nPlusOne),
		}
		attrs = appendIDs(ctx, attrs, span.SpanContext())
		t.cfg.logger.LogAttrs(ctx, slog.LevelWarn,
			"dbsql: N+1 query pattern: one query shape ran repeatedly in one request", attrs...)
	}
}
