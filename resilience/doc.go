// Package resilience helps a service fail fast, recover by itself and shed
// load it cannot serve, while telling its operators exactly what it does:
// circuit breakers with telemetry ([Breaker], built on
// github.com/sony/gobreaker/v2), a retrying client transport with a
// breaker per host ([NewTransport]), a load-shedding server middleware
// ([Limit]) and fault injection for chaos experiments ([Chaos],
// [ChaosTransport]).
//
// # Quick start
//
//	b := resilience.NewBreaker(
//		resilience.WithName("pricing"),
//		resilience.WithMeterProvider(mp),
//		resilience.WithLogger(logger))
//	price, err := resilience.Do(ctx, b, func(ctx context.Context) (*Price, error) {
//		return pricing.Get(ctx, sku)
//	})
//	if errors.Is(err, resilience.ErrOpen) {
//		// fail fast: serve a cached price or degrade
//	}
//
//	client := &http.Client{Transport: middleware.Transport(
//		resilience.NewTransport(http.DefaultTransport,
//			resilience.WithMeterProvider(mp)))}
//
//	handler := middleware.Handler(resilience.Limit(
//		resilience.Chaos(mux, chaosCfg), resilience.WithMaxInFlight(200)))
//
// # Breakers
//
// A breaker is closed until its policy trips it ([WithConsecutiveFailures],
// default 5 in a row, or [WithFailureRatio]); it then rejects calls with a
// *[RejectedError] matching [ErrOpen] for [WithOpenTimeout] (default 30s),
// admits [WithHalfOpenQuota] probes (default 1) and closes when they all
// succeed. A [Classifier] decides what counts as a failure; by default the
// caller's own cancellation or deadline never does ([DefaultClassifier]),
// and a cancelled half-open probe gives its slot back. Breakers satisfy
// the health package's breaker check (Name and StateName).
//
// # Ordering with other middleware
//
// Client side, put [NewTransport] inside the tracing transport
// (middleware.Transport(resilience.NewTransport(base))): one client span
// covers every attempt and carries http.request.resend_count and one
// vigil.retry event per retry. In the other order each attempt gets its
// own span and the inner transport can read [ResendCount]. Put
// [ChaosTransport] innermost, where network faults happen.
//
// Server side, put [Limit] and [Chaos] inside vigil's middleware.Handler,
// so that a shed or faulted request still gets a request ID, a span with
// the vigil.shed or vigil.chaos.* attributes and an access-log line.
//
// # Telemetry
//
// Metrics (meter scope github.com/vigil-go/vigil/resilience):
// vigil.breaker.state (gauge: 0 closed, 1 half-open, 2 open, reported from
// creation), vigil.breaker.calls (by vigil.breaker.outcome: success,
// failure, rejected, excluded), vigil.breaker.transitions (by
// vigil.breaker.from and vigil.breaker.to), vigil.http.client.retries,
// vigil.shed.requests and vigil.chaos.faults. Span events:
// vigil.breaker.rejected, vigil.breaker.state_change (with the counts that
// caused it), vigil.retry and vigil.chaos.fault. Logs go only to the
// logger given with [WithLogger]; nil is silent. docs/resilience.md lists
// every name, unit and attribute.
//
// # Cardinality
//
// Breaker metrics carry the breaker name; the transport names breakers
// after the request's host, so their number is the number of hosts the
// service calls. Use [WithBreakerKey] to group hosts when that set is
// unbounded. No other attribute takes request data.
//
// # Performance
//
// The success path of [Breaker.Execute] and [Do] adds no allocation to gobreaker's
// and stays within a few percent of it: call outcomes are counted in
// atomics and read by an observable counter at collection time. Figures
// are in docs/resilience.md.
//
// # Fault injection
//
// [Chaos] and [ChaosTransport] do nothing unless [ChaosConfig].Enabled is
// set, in code or through VIGIL_CHAOS_ENABLED with [ChaosConfigFromEnv].
// Every injected fault is counted, marked on the span, logged and
// announced in the [ChaosHeader] response header, so experiments can be
// told apart from real faults.
package resilience
