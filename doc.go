// Package vigil wires OpenTelemetry tracing, Prometheus metrics and
// correlated JSON logging for a Go service in one call.
//
// # Quick start
//
//	tel, err := vigil.Start(ctx, vigil.WithServiceName("shop"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer func() {
//		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//		defer cancel()
//		_ = tel.Shutdown(ctx)
//	}()
//	go http.ListenAndServe("127.0.0.1:9090", tel.AdminHandler())
//	tel.Logger.Info("started")
//
// Pass tel.TracerProvider, tel.MeterProvider and tel.Logger to the
// middleware, health and dbsql packages (they also fall back to the
// OpenTelemetry globals, which Start sets by default).
//
// # Configuration
//
// Options win over the environment, which wins over the defaults:
//
//	what              option              variable                            default
//	service name      WithServiceName     OTEL_SERVICE_NAME                   unknown_service:<exe>
//	resource attrs    WithAttributes      OTEL_RESOURCE_ATTRIBUTES            none
//	trace endpoint    WithEndpoint        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
//	                                      OTEL_EXPORTER_OTLP_ENDPOINT         none: no export
//	sampler           WithSampler         OTEL_TRACES_SAMPLER(_ARG)           parentbased_always_on
//	SDK off           WithDisabled        OTEL_SDK_DISABLED                   false
//	globals           WithGlobals         -                                   true
//	registry          WithRegistry        -                                   a new one
//	log output        WithLogWriter,
//	                  WithLogHandler      -                                   JSON to os.Stdout
//	log level         WithLogLevel        -                                   info
//
// [WithTracingOptions], [WithMetricsOptions] and [WithLoggingOptions] pass
// the remaining settings (export timeout, bucket bounds, cardinality
// limit, redacted keys, ...) to the [tracing], [metrics] and [logging]
// packages. An unknown OTEL_TRACES_SAMPLER value makes Start fail.
//
// # Disabled SDK
//
// With OTEL_SDK_DISABLED=true (or WithDisabled(true)) the tracer and meter
// providers are no-ops; spans continue an incoming trace context but
// record nothing, so logs still carry a caller's trace_id. /metrics then
// serves only the process collector's process_* series. The logger works
// as usual.
//
// # Failures
//
// Start never waits for the trace collector. Exports to a collector that
// refuses connections or hangs fail in the background; the OTel error
// handler installed by Start logs such errors through Logger at most once
// a minute (with a count of those suppressed) and counts them all in the
// vigil.telemetry.errors counter. [Telemetry.Shutdown] returns by its
// context's deadline.
//
// # Restarting
//
// Start, Shutdown and Start again in one process works, and so does a
// second Start without Shutdown: every Telemetry is independent with its
// own Prometheus registry, and the globals point at the latest.
package vigil
