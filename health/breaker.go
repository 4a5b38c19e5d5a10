package health

import (
	"context"
	"fmt"
)

// BreakerState is what a breaker check needs from a circuit breaker. The
// breakers of vigil's resilience package implement it; health does not
// import that package, so either can be used without the other.
type BreakerState interface {
	// Name identifies the breaker.
	Name() string
	// StateName is "closed", "half-open" or "open".
	StateName() string
}

// Breaker returns a check that reports a circuit breaker's state: closed
// passes, half-open warns (the error wraps [ErrDegraded]), and open fails,
// which fails the probe unless the check is [Check.Optional]. Register it on
// Readiness for a critical dependency. A nil b gives a check that always
// fails.
func Breaker(b BreakerState) CheckFunc {
	return func(context.Context) error {
		if b == nil {
			return fmt.Errorf("health: nil breaker")
		}
		switch s := b.StateName(); s {
		case "closed":
			return nil
		case "half-open":
			return fmt.Errorf("health: breaker %q half-open: %w", b.Name(), ErrDegraded)
		case "open":
			return fmt.Errorf("health: breaker %q open", b.Name())
		default:
			return fmt.Errorf("health: breaker %q in unknown state %q", b.Name(), s)
		}
	}
}
