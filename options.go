package vigil

import (
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/vigil-go/vigil/logging"
	"github.com/vigil-go/vigil/metrics"
	"github.com/vigil-go/vigil/tracing"
)

// Option configures [Start].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	serviceName string
	attrs       []attribute.KeyValue
	endpoint    string
	sampler     sdktrace.Sampler
	registry    *prometheus.Registry
	globals     bool
	disabled    *bool
	logWriter   io.Writer
	logHandler  slog.Handler
	logLevel    slog.Leveler
	logOpts     []logging.Option
	traceOpts   []tracing.Option
	metricOpts  []metrics.Option
}

func newConfig(opts []Option) config {
	c := config{globals: true}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithServiceName sets the service.name resource attribute of traces and
// metrics, overriding OTEL_SERVICE_NAME. The default is OTEL_SERVICE_NAME,
// else "unknown_service:<executable>". An empty name is ignored.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.serviceName = name
		}
	})
}

// WithAttributes adds resource attributes (deployment.environment.name,
// service.version, ...), overriding those of the same key in
// OTEL_RESOURCE_ATTRIBUTES. By default there are none beyond the
// environment's.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) {
		c.attrs = append(c.attrs, attrs...)
	})
}

// WithEndpoint sets the OTLP gRPC collector that spans are exported to,
// as "host:port" or "http(s)://host:port" (http means no TLS). The
// default comes from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then
// OTEL_EXPORTER_OTLP_ENDPOINT; with neither, spans get IDs but are not
// exported. See [tracing.WithEndpoint].
func WithEndpoint(endpoint string) Option {
	return optionFunc(func(c *config) { c.endpoint = endpoint })
}

// WithSampler sets the trace sampler, overriding OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG. The default is parentbased_always_on. A nil
// sampler is ignored.
func WithSampler(s sdktrace.Sampler) Option {
	return optionFunc(func(c *config) {
		if s != nil {
			c.sampler = s
		}
	})
}

// WithRegistry exports metrics on reg instead of a new registry of
// vigil's own. A nil reg is ignored.
func WithRegistry(reg *prometheus.Registry) Option {
	return optionFunc(func(c *config) {
		if reg != nil {
			c.registry = reg
		}
	})
}

// WithGlobals controls whether [Start] installs its tracer provider,
// meter provider and propagator as the OpenTelemetry globals, and routes
// the OTel error handler and the errors of OTel's internal logger to the
// logger. The default is true. With false,
// pass the providers to each vigil package by option, and install
// [Telemetry.ErrorHandler] yourself if exporter errors should be logged.
func WithGlobals(on bool) Option {
	return optionFunc(func(c *config) { c.globals = on })
}

// WithDisabled turns the SDK off (true) or on (false), overriding
// OTEL_SDK_DISABLED. Disabled, [Start] returns no-op tracer and meter
// providers; logging still works. The default is OTEL_SDK_DISABLED, else
// false.
func WithDisabled(disabled bool) Option {
	return optionFunc(func(c *config) { c.disabled = &disabled })
}

// WithLogWriter sets where the JSON logger writes. The default is
// os.Stdout. A nil writer is ignored.
func WithLogWriter(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if w != nil {
			c.logWriter = w
		}
	})
}

// WithLogHandler makes [Telemetry.Logger] write through h, wrapped by
// [logging.WrapHandler] so records still get trace and request IDs and
// redaction. It takes precedence over [WithLogWriter]. By default the
// handler is [logging.NewHandler]. A nil handler is ignored.
func WithLogHandler(h slog.Handler) Option {
	return optionFunc(func(c *config) {
		if h != nil {
			c.logHandler = h
		}
	})
}

// WithLogLevel sets the minimum level of [Telemetry.Logger]. The default
// is [slog.LevelInfo]. A nil leveler is ignored.
func WithLogLevel(l slog.Leveler) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logLevel = l
		}
	})
}

// WithLoggingOptions passes options, such as [logging.WithRedactedKeys],
// to the log handler. By default there are none.
func WithLoggingOptions(opts ...logging.Option) Option {
	return optionFunc(func(c *config) {
		c.logOpts = append(c.logOpts, opts...)
	})
}

// WithTracingOptions passes options, such as [tracing.WithExportTimeout],
// to [tracing.NewProvider]. They are applied after the ones Start derives
// from its own options, so they win. By default there are none.
func WithTracingOptions(opts ...tracing.Option) Option {
	return optionFunc(func(c *config) {
		c.traceOpts = append(c.traceOpts, opts...)
	})
}

// WithMetricsOptions passes options, such as
// [metrics.WithDurationBuckets], to [metrics.NewProvider]. They are
// applied after the ones Start derives from its own options, so they win.
// By default there are none.
func WithMetricsOptions(opts ...metrics.Option) Option {
	return optionFunc(func(c *config) {
		c.metricOpts = append(c.metricOpts, opts...)
	})
}
