package cache

import (
	"context"
	"encoding/json"
)

// GetJSON is [Cache.GetOrLoad] for values stored as JSON: on a miss it
// calls load, caches the JSON encoding of its result and returns the
// result itself. A cached value that does not decode into T is
// invalidated and loaded again.
func GetJSON[T any](ctx context.Context, c *Cache, key string,
	load func(context.Context) (T, error)) (T, error) {
	var loaded *T
	b, err := c.GetOrLoad(ctx, key, func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		loaded = &v
		return json.Marshal(v)
	})
	var v T
	switch {
	case err != nil:
		return v, err
	case loaded != nil:
		return *loaded, nil
	}
	if json.Unmarshal(b, &v) == nil {
		return v, nil
	}
	if err := c.Invalidate(ctx, key); err != nil {
		c.logError(ctx, err)
	}
	return load(ctx)
}
