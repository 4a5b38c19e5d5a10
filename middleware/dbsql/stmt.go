package dbsql

import (
	"context"
	"database/sql/driver"
)

// stmt wraps a driver.Stmt. It always implements the context variants
// (falling back like database/sql does); NamedValueChecker and
// ColumnConverter are facets exposed only when the underlying statement
// has them, because database/sql consults the statement's checker before
// the connection's.
type stmt struct {
	s     driver.Stmt
	t     *telemetry
	q     *queryOps
	query string
}

// Facets of stmt.
type (
	stmtChecker   stmt
	stmtConverter stmt
)

func wrapStmt(s driver.Stmt, t *telemetry, q *queryOps, query string) driver.Stmt {
	return composeStmt(&stmt{s: s, t: t, q: q, query: query}, stmtFacets(s))
}

func (s *stmt) Close() error  { return s.s.Close() }
func (s *stmt) NumInput() int { return s.s.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	op := s.q.run
	ctx, span, start := s.t.start(ctx, op)
	s.t.annotate(span, s.query, args)
	res, err := s.exec(ctx, args)
	s.t.finish(ctx, op, span, start, err, affectedRows(span, res, err), true)
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	op := s.q.run
	ctx, span, start := s.t.start(ctx, op)
	s.t.annotate(span, s.query, args)
	r, err := s.queryRows(ctx, args)
	if err != nil {
		s.t.finish(ctx, op, span, start, err, -1, false)
		return nil, err
	}
	return wrapRows(ctx, r, s.t, op, span, start), nil
}

func (s *stmt) exec(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if ec, ok := s.s.(driver.StmtExecContext); ok {
		return ec.ExecContext(ctx, args)
	}
	values, err := plainValues(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.s.Exec(values) //nolint:staticcheck // legacy fallback
}

func (s *stmt) queryRows(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if qc, ok := s.s.(driver.StmtQueryContext); ok {
		return qc.QueryContext(ctx, args)
	}
	values, err := plainValues(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.s.Query(values) //nolint:staticcheck // legacy fallback
}

func (s *stmtChecker) CheckNamedValue(nv *driver.NamedValue) error {
	return s.s.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (s *stmtConverter) ColumnConverter(idx int) driver.ValueConverter {
	return s.s.(driver.ColumnConverter).ColumnConverter(idx) //nolint:staticcheck // forwarded as is
}
