package health

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
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
		{"password='s3 cret' sslmode=disable", "password='***' sslmode=disable"},
		{"GET /x?token=s3cret&x=1: 401", "GET /x?token=***&x=1: 401"},
		{"redis://:s3cret@127.0.0.1:6379", "redis://:***@127.0.0.1:6379"},
		{"PASSWORD = s3cret", "PASSWORD = ***"},
		{"line one\n\tline two", "line one line two"},
		// A secret word anywhere in an env-var or DSN key.
		{"DB_PASSWORD=s3cret", "DB_PASSWORD=***"},
		{"PGPASSWORD=s3cret", "PGPASSWORD=***"},
		{"sslpassword=s3cret sslmode=verify-full", "sslpassword=*** sslmode=verify-full"},
		{"secret_key=s3cret", "secret_key=***"},
		{"private_key=s3cret", "private_key=***"},
		{"client_secret=s3cret", "client_secret=***"},
		{"aws_secret_access_key=s3cret", "aws_secret_access_key=***"},
		{"auth_token=s3cret", "auth_token=***"},
		{"apikey=s3cret", "apikey=***"},
		{"db_pwd=s3cret", "db_pwd=***"},
		{"pass=s3cret", "pass=***"},
		{"credentials=s3cret", "credentials=***"},
		{"user=app password=s3cret;host=db", "user=app password=***;host=db"},
		// JSON, YAML, header and URL-encoded forms.
		{`{"password":"s3cret","user":"app"}`, `{"password":"***","user":"app"}`},
		{`{"api_key": "s3cret"}`, `{"api_key": "***"}`},
		{"password: s3cret", "password: ***"},
		{"Authorization: Bearer s3cret", "Authorization: Bearer ***"},
		{"authorization: Basic czNjcmV0", "authorization: Basic ***"},
		{"X-Api-Key: s3cret", "X-Api-Key: ***"},
		{"body=user%3Dapp%26password%3Ds3cret", "body=user%3Dapp%26password%3D***"},
		{"sent Bearer eyJhbGciOi.s3cret", "sent Bearer ***"},
		{`dsn="user=app password='s3 cret' host=db"`, `dsn="user=app password='***' host=db"`},
		// Every query parameter of a URL, whatever its name.
		{`Get "http://svc:s3cret@127.0.0.1:8080/health?access_token=s3cret&X-Amz-Signature=s3cret&sig=s3cret&v=": refused`,
			`Get "http://svc:***@127.0.0.1:8080/health?access_token=***&X-Amz-Signature=***&sig=***&v=": refused`},
		{"https://cdn.example/f?se=2026&sp=r;code=s3cret#access_token=s3cret",
			"https://cdn.example/f?se=***&sp=***;code=***#access_token=***"},
		{"https://example.com/docs#section", "https://example.com/docs#section"},
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

// Words that merely contain a short secret word (pwd, pass, sig) are
// ordinary text; the scrubber must not eat the error message around them.
func TestScrubKeepsOrdinaryText(t *testing.T) {
	tests := []string{
		"design=flat",
		"compass=north",
		"bypass: off",
		"signal=9",
		"exit status 1",
		"dial tcp 127.0.0.1:5432: connect: connection refused",
		"x509: certificate signed by unknown authority",
		"health: http get: status 503, want 2xx",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			if got := scrub(in); got != in {
				t.Fatalf("scrub(%q) = %q, want it unchanged", in, got)
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

// HTTPGet's error is a *url.Error that quotes the whole URL, so a signed
// or token-bearing health URL must lose its query values in every output.
func TestHTTPGetErrorHidesQueryValues(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // a refused connection makes the client return its url.Error
	var logs bytes.Buffer
	r := newTestRegistry(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	mustRegister(t, r, Check{Name: "upstream", Func: HTTPGet(nil,
		"http://svc:s3cret@"+addr+"/health?access_token=s3cret&X-Amz-Signature=s3cret&sig=s3cret", 0)})
	h := r.Handler()
	for _, target := range []string{"/readyz?verbose", "/healthz"} {
		body := serve(h, http.MethodGet, target).Body.String()
		if strings.Contains(body, "s3cret") || !strings.Contains(body, "access_token=***") {
			t.Fatalf("%s leaks or lost the URL: %s", target, body)
		}
	}
	if strings.Contains(logs.String(), "s3cret") || logs.Len() == 0 {
		t.Fatalf("log leaks a secret or is empty: %s", logs.String())
	}
}

// errorWithDSN fails like a driver that puts its DSN in the error.
func errorWithDSN(context.Context) error {
	return errors.New("connect postgres://app:s3cret@127.0.0.1/shop?password=s3cret: refused")
}

// secretForms are the ways a secret PW appears in error text that the
// fuzz target checks with arbitrary passwords.
var secretForms = []string{
	"DB_PASSWORD=PW", "sslpassword=PW", "aws_secret_access_key=PW",
	`{"password":"PW"}`, "password: PW", "Authorization: Bearer PW",
	"X-Api-Key: PW", "password%3DPW", "https://h/p?x=1&sig=PW#a",
	"sent Bearer PW",
}

func FuzzScrub(f *testing.F) {
	f.Add("error: ", "hunter2")
	f.Add("x\ny", "p@ss:word")
	f.Add("DB_PASSWORD=", "hunter2")
	f.Add(`{"password":"`, "hunter2")
	f.Add("Authorization: Bearer ", "hunter2")
	f.Add("X-Api-Key: ", "hunter2")
	f.Add("password%3D", "hunter2")
	f.Add("https://h/p?sig=", "hunter2")
	f.Add("design=pass=", "hunter2")
	f.Add("https://h/p?", "a?b#c")
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
		for _, form := range secretForms {
			msg := prefix + " " + strings.ReplaceAll(form, "PW", password)
			if strings.Contains(scrub(msg), password) {
				t.Fatalf("scrub(%q) = %q shows the password", msg, scrub(msg))
			}
		}
	})
}
