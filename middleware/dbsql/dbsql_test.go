package dbsql

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/logging"
)

const schema = `CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER);
INSERT INTO products VALUES (1, 'tea', 300), (2, 'cake', 450);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT);
CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INTEGER, product_id INTEGER)`

func seed(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		if _, err := db.Exec("INSERT INTO orders VALUES (?, ?)", i, "c"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO items (order_id, product_id) VALUES (?, 1), (?, 2)", i, i); err != nil {
			t.Fatal(err)
		}
	}
}

func TestQuerySpanIsChildOfRequestSpanWithSemanticAttributes(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t)
	seed(t, db)
	ctx, end := h.requestSpan(context.Background())
	var name string
	err := db.QueryRowContext(ctx, "SELECT name FROM products WHERE id = ? AND price > 10", 1).Scan(&name)
	end()
	if err != nil || name != "tea" {
		t.Fatalf("Scan = %q, %v", name, err)
	}
	spans := h.spans("SELECT products")
	if len(spans) != 1 {
		t.Fatalf("got %d spans named SELECT products, want 1", len(spans))
	}
	s := spans[0]
	parent := h.spans("GET /orders")[0]
	if s.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("query span parent = %v, want request span", s.Parent().SpanID())
	}
	if s.SpanKind() != trace.SpanKindClient {
		t.Errorf("span kind = %v, want client", s.SpanKind())
	}
	wantAttr(t, s, keySystem, "sqlite")
	wantAttr(t, s, keyOperation, "SELECT")
	wantAttr(t, s, keyCollection, "products")
	wantAttr(t, s, keyQueryText, "SELECT name FROM products WHERE id = ? AND price > ?")
	wantAttr(t, s, keyReturnedRows, "1")
	if s.Status().Code != codes.Unset {
		t.Errorf("status = %v, want unset", s.Status())
	}
}

func TestQueryTextKeepsLiteralsOnlyWhenOptedIn(t *testing.T) {
	const q = "SELECT name FROM products WHERE name = 'secret-name' AND id = ?"
	tests := []struct {
		name     string
		opts     []Option
		wantText string
		wantArg  bool
	}{
		{"default", nil, "SELECT name FROM products WHERE name = ? AND id = ?", false},
		{"raw text", []Option{WithRawQueryText(true)}, q, false},
		{"args", []Option{WithQueryArgs(true)}, "SELECT name FROM products WHERE name = ? AND id = ?", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			db := h.sqlite(t, tt.opts...)
			seed(t, db)
			rows, err := db.Query(q, 2)
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
			s := h.spans("SELECT products")[0]
			wantAttr(t, s, keyQueryText, tt.wantText)
			v, ok := attr(s.Attributes(), "db.query.parameter.0")
			if ok != tt.wantArg || (ok && v.String() != "2") {
				t.Errorf("db.query.parameter.0 = %q (set %v), want set %v", v.String(), ok, tt.wantArg)
			}
		})
	}
}

func TestInvalidSQLMarksSpanErrorAndCountsError(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t)
	_, err := db.ExecContext(context.Background(), "SELEC broken FROM")
	if err == nil {
		t.Fatal("invalid SQL succeeded")
	}
	s := h.spans("SELEC")
	if len(s) != 1 {
		t.Fatalf("spans: %d, want 1 named SELEC", len(s))
	}
	if s[0].Status().Code != codes.Error {
		t.Errorf("status = %v, want Error", s[0].Status())
	}
	if _, ok := attr(s[0].Attributes(), keyErrorType); !ok {
		t.Errorf("no error.type on failed span")
	}
	m, ok := find(h.collect(t), "db.client.operation.duration")
	if !ok {
		t.Fatal("no db.client.operation.duration")
	}
	var errored uint64
	for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		if _, ok := dp.Attributes.Value(keyErrorType); ok {
			errored += dp.Count
		}
	}
	if errored != 1 {
		t.Errorf("operations recorded with error.type = %d, want 1", errored)
	}
}

func TestQueryRowWithNoRowsIsNotAnError(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t)
	seed(t, db)
	var name string
	err := db.QueryRow("SELECT name FROM products WHERE id = ?", 999).Scan(&name)
	if !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("Scan err = %v, want sql.ErrNoRows", err)
	}
	s := h.spans("SELECT products")[0]
	if s.Status().Code == codes.Error {
		t.Errorf("ErrNoRows marked the span as error: %v", s.Status())
	}
	if _, ok := attr(s.Attributes(), keyErrorType); ok {
		t.Errorf("ErrNoRows set error.type")
	}
	wantAttr(t, s, keyReturnedRows, "0")
}

const fiveThousand = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000)
SELECT x FROM c`

func TestIteratingManyRowsMakesOneSpanEndedOnce(t *testing.T) {
	tests := []struct {
		name      string
		stopAfter int  // rows read before stopping; 0 reads all
		cancel    bool // cancel the context instead of closing
		wantRows  string
		wantError string
	}{
		{"all rows", 0, false, "5000", ""},
		{"early close", 10, false, "10", ""},
		{"cancel mid-iteration", 100, true, "", "canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			db := h.sqlite(t)
			ctx, end := h.requestSpan(context.Background())
			qctx, cancel := context.WithCancel(ctx)
			defer cancel()
			rows, err := db.QueryContext(qctx, fiveThousand)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
				if n == tt.stopAfter {
					if tt.cancel {
						cancel()
						continue
					}
					break
				}
			}
			rows.Close()
			end()
			if tt.cancel && !errors.Is(rows.Err(), context.Canceled) {
				t.Errorf("rows.Err() = %v, want context.Canceled", rows.Err())
			}
			spans := h.spans("SELECT c")
			if len(spans) != 1 {
				t.Fatalf("spans for the query: %d, want 1 (of %d in all)", len(spans), len(h.rec.Ended()))
			}
			if started, ended := len(h.rec.Started()), len(h.rec.Ended()); started != ended {
				t.Errorf("%d spans started, %d ended", started, ended)
			}
			s := spans[0]
			if s.Parent().SpanID() != h.spans("GET /orders")[0].SpanContext().SpanID() {
				t.Errorf("query span is not under the request span")
			}
			if tt.wantRows != "" {
				wantAttr(t, s, keyReturnedRows, tt.wantRows)
			}
			if tt.wantError != "" {
				wantAttr(t, s, keyErrorType, tt.wantError)
			}
			m, _ := find(h.collect(t), "db.client.operation.duration")
			var count uint64
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				count += dp.Count
			}
			if count != 1 {
				t.Errorf("duration recorded %d times, want 1 (span ended once)", count)
			}
		})
	}
}

func TestTransactionSpansShareTheRequestParent(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t)
	seed(t, db)
	ctx, end := h.requestSpan(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO orders (customer) VALUES (?)", "ann"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	end()
	parent := h.spans("GET /orders")[0].SpanContext().SpanID()
	var names []string
	for _, s := range h.rec.Ended() {
		if s.Parent().SpanID() == parent {
			names = append(names, s.Name())
			if s.Name() == "INSERT orders" {
				wantAttr(t, s, keyRowsAffected, "1")
			}
		}
	}
	if got := strings.Join(names, ", "); got != "BEGIN, INSERT orders, COMMIT" {
		t.Errorf("spans under the request span: %s; want BEGIN, INSERT orders, COMMIT", got)
	}
}

func TestSlowQueryLogsOneWarningWithIDs(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t, WithSlowQueryThreshold(time.Nanosecond))
	ctx, end := h.requestSpan(logging.ContextWithRequestID(context.Background(), "req-42"))
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (secret TEXT DEFAULT 'hunter2')"); err != nil {
		t.Fatal(err)
	}
	end()
	logs := h.logs.String()
	traceID := h.spans("GET /orders")[0].SpanContext().TraceID().String()
	for _, want := range []string{`"msg":"dbsql: slow query"`, `"request_id":"req-42"`,
		`"trace_id":"` + traceID + `"`, `"db.query.text":"CREATE TABLE t (secret TEXT DEFAULT ?)"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("slow-query log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "hunter2") {
		t.Errorf("slow-query log carries a literal:\n%s", logs)
	}
	if n := strings.Count(logs, "slow query"); n != 1 {
		t.Errorf("%d slow-query lines, want 1", n)
	}
}

func TestSlowQueryLogIsOffBelowThreshold(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t, WithSlowQueryThreshold(time.Hour))
	if _, err := db.Exec("SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if logs := h.logs.String(); logs != "" {
		t.Errorf("logged below threshold: %s", logs)
	}
}

// listOrdersNPlusOne is the classic loop: parents, then each child by ID.
func listOrdersNPlusOne(ctx context.Context, t *testing.T, db *sql.DB) int {
	rows, err := db.QueryContext(ctx, "SELECT id FROM orders ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	items := 0
	for _, id := range ids {
		r, err := db.QueryContext(ctx, "SELECT product_id FROM items WHERE order_id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			items++
		}
		r.Close()
	}
	return items
}

func TestNPlusOneWarnsOncePerRequestAndShape(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t)
	seed(t, db)
	ctx, endSpan := h.requestSpan(logging.ContextWithRequestID(context.Background(), "req-7"))
	ctx, endScope := StartScope(ctx)
	if items := listOrdersNPlusOne(ctx, t, db); items != 20 {
		t.Fatalf("items = %d, want 20", items)
	}
	for range 3 { // below the threshold: no warning
		if err := db.QueryRowContext(ctx, "SELECT name FROM products WHERE id = 1").Scan(new(string)); err != nil {
			t.Fatal(err)
		}
	}
	endScope()
	endSpan()

	logs := h.logs.String()
	if n := strings.Count(logs, "N+1"); n != 1 {
		t.Fatalf("%d N+1 warnings, want 1:\n%s", n, logs)
	}
	for _, want := range []string{`"db.query.text":"SELECT product_id FROM items WHERE order_id = ?"`,
		`"count":10`, `"request_id":"req-7"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("warning lacks %s:\n%s", want, logs)
		}
	}
	events := h.spans("GET /orders")[0].Events()
	if len(events) != 1 || events[0].Name != "db.n_plus_one" {
		t.Fatalf("request span events = %v, want one db.n_plus_one", events)
	}
	if v, _ := attr(events[0].Attributes, keyRepeatCount); v.AsInt64() != 10 {
		t.Errorf("event count = %v, want 10", v.String())
	}
	m, ok := find(h.collect(t), "vigil.db.client.n_plus_one")
	if !ok {
		t.Fatal("no vigil.db.client.n_plus_one counter")
	}
	if dps := m.Data.(metricdata.Sum[int64]).DataPoints; len(dps) != 1 || dps[0].Value != 1 {
		t.Errorf("n_plus_one data points = %+v, want one with value 1", dps)
	}
}

func TestNPlusOneGroupsInlinedLiteralsAndIgnoresJoins(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t, WithNPlusOneThreshold(3))
	seed(t, db)

	ctx, end := StartScope(context.Background())
	rows, err := db.QueryContext(ctx, `SELECT o.id, i.product_id FROM orders o
		JOIN items i ON i.order_id = o.id`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	end()
	if logs := h.logs.String(); logs != "" {
		t.Fatalf("JOIN variant warned: %s", logs)
	}

	ctx, end = StartScope(context.Background())
	for _, id := range []string{"1", "2", "3", "4"} {
		if err := db.QueryRowContext(ctx, "SELECT customer FROM orders WHERE id = "+id).Scan(new(string)); err != nil {
			t.Fatal(err)
		}
	}
	end()
	if logs := h.logs.String(); !strings.Contains(logs, `"count":4`) {
		t.Errorf("inlined literals not grouped into one shape: %s", logs)
	}
}

func TestNoScopeMeansNoNPlusOneCounting(t *testing.T) {
	h := newHarness(t)
	db := h.sqlite(t)
	seed(t, db)
	listOrdersNPlusOne(context.Background(), t, db)
	if logs := h.logs.String(); logs != "" {
		t.Errorf("warned without a scope: %s", logs)
	}
}
