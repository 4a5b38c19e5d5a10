package health

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// Default timings. A Kubernetes probe gives up after 1 s by default
// (timeoutSeconds: 1); a check timeout of 800 ms leaves room for the
// handler and the network so the probe still gets an answer that names the
// slow check. One second of caching bounds every check to about one run per
// second however many probers ask.
const (
	// DefaultTimeout bounds a check run when neither [Check.Timeout] nor
	// [WithTimeout] sets it.
	DefaultTimeout = 800 * time.Millisecond
	// DefaultCacheTTL is how long a result is reused when neither
	// [Check.TTL] nor [WithCacheTTL] sets it.
	DefaultCacheTTL = time.Second
	// MinInterval is the shortest positive [Check.Interval] that
	// [Registry.Register] accepts. Ten runs a second is already more than
	// any prober needs; a shorter period (a typo such as 1ns) would turn
	// a background check into a busy loop against its dependency.
	MinInterval = 100 * time.Millisecond
)

// Option configures a [Registry] built by [New]. Options are applied in
// order; a later one wins.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	meterProvider metric.MeterProvider
	logger        *slog.Logger
	timeout       time.Duration
	ttl           time.Duration
}

func newConfig(opts []Option) config {
	c := config{timeout: DefaultTimeout, ttl: DefaultCacheTTL}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.meterProvider == nil {
		c.meterProvider = otel.GetMeterProvider()
	}
	return c
}

// WithMeterProvider sets where the check instruments are created. Default:
// the global provider from otel.GetMeterProvider at the time of [New]. A nil
// provider is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithLogger sets the logger that receives one line per check status change
// and one when draining starts. Default: nil, which logs nothing.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithTimeout sets the timeout of checks whose [Check.Timeout] is zero.
// Default: [DefaultTimeout] (800 ms). Non-positive values are ignored.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithCacheTTL sets how long results of checks whose [Check.TTL] is zero
// are reused. Default: [DefaultCacheTTL] (1 s). Zero or negative disables
// caching: every probe then needs a fresh run, though concurrent probes
// still share one run in flight.
func WithCacheTTL(d time.Duration) Option {
	return optionFunc(func(c *config) { c.ttl = d })
}

// HandlerOption configures the HTTP handlers of a [Registry].
type HandlerOption interface{ applyHandler(*handlerConfig) }

type handlerOptionFunc func(*handlerConfig)

func (f handlerOptionFunc) applyHandler(c *handlerConfig) { f(c) }

type handlerConfig struct {
	details bool
}

func newHandlerConfig(opts []HandlerOption) handlerConfig {
	c := handlerConfig{details: true}
	for _, o := range opts {
		if o != nil {
			o.applyHandler(&c)
		}
	}
	return c
}

// WithDetails sets whether a handler shows per-check details: ?verbose
// lines, ?exclude=, and the checks object of /healthz. Default: true, meant
// for an admin listener. Pass false on a public listener: the handler then
// answers only the overall status and ignores the query string.
func WithDetails(show bool) HandlerOption {
	return handlerOptionFunc(func(c *handlerConfig) { c.details = show })
}
