package dbsql_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/vigil-go/vigil/internal/scope"
	"github.com/vigil-go/vigil/internal/testsvc"
	"github.com/vigil-go/vigil/middleware/dbsql"
)

// dropExporter accepts spans and throws them away, so the benchmarks pay
// for the real batch span processor but not for a network.
type dropExporter struct{}

func (dropExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (dropExporter) Shutdown(context.Context) error                             { return nil }

// providers are real SDK providers: a batch span processor and a manual
// metric reader (aggregation happens on record, as with Prometheus).
func providers(b *testing.B) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(dropExporter{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return tp, mp
}

type opener func(b *testing.B, driverName, dsn string, system attribute.KeyValue) *sql.DB

var variants = []struct {
	name string
	open opener
}{
	{"bare", func(b *testing.B, driverName, dsn string, _ attribute.KeyValue) *sql.DB {
		db, err := sql.Open(driverName, dsn)
		must(b, err)
		return db
	}},
	{"otelsql-defaults", func(b *testing.B, driverName, dsn string, system attribute.KeyValue) *sql.DB {
		tp, mp := providers(b)
		db, err := otelsql.Open(driverName, dsn, otelsql.WithTracerProvider(tp),
			otelsql.WithMeterProvider(mp), otelsql.WithAttributes(system))
		must(b, err)
		_, err = otelsql.RegisterDBStatsMetrics(db, otelsql.WithMeterProvider(mp),
			otelsql.WithAttributes(system))
		must(b, err)
		return db
	}},
	{"otelsql-one-span", func(b *testing.B, driverName, dsn string, system attribute.KeyValue) *sql.DB {
		tp, mp := providers(b)
		db, err := otelsql.Open(driverName, dsn, otelsql.WithTracerProvider(tp),
			otelsql.WithMeterProvider(mp), otelsql.WithAttributes(system),
			otelsql.WithSpanOptions(otelsql.SpanOptions{OmitConnResetSession: true,
				OmitConnPrepare: true, OmitRows: true, OmitConnectorConnect: true}))
		must(b, err)
		_, err = otelsql.RegisterDBStatsMetrics(db, otelsql.WithMeterProvider(mp),
			otelsql.WithAttributes(system))
		must(b, err)
		return db
	}},
	{"vigil", func(b *testing.B, driverName, dsn string, _ attribute.KeyValue) *sql.DB {
		tp, mp := providers(b)
		db, err := dbsql.Open(driverName, dsn, dbsql.WithTracerProvider(tp),
			dbsql.WithMeterProvider(mp))
		must(b, err)
		return db
	}},
}

// processCPU returns the user and system CPU time this process has used,
// in nanoseconds, all goroutines included (batch processor, GC).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// benchPointQuery reads one row by key, inside a request scope as the HTTP
// middleware would open it (vigil counts the shape for N+1 detection).
func benchPointQuery(b *testing.B, driverName, dsn, setup, query string, system attribute.KeyValue) {
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			db := v.open(b, driverName, dsn, system)
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(setup); err != nil {
				b.Fatal(err)
			}
			ctx, end := scope.Start(context.Background())
			defer end(ctx)
			var name string
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			n := 0
			for ; b.Loop(); n++ {
				if err := db.QueryRowContext(ctx, query, 1+n%2).Scan(&name); err != nil {
					b.Fatal(err)
				}
			}
			// The machine is shared: CPU time of this process per query is
			// steadier than wall time when other work competes for cores.
			b.ReportMetric(float64(processCPU()-cpu)/float64(n), "cpu-ns/op")
		})
	}
}

const benchSetup = `CREATE TABLE IF NOT EXISTS bench_products (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO bench_products VALUES (1, 'tea'), (2, 'cake') ON CONFLICT DO NOTHING`

func BenchmarkPointQuerySQLite(b *testing.B) {
	benchPointQuery(b, "sqlite", ":memory:", benchSetup,
		"SELECT name FROM bench_products WHERE id = ?", attribute.String("db.system.name", "sqlite"))
}

func BenchmarkPointQueryPostgres(b *testing.B) {
	dsn := os.Getenv("VIGIL_BENCH_PG_DSN")
	if dsn == "" {
		s, err := testsvc.StartPostgres()
		if errors.Is(err, testsvc.ErrPostgresMissing) {
			b.Skip(err)
		}
		must(b, err)
		defer func() { _ = s.Stop() }()
		dsn = s.DSN
	}
	benchPointQuery(b, "pgx", dsn, benchSetup,
		"SELECT name FROM bench_products WHERE id = $1", attribute.String("db.system.name", "postgresql"))
}
