package middleware

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/internal/scope"
	"github.com/vigil-go/vigil/logging"
)

// Access log field names.
const (
	logMsg = "http request"
)

// logger returns the configured logger or the current default.
func (s *server) logger() *slog.Logger {
	if s.cfg.logger != nil {
		return s.cfg.logger
	}
	return slog.Default()
}

// levelOf maps the outcome to a level: 5xx and panics are errors, 4xx
// (and canceled requests, recorded as 499) warnings, the rest info.
func levelOf(o outcome) slog.Level {
	switch {
	case o.kind == errPanic || o.kind == errAborted || o.status >= 500:
		return slog.LevelError
	case o.status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// log writes the access log record. Values from the request are slog
// string values, so a JSON or text handler escapes them: a header with a
// line break or an ANSI escape stays inside one value of one line.
func (s *server) log(q *request, rw *responseWriter, r *http.Request, o outcome) {
	l, lvl, ctx := s.logger(), levelOf(o), q.ctx
	if !l.Enabled(ctx, lvl) {
		return
	}
	var buf [20]slog.Attr
	a := append(buf[:0],
		slog.String("method", capString(r.Method, maxMethodLen)),
		slog.String("route", rw.route),
		slog.String("path", capString(r.URL.Path, maxPathLen)),
		slog.Int("status", o.status),
		slog.Float64("duration_ms", durationMS(time.Since(q.start))),
		slog.Int64("bytes_in", rw.bytesIn(r)),
		slog.Int64("bytes_out", rw.bytesSent(r)),
		slog.String("remote_addr", r.RemoteAddr),
		slog.String("user_agent", capString(r.UserAgent(), maxUserAgentLen)),
	)
	if id := requestIDOf(ctx); id != "" {
		a = append(a, slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		tid, sid := hexIDs(&rw.hexIDs, sc)
		a = append(a, slog.String("trace_id", tid), slog.String("span_id", sid))
	}
	if qs := s.query(r); qs != "" {
		a = append(a, slog.String("query", qs))
	}
	if et := o.errorType(); et != "" {
		a = append(a, slog.String("error_type", et))
	}
	if sc := scope.From(ctx); sc != nil {
		for _, n := range sc.Annotations() {
			a = append(a, slog.String(n[0], n[1]))
		}
	}
	if rw.panicked && rw.stack != nil {
		a = append(a, slog.String("panic", rw.panicMsg),
			slog.String("stack", string(rw.stack)))
	}
	l.LogAttrs(ctx, lvl, logMsg, a...)
}

// durationMS returns d in milliseconds with microsecond precision.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1e3
}

// hexIDs writes the trace and span IDs as hex into buf and returns
// strings that share buf's memory, so buf must not be written again.
func hexIDs(buf *[48]byte, sc trace.SpanContext) (string, string) {
	const digits = "0123456789abcdef"
	tid, sid := sc.TraceID(), sc.SpanID()
	for i, b := range tid {
		buf[2*i], buf[2*i+1] = digits[b>>4], digits[b&15]
	}
	for i, b := range sid {
		buf[32+2*i], buf[33+2*i] = digits[b>>4], digits[b&15]
	}
	s := unsafe.String(&buf[0], len(buf))
	return s[:32], s[32:]
}

// query returns the query string as the configured mode logs it.
func (s *server) query(r *http.Request) string {
	raw := r.URL.RawQuery
	switch {
	case raw == "" || s.cfg.query == QueryDrop:
		return ""
	case s.cfg.query == QueryKeep:
		return raw
	}
	return redactQuery(raw)
}

// redactQuery keeps the parameter names of raw and replaces each value.
func redactQuery(raw string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(name))
		b.WriteString("=redacted")
	}
	return b.String()
}

// requestIDOf is logging.RequestIDFromContext, named for this file.
func requestIDOf(ctx context.Context) string {
	return logging.RequestIDFromContext(ctx)
}
