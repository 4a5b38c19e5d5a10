package health

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrubHidesCredentials(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"dial postgres://app:s3cret@127.0.0.1:5432/shop failed",
			"dial postgres://app:***@127.0.0.1:5432/shop failed"},
		{"open root:s3cret@tcp(127.0.0.1:3306)/shop: refused",
			"open root:***@tcp(127.0.0.1:3306)/shop: refused"},
		{"host=db user=app password=s3cret dbname=shop",
			"host=db user=app password=*** dbname=shop"},
		{"password='s3 cret' sslmode=disable", "password=*** sslmode=disable"},
		{"GET /x?token=s3cret&x=1: 401", "GET /x?token=***&x=1: 401"},
		{"redis://:s3cret@127.0.0.1:6379", "redis://:***@127.0.0.1:6379"},
		{"PASSWORD = s3cret", "PASSWORD = ***"},
		{"line one\n\tline two", "line one line two"},
		{"dial tcp 127.0.0.1:5432: connect: connection refused",
			"dial tcp 127.0.0.1:5432: connect: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := scrub(tt.in); got != tt.want {
				t.Fatalf("scrub(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScrubTruncatesLongText(t *testing.T) {
	got := scrub(strings.Repeat("é", 300))
	if len(got) > maxErrorLen || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Fatalf("scrub of 600 bytes = %d bytes %q", len(got), got)
	}
}

func TestCheckErrorsNeverShowPasswords(t *testing.T) {
	var logs bytes.Buffer
	r := newTestRegistry(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	mustRegister(t, r, Check{Name: "db", Func: errorWithDSN})
	h := r.Handler()
	for _, target := range []string{"/readyz?verbose", "/healthz"} {
		body := serve(h, http.MethodGet, target).Body.String()
		if strings.Contains(body, "s3cret") || !strings.Contains(body, "app:***@") {
			t.Fatalf("%s leaks or lost the DSN: %s", target, body)
		}
	}
	if strings.Contains(logs.String(), "s3cret") || logs.Len() == 0 {
		t.Fatalf("log leaks the password or is empty: %s", logs.String())
	}
}

// errorWithDSN fails like a driver that puts its DSN in the error.
func errorWithDSN(context.Context) error {
	return errors.New("connect postgres://app:s3cret@127.0.0.1/shop?password=s3cret: refused")
}

func FuzzScrub(f *testing.F) {
	f.Add("error: ", "hunter2")
	f.Add("x\ny", "p@ss:word")
	f.Fuzz(func(t *testing.T, prefix, password string) {
		got := scrub(prefix)
		if len(got) > maxErrorLen || strings.ContainsAny(got, "\n\r\t") {
			t.Fatalf("scrub(%q) = %q: too long or multi-line", prefix, got)
		}
		if len(password) < 4 || strings.ContainsAny(password, " \t\n\r\v\f\u0085\u00a0'\"@&;,*") ||
			!utf8.ValidString(password) || strings.Contains(prefix, password) ||
			strings.Contains("postgres://app:@db/shop?password=&password=", password) {
			return
		}
		msg := prefix + " postgres://app:" + password + "@db/shop?password=" + password
		if strings.Contains(scrub(msg), password) {
			t.Fatalf("scrub(%q) = %q shows the password", msg, scrub(msg))
		}
	})
}
