package cache

import (
	"os"
)

// FromEnv returns a cache configured by opts and, when REDIS_URL (read
// with getenv, or os.Getenv when nil) is set, backed by Redis at that URL
// through [OpenRedis] with the same options. The returned closeRedis
// releases the Redis client and does nothing without Redis; call it after
// the last read. The error is a malformed REDIS_URL's.
func FromEnv(getenv func(string) string, opts ...Option) (c *Cache, closeRedis func() error, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	closeRedis = func() error { return nil }
	if url := getenv("REDIS_URL"); url != "" {
		rdb, err := OpenRedis(url, opts...)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts[:len(opts):len(opts)], WithRedis(rdb))
		closeRedis = rdb.Close
	}
	c, err = New(opts...)
	if err != nil {
		_ = closeRedis()
		return nil, nil, err
	}
	return c, closeRedis, nil
}
