// Package metrics builds vigil's OpenTelemetry meter provider, exported
// in the Prometheus format on a registry of its own.
//
// # Quick start
//
//	mp, err := metrics.NewProvider(metrics.WithServiceName("shop"))
//	if err != nil { ... }
//	defer mp.Shutdown(ctx)
//	admin.Handle("/metrics", mp.Handler())
//	handler := middleware.Handler(mux, middleware.WithMeterProvider(mp))
//
// Most services call vigil.Start instead, which uses this package.
//
// # Names on the Prometheus side
//
// Instrument names follow the OpenTelemetry semantic conventions and are
// translated by the OTel Prometheus exporter: dots become underscores,
// the unit becomes a suffix ("s" → _seconds, "By" → _bytes, annotations
// such as "{request}" add nothing) and counters end in exactly one
// _total, also when the instrument name already ends in total. So
// http.server.request.duration is scraped as
// http_server_request_duration_seconds_bucket/_sum/_count and a counter
// foo.requests as foo_requests_total. Each series carries otel_scope_*
// labels; the resource is exported once as target_info.
//
// # Buckets and cardinality
//
// The histograms in [DurationInstruments] get explicit bounds from 1 ms
// to 30 s ([DefaultDurationBuckets], [WithDurationBuckets]) rather than
// the SDK's millisecond-oriented defaults. Every instrument keeps at most
// [DefaultCardinalityLimit] attribute sets ([WithCardinalityLimit]);
// beyond that new sets are counted in one series labelled
// otel_metric_overflow="true", which bounds both memory and scrape size.
//
// # Runtime and process metrics
//
// Go runtime metrics come from the OpenTelemetry contrib runtime
// instrumentation, so they follow the semantic conventions (go.memory.used,
// go.goroutine.count, go.gc.*) like the rest of vigil and reach any
// exporter added with [WithReader], not only Prometheus. The client_golang
// process collector adds what the runtime instrumentation lacks: CPU
// seconds, resident memory, open file descriptors and start time. The
// client_golang Go collector is not used, as it would repeat the runtime
// figures under a second set of names.
//
// # Exemplars
//
// [Provider.Handler] negotiates OpenMetrics, in which histogram buckets
// carry an exemplar with the trace_id and span_id of a sampled span that
// was active when the value was recorded.
//
// # Restarting
//
// Each provider uses a new registry unless [WithRegistry] passes one, so
// creating, shutting down and creating again in one process never fails
// on duplicate registration. With a shared registry, Shutdown silences
// the old exporter so its series disappear from the next scrape.
package metrics
