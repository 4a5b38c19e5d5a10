package middleware

import (
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel/trace"
)

// recovered answers a recovered panic: a 500 when nothing was written
// yet, and an error record with the stack unless the access log of this
// request will carry it.
func (s *server) recovered(rw *responseWriter, q *request) {
	if !rw.wroteHeader && !rw.hijacked {
		rw.WriteHeader(http.StatusInternalServerError)
	}
	if rw.done&PartAccessLog != 0 {
		return
	}
	ctx := q.ctx
	var buf [6]slog.Attr
	a := append(buf[:0],
		slog.String("panic", rw.panicMsg),
		slog.String("stack", string(rw.stack)),
	)
	if id := requestIDOf(ctx); id != "" {
		a = append(a, slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		tid, sid := hexIDs(&rw.hexIDs, sc)
		a = append(a, slog.String("trace_id", tid), slog.String("span_id", sid))
	}
	s.logger().LogAttrs(ctx, slog.LevelError, "panic recovered", a...)
}
