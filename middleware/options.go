package middleware

import (
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Part names one piece of the server stack, as a bit set: parts combine
// with | and remove with &^. The zero Part is no part.
type Part uint8

// The parts of the server stack, outermost first.
const (
	// PartRequestID accepts or generates the request ID.
	PartRequestID Part = 1 << iota
	// PartTrace starts the server span.
	PartTrace
	// PartRecover turns a panic into a 500 response.
	PartRecover
	// PartMetrics records the HTTP server golden signals.
	PartMetrics
	// PartAccessLog writes one log record per request.
	PartAccessLog

	// PartAll is every part; it is the default of [Handler].
	PartAll = PartRequestID | PartTrace | PartRecover | PartMetrics |
		PartAccessLog

	// partTelemetry is what [WithSkip] drops by default.
	partTelemetry = PartRequestID | PartTrace | PartMetrics | PartAccessLog
)

// QueryMode says what the access log does with the query string. The
// zero value is [QueryDrop].
type QueryMode uint8

// Query modes for [WithQuery].
const (
	// QueryDrop leaves the query string out of the access log.
	QueryDrop QueryMode = iota
	// QueryRedact logs the parameter names with every value replaced
	// by "redacted".
	QueryRedact
	// QueryKeep logs the query string as received. Only use it when
	// no query parameter carries a secret.
	QueryKeep
)

// DefaultRequestIDHeader is the header read and written by the request ID
// part and injected by [Transport].
const DefaultRequestIDHeader = "X-Request-ID"

// defaultDurationBuckets are the histogram bucket boundaries, in seconds,
// used for request durations when neither [WithDurationBuckets] nor a
// metrics view sets others. They run from 5 ms past 10 s.
var defaultDurationBuckets = []float64{
	0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
	1, 2.5, 5, 7.5, 10, 30, 60,
}

// Option configures [Handler], the single-part middlewares and
// [Transport]. Options are immutable values: one option may be passed to
// several constructors, also concurrently. A nil Option is ignored.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	parts       Part
	tp          trace.TracerProvider
	mp          metric.MeterProvider
	propagator  propagation.TextMapPropagator
	logger      *slog.Logger
	route       func(*http.Request) string
	skip        func(*http.Request) bool
	skipParts   Part
	buckets     []float64
	query       QueryMode
	pprofLabels bool
	idHeader    string
	trustID     bool
}

func newConfig(opts []Option) *config {
	c := &config{
		parts:    PartAll,
		idHeader: DefaultRequestIDHeader,
		trustID:  true,
		buckets:  defaultDurationBuckets,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	c.idHeader = http.CanonicalHeaderKey(c.idHeader)
	if c.skip == nil {
		c.skip, c.skipParts = IsProbePath, PartTrace|PartAccessLog
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.propagator == nil {
		c.propagator = propagation.NewCompositeTextMapPropagator(
			propagation.TraceContext{}, propagation.Baggage{})
	}
	return c
}

// WithTracerProvider sets the provider of the server and client spans.
// Default: the OpenTelemetry global provider at construction time (which
// follows a later otel.SetTracerProvider). A nil provider is ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	})
}

// WithMeterProvider sets the provider of the HTTP instruments. Default: the
// OpenTelemetry global provider at construction time. A nil provider is
// ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	})
}

// WithPropagator sets how trace context and baggage are read from
// inbound requests and written to outbound ones. Default: W3C Trace
// Context and W3C Baggage. Pass otel.GetTextMapPropagator() to follow the
// global. A nil propagator is ignored.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.propagator = p
		}
	})
}

// WithLogger sets the logger of the access log and of recovered panics.
// Default: slog.Default() at the time of each request. A nil logger is
// ignored; turn the access log off with [WithParts].
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithParts chooses the parts [Handler] runs. Default: [PartAll]. The
// single-part middlewares ([RequestID], [Trace], ...) ignore it.
func WithParts(p Part) Option {
	return optionFunc(func(c *config) { c.parts = p & PartAll })
}

// WithRouteFunc sets how the route template of a request is found, for
// routers other than net/http.ServeMux. f runs after the wrapped handler
// returns, so it may read state the router stored in the request context;
// it must return a template such as "/users/{id}", never a raw path, or
// "" when no route matched. Default: the pattern that ServeMux stored in
// Request.Pattern, without its method and host. A nil f is ignored.
func WithRouteFunc(f func(*http.Request) string) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.route = f
		}
	})
}

// WithSkip drops the requests for which f returns true from the given
// parts. With no parts it drops them from the request ID, traces, metrics
// and access log together; the recover part always stays on. f runs once
// per request, before the handler, and must be safe for concurrent use.
// A nil f is ignored.
//
// Default: Kubernetes-style probe requests ([IsProbePath]: /livez, /readyz,
// /startupz, /healthz) get no span and no access-log line, because a
// kubelet probing every few seconds would otherwise drown real traffic in
// both; they are still counted in the metrics. Any WithSkip or
// [WithExcludePaths] replaces that default; to trace and log probes too,
// pass WithSkip(func(*http.Request) bool { return false }).
func WithSkip(f func(*http.Request) bool, parts ...Part) Option {
	return optionFunc(func(c *config) {
		if f == nil {
			return
		}
		var p Part
		for _, q := range parts {
			p |= q
		}
		if p == 0 {
			p = partTelemetry
		}
		c.skip, c.skipParts = f, p&^PartRecover
	})
}

// WithExcludePaths skips requests whose URL path equals one of paths
// (exact match, e.g. "/healthz", "/metrics") from the request ID, traces,
// metrics and access log. It replaces any earlier [WithSkip] and the
// default probe exclusion (see [WithSkip]).
func WithExcludePaths(paths ...string) Option {
	set := make(map[string]struct{}, len(paths))
	for _, p := range paths {
		set[p] = struct{}{}
	}
	return WithSkip(func(r *http.Request) bool {
		_, ok := set[r.URL.Path]
		return ok
	})
}

// IsProbePath reports whether r's path is one of the Kubernetes-style
// probe endpoints /livez, /readyz, /startupz or /healthz (exact match):
// the requests that [WithSkip]'s default keeps out of traces and the
// access log. The paths are those the health package serves.
func IsProbePath(r *http.Request) bool {
	switch r.URL.Path {
	case "/livez", "/readyz", "/startupz", "/healthz":
		return true
	}
	return false
}

// WithDurationBuckets sets the explicit bucket boundaries, in seconds, of
// http.server.request.duration and http.client.request.duration. Default:
// 5 ms to 60 s in 16 boundaries. An empty list is ignored.
//
// The boundaries are only advice to the meter provider: a view configured
// on the provider for these instruments wins over them. The provider of
// package metrics (and so vigil.Start) has such a view, with its own
// buckets (0.005 to 30 s, set by metrics.WithDurationBuckets), so under
// it this option has no effect; it matters with a provider that has no
// view for these instruments.
func WithDurationBuckets(bounds ...float64) Option {
	return optionFunc(func(c *config) {
		if len(bounds) > 0 {
			c.buckets = append([]float64(nil), bounds...)
		}
	})
}

// WithQuery sets what the access log records of the query string.
// Default: [QueryDrop].
func WithQuery(m QueryMode) Option {
	return optionFunc(func(c *config) { c.query = m })
}

// WithPprofLabels runs each handler under pprof.Do with the labels
// "http.route" and "http.method", so CPU profiles split by route. The
// route is looked up before the handler runs: with a ServeMux as the
// wrapped handler this costs a second pattern match; with [WithRouteFunc]
// the function must then work before routing. Default: false (labels cost
// about a microsecond and a few allocations per request).
func WithPprofLabels(on bool) Option {
	return optionFunc(func(c *config) { c.pprofLabels = on })
}

// WithRequestIDHeader sets the header that carries the request ID in both
// directions. Default: [DefaultRequestIDHeader]. An empty name is ignored.
func WithRequestIDHeader(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.idHeader = name
		}
	})
}

// WithTrustRequestID says whether a valid inbound request ID is kept
// (true) or always replaced by a generated one (false, for services
// facing untrusted clients). Default: true.
func WithTrustRequestID(trust bool) Option {
	return optionFunc(func(c *config) { c.trustID = trust })
}
