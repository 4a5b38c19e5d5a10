package middleware

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

const scopeName = "github.com/vigil-go/vigil/middleware"

// Version is the instrumentation scope version reported with the spans
// and metrics of this package.
const Version = "0.1.0"

// Attribute keys of the stable HTTP semantic conventions, and vigil's
// request ID.
const (
	keyMethod         = attribute.Key("http.request.method")
	keyMethodOriginal = attribute.Key("http.request.method_original")
	keyRoute          = attribute.Key("http.route")
	keyStatus         = attribute.Key("http.response.status_code")
	keyScheme         = attribute.Key("url.scheme")
	keyPath           = attribute.Key("url.path")
	keyFull           = attribute.Key("url.full")
	keyProto          = attribute.Key("network.protocol.version")
	keyServerAddr     = attribute.Key("server.address")
	keyServerPort     = attribute.Key("server.port")
	keyClientAddr     = attribute.Key("client.address")
	keyUserAgent      = attribute.Key("user_agent.original")
	keyErrorType      = attribute.Key("error.type")
	keyRequestID      = attribute.Key("vigil.request_id")
	keyReqBodySize    = attribute.Key("http.request.body.size")
	keyRespBodySize   = attribute.Key("http.response.body.size")
)

// startSpan extracts the remote context and baggage and starts the
// server span, named after the method until the route is known. The
// request attributes are set with the response ones when the span ends,
// in one call (one slice growth instead of two); samplers therefore see
// no HTTP attributes at start.
func (s *server) startSpan(
	ctx context.Context, r *http.Request, m uint8,
) (context.Context, trace.Span) {
	if s.hasTraceHeaders(r.Header) {
		ctx = s.cfg.propagator.Extract(ctx, headerCarrier(r.Header))
	}
	return s.tracer.Start(ctx, knownMethods[m], s.spanOpts...)
}

// requestAttrs appends the request attributes of the server span.
func requestAttrs(
	a []attribute.KeyValue, r *http.Request, m uint8, requestID string,
) []attribute.KeyValue {
	a = append(a,
		keyMethod.String(knownMethods[m]),
		keyScheme.String(schemeOf(r.TLS != nil)),
		keyPath.String(capString(r.URL.Path, maxPathLen)),
		keyProto.String(protoNames[protoIndex(r)]),
	)
	if m == 0 {
		a = append(a, keyMethodOriginal.String(capString(r.Method, maxMethodLen)))
	}
	if host, port := splitHostPort(r.Host); host != "" {
		a = append(a, keyServerAddr.String(host))
		if port > 0 {
			a = append(a, keyServerPort.Int(port))
		}
	}
	if ua := r.UserAgent(); ua != "" {
		a = append(a, keyUserAgent.String(capString(ua, maxUserAgentLen)))
	}
	if host, _ := splitHostPort(r.RemoteAddr); host != "" {
		a = append(a, keyClientAddr.String(host))
	}
	if requestID != "" {
		a = append(a, keyRequestID.String(requestID))
	}
	return a
}

// endSpan names the span after the route and sets the response
// attributes and status.
func (s *server) endSpan(q *request, rw *responseWriter, r *http.Request, o outcome) {
	span := q.span
	if !span.IsRecording() {
		return
	}
	if rw.route != "" {
		span.SetName(s.sets.spanName(q.method, rw.route))
	}
	buf := attrPool.Get().(*[16]attribute.KeyValue)
	defer attrPool.Put(buf)
	a := requestAttrs(buf[:0], r, q.method, q.requestID)
	a = append(a, keyStatus.Int(o.status))
	if rw.route != "" {
		a = append(a, keyRoute.String(rw.route))
	}
	if et := o.errorType(); et != "" {
		a = append(a, keyErrorType.String(et))
	}
	if n := rw.bytesIn(r); n > 0 {
		a = append(a, keyReqBodySize.Int64(n))
	}
	if n := rw.bytesSent(r); n > 0 {
		a = append(a, keyRespBodySize.Int64(n))
	}
	span.SetAttributes(a...)
	switch o.kind {
	case errStatus:
		span.SetStatus(codes.Error, "")
	case errPanic, errAborted:
		span.SetStatus(codes.Error, errKindNames[o.kind])
	}
}

// attrPool holds the buffers the span attributes are gathered in; the
// SDK copies them, so a buffer is free again once SetAttributes returns.
var attrPool = sync.Pool{New: func() any { return new([16]attribute.KeyValue) }}

// notePanic records a panic once per request: the stack, and an
// exception event with the stack on the current span.
func (s *server) notePanic(rw *responseWriter, r *http.Request, p any) {
	if rw.panicked {
		return
	}
	rw.panicked, rw.panicVal = true, p
	if p == http.ErrAbortHandler {
		return
	}
	rw.stack = debug.Stack()
	rw.panicMsg = panicText(p)
	span := trace.SpanFromContext(r.Context())
	if !span.IsRecording() {
		return
	}
	span.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.type", fmt.Sprintf("%T", p)),
		attribute.String("exception.message", rw.panicMsg),
		attribute.String("exception.stacktrace", string(rw.stack)),
	))
	span.SetStatus(codes.Error, "panic")
}

// Caps on what vigil copies from a request or a panic into a log record
// or a span attribute, so a hostile request (net/http accepts a request
// line and headers up to MaxHeaderBytes, 1 MB by default) or a huge panic
// value cannot make one record megabytes long. Real methods are a few
// bytes, real paths and user agents far below the caps.
const (
	maxMethodLen    = 32
	maxPathLen      = 2048
	maxUserAgentLen = 512
	maxPanicLen     = 4096
)

// truncatedMark ends a value that was cut at its cap.
const truncatedMark = "…(truncated)"

// capString returns s, or its first n bytes (backing off to a UTF-8
// boundary) followed by truncatedMark. It allocates only when it cuts.
func capString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + truncatedMark
}

// panicText is the panic value as text, capped at maxPanicLen. A string
// is used as is rather than through fmt, which would copy it whole first.
func panicText(p any) string {
	if s, ok := p.(string); ok {
		return capString(s, maxPanicLen)
	}
	return capString(fmt.Sprint(p), maxPanicLen)
}

// splitHostPort splits host[:port] (IPv6 in brackets) without
// allocating; port is 0 when absent or invalid.
func splitHostPort(hp string) (string, int) {
	if strings.HasPrefix(hp, "[") {
		i := strings.IndexByte(hp, ']')
		if i < 0 {
			return hp, 0
		}
		host, rest := hp[1:i], hp[i+1:]
		if len(rest) > 1 && rest[0] == ':' {
			return host, atoiPort(rest[1:])
		}
		return host, 0
	}
	i := strings.LastIndexByte(hp, ':')
	if i < 0 || strings.IndexByte(hp, ':') != i {
		return hp, 0
	}
	return hp[:i], atoiPort(hp[i+1:])
}

// atoiPort parses a decimal port, 0 when s is not one.
func atoiPort(s string) int {
	if len(s) == 0 || len(s) > 5 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > 65535 {
		return 0
	}
	return n
}
