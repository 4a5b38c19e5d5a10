package dbsql

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/internal/testsvc"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/vigil-go/vigil/vigiltest"
	_ "modernc.org/sqlite"
)

// One PostgreSQL cluster serves every test in this binary; it starts on
// first use and stops after the leak check.
var shared struct {
	once sync.Once
	pg   *testsvc.PostgresServer
	err  error
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if shared.pg != nil {
			if err := shared.pg.Stop(); err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
			}
		}
		os.Exit(code)
	}))
}

// postgresDSN returns the shared cluster's DSN, or reports it missing.
func postgresDSN(t testing.TB) string {
	t.Helper()
	shared.once.Do(func() { shared.pg, shared.err = testsvc.StartPostgres() })
	if errors.Is(shared.err, testsvc.ErrPostgresMissing) {
		testsvc.Missing(t, "PostgreSQL 15", shared.err.Error())
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.pg.DSN
}

// harness collects spans, metrics and logs in memory.
type harness struct {
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	logs   *vigiltest.Buffer
	logger *slog.Logger
}

func newHarness(t *testing.T) *harness {
	h := &harness{rec: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader(),
		logs: &vigiltest.Buffer{}}
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.rec))
	h.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	h.logger = slog.New(slog.NewJSONHandler(h.logs, nil))
	t.Cleanup(func() {
		_ = h.tp.Shutdown(context.Background())
		_ = h.mp.Shutdown(context.Background())
	})
	return h
}

func (h *harness) options(extra ...Option) []Option {
	return append([]Option{WithTracerProvider(h.tp), WithMeterProvider(h.mp),
		WithLogger(h.logger)}, extra...)
}

// sqlite opens an in-memory SQLite database on one connection.
func (h *harness) sqlite(t *testing.T, extra ...Option) *sql.DB {
	t.Helper()
	db, err := Open("sqlite", ":memory:", h.options(extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// requestSpan starts a span standing in for the HTTP request span.
func (h *harness) requestSpan(ctx context.Context) (context.Context, func()) {
	ctx, span := h.tp.Tracer("test").Start(ctx, "GET /orders")
	return ctx, func() { span.End() }
}

func (h *harness) spans(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func (h *harness) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// find returns the named metric, or false.
func find(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

func attr(attrs []attribute.KeyValue, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range attrs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func wantAttr(t *testing.T, s sdktrace.ReadOnlySpan, key attribute.Key, want string) {
	t.Helper()
	v, ok := attr(s.Attributes(), key)
	if !ok || v.String() != want {
		t.Errorf("span %q: %s = %q (set %v), want %q", s.Name(), key, v.String(), ok, want)
	}
}
