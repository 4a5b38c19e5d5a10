package dbsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"modernc.org/sqlite"

	"github.com/vigil-go/vigil/middleware/dbsql"
)

func ExampleOpen() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	// The one-line change: dbsql.Open instead of sql.Open.
	db, err := dbsql.Open("sqlite", ":memory:", dbsql.WithTracerProvider(tp))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	var n int
	if err := db.QueryRow("SELECT 40 + 2").Scan(&n); err != nil {
		fmt.Println(err)
		return
	}
	span := rec.Ended()[0]
	fmt.Println(n, span.Name())
	// Output: 42 SELECT
}

func ExampleOpenDB() {
	cfg, err := pgx.ParseConfig("postgres://app@127.0.0.1:5432/shop")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Wrap the connector; the system comes from the driver's package and
	// the server attributes from the option.
	db, err := dbsql.OpenDB(stdlib.GetConnector(*cfg),
		dbsql.WithServerAddress(cfg.Host, int(cfg.Port)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close() // also stops the pool metrics
	// Use db as any *sql.DB.
}

func ExampleWrap() {
	sql.Register("sqlite-vigil-example", dbsql.Wrap(&sqlite.Driver{}))
	db, err := sql.Open("sqlite-vigil-example", ":memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	stop, err := dbsql.RegisterPoolMetrics(db, dbsql.WithSystem("sqlite"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = stop() }()
	fmt.Println(db.Ping())
	// Output: <nil>
}

func ExampleStartScope() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	db, err := dbsql.Open("sqlite", ":memory:", dbsql.WithLogger(logger),
		dbsql.WithNPlusOneThreshold(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	// A job outside HTTP: open a scope so repeated query shapes are noticed.
	ctx, end := dbsql.StartScope(context.Background())
	for id := range 3 {
		if err := db.QueryRowContext(ctx, "SELECT ?", id).Scan(new(int)); err != nil {
			fmt.Println(err)
		}
	}
	end()
	// Output: level=WARN msg="dbsql: N+1 query pattern: one query shape ran repeatedly in one request" db.query.text="SELECT ?" count=3 threshold=2
}
