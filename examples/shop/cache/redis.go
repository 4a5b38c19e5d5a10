package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
)

// OpenRedis returns a Redis client for url (redis://[user:password@]host:port/db
// or rediss:// for TLS) whose commands are spans of the tracer provider
// and whose connection pool is measured on the meter provider given in
// opts. It connects lazily: an unreachable server delays nothing here, and
// reads through the cache fall back to the origin. The caller closes the
// client.
func OpenRedis(url string, opts ...Option) (*redis.Client, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("cache: REDIS_URL: %w", err)
	}
	cfg := newConfig(opts)
	rdb := redis.NewClient(o)
	err = errors.Join(
		redisotel.InstrumentTracing(rdb,
			redisotel.WithTracerProvider(cfg.tracerProvider),
			redisotel.WithDBStatement(false)),
		redisotel.InstrumentMetrics(rdb,
			redisotel.WithMeterProvider(cfg.meterProvider),
			redisotel.WithSemConvCompliantMetrics(true)))
	if err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("cache: instrumenting Redis: %w", err)
	}
	return rdb, nil
}

// redisLayer stores entries in Redis under a key prefix.
type redisLayer struct {
	client redis.UniversalClient
	prefix string
}

func (r *redisLayer) get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache: redis GET: %w", err)
	}
	return v, true, nil
}

func (r *redisLayer) set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if err := r.client.Set(ctx, r.prefix+key, v, ttl).Err(); err != nil {
		return fmt.Errorf("cache: redis SET: %w", err)
	}
	return nil
}

func (r *redisLayer) del(ctx context.Context, keys ...string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	if err := r.client.Del(ctx, full...).Err(); err != nil {
		return fmt.Errorf("cache: redis DEL: %w", err)
	}
	return nil
}
