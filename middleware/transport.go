package middleware

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/logging"
)

// Transport returns an http.RoundTripper that sends each request through
// base (http.DefaultTransport when nil) inside a client span named after
// the method, records http.client.request.duration, and injects the
// trace context, baggage and the request ID of the request context. The
// context's request ID replaces any X-Request-ID values the request
// carries (behind httputil.ReverseProxy those are the inbound client's);
// when the context has none, a header already on the request is sent as
// is. It never changes the caller's request: it sends a copy with its own
// header map.
//
// The span and the duration end when base returns the response headers,
// not when the body is read. Transport composes with other round
// trippers (retries, breakers) in either order: outside them, one span
// covers all attempts; inside, each attempt gets its own span. It is safe
// for concurrent use when base is. Options that only concern the server
// stack are ignored.
func Transport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	c := newConfig(opts)
	t := &transport{base: base, cfg: c}
	t.tracer = c.tp.Tracer(scopeName, trace.WithInstrumentationVersion(Version))
	t.spanOpts = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
	if _, ok := c.mp.(metricnoop.MeterProvider); !ok {
		t.duration = newClientDuration(c.mp, c.buckets)
	}
	return t
}

type transport struct {
	base     http.RoundTripper
	cfg      *config
	tracer   trace.Tracer
	duration metric.Float64Histogram
	sets     cowCache[clientKey, []metric.RecordOption]
	spanOpts []trace.SpanStartOption
}

func newClientDuration(mp metric.MeterProvider, buckets []float64) metric.Float64Histogram {
	m := mp.Meter(scopeName, metric.WithInstrumentationVersion(Version))
	h, err := m.Float64Histogram("http.client.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP client requests."),
		metric.WithExplicitBucketBoundaries(buckets...))
	if err != nil {
		panic("middleware: creating HTTP client instrument: " + err.Error())
	}
	return h
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	m := methodIndex(req.Method)
	host, port := hostPort(req)
	ctx, span := t.tracer.Start(req.Context(), knownMethods[m], t.spanOpts...)

	out := req.WithContext(ctx)
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = make(http.Header, 3)
	}
	t.cfg.propagator.Inject(ctx, propagation.HeaderCarrier(out.Header))
	// The context's ID replaces any value already on the request: behind
	// httputil.ReverseProxy the outbound request carries the inbound
	// client's headers, and forwarding those would send the backend an ID
	// the server part rejected or did not trust.
	if id := logging.RequestIDFromContext(ctx); id != "" {
		out.Header[t.cfg.idHeader] = []string{id}
	}

	resp, err := t.base.RoundTrip(out)

	k := clientKey{host: host, port: port, method: m}
	if err != nil {
		k.errType = clientErrorType(ctx, err)
	} else {
		k.status = uint16(resp.StatusCode)
		if resp.StatusCode >= 400 {
			k.errType = statusString(resp.StatusCode)
		}
	}
	if t.duration != nil && t.duration.Enabled(ctx) {
		t.duration.Record(ctx, time.Since(start).Seconds(),
			t.sets.get(k, buildClientOpts)...)
	}
	endClientSpan(span, req, k, err)
	return resp, err
}

// clientKey is everything the client metric attributes depend on.
type clientKey struct {
	host    string
	errType string
	port    int
	status  uint16
	method  uint8
}

func buildClientOpts(k clientKey) []metric.RecordOption {
	a := make([]attribute.KeyValue, 0, 5)
	a = append(a, keyMethod.String(knownMethods[k.method]),
		keyServerAddr.String(k.host), keyServerPort.Int(k.port))
	if k.status != 0 {
		a = append(a, keyStatus.Int(int(k.status)))
	}
	if k.errType != "" {
		a = append(a, keyErrorType.String(k.errType))
	}
	return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(a...))}
}

// endClientSpan sets all attributes in one call, when the span records,
// and ends it.
func endClientSpan(span trace.Span, req *http.Request, k clientKey, err error) {
	if span.IsRecording() {
		buf := attrPool.Get().(*[16]attribute.KeyValue)
		a := append(buf[:0], keyMethod.String(knownMethods[k.method]),
			keyServerAddr.String(k.host), keyServerPort.Int(k.port),
			keyFull.String(redactedURL(req)))
		if k.method == 0 {
			a = append(a, keyMethodOriginal.String(capString(req.Method, maxMethodLen)))
		}
		if ua := req.UserAgent(); ua != "" {
			a = append(a, keyUserAgent.String(capString(ua, maxUserAgentLen)))
		}
		if k.status != 0 {
			a = append(a, keyStatus.Int(int(k.status)))
		}
		if k.errType != "" {
			a = append(a, keyErrorType.String(k.errType))
		}
		span.SetAttributes(a...)
		attrPool.Put(buf)
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, k.errType)
		} else if k.status >= 400 {
			span.SetStatus(codes.Error, "")
		}
	}
	span.End()
}

// hostPort returns the server address and port of req, with the
// scheme's default port when none is given.
func hostPort(req *http.Request) (string, int) {
	u := req.URL
	host, port := u.Hostname(), atoiPort(u.Port())
	if port == 0 {
		if u.Scheme == "https" {
			port = 443
		} else {
			port = 80
		}
	}
	return host, port
}

// redactedURL is the request URL without credentials, with every query
// value replaced, so url.full carries no secret.
func redactedURL(req *http.Request) string {
	u := *req.URL
	if u.User != nil {
		u.User = url.UserPassword("REDACTED", "REDACTED")
	}
	if u.RawQuery != "" {
		u.RawQuery = redactQuery(u.RawQuery)
	}
	return u.String()
}

// clientErrorType is a low-cardinality name for a transport failure.
func clientErrorType(ctx context.Context, err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case ctx.Err() != nil:
		return "canceled"
	}
	return "_OTHER"
}
