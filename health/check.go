package health

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrDegraded marks a check error as a warning: a check whose error wraps
// ErrDegraded reports [Warn] and keeps its probes passing, even when the
// check is not [Check.Optional].
var ErrDegraded = errors.New("health: degraded")

// CheckFunc is the work of one check: it returns nil when the dependency is
// healthy and an error saying what is wrong otherwise. It must honour ctx,
// which is cancelled at the check's timeout; one that does not is still
// reported as timed out at its deadline. Any func(context.Context) error is a
// CheckFunc, so it is also the generic checker. A nil CheckFunc cannot be
// registered.
type CheckFunc func(ctx context.Context) error

// Probe is a set of Kubernetes-style probes a check belongs to. The zero
// value means [Readiness] when used in a [Check].
type Probe uint8

// The three probes. Combine them with |.
const (
	// Liveness answers "should this process be restarted?". Only checks of
	// the process itself belong here, never remote dependencies.
	Liveness Probe = 1 << iota
	// Readiness answers "should this process get traffic?".
	Readiness
	// Startup answers "has this process finished starting?".
	Startup

	allProbes = Liveness | Readiness | Startup
)

// String returns the probe names joined by "+", e.g. "liveness+readiness".
func (p Probe) String() string {
	names := p.names()
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// names returns the names of the probes in p; never nil.
func (p Probe) names() []string {
	out := []string{}
	for _, n := range probeNames {
		if p&n.probe != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

var probeNames = []struct {
	probe Probe
	name  string
}{{Liveness, "liveness"}, {Readiness, "readiness"}, {Startup, "startup"}}

// Check describes one health check. Only Name and Func are required; every
// zero field has a documented default. A Check is copied by
// [Registry.Register] and not retained.
type Check struct {
	// Name identifies the check in probe output, the ?exclude= parameter,
	// metrics and logs. It must be 1 to 63 characters from [A-Za-z0-9_.:-]
	// and not "shutdown", which names the entry readiness shows while
	// draining.
	Name string

	// Func does the work. Required.
	Func CheckFunc

	// Probes the check belongs to. Zero means Readiness.
	Probes Probe

	// Optional checks report [Warn] instead of [Fail] when they fail, so
	// they never fail a probe. Zero (false) means the check is critical.
	Optional bool

	// Timeout bounds one run. Zero means the registry's default (see
	// [WithTimeout]). The run's context is cancelled at the timeout and
	// the check reports a timeout at that moment even if Func keeps going.
	Timeout time.Duration

	// TTL is how long a result is reused by later probes. Zero means the
	// registry's default (see [WithCacheTTL]); negative means every probe
	// needs a fresh result. A run in flight is always shared.
	TTL time.Duration

	// Interval, when positive, runs the check in the background at that
	// period; probes then read its last result and never wait, except for
	// the very first result. Zero means the check runs on demand. A
	// positive Interval below [MinInterval] (100 ms) is rejected.
	Interval time.Duration
}

// drainName names the entry readiness reports while draining (see
// [Registry.Drain]); a check of that name would be indistinguishable from
// it in output and in ?exclude=.
const drainName = "shutdown"

func (c *Check) validate() error {
	if c.Func == nil {
		return fmt.Errorf("health: check %q has no Func", c.Name)
	}
	if !validName(c.Name) {
		return fmt.Errorf("health: invalid check name %q: want 1-63 of [A-Za-z0-9_.:-]", c.Name)
	}
	if c.Name == drainName {
		return fmt.Errorf("health: check name %q is reserved for the drain entry", c.Name)
	}
	if c.Interval > 0 && c.Interval < MinInterval {
		return fmt.Errorf("health: check %q has Interval %v, below the minimum %v", c.Name, c.Interval, MinInterval)
	}
	if c.Probes&^allProbes != 0 {
		return fmt.Errorf("health: check %q has unknown probes %#x", c.Name, uint8(c.Probes))
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := range len(s) {
		b := s[i]
		ok := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' ||
			b >= '0' && b <= '9' || b == '_' || b == '.' || b == ':' || b == '-'
		if !ok {
			return false
		}
	}
	return true
}
