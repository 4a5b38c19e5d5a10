package middleware

import (
	"context"
	"net/http"
	"runtime/pprof"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/vigil-go/vigil/internal/scope"
)

// Handler wraps next with the whole server stack, in this order:
// request ID, trace, recover, metrics and access log, then next. Each
// part can be switched off with [WithParts] and each exists alone as
// [RequestID], [Trace], [Recover], [Metrics] and [AccessLog].
//
// The returned handler is safe for concurrent use. A nil next serves
// http.NotFound. Handler panics if the meter provider cannot create the
// HTTP instruments, which only happens with an invalid provider.
func Handler(next http.Handler, opts ...Option) http.Handler {
	return newServer(next, newConfig(opts))
}

// RequestID returns a middleware that only runs the request ID part:
// it keeps a valid inbound X-Request-ID (see [ValidRequestID]) or
// generates one, stores it with logging.ContextWithRequestID and sets the
// response header. Put it outermost. When the context already carries an
// ID it is reused and the header is left alone. The middleware and the
// handlers it returns are safe for concurrent use; a nil next serves
// http.NotFound, as for every single-part middleware.
func RequestID(opts ...Option) func(http.Handler) http.Handler {
	return single(PartRequestID, opts)
}

// Trace returns a middleware that only runs the server span part. Put it
// after [RequestID] and before [Recover], so a panic marks the span.
func Trace(opts ...Option) func(http.Handler) http.Handler {
	return single(PartTrace, opts)
}

// Recover returns a middleware that only runs the recover part: a panic
// becomes an exception event on the current span, one error log record
// and a 500 when nothing was written yet; when the headers were already
// written it aborts the response instead (it raises http.ErrAbortHandler,
// so net/http breaks the connection or resets the HTTP/2 stream and the
// client sees an error, not a cut-off body that looks complete).
// http.ErrAbortHandler itself is recorded and raised again. Put it inside [Trace] and outside [Metrics] and
// [AccessLog], so they see the 500.
func Recover(opts ...Option) func(http.Handler) http.Handler {
	return single(PartRecover, opts)
}

// Metrics returns a middleware that only records the HTTP server golden
// signals. Put it inside [Recover].
func Metrics(opts ...Option) func(http.Handler) http.Handler {
	return single(PartMetrics, opts)
}

// AccessLog returns a middleware that only writes the access log. Put it
// inside [Recover].
func AccessLog(opts ...Option) func(http.Handler) http.Handler {
	return single(PartAccessLog, opts)
}

// single builds a middleware running only p. Like [Handler], the
// handlers it returns are safe for concurrent use; a nil next serves
// http.NotFound.
func single(p Part, opts []Option) func(http.Handler) http.Handler {
	c := newConfig(opts)
	c.parts = p
	return func(next http.Handler) http.Handler { return newServer(next, c) }
}

// server runs the enabled parts around next. Parts whose provider is a
// no-op are switched off at construction.
type server struct {
	next   http.Handler
	cfg    *config
	parts  Part
	tracer trace.Tracer
	inst   *serverInstruments
	sets   *attrCache
	mux    *http.ServeMux
	// spanOpts are the start options of every server span.
	spanOpts []trace.SpanStartOption
	// traceHeaders are the propagator's fields, canonicalized.
	traceHeaders []string
}

func newServer(next http.Handler, c *config) *server {
	if next == nil {
		next = http.NotFoundHandler()
	}
	s := &server{next: next, cfg: c, parts: c.parts}
	s.mux, _ = next.(*http.ServeMux)
	if _, ok := c.tp.(tracenoop.TracerProvider); ok {
		s.parts &^= PartTrace
	}
	if _, ok := c.mp.(metricnoop.MeterProvider); ok {
		s.parts &^= PartMetrics
	}
	if s.parts&PartTrace != 0 {
		s.tracer = c.tp.Tracer(scopeName,
			trace.WithInstrumentationVersion(Version))
		s.spanOpts = []trace.SpanStartOption{
			trace.WithSpanKind(trace.SpanKindServer)}
		s.traceHeaders = canonicalFields(c.propagator)
	}
	if s.parts&PartMetrics != 0 {
		s.inst = newServerInstruments(c.mp, c.buckets)
	}
	s.sets = newAttrCache()
	return s
}

// request is what one layer keeps between the start and the end of a
// request; it lives on the stack.
type request struct {
	parts     Part
	start     time.Time
	method    uint8
	ctx       context.Context
	span      trace.Span
	scoped    bool
	requestID string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw, w, outer := wrap(w)
	parts := s.parts &^ rw.done
	if s.cfg.skip != nil && s.cfg.skip(r) {
		parts &^= s.cfg.skipParts
	}
	if parts == 0 {
		s.next.ServeHTTP(w, r)
		return
	}
	rw.done |= parts

	q := request{parts: parts, method: methodIndex(r.Method)}
	if parts&(PartMetrics|PartAccessLog) != 0 {
		q.start = time.Now()
	}
	ctx := r.Context()
	if parts&PartRequestID != 0 {
		ctx, q.requestID = s.requestID(ctx, rw, r)
	}
	if !outer {
		ctx, q.scoped = scope.Enter(ctx, &rw.scope)
	}
	if parts&PartTrace != 0 {
		ctx, q.span = s.startSpan(ctx, r, q.method)
	}
	if parts&PartMetrics != 0 && s.inst.active.Enabled(ctx) {
		s.inst.active.Add(ctx, 1, s.sets.activeOpts(q.method, r.TLS != nil)...)
	}
	q.ctx = ctx

	r2 := r
	if ctx != r.Context() || !outer {
		r2 = r.WithContext(ctx)
	}
	if !outer && r.Body != nil && r.Body != http.NoBody {
		rw.body.rc, r2.Body = r.Body, &rw.body
	}
	defer s.finish(rw, r2, &q)

	if s.cfg.pprofLabels && !outer {
		s.serveLabelled(w, r2)
		return
	}
	s.next.ServeHTTP(w, r2)
}

// serveLabelled runs next under pprof labels for the route.
func (s *server) serveLabelled(w http.ResponseWriter, r *http.Request) {
	route := ""
	switch {
	case s.cfg.route != nil:
		route = s.cfg.route(r)
	case s.mux != nil:
		_, pattern := s.mux.Handler(r)
		route = PatternRoute(pattern)
	}
	labels := pprof.Labels("http.route", route,
		"http.method", NormalizeMethod(r.Method))
	pprof.Do(r.Context(), labels, func(ctx context.Context) {
		inner := r.WithContext(ctx)
		defer func() { r.Pattern = inner.Pattern }() // also on panic
		s.next.ServeHTTP(w, inner)
	})
}

// finish runs after next, also when it panicked: recover, then span,
// scope, metrics and access log, which all see the final status.
func (s *server) finish(rw *responseWriter, r *http.Request, q *request) {
	p := recover()
	repanic := p != nil
	if p != nil {
		s.notePanic(rw, r, p)
		if q.parts&PartRecover != 0 && p != http.ErrAbortHandler {
			started := rw.wroteHeader && !rw.hijacked
			repanic = false
			s.recovered(rw, q)
			// With the headers out, a 500 is impossible and returning
			// would end a cut-off body cleanly, so the client would take
			// it as complete. Once recorded below, raise
			// http.ErrAbortHandler: net/http then breaks the connection
			// (HTTP/1.1) or resets the stream (HTTP/2), as it does for an
			// unrecovered panic, without logging a stack of its own.
			if started {
				repanic, p = true, http.ErrAbortHandler
			}
		}
	}
	if !rw.routeKnown {
		rw.route, rw.routeKnown = s.route(r), true
	}
	o := s.outcome(rw, r, q)

	if q.span != nil {
		s.endSpan(q, rw, r, o)
	}
	if q.scoped {
		rw.scope.End(q.ctx)
	}
	if q.parts&PartMetrics != 0 {
		s.record(q, rw, r, o)
	}
	if q.parts&PartAccessLog != 0 {
		s.log(q, rw, r, o)
	}
	if q.span != nil {
		q.span.End()
	}
	if repanic {
		panic(p)
	}
}

// errKind is the low-cardinality reason a request failed.
type errKind uint8

const (
	errNone errKind = iota
	errStatus
	errPanic
	errAborted
	errCanceled
)

var errKindNames = [...]string{"", "", "panic", "aborted", "canceled"}

// StatusClientClosedRequest is the status recorded (never sent) for a
// request whose client went away before the handler returned, as nginx
// records it; see the package documentation, section Failures.
const StatusClientClosedRequest = 499

// outcome is the final status and failure of a request.
type outcome struct {
	status int
	kind   errKind
}

func (s *server) outcome(rw *responseWriter, r *http.Request, q *request) outcome {
	o := outcome{status: rw.finalStatus()}
	switch {
	case rw.panicked && rw.panicVal == http.ErrAbortHandler:
		o.kind = errAborted
	case rw.panicked:
		o.kind = errPanic
	case r.Context().Err() == context.Canceled:
		o.kind, o.status = errCanceled, StatusClientClosedRequest
	case o.status >= 500:
		o.kind = errStatus
	}
	if (o.kind == errAborted || o.kind == errPanic) && !rw.wroteHeader {
		o.status = http.StatusInternalServerError
	}
	return o
}

// errorType is the error.type value of o, "" when the request succeeded.
func (o outcome) errorType() string {
	if o.kind == errStatus {
		return statusString(o.status)
	}
	return errKindNames[o.kind]
}
