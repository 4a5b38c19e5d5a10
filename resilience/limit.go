package resilience

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/internal/scope"
)

// ShedHeader is the response header [Limit] sets, to "1", on every request
// it sheds, so access logs and clients can tell shedding from other 503s.
const ShedHeader = "X-Vigil-Shed"

// Shed reasons, the values of the vigil.shed.reason attribute.
const (
	shedLimit    = "limit"    // no free slot and no room in the queue
	shedTimeout  = "timeout"  // waited in the queue for too long
	shedCanceled = "canceled" // the client gave up while queued
)

type limiter struct {
	next       http.Handler
	slots      chan struct{}
	queue      chan struct{}
	wait       time.Duration
	retryAfter string
	logger     *slog.Logger
	shed       metric.Int64Counter
	reasons    map[string]metric.AddOption
}

// Limit returns a handler that serves at most [WithMaxInFlight] requests
// at once through next (100 by default). An excess request waits in a
// short queue when [WithQueue] allows one, and is otherwise shed: it gets
// 503 Service Unavailable with Retry-After ([WithRetryAfter]) and the
// [ShedHeader] header, is counted in vigil.shed.requests, marked on the
// current span (attribute vigil.shed) and logged at warn level through
// [WithLogger]'s logger.
//
// Place it inside vigil's middleware.Handler so that shed requests get a
// request ID, a span and an access-log line with status 503. The returned
// handler is safe for concurrent use.
func Limit(next http.Handler, opts ...Option) http.Handler {
	c := newConfig(opts)
	l := &limiter{
		next:       next,
		slots:      make(chan struct{}, c.maxInFlight),
		wait:       c.queueWait,
		retryAfter: strconv.Itoa(int((c.retryAfter + time.Second - 1) / time.Second)),
		logger:     c.logger,
		reasons:    make(map[string]metric.AddOption, 3),
	}
	if c.queueLen > 0 {
		l.queue = make(chan struct{}, c.queueLen)
	}
	var err error
	l.shed, err = c.meterProvider.Meter(scopeName).Int64Counter(
		"vigil.shed.requests", metric.WithUnit("{request}"),
		metric.WithDescription("HTTP requests rejected by the load shedder."))
	if err != nil {
		logError(c.logger, "resilience: creating shed counter", err)
	}
	for _, r := range []string{shedLimit, shedTimeout, shedCanceled} {
		l.reasons[r] = metric.WithAttributeSet(attribute.NewSet(
			attribute.String("vigil.shed.reason", r)))
	}
	return l
}

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case l.slots <- struct{}{}:
	default:
		if reason := l.enqueue(r.Context()); reason != "" {
			l.reject(w, r, reason)
			return
		}
	}
	defer func() { <-l.slots }()
	l.next.ServeHTTP(w, r)
}

// enqueue waits for a slot and returns "" once it holds one, or the
// reason for shedding.
func (l *limiter) enqueue(ctx context.Context) string {
	select {
	case l.queue <- struct{}{}: // a nil queue never admits
	default:
		return shedLimit
	}
	defer func() { <-l.queue }()
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return ""
	case <-t.C:
		return shedTimeout
	case <-ctx.Done():
		return shedCanceled
	}
}

func (l *limiter) reject(w http.ResponseWriter, r *http.Request, reason string) {
	ctx := r.Context()
	if l.shed != nil {
		l.shed.Add(ctx, 1, l.reasons[reason])
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attribute.Bool("vigil.shed", true),
			attribute.String("vigil.shed.reason", reason))
	}
	// vigil's access log, when it wraps this handler, adds shed=<reason>.
	scope.Annotate(ctx, "shed", reason)
	if l.logger != nil {
		l.logger.LogAttrs(ctx, slog.LevelWarn, "resilience: request shed",
			slog.String("reason", reason),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path))
	}
	h := w.Header()
	h.Set("Retry-After", l.retryAfter)
	h.Set(ShedHeader, "1")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("service overloaded, retry later\n"))
}
