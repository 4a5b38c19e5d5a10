package tracing

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Option configures [NewProvider].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	endpoint      string
	insecure      *bool
	sampler       sdktrace.Sampler
	resource      *resource.Resource
	serviceName   string
	attrs         []attribute.KeyValue
	processors    []sdktrace.SpanProcessor
	exporter      sdktrace.SpanExporter
	exportTimeout time.Duration
	batchTimeout  time.Duration
}

func newConfig(opts []Option) config {
	c := config{
		exportTimeout: 10 * time.Second,
		batchTimeout:  5 * time.Second,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithEndpoint sets the OTLP gRPC collector address, as "host:port" or as
// a URL: "http://host:port" connects without TLS, "https://host:port" with
// TLS, and a URL without a port uses 4317. A bare "host:port" uses TLS
// unless [WithInsecure] or OTEL_EXPORTER_OTLP_(TRACES_)INSECURE=true says
// otherwise. Anything else makes [NewProvider] fail: other URL schemes, a
// port that is not 1-65535, an empty host (":4317"; write
// "127.0.0.1:4317"), a path or query ("/v1/traces" belongs to OTLP/HTTP,
// which is not supported) and user info (gRPC would drop it; use
// OTEL_EXPORTER_OTLP_HEADERS). The default comes from
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then
// OTEL_EXPORTER_OTLP_ENDPOINT; with neither, nothing is exported. An empty
// string leaves the default.
func WithEndpoint(endpoint string) Option {
	return optionFunc(func(c *config) {
		if endpoint != "" {
			c.endpoint = endpoint
		}
	})
}

// WithInsecure turns TLS off (true) or on (false) for a "host:port"
// endpoint; a URL's scheme wins over it. The default comes from
// OTEL_EXPORTER_OTLP_TRACES_INSECURE, then OTEL_EXPORTER_OTLP_INSECURE,
// and is false.
func WithInsecure(insecure bool) Option {
	return optionFunc(func(c *config) { c.insecure = &insecure })
}

// WithSampler sets the sampler. The default comes from
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (see [ParseSampler]) and
// is parentbased_always_on. A nil sampler is ignored.
func WithSampler(s sdktrace.Sampler) Option {
	return optionFunc(func(c *config) {
		if s != nil {
			c.sampler = s
		}
	})
}

// WithResource sets the resource describing the service, replacing the one
// built from the environment, [WithServiceName] and [WithAttributes]. A nil
// resource is ignored.
func WithResource(r *resource.Resource) Option {
	return optionFunc(func(c *config) {
		if r != nil {
			c.resource = r
		}
	})
}

// WithServiceName sets the service.name resource attribute, overriding
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. The default is
// OTEL_SERVICE_NAME, else "unknown_service:<executable>". An empty name is
// ignored.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.serviceName = name
		}
	})
}

// WithAttributes adds resource attributes, overriding those of the same
// key from OTEL_RESOURCE_ATTRIBUTES. By default there are none beyond the
// environment's.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) {
		c.attrs = append(c.attrs, attrs...)
	})
}

// WithSpanProcessor registers an extra span processor, for example a
// [go.opentelemetry.io/otel/sdk/trace/tracetest.SpanRecorder] in tests.
// It is registered whether or not an endpoint is configured. By default
// there is none. A nil processor is ignored.
func WithSpanProcessor(p sdktrace.SpanProcessor) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.processors = append(c.processors, p)
		}
	})
}

// WithExporter sends spans to e through a batch span processor instead of
// to an OTLP collector; the endpoint settings are then ignored. By default
// the OTLP gRPC exporter is used when an endpoint is set. A nil exporter
// is ignored.
func WithExporter(e sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) {
		if e != nil {
			c.exporter = e
		}
	})
}

// WithExportTimeout bounds each export of a batch, retries included. It
// is also how long an export that was in flight may keep running in the
// background after Shutdown has returned at its context's deadline. The
// default is 10 s; values <= 0 are ignored.
func WithExportTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.exportTimeout = d
		}
	})
}

// WithBatchTimeout sets how long the batch span processor waits before
// exporting a batch that is not full. The default is 5 s, the SDK's;
// values <= 0 are ignored.
func WithBatchTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.batchTimeout = d
		}
	})
}
