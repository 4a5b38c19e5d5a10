package dbsql

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseStatementNormalizesAndSummarizes(t *testing.T) {
	tests := []struct {
		name, query, text, op, coll string
	}{
		{"point select", "SELECT name, price FROM products WHERE id = 42",
			"SELECT name, price FROM products WHERE id = ?", "SELECT", "products"},
		{"placeholders kept", "select * from items where order_id = $1",
			"select * from items where order_id = $1", "SELECT", "items"},
		{"strings and escapes", "SELECT 1 FROM t WHERE a = 'it''s' AND b = E'x\\'y'",
			"SELECT ? FROM t WHERE a = ? AND b = ?", "SELECT", "t"},
		{"whitespace and comments", "SELECT\n\t*  -- who\nFROM /* c */ users\r\n",
			"SELECT * FROM users", "SELECT", "users"},
		{"in list of literals", "SELECT * FROM t WHERE id IN (1, 2, 3)",
			"SELECT * FROM t WHERE id IN (?)", "SELECT", "t"},
		{"in list of params", "SELECT * FROM t WHERE id in ($1,$2,$3,$4)",
			"SELECT * FROM t WHERE id in (?)", "SELECT", "t"},
		{"in subquery kept", "SELECT * FROM t WHERE id IN (SELECT id FROM u)",
			"SELECT * FROM t WHERE id IN (SELECT id FROM u)", "SELECT", "t"},
		{"insert", "INSERT INTO orders (customer, total) VALUES ('bob', 12.50)",
			"INSERT INTO orders (customer, total) VALUES (?, ?)", "INSERT", "orders"},
		{"update", "UPDATE public.products SET stock = stock - 1 WHERE id = 7",
			"UPDATE public.products SET stock = stock - ? WHERE id = ?", "UPDATE",
			"public.products"},
		{"delete quoted", `DELETE FROM "Order Items" WHERE id = 0x1F`,
			`DELETE FROM "Order Items" WHERE id = ?`, "DELETE", "Order Items"},
		{"numbers", "SELECT 1.5e-3, .5, -7 FROM t",
			"SELECT ?, ?, -? FROM t", "SELECT", "t"},
		{"dollar quoted", "SELECT $tag$secret$tag$, $$x$$ FROM t",
			"SELECT ?, ? FROM t", "SELECT", "t"},
		{"with cte", "WITH x AS (SELECT 1) SELECT * FROM x",
			"WITH x AS (SELECT ?) SELECT * FROM x", "SELECT", "x"},
		{"subselect in from", "SELECT * FROM (SELECT 1) s",
			"SELECT * FROM (SELECT ?) s", "SELECT", ""},
		{"create table", "CREATE TABLE IF NOT EXISTS products (id INTEGER)",
			"CREATE TABLE IF NOT EXISTS products (id INTEGER)", "CREATE", "products"},
		{"table function", "SELECT x FROM generate_series(1, 10) AS x",
			"SELECT x FROM generate_series(?, ?) AS x", "SELECT", ""},
		{"begin", "BEGIN", "BEGIN", "BEGIN", ""},
		{"unterminated string", "SELECT 'abc", "SELECT ?", "SELECT", ""},
		{"unterminated comment", "SELECT a /* x", "SELECT a", "SELECT", ""},
		{"empty", "  ", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parseStatement(tt.query)
			if s.text != tt.text || s.operation != tt.op || s.collection != tt.coll {
				t.Errorf("parseStatement(%q) = %q, %q, %q; want %q, %q, %q",
					tt.query, s.text, s.operation, s.collection, tt.text, tt.op, tt.coll)
			}
		})
	}
}

func TestSummaryFallsBackToOperation(t *testing.T) {
	if got := parseStatement("SELECT 1").summary(); got != "SELECT" {
		t.Errorf("summary = %q, want SELECT", got)
	}
	if got := parseStatement("SELECT * FROM products").summary(); got != "SELECT products" {
		t.Errorf("summary = %q, want %q", got, "SELECT products")
	}
}

func TestNormalizeDropsSecretsFromLiterals(t *testing.T) {
	q := "SELECT * FROM users WHERE email = 'alice@example.com' AND pin = 1234 /* token=abc */"
	got := normalize(q)
	for _, secret := range []string{"alice", "1234", "token"} {
		if strings.Contains(got, secret) {
			t.Errorf("normalize(%q) = %q, still contains %q", q, got, secret)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM t WHERE id IN (1, 2)", "INSERT INTO t VALUES ('a''b', E'\\'')",
		"$a$ x $a$", "-- c\nSELECT 1", "/* */", "\"q\"\"x\"", "IN (?)", "$1$", "x'ff'",
		"WITH a AS (SELECT 1) UPDATE t SET x = 1", "1e+", "0x", "é'€'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		s := parseStatement(q)
		if again := normalize(s.text); again != s.text {
			t.Fatalf("not idempotent: %q -> %q -> %q", q, s.text, again)
		}
		if utf8.ValidString(q) && !utf8.ValidString(s.text) {
			t.Fatalf("normalize(%q) = %q is not valid UTF-8", q, s.text)
		}
		if len(s.operation) > maxNameLen || len(s.collection) > maxNameLen {
			t.Fatalf("unbounded names %q %q", s.operation, s.collection)
		}
		if strings.Trim(s.text, " ") != s.text {
			t.Fatalf("normalize(%q) = %q has outer spaces", q, s.text)
		}
	})
}
