package vigil

import (
	"context"
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
	if ok, suppressed := e.allow(); ok {
		e.logger.Warn("vigil: telemetry error",
			slog.String("error", err.Error()),
			slog.Int("suppressed", suppressed))
	}
}

// allow counts one error and reports whether it may be logged now, with
// the number of errors suppressed since the last one logged.
func (e *errorLog) allow() (bool, int) {
	e.total.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if !e.last.IsZero() && now.Sub(e.last) < errorLogInterval {
		e.suppressed++
		return false, 0
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	return true, n
}

// internalLog is the slog handler behind OpenTelemetry's internal logger
// (otel.SetLogger): it passes on errors only, such as instrument
// conflicts found at collection time, under the same rate limit and
// count as errorLog, so they are logged rather than printed to stderr.
type internalLog struct {
	slog.Handler
	limit *errorLog
}

func (h internalLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h internalLog) Handle(ctx context.Context, r slog.Record) error {
	ok, suppressed := h.limit.allow()
	if !ok {
		return nil
	}
	r.AddAttrs(slog.Int("suppressed", suppressed))
	return h.Handler.Handle(ctx, r)
}

func (h internalLog) WithAttrs(as []slog.Attr) slog.Handler {
	return internalLog{h.Handler.WithAttrs(as), h.limit}
}

func (h internalLog) WithGroup(name string) slog.Handler {
	return internalLog{h.Handler.WithGroup(name), h.limit}
}
