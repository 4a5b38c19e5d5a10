package health

import "time"

// Status is the outcome of a check or a probe, ordered from best to worst.
// The zero value is [Unknown]: no result yet.
type Status uint8

// Statuses, in the words of the health+json draft.
const (
	// Unknown means no run has finished yet. A probe treats it as failing.
	Unknown Status = iota
	// Pass means healthy.
	Pass
	// Warn means degraded: an optional check failed or a check returned
	// an error wrapping [ErrDegraded]. The probe still passes.
	Warn
	// Fail means unhealthy: the probe fails.
	Fail
)

var statusNames = [...]string{"unknown", "pass", "warn", "fail"}

// String returns "unknown", "pass", "warn" or "fail".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "invalid"
}

// MarshalText encodes s as its [Status.String] form.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// failing reports whether s fails a probe.
func (s Status) failing() bool { return s == Unknown || s == Fail }

// worse returns the worse of two probe-level statuses; Unknown counts as
// Fail.
func worse(a, b Status) Status {
	if b == Unknown {
		b = Fail
	}
	return max(a, b)
}

// Result is the latest known outcome of one check. The zero value is a
// check that has not finished a run.
type Result struct {
	// Name of the check.
	Name string
	// Status of the last finished run, or of the one that timed out.
	Status Status
	// Error is a short, scrubbed description of the failure; empty on Pass.
	Error string
	// Duration of the last run (the timeout when it timed out).
	Duration time.Duration
	// CheckedAt is when the last run finished or timed out.
	CheckedAt time.Time
	// LastSuccess is when the check last passed; zero if never.
	LastSuccess time.Time
	// Optional mirrors [Check.Optional].
	Optional bool
	// Probes the check belongs to.
	Probes Probe
	// Excluded is true when the probe was asked to skip this check; its
	// status then does not count.
	Excluded bool
}

// Report is the outcome of one probe evaluation. The zero value reports
// Unknown with no checks.
type Report struct {
	// Status is the worst status of the checks that count: Pass, Warn or
	// Fail.
	Status Status
	// Checks in registration order, followed by a "shutdown" entry while
	// the registry drains (readiness only).
	Checks []Result
	// Unmatched lists names given to exclude that match no check.
	Unmatched []string
}
