package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/attribute"

	"github.com/vigil-go/vigil/resilience"
)

var errDown = errors.New("dependency down")

func fail(context.Context) (int, error)    { return 0, errDown }
func succeed(context.Context) (int, error) { return 1, nil }

func name(n string) attribute.KeyValue {
	return attribute.String("vigil.breaker.name", n)
}

func outcome(o string) attribute.KeyValue {
	return attribute.String("vigil.breaker.outcome", o)
}

// waitHalfOpen waits until b's open timeout has elapsed.
func waitHalfOpen(t *testing.T, b interface{ StateName() string }) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for b.StateName() != "half-open" {
		if time.Now().After(deadline) {
			t.Fatalf("breaker still %s after 5s", b.StateName())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBreakerTripsByPolicy(t *testing.T) {
	tests := []struct {
		name    string
		opt     resilience.Option
		results []error // calls made in order
		want    string
	}{
		{"consecutive failures reach threshold",
			resilience.WithConsecutiveFailures(3),
			[]error{errDown, errDown, errDown}, "open"},
		{"a success resets the consecutive count",
			resilience.WithConsecutiveFailures(3),
			[]error{errDown, errDown, nil, errDown, errDown}, "closed"},
		{"failure ratio reached with enough calls",
			resilience.WithFailureRatio(0.5, 4),
			[]error{nil, errDown, nil, errDown}, "open"},
		{"failure ratio below minimum calls",
			resilience.WithFailureRatio(0.5, 4),
			[]error{errDown, errDown, errDown}, "closed"},
		{"failure ratio not reached",
			resilience.WithFailureRatio(0.5, 4),
			[]error{nil, nil, errDown, nil, nil}, "closed"},
		{"default trips after five",
			nil, []error{errDown, errDown, errDown, errDown, errDown}, "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := resilience.NewBreaker(tt.opt)
			for _, res := range tt.results {
				_, _ = resilience.Do(context.Background(), b,
					func(context.Context) (int, error) { return 0, res })
			}
			if got := b.StateName(); got != tt.want {
				t.Errorf("state = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestBreakerRejectsWithTypedError(t *testing.T) {
	b := resilience.NewBreaker(resilience.WithName("db"),
		resilience.WithConsecutiveFailures(1))
	_, _ = resilience.Do(context.Background(), b, fail)
	ran := false
	_, err := resilience.Do(context.Background(), b,
		func(context.Context) (int, error) { ran = true; return 1, nil })
	if ran {
		t.Error("open breaker ran the call")
	}
	if !errors.Is(err, resilience.ErrOpen) {
		t.Errorf("err = %v, want ErrOpen", err)
	}
	if !errors.Is(err, gobreaker.ErrOpenState) {
		t.Errorf("err = %v, want it to wrap gobreaker.ErrOpenState", err)
	}
	var re *resilience.RejectedError
	if !errors.As(err, &re) || re.Breaker != "db" || re.State != "open" {
		t.Errorf("err = %#v, want RejectedError{db, open}", err)
	}
	wrapped := fmt.Errorf("fetch: %w", err)
	if !errors.Is(wrapped, resilience.ErrOpen) {
		t.Error("wrapped rejection does not match ErrOpen")
	}
}

func TestBreakerHalfOpenQuotaAdmitsOnlyQuota(t *testing.T) {
	tel := newTelemetry(t)
	b := resilience.NewBreaker(resilience.WithName("q"),
		resilience.WithConsecutiveFailures(1),
		resilience.WithHalfOpenQuota(3),
		resilience.WithOpenTimeout(20*time.Millisecond),
		resilience.WithMeterProvider(tel.mp))
	_, _ = resilience.Do(context.Background(), b, fail)
	waitHalfOpen(t, b)
	failuresBefore := tel.mustValue("vigil.breaker.calls", name("q"),
		outcome("failure"))

	release := make(chan struct{})
	var (
		mu       sync.Mutex
		ran      int
		rejected = make(chan error, 10)
		wg       sync.WaitGroup
	)
	for range 10 {
		wg.Go(func() {
			_, err := resilience.Do(context.Background(), b,
				func(context.Context) (int, error) {
					mu.Lock()
					ran++
					mu.Unlock()
					<-release
					return 1, nil
				})
			if err != nil {
				rejected <- err
			}
		})
	}
	for range 7 {
		select {
		case err := <-rejected:
			if !errors.Is(err, resilience.ErrOpen) ||
				!errors.Is(err, gobreaker.ErrTooManyRequests) {
				t.Errorf("rejection = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("fewer than 7 calls rejected")
		}
	}
	close(release)
	wg.Wait()
	if ran != 3 {
		t.Errorf("%d calls ran, want 3", ran)
	}
	if len(rejected) != 0 {
		t.Errorf("%d extra rejections", len(rejected))
	}
	if got := tel.mustValue("vigil.breaker.calls", name("q"),
		outcome("rejected")); got != 7 {
		t.Errorf("rejected calls = %d, want 7", got)
	}
	if got := tel.mustValue("vigil.breaker.calls", name("q"),
		outcome("failure")); got != failuresBefore {
		t.Errorf("failures = %d, want %d: rejections counted as failures",
			got, failuresBefore)
	}
	if got := b.StateName(); got != "closed" {
		t.Errorf("after 3 successful probes state = %s, want closed", got)
	}
}

func TestBreakerIgnoresCallerCancellation(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(),
		time.Now().Add(-time.Second))
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
	}{
		{"plain canceled", cancelled, context.Canceled},
		{"wrapped canceled", cancelled,
			fmt.Errorf("query: %w", context.Canceled)},
		{"plain deadline", expired, context.DeadlineExceeded},
		{"wrapped deadline", expired,
			fmt.Errorf("rpc: %w", context.DeadlineExceeded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			b := resilience.NewBreaker(resilience.WithName("c"),
				resilience.WithConsecutiveFailures(2),
				resilience.WithMeterProvider(tel.mp))
			for range 5 {
				_, err := resilience.Do(tt.ctx, b,
					func(context.Context) (int, error) { return 0, tt.err })
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want the call's own error", err)
				}
			}
			if got := b.StateName(); got != "closed" {
				t.Errorf("state = %s, want closed", got)
			}
			if got := tel.mustValue("vigil.breaker.calls", name("c"),
				outcome("excluded")); got != 5 {
				t.Errorf("excluded = %d, want 5", got)
			}
		})
	}
}

func TestBreakerCountsDeadlineInsideLiveCallerAsFailure(t *testing.T) {
	b := resilience.NewBreaker(resilience.WithConsecutiveFailures(2))
	for range 2 {
		_, _ = resilience.Do(context.Background(), b,
			func(context.Context) (int, error) {
				return 0, fmt.Errorf("dial: %w", context.DeadlineExceeded)
			})
	}
	if got := b.StateName(); got != "open" {
		t.Errorf("state = %s, want open: a timeout the caller did not "+
			"ask for is the dependency's failure", got)
	}
}

func TestBreakerCancelledHalfOpenProbeFreesSlot(t *testing.T) {
	b := resilience.NewBreaker(resilience.WithConsecutiveFailures(1),
		resilience.WithOpenTimeout(20*time.Millisecond))
	_, _ = resilience.Do(context.Background(), b, fail)
	waitHalfOpen(t, b)

	ctx, cancel := context.WithCancel(context.Background())
	_, err := resilience.Do(ctx, b, func(ctx context.Context) (int, error) {
		cancel()
		return 0, fmt.Errorf("probe: %w", ctx.Err())
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("probe err = %v", err)
	}
	if got := b.StateName(); got != "half-open" {
		t.Fatalf("after cancelled probe state = %s, want half-open", got)
	}
	_, err = resilience.Do(context.Background(), b, succeed)
	if err != nil {
		t.Fatalf("next probe rejected: %v; the cancelled probe kept its slot",
			err)
	}
	if got := b.StateName(); got != "closed" {
		t.Errorf("state = %s, want closed", got)
	}
}

func TestBreakerReportsTripCountsInLogAndSpanEvent(t *testing.T) {
	tel := newTelemetry(t)
	b := resilience.NewBreaker(resilience.WithName("pricing"),
		resilience.WithConsecutiveFailures(3),
		resilience.WithLogger(tel.logger),
		resilience.WithMeterProvider(tel.mp))
	_, _ = resilience.Do(context.Background(), b, succeed)
	ctx, span := tel.span("checkout")
	for range 3 {
		_, _ = resilience.Do(ctx, b, fail)
	}
	span.End()

	lines := tel.logLines("breaker state changed")
	if len(lines) != 1 {
		t.Fatalf("got %d state-change log lines, want 1: %s", len(lines),
			tel.logs.String())
	}
	line := lines[0]
	counts, _ := line["counts"].(map[string]any)
	if line["level"] != "WARN" || line["from"] != "closed" ||
		line["to"] != "open" || counts["failures"] != 3.0 ||
		counts["consecutive_failures"] != 3.0 || counts["successes"] != 1.0 {
		t.Errorf("log line = %v", line)
	}

	events := tel.events("vigil.breaker.state_change")
	if len(events) != 1 {
		t.Fatalf("got %d state-change events, want 1", len(events))
	}
	for key, want := range map[string]int64{
		"vigil.breaker.failures":             3,
		"vigil.breaker.consecutive_failures": 3,
		"vigil.breaker.requests":             4,
	} {
		v, ok := attrOf(events[0].Attributes, key)
		if !ok || v.AsInt64() != want {
			t.Errorf("event %s = %v, want %d", key, v.String(), want)
		}
	}
	if got := tel.mustValue("vigil.breaker.transitions", name("pricing"),
		attribute.String("vigil.breaker.from", "closed"),
		attribute.String("vigil.breaker.to", "open")); got != 1 {
		t.Errorf("closed->open transitions = %d, want 1", got)
	}
}

func TestBreakerMarksSpanOfRejectedCall(t *testing.T) {
	tel := newTelemetry(t)
	b := resilience.NewBreaker(resilience.WithName("r"),
		resilience.WithConsecutiveFailures(1))
	_, _ = resilience.Do(context.Background(), b, fail)
	ctx, span := tel.span("call")
	_, _ = resilience.Do(ctx, b, succeed)
	span.End()
	events := tel.events("vigil.breaker.rejected")
	if len(events) != 1 {
		t.Fatalf("got %d rejected events, want 1", len(events))
	}
	if v, _ := attrOf(events[0].Attributes, "vigil.breaker.state"); v.AsString() != "open" {
		t.Errorf("event state = %q, want open", v.AsString())
	}
}

func TestBreakerReportsStateFromCreation(t *testing.T) {
	tel := newTelemetry(t)
	_ = resilience.NewBreaker(resilience.WithName("fresh"),
		resilience.WithMeterProvider(tel.mp))
	if got := tel.mustValue("vigil.breaker.state", name("fresh")); got != 0 {
		t.Errorf("state gauge = %d, want 0 (closed)", got)
	}
	for _, o := range []string{"success", "failure", "rejected", "excluded"} {
		if got := tel.mustValue("vigil.breaker.calls", name("fresh"),
			outcome(o)); got != 0 {
			t.Errorf("%s calls = %d, want 0", o, got)
		}
	}
}

func TestBreakerStateGaugeFollowsTransitions(t *testing.T) {
	tel := newTelemetry(t)
	b := resilience.NewBreaker(resilience.WithName("g"),
		resilience.WithConsecutiveFailures(1),
		resilience.WithOpenTimeout(300*time.Millisecond),
		resilience.WithMeterProvider(tel.mp))
	_, _ = resilience.Do(context.Background(), b, fail)
	if got := tel.mustValue("vigil.breaker.state", name("g")); got != 2 {
		t.Errorf("open gauge = %d, want 2", got)
	}
	waitHalfOpen(t, b)
	if got := tel.mustValue("vigil.breaker.state", name("g")); got != 1 {
		t.Errorf("half-open gauge = %d, want 1", got)
	}
	_, _ = resilience.Do(context.Background(), b, succeed)
	if got := tel.mustValue("vigil.breaker.state", name("g")); got != 0 {
		t.Errorf("closed gauge = %d, want 0", got)
	}
	if got := tel.mustValue("vigil.breaker.transitions", name("g"),
		attribute.String("vigil.breaker.from", "half-open"),
		attribute.String("vigil.breaker.to", "closed")); got != 1 {
		t.Errorf("half-open->closed = %d, want 1", got)
	}
}

func TestBreakerCountsPanicAsFailureAndRepanics(t *testing.T) {
	tel := newTelemetry(t)
	b := resilience.NewBreaker(resilience.WithName("p"),
		resilience.WithConsecutiveFailures(1),
		resilience.WithMeterProvider(tel.mp))
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		_, _ = resilience.Do(context.Background(), b,
			func(context.Context) (int, error) { panic("boom") })
	}()
	if got := b.StateName(); got != "open" {
		t.Errorf("state = %s, want open", got)
	}
	if got := tel.mustValue("vigil.breaker.calls", name("p"),
		outcome("failure")); got != 1 {
		t.Errorf("failures = %d, want 1", got)
	}
}

func TestBreakerCustomClassifier(t *testing.T) {
	notFound := errors.New("not found")
	b := resilience.NewBreaker(resilience.WithConsecutiveFailures(1),
		resilience.WithClassifier(func(ctx context.Context, err error) resilience.Outcome {
			if errors.Is(err, notFound) {
				return resilience.OutcomeSuccess
			}
			return resilience.DefaultClassifier(ctx, err)
		}))
	_, err := resilience.Do(context.Background(), b,
		func(context.Context) (int, error) { return 0, notFound })
	if !errors.Is(err, notFound) {
		t.Errorf("err = %v, want the call's error", err)
	}
	if got := b.StateName(); got != "closed" {
		t.Errorf("state = %s, want closed", got)
	}
}

func TestBreakerNameAndStateNameContract(t *testing.T) {
	var check interface {
		Name() string
		StateName() string
	} = resilience.NewBreaker(resilience.WithName("inventory"))
	if check.Name() != "inventory" || check.StateName() != "closed" {
		t.Errorf("Name, StateName = %q, %q", check.Name(), check.StateName())
	}
	if got := resilience.NewBreaker().Name(); got != "default" {
		t.Errorf("default name = %q", got)
	}
}

func TestBreakerCountIntervalClearsClosedCounts(t *testing.T) {
	b := resilience.NewBreaker(resilience.WithConsecutiveFailures(2),
		resilience.WithCountInterval(300*time.Millisecond))
	_ = b.Execute(context.Background(), func(context.Context) error { return errDown })
	time.Sleep(600 * time.Millisecond) // the interval ends, counts clear
	_ = b.Execute(context.Background(), func(context.Context) error { return errDown })
	if got := b.StateName(); got != "closed" {
		t.Errorf("state = %s, want closed: failures in different intervals", got)
	}
	_ = b.Execute(context.Background(), func(context.Context) error { return errDown })
	if got := b.StateName(); got != "open" {
		t.Errorf("state = %s, want open: two failures in one interval", got)
	}
}
