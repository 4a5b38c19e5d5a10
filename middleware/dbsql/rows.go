package dbsql

import (
	"context"
	"database/sql/driver"
	"io"
	"reflect"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// rows wraps a driver.Rows. The query span stays open while the rows are
// read and ends, exactly once, when database/sql closes them: after the
// last row, on an early Close, on Scan of a QueryRow, or when the query's
// context is cancelled. One query therefore makes one span however many
// rows it returns.
type rows struct {
	r     driver.Rows
	t     *telemetry
	op    *operation
	ctx   context.Context
	span  trace.Span
	start time.Time
	n     int64
	err   error
	eof   bool
	done  atomic.Bool
}

// Facets of rows.
type (
	rowsNextResultSet  rows
	rowsScanType       rows
	rowsTypeName       rows
	rowsLength         rows
	rowsNullable       rows
	rowsPrecisionScale rows
)

func wrapRows(ctx context.Context, r driver.Rows, t *telemetry, op *operation,
	span trace.Span, start time.Time) driver.Rows {
	w := &rows{r: r, t: t, op: op, ctx: ctx, span: span, start: start}
	return composeRows(w, rowsFacets(r))
}

func (r *rows) Columns() []string { return r.r.Columns() }

// Next counts rows and keeps the first error other than io.EOF. database/sql
// serializes Next and Close on one Rows.
func (r *rows) Next(dest []driver.Value) error {
	err := r.r.Next(dest)
	switch {
	case err == nil:
		r.n++
	case err == io.EOF:
		r.eof = true
	case r.err == nil:
		r.err = err
	}
	return err
}

func (r *rows) Close() error {
	err := r.r.Close()
	if !r.done.CompareAndSwap(false, true) {
		return err
	}
	failure := r.err
	if failure == nil && !r.eof && r.ctx.Err() != nil {
		failure = r.ctx.Err() // cancelled mid-iteration
	}
	if failure == nil {
		failure = err
	}
	r.t.finish(r.ctx, r.op, r.span, r.start, failure, r.n, false)
	return err
}

func (r *rowsNextResultSet) HasNextResultSet() bool {
	return r.r.(driver.RowsNextResultSet).HasNextResultSet()
}

func (r *rowsNextResultSet) NextResultSet() error {
	err := r.r.(driver.RowsNextResultSet).NextResultSet()
	if err == nil {
		r.eof = false
	}
	return err
}

func (r *rowsScanType) ColumnTypeScanType(i int) reflect.Type {
	return r.r.(driver.RowsColumnTypeScanType).ColumnTypeScanType(i)
}

func (r *rowsTypeName) ColumnTypeDatabaseTypeName(i int) string {
	return r.r.(driver.RowsColumnTypeDatabaseTypeName).ColumnTypeDatabaseTypeName(i)
}

func (r *rowsLength) ColumnTypeLength(i int) (int64, bool) {
	return r.r.(driver.RowsColumnTypeLength).ColumnTypeLength(i)
}

func (r *rowsNullable) ColumnTypeNullable(i int) (nullable, ok bool) {
	return r.r.(driver.RowsColumnTypeNullable).ColumnTypeNullable(i)
}

func (r *rowsPrecisionScale) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	return r.r.(driver.RowsColumnTypePrecisionScale).ColumnTypePrecisionScale(i)
}
