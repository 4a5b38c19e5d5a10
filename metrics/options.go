package metrics

import (
	"log/slog"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// DefaultCardinalityLimit is the number of attribute sets each instrument
// keeps by default; further sets are folded into one series marked
// otel.metric.overflow="true".
const DefaultCardinalityLimit = 2000

// defaultDurationBuckets are explicit bucket bounds in seconds: the ones
// the HTTP semantic conventions recommend, extended below 5 ms because an
// indexed database query or a cached handler takes a millisecond or two
// (one shared bucket would hide them all), and past 10 s so that slow
// requests and queries land in a bucket of their own.
var defaultDurationBuckets = []float64{
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
	1, 2.5, 5, 7.5, 10, 15, 20, 30,
}

// durationInstruments is the list behind [DurationInstruments].
var durationInstruments = []string{
	"http.server.request.duration",
	"http.client.request.duration",
	"db.client.operation.duration",
}

// DurationInstruments returns a new copy of the names of the histograms
// that get [DefaultDurationBuckets] (or the bounds of
// [WithDurationBuckets]): http.server.request.duration,
// http.client.request.duration and db.client.operation.duration.
func DurationInstruments() []string {
	return slices.Clone(durationInstruments)
}

// DefaultDurationBuckets returns a new copy of the default bucket bounds,
// in seconds, for the instruments in [DurationInstruments]: 5 ms to 30 s.
func DefaultDurationBuckets() []float64 {
	return slices.Clone(defaultDurationBuckets)
}

// Option configures [NewProvider].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	registry    *prometheus.Registry
	resource    *resource.Resource
	serviceName string
	attrs       []attribute.KeyValue
	buckets     []float64
	limit       int
	views       []metric.View
	readers     []metric.Reader
	runtime     bool
	process     bool
	logger      *slog.Logger
}

func newConfig(opts []Option) config {
	c := config{
		buckets: defaultDurationBuckets,
		limit:   DefaultCardinalityLimit,
		runtime: true,
		process: true,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithRegistry registers the Prometheus exporter (and the process
// collector) with reg instead of a new registry of the provider's own.
// The provider's [Provider.Shutdown] stops its exporter from contributing
// to reg, so a later provider can use the same registry. A nil reg is
// ignored.
func WithRegistry(reg *prometheus.Registry) Option {
	return optionFunc(func(c *config) {
		if reg != nil {
			c.registry = reg
		}
	})
}

// WithResource sets the resource exported as target_info, replacing the
// one built from the environment, [WithServiceName] and [WithAttributes].
// A nil resource is ignored.
func WithResource(r *resource.Resource) Option {
	return optionFunc(func(c *config) {
		if r != nil {
			c.resource = r
		}
	})
}

// WithServiceName sets the service.name resource attribute, overriding
// OTEL_SERVICE_NAME. An empty name is ignored.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.serviceName = name
		}
	})
}

// WithAttributes adds resource attributes, overriding those of the same
// key from OTEL_RESOURCE_ATTRIBUTES.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) {
		c.attrs = append(c.attrs, attrs...)
	})
}

// WithDurationBuckets sets the explicit histogram bounds, in seconds, of
// the instruments in [DurationInstruments]. The default is
// [DefaultDurationBuckets]. An empty slice is ignored; the bounds are
// sorted.
func WithDurationBuckets(bounds ...float64) Option {
	bounds = slices.Clone(bounds)
	slices.Sort(bounds)
	return optionFunc(func(c *config) {
		if len(bounds) > 0 {
			c.buckets = bounds
		}
	})
}

// WithCardinalityLimit sets how many attribute sets each instrument keeps
// before it folds new ones into an overflow series. The default is
// [DefaultCardinalityLimit]; n <= 0 removes the limit.
func WithCardinalityLimit(n int) Option {
	return optionFunc(func(c *config) { c.limit = max(n, 0) })
}

// WithView adds views to the meter provider, after vigil's bucket views.
// By default there are none.
func WithView(views ...metric.View) Option {
	return optionFunc(func(c *config) {
		c.views = append(c.views, views...)
	})
}

// WithReader adds a metric reader next to the Prometheus exporter, for
// example a periodic OTLP reader or a ManualReader in tests. By default
// there is none. A nil reader is ignored.
func WithReader(r metric.Reader) Option {
	return optionFunc(func(c *config) {
		if r != nil {
			c.readers = append(c.readers, r)
		}
	})
}

// WithRuntimeMetrics turns the Go runtime instruments (go.memory.used,
// go.goroutine.count, go.gc.*, ... from the OpenTelemetry contrib runtime
// instrumentation) on or off. The default is on.
func WithRuntimeMetrics(on bool) Option {
	return optionFunc(func(c *config) { c.runtime = on })
}

// WithProcessMetrics turns the Prometheus process collector
// (process_cpu_seconds_total, process_resident_memory_bytes,
// process_open_fds, ...) on or off. The default is on.
func WithProcessMetrics(on bool) Option {
	return optionFunc(func(c *config) { c.process = on })
}

// WithLogger sets where errors met while serving /metrics are logged, at
// most once a minute. The default, nil, is silent.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}
