package dbsql

import (
	"context"
	"database/sql/driver"
	"errors"
)

//go:generate go run ./internal/gen

// conn wraps a driver.Conn. Its methods are the ones every wrapped
// connection has: database/sql's own fallbacks for ConnPrepareContext and
// ConnBeginTx are reproduced here, so exposing both always takes the same
// paths and returns the same errors. The optional interfaces live on the
// facet types below and are exposed by composeConn only when the
// underlying connection implements them.
type conn struct {
	c driver.Conn
	t *telemetry
}

// Facets of conn, each exposing one optional interface.
type (
	connPinger    conn
	connExecer    conn
	connQueryer   conn
	connResetter  conn
	connValidator conn
	connChecker   conn
)

func wrapConn(c driver.Conn, t *telemetry) driver.Conn {
	return composeConn(&conn{c: c, t: t}, connFacets(c))
}

// is reports whether v implements I.
func is[I any](v any) bool {
	_, ok := v.(I)
	return ok
}

func (c *conn) Close() error { return c.c.Close() }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	q := c.t.queryOps(query)
	ctx, span, start := c.t.start(ctx, q.prepare)
	s, err := prepare(ctx, c.c, query)
	c.t.finish(ctx, q.prepare, span, start, err, -1, false)
	if err != nil {
		return nil, err
	}
	return wrapStmt(s, c.t, q, query), nil
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	sctx, span, start := c.t.start(ctx, c.t.begin)
	x, err := begin(sctx, c.c, opts)
	c.t.finish(sctx, c.t.begin, span, start, err, -1, false)
	if err != nil {
		return nil, err
	}
	return &tx{tx: x, t: c.t, ctx: ctx}, nil
}

func (c *connPinger) Ping(ctx context.Context) error {
	return c.c.(driver.Pinger).Ping(ctx)
}

func (c *connResetter) ResetSession(ctx context.Context) error {
	return c.c.(driver.SessionResetter).ResetSession(ctx)
}

func (c *connValidator) IsValid() bool { return c.c.(driver.Validator).IsValid() }

func (c *connChecker) CheckNamedValue(nv *driver.NamedValue) error {
	return c.c.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (c *connExecer) ExecContext(ctx context.Context, query string,
	args []driver.NamedValue) (driver.Result, error) {
	t := c.t
	op := t.queryOps(query).run
	ctx, span, start := t.start(ctx, op)
	t.annotate(span, query, args)
	res, err := exec(ctx, c.c, query, args)
	t.finish(ctx, op, span, start, err, affectedRows(span, res, err), true)
	return res, err
}

func (c *connQueryer) QueryContext(ctx context.Context, query string,
	args []driver.NamedValue) (driver.Rows, error) {
	t := c.t
	op := t.queryOps(query).run
	ctx, span, start := t.start(ctx, op)
	t.annotate(span, query, args)
	r, err := queryConn(ctx, c.c, query, args)
	if err != nil {
		t.finish(ctx, op, span, start, err, -1, false)
		return nil, err
	}
	return wrapRows(ctx, r, t, op, span, start), nil
}

// affectedRows asks res for the rows affected when the span records them.
func affectedRows(span interface{ IsRecording() bool }, res driver.Result, err error) int64 {
	if err != nil || res == nil || !span.IsRecording() {
		return -1
	}
	n, err := res.RowsAffected()
	if err != nil {
		return -1
	}
	return n
}

// The functions below call the context variant of a driver method when it
// exists and otherwise do what database/sql does for drivers without it,
// with the same error texts.

var (
	errNamedArgs = errors.New("sql: driver does not support the use of Named Parameters")
	errIsolation = errors.New("sql: driver does not support non-default isolation level")
	errReadOnly  = errors.New("sql: driver does not support read-only transactions")
)

func prepare(ctx context.Context, c driver.Conn, query string) (driver.Stmt, error) {
	if pc, ok := c.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, query)
	}
	s, err := c.Prepare(query)
	if err == nil && ctx.Err() != nil {
		_ = s.Close()
		return nil, ctx.Err()
	}
	return s, err
}

func begin(ctx context.Context, c driver.Conn, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	if opts.Isolation != driver.IsolationLevel(0) {
		return nil, errIsolation
	}
	if opts.ReadOnly {
		return nil, errReadOnly
	}
	x, err := c.Begin() //nolint:staticcheck // fallback for drivers without BeginTx
	if err == nil && ctx.Err() != nil {
		_ = x.Rollback()
		return nil, ctx.Err()
	}
	return x, err
}

func exec(ctx context.Context, c driver.Conn, query string,
	args []driver.NamedValue) (driver.Result, error) {
	if ec, ok := c.(driver.ExecerContext); ok {
		return ec.ExecContext(ctx, query, args)
	}
	values, err := plainValues(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.(driver.Execer).Exec(query, values) //nolint:staticcheck // legacy fallback
}

func queryConn(ctx context.Context, c driver.Conn, query string,
	args []driver.NamedValue) (driver.Rows, error) {
	if qc, ok := c.(driver.QueryerContext); ok {
		return qc.QueryContext(ctx, query, args)
	}
	values, err := plainValues(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.(driver.Queryer).Query(query, values) //nolint:staticcheck // legacy fallback
}

// plainValues converts named arguments for the legacy interfaces.
func plainValues(args []driver.NamedValue) ([]driver.Value, error) {
	values := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errNamedArgs
		}
		values[i] = a.Value
	}
	return values, nil
}

// namedValues converts legacy arguments to named ones.
func namedValues(values []driver.Value) []driver.NamedValue {
	args := make([]driver.NamedValue, len(values))
	for i, v := range values {
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return args
}
