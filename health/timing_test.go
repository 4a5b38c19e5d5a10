package health

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// overlapGuard wraps a check function and counts starts that happen while
// an earlier run is still going.
type overlapGuard struct {
	fn       CheckFunc
	running  atomic.Int64
	starts   atomic.Int64
	overlaps atomic.Int64
}

func (g *overlapGuard) check(ctx context.Context) error {
	g.starts.Add(1)
	if g.running.Add(1) > 1 {
		g.overlaps.Add(1)
	}
	defer g.running.Add(-1)
	return g.fn(ctx)
}

func get(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A check that sleeps 2 s ignoring its context, with a 100 ms timeout:
// 200 probes in a row each answer quickly reporting the timeout, the check
// is never started while its run is in flight, and no goroutine is left
// once the sleeps end.
func TestHangingCheckDoesNotHoldProbesOrPileUp(t *testing.T) {
	baseline := runtime.NumGoroutine()
	r := newTestRegistry(t, WithCacheTTL(-1))
	g := &overlapGuard{fn: func(context.Context) error {
		time.Sleep(2 * time.Second)
		return nil
	}}
	mustRegister(t, r, Check{Name: "hang", Func: g.check, Timeout: 100 * time.Millisecond})
	srv := httptest.NewServer(r.Handler())
	client := srv.Client()

	latencies := make([]time.Duration, 200)
	begin := time.Now()
	for i := range latencies {
		start := time.Now()
		code, body := get(t, client, srv.URL+"/readyz?verbose")
		latencies[i] = time.Since(start)
		if code != 503 || !strings.Contains(body, "[-]hang failed: timed out after 100ms\n") {
			t.Fatalf("probe %d = %d %q, want 503 with a timeout line", i, code, body)
		}
		if latencies[i] > 500*time.Millisecond {
			t.Fatalf("probe %d took %v, want well under 1 s", i, latencies[i])
		}
	}
	elapsed := time.Since(begin)
	client.CloseIdleConnections()
	srv.Close()

	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	t.Logf("200 probes: first %v, median %v, p99 %v, max %v, check starts %d",
		latencies[0], sorted[100], sorted[197], sorted[199], g.starts.Load())

	if n := g.overlaps.Load(); n != 0 {
		t.Fatalf("check started %d times while a run was in flight", n)
	}
	// With no cache every probe wants a run; only the end of the 2 s
	// sleep may let another one start.
	if n, limit := g.starts.Load(), int64(elapsed/(2*time.Second))+1; n > limit {
		t.Fatalf("check started %d times in %v, want at most %d", n, elapsed, limit)
	}
	waitFor(t, "the sleeps to end", func() bool { return g.running.Load() == 0 })
	waitFor(t, "goroutines to return to baseline", func() bool {
		return runtime.NumGoroutine() <= baseline
	})
}

// 1,000 concurrent probes over loopback against a slow check run it once
// within its TTL.
func TestThousandConcurrentProbesRunSlowCheckOncePerTTL(t *testing.T) {
	r := newTestRegistry(t, WithCacheTTL(time.Minute))
	c := &counter{delay: 300 * time.Millisecond}
	mustRegister(t, r, Check{Name: "slow", Func: c.check})
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	transport := &http.Transport{MaxConnsPerHost: 100, MaxIdleConnsPerHost: 100}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	defer transport.CloseIdleConnections()

	var wg sync.WaitGroup
	var ok atomic.Int64
	release := make(chan struct{})
	for range 1000 {
		wg.Go(func() {
			<-release
			resp, err := client.Get(srv.URL + "/readyz")
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				ok.Add(1)
			}
		})
	}
	start := time.Now()
	close(release)
	wg.Wait()
	t.Logf("1000 probes in %v, check ran %d times", time.Since(start), c.starts.Load())

	if got := c.starts.Load(); got != 1 {
		t.Fatalf("slow check ran %d times for 1000 probes within its TTL, want 1", got)
	}
	if ok.Load() != 1000 {
		t.Fatalf("%d of 1000 probes answered 200", ok.Load())
	}
}

// Probes that keep coming for several TTLs run the check at most once per
// TTL.
func TestSustainedProbesRunCheckAtMostOncePerTTL(t *testing.T) {
	const ttl = 100 * time.Millisecond
	r := newTestRegistry(t, WithCacheTTL(ttl))
	c := &counter{delay: 10 * time.Millisecond}
	mustRegister(t, r, Check{Name: "c", Func: c.check})

	start := time.Now()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for time.Since(start) < 600*time.Millisecond {
				r.Evaluate(context.Background(), Readiness)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	limit := int64(elapsed/ttl) + 1
	if got := c.starts.Load(); got > limit || got < 2 {
		t.Fatalf("check ran %d times in %v with TTL %v, want 2..%d", got, elapsed, ttl, limit)
	}
}
