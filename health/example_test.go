package health_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/vigil-go/vigil/health"
	_ "modernc.org/sqlite"
)

// Register checks and mount the four endpoints.
func Example() {
	db, _ := sql.Open("sqlite", ":memory:")
	defer func() { _ = db.Close() }()

	reg := health.New()
	defer reg.Close()
	_ = reg.Register(health.Check{Name: "db", Func: health.SQL(db)})
	_ = reg.Register(health.Check{Name: "goroutines", Probes: health.Liveness,
		Func: health.Goroutines(10_000), Optional: true})

	mux := http.NewServeMux()
	h := reg.Handler()
	for _, p := range health.Paths() {
		mux.Handle(p, h)
	}

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz?verbose", nil))
	fmt.Print(rec.Code, "\n", rec.Body)
	// Output:
	// 200
	// [+]db ok
	// readyz check passed
}

// Any func(context.Context) error is a check; an error wrapping
// ErrDegraded warns without failing the probe.
func ExampleCheckFunc() {
	reg := health.New()
	defer reg.Close()
	_ = reg.Register(health.Check{Name: "queue", Func: func(context.Context) error {
		return fmt.Errorf("backlog 5000: %w", health.ErrDegraded)
	}})
	rep := reg.Evaluate(context.Background(), health.Readiness)
	fmt.Println(rep.Status, rep.Checks[0].Error)
	// Output: warn backlog 5000: health: degraded
}

// On SIGTERM, drain: readiness fails, liveness passes.
func ExampleRegistry_Drain() {
	reg := health.New()
	defer reg.Close()
	h := reg.Handler()
	reg.Drain()
	for _, p := range []string{"/livez", "/readyz"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		fmt.Println(p, rec.Code, rec.Body)
	}
	// Output:
	// /livez 200 ok
	// /readyz 503 failed
}

// A check that ignores its context still answers at its timeout.
func ExampleCheck_timeout() {
	reg := health.New()
	defer reg.Close()
	release := make(chan struct{})
	defer close(release)
	_ = reg.Register(health.Check{Name: "stuck", Timeout: 50 * time.Millisecond,
		Func: func(context.Context) error { <-release; return nil }})
	rep := reg.Evaluate(context.Background(), health.Readiness)
	fmt.Println(rep.Status, rep.Checks[0].Error)
	// Output: fail timed out after 50ms
}

// The public listener gets the status only; the admin listener gets the
// details, with credentials scrubbed.
func ExampleWithDetails() {
	reg := health.New()
	defer reg.Close()
	_ = reg.Register(health.Check{Name: "db", Func: func(context.Context) error {
		return errors.New("connect postgres://app:s3cret@db/shop: refused")
	}})
	public := reg.ProbeHandler(health.Readiness, health.WithDetails(false))
	admin := reg.ProbeHandler(health.Readiness)
	for _, h := range []http.Handler{public, admin} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz?verbose", nil))
		fmt.Printf("%s\n", rec.Body)
	}
	// Output:
	// failed
	// [-]db failed: connect postgres://app:***@db/shop: refused
	// readyz check failed
}

type pricingBreaker struct{}

func (pricingBreaker) Name() string      { return "pricing" }
func (pricingBreaker) StateName() string { return "open" }

// An open breaker on a critical dependency fails readiness.
func ExampleBreaker() {
	reg := health.New()
	defer reg.Close()
	_ = reg.Register(health.Check{Name: "pricing-breaker",
		Func: health.Breaker(pricingBreaker{})})
	rep := reg.Evaluate(context.Background(), health.Readiness)
	fmt.Println(rep.Status, rep.Checks[0].Error)
	// Output: fail health: breaker "pricing" open
}

// Probe requests can be kept out of access logs and traces.
func ExampleIsProbeRequest() {
	req := httptest.NewRequest("GET", "/admin/readyz", nil)
	fmt.Println(health.IsProbeRequest(req), health.Paths())
	// Output: true [/livez /readyz /startupz /healthz]
}

func ExampleHTTPGet() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer upstream.Close()
	check := health.HTTPGet(upstream.Client(), upstream.URL, http.StatusOK)
	fmt.Println(check(context.Background()))
	// Output: health: http get: status 418, want 200
}

func ExampleTCP() {
	check := health.TCP("127.0.0.1:1")
	fmt.Println(check(context.Background()) != nil)
	// Output: true
}

func ExampleHeap() {
	check := health.Heap(64 << 30)
	fmt.Println(check(context.Background()))
	// Output: <nil>
}

// The JSON report lists every check with its status and error.
func ExampleRegistry_JSONHandler() {
	reg := health.New()
	defer reg.Close()
	_ = reg.Register(health.Check{Name: "cache", Optional: true,
		Func: func(context.Context) error { return errors.New("evicting") }})

	rec := httptest.NewRecorder()
	reg.JSONHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var doc struct {
		Status string
		Checks map[string][]struct{ Status, Output string }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &doc)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), doc.Status,
		doc.Checks["cache"][0].Status, doc.Checks["cache"][0].Output)
	// Output: 200 application/health+json warn warn evicting
}

// A background check runs on its own schedule; probes only read its last
// result.
func ExampleCheck_interval() {
	reg := health.New()
	defer reg.Close()
	_ = reg.Register(health.Check{Name: "disk", Interval: 10 * time.Second,
		Func: func(context.Context) error { return nil }})
	// The first probe waits for the first run; later ones never wait.
	fmt.Println(reg.Evaluate(context.Background(), health.Readiness).Status)
	// Output: pass
}
