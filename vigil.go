package vigil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/vigil-go/vigil/internal/otelenv"
	"github.com/vigil-go/vigil/logging"
	"github.com/vigil-go/vigil/metrics"
	"github.com/vigil-go/vigil/tracing"
)

// scopeName is the instrumentation scope of vigil's own instruments.
const scopeName = "github.com/vigil-go/vigil"

// Telemetry is what [Start] wires up: providers to pass to vigil's other
// packages, a logger, the Prometheus registry and handlers. Create it with
// [Start]; the zero value is not usable. Its methods are safe for
// concurrent use; treat its fields as read-only.
type Telemetry struct {
	// TracerProvider creates spans; a no-op provider when the SDK is
	// disabled.
	TracerProvider trace.TracerProvider
	// MeterProvider creates instruments exported on Registry; a no-op
	// provider when the SDK is disabled.
	MeterProvider metric.MeterProvider
	// Propagator is the W3C Trace Context and Baggage composite.
	Propagator propagation.TextMapPropagator
	// Logger writes JSON lines with trace_id, span_id and request_id.
	Logger *slog.Logger
	// Registry is the Prometheus registry behind [Telemetry.MetricsHandler].
	Registry *prometheus.Registry

	tp       *tracing.Provider // nil when disabled
	mp       *metrics.Provider // nil when disabled
	metricsH http.Handler
	errs     *errorLog

	shutdownOnce sync.Once
	shutdownErr  error
}

// Start sets up tracing, metrics and logging from opts and the standard
// OTEL_* environment variables, options winning over the environment (the
// package documentation lists them). It does not wait for the trace
// collector: an unreachable one only makes exports fail later, logged
// through Logger. By default it also installs the providers and the
// propagator as the OpenTelemetry globals ([WithGlobals]).
//
// Start may be called again, before or after Shutdown: each call returns
// an independent Telemetry with its own registry (unless [WithRegistry]
// shares one), and the globals point at the most recent one. ctx bounds
// setup only. Errors are prefixed "vigil: ".
func Start(ctx context.Context, opts ...Option) (*Telemetry, error) {
	c := newConfig(opts)
	t := &Telemetry{
		Propagator: tracing.Propagator(),
		Logger:     newLogger(c),
	}
	t.errs = &errorLog{logger: t.Logger}

	disabled := otelenv.Bool(otelenv.SDKDisabled)
	if c.disabled != nil {
		disabled = *c.disabled
	}
	var err error
	if disabled {
		err = t.startDisabled(c)
	} else {
		err = t.startSDK(ctx, c)
	}
	if err != nil {
		return nil, fmt.Errorf("vigil: %w", err)
	}
	if c.globals {
		t.installGlobals()
	}
	return t, nil
}

// installGlobals makes t's providers, propagator and error reporting the
// OpenTelemetry globals.
func (t *Telemetry) installGlobals() {
	otel.SetTracerProvider(t.TracerProvider)
	otel.SetMeterProvider(t.MeterProvider)
	otel.SetTextMapPropagator(t.Propagator)
	otel.SetErrorHandler(t.errs)
	otel.SetLogger(logr.FromSlogHandler(
		internalLog{t.Logger.Handler(), t.errs}))
}

// newLogger builds the logger of c: the user's handler wrapped, or a
// JSON handler on the configured writer.
func newLogger(c config) *slog.Logger {
	lopts := c.logOpts
	if c.logLevel != nil {
		lopts = append([]logging.Option{logging.WithLevel(c.logLevel)},
			lopts...)
	}
	if c.logHandler != nil {
		return slog.New(logging.WrapHandler(c.logHandler, lopts...))
	}
	w := c.logWriter
	if w == nil {
		w = os.Stdout
	}
	return slog.New(logging.NewHandler(w, lopts...))
}

// startDisabled installs no-op providers and a registry holding only the
// process collector.
func (t *Telemetry) startDisabled(c config) error {
	t.TracerProvider = tracenoop.NewTracerProvider()
	t.MeterProvider = metricnoop.NewMeterProvider()
	t.Registry = c.registry
	if t.Registry == nil {
		t.Registry = prometheus.NewRegistry()
	}
	pc := collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})
	err := t.Registry.Register(pc)
	if err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
		return fmt.Errorf("process collector: %w", err)
	}
	t.metricsH = promhttp.HandlerFor(t.Registry, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
	})
	return nil
}

// startSDK builds the SDK providers on one shared resource.
func (t *Telemetry) startSDK(ctx context.Context, c config) error {
	res, err := otelenv.Resource(ctx, c.serviceName, c.attrs...)
	if err != nil {
		return err
	}
	topts := append([]tracing.Option{
		tracing.WithResource(res),
		tracing.WithEndpoint(c.endpoint),
		tracing.WithSampler(c.sampler),
	}, c.traceOpts...)
	tp, err := tracing.NewProvider(ctx, topts...)
	if err != nil {
		return err
	}
	mopts := append([]metrics.Option{
		metrics.WithResource(res),
		metrics.WithRegistry(c.registry),
		metrics.WithLogger(t.Logger),
	}, c.metricOpts...)
	mp, err := metrics.NewProvider(mopts...)
	if err != nil {
		_ = tp.Shutdown(ctx)
		return err
	}
	t.tp, t.mp = tp, mp
	t.TracerProvider, t.MeterProvider = tp, mp
	t.Registry = mp.Registry()
	t.metricsH = mp.Handler()
	return t.instrumentErrors()
}

// instrumentErrors exports the count of telemetry errors as
// vigil.telemetry.errors.
func (t *Telemetry) instrumentErrors() error {
	_, err := t.MeterProvider.Meter(scopeName).Int64ObservableCounter(
		"vigil.telemetry.errors",
		metric.WithDescription("Errors reported by the OpenTelemetry "+
			"SDK and exporters, such as failed span exports."),
		metric.WithUnit("{error}"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(t.errs.total.Load())
			return nil
		}))
	return err
}

// MetricsHandler returns the handler serving [Telemetry.Registry] in the
// Prometheus text format or OpenMetrics (with exemplars), as the scraper
// asks. It keeps serving, without the stopped providers' series, after
// Shutdown.
func (t *Telemetry) MetricsHandler() http.Handler {
	return t.metricsH
}

// ErrorHandler returns the rate-limited handler that logs OpenTelemetry
// errors through [Telemetry.Logger] at most once a minute and counts them
// in vigil.telemetry.errors. Start installs it with otel.SetErrorHandler
// unless [WithGlobals] is false.
func (t *Telemetry) ErrorHandler() otel.ErrorHandler {
	return t.errs
}

// Shutdown flushes pending spans and stops both providers, returning by
// the deadline of ctx at the latest; spans not exported by then are
// dropped. It returns an error when spans were lost: at the deadline (the
// error wraps ctx's error) or because the final exports failed ("... N
// spans not exported: ..."); see [tracing.Provider.Shutdown]. Calls after
// the first return the first call's result. The
// OpenTelemetry globals are left in place: a stopped provider produces
// no telemetry, and a later [Start] replaces them.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	t.shutdownOnce.Do(func() {
		var errs []error
		if t.mp != nil {
			errs = append(errs, t.mp.Shutdown(ctx))
		}
		if t.tp != nil {
			errs = append(errs, t.tp.Shutdown(ctx))
		}
		if err := errors.Join(errs...); err != nil {
			t.shutdownErr = fmt.Errorf("vigil: shutdown: %w", err)
		}
	})
	return t.shutdownErr
}
