package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

func TestWithPartsSwitchesPartsOff(t *testing.T) {
	cases := []struct {
		name                   string
		parts                  Part
		span, metric, log, hdr bool
	}{
		{"all", PartAll, true, true, true, true},
		{"no access log", PartAll &^ PartAccessLog, true, true, false, true},
		{"trace only", PartTrace, true, false, false, false},
		{"metrics only", PartMetrics, false, true, false, false},
		{"request ID only", PartRequestID, false, false, false, true},
		{"none", 0, false, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			rec := serve(h.handler(ok, WithParts(c.parts)), httptest.NewRequest("GET", "/", nil))
			got := [4]bool{len(h.ended()) > 0, h.hasMetric("http.server.request.duration"),
				len(h.logLines()) > 0, rec.Header().Get("X-Request-ID") != ""}
			if got != [4]bool{c.span, c.metric, c.log, c.hdr} || rec.Body.String() != "ok" {
				t.Fatalf("span, metric, log, header = %v", got)
			}
		})
	}
}

func TestNoopProvidersKeepRequestIDAndRecover(t *testing.T) {
	hd := Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}), WithTracerProvider(tracenoop.NewTracerProvider()),
		WithMeterProvider(metricnoop.NewMeterProvider()),
		WithLogger(discardLogger()))
	s := hd.(*server)
	if s.parts&(PartTrace|PartMetrics) != 0 {
		t.Fatalf("parts %b: no-op providers should switch trace and metrics off", s.parts)
	}
	rec := serve(hd, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || !ValidRequestID(rec.Header().Get("X-Request-ID")) {
		t.Fatalf("status %d header %q", rec.Code, rec.Header().Get("X-Request-ID"))
	}
}

func TestNilNextServesNotFound(t *testing.T) {
	h := newHarness(t)
	for name, hd := range map[string]http.Handler{
		"Handler":   h.handler(nil),
		"RequestID": RequestID(h.opts()...)(nil),
	} {
		if rec := serve(hd, httptest.NewRequest("GET", "/", nil)); rec.Code != 404 {
			t.Errorf("%s: status %d", name, rec.Code)
		}
	}
}

func TestProbeRequestsSkipTraceAndLogByDefault(t *testing.T) {
	cases := []struct {
		name, path string
		opts       []Option
		traced     bool
	}{
		{"readiness probe", "/readyz", nil, false},
		{"liveness probe", "/livez", nil, false},
		{"JSON health", "/healthz", nil, false},
		{"lookalike path", "/readyz/extra", nil, true},
		{"ordinary route", "/users", nil, true},
		{"default replaced", "/readyz", []Option{WithSkip(func(*http.Request) bool { return false })}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			serve(h.handler(ok, c.opts...), httptest.NewRequest("GET", c.path, nil))
			traced := len(h.ended()) > 0
			logged := len(h.logLines()) > 0
			if traced != c.traced || logged != c.traced {
				t.Errorf("span %v, log line %v; want both %v", traced, logged, c.traced)
			}
			if !h.hasMetric("http.server.request.duration") {
				t.Error("probe request missing from the metrics")
			}
		})
	}
}
