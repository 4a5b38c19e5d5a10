package vigiltest

import (
	"io"
	"log/slog"

	"github.com/vigil-go/vigil/logging"
)

// newLogHandler returns the JSON handler behind [Telemetry.Logger].
func newLogHandler(w io.Writer) slog.Handler {
	return logging.NewHandler(w, logging.WithLevel(slog.LevelDebug))
}
