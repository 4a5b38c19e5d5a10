package cache

import (
	"sync"
	"time"
)

// local is the in-process layer: a bounded map of entries with expiry. It
// is safe for concurrent use.
type local struct {
	mu      sync.Mutex
	entries map[string]entry
	max     int
	now     func() time.Time
}

type entry struct {
	value   []byte
	expires time.Time
}

func newLocal(max int, now func() time.Time) *local {
	return &local{entries: make(map[string]entry), max: max, now: now}
}

func (l *local) get(key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		return nil, false
	}
	if !l.now().Before(e.expires) {
		delete(l.entries, key)
		return nil, false
	}
	return e.value, true
}

func (l *local) set(key string, value []byte, ttl time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.entries[key]; !ok && len(l.entries) >= l.max {
		l.evictOne()
	}
	l.entries[key] = entry{value: value, expires: l.now().Add(ttl)}
}

// evictOne removes an expired entry if it finds one among a few, else an
// arbitrary one: map iteration order is random, which makes this a cheap
// random eviction.
func (l *local) evictOne() {
	now := l.now()
	victim, looked := "", 0
	for k, e := range l.entries {
		if !now.Before(e.expires) {
			victim = k
			break
		}
		if victim == "" {
			victim = k
		}
		if looked++; looked == 8 {
			break
		}
	}
	delete(l.entries, victim)
}

func (l *local) del(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.entries, k)
	}
}
