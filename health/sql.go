package health

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SQL returns a check that pings db with the check's context. A nil db
// gives a check that always fails. The error text goes through the same
// scrubbing as every check error, so a DSN password never shows.
func SQL(db *sql.DB) CheckFunc {
	return func(ctx context.Context) error {
		if db == nil {
			return errors.New("health: nil *sql.DB")
		}
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("health: sql ping: %w", err)
		}
		return nil
	}
}
