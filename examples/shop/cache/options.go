package cache

import (
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// Option configures a [Cache] or [OpenRedis].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	redis          redis.UniversalClient
	keyPrefix      string
	baseTTL        time.Duration
	maxTTL         time.Duration
	localTTL       time.Duration
	halfLife       time.Duration
	maxEntries     int
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	logger         *slog.Logger
	now            func() time.Time
}

func newConfig(opts []Option) config {
	c := config{
		keyPrefix:      "shop:cache:",
		baseTTL:        5 * time.Second,
		maxTTL:         5 * time.Minute,
		localTTL:       time.Second,
		halfLife:       time.Minute,
		maxEntries:     10_000,
		tracerProvider: tracenoop.NewTracerProvider(),
		meterProvider:  metricnoop.NewMeterProvider(),
		now:            time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithRedis puts Redis behind the in-process layer. The default, nil,
// keeps entries in process memory only. The cache does not close the
// client.
func WithRedis(client redis.UniversalClient) Option {
	return optionFunc(func(c *config) { c.redis = client })
}

// WithKeyPrefix sets the prefix of every key stored in Redis. The default
// is "shop:cache:".
func WithKeyPrefix(prefix string) Option {
	return optionFunc(func(c *config) { c.keyPrefix = prefix })
}

// WithTTL sets the time to live of an entry read once (base) and the
// longest one a frequently read entry gets (max). The defaults are 5s and
// 5m. Values that are not positive, or a max below base, are ignored.
func WithTTL(base, max time.Duration) Option {
	return optionFunc(func(c *config) {
		if base > 0 && max >= base {
			c.baseTTL, c.maxTTL = base, max
		}
	})
}

// WithLocalTTL bounds how long the in-process layer keeps an entry when
// Redis is behind it, which bounds how stale a replica can be after
// another replica's write. The default is 1s; a value that is not
// positive is ignored. Without Redis the in-process layer uses the TTL of
// [WithTTL].
func WithLocalTTL(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.localTTL = d
		}
	})
}

// WithHalfLife sets how fast the read count that drives the TTL decays:
// it halves every d. The default is 1m; a value that is not positive is
// ignored.
func WithHalfLife(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.halfLife = d
		}
	})
}

// WithMaxEntries bounds the entries of the in-process layer and the keys
// whose reads are counted. The default is 10000; a value that is not
// positive is ignored.
func WithMaxEntries(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxEntries = n
		}
	})
}

// WithTracerProvider sets the provider of the cache's spans and, for
// [OpenRedis], of the Redis command spans. The default records nothing;
// nil is ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithMeterProvider sets the provider of shop.cache.lookups and, for
// [OpenRedis], of go-redis' connection pool metrics. The default records
// nothing; nil is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithLogger sets where Redis errors are logged. The default, nil, is
// silent.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}
