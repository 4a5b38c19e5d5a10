package dbsql

import (
	"context"
	"database/sql/driver"
)

// tx wraps a driver.Tx; commit and rollback spans are children of the span
// that was current when the transaction began.
type tx struct {
	tx  driver.Tx
	t   *telemetry
	ctx context.Context
}

func (x *tx) Commit() error   { return x.end(x.t.commit, x.tx.Commit) }
func (x *tx) Rollback() error { return x.end(x.t.rollback, x.tx.Rollback) }

func (x *tx) end(op *operation, f func() error) error {
	ctx, span, start := x.t.start(x.ctx, op)
	err := f()
	x.t.finish(ctx, op, span, start, err, -1, false)
	return err
}
