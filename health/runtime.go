package health

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
)

// Goroutines returns a check that fails when the process runs more than
// limit goroutines: a cheap alarm for goroutine leaks. It is meant for
// liveness, usually as [Check.Optional] so that it warns instead of
// restarting the process. A non-positive limit never fails.
func Goroutines(limit int) CheckFunc {
	return func(context.Context) error {
		n := runtime.NumGoroutine()
		if limit > 0 && n > limit {
			return fmt.Errorf("health: %d goroutines, limit %d", n, limit)
		}
		return nil
	}
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// Heap returns a check that fails when the heap holds more than maxBytes
// of live and not yet swept objects, read from runtime/metrics without
// stopping the world. Like [Goroutines] it is a leak alarm for liveness.
// A zero maxBytes never fails.
func Heap(maxBytes uint64) CheckFunc {
	return func(context.Context) error {
		s := []metrics.Sample{{Name: heapMetric}}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return fmt.Errorf("health: runtime metric %s unavailable", heapMetric)
		}
		if n := s[0].Value.Uint64(); maxBytes > 0 && n > maxBytes {
			return fmt.Errorf("health: heap %d bytes, limit %d", n, maxBytes)
		}
		return nil
	}
}
