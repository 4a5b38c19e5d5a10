// Package vigiltest gives tests in-memory telemetry to assert on: a tracer
// provider that records every span, a meter provider read on demand, and a
// JSON logger writing into a buffer.
//
// # Quick start
//
//	func TestCheckout(t *testing.T) {
//		tel := vigiltest.New(t)
//		h := middleware.Handler(mux,
//			middleware.WithTracerProvider(tel.TracerProvider),
//			middleware.WithMeterProvider(tel.MeterProvider),
//			middleware.WithLogger(tel.Logger))
//		// ... drive h ...
//		if got := tel.SpanNames(); len(got) != 1 {
//			t.Fatalf("spans = %v", got)
//		}
//	}
//
// The option names above belong to the package under test; vigiltest only
// supplies the providers.
//
// # What is recorded
//
// Every span is sampled and kept once it ends; [Telemetry.Spans] returns
// the ended spans in end order. Metrics use cumulative temporality and are
// collected when [Telemetry.CollectMetrics] is called. Log lines are JSON,
// at debug level and above, and carry trace_id, span_id and request_id
// like vigil's production logger.
//
// # Cleanup
//
// [New] registers a cleanup with the test that shuts both providers down,
// so a test needs no defer of its own.
package vigiltest
