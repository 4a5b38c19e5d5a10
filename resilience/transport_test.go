package resilience_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"

	"github.com/vigil-go/vigil/resilience"
)

// scripted is a test server answering each request with the next step of
// its script (the last step repeats) and recording what it received.
type scripted struct {
	mu     sync.Mutex
	steps  []func(http.ResponseWriter, *http.Request)
	bodies []string
	hits   atomic.Int64
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.hits.Add(1)) - 1
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	step := s.steps[min(n, len(s.steps)-1)]
	s.mu.Unlock()
	step(w, r)
}

func (s *scripted) set(steps ...func(http.ResponseWriter, *http.Request)) {
	s.mu.Lock()
	s.steps = steps
	s.mu.Unlock()
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

func statusAfter(code int, retryAfter string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(code)
	}
}

// hangUp closes the connection without a response: a transport error.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	panic(http.ErrAbortHandler)
}

func newServer(t *testing.T, steps ...func(http.ResponseWriter, *http.Request)) (*scripted, *httptest.Server) {
	s := &scripted{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// noJitter makes backoff waits zero.
var noJitter = resilience.WithRandom(func() float64 { return 0 })

// response is what tests need of a response whose body get has read
// and closed.
type response struct{ StatusCode int }

func get(t *testing.T, c *http.Client, ctx context.Context, url string) (*response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return &response{resp.StatusCode}, nil
}

func TestTransportDrivesBreakerThroughStates(t *testing.T) {
	tel := newTelemetry(t)
	s, srv := newServer(t, status(http.StatusInternalServerError))
	var created []string
	tr := resilience.NewTransport(nil,
		resilience.WithConsecutiveFailures(3),
		resilience.WithOpenTimeout(500*time.Millisecond),
		resilience.WithHalfOpenQuota(2),
		resilience.WithMaxAttempts(1),
		resilience.WithMeterProvider(tel.mp),
		resilience.WithLogger(tel.logger),
		resilience.WithBreakerCreated(func(b *resilience.Breaker) {
			created = append(created, b.Name())
		}))
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	host := strings.TrimPrefix(srv.URL, "http://")

	// closed: 5xx responses reach the caller and count as failures
	for range 3 {
		resp, err := get(t, c, context.Background(), srv.URL)
		if err != nil || resp.StatusCode != 500 {
			t.Fatalf("closed: %v, %v", resp, err)
		}
	}
	if len(created) != 1 || created[0] != host {
		t.Fatalf("breakers created = %v, want [%s]", created, host)
	}
	b := tr.Breakers()[0]
	if got := b.StateName(); got != "open" {
		t.Fatalf("after 3 failures state = %s, want open", got)
	}

	// open: calls fail fast without reaching the server
	hits := s.hits.Load()
	_, err := get(t, c, context.Background(), srv.URL)
	if !errors.Is(err, resilience.ErrOpen) {
		t.Fatalf("open: err = %v, want ErrOpen", err)
	}
	if s.hits.Load() != hits {
		t.Error("open breaker let a request through")
	}

	// half-open: probes go through; the server has recovered
	s.set(status(http.StatusOK))
	waitHalfOpen(t, b)
	for range 2 {
		if resp, err := get(t, c, context.Background(), srv.URL); err != nil ||
			resp.StatusCode != 200 {
			t.Fatalf("probe: %v, %v", resp, err)
		}
	}
	if got := b.StateName(); got != "closed" {
		t.Fatalf("after 2 good probes state = %s, want closed", got)
	}

	for _, step := range [][2]string{
		{"closed", "open"}, {"open", "half-open"}, {"half-open", "closed"},
	} {
		if got := tel.mustValue("vigil.breaker.transitions", name(host),
			attribute.String("vigil.breaker.from", step[0]),
			attribute.String("vigil.breaker.to", step[1])); got != 1 {
			t.Errorf("%s->%s transitions = %d, want 1", step[0], step[1], got)
		}
	}
	lines := tel.logLines("resilience: breaker state changed")
	wantReasons := []string{"failure threshold reached", "open timeout elapsed",
		"half-open probes succeeded"}
	if len(lines) != len(wantReasons) {
		t.Fatalf("%d state-change log lines, want 3:\n%s", len(lines), tel.logs.String())
	}
	for i, want := range wantReasons {
		_, hasCounts := lines[i]["counts"]
		if lines[i]["reason"] != want || hasCounts != (i == 0) {
			t.Errorf("log line %d = %v, want reason %q, counts only on the trip",
				i, lines[i], want)
		}
	}
	if got := tel.mustValue("vigil.breaker.calls", name(host),
		outcome("rejected")); got != 1 {
		t.Errorf("rejected = %d, want 1", got)
	}
}

func TestTransportRetriesOnlyReplayableIdempotentRequests(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		body     func() io.Reader
		header   string
		wantHits int64
	}{
		{"GET without body", http.MethodGet, nil, "", 3},
		{"PUT with replayable body", http.MethodPut,
			func() io.Reader { return strings.NewReader("payload") }, "", 3},
		{"POST is not idempotent", http.MethodPost,
			func() io.Reader { return strings.NewReader("payload") }, "", 1},
		{"POST with Idempotency-Key", http.MethodPost,
			func() io.Reader { return strings.NewReader("payload") },
			"Idempotency-Key", 3},
		{"PUT with one-shot body", http.MethodPut,
			func() io.Reader { return io.NopCloser(strings.NewReader("payload")) },
			"", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := newServer(t, status(503))
			tr := resilience.NewTransport(nil, noJitter, resilience.WithoutBreaker())
			defer tr.CloseIdleConnections()
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			req, _ := http.NewRequest(tt.method, srv.URL, body)
			if tt.header != "" {
				req.Header.Set(tt.header, "k1")
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 503 {
				t.Errorf("status = %d, want the last 503", resp.StatusCode)
			}
			if got := s.hits.Load(); got != tt.wantHits {
				t.Errorf("server hit %d times, want %d", got, tt.wantHits)
			}
			if tt.body != nil {
				for i, b := range s.bodies {
					if b != "payload" {
						t.Errorf("attempt %d body = %q", i, b)
					}
				}
			}
		})
	}
}

func TestTransportRetriesByStatusAndError(t *testing.T) {
	tests := []struct {
		name     string
		steps    []func(http.ResponseWriter, *http.Request)
		wantCode int
		wantHits int64
		reason   string
	}{
		{"503 then 200", []func(http.ResponseWriter, *http.Request){
			status(503), status(200)}, 200, 2, "status"},
		{"connection dropped then 200", []func(http.ResponseWriter, *http.Request){
			hangUp, status(200)}, 200, 2, "error"},
		{"500 is not retried by default", []func(http.ResponseWriter, *http.Request){
			status(500), status(200)}, 500, 1, ""},
		{"404 is not retried", []func(http.ResponseWriter, *http.Request){
			status(404), status(200)}, 404, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			s, srv := newServer(t, tt.steps...)
			tr := resilience.NewTransport(nil, noJitter,
				resilience.WithMeterProvider(tel.mp))
			defer tr.CloseIdleConnections()
			resp, err := get(t, &http.Client{Transport: tr},
				context.Background(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode || s.hits.Load() != tt.wantHits {
				t.Errorf("status %d after %d hits, want %d after %d",
					resp.StatusCode, s.hits.Load(), tt.wantCode, tt.wantHits)
			}
			got, _ := tel.value("vigil.http.client.retries",
				attribute.String("vigil.retry.reason", tt.reason))
			if want := tt.wantHits - 1; got != want {
				t.Errorf("retries counted = %d, want %d", got, want)
			}
		})
	}
}

func TestTransportHonoursRetryAfterUpToCap(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		cap        time.Duration
		minWait    time.Duration
	}{
		{"short Retry-After is honoured", "1", 5 * time.Second, time.Second},
		{"long Retry-After is capped", "3600", 100 * time.Millisecond,
			100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := newServer(t, statusAfter(503, tt.retryAfter), status(200))
			tr := resilience.NewTransport(nil, noJitter,
				resilience.WithRetryAfterCap(tt.cap))
			defer tr.CloseIdleConnections()
			start := time.Now()
			resp, err := get(t, &http.Client{Transport: tr},
				context.Background(), srv.URL)
			elapsed := time.Since(start)
			if err != nil || resp.StatusCode != 200 || s.hits.Load() != 2 {
				t.Fatalf("%v, %v after %d hits", resp, err, s.hits.Load())
			}
			if elapsed < tt.minWait || elapsed > tt.minWait+10*time.Second {
				t.Errorf("retried after %v, want about %v", elapsed, tt.minWait)
			}
		})
	}
}

func TestTransportGivesUpWhenWaitOutlivesCallerDeadline(t *testing.T) {
	s, srv := newServer(t, statusAfter(503, "5"), status(200))
	tr := resilience.NewTransport(nil, noJitter)
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	resp, err := get(t, &http.Client{Transport: tr}, ctx, srv.URL)
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("%v, %v: want the 503 back", resp, err)
	}
	if s.hits.Load() != 1 {
		t.Errorf("server hit %d times, want 1", s.hits.Load())
	}
	if elapsed := time.Since(start); elapsed > 1900*time.Millisecond {
		t.Errorf("took %v: waited although the deadline was too close", elapsed)
	}
}

func TestTransportAttemptTimeoutRetriesSlowAttempt(t *testing.T) {
	tel := newTelemetry(t)
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	s, srv := newServer(t, slow, status(200))
	tr := resilience.NewTransport(nil, noJitter,
		resilience.WithAttemptTimeout(time.Second),
		resilience.WithMeterProvider(tel.mp))
	defer tr.CloseIdleConnections()
	resp, err := get(t, &http.Client{Transport: tr}, context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v, %v", resp, err)
	}
	if s.hits.Load() != 2 {
		t.Errorf("server hit %d times, want 2", s.hits.Load())
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if got := tel.mustValue("vigil.breaker.calls", name(host),
		outcome("failure")); got != 1 {
		t.Errorf("attempt timeout counted as %d failures, want 1", got)
	}
}

func TestTransportCallerCancellationIsNotAFailure(t *testing.T) {
	tel := newTelemetry(t)
	started := make(chan struct{}, 1)
	hang := func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	}
	s, srv := newServer(t, hang)
	tr := resilience.NewTransport(nil, noJitter,
		resilience.WithConsecutiveFailures(1),
		resilience.WithMeterProvider(tel.mp))
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := get(t, &http.Client{Transport: tr}, ctx, srv.URL)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if s.hits.Load() != 1 {
		t.Errorf("cancelled request retried: %d hits", s.hits.Load())
	}
	if got := tr.Breakers()[0].StateName(); got != "closed" {
		t.Errorf("state = %s, want closed", got)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if got := tel.mustValue("vigil.breaker.calls", name(host),
		outcome("excluded")); got != 1 {
		t.Errorf("excluded = %d, want 1", got)
	}
}

func TestTransportSharedBreakerAndKeyFunc(t *testing.T) {
	_, a := newServer(t, status(500))
	_, b := newServer(t, status(500))
	tests := []struct {
		name string
		opts []resilience.Option
		want []string
	}{
		{"one breaker per host", nil, []string{
			strings.TrimPrefix(a.URL, "http://"),
			strings.TrimPrefix(b.URL, "http://")}},
		{"key function groups hosts", []resilience.Option{
			resilience.WithBreakerKey(func(*http.Request) string { return "backend" }),
		}, []string{"backend"}},
		{"given breaker", []resilience.Option{resilience.WithBreaker(
			resilience.NewBreaker(resilience.WithName("pricing")))},
			[]string{"pricing"}},
		{"no breaker", []resilience.Option{resilience.WithoutBreaker()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := resilience.NewTransport(nil,
				append(tt.opts, resilience.WithMaxAttempts(1))...)
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr}
			_, _ = get(t, c, context.Background(), a.URL)
			_, _ = get(t, c, context.Background(), b.URL)
			var got []string
			for _, br := range tr.Breakers() {
				got = append(got, br.Name())
			}
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("breakers = %v, want %v", got, want)
			}
		})
	}
}

func TestTransportInsideTracingSetsResendCount(t *testing.T) {
	// middleware.Transport does not exist yet; otelhttp.NewTransport is
	// the same shape (one client span per RoundTrip).
	tel := newTelemetry(t)
	_, srv := newServer(t, status(503), status(502), status(200))
	inner := resilience.NewTransport(nil, noJitter)
	defer inner.CloseIdleConnections()
	c := &http.Client{Transport: otelhttp.NewTransport(inner,
		otelhttp.WithTracerProvider(tel.tp),
		otelhttp.WithMeterProvider(tel.mp))}
	resp, err := get(t, c, context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v, %v", resp, err)
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

func TestTransportOutsideTracingExposesResendCount(t *testing.T) {
	var seen []int
	var mu sync.Mutex
	probe := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, resilience.ResendCount(r.Context()))
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	_, srv := newServer(t, status(503), status(503), status(200))
	tr := resilience.NewTransport(probe, noJitter)
	resp, err := get(t, &http.Client{Transport: tr}, context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v, %v", resp, err)
	}
	if len(seen) != 3 || seen[0] != 0 || seen[1] != 1 || seen[2] != 2 {
		t.Errorf("resend counts seen inside = %v, want [0 1 2]", seen)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportBackoffUsesFullJitter(t *testing.T) {
	var waits []time.Duration
	var last time.Time
	_, srv := newServer(t, status(503))
	tr := resilience.NewTransport(
		roundTripFunc(func(r *http.Request) (*http.Response, error) {
			now := time.Now()
			if !last.IsZero() {
				waits = append(waits, now.Sub(last))
			}
			last = now
			return http.DefaultTransport.RoundTrip(r)
		}),
		resilience.WithRandom(func() float64 { return 0.999 }),
		resilience.WithBackoff(40*time.Millisecond, 100*time.Millisecond),
		resilience.WithMaxAttempts(4), resilience.WithoutBreaker())
	_, _ = get(t, &http.Client{Transport: tr}, context.Background(), srv.URL)
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	// ceilings 40ms, 80ms, then capped at 100ms; random 0.999 waits ~all
	want := []time.Duration{40, 80, 100}
	if len(waits) != len(want) {
		t.Fatalf("waits = %v", waits)
	}
	for i, w := range want {
		if waits[i] < w*time.Millisecond*99/100 ||
			waits[i] > w*time.Millisecond+5*time.Second {
			t.Errorf("wait %d = %v, want about %dms", i, waits[i], w)
		}
	}
}

func TestTransportReplaysBodyFromGetBody(t *testing.T) {
	s, srv := newServer(t, status(503), status(200))
	tr := resilience.NewTransport(nil, noJitter)
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodPut, srv.URL,
		bytes.NewReader([]byte(`{"sku":1}`)))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(s.bodies) != 2 || s.bodies[0] != s.bodies[1] || s.bodies[1] != `{"sku":1}` {
		t.Errorf("bodies = %q", s.bodies)
	}
}

func TestTransportCustomFailureAndRetryStatuses(t *testing.T) {
	tel := newTelemetry(t)
	s, srv := newServer(t, status(500), status(429))
	var seen []int
	tr := resilience.NewTransport(nil, noJitter,
		resilience.WithMeterProvider(tel.mp),
		resilience.WithRetryStatus(func(code int) bool { return code == 500 }),
		resilience.WithFailureStatus(func(code int) bool { return code == 429 }),
		resilience.WithClassifier(func(ctx context.Context, err error) resilience.Outcome {
			var se *resilience.StatusError
			if errors.As(err, &se) {
				seen = append(seen, se.Code)
				if se.Error() != "resilience: status 429" {
					t.Errorf("StatusError text = %q", se.Error())
				}
			}
			return resilience.DefaultClassifier(ctx, err)
		}))
	defer tr.CloseIdleConnections()
	resp, err := get(t, &http.Client{Transport: tr}, context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 429 || s.hits.Load() != 2 {
		t.Fatalf("%v, %v after %d hits: want 500 retried, then 429 returned",
			resp, err, s.hits.Load())
	}
	if len(seen) != 1 || seen[0] != 429 {
		t.Errorf("classifier saw statuses %v, want [429]", seen)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if got := tel.mustValue("vigil.breaker.calls", name(host),
		outcome("success")); got != 1 {
		t.Errorf("successes = %d, want 1 (the 500)", got)
	}
}
