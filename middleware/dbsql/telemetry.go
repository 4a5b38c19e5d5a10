package dbsql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/logging"
)

const instrumentationName = "github.com/vigil-go/vigil/middleware/dbsql"

// Attribute keys from the OpenTelemetry database semantic conventions, and
// vigil's own where none exists.
const (
	keySystem        = attribute.Key("db.system.name")
	keyOperation     = attribute.Key("db.operation.name")
	keyCollection    = attribute.Key("db.collection.name")
	keyQueryText     = attribute.Key("db.query.text")
	keyQuerySummary  = attribute.Key("db.query.summary")
	keyReturnedRows  = attribute.Key("db.response.returned_rows")
	keyRowsAffected  = attribute.Key("vigil.db.response.affected_rows")
	keyServerAddress = attribute.Key("server.address")
	keyServerPort    = attribute.Key("server.port")
	keyErrorType     = attribute.Key("error.type")
	keyPoolName      = attribute.Key("db.client.connection.pool.name")
	keyRepeatCount   = attribute.Key("vigil.db.query.count")
)

// returnedRows holds the db.response.returned_rows attribute for small
// counts, ready to pass to SetAttributes without allocating.
var returnedRows = func() [][]attribute.KeyValue {
	out := make([][]attribute.KeyValue, 64)
	for i := range out {
		out[i] = []attribute.KeyValue{keyReturnedRows.Int(i)}
	}
	return out
}()

// maxCachedQueries bounds the per-database cache of parsed query texts; an
// application that inlines values into SQL produces endless distinct texts,
// which are then parsed on every call instead of growing the cache.
const maxCachedQueries = 1024

// telemetry holds one database's tracer, instruments and parsed queries.
// It is safe for concurrent use.
type telemetry struct {
	cfg      config
	tracer   trace.Tracer
	meter    metric.Meter
	duration metric.Float64Histogram
	repeats  metric.Int64Counter
	base     []attribute.KeyValue // system and server attributes

	queries sync.Map // query text -> *queryOps
	cached  atomic.Int64

	begin, commit, rollback *operation
}

// operation is everything about one kind of call that does not change
// between calls: span name, start options and metric attributes.
type operation struct {
	name       string // span name
	text       string // normalized query text, the N+1 shape
	opName     string
	collection string
	repeatable bool // a SELECT, counted for N+1 detection
	startOpts  []trace.SpanStartOption
	attrs      []attribute.KeyValue  // metric attributes
	recordOK   []metric.RecordOption // attrs as a set, passed without a new slice
}

// queryOps are the operations for one query text: running it (query or
// exec) and preparing it.
type queryOps struct {
	run, prepare *operation
}

func newTelemetry(cfg config) (*telemetry, error) {
	if cfg.tracerProvider == nil {
		cfg.tracerProvider = otel.GetTracerProvider()
	}
	if cfg.meterProvider == nil {
		cfg.meterProvider = otel.GetMeterProvider()
	}
	if cfg.system == "" {
		cfg.system = "other_sql"
	}
	t := &telemetry{cfg: cfg}
	t.tracer = cfg.tracerProvider.Tracer(instrumentationName)
	t.meter = cfg.meterProvider.Meter(instrumentationName)
	var err error
	t.duration, err = t.meter.Float64Histogram("db.client.operation.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of database client operations."),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10))
	if err != nil {
		return nil, fmt.Errorf("dbsql: duration histogram: %w", err)
	}
	t.repeats, err = t.meter.Int64Counter("vigil.db.client.n_plus_one",
		metric.WithUnit("{warning}"),
		metric.WithDescription("Request scopes in which one query shape ran more often than the N+1 threshold."))
	if err != nil {
		return nil, fmt.Errorf("dbsql: n+1 counter: %w", err)
	}
	t.base = append(t.base, keySystem.String(cfg.system))
	if cfg.serverAddress != "" {
		t.base = append(t.base, keyServerAddress.String(cfg.serverAddress))
		if cfg.serverPort > 0 {
			t.base = append(t.base, keyServerPort.Int(cfg.serverPort))
		}
	}
	t.begin = t.newOperation("BEGIN", statement{operation: "BEGIN"})
	t.commit = t.newOperation("COMMIT", statement{operation: "COMMIT"})
	t.rollback = t.newOperation("ROLLBACK", statement{operation: "ROLLBACK"})
	return t, nil
}

// newOperation builds the operation for a span named name.
func (t *telemetry) newOperation(name string, st statement) *operation {
	op := &operation{
		name:       name,
		text:       st.text,
		opName:     st.operation,
		collection: st.collection,
		repeatable: st.operation == "SELECT" && st.text != "",
	}
	op.attrs = append(op.attrs, t.base...)
	if st.operation != "" {
		op.attrs = append(op.attrs, keyOperation.String(st.operation))
	}
	if st.collection != "" {
		op.attrs = append(op.attrs, keyCollection.String(st.collection))
	}
	op.recordOK = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(op.attrs...))}
	spanAttrs := append([]attribute.KeyValue(nil), op.attrs...)
	if st.text != "" && !t.cfg.rawQueryText {
		spanAttrs = append(spanAttrs, keyQueryText.String(st.text))
	}
	if s := st.summary(); s != "" {
		spanAttrs = append(spanAttrs, keyQuerySummary.String(s))
	}
	op.startOpts = []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(spanAttrs...),
	}
	return op
}

// queryOps returns the cached operations for query, parsing it on first
// use.
func (t *telemetry) queryOps(query string) *queryOps {
	if v, ok := t.queries.Load(query); ok {
		return v.(*queryOps)
	}
	st := parseStatement(query)
	name := st.summary()
	if name == "" {
		name = "sql"
	}
	prep := st
	prep.operation = "PREPARE"
	q := &queryOps{
		run:     t.newOperation(name, st),
		prepare: t.newOperation("PREPARE "+name, prep),
	}
	if t.cached.Add(1) > maxCachedQueries {
		return q
	}
	v, _ := t.queries.LoadOrStore(query, q)
	return v.(*queryOps)
}

// start opens the span for op as a child of the span in ctx.
func (t *telemetry) start(ctx context.Context, op *operation) (context.Context, trace.Span, time.Time) {
	ctx, span := t.tracer.Start(ctx, op.name, op.startOpts...)
	return ctx, span, time.Now()
}

// annotate adds the opt-in raw query text and arguments to span.
func (t *telemetry) annotate(span trace.Span, query string, args []driver.NamedValue) {
	if !t.cfg.rawQueryText && !t.cfg.queryArgs || !span.IsRecording() {
		return
	}
	if t.cfg.rawQueryText {
		span.SetAttributes(keyQueryText.String(query))
	}
	if t.cfg.queryArgs {
		for _, a := range args {
			key := a.Name
			if key == "" {
				key = strconv.Itoa(a.Ordinal - 1)
			}
			span.SetAttributes(attribute.String("db.query.parameter."+key, fmt.Sprint(a.Value)))
		}
	}
}

// finish ends span and records the outcome of op: duration metric, error,
// slow-query log and N+1 count. rows is the number of rows returned or
// affected, or -1 when unknown; affected tells which.
func (t *telemetry) finish(ctx context.Context, op *operation, span trace.Span,
	start time.Time, err error, rows int64, affected bool) {
	d := time.Since(start)
	if err == driver.ErrSkip {
		// database/sql retries through Prepare; that call is the real one.
		span.End()
		return
	}
	if rows >= 0 && span.IsRecording() {
		if affected {
			span.SetAttributes(keyRowsAffected.Int64(rows))
		} else if rows < int64(len(returnedRows)) {
			span.SetAttributes(returnedRows[rows]...) // no new slice
		} else {
			span.SetAttributes(keyReturnedRows.Int64(rows))
		}
	}
	if err != nil {
		et := errorType(err)
		span.SetAttributes(keyErrorType.String(et))
		span.SetStatus(codes.Error, err.Error())
		attrs := append(op.attrs[:len(op.attrs):len(op.attrs)], keyErrorType.String(et))
		t.duration.Record(ctx, d.Seconds(), metric.WithAttributes(attrs...))
	} else {
		t.duration.Record(ctx, d.Seconds(), op.recordOK...)
	}
	span.End()
	if t.cfg.slowQuery > 0 && d >= t.cfg.slowQuery && t.cfg.logger != nil {
		t.logSlow(ctx, op, span, d, rows)
	}
	if err == nil && op.repeatable {
		t.countRepeat(ctx, op)
	}
}

func (t *telemetry) logSlow(ctx context.Context, op *operation, span trace.Span,
	d time.Duration, rows int64) {
	attrs := []slog.Attr{
		slog.String("db.query.text", op.text),
		slog.String("db.operation.name", op.opName),
		slog.Duration("duration", d),
	}
	if rows >= 0 {
		attrs = append(attrs, slog.Int64("rows", rows))
	}
	attrs = appendIDs(ctx, attrs, span.SpanContext())
	t.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "dbsql: slow query", attrs...)
}

// appendIDs adds trace_id and request_id when they are known.
func appendIDs(ctx context.Context, attrs []slog.Attr, sc trace.SpanContext) []slog.Attr {
	if sc.HasTraceID() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
	}
	if id := logging.RequestIDFromContext(ctx); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	return attrs
}

// errorType returns a bounded error.type value: the SQLSTATE code when the
// driver reports one, a name for context and connection errors, and the Go
// type otherwise.
func errorType(err error) string {
	var state interface{ SQLState() string }
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(err, driver.ErrBadConn):
		return "bad_conn"
	case errors.As(err, &state):
		return state.SQLState()
	}
	return fmt.Sprintf("%T", err)
}
