package health

import (
	"database/sql"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestSQLPingsDatabase(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	check := SQL(db)
	if err := check(t.Context()); err != nil {
		t.Fatalf("ping open db: %v", err)
	}
	_ = db.Close()
	err = check(t.Context())
	if err == nil || !strings.HasPrefix(err.Error(), "health: sql ping: ") {
		t.Fatalf("ping closed db = %v, want health: sql ping: ...", err)
	}
	if err := SQL(nil)(t.Context()); err == nil {
		t.Fatal("SQL(nil) passed")
	}
}

func TestHTTPGetComparesStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(strings.Repeat("x", 10<<10)))
		case "/created":
			w.WriteHeader(http.StatusCreated)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name    string
		url     string
		want    int
		wantErr string
	}{
		{"2xx accepted by default", srv.URL + "/ok", 0, ""},
		{"exact status", srv.URL + "/created", 201, ""},
		{"wrong exact status", srv.URL + "/ok", 201, "status 200, want 201"},
		{"server error", srv.URL + "/fail", 0, "status 500, want 2xx"},
		{"connection refused", closed.URL, 0, "health: http get: "},
		{"bad url", "://nope", 0, "health: http get: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := HTTPGet(srv.Client(), tt.url, tt.want)(t.Context())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" &&
				(err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	srv.Client().CloseIdleConnections()
}

func TestHTTPGetErrorHidesURLPassword(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	url := strings.Replace(closed.URL, "http://", "http://probe:s3cret@", 1)
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "upstream", Func: HTTPGet(nil, url, 0)})
	body := serve(r.Handler(), http.MethodGet, "/readyz?verbose").Body.String()
	if strings.Contains(body, "s3cret") || !strings.Contains(body, "[-]upstream failed: health: http get:") {
		t.Fatalf("verbose output leaks or lacks the error: %q", body)
	}
}

func TestTCPDialsAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := TCP(addr)(t.Context()); err != nil {
		t.Fatalf("dial open listener: %v", err)
	}
	_ = ln.Close()
	if err := TCP(addr)(t.Context()); err == nil ||
		!strings.HasPrefix(err.Error(), "health: tcp dial: ") {
		t.Fatalf("dial closed listener = %v, want health: tcp dial: ...", err)
	}
}

// fakeBreaker implements BreakerState.
type fakeBreaker struct{ state string }

func (f fakeBreaker) Name() string      { return "pricing" }
func (f fakeBreaker) StateName() string { return f.state }

func TestBreakerMapsStateToStatus(t *testing.T) {
	tests := []struct {
		state    string
		optional bool
		want     Status
	}{
		{"closed", false, Pass},
		{"half-open", false, Warn},
		{"open", false, Fail},
		{"open", true, Warn},
		{"stuck", false, Fail},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			r := newTestRegistry(t)
			mustRegister(t, r, Check{Name: "breaker", Optional: tt.optional,
				Func: Breaker(fakeBreaker{tt.state})})
			rep := r.Evaluate(t.Context(), Readiness)
			if rep.Status != tt.want {
				t.Fatalf("status = %v (%+v), want %v", rep.Status, rep.Checks, tt.want)
			}
		})
	}
	err := Breaker(fakeBreaker{"open"})(t.Context())
	if err == nil || err.Error() != `health: breaker "pricing" open` {
		t.Fatalf("open breaker error = %v", err)
	}
	if err := Breaker(nil)(t.Context()); err == nil {
		t.Fatal("Breaker(nil) passed")
	}
}

func TestBreakerHalfOpenWrapsErrDegraded(t *testing.T) {
	err := Breaker(fakeBreaker{"half-open"})(t.Context())
	if !errors.Is(err, ErrDegraded) {
		t.Fatalf("half-open error = %v, want ErrDegraded", err)
	}
}

func TestGoroutinesComparesWithLimit(t *testing.T) {
	n := runtime.NumGoroutine()
	if err := Goroutines(n + 1000)(t.Context()); err != nil {
		t.Fatalf("under limit: %v", err)
	}
	if err := Goroutines(0)(t.Context()); err != nil {
		t.Fatalf("limit 0: %v", err)
	}
	err := Goroutines(1)(t.Context())
	if err == nil || !strings.Contains(err.Error(), "goroutines, limit 1") {
		t.Fatalf("over limit: %v", err)
	}
}

func TestHeapComparesWithLimit(t *testing.T) {
	if err := Heap(1 << 40)(t.Context()); err != nil {
		t.Fatalf("under limit: %v", err)
	}
	if err := Heap(0)(t.Context()); err != nil {
		t.Fatalf("limit 0: %v", err)
	}
	err := Heap(1)(t.Context())
	if err == nil || !strings.Contains(err.Error(), "bytes, limit 1") {
		t.Fatalf("over limit: %v", err)
	}
}
