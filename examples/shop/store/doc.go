// Package store is the reference shop's database: products, orders and
// order items in SQLite (pure Go, no cgo) by default, or in PostgreSQL when
// a database URL is given, all through the instrumented
// [github.com/vigil-go/vigil/middleware/dbsql] wrapper.
//
// # Quick start
//
//	cfg, err := store.ConfigFromEnv()
//	cfg.TracerProvider, cfg.MeterProvider, cfg.Logger = tp, mp, logger
//	st, err := store.Open(ctx, cfg)
//	defer st.Close()
//	products, err := st.ListProducts(ctx)
//
// [Open] creates the schema and seed data when they are missing, so
// opening the same database again changes nothing.
//
// # Configuration
//
// [ConfigFromEnv] reads:
//
//	DATABASE_URL                 PostgreSQL URL (pgx); empty means SQLite
//	VIGIL_SQLITE_PATH            SQLite file; empty means a temporary file
//	                             removed by Close
//	VIGIL_DB_MAX_OPEN            maximum open connections (default 10)
//	VIGIL_DB_MAX_IDLE            maximum idle connections (default 5)
//	VIGIL_DB_CONN_MAX_LIFETIME   e.g. 30m (default 0, unlimited)
//	VIGIL_DB_CONN_MAX_IDLE_TIME  e.g. 5m (default 0, unlimited)
//
// # N+1 demonstration
//
// [Store.OrdersNPlusOne] lists orders and then loads each order's items with
// one query per order: inside a request scope dbsql reports it as an N+1
// pattern. [Store.OrdersJoin] loads the same data with one JOIN.
package store
