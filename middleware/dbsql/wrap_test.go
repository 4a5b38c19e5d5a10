package dbsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

func quietTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel, err := newTelemetry(newConfig([]Option{
		WithTracerProvider(tracenoop.NewTracerProvider()),
		WithMeterProvider(metricnoop.NewMeterProvider()),
	}))
	if err != nil {
		t.Fatal(err)
	}
	return tel
}

func implements[I any](v any) bool { return is[I](v) }

// optional lists each optional interface with how the wrapper should
// expose it given the underlying object.
type optional struct {
	name string
	has  func(any) bool
}

var (
	connOptionals = []optional{
		{"Pinger", implements[driver.Pinger]},
		{"ExecerContext", implements[driver.ExecerContext]},
		{"QueryerContext", implements[driver.QueryerContext]},
		{"SessionResetter", implements[driver.SessionResetter]},
		{"Validator", implements[driver.Validator]},
		{"NamedValueChecker", implements[driver.NamedValueChecker]},
	}
	stmtOptionals = []optional{
		{"NamedValueChecker", implements[driver.NamedValueChecker]},
		{"ColumnConverter", implements[driver.ColumnConverter]}, //nolint:staticcheck // still consulted by database/sql
	}
	rowsOptionals = []optional{
		{"RowsNextResultSet", implements[driver.RowsNextResultSet]},
		{"RowsColumnTypeScanType", implements[driver.RowsColumnTypeScanType]},
		{"RowsColumnTypeDatabaseTypeName", implements[driver.RowsColumnTypeDatabaseTypeName]},
		{"RowsColumnTypeLength", implements[driver.RowsColumnTypeLength]},
		{"RowsColumnTypeNullable", implements[driver.RowsColumnTypeNullable]},
		{"RowsColumnTypePrecisionScale", implements[driver.RowsColumnTypePrecisionScale]},
	}
)

// wantConn is what the wrapper must expose: the same optional interfaces,
// with the legacy Execer and Queryer served as their context variants
// (database/sql converts them the same way).
func wantConn(name string, c driver.Conn) bool {
	switch name {
	case "ExecerContext":
		return implements[driver.ExecerContext](c) || implements[driver.Execer](c) //nolint:staticcheck // legacy on purpose
	case "QueryerContext":
		return implements[driver.QueryerContext](c) || implements[driver.Queryer](c) //nolint:staticcheck // legacy on purpose
	}
	for _, o := range connOptionals {
		if o.name == name {
			return o.has(c)
		}
	}
	panic(name)
}

func TestWrappedConnExposesExactlyTheUnderlyingInterfaces(t *testing.T) {
	tel := quietTelemetry(t)
	for m := uint(0); m < 1<<8; m++ {
		fake := composeFakeConn(&fakeConn{cfg: fakeConfig{log: &fakeLog{}}}, m)
		w := wrapConn(fake, tel)
		for _, o := range connOptionals {
			if got, want := o.has(w), wantConn(o.name, fake); got != want {
				t.Errorf("conn facets %08b: wrapped %s = %v, want %v", m, o.name, got, want)
			}
		}
		if implements[driver.Execer](w) || implements[driver.Queryer](w) { //nolint:staticcheck // legacy on purpose
			t.Errorf("conn facets %08b: wrapper exposes a legacy interface", m)
		}
		if !implements[driver.ConnPrepareContext](w) || !implements[driver.ConnBeginTx](w) {
			t.Errorf("conn facets %08b: wrapper lacks PrepareContext or BeginTx", m)
		}
	}
}

func TestWrappedStmtAndRowsExposeExactlyTheUnderlyingInterfaces(t *testing.T) {
	tel := quietTelemetry(t)
	q := tel.queryOps("SELECT 1")
	for m := uint(0); m < 1<<4; m++ {
		fake := composeFakeStmt(&fakeStmt{cfg: fakeConfig{log: &fakeLog{}}}, m)
		w := wrapStmt(fake, tel, q, "SELECT 1")
		for _, o := range stmtOptionals {
			if got, want := o.has(w), o.has(fake); got != want {
				t.Errorf("stmt facets %04b: wrapped %s = %v, want %v", m, o.name, got, want)
			}
		}
	}
	for m := uint(0); m < 1<<6; m++ {
		fake := composeFakeRows(&fakeRows{}, m)
		_, span, start := tel.start(context.Background(), q.run)
		w := wrapRows(context.Background(), fake, tel, q.run, span, start)
		for _, o := range rowsOptionals {
			if got, want := o.has(w), o.has(fake); got != want {
				t.Errorf("rows facets %06b: wrapped %s = %v, want %v", m, o.name, got, want)
			}
		}
		w.Close()
	}
}

type contextDriver struct{ fakeDriver }

func (d *contextDriver) OpenConnector(string) (driver.Connector, error) {
	return fakeConnector{&d.fakeDriver}, nil
}

func TestWrapExposesDriverContextOnlyWhenTheDriverHasIt(t *testing.T) {
	plain := &fakeDriver{cfg: fakeConfig{log: &fakeLog{}}}
	withCtx := &contextDriver{fakeDriver{cfg: fakeConfig{log: &fakeLog{}}}}
	for _, tt := range []struct {
		name string
		d    driver.Driver
		want bool
	}{{"plain", plain, false}, {"DriverContext", withCtx, true}} {
		t.Run(tt.name, func(t *testing.T) {
			w := Wrap(tt.d, WithTracerProvider(tracenoop.NewTracerProvider()),
				WithMeterProvider(metricnoop.NewMeterProvider()))
			if got := implements[driver.DriverContext](w); got != tt.want {
				t.Errorf("wrapped DriverContext = %v, want %v", got, tt.want)
			}
		})
	}
}

// runScenario drives db through the database/sql paths the wrapper must
// keep and returns the results, errors and driver calls as text.
func runScenario(t *testing.T, db *sql.DB, log *fakeLog) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	note := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	exec := func(q string, args ...any) {
		res, err := db.ExecContext(ctx, q, args...)
		if err != nil {
			note("exec %q: err %v", q, err)
			return
		}
		n, _ := res.RowsAffected()
		note("exec %q: %d", q, n)
	}
	read := func(rows *sql.Rows, err error) {
		if err != nil {
			note("query: err %v", err)
			return
		}
		defer rows.Close()
		if types, err := rows.ColumnTypes(); err == nil {
			for _, ct := range types {
				l, lok := ct.Length()
				n, nok := ct.Nullable()
				p, s, pok := ct.DecimalSize()
				note("column %s %v %s %d%v %v%v %d,%d%v", ct.Name(), ct.ScanType(),
					ct.DatabaseTypeName(), l, lok, n, nok, p, s, pok)
			}
		}
		for rows.Next() {
			var v any
			if err := rows.Scan(&v); err != nil {
				note("scan: err %v", err)
			}
			note("row %v", v)
		}
		note("rows err %v, next set %v", rows.Err(), rows.NextResultSet())
	}

	note("ping %v", db.PingContext(ctx))
	exec("INSERT x", 1, "a")
	exec("INSERT money", money{5})
	exec("INSERT named", sql.Named("n", 1))
	exec("bad sql")
	read(db.QueryContext(ctx, "SELECT v", 1, money{7}))
	read(db.QueryContext(ctx, "bad query"))
	if st, err := db.PrepareContext(ctx, "SELECT prepared"); err != nil {
		note("prepare: err %v", err)
	} else {
		read(st.QueryContext(ctx, money{3}, "b"))
		st.Close()
	}
	if tx, err := db.BeginTx(ctx, nil); err != nil {
		note("begin: err %v", err)
	} else {
		res, err := tx.ExecContext(ctx, "UPDATE y", 2)
		note("tx exec %v %v commit %v", res != nil, err, tx.Commit())
	}
	_, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	note("read-only begin: err %v", err)
	_, err = db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	note("serializable begin: err %v", err)
	note("calls: %s", log)
	return strings.Join(out, "\n")
}

// TestWrappedDriverTakesTheSamePathsAsUnwrapped runs the same operations
// through database/sql on the fake driver, bare and wrapped, over
// combinations of the optional interfaces, and compares results, errors and
// the sequence of driver calls.
func TestWrappedDriverTakesTheSamePathsAsUnwrapped(t *testing.T) {
	stmtMasks := []uint{0, 0b0001, 0b0010, 0b1100, 0b1111}
	rowsMasks := []uint{0, 0b111111, 0b000101}
	for conn := uint(0); conn < 1<<8; conn++ {
		for i, stmt := range stmtMasks {
			rows := rowsMasks[(int(conn)+i)%len(rowsMasks)]
			name := fmt.Sprintf("conn=%08b/stmt=%04b/rows=%06b", conn, stmt, rows)
			t.Run(name, func(t *testing.T) {
				bare := runFake(t, fakeConfig{conn: conn, stmt: stmt, rows: rows}, false)
				wrapped := runFake(t, fakeConfig{conn: conn, stmt: stmt, rows: rows}, true)
				if bare != wrapped {
					t.Errorf("paths differ\nbare:\n%s\nwrapped:\n%s", bare, wrapped)
				}
			})
		}
	}
}

func runFake(t *testing.T, cfg fakeConfig, wrap bool) string {
	cfg.log = &fakeLog{}
	c := fakeConnector{&fakeDriver{cfg: cfg}}
	var db *sql.DB
	if wrap {
		var err error
		db, err = OpenDB(c, WithTracerProvider(tracenoop.NewTracerProvider()),
			WithMeterProvider(metricnoop.NewMeterProvider()))
		if err != nil {
			t.Fatal(err)
		}
	} else {
		db = sql.OpenDB(c)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return runScenario(t, db, cfg.log)
}

func TestConnCheckerIsUsedWhenOnlyTheConnHasOne(t *testing.T) {
	// conn has NamedValueChecker (bit 7), stmt has none: database/sql must
	// fall back to the connection's checker, which turns money into cents.
	cfg := fakeConfig{conn: 1 << 7, stmt: 0}
	got := runFake(t, cfg, true)
	if !strings.Contains(got, "row 7") || !strings.Contains(got, "conn.CheckNamedValue") {
		t.Errorf("connection checker not used:\n%s", got)
	}
	if strings.Contains(got, "stmt.CheckNamedValue") {
		t.Errorf("statement checker used though the statement has none:\n%s", got)
	}
}

func TestRowsColumnTypesMatchUnwrapped(t *testing.T) {
	for m := uint(0); m < 1<<6; m++ {
		cfg := fakeConfig{conn: 0b00011010, rows: m}
		bare, wrapped := runFake(t, cfg, false), runFake(t, cfg, true)
		if bare != wrapped {
			t.Errorf("rows facets %06b differ\nbare:\n%s\nwrapped:\n%s", m, bare, wrapped)
		}
	}
	if got := reflect.TypeFor[string]().String(); got != "string" {
		t.Fatal(got)
	}
}
