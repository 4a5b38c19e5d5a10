package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeShop answers like the shop would for the loadgen's mix and records
// the baggage of every request.
type fakeShop struct {
	requests atomic.Int64
	mu       sync.Mutex
	baggage  []string
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	f.baggage = append(f.baggage, r.Header.Get("Baggage"))
	f.mu.Unlock()
	_, _ = io.Copy(io.Discard, r.Body)
	switch {
	case r.URL.Path == "/panic":
		w.WriteHeader(http.StatusInternalServerError)
	case r.Header.Get("Baggage") == "vigil.chaos=pricing":
		w.WriteHeader(http.StatusBadGateway)
	case strings.HasPrefix(r.URL.Path, "/products/9"):
		w.WriteHeader(http.StatusNotFound)
	case r.Method == http.MethodPost:
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodPut:
		w.WriteHeader(http.StatusNoContent)
	default:
		_, _ = w.Write([]byte("[]"))
	}
}

func startShop(t *testing.T) (*fakeShop, *httptest.Server) {
	t.Helper()
	f := &fakeShop{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func testConfig(url string) config {
	return config{URL: url, Rate: 2000, Workers: 8, Timeout: 5 * time.Second,
		FaultBaggage: "vigil.chaos=pricing", SlowBaggage: "vigil.chaos=slow", Seed: 1}
}

func TestRunStopsAfterRequestCount(t *testing.T) {
	f, srv := startShop(t)
	cfg := testConfig(srv.URL)
	cfg.Requests = 200
	sum, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.total != 200 || f.requests.Load() != 200 {
		t.Errorf("summary counted %d, server saw %d; want 200 each",
			sum.total, f.requests.Load())
	}
}

func TestRunStopsAfterDuration(t *testing.T) {
	_, srv := startShop(t)
	cfg := testConfig(srv.URL)
	cfg.Rate = 100
	cfg.Duration = 300 * time.Millisecond
	start := time.Now()
	sum, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("run took %s for a 300ms duration", took)
	}
	if sum.total == 0 || sum.total > 100 {
		t.Errorf("sent %d requests at 100/s for 300ms", sum.total)
	}
}

func TestRunStopsWhenContextIsCancelled(t *testing.T) {
	_, srv := startShop(t)
	cfg := testConfig(srv.URL)
	cfg.Rate = 50
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := run(ctx, cfg); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run with neither duration nor count ignored its context")
	}
}

func TestSummaryCountsStatusClassesAndErrors(t *testing.T) {
	_, srv := startShop(t)
	cfg := testConfig(srv.URL)
	cfg.Requests = 2000
	cfg.FaultShare = 0
	sum, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for c, name := range classes {
		t.Logf("%s: %d", name, sum.class(c))
	}
	if sum.class(2) == 0 || sum.class(4) == 0 || sum.class(5) == 0 {
		t.Errorf("want 2xx, 4xx and 5xx answers in the mix")
	}
	if sum.errors() != sum.class(5) {
		t.Errorf("errors = %d, want the %d 5xx answers (no request failed)",
			sum.errors(), sum.class(5))
	}
	var out bytes.Buffer
	if err := sum.write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requests 2000 ", "latency p50", "GET /panic",
		"POST /orders", "GET /orders (N+1)", "GET /products/{id} slow"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFaultPhaseRequestsCarryBaggage(t *testing.T) {
	f, srv := startShop(t)
	cfg := testConfig(srv.URL)
	cfg.Rate = 200
	cfg.Duration = 1 * time.Second
	cfg.FaultShare = 0.5
	sum, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	with, slow := 0, 0
	for _, b := range f.baggage {
		switch b {
		case "vigil.chaos=pricing":
			with++
		case "vigil.chaos=slow":
			slow++
		case "":
		default:
			t.Fatalf("unexpected baggage %q", b)
		}
	}
	if with == 0 || with == len(f.baggage) || with != sum.faulted {
		t.Errorf("%d of %d requests carried the fault baggage, summary says %d",
			with, len(f.baggage), sum.faulted)
	}
	if slow == 0 {
		t.Error("no request of the slow share carried the slow baggage")
	}
}

func TestInFaultIsTheCentredShareOfEachCycle(t *testing.T) {
	cfg := config{Cycle: 10 * time.Second, FaultShare: 0.3, FaultBaggage: "a=b"}
	for _, tc := range []struct {
		at   time.Duration
		want bool
	}{
		{0, false}, {3400 * time.Millisecond, false}, {3500 * time.Millisecond, true},
		{6499 * time.Millisecond, true}, {6500 * time.Millisecond, false},
		{13600 * time.Millisecond, true}, {19 * time.Second, false},
	} {
		t.Run(tc.at.String(), func(t *testing.T) {
			if got := cfg.inFault(tc.at); got != tc.want {
				t.Errorf("inFault(%s) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
	off := cfg
	off.FaultShare = 0
	if off.inFault(5 * time.Second) {
		t.Error("fault share 0 still injects faults")
	}
}

func TestPercentile(t *testing.T) {
	s := newSummary()
	for i := 1; i <= 100; i++ {
		s.record("r", 200, time.Duration(i)*time.Millisecond, false)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{.5, 50 * time.Millisecond}, {.99, 99 * time.Millisecond},
		{1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := s.percentile(tc.q); got != tc.want {
			t.Errorf("percentile(%v) = %s, want %s", tc.q, got, tc.want)
		}
	}
	if got := newSummary().percentile(.5); got != 0 {
		t.Errorf("percentile of no samples = %s, want 0", got)
	}
}

func TestSummaryKeepsBoundedSamples(t *testing.T) {
	s := newSummary()
	for i := 0; i < maxSamples+1000; i++ {
		s.record("r", 200, time.Millisecond, false)
	}
	if len(s.samples) != maxSamples || s.total != maxSamples+1000 {
		t.Errorf("kept %d samples of %d requests, want %d", len(s.samples),
			s.total, maxSamples)
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{"defaults", nil, false},
		{"bounded by count", []string{"-duration", "0", "-requests", "10"}, false},
		{"zero rate", []string{"-rate", "0"}, true},
		{"no workers", []string{"-workers", "0"}, true},
		{"fault share above one", []string{"-fault-share", "1.5"}, true},
		{"negative duration", []string{"-duration", "-1s"}, true},
		{"unknown flag", []string{"-nope"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseFlags(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && cfg.Cycle <= 0 {
				t.Errorf("cycle = %s, want a positive default", cfg.Cycle)
			}
		})
	}
}

func TestPickerDrawsEveryCallOfTheMix(t *testing.T) {
	p := newPicker(7, mix)
	seen := map[string]int{}
	for range 20_000 {
		c, path, _ := p.next()
		if !strings.HasPrefix(path, "/") {
			t.Fatalf("%s: path %q", c.name, path)
		}
		seen[c.name]++
	}
	for _, c := range mix {
		if seen[c.name] == 0 {
			t.Errorf("%s never drawn", c.name)
		}
	}
	if seen["GET /products"] < seen["GET /panic"]*5 {
		t.Errorf("weights ignored: %v", seen)
	}
}

func TestRunHoldsTheRate(t *testing.T) {
	_, srv := startShop(t)
	cfg := testConfig(srv.URL)
	cfg.Rate = 100
	cfg.Duration = time.Second
	sum, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 100 ticks are due in one second; a starved machine may lose the
	// last few to the deadline, never more than scheduled.
	if sum.total+sum.skipped > 101 || sum.total < 50 {
		t.Errorf("sent %d (skipped %d) at 100/s for 1s", sum.total, sum.skipped)
	}
}
