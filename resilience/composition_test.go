package resilience_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/health"
	"github.com/vigil-go/vigil/middleware"
	"github.com/vigil-go/vigil/resilience"
)

// The recommended client order: vigil's tracing transport outside the
// retrying one, so one client span covers all attempts.
func TestTransportInsideMiddlewareTransport(t *testing.T) {
	tel := newTelemetry(t)
	s, srv := newServer(t, status(503), status(502), status(200))
	inner := resilience.NewTransport(nil, noJitter,
		resilience.WithMeterProvider(tel.mp))
	defer inner.CloseIdleConnections()
	c := &http.Client{Transport: middleware.Transport(inner,
		middleware.WithTracerProvider(tel.tp),
		middleware.WithMeterProvider(tel.mp))}
	resp, err := get(t, c, context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 200 || s.hits.Load() != 3 {
		t.Fatalf("%v, %v after %d hits", resp, err, s.hits.Load())
	}
	spans := tel.recorder.Ended()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want one client span", len(spans))
	}
	v, ok := attrOf(spans[0].Attributes(), "http.request.resend_count")
	if !ok || v.AsInt64() != 2 {
		t.Errorf("http.request.resend_count = %v, want 2", v.String())
	}
	if got := len(tel.events("vigil.retry")); got != 2 {
		t.Errorf("%d vigil.retry events, want 2", got)
	}
}

// The other order: each attempt gets its own client span; the inner
// transport can read the attempt number with ResendCount.
func TestTransportOutsideMiddlewareTransport(t *testing.T) {
	tel := newTelemetry(t)
	_, srv := newServer(t, status(503), status(200))
	var mu sync.Mutex
	var counts []int
	probe := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		counts = append(counts, resilience.ResendCount(r.Context()))
		mu.Unlock()
		return srv.Client().Transport.RoundTrip(r)
	})
	c := &http.Client{Transport: resilience.NewTransport(
		middleware.Transport(probe, middleware.WithTracerProvider(tel.tp)),
		noJitter)}
	defer srv.Client().CloseIdleConnections()
	ctx, parent := tel.span("GET /checkout") // the caller's span
	resp, err := get(t, c, ctx, srv.URL)
	parent.End()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v, %v", resp, err)
	}
	clients := 0
	for _, s := range tel.recorder.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			clients++
		} else if _, ok := attrOf(s.Attributes(), "http.request.resend_count"); ok {
			t.Errorf("resend count set on the non-client span %q", s.Name())
		}
	}
	if clients != 2 {
		t.Errorf("got %d client spans, want one per attempt (2)", clients)
	}
	if len(counts) != 2 || counts[1] != 1 {
		t.Errorf("resend counts = %v, want [0 1]", counts)
	}
}

// Limit inside middleware.Handler: the shed request still gets a span
// marked vigil.shed and an access-log line with status 503 and shed=limit.
func TestLimitInsideMiddlewareHandler(t *testing.T) {
	tel := newTelemetry(t)
	next := newBlocking()
	h := middleware.Handler(resilience.Limit(next,
		resilience.WithMaxInFlight(1), resilience.WithLogger(tel.logger)),
		middleware.WithTracerProvider(tel.tp),
		middleware.WithLogger(tel.logger))
	var wg sync.WaitGroup
	_ = serve(&wg, h)
	waitEntered(t, next, 1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/work", nil))
	close(next.release)
	wg.Wait()
	if rec.Code != 503 || rec.Header().Get(resilience.ShedHeader) != "1" {
		t.Fatalf("status %d, shed header %q", rec.Code, rec.Header().Get(resilience.ShedHeader))
	}
	shedSpans := 0
	for _, s := range tel.recorder.Ended() {
		if v, ok := attrOf(s.Attributes(), "vigil.shed"); ok && v.AsBool() {
			shedSpans++
		}
	}
	if shedSpans != 1 {
		t.Errorf("%d server spans marked vigil.shed, want 1", shedSpans)
	}
	found := false
	for _, line := range tel.logLines("") {
		if line["status"] == 503.0 && line["shed"] == "limit" {
			found = true
		}
	}
	if !found {
		t.Errorf("no access-log line with status 503 and shed=limit:\n%s", tel.logs.String())
	}
}

// Chaos inside middleware.Handler: the access-log line of a request that
// got an injected fault says chaos=<kinds>, so chaos experiments can be
// told apart from real failures in the logs.
func TestChaosFaultShowsInAccessLog(t *testing.T) {
	tel := newTelemetry(t)
	h := middleware.Handler(resilience.Chaos(okHandler,
		resilience.ChaosConfig{Enabled: true, Rules: []resilience.ChaosRule{
			{Name: "boom", Probability: 1, Fault: resilience.Fault{Status: 503}}}}),
		middleware.WithTracerProvider(tel.tp), middleware.WithLogger(tel.logger))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	if rec.Code != 503 {
		t.Fatalf("status %d, want the injected 503", rec.Code)
	}
	for _, line := range tel.logLines("") {
		if line["msg"] == "http request" {
			if line["chaos"] != "status" {
				t.Errorf("access log chaos = %v, want status; line %v", line["chaos"], line)
			}
			return
		}
	}
	t.Errorf("no access-log line:\n%s", tel.logs.String())
}

// Chaos inside middleware.Handler: an aborted request is re-raised by the
// recover part, so the client sees a dropped connection, and the server
// span carries the fault.
func TestChaosAbortThroughMiddlewareHandler(t *testing.T) {
	tel := newTelemetry(t)
	srv := httptest.NewServer(middleware.Handler(resilience.Chaos(okHandler,
		resilience.ChaosConfig{Enabled: true, Rules: []resilience.ChaosRule{
			{Name: "drop", Probability: 1, Fault: resilience.Fault{Abort: true}}}}),
		middleware.WithTracerProvider(tel.tp), middleware.WithLogger(tel.logger)))
	defer srv.Close()
	c := srv.Client()
	defer c.CloseIdleConnections()
	resp, err := c.Get(srv.URL)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got %d, want a dropped connection", resp.StatusCode)
	}
	srv.Close() // waits for the handler, so its span has ended
	marked := false
	for _, s := range tel.recorder.Ended() {
		if v, ok := attrOf(s.Attributes(), "vigil.chaos.rule"); ok && v.AsString() == "drop" {
			marked = true
		}
	}
	if !marked {
		t.Error("server span not marked with the injected fault")
	}
}

// A breaker is what health.Breaker checks: closed passes, half-open is
// degraded, open fails.
func TestBreakerSatisfiesHealthCheck(t *testing.T) {
	b := resilience.NewBreaker(resilience.WithName("pricing"),
		resilience.WithConsecutiveFailures(1),
		resilience.WithOpenTimeout(300*time.Millisecond))
	check := health.Breaker(b)
	if err := check(context.Background()); err != nil {
		t.Errorf("closed: %v", err)
	}
	_ = b.Execute(context.Background(), func(context.Context) error { return errDown })
	if err := check(context.Background()); err == nil {
		t.Error("open breaker passed the health check")
	}
	waitHalfOpen(t, b)
	if err := check(context.Background()); !errors.Is(err, health.ErrDegraded) {
		t.Errorf("half-open: %v, want ErrDegraded", err)
	}
}
