package health

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// check is a registered Check with its cached result and the run in
// flight. Its mutex guards last and inflight; everything else is fixed at
// registration.
type check struct {
	Check
	reg       *Registry
	ttl       time.Duration
	timedOut  string
	telemetry checkTelemetry

	mu       sync.Mutex
	last     Result
	inflight *run
}

// run is one execution of a check. settled is closed once its result is
// known: when Func returns or when the timeout passes, whichever is first.
type run struct {
	settled chan struct{}
	done    bool // settled is closed; guarded by check.mu
}

func newCheck(reg *Registry, c Check) *check {
	if c.Probes == 0 {
		c.Probes = Readiness
	}
	if c.Timeout <= 0 {
		c.Timeout = reg.cfg.timeout
	}
	ttl := c.TTL
	if ttl == 0 {
		ttl = reg.cfg.ttl
	}
	return &check{
		Check:     c,
		reg:       reg,
		ttl:       ttl,
		timedOut:  fmt.Sprintf("timed out after %v", c.Timeout),
		telemetry: reg.telemetry.forCheck(c.Name),
		last:      Result{Name: c.Name, Optional: c.Optional, Probes: c.Probes},
	}
}

// lookup returns the result a probe should report now or, when it must
// wait, the previous result and a channel that is closed once the run it
// waits for has settled.
// It starts a run only when none is in flight, so a hanging check is never
// started twice.
func (c *check) lookup(now time.Time) (Result, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh(now) {
		return c.last, nil
	}
	if r := c.inflight; r != nil {
		if r.done { // timed out and still running
			return c.last, nil
		}
		return c.last, r.settled
	}
	return c.last, c.startLocked().settled
}

// latest returns the last settled result.
func (c *check) latest() Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// trigger starts a run unless one is in flight; used by background checks.
func (c *check) trigger() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight == nil {
		c.startLocked()
	}
}

func (c *check) fresh(now time.Time) bool {
	switch {
	case c.last.CheckedAt.IsZero():
		return false
	case c.Interval > 0:
		return true
	default:
		return c.ttl > 0 && now.Sub(c.last.CheckedAt) < c.ttl
	}
}

func (c *check) startLocked() *run {
	r := &run{settled: make(chan struct{})}
	c.inflight = r
	go c.execute(r)
	return r
}

// execute runs Func once. A timer settles the run at its timeout so that
// waiting probes answer on time even when Func ignores its context.
func (c *check) execute(r *run) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(c.reg.base, c.Timeout)
	defer cancel()
	timer := time.AfterFunc(c.Timeout, func() {
		c.settle(r, start, errTimeout, false)
	})
	// recover in call does not see runtime.Goexit (t.FailNow, a helper that
	// ends its goroutine), which still runs deferred calls: settle the run
	// here or inflight stays set and the check never runs again.
	returned := false
	defer func() {
		if !returned {
			timer.Stop()
			c.settle(r, start, errGoexit, true)
		}
	}()

	err := c.call(ctx)
	returned = true
	timer.Stop()
	if err != nil && time.Since(start) >= c.Timeout {
		err = errTimeout
	}
	c.settle(r, start, err, true)
}

var (
	errTimeout = errors.New("timeout")
	errGoexit  = errors.New("check exited without returning")
)

func (c *check) call(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return c.Func(ctx)
}

// settle records the outcome of r unless it already settled; final marks
// the end of Func, after which another run may start.
func (c *check) settle(r *run, start time.Time, err error, final bool) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if final {
		c.inflight = nil
	}
	if r.done {
		return
	}
	r.done = true
	defer close(r.settled)

	prev := c.last
	c.last = c.resultOf(err, now, now.Sub(start))
	c.reg.observe(c, prev, c.last)
}

func (c *check) resultOf(err error, now time.Time, d time.Duration) Result {
	res := c.last
	res.Status, res.Error = Pass, ""
	res.Duration, res.CheckedAt = d, now
	switch err {
	case nil:
		res.LastSuccess = now
		return res
	case errTimeout:
		res.Error, res.Duration = c.timedOut, c.Timeout
	default:
		res.Error = scrub(err.Error())
	}
	res.Status = Fail
	if c.Optional || errors.Is(err, ErrDegraded) {
		res.Status = Warn
	}
	return res
}
