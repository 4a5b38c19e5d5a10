package dbsql

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Option configures [Open], [OpenDB], [Wrap] and [RegisterPoolMetrics].
// Options are values without state and may be shared between calls.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Defaults for the thresholds; see [WithSlowQueryThreshold] and
// [WithNPlusOneThreshold].
const (
	DefaultSlowQueryThreshold = 200 * time.Millisecond
	DefaultNPlusOneThreshold  = 5
)

type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	logger         *slog.Logger
	slowQuery      time.Duration
	nPlusOne       int
	rawQueryText   bool
	queryArgs      bool
	system         string
	serverAddress  string
	serverPort     int
	poolName       string
}

func newConfig(opts []Option) config {
	c := config{slowQuery: DefaultSlowQueryThreshold, nPlusOne: DefaultNPlusOneThreshold}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithTracerProvider sets the provider of the tracer that creates the query
// spans. The default, and what a nil tp means, is the global provider from
// otel.GetTracerProvider at the time the database is opened.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithMeterProvider sets the provider of the meter that records operation
// durations, pool statistics and N+1 warnings. The default, and what a nil
// mp means, is the global provider from otel.GetMeterProvider at the time
// the database is opened.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithLogger sets the logger for slow-query and N+1 warnings. The default
// is no logger: the package never prints on its own, so without this
// option those warnings show only as span events and metrics.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithSlowQueryThreshold logs one warning for every operation that takes at
// least d, with the normalized query, duration, rows affected, trace_id and
// request_id. The default is [DefaultSlowQueryThreshold] (200ms: far above
// an indexed OLTP query, well below a typical one-second request budget);
// d <= 0 turns the log off. It needs [WithLogger].
func WithSlowQueryThreshold(d time.Duration) Option {
	return optionFunc(func(c *config) { c.slowQuery = d })
}

// WithNPlusOneThreshold warns, once per request scope and query shape, when
// one normalized SELECT runs more than n times in the scope. The default is
// [DefaultNPlusOneThreshold]; n <= 0 turns detection off.
func WithNPlusOneThreshold(n int) Option {
	return optionFunc(func(c *config) { c.nPlusOne = n })
}

// WithRawQueryText puts the query text as written, literals included,
// into db.query.text instead of the normalized text. The default is off:
// literals may carry personal data or secrets.
func WithRawQueryText(on bool) Option {
	return optionFunc(func(c *config) { c.rawQueryText = on })
}

// WithQueryArgs records the query arguments as db.query.parameter.<n>
// span attributes. The default is off, for the same reason as
// [WithRawQueryText].
func WithQueryArgs(on bool) Option {
	return optionFunc(func(c *config) { c.queryArgs = on })
}

// WithSystem sets db.system.name ("postgresql", "sqlite", "mysql", ...).
// The default is inferred from the driver name given to [Open] or the
// driver's Go package, and "other_sql" when neither is known.
func WithSystem(name string) Option {
	return optionFunc(func(c *config) { c.system = name })
}

// WithServerAddress sets server.address and server.port (port 0 omits the
// port). The default is read from the DSN given to [Open] when it is a URL
// or key=value string with a host; [OpenDB] and [Wrap] set none.
func WithServerAddress(host string, port int) Option {
	return optionFunc(func(c *config) { c.serverAddress, c.serverPort = host, port })
}

// WithPoolName sets db.client.connection.pool.name on pool metrics. The
// default is "<system>" or "<system>://<host>:<port>" when the server is
// known; set it when one process opens several pools to the same server.
func WithPoolName(name string) Option {
	return optionFunc(func(c *config) { c.poolName = name })
}
