package dbsql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
)

// The fake driver below implements any combination of database/sql's
// optional interfaces (composed in facets_fake_test.go) and logs every
// driver call, so tests can compare the paths database/sql takes with and
// without the wrapper.

// money is an argument type only a NamedValueChecker accepts.
type money struct{ cents int64 }

// fakeLog records driver calls in order; it is safe for concurrent use.
type fakeLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *fakeLog) add(call string) {
	l.mu.Lock()
	l.calls = append(l.calls, call)
	l.mu.Unlock()
}

func (l *fakeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.calls, " ")
}

// fakeConfig selects the facets of the fake connections, statements and
// rows by mask (bit order as in facets_fake_test.go).
type fakeConfig struct {
	conn, stmt, rows uint
	log              *fakeLog
}

type fakeDriver struct{ cfg fakeConfig }

func (d *fakeDriver) Open(string) (driver.Conn, error) {
	d.cfg.log.add("Open")
	return composeFakeConn(&fakeConn{cfg: d.cfg}, d.cfg.conn), nil
}

type fakeConnector struct{ d *fakeDriver }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open("") }
func (c fakeConnector) Driver() driver.Driver                        { return c.d }

type fakeConn struct{ cfg fakeConfig }

type (
	fakeConnPinger         fakeConn
	fakeConnExecerContext  fakeConn
	fakeConnExecer         fakeConn
	fakeConnQueryerContext fakeConn
	fakeConnQueryer        fakeConn
	fakeConnResetter       fakeConn
	fakeConnValidator      fakeConn
	fakeConnChecker        fakeConn
)

func (c *fakeConn) Prepare(query string) (driver.Stmt, error) {
	c.cfg.log.add("Prepare")
	if strings.Contains(query, "bad") {
		return nil, errors.New("fake: syntax error")
	}
	return composeFakeStmt(&fakeStmt{cfg: c.cfg, query: query}, c.cfg.stmt), nil
}

func (c *fakeConn) Close() error { return nil }

func (c *fakeConn) Begin() (driver.Tx, error) {
	c.cfg.log.add("Begin")
	return fakeTx{c.cfg.log}, nil
}

func (c *fakeConnPinger) Ping(context.Context) error {
	c.cfg.log.add("Ping")
	return nil
}

func (c *fakeConnExecerContext) ExecContext(_ context.Context, q string,
	args []driver.NamedValue) (driver.Result, error) {
	c.cfg.log.add("ExecContext")
	return fakeExec(q, len(args))
}

func (c *fakeConnExecer) Exec(q string, args []driver.Value) (driver.Result, error) {
	c.cfg.log.add("Exec")
	return fakeExec(q, len(args))
}

func (c *fakeConnQueryerContext) QueryContext(_ context.Context, q string,
	args []driver.NamedValue) (driver.Rows, error) {
	c.cfg.log.add("QueryContext")
	return fakeQuery(c.cfg, q, valuesOf(args))
}

func (c *fakeConnQueryer) Query(q string, args []driver.Value) (driver.Rows, error) {
	c.cfg.log.add("Query")
	return fakeQuery(c.cfg, q, args)
}

func (c *fakeConnResetter) ResetSession(context.Context) error {
	c.cfg.log.add("ResetSession")
	return nil
}

func (c *fakeConnValidator) IsValid() bool {
	c.cfg.log.add("IsValid")
	return true
}

// CheckNamedValue on the connection turns money into cents.
func (c *fakeConnChecker) CheckNamedValue(nv *driver.NamedValue) error {
	c.cfg.log.add("conn.CheckNamedValue")
	if m, ok := nv.Value.(money); ok {
		nv.Value = m.cents
		return nil
	}
	return driver.ErrSkip
}

type fakeStmt struct {
	cfg   fakeConfig
	query string
}

type (
	fakeStmtChecker      fakeStmt
	fakeStmtConverter    fakeStmt
	fakeStmtExecContext  fakeStmt
	fakeStmtQueryContext fakeStmt
)

func (s *fakeStmt) Close() error  { return nil }
func (s *fakeStmt) NumInput() int { return -1 }

func (s *fakeStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.cfg.log.add("stmt.Exec")
	return fakeExec(s.query, len(args))
}

func (s *fakeStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.cfg.log.add("stmt.Query")
	return fakeQuery(s.cfg, s.query, args)
}

// CheckNamedValue on the statement turns money into a string, so results
// show which checker ran.
func (s *fakeStmtChecker) CheckNamedValue(nv *driver.NamedValue) error {
	s.cfg.log.add("stmt.CheckNamedValue")
	if m, ok := nv.Value.(money); ok {
		nv.Value = fmt.Sprintf("m%d", m.cents)
		return nil
	}
	return driver.ErrSkip
}

func (s *fakeStmtConverter) ColumnConverter(int) driver.ValueConverter {
	s.cfg.log.add("stmt.ColumnConverter")
	return driver.DefaultParameterConverter
}

func (s *fakeStmtExecContext) ExecContext(_ context.Context,
	args []driver.NamedValue) (driver.Result, error) {
	s.cfg.log.add("stmt.ExecContext")
	return fakeExec(s.query, len(args))
}

func (s *fakeStmtQueryContext) QueryContext(_ context.Context,
	args []driver.NamedValue) (driver.Rows, error) {
	s.cfg.log.add("stmt.QueryContext")
	return fakeQuery(s.cfg, s.query, valuesOf(args))
}

type fakeTx struct{ log *fakeLog }

func (x fakeTx) Commit() error   { x.log.add("Commit"); return nil }
func (x fakeTx) Rollback() error { x.log.add("Rollback"); return nil }

func fakeExec(q string, n int) (driver.Result, error) {
	if strings.Contains(q, "bad") {
		return nil, errors.New("fake: syntax error")
	}
	return driver.RowsAffected(n), nil
}

// fakeQuery returns one row per argument, holding the argument.
func fakeQuery(cfg fakeConfig, q string, args []driver.Value) (driver.Rows, error) {
	if strings.Contains(q, "bad") {
		return nil, errors.New("fake: syntax error")
	}
	return composeFakeRows(&fakeRows{values: args}, cfg.rows), nil
}

func valuesOf(args []driver.NamedValue) []driver.Value {
	vs := make([]driver.Value, len(args))
	for i, a := range args {
		vs[i] = a.Value
	}
	return vs
}

type fakeRows struct {
	values []driver.Value
	i      int
}

type (
	fakeRowsNextResultSet  fakeRows
	fakeRowsScanType       fakeRows
	fakeRowsTypeName       fakeRows
	fakeRowsLength         fakeRows
	fakeRowsNullable       fakeRows
	fakeRowsPrecisionScale fakeRows
)

func (r *fakeRows) Columns() []string { return []string{"v"} }
func (r *fakeRows) Close() error      { return nil }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= len(r.values) {
		return io.EOF
	}
	dest[0] = r.values[r.i]
	r.i++
	return nil
}

func (r *fakeRowsNextResultSet) HasNextResultSet() bool { return false }
func (r *fakeRowsNextResultSet) NextResultSet() error   { return io.EOF }

func (r *fakeRowsScanType) ColumnTypeScanType(int) reflect.Type {
	return reflect.TypeFor[string]()
}

func (r *fakeRowsTypeName) ColumnTypeDatabaseTypeName(int) string { return "FAKE" }

func (r *fakeRowsLength) ColumnTypeLength(int) (int64, bool) { return 8, true }

func (r *fakeRowsNullable) ColumnTypeNullable(int) (bool, bool) { return true, true }

func (r *fakeRowsPrecisionScale) ColumnTypePrecisionScale(int) (int64, int64, bool) {
	return 10, 2, true
}
