package middleware

import (
	"net/http"
	"net/textproto"

	"go.opentelemetry.io/otel/propagation"
)

// headerCarrier reads trace headers from an http.Header. Unlike
// propagation.HeaderCarrier it looks up the W3C header names by their
// canonical form directly, so extracting costs no allocation.
type headerCarrier http.Header

var _ propagation.ValuesGetter = headerCarrier(nil)

// canonical maps the lower-case names propagators ask for to their
// canonical header keys.
func canonical(key string) string {
	switch key {
	case "traceparent":
		return "Traceparent"
	case "tracestate":
		return "Tracestate"
	case "baggage":
		return "Baggage"
	}
	return textproto.CanonicalMIMEHeaderKey(key)
}

func (c headerCarrier) Get(key string) string {
	if v := c[canonical(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c headerCarrier) Values(key string) []string { return c[canonical(key)] }

func (c headerCarrier) Set(key, value string) { http.Header(c).Set(key, value) }

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// canonicalFields returns the canonical header keys p reads.
func canonicalFields(p propagation.TextMapPropagator) []string {
	var out []string
	for _, f := range p.Fields() {
		out = append(out, canonical(f))
	}
	return out
}

// hasTraceHeaders reports whether h carries any header the propagator
// reads; without one, extraction is skipped. A propagator that declared
// no fields at construction (such as the OpenTelemetry global before it
// is set) is always asked.
func (s *server) hasTraceHeaders(h http.Header) bool {
	if len(s.traceHeaders) == 0 {
		return true
	}
	for _, k := range s.traceHeaders {
		if _, ok := h[k]; ok {
			return true
		}
	}
	return false
}
