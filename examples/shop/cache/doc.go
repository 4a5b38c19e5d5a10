// Package cache is the reference shop's read cache: cache-aside with
// invalidation on write and a time to live that grows with how often a
// key is read.
//
// # Quick start
//
//	c := cache.New(cache.WithMeterProvider(mp), cache.WithTracerProvider(tp))
//	p, err := cache.GetJSON(ctx, c, "product:42", func(ctx context.Context) (product, error) {
//		return db.Product(ctx, 42) // runs only on a miss
//	})
//	...
//	err = c.Invalidate(ctx, "product:42") // after every write of product 42
//
// # Layers
//
// By default entries live in process memory. With [WithRedis] the cache has
// two layers: a small in-process layer in front of Redis, shared by every
// replica of the service. A read tries memory, then Redis, then loads from
// the origin and fills both. [OpenRedis] builds a Redis client from a URL
// with go-redis' OpenTelemetry instrumentation, so every Redis command is a
// span in the request's trace; [FromEnv] does that when REDIS_URL is set
// and keeps to memory otherwise.
//
// # Time to live
//
// Every read of a key counts; the count halves every half-life
// ([WithHalfLife]). An entry is stored for the base TTL doubled once per
// doubling of its count, up to the maximum ([WithTTL]): hot keys stay
// cached longer, cold keys expire soon. In front of Redis the in-process
// layer keeps entries at most [WithLocalTTL], because another replica's
// invalidation cannot reach it.
//
// # Consistency
//
// [Cache.Invalidate] deletes keys from both layers. A load that was in
// flight while any invalidation ran is returned to its caller but not
// stored, so a write cannot be undone by a read that started before it.
// Across replicas, a replica's in-process layer may serve a value up to
// its local TTL after another replica's write, and a load racing another
// replica's invalidation can store an old value in Redis until its TTL
// ends. Concurrent misses of one key share a single load.
//
// # Failure
//
// The cache never fails a read because of itself: a Redis error is logged
// (through [WithLogger]), counted as result "error", and the value is
// loaded from the origin. Only the loader's error is returned.
//
// # Telemetry
//
//   - shop.cache.lookups (counter, {lookup}): one per read, with
//     shop.cache.result (hit, miss or error) and shop.cache.layer (memory
//     or redis: the layer that answered, or the last one asked). The hit
//     ratio is the share of result="hit".
//   - a span "cache get" per read and "cache invalidate" per
//     invalidation, with shop.cache.key, shop.cache.result and
//     shop.cache.layer, as children of the request's span; Redis commands
//     are their children.
package cache
