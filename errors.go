package vigil

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// errorLogInterval is the shortest time between two log lines about
// telemetry errors; errors in between are counted, not logged.
const errorLogInterval = time.Minute

// errorLog is an OTel error handler that logs through a slog logger at
// most once per errorLogInterval and counts every error.
type errorLog struct {
	logger *slog.Logger
	total  atomic.Int64

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (e *errorLog) Handle(err error) {
	if err == nil {
		return
	}
	e.total.Add(1)
	e.mu.Lock()
	now := time.Now()
	if !e.last.IsZero() && now.Sub(e.last) < errorLogInterval {
		e.suppressed++
		e.mu.Unlock()
		return
	}
	suppressed := e.suppressed
	e.last, e.suppressed = now, 0
	e.mu.Unlock()

	e.logger.Warn("vigil: telemetry error",
		slog.String("error", err.Error()),
		slog.Int("suppressed", suppressed))
}
