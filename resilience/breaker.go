package resilience

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// ErrOpen matches, with errors.Is, every call a breaker rejected without
// running it: while open, or while half-open with its probe quota in use.
var ErrOpen = errors.New("resilience: circuit breaker open")

// RejectedError is the error a [Breaker] returns for a call it did not
// run. It matches [ErrOpen] and unwraps to gobreaker's ErrOpenState or
// ErrTooManyRequests. Breakers return shared values: do not modify them.
type RejectedError struct {
	// Breaker is the breaker's name.
	Breaker string
	// State is "open" or "half-open".
	State string

	cause error
}

// Error describes the rejection.
func (e *RejectedError) Error() string {
	return "resilience: breaker " + e.Breaker + " is " + e.State +
		", call rejected"
}

// Is reports whether target is [ErrOpen].
func (e *RejectedError) Is(target error) bool { return target == ErrOpen }

// Unwrap returns gobreaker's sentinel for the rejection.
func (e *RejectedError) Unwrap() error { return e.cause }

// The errors handed to gobreaker stand for the outcome our classifier
// chose, so gobreaker never sees (or keeps) the caller's error.
var (
	errFailure  = errors.New("resilience: failure")
	errExcluded = errors.New("resilience: excluded")
)

var outcomeErrs = [...]error{
	OutcomeSuccess:  nil,
	OutcomeFailure:  errFailure,
	OutcomeExcluded: errExcluded,
}

// Breaker is a circuit breaker over gobreaker v2 that reports what it
// does: a state gauge from creation, calls by outcome, transitions, one
// warn log per state change with the counts that caused it, and span
// events on the caller's span. Run calls through it with
// [Breaker.Execute], or with [Do] for calls that return a value. Create
// one with [NewBreaker]; the zero value is not usable. A Breaker is safe
// for concurrent use.
type Breaker struct {
	cb       *gobreaker.CircuitBreaker[struct{}]
	name     string
	classify Classifier
	logger   *slog.Logger
	tel      *breakerTelemetry

	rejectOpen, rejectHalfOpen *RejectedError

	calls [4]atomic.Int64 // by Outcome

	// Set by gobreaker callbacks, which run under its mutex.
	tripCounts gobreaker.Counts

	mu         sync.Mutex
	pending    []transition
	hasPending atomic.Bool
}

// transition is a state change waiting to be reported outside gobreaker's
// lock, with the context of a call.
type transition struct {
	from, to gobreaker.State
	counts   gobreaker.Counts
	reason   string
}

// NewBreaker returns a closed breaker configured by opts: [WithName],
// [WithConsecutiveFailures] or [WithFailureRatio], [WithOpenTimeout],
// [WithHalfOpenQuota], [WithCountInterval], [WithClassifier],
// [WithMeterProvider] and [WithLogger]. Its state is reported from now on.
func NewBreaker(opts ...Option) *Breaker {
	c := newConfig(opts)
	if c.name == "" {
		c.name = "default"
	}
	return newBreaker(&c)
}

func newBreaker(c *config) *Breaker {
	b := &Breaker{
		name:     c.name,
		classify: c.classify,
		logger:   c.logger,
	}
	b.rejectOpen = &RejectedError{b.name, "open", gobreaker.ErrOpenState}
	b.rejectHalfOpen = &RejectedError{
		b.name, "half-open", gobreaker.ErrTooManyRequests,
	}
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:          c.name,
		MaxRequests:   c.halfOpenQuota,
		Interval:      c.countInterval,
		Timeout:       c.openTimeout,
		ReadyToTrip:   b.tripper(c.consecutive, c.ratio, c.minRequests),
		OnStateChange: b.onStateChange,
		IsSuccessful:  func(err error) bool { return err == nil },
		IsExcluded:    func(err error) bool { return err == errExcluded },
	})
	b.tel = newBreakerTelemetry(c, b.name, b.observe)
	return b
}

// tripper returns gobreaker's ReadyToTrip for the configured policy. It
// keeps the counts that tripped the breaker, since gobreaker clears them
// on every transition.
func (b *Breaker) tripper(
	consecutive uint32, ratio float64, minRequests uint32,
) func(gobreaker.Counts) bool {
	return func(c gobreaker.Counts) bool {
		trip := false
		if consecutive > 0 {
			trip = c.ConsecutiveFailures >= consecutive
		} else if n := c.TotalSuccesses + c.TotalFailures; n >= minRequests {
			trip = float64(c.TotalFailures) >= ratio*float64(n)
		}
		if trip {
			b.tripCounts = c
		}
		return trip
	}
}

// onStateChange queues the transition; it runs under gobreaker's lock,
// so reporting waits for the next call, health check or collection.
func (b *Breaker) onStateChange(_ string, from, to gobreaker.State) {
	t := transition{from: from, to: to}
	switch {
	case from == gobreaker.StateClosed:
		t.counts, t.reason = b.tripCounts, "failure threshold reached"
	case to == gobreaker.StateHalfOpen:
		t.reason = "open timeout elapsed"
	case to == gobreaker.StateOpen:
		t.reason = "half-open probe failed"
	default:
		t.reason = "half-open probes succeeded"
	}
	b.mu.Lock()
	b.pending = append(b.pending, t)
	b.hasPending.Store(true)
	b.mu.Unlock()
}

// Name returns the breaker's name. It is safe for concurrent use.
func (b *Breaker) Name() string { return b.name }

// State returns the breaker's current state, moving an open breaker whose
// timeout has elapsed to half-open. It is safe for concurrent use.
func (b *Breaker) State() gobreaker.State {
	s := b.cb.State()
	b.flush(context.Background())
	return s
}

// StateName returns the current state as "closed", "half-open" or "open",
// the contract of vigil's health check. It is safe for concurrent use.
func (b *Breaker) StateName() string { return b.State().String() }

// Execute runs fn with ctx if the breaker admits the call and returns its
// error unchanged. A rejected call returns a *[RejectedError] matching
// [ErrOpen]; fn does not run. The finished call counts as the breaker's
// [Classifier] decides. A panic in fn counts as a failure and is
// re-raised. Execute is safe for concurrent use.
func (b *Breaker) Execute(ctx context.Context, fn func(context.Context) error) error {
	var (
		err      error
		ran      bool
		finished bool
		outcome  = OutcomeRejected
	)
	defer func() {
		if ran && !finished { // fn panicked
			b.calls[OutcomeFailure].Add(1)
		}
	}()
	_, gerr := b.cb.Execute(func() (struct{}, error) {
		ran = true
		err = fn(ctx)
		if outcome = b.classify(ctx, err); outcome > OutcomeExcluded {
			outcome = OutcomeFailure
		}
		return struct{}{}, outcomeErrs[outcome]
	})
	finished = true
	if !ran {
		err = b.reject(ctx, gerr)
	}
	b.calls[outcome].Add(1)
	if b.hasPending.Load() {
		b.flush(ctx)
	}
	return err
}

// Do runs fn through b like [Breaker.Execute] and returns fn's result
// unchanged; a rejected call returns the zero T and a *[RejectedError].
// It is safe for concurrent use.
func Do[T any](
	ctx context.Context, b *Breaker, fn func(context.Context) (T, error),
) (T, error) {
	var res T
	err := b.Execute(ctx, func(ctx context.Context) error {
		var err error
		res, err = fn(ctx)
		return err
	})
	return res, err
}

// reject maps gobreaker's rejection to a RejectedError and marks the
// caller's span.
func (b *Breaker) reject(ctx context.Context, gerr error) error {
	r := b.rejectOpen
	if errors.Is(gerr, gobreaker.ErrTooManyRequests) {
		r = b.rejectHalfOpen
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("vigil.breaker.rejected", trace.WithAttributes(
			attribute.String(attrName, b.name),
			attribute.String(attrState, r.State),
		))
	}
	return r
}

// flush reports queued transitions with ctx: counter, log and span event.
func (b *Breaker) flush(ctx context.Context) {
	if !b.hasPending.Load() {
		return
	}
	b.mu.Lock()
	ts := b.pending
	b.pending = nil
	b.hasPending.Store(false)
	b.mu.Unlock()
	for _, t := range ts {
		b.report(ctx, t)
	}
}

// report records one transition: counter, span event and warn log. The
// counts go with trips only; other transitions have none to show, as
// gobreaker clears them on every change.
func (b *Breaker) report(ctx context.Context, t transition) {
	b.tel.transition(ctx, t.from, t.to)
	tripped := t.from == gobreaker.StateClosed
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := []attribute.KeyValue{
			attribute.String(attrName, b.name),
			attribute.String(attrFrom, t.from.String()),
			attribute.String(attrTo, t.to.String()),
			attribute.String("vigil.breaker.reason", t.reason),
		}
		if tripped {
			c := t.counts
			attrs = append(attrs,
				attribute.Int64("vigil.breaker.requests", int64(c.Requests)),
				attribute.Int64("vigil.breaker.successes", int64(c.TotalSuccesses)),
				attribute.Int64("vigil.breaker.failures", int64(c.TotalFailures)),
				attribute.Int64("vigil.breaker.exclusions", int64(c.TotalExclusions)),
				attribute.Int64("vigil.breaker.consecutive_failures",
					int64(c.ConsecutiveFailures)))
		}
		span.AddEvent("vigil.breaker.state_change", trace.WithAttributes(attrs...))
	}
	if b.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("breaker", b.name),
		slog.String("from", t.from.String()),
		slog.String("to", t.to.String()),
		slog.String("reason", t.reason),
	}
	if tripped {
		c := t.counts
		attrs = append(attrs, slog.Group("counts",
			slog.Uint64("requests", uint64(c.Requests)),
			slog.Uint64("successes", uint64(c.TotalSuccesses)),
			slog.Uint64("failures", uint64(c.TotalFailures)),
			slog.Uint64("exclusions", uint64(c.TotalExclusions)),
			slog.Uint64("consecutive_failures", uint64(c.ConsecutiveFailures))))
	}
	b.logger.LogAttrs(ctx, slog.LevelWarn, "resilience: breaker state changed",
		attrs...)
}

// observe reports the state and call counts to a metric callback.
func (b *Breaker) observe(report func(state int64, calls *[4]int64)) {
	var calls [4]int64
	for i := range calls {
		calls[i] = b.calls[i].Load()
	}
	report(int64(b.State()), &calls)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}

// sleep waits d or until ctx is done, reporting whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
