package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by [Registry.Register] after [Registry.Close].
var ErrClosed = errors.New("health: registry closed")

// Registry holds the checks of one process and answers probes from them.
// Create it with [New]; the zero value is not usable. All methods are safe
// for concurrent use, and checks may be registered while probes are served.
type Registry struct {
	cfg       config
	telemetry telemetry
	base      context.Context
	cancel    context.CancelFunc
	draining  atomic.Bool
	checks    atomic.Pointer[[]*check]

	mu     sync.Mutex // serialises Register and Close
	closed bool
	bg     sync.WaitGroup
}

// New returns an empty registry. It starts no goroutine until a background
// check is registered; call [Registry.Close] to stop those.
func New(opts ...Option) *Registry {
	cfg := newConfig(opts)
	base, cancel := context.WithCancel(context.Background())
	r := &Registry{cfg: cfg, base: base, cancel: cancel}
	r.telemetry = newTelemetry(cfg)
	r.checks.Store(new([]*check))
	return r
}

// Register adds a check. It fails when the check is invalid (see [Check]),
// its name is taken, or the registry is closed. A check with a positive
// [Check.Interval] starts running in the background at once.
func (r *Registry) Register(c Check) error {
	if err := c.validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	old := *r.checks.Load()
	if slices.ContainsFunc(old, func(x *check) bool { return x.Name == c.Name }) {
		return fmt.Errorf("health: check %q already registered", c.Name)
	}
	ch := newCheck(r, c)
	next := append(slices.Clip(old), ch)
	r.checks.Store(&next)
	if ch.Interval > 0 {
		// The first run starts here, not in the loop, so that a probe
		// arriving before the loop's goroutine is scheduled waits for it
		// instead of starting a second run of its own.
		ch.trigger()
		r.bg.Add(1)
		go r.loop(ch)
	}
	return nil
}

func (r *Registry) loop(c *check) {
	defer r.bg.Done()
	t := time.NewTicker(c.Interval)
	defer t.Stop()
	for {
		select {
		case <-r.base.Done():
			return
		case <-t.C:
		}
		c.trigger()
	}
}

// Drain makes the readiness probe fail from now on, with a "shutdown"
// entry, so that load balancers stop sending traffic before the server
// stops; liveness and startup are unaffected. Call it on SIGTERM, then wait
// for a few probe periods before shutting the server down. Draining cannot
// be undone; calling Drain again does nothing.
func (r *Registry) Drain() {
	if r.draining.CompareAndSwap(false, true) {
		r.telemetry.logDrain()
	}
}

// Draining reports whether [Registry.Drain] has been called.
func (r *Registry) Draining() bool { return r.draining.Load() }

// Close stops background checks and cancels the context of every run in
// flight. It waits for the background loops but not for check functions,
// which end when they honour their context. Probes after Close still
// answer, but every new run starts with a cancelled context. Close is
// idempotent.
func (r *Registry) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.bg.Wait()
}

// Evaluate runs or reads the checks of probe p, skipping those named in
// exclude, and returns the report. It waits at most for the longest timeout
// among the checks that need a fresh run, or until ctx is done. A check
// that belongs to several of the probes in p is evaluated once.
func (r *Registry) Evaluate(ctx context.Context, p Probe, exclude ...string) Report {
	checks := *r.checks.Load()
	rep := Report{Checks: make([]Result, 0, len(checks)+1)}
	var waitBuf [8]pending
	waiting := waitBuf[:0]
	now := time.Now()

	for _, c := range checks {
		if c.Probes&p == 0 {
			continue
		}
		if slices.Contains(exclude, c.Name) {
			rep.Checks = append(rep.Checks, Result{Name: c.Name,
				Optional: c.Optional, Probes: c.Probes, Excluded: true})
			continue
		}
		res, wait := c.lookup(now)
		if wait != nil {
			waiting = append(waiting, pending{len(rep.Checks), c, wait})
		}
		rep.Checks = append(rep.Checks, res)
	}

	// The runs are already going in parallel; waiting for them one after
	// the other costs no more than waiting for the slowest.
	for _, w := range waiting {
		select {
		case <-w.settled:
			rep.Checks[w.index] = w.check.latest()
		case <-ctx.Done():
			res := &rep.Checks[w.index]
			res.Status, res.Error = Fail, "probe canceled"
		}
	}

	if p&Readiness != 0 && r.draining.Load() {
		rep.Checks = append(rep.Checks, Result{Name: drainName,
			Status: Fail, Error: "draining", Probes: Readiness})
	}
	rep.Status = Pass
	for _, res := range rep.Checks {
		if !res.Excluded {
			rep.Status = worse(rep.Status, res.Status)
		}
	}
	rep.Unmatched = unmatched(exclude, rep.Checks)
	return rep
}

// pending is a check whose run a probe waits for.
type pending struct {
	index   int
	check   *check
	settled <-chan struct{}
}

// unmatched returns the names in exclude that name no check in checks.
func unmatched(exclude []string, checks []Result) []string {
	var out []string
	for _, name := range exclude {
		found := slices.ContainsFunc(checks, func(r Result) bool {
			return r.Excluded && r.Name == name
		})
		if !found && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
