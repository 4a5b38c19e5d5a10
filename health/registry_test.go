package health

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRegisterRejectsInvalidChecks(t *testing.T) {
	tests := []struct {
		name  string
		check Check
		want  string
	}{
		{"empty name", Check{Func: passing}, "invalid check name"},
		{"space in name", Check{Name: "a b", Func: passing}, "invalid check name"},
		{"slash in name", Check{Name: "a/b", Func: passing}, "invalid check name"},
		{"long name", Check{Name: strings.Repeat("x", 64), Func: passing}, "invalid check name"},
		{"nil func", Check{Name: "db"}, "has no Func"},
		{"unknown probe", Check{Name: "db", Func: passing, Probes: 1 << 5}, "unknown probes"},
		{"duplicate", Check{Name: "taken", Func: passing}, "already registered"},
		{"drain entry name", Check{Name: "shutdown", Func: passing}, `name "shutdown" is reserved`},
		{"interval 1ns", Check{Name: "fast", Func: passing, Interval: time.Nanosecond}, "below the minimum 100ms"},
		{"interval just below minimum", Check{Name: "fast", Func: passing, Interval: MinInterval - 1}, "below the minimum"},
	}
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "taken", Func: passing})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Register(tt.check)
			if err == nil || !strings.Contains(err.Error(), tt.want) ||
				!strings.HasPrefix(err.Error(), "health: ") {
				t.Fatalf("Register = %v, want health: ...%s", err, tt.want)
			}
		})
	}
}

func TestRegisterAfterCloseFails(t *testing.T) {
	r := newTestRegistry(t)
	r.Close()
	if err := r.Register(Check{Name: "db", Func: passing}); err != ErrClosed {
		t.Fatalf("Register after Close = %v, want ErrClosed", err)
	}
}

func TestEvaluateDerivesStatus(t *testing.T) {
	tests := []struct {
		name     string
		fn       CheckFunc
		optional bool
		want     Status
		errText  string
	}{
		{"critical pass", passing, false, Pass, ""},
		{"critical fail", failing, false, Fail, "boom"},
		{"optional fail warns", failing, true, Warn, "boom"},
		{"degraded warns", func(context.Context) error {
			return fmt.Errorf("slow: %w", ErrDegraded)
		}, false, Warn, "slow: health: degraded"},
		{"panic fails", func(context.Context) error { panic("oops") }, false, Fail, "panic: oops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRegistry(t)
			mustRegister(t, r, Check{Name: "c", Func: tt.fn, Optional: tt.optional})
			rep := r.Evaluate(t.Context(), Readiness)
			got := findResult(t, rep, "c")
			if got.Status != tt.want || got.Error != tt.errText || rep.Status != tt.want {
				t.Fatalf("got %v %q (probe %v), want %v %q", got.Status, got.Error,
					rep.Status, tt.want, tt.errText)
			}
		})
	}
}

func TestEvaluateSelectsChecksByProbe(t *testing.T) {
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "default", Func: passing})
	mustRegister(t, r, Check{Name: "live", Func: passing, Probes: Liveness})
	mustRegister(t, r, Check{Name: "both", Func: passing, Probes: Liveness | Startup})
	tests := []struct {
		probe Probe
		want  string
	}{
		{Liveness, "live both"},
		{Readiness, "default"},
		{Startup, "both"},
		{allProbes, "default live both"},
	}
	for _, tt := range tests {
		t.Run(tt.probe.String(), func(t *testing.T) {
			var names []string
			for _, res := range r.Evaluate(t.Context(), tt.probe).Checks {
				names = append(names, res.Name)
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Fatalf("checks = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEvaluateWithoutChecksPasses(t *testing.T) {
	r := newTestRegistry(t)
	if got := r.Evaluate(t.Context(), Liveness).Status; got != Pass {
		t.Fatalf("status = %v, want pass", got)
	}
}

func TestEvaluateExcludesNamedChecks(t *testing.T) {
	r := newTestRegistry(t)
	bad := &counter{err: errBoom}
	mustRegister(t, r, Check{Name: "bad", Func: bad.check})
	mustRegister(t, r, Check{Name: "good", Func: passing})
	rep := r.Evaluate(t.Context(), Readiness, "bad", "nope")
	if rep.Status != Pass || !findResult(t, rep, "bad").Excluded {
		t.Fatalf("status %v, checks %+v: want pass with bad excluded", rep.Status, rep.Checks)
	}
	if bad.starts.Load() != 0 {
		t.Fatalf("excluded check ran %d times", bad.starts.Load())
	}
	if len(rep.Unmatched) != 1 || rep.Unmatched[0] != "nope" {
		t.Fatalf("Unmatched = %q, want [nope]", rep.Unmatched)
	}
}

func TestResultIsCachedForTTL(t *testing.T) {
	r := newTestRegistry(t, WithCacheTTL(time.Hour))
	c := &counter{}
	mustRegister(t, r, Check{Name: "c", Func: c.check})
	for range 5 {
		r.Evaluate(t.Context(), Readiness)
	}
	if got := c.starts.Load(); got != 1 {
		t.Fatalf("starts = %d within TTL, want 1", got)
	}
}

func TestResultIsRefreshedAfterTTL(t *testing.T) {
	r := newTestRegistry(t)
	c := &counter{}
	mustRegister(t, r, Check{Name: "c", Func: c.check, TTL: 20 * time.Millisecond})
	r.Evaluate(t.Context(), Readiness)
	time.Sleep(40 * time.Millisecond)
	r.Evaluate(t.Context(), Readiness)
	if got := c.starts.Load(); got != 2 {
		t.Fatalf("starts = %d across a TTL, want 2", got)
	}
}

func TestNegativeTTLRunsEveryProbe(t *testing.T) {
	r := newTestRegistry(t, WithCacheTTL(time.Hour))
	c := &counter{}
	mustRegister(t, r, Check{Name: "c", Func: c.check, TTL: -1})
	for range 3 {
		r.Evaluate(t.Context(), Readiness)
	}
	if got := c.starts.Load(); got != 3 {
		t.Fatalf("starts = %d, want 3", got)
	}
}

func TestConcurrentProbesShareOneRun(t *testing.T) {
	r := newTestRegistry(t, WithCacheTTL(-1))
	c := &counter{delay: 50 * time.Millisecond}
	mustRegister(t, r, Check{Name: "slow", Func: c.check})
	var wg sync.WaitGroup
	statuses := make([]Status, 50)
	for i := range statuses {
		wg.Go(func() { statuses[i] = r.Evaluate(t.Context(), Readiness).Status })
	}
	wg.Wait()
	if got := c.starts.Load(); got != 1 {
		t.Fatalf("starts = %d for 50 concurrent probes, want 1", got)
	}
	for i, s := range statuses {
		if s != Pass {
			t.Fatalf("probe %d status = %v, want pass", i, s)
		}
	}
}

func TestChecksOfOneProbeRunInParallel(t *testing.T) {
	r := newTestRegistry(t)
	for i := range 5 {
		c := &counter{delay: 200 * time.Millisecond}
		mustRegister(t, r, Check{Name: fmt.Sprint("c", i), Func: c.check})
	}
	start := time.Now()
	r.Evaluate(t.Context(), Readiness)
	// Sequential runs would take 1 s; allow a generous margin below that.
	if d := time.Since(start); d > 800*time.Millisecond {
		t.Fatalf("5 checks of 200 ms took %v, want them in parallel", d)
	}
}

func TestTimeoutIsReportedAtDeadline(t *testing.T) {
	r := newTestRegistry(t)
	release := make(chan struct{})
	defer close(release)
	mustRegister(t, r, Check{Name: "hang", Timeout: 50 * time.Millisecond,
		Func: func(context.Context) error { <-release; return nil }})
	start := time.Now()
	rep := r.Evaluate(t.Context(), Readiness)
	got := findResult(t, rep, "hang")
	if got.Status != Fail || got.Error != "timed out after 50ms" {
		t.Fatalf("got %v %q, want fail timed out", got.Status, got.Error)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("probe took %v with a 50 ms timeout", d)
	}
}

func TestTimedOutCheckRunsAgainOnlyAfterItReturns(t *testing.T) {
	r := newTestRegistry(t, WithCacheTTL(-1))
	c := &counter{delay: 300 * time.Millisecond, ignoreCtx: true}
	mustRegister(t, r, Check{Name: "slow", Func: c.check, Timeout: 10 * time.Millisecond})
	for range 3 {
		r.Evaluate(t.Context(), Readiness)
	}
	if got := c.starts.Load(); got != 1 {
		t.Fatalf("starts while in flight = %d, want 1", got)
	}
	time.Sleep(400 * time.Millisecond)
	r.Evaluate(t.Context(), Readiness)
	if got := c.starts.Load(); got != 2 {
		t.Fatalf("starts after the run returned = %d, want 2", got)
	}
	time.Sleep(350 * time.Millisecond) // let the second sleep end
}

func TestCheckThatCallsGoexitFailsAndRunsAgain(t *testing.T) {
	r := newTestRegistry(t, WithCacheTTL(-1))
	var calls atomic.Int32
	mustRegister(t, r, Check{Name: "goexit", Func: func(context.Context) error {
		if calls.Add(1) == 1 {
			runtime.Goexit() // as t.FailNow does
		}
		return nil
	}})
	got := findResult(t, r.Evaluate(t.Context(), Readiness), "goexit")
	if got.Status != Fail || got.Error != "check exited without returning" {
		t.Fatalf("first run = %v %q, want fail: check exited without returning", got.Status, got.Error)
	}
	got = findResult(t, r.Evaluate(t.Context(), Readiness), "goexit")
	if got.Status != Pass || calls.Load() != 2 {
		t.Fatalf("second probe = %v after %d runs, want pass after 2", got.Status, calls.Load())
	}
}

func TestTimedOutOptionalCheckWarns(t *testing.T) {
	r := newTestRegistry(t)
	c := &counter{delay: time.Second}
	mustRegister(t, r, Check{Name: "slow", Func: c.check, Optional: true,
		Timeout: 20 * time.Millisecond})
	if rep := r.Evaluate(t.Context(), Readiness); rep.Status != Warn {
		t.Fatalf("status = %v, want warn", rep.Status)
	}
}

func TestCheckContextIsCancelledAtTimeout(t *testing.T) {
	r := newTestRegistry(t)
	errs := make(chan error, 1)
	mustRegister(t, r, Check{Name: "c", Timeout: 20 * time.Millisecond,
		Func: func(ctx context.Context) error {
			<-ctx.Done()
			errs <- ctx.Err()
			return ctx.Err()
		}})
	r.Evaluate(t.Context(), Readiness)
	select {
	case err := <-errs:
		if err != context.DeadlineExceeded {
			t.Fatalf("ctx.Err() = %v, want DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("check context was never cancelled")
	}
}

func TestProbeGivesUpWhenRequestIsCancelled(t *testing.T) {
	r := newTestRegistry(t)
	c := &counter{delay: 2 * time.Second}
	mustRegister(t, r, Check{Name: "slow", Func: c.check, Timeout: 5 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	got := findResult(t, r.Evaluate(ctx, Readiness), "slow")
	if got.Status != Fail || got.Error != "probe canceled" {
		t.Fatalf("got %v %q, want fail probe canceled", got.Status, got.Error)
	}
}

func TestBackgroundCheckRunsWithoutProbes(t *testing.T) {
	r := newTestRegistry(t)
	c := &counter{}
	mustRegister(t, r, Check{Name: "bg", Func: c.check, Interval: MinInterval})
	deadline := time.Now().Add(5 * time.Second)
	for c.starts.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("background check ran %d times in 5 s", c.starts.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := r.Evaluate(t.Context(), Readiness).Status; got != Pass {
		t.Fatalf("status = %v, want pass", got)
	}
}

func TestBackgroundCheckProbeDoesNotStartRuns(t *testing.T) {
	r := newTestRegistry(t)
	c := &counter{}
	mustRegister(t, r, Check{Name: "bg", Func: c.check, Interval: time.Hour})
	r.Evaluate(t.Context(), Readiness) // waits for the first result
	for range 10 {
		r.Evaluate(t.Context(), Readiness)
	}
	if got := c.starts.Load(); got != 1 {
		t.Fatalf("starts = %d, want 1 (the background run)", got)
	}
}

func TestDrainFailsReadinessOnly(t *testing.T) {
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "c", Func: passing, Probes: allProbes})
	r.Drain()
	r.Drain()
	if !r.Draining() {
		t.Fatal("Draining() = false after Drain")
	}
	tests := []struct {
		probe Probe
		want  Status
	}{{Liveness, Pass}, {Startup, Pass}, {Readiness, Fail}}
	for _, tt := range tests {
		t.Run(tt.probe.String(), func(t *testing.T) {
			rep := r.Evaluate(t.Context(), tt.probe)
			if rep.Status != tt.want {
				t.Fatalf("status = %v, want %v", rep.Status, tt.want)
			}
		})
	}
	got := findResult(t, r.Evaluate(t.Context(), Readiness), "shutdown")
	if got.Error != "draining" {
		t.Fatalf("shutdown entry error = %q, want draining", got.Error)
	}
}

func TestCloseCancelsRunningChecks(t *testing.T) {
	r := New()
	ended := make(chan struct{})
	mustRegister(t, r, Check{Name: "c", Timeout: time.Hour, Interval: time.Hour,
		Func: func(ctx context.Context) error {
			<-ctx.Done()
			close(ended)
			return ctx.Err()
		}})
	time.Sleep(10 * time.Millisecond)
	r.Close()
	r.Close()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("running check was not cancelled by Close")
	}
}

func TestProbeString(t *testing.T) {
	tests := []struct {
		p    Probe
		want string
	}{{0, "none"}, {Liveness, "liveness"}, {Readiness | Startup, "readiness+startup"}}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Probe(%d).String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
