// Package dbsql instruments database/sql: per call a child span of the
// request span, the db.client.operation.duration histogram, connection
// pool statistics, a slow-query log and a warning when one request runs the
// same query shape again and again (the N+1 pattern).
//
// # Quick start
//
// Replace sql.Open with [Open]; nothing else changes:
//
//	db, err := dbsql.Open("pgx", os.Getenv("DATABASE_URL"),
//		dbsql.WithTracerProvider(tp), dbsql.WithMeterProvider(mp),
//		dbsql.WithLogger(logger))
//
// [OpenDB] wraps a driver.Connector, and [Wrap] a driver.Driver for
// programs that call sql.Register themselves (then add
// [RegisterPoolMetrics]). Open registers no driver name, so calling it any
// number of times leaks nothing.
//
// # Spans
//
// Query, exec, prepare, begin, commit and rollback each make one client
// span, named by the query summary ("SELECT products", "INSERT orders";
// "BEGIN", "COMMIT"), with db.system.name, db.operation.name,
// db.collection.name, db.query.summary, db.query.text, server.address and
// server.port. db.query.text is normalized: literals become "?", comments
// are dropped, whitespace is collapsed and IN lists become "IN (?)", so
// neither personal data nor secrets inlined into SQL are exported. Raw
// text and arguments are opt-in ([WithRawQueryText], [WithQueryArgs]).
//
// A query's span stays open while its rows are read and ends when
// database/sql closes them: after the last row, on an early Close, after
// QueryRow's Scan, or when the context is cancelled (then error.type is
// "canceled"). It carries db.response.returned_rows. One query makes one
// span whatever the number of rows. sql.ErrNoRows is not an error: the
// driver returned no row, which is a successful query. Failures set
// error.type (the SQLSTATE code when the driver reports one) and the span
// status. Ping and session reset make no span.
//
// # Metrics
//
// db.client.operation.duration (s) with db.system.name, db.operation.name,
// db.collection.name, server.address, server.port and, on failure,
// error.type. Pool statistics are read from [database/sql.DB.Stats] when
// the meter provider collects, never polled: db.client.connection.count
// (state idle|used), db.client.connection.max, and, because DBStats holds
// cumulative wait totals rather than single waits,
// vigil.db.client.connection.waits, vigil.db.client.connection.wait_duration
// (s) and vigil.db.client.connection.closed (by reason) instead of the
// semantic-convention wait_time histogram, pending_requests and timeouts,
// which DBStats cannot supply. Closing the *sql.DB unregisters them.
// vigil.db.client.n_plus_one counts N+1 warnings.
//
// # Slow queries and N+1
//
// An operation that takes at least [WithSlowQueryThreshold] (default
// [DefaultSlowQueryThreshold]) logs one warning with the normalized query,
// its duration, rows, trace_id and request_id. The package never prints:
// without [WithLogger] these warnings appear only as span events and
// metrics.
//
// The HTTP middleware opens a request scope (internal/scope); [StartScope]
// opens one for other work. Within a scope every successful SELECT is
// counted by its normalized text; when the scope ends, each shape that ran
// more than [WithNPlusOneThreshold] times (default
// [DefaultNPlusOneThreshold]) gives exactly one warning, one
// db.n_plus_one event on the request span and one count. Inlined literals
// normalize to the same shape, so the classic loop (list parents, then
// each child by ID) is caught either way.
//
// # Faithful wrapping
//
// database/sql chooses its path by the optional interfaces a driver's
// objects implement, so the wrappers implement exactly the ones the
// underlying objects do. Rather than write 2^n wrapper types by hand, a
// generator (internal/gen) emits, for each of conn (6 optional
// interfaces), stmt (2) and rows (6), one composition per combination: an
// anonymous struct embedding the base wrapper and one small facet type per
// interface, chosen by a bit mask computed from type assertions. Three
// deliberate exceptions, each taking the same database/sql path: the conn
// always implements ConnPrepareContext and ConnBeginTx, and the stmt
// StmtExecContext and StmtQueryContext, reproducing database/sql's
// fallbacks and error texts when the driver lacks them; the legacy Execer
// and Queryer are served as ExecerContext and QueryerContext, as
// database/sql converts them itself. The connector always implements
// io.Closer (forwarding when the driver's does), because DB.Close calls it
// and that is where pool metrics stop. Connect errors are wrapped
// ("dbsql: connect <system>: ...") with the DSN password masked; every
// other driver error is returned unchanged.
//
// # Cardinality
//
// Metric attributes come from the query's verb and first table, bounded
// by the statements a program contains; names longer than 64 bytes are
// dropped. Parsed queries are cached per database up to 1,024 texts;
// beyond that (a program that inlines values into SQL) each call parses
// again rather than growing memory. A scope counts at most 256 shapes.
//
// # Performance
//
// Per query the wrapper allocates the span, its rows wrapper and a few
// attribute values; span names, start options and metric attribute sets
// are built once per query text. docs/dbsql.md has figures against bare
// database/sql and XSAM/otelsql.
package dbsql
