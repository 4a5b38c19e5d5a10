// Package tracing builds vigil's OpenTelemetry tracer provider: an OTLP
// gRPC exporter behind a batch span processor, a sampler and a resource
// read from the standard environment variables, and the W3C propagators.
//
// # Quick start
//
//	tp, err := tracing.NewProvider(ctx, tracing.WithServiceName("shop"))
//	if err != nil { ... }
//	defer tp.Shutdown(shutdownCtx)
//	handler := middleware.Handler(mux, middleware.WithTracerProvider(tp))
//
// Most services call vigil.Start instead, which uses this package and
// also sets the OTel globals.
//
// # Configuration
//
// Options win over the environment, which wins over the defaults:
//
//	endpoint   WithEndpoint   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then
//	                          OTEL_EXPORTER_OTLP_ENDPOINT; none: no export
//	TLS        WithInsecure   an http:// endpoint is plaintext, https:// is
//	                          TLS; host:port reads OTEL_EXPORTER_OTLP_
//	                          (TRACES_)INSECURE, default TLS
//	sampler    WithSampler    OTEL_TRACES_SAMPLER / _ARG, default
//	                          parentbased_always_on (see [ParseSampler])
//	resource   WithServiceName, WithAttributes, WithResource;
//	                          OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
//
// The exporter also honours the OTLP variables vigil does not interpret
// itself, such as OTEL_EXPORTER_OTLP_HEADERS and _COMPRESSION. An unknown
// sampler name or an invalid ratio is an error from [NewProvider], not a
// silent fallback.
//
// # Failure behaviour
//
// The exporter connects lazily: [NewProvider] never waits for the
// collector. Ending a span only queues it; when the collector refuses
// connections or hangs, exports fail in the background after the export
// timeout ([WithExportTimeout]) and the errors go to the OTel error
// handler (vigil.Start routes them, rate-limited, to its logger). Spans
// are dropped when the queue is full. [Provider.Shutdown] returns by its
// context's deadline and abandons what is left to export; it returns an
// error when spans were lost during it, either at the deadline or because
// the final exports failed ("tracing: shutdown: N spans not exported").
//
// # Propagation
//
// [Propagator] returns the W3C Trace Context and Baggage composite that
// vigil's middleware and transport use by default.
package tracing
