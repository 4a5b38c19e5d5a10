package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Loader loads the value of a key from the origin (the database) on a
// miss.
type Loader func(ctx context.Context) ([]byte, error)

// Cache is a cache-aside read cache; see the package documentation. Its
// methods are safe for concurrent use. A nil *Cache is not usable; build
// one with [New].
type Cache struct {
	cfg    config
	local  *local
	remote *redisLayer // nil without Redis
	reads  *readCounts
	tel    *telemetry

	// epoch changes on every invalidation; a load that saw it change does
	// not store its value.
	epoch atomic.Uint64

	mu      sync.Mutex
	flights map[string]*flight
}

// flight is a load in progress that concurrent misses of its key wait for.
type flight struct {
	done  chan struct{}
	value []byte
	err   error
}

// New returns a cache configured by opts: in process memory only unless
// [WithRedis] is given. It starts no goroutine.
func New(opts ...Option) (*Cache, error) {
	cfg := newConfig(opts)
	tel, err := newTelemetry(&cfg)
	if err != nil {
		return nil, fmt.Errorf("cache: creating instruments: %w", err)
	}
	c := &Cache{
		cfg:     cfg,
		local:   newLocal(cfg.maxEntries, cfg.now),
		reads:   newReadCounts(cfg.halfLife, cfg.maxEntries, cfg.now),
		tel:     tel,
		flights: make(map[string]*flight),
	}
	if cfg.redis != nil {
		c.remote = &redisLayer{client: cfg.redis, prefix: cfg.keyPrefix}
	}
	return c, nil
}

// GetOrLoad returns the cached value of key, or calls load on a miss and
// caches what it returns. A failing Redis makes a read slower, never fail:
// the error is load's, or ctx's when the caller stops waiting. Concurrent
// misses of key wait for the first caller's load, run with that caller's
// context, and share its result, error included. The returned slice must
// not be modified.
func (c *Cache) GetOrLoad(ctx context.Context, key string, load Loader) ([]byte, error) {
	ctx, span := c.tel.tracer.Start(ctx, "cache get")
	defer span.End()
	if span.IsRecording() {
		span.SetAttributes(keyKey.String(key))
	}

	ttl := ttlFor(c.reads.read(key), c.cfg.baseTTL, c.cfg.maxTTL)
	if v, ok := c.local.get(key); ok {
		c.tel.count(ctx, span, memory, hit)
		return v, nil
	}
	if c.remote == nil {
		c.tel.count(ctx, span, memory, miss)
		return c.load(ctx, span, key, ttl, load)
	}

	v, ok, err := c.remote.get(ctx, key)
	switch {
	case err != nil:
		c.logError(ctx, err)
		c.tel.count(ctx, span, remote, failed)
	case ok:
		c.local.set(key, v, min(ttl, c.cfg.localTTL))
		c.tel.count(ctx, span, remote, hit)
		return v, nil
	default:
		c.tel.count(ctx, span, remote, miss)
	}
	return c.load(ctx, span, key, ttl, load)
}

// load runs load once for all concurrent misses of key and stores the
// value unless an invalidation ran meanwhile.
func (c *Cache) load(ctx context.Context, span trace.Span, key string,
	ttl time.Duration, load Loader) ([]byte, error) {
	c.mu.Lock()
	if f, ok := c.flights[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.value, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	epoch := c.epoch.Load()
	f.value, f.err = load(ctx)
	if f.err == nil && c.epoch.Load() == epoch {
		c.store(ctx, key, f.value, ttl)
	}
	if f.err != nil {
		span.RecordError(f.err)
		span.SetStatus(codes.Error, "load failed")
	}

	c.mu.Lock()
	delete(c.flights, key)
	c.mu.Unlock()
	close(f.done)
	return f.value, f.err
}

func (c *Cache) store(ctx context.Context, key string, v []byte, ttl time.Duration) {
	if c.remote == nil {
		c.local.set(key, v, ttl)
		return
	}
	if err := c.remote.set(ctx, key, v, ttl); err != nil {
		c.logError(ctx, err)
	}
	c.local.set(key, v, min(ttl, c.cfg.localTTL))
}

// Invalidate removes keys from every layer; call it after writing what
// they cache. Loads in flight at that moment do not store their values.
// The error is Redis' when it could not delete; the in-process layer is
// cleared regardless.
func (c *Cache) Invalidate(ctx context.Context, keys ...string) error {
	ctx, span := c.tel.tracer.Start(ctx, "cache invalidate",
		trace.WithAttributes(keyKey.StringSlice(keys)))
	defer span.End()
	c.epoch.Add(1)
	c.local.del(keys...)
	if c.remote == nil {
		return nil
	}
	err := c.remote.del(ctx, keys...)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "redis delete failed")
	}
	return err
}

func (c *Cache) logError(ctx context.Context, err error) {
	if c.cfg.logger != nil {
		c.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "cache: redis failed; "+
			"reading from the origin", slog.Any("error", err))
	}
}
