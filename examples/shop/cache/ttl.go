package cache

import (
	"math/bits"
	"sync"
	"time"
)

// readCounts counts reads per key with exponential decay: a count halves
// every half-life. It is safe for concurrent use.
type readCounts struct {
	mu       sync.Mutex
	counts   map[string]readCount
	halfLife time.Duration
	max      int
	now      func() time.Time
}

type readCount struct {
	n     uint64
	since time.Time // when n was last decayed
}

func newReadCounts(halfLife time.Duration, max int, now func() time.Time) *readCounts {
	return &readCounts{counts: make(map[string]readCount), halfLife: halfLife,
		max: max, now: now}
}

// read counts one read of key and returns the decayed count, at least 1.
func (r *readCounts) read(key string) uint64 {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.counts[key]
	if !ok {
		if len(r.counts) >= r.max {
			for k := range r.counts { // drop an arbitrary key
				delete(r.counts, k)
				break
			}
		}
		c.since = now
	}
	if halvings := now.Sub(c.since) / r.halfLife; halvings > 0 {
		c.n >>= min(uint64(halvings), 63)
		c.since = c.since.Add(halvings * r.halfLife)
	}
	c.n++
	r.counts[key] = c
	return c.n
}

// ttlFor returns base doubled once per doubling of reads, at most max:
// 1 read gives base, 2–3 give 2×base, 4–7 give 4×base, and so on.
func ttlFor(reads uint64, base, max time.Duration) time.Duration {
	if reads == 0 {
		return base
	}
	shift := bits.Len64(reads) - 1
	if shift >= 62 || base<<shift > max || base<<shift <= 0 {
		return max
	}
	return base << shift
}
