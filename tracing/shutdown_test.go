package tracing_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/vigil-go/vigil/tracing"
)

// fakeExporter fails its first failFirst exports with errDown, then
// succeeds, or hangs until its context ends when hang is set.
type fakeExporter struct {
	failFirst int64
	hang      bool
	calls     atomic.Int64
}

var errDown = errors.New("collector down")

func (e *fakeExporter) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	if e.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if e.calls.Add(1) <= e.failFirst {
		return errDown
	}
	return nil
}

func (e *fakeExporter) Shutdown(context.Context) error { return nil }

func TestShutdownReportsSpansNotExported(t *testing.T) {
	tests := []struct {
		name     string
		exporter *fakeExporter
		timeout  time.Duration // of Shutdown's context; 0 means none
		want     string        // error substring, "" for nil
		wantIs   error
	}{
		{"exported", &fakeExporter{}, 0, "", nil},
		{"final export failed", &fakeExporter{failFirst: 1 << 30}, 0,
			"tracing: shutdown: 3 spans not exported: collector down", errDown},
		{"abandoned at deadline", &fakeExporter{hang: true}, 100 * time.Millisecond,
			"tracing: shutdown: ", context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			tp, err := tracing.NewProvider(context.Background(),
				tracing.WithExporter(tt.exporter),
				tracing.WithBatchTimeout(time.Hour), // only Shutdown exports
				tracing.WithExportTimeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				_, span := tp.Tracer("t").Start(context.Background(), "op")
				span.End()
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			err = tp.Shutdown(ctx)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Shutdown = %v, want nil", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.wantIs) {
				t.Fatalf("Shutdown = %v, want %q wrapping %v", err, tt.want, tt.wantIs)
			}
			if err := tp.Shutdown(context.Background()); err != nil {
				t.Errorf("second Shutdown = %v, want nil", err)
			}
		})
	}
}

// Failures before Shutdown went to the OTel error handler already; only
// the final flush decides Shutdown's result.
func TestShutdownIgnoresExportFailuresBeforeIt(t *testing.T) {
	clearEnv(t)
	exp := &fakeExporter{failFirst: 1}
	tp, err := tracing.NewProvider(context.Background(),
		tracing.WithExporter(exp), tracing.WithBatchTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("t").Start(context.Background(), "early")
	span.End()
	if err := tp.ForceFlush(context.Background()); !errors.Is(err, errDown) {
		t.Fatalf("ForceFlush = %v, want the first export's failure", err)
	}
	_, span = tp.Tracer("t").Start(context.Background(), "late")
	span.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown = %v, want nil: its own flush succeeded", err)
	}
}
