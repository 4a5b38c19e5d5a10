package resilience_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/vigil-go/vigil/resilience"
)

// blocking is a handler that holds each request until release is closed
// and signals entered when one starts.
type blocking struct {
	entered chan struct{}
	release chan struct{}
}

func newBlocking() *blocking {
	return &blocking{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocking) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	b.entered <- struct{}{}
	<-b.release
	w.WriteHeader(http.StatusOK)
}

// serve runs one request through h in the background.
func serve(wg *sync.WaitGroup, h http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	wg.Go(func() {
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/work", nil))
	})
	return rec
}

func waitEntered(t *testing.T, b *blocking, n int) {
	t.Helper()
	for range n {
		select {
		case <-b.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("request never reached the handler")
		}
	}
}

func TestLimitShedsBeyondMaxInFlight(t *testing.T) {
	tel := newTelemetry(t)
	next := newBlocking()
	h := resilience.Limit(next, resilience.WithMaxInFlight(2),
		resilience.WithRetryAfter(1500*time.Millisecond),
		resilience.WithMeterProvider(tel.mp),
		resilience.WithLogger(tel.logger))
	var wg sync.WaitGroup
	first, second := serve(&wg, h), serve(&wg, h)
	waitEntered(t, next, 2)

	ctx, span := tel.span("GET /work")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/work", nil).WithContext(ctx))
	span.End()
	close(next.release)
	wg.Wait()

	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("third request status = %d, want 503", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want 2 (rounded up)", got)
	}
	if got := rec.Header().Get(resilience.ShedHeader); got != "1" {
		t.Errorf("%s = %q, want 1", resilience.ShedHeader, got)
	}
	if first.Code != 200 || second.Code != 200 {
		t.Errorf("admitted requests got %d, %d", first.Code, second.Code)
	}
	if got := tel.mustValue("vigil.shed.requests",
		attribute.String("vigil.shed.reason", "limit")); got != 1 {
		t.Errorf("shed count = %d, want 1", got)
	}
	if v, ok := attrOf(tel.recorder.Ended()[0].Attributes(), "vigil.shed"); !ok || !v.AsBool() {
		t.Error("span not marked vigil.shed=true")
	}
	if lines := tel.logLines("request shed"); len(lines) != 1 || lines[0]["level"] != "WARN" {
		t.Errorf("shed log lines = %v", lines)
	}
}

func TestLimitQueueWaitsForFreeSlot(t *testing.T) {
	next := newBlocking()
	h := resilience.Limit(next, resilience.WithMaxInFlight(1),
		resilience.WithQueue(1, 10*time.Second))
	var wg sync.WaitGroup
	first := serve(&wg, h)
	waitEntered(t, next, 1)

	// Two more requests: one takes the only queue place and waits, the
	// other finds the queue full and is shed at once.
	done := make(chan *httptest.ResponseRecorder, 2)
	for range 2 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			done <- rec
		})
	}
	var shed *httptest.ResponseRecorder
	select {
	case shed = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no request was shed while the queue was full")
	}
	close(next.release)
	wg.Wait()
	queued := <-done
	if first.Code != 200 || queued.Code != 200 {
		t.Errorf("first, queued = %d, %d; want 200, 200", first.Code, queued.Code)
	}
	if shed.Code != 503 {
		t.Errorf("request beyond the queue = %d, want 503", shed.Code)
	}
}

func TestLimitShedsAfterQueueWait(t *testing.T) {
	tel := newTelemetry(t)
	next := newBlocking()
	h := resilience.Limit(next, resilience.WithMaxInFlight(1),
		resilience.WithQueue(4, 30*time.Millisecond),
		resilience.WithMeterProvider(tel.mp))
	var wg sync.WaitGroup
	_ = serve(&wg, h)
	waitEntered(t, next, 1)
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	waited := time.Since(start)
	close(next.release)
	wg.Wait()
	if rec.Code != 503 {
		t.Fatalf("status = %d, want 503", rec.Code)
	}
	if waited < 30*time.Millisecond {
		t.Errorf("shed after %v, before the 30ms queue wait", waited)
	}
	if got := tel.mustValue("vigil.shed.requests",
		attribute.String("vigil.shed.reason", "timeout")); got != 1 {
		t.Errorf("timeout sheds = %d, want 1", got)
	}
}

func TestLimitReleasesSlotWhenHandlerPanics(t *testing.T) {
	h := resilience.Limit(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("handler bug")
	}), resilience.WithMaxInFlight(1))
	for range 3 {
		func() {
			defer func() { _ = recover() }()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		}()
	}
	ok := resilience.Limit(http.NotFoundHandler(), resilience.WithMaxInFlight(1))
	rec := httptest.NewRecorder()
	ok.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 404 {
		t.Errorf("status = %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	func() {
		defer func() { _ = recover() }()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	}()
	if rec.Code == 503 {
		t.Error("slot leaked by a panicking handler: request shed")
	}
}
