package middleware

import (
	"sync"
	"sync/atomic"
)

// maxCached bounds every cache below. Past it, values are built per
// request (slower, still correct); the meter provider's cardinality
// limit bounds the series.
const maxCached = 2048

// cowCache is a read-mostly map: reads are one atomic load and a map
// lookup with no lock; a miss copies the map under a mutex. Entries are
// never removed, so it suits keys from a bounded set (method × route ×
// status). It is safe for concurrent use.
type cowCache[K comparable, V any] struct {
	mu sync.Mutex
	m  atomic.Pointer[map[K]V]
}

// get returns the value for k, building it with build on a miss.
func (c *cowCache[K, V]) get(k K, build func(K) V) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	return c.add(k, build)
}

func (c *cowCache[K, V]) add(k K, build func(K) V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
		if len(*old) >= maxCached {
			return build(k)
		}
	}
	v := build(k)
	next := make(map[K]V, 1+lenOf(old))
	if old != nil {
		for key, val := range *old {
			next[key] = val
		}
	}
	next[k] = v
	c.m.Store(&next)
	return v
}

func lenOf[K comparable, V any](m *map[K]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
