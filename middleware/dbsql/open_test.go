package dbsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"modernc.org/sqlite"
)

func TestParseDSNReadsServerAndPassword(t *testing.T) {
	tests := []struct {
		dsn      string
		host     string
		port     int
		password string
	}{
		{"postgres://app:pw1@db.internal:6543/shop?sslmode=disable", "db.internal", 6543, "pw1"},
		{"postgresql://app@[::1]:5432/shop", "::1", 5432, ""},
		{"postgres://a:b@h1:1,h2:2/db", "h1", 1, "b"},
		{"host=10.0.0.5 port=5433 user=app password='pw \\'2' dbname=shop", "10.0.0.5", 5433, "pw '2"},
		{"host=/var/run/postgresql user=app", "", 0, ""},
		{"app:pw3@tcp(mysql:3306)/shop", "mysql", 3306, "pw3"},
		{":memory:", "", 0, ""},
		{"file:shop.db?cache=shared", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			got := parseDSN(tt.dsn)
			if got.host != tt.host || got.port != tt.port || got.password != tt.password {
				t.Errorf("parseDSN = %+v, want host %q port %d password %q",
					got, tt.host, tt.port, tt.password)
			}
		})
	}
}

func TestBadDSNReturnsTheDriverErrorWithoutThePassword(t *testing.T) {
	tests := []struct{ name, driver, dsn string }{
		{"url", "pgx", "postgres://app:s3cretpw@127.0.0.1:notaport/db"},
		{"key value", "pgx", "host=127.0.0.1 port=x password=s3cretpw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// pgx parses the DSN when it first connects.
			db, err := Open(tt.driver, tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Ping()
			if err == nil {
				t.Fatal("Ping succeeded on a bad DSN")
			}
			if strings.Contains(err.Error(), "s3cretpw") {
				t.Errorf("error shows the password: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "dbsql: connect postgresql: ") {
				t.Errorf("error %q lacks the dbsql context", err)
			}
			var perr *pgconn.ParseConfigError
			if !errors.As(err, &perr) {
				t.Errorf("error %v does not wrap the driver's *pgconn.ParseConfigError", err)
			}
		})
	}
}

func TestOpenUnknownDriverFails(t *testing.T) {
	if _, err := Open("no-such-driver", ""); err == nil || !strings.HasPrefix(err.Error(), "dbsql: ") {
		t.Errorf("Open(no-such-driver) = %v, want a dbsql error", err)
	}
}

func TestOpeningManyTimesRegistersAndLeaksNothing(t *testing.T) {
	h := newHarness(t)
	before := sql.Drivers()
	for range 200 {
		db, err := Open("sqlite", ":memory:", h.options()...)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	if after := sql.Drivers(); !slices.Equal(before, after) {
		t.Errorf("registered drivers changed: %v -> %v", before, after)
	}
	if _, ok := find(h.collect(t), "db.client.connection.count"); ok {
		t.Errorf("pool metrics still reported after every DB was closed")
	}
	// goleak in TestMain checks that no goroutine outlives the DBs.
}

func TestPoolMetricsAreReadAtCollectionAndStopOnClose(t *testing.T) {
	h := newHarness(t)
	db, err := Open("sqlite", "file:"+t.TempDir()+"/pool.db", h.options(WithPoolName("shop"))...)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(3)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rm := h.collect(t)
	m, ok := find(rm, "db.client.connection.count")
	if !ok {
		t.Fatal("no db.client.connection.count")
	}
	used := -1
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		state, _ := dp.Attributes.Value("db.client.connection.state")
		pool, _ := dp.Attributes.Value(keyPoolName)
		if state.AsString() == "used" && pool.AsString() == "shop" {
			used = int(dp.Value)
		}
	}
	if used != 1 {
		t.Errorf("used connections = %d, want 1", used)
	}
	if m, ok := find(rm, "db.client.connection.max"); !ok ||
		m.Data.(metricdata.Sum[int64]).DataPoints[0].Value != 3 {
		t.Errorf("db.client.connection.max missing or not 3: %+v", m)
	}
	for _, name := range []string{"vigil.db.client.connection.waits",
		"vigil.db.client.connection.wait_duration", "vigil.db.client.connection.closed"} {
		if _, ok := find(rm, name); !ok {
			t.Errorf("no %s", name)
		}
	}
	conn.Close()
	db.Close()
	if _, ok := find(h.collect(t), "db.client.connection.count"); ok {
		t.Errorf("pool metrics reported after Close")
	}
}

func TestRegisterPoolMetricsForSelfRegisteredDrivers(t *testing.T) {
	h := newHarness(t)
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	unregister, err := RegisterPoolMetrics(db, WithMeterProvider(h.mp), WithSystem("sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := find(h.collect(t), "db.client.connection.count"); !ok {
		t.Errorf("no pool metrics after RegisterPoolMetrics")
	}
	if err := unregister(); err != nil {
		t.Fatal(err)
	}
	if _, ok := find(h.collect(t), "db.client.connection.count"); ok {
		t.Errorf("pool metrics after unregister")
	}
}

func TestPostgresSpansCarryServerAndSQLState(t *testing.T) {
	dsn := postgresDSN(t)
	h := newHarness(t)
	db, err := Open("pgx", dsn, h.options()...)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, end := h.requestSpan(context.Background())
	defer end()
	for _, q := range []string{
		"DROP TABLE IF EXISTS pg_products",
		"CREATE TABLE pg_products (id int PRIMARY KEY, name text)",
		"INSERT INTO pg_products VALUES (1, 'tea')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT name FROM pg_products WHERE id = $1", 1).Scan(&name); err != nil || name != "tea" {
		t.Fatalf("QueryRow = %q, %v", name, err)
	}
	err = db.QueryRowContext(ctx, "SELECT name FROM pg_products WHERE id = $1", 2).Scan(&name)
	if !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("missing row: %v, want ErrNoRows", err)
	}
	if _, err := db.ExecContext(ctx, "SELEC 1"); err == nil {
		t.Fatal("invalid SQL succeeded")
	}

	selects := h.spans("SELECT pg_products")
	if len(selects) != 2 {
		t.Fatalf("%d SELECT spans, want 2", len(selects))
	}
	for _, s := range selects {
		wantAttr(t, s, keySystem, "postgresql")
		wantAttr(t, s, keyServerAddress, "127.0.0.1")
		wantAttr(t, s, keyServerPort, strings.Split(strings.Split(dsn, ":")[2], "/")[0])
		if s.Status().Code == codes.Error {
			t.Errorf("SELECT span marked error: %v", s.Status())
		}
	}
	bad := h.spans("SELEC")
	if len(bad) != 1 || bad[0].Status().Code != codes.Error {
		t.Fatalf("invalid SQL span missing or not an error: %v", bad)
	}
	wantAttr(t, bad[0], keyErrorType, "42601") // SQLSTATE syntax_error
}

func TestPostgresRepeatedShapeWarnsOnce(t *testing.T) {
	dsn := postgresDSN(t)
	h := newHarness(t)
	db, err := Open("pgx", dsn, h.options()...)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	ctx, endScope := StartScope(context.Background())
	for i := range 8 {
		if err := db.QueryRowContext(ctx, "SELECT $1::int", i).Scan(new(int)); err != nil {
			t.Fatal(err)
		}
	}
	endScope()
	if logs := h.logs.String(); strings.Count(logs, "N+1") != 1 || !strings.Contains(logs, `"count":8`) {
		t.Errorf("want one N+1 warning with count 8 over PostgreSQL: %s", logs)
	}
}

// leakyDriver repeats its DSN in its errors, as some drivers do.
type leakyDriver struct{}

func (leakyDriver) Open(name string) (driver.Conn, error) {
	return nil, errors.New("leaky: cannot connect with " + name)
}

func init() { sql.Register("vigil-test-leaky", leakyDriver{}) }

func TestConnectErrorMasksThePasswordTheDriverRepeats(t *testing.T) {
	db, err := Open("vigil-test-leaky", "postgres://app:s3cretpw@127.0.0.1:1/db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Ping()
	if err == nil || strings.Contains(err.Error(), "s3cretpw") || !strings.Contains(err.Error(), "xxxxx") {
		t.Errorf("Ping error = %v, want the password masked", err)
	}
	if !strings.Contains(err.Error(), "leaky: cannot connect") {
		t.Errorf("Ping error = %v, lost the driver's message", err)
	}
}

// selfRegistered numbers the driver names TestWrapInstrumentsASelfRegisteredDriver
// registers: database/sql panics on a name registered twice, as with -count=2.
var selfRegistered atomic.Int64

func TestWrapInstrumentsASelfRegisteredDriver(t *testing.T) {
	h := newHarness(t)
	name := fmt.Sprintf("vigil-test-wrapped-sqlite-%d", selfRegistered.Add(1))
	sql.Register(name, Wrap(&sqlite.Driver{}, h.options()...))
	db, err := sql.Open(name, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT 1").Scan(new(int)); err != nil {
		t.Fatal(err)
	}
	s := h.spans("SELECT")
	if len(s) != 1 {
		t.Fatalf("%d SELECT spans, want 1", len(s))
	}
	wantAttr(t, s[0], keySystem, "sqlite")
}

func TestOpenDBInfersTheSystemFromTheConnector(t *testing.T) {
	dsn := postgresDSN(t)
	h := newHarness(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenDB(stdlib.GetConnector(*cfg), h.options(WithServerAddress(cfg.Host, int(cfg.Port)))...)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT 1").Scan(new(int)); err != nil {
		t.Fatal(err)
	}
	s := h.spans("SELECT")
	if len(s) != 1 {
		t.Fatalf("%d SELECT spans, want 1", len(s))
	}
	wantAttr(t, s[0], keySystem, "postgresql")
	wantAttr(t, s[0], keyServerAddress, "127.0.0.1")
}

func TestPostgresManyRowsEarlyCloseAndCancelEndOneSpanEach(t *testing.T) {
	dsn := postgresDSN(t)
	for _, tt := range []struct {
		name   string
		cancel bool
	}{{"early close", false}, {"cancel", true}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			db, err := Open("pgx", dsn, h.options()...)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx, end := h.requestSpan(context.Background())
			qctx, cancel := context.WithCancel(ctx)
			defer cancel()
			rows, err := db.QueryContext(qctx, "SELECT x FROM generate_series(1, 5000) AS x")
			if err != nil {
				t.Fatal(err)
			}
			for n := 1; rows.Next(); n++ {
				if n == 100 {
					if !tt.cancel {
						break
					}
					cancel()
				}
			}
			rows.Close()
			end()
			if started, ended := len(h.rec.Started()), len(h.rec.Ended()); started != ended {
				t.Errorf("%d spans started, %d ended", started, ended)
			}
			spans := h.spans("SELECT")
			if len(spans) != 1 {
				var names []string
				for _, s := range h.rec.Ended() {
					names = append(names, s.Name())
				}
				t.Fatalf("query spans: %v, want one SELECT", names)
			}
			if tt.cancel {
				wantAttr(t, spans[0], keyErrorType, "canceled")
			} else {
				wantAttr(t, spans[0], keyReturnedRows, "100")
			}
		})
	}
}
