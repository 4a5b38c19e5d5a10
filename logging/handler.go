package logging

import (
	"context"
	"io"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel/trace"
)

// Keys of the correlation attributes added to every record.
const (
	TraceIDKey   = "trace_id"
	SpanIDKey    = "span_id"
	RequestIDKey = "request_id"
)

// idKeys is a bit set of the correlation keys a record already carries.
type idKeys uint8

const (
	hasTraceID idKeys = 1 << iota
	hasSpanID
	hasRequestID
)

// topKeys returns the correlation keys a contributes at the top level,
// looking into groups with an empty key, which slog inlines.
func topKeys(a slog.Attr) idKeys {
	if a.Key != "" || a.Value.Kind() != slog.KindGroup {
		return idKeyOf(a.Key)
	}
	var k idKeys
	for _, ga := range a.Value.Group() {
		k |= topKeys(ga)
	}
	return k
}

func idKeyOf(key string) idKeys {
	switch key {
	case TraceIDKey:
		return hasTraceID
	case SpanIDKey:
		return hasSpanID
	case RequestIDKey:
		return hasRequestID
	}
	return 0
}

// NewHandler returns a handler that writes each record as one line of JSON
// to w, in the format of [slog.JSONHandler], with trace_id, span_id and
// request_id added at the top level (see [WrapHandler]) and the values of
// secret-looking keys redacted. Writes to w are serialised, so w need not
// be safe for concurrent use. A nil w discards output.
func NewHandler(w io.Writer, opts ...Option) slog.Handler {
	c := newConfig(opts)
	if w == nil {
		w = io.Discard
	}
	level := c.level
	if level == nil {
		level = slog.LevelInfo
	}
	json := slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:     level,
		AddSource: c.addSource,
	})
	c.level = nil // the JSON handler checks the level itself
	return wrap(json, c)
}

// WrapHandler returns a handler that adds correlation attributes to each
// record and passes it to h:
//
//   - trace_id and span_id, in lowercase hex, when the context given to
//     Handle carries a valid span context (sampled or not);
//   - request_id, when the context carries one (see
//     [ContextWithRequestID]).
//
// They are written at the top level of the record, before its own
// attributes, even after WithGroup, and are skipped when the record or an
// earlier With already set the same key at the top level. Values of
// redacted keys (by default keys containing a word of
// [DefaultRedactedKeyWords]; see [WithRedactedKeyWords] and
// [WithRedactedKeys]) are replaced by [Redacted] at any depth. A nil h returns nil. The result is safe for concurrent use if h
// is.
func WrapHandler(h slog.Handler, opts ...Option) slog.Handler {
	if h == nil {
		return nil
	}
	return wrap(h, newConfig(opts))
}

func wrap(h slog.Handler, c config) *handler {
	return &handler{inner: h, level: c.level, red: newRedactor(c.redactKeys, c.redactWords)}
}

// handler applies attributes that arrive before the first group straight
// to inner; once a group is open, it keeps groups and their attributes
// itself and nests them at Handle time, so that the correlation
// attributes can still go at the top level.
type handler struct {
	inner slog.Handler
	level slog.Leveler
	red   redactor
	top   idKeys  // correlation keys set by With before any group
	open  []frame // groups opened by WithGroup, outermost first
}

// frame is one open group and the attributes added inside it.
type frame struct {
	name  string
	attrs []slog.Attr
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	if h.level != nil && l < h.level.Level() {
		return false
	}
	return h.inner.Enabled(ctx, l)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	as, _ = h.red.attrs(as)
	h2 := *h
	if len(h.open) == 0 {
		for _, a := range as {
			h2.top |= topKeys(a)
		}
		h2.inner = h.inner.WithAttrs(as)
		return &h2
	}
	h2.open = slices.Clone(h.open)
	last := &h2.open[len(h2.open)-1]
	last.attrs = append(slices.Clip(last.attrs), as...)
	return &h2
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.open = append(slices.Clip(h.open), frame{name: name})
	return &h2
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	seen := h.top
	if len(h.open) > 0 {
		seen |= idKeyOf(h.open[0].name)
	} else {
		r.Attrs(func(a slog.Attr) bool {
			seen |= topKeys(a)
			return true
		})
	}

	// Collect everything first and add it in one call, so the record
	// grows its attribute slice at most once.
	var stack [8]slog.Attr
	as := appendCorrelation(stack[:0], ctx, seen)
	ids := len(as)
	r.Attrs(func(a slog.Attr) bool {
		a, _ = h.red.attr(a)
		as = append(as, a)
		return true
	})
	if len(h.open) > 0 {
		as = append(as[:ids], h.nest(as[ids:]))
	}

	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(as...)
	return h.inner.Handle(ctx, out)
}

// nest wraps the record's attributes as in the open groups, innermost
// last, each group preceded by the attributes added to it with With.
func (h *handler) nest(as []slog.Attr) slog.Attr {
	for i := len(h.open) - 1; i >= 0; i-- {
		f := h.open[i]
		g := make([]slog.Attr, 0, len(f.attrs)+len(as))
		g = append(append(g, f.attrs...), as...)
		as = []slog.Attr{{Key: f.name, Value: slog.GroupValue(g...)}}
	}
	return as[0]
}

// appendCorrelation appends to dst the IDs found in ctx whose keys are
// not in seen.
func appendCorrelation(dst []slog.Attr, ctx context.Context, seen idKeys) []slog.Attr {
	if ctx == nil {
		return dst
	}
	sc := trace.SpanContextFromContext(ctx)
	if sc.IsValid() {
		if seen&hasTraceID == 0 {
			dst = append(dst, slog.String(TraceIDKey, sc.TraceID().String()))
		}
		if seen&hasSpanID == 0 {
			dst = append(dst, slog.String(SpanIDKey, sc.SpanID().String()))
		}
	}
	if seen&hasRequestID == 0 {
		if id := RequestIDFromContext(ctx); id != "" {
			dst = append(dst, slog.String(RequestIDKey, id))
		}
	}
	return dst
}
