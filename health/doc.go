// Package health serves liveness, readiness and startup probes in the
// Kubernetes style (/livez, /readyz, /startupz) and a JSON health report
// (/healthz, application/health+json) from checks that are bounded in
// time, shared between concurrent probes and cached.
//
// # Quick start
//
//	reg := health.New(health.WithLogger(logger))
//	defer reg.Close()
//	_ = reg.Register(health.Check{Name: "db", Func: health.SQL(db)})
//	_ = reg.Register(health.Check{Name: "goroutines",
//		Func: health.Goroutines(10_000), Probes: health.Liveness,
//		Optional: true})
//	for _, p := range health.Paths() {
//		adminMux.Handle(p, reg.Handler())
//	}
//
// On SIGTERM call [Registry.Drain]: readiness fails so load balancers stop
// sending traffic, liveness keeps passing so nothing restarts the process.
//
// # Checks
//
// A [Check] names a [CheckFunc], the probes it belongs to (readiness by
// default) and whether it is optional: an optional check that fails
// reports warn and keeps its probes passing. Liveness should hold only
// checks of the process itself (deadlock, leak alarms), never a database:
// a slow database must not restart every replica at once.
//
// Built-in checkers: [SQL] pings a *sql.DB, [HTTPGet] expects a status,
// [TCP] dials an address, [Breaker] reports a circuit breaker's state
// through the [BreakerState] interface, [Goroutines] and [Heap] are leak
// alarms. Any func(context.Context) error is a CheckFunc. An error that
// wraps [ErrDegraded] reports warn.
//
// # Time bounds and pile-ups
//
// Each run gets a context with the check's timeout ([DefaultTimeout],
// 800 ms, unless set). When the timeout passes the run is reported as
// timed out at once, even if the function ignores its context; the
// function is never started again while it is still running, so a hanging
// dependency costs one goroutine, not one per probe. Concurrent probes share
// the run in flight, and a finished result is reused for the check's TTL
// ([DefaultCacheTTL], 1 s). A check with an Interval runs in the
// background instead and probes only read its last result.
//
// # Endpoints
//
// The probe endpoints answer 200 "ok" or 503 "failed". ?verbose lists one
// line per check ("[+]db ok", "[+]cache warn: reason", "[-]db failed:
// reason"); ?exclude=name, repeated, skips checks. /healthz answers a
// health+json document with per-check status, duration, time of the last
// run and of the last success, and a short error. Error text is scrubbed
// before it is stored, shown or logged: "user:password@" in URLs and DSNs,
// every URL query parameter value, the value after any key containing a
// secret word (DB_PASSWORD=, client_secret=, "password":, X-Api-Key:,
// password%3D) and Bearer/Basic credentials become "***" (docs/health.md
// lists the words); the text is then cut to 200 bytes. HEAD
// works on every endpoint. [WithDetails](false) hides per-check details on
// a public listener.
//
// # Telemetry
//
// Per check, on the meter provider given by [WithMeterProvider]:
//
//   - vigil.health.check.status (gauge, {check}): 1 on the series whose
//     vigil.health.check.state is the check's current status (pass, warn
//     or fail), 0 on the other two; updated when the status changes.
//   - vigil.health.check.duration (histogram, s): one observation per run;
//     a timed-out run counts as its timeout.
//
// Attributes are vigil.health.check.name and vigil.health.check.state, so
// there are at most three series per check. The logger from [WithLogger]
// gets one line when a check's status changes (not on every probe) and one
// when draining starts. Probes themselves should stay out of access logs
// and traces: give [Paths] or [IsProbeRequest] to the middleware's
// exclusion option.
//
// # Performance
//
// A probe answered from the cache costs a few microseconds and a handful of
// allocations (see docs/health.md for figures); it starts no goroutine and
// no timer. A run costs one goroutine and one timer.
package health
