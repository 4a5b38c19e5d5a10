package health

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serve sends one request through h and returns the recorded response.
func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func newMixedRegistry(t *testing.T) *Registry {
	t.Helper()
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "process", Func: passing, Probes: Liveness})
	mustRegister(t, r, Check{Name: "db", Func: failing})
	mustRegister(t, r, Check{Name: "cache", Func: failing, Optional: true})
	mustRegister(t, r, Check{Name: "migrated", Func: passing, Probes: Startup})
	return r
}

func TestEndpointsAnswerStatusAndShortBody(t *testing.T) {
	h := newMixedRegistry(t).Handler()
	tests := []struct {
		target   string
		wantCode int
		wantBody string
	}{
		{"/livez", 200, "ok"},
		{"/readyz", 503, "failed"},
		{"/readyz?exclude=db", 200, "ok"},
		{"/startupz", 200, "ok"},
		{"/admin/livez", 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := serve(h, http.MethodGet, tt.target)
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Fatalf("Content-Type = %q", ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestVerboseListsOneLinePerCheck(t *testing.T) {
	h := newMixedRegistry(t).Handler()
	rec := serve(h, http.MethodGet, "/readyz?verbose&exclude=cache&exclude=ghost")
	want := "[-]db failed: boom\n" +
		"[+]cache excluded: ok\n" +
		"warn: some health checks cannot be excluded: no matches for \"ghost\"\n" +
		"readyz check failed\n"
	if rec.Code != 503 || rec.Body.String() != want {
		t.Fatalf("got %d\n%s\nwant 503\n%s", rec.Code, rec.Body, want)
	}
	rec = serve(h, http.MethodGet, "/readyz?verbose&exclude=db")
	want = "[+]db excluded: ok\n[+]cache warn: boom\nreadyz check passed\n"
	if rec.Code != 200 || rec.Body.String() != want {
		t.Fatalf("got %d\n%s\nwant 200\n%s", rec.Code, rec.Body, want)
	}
}

func TestHeadAnswersStatusWithoutBody(t *testing.T) {
	r := newMixedRegistry(t)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	for path, want := range map[string]int{"/livez": 200, "/readyz": 503, "/healthz": 503} {
		resp, err := srv.Client().Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != want || len(body) != 0 {
			t.Fatalf("HEAD %s = %d, body %q (%v); want %d, no body", path,
				resp.StatusCode, body, err, want)
		}
	}
}

func TestOtherMethodsAreRejected(t *testing.T) {
	h := newMixedRegistry(t).Handler()
	for _, path := range Paths() {
		rec := serve(h, http.MethodPost, path)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Fatalf("POST %s = %d Allow %q", path, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

func TestUnknownPathIsNotFound(t *testing.T) {
	h := newMixedRegistry(t).Handler()
	for _, path := range []string{"/", "/readyz/db", "/xlivez", "/metrics"} {
		if rec := serve(h, http.MethodGet, path); rec.Code != http.StatusNotFound {
			t.Fatalf("GET %s = %d, want 404", path, rec.Code)
		}
	}
}

func TestHealthzReportsJSONDocument(t *testing.T) {
	r := newMixedRegistry(t)
	before := time.Now()
	rec := serve(r.Handler(), http.MethodGet, "/healthz")
	if rec.Code != 503 || rec.Header().Get("Content-Type") != "application/health+json" {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		Status string
		Checks map[string][]struct {
			Status        string
			ObservedValue *float64
			ObservedUnit  string
			Time          time.Time
			LastSuccess   *time.Time
			Output        string
			Optional      bool
			Probes        []string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, rec.Body)
	}
	if doc.Status != "fail" || len(doc.Checks) != 4 {
		t.Fatalf("status %q with %d checks, want fail with 4", doc.Status, len(doc.Checks))
	}
	db, cache, process := doc.Checks["db"][0], doc.Checks["cache"][0], doc.Checks["process"][0]
	if db.Status != "fail" || db.Output != "boom" || db.LastSuccess != nil {
		t.Errorf("db = %+v, want fail boom, no last success", db)
	}
	if cache.Status != "warn" || !cache.Optional {
		t.Errorf("cache = %+v, want optional warn", cache)
	}
	if process.Status != "pass" || process.LastSuccess == nil ||
		process.LastSuccess.Before(before) || process.Time.Before(before) {
		t.Errorf("process = %+v, want pass with times after %v", process, before)
	}
	if process.ObservedValue == nil || process.ObservedUnit != "ms" ||
		strings.Join(process.Probes, ",") != "liveness" {
		t.Errorf("process = %+v, want duration in ms and probes [liveness]", process)
	}
}

func TestHealthzWarnsWhenOnlyOptionalChecksFail(t *testing.T) {
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "cache", Func: failing, Optional: true})
	rec := serve(r.JSONHandler(), http.MethodGet, "/healthz")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"warn"`) {
		t.Fatalf("got %d %s, want 200 warn", rec.Code, rec.Body)
	}
}

func TestWithoutDetailsHidesChecks(t *testing.T) {
	h := newMixedRegistry(t).Handler(WithDetails(false))
	tests := []struct {
		target   string
		wantCode int
		wantBody string
	}{
		{"/readyz?verbose", 503, "failed"},
		{"/readyz?exclude=db", 503, "failed"},
		{"/healthz?exclude=db", 503, `{"status":"fail"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := serve(h, http.MethodGet, tt.target)
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
		})
	}
}

func TestDrainShowsInEndpoints(t *testing.T) {
	r := newTestRegistry(t)
	mustRegister(t, r, Check{Name: "c", Func: passing, Probes: allProbes})
	h := r.Handler()
	r.Drain()
	if rec := serve(h, http.MethodGet, "/livez"); rec.Code != 200 {
		t.Fatalf("livez while draining = %d, want 200", rec.Code)
	}
	rec := serve(h, http.MethodGet, "/readyz?verbose")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "[-]shutdown failed: draining\n") {
		t.Fatalf("readyz while draining = %d %q", rec.Code, rec.Body)
	}
}

func TestIsProbeRequest(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/livez", true}, {"/readyz", true}, {"/startupz", true}, {"/healthz", true},
		{"/admin/readyz", true}, {"/readyz/", false}, {"/xreadyz", false},
		{"/api/orders", false}, {"", false},
	}
	for _, tt := range tests {
		req := &http.Request{URL: mustURL(t, tt.path)}
		if got := IsProbeRequest(req); got != tt.want {
			t.Errorf("IsProbeRequest(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if IsProbeRequest(nil) {
		t.Error("IsProbeRequest(nil) = true")
	}
}

func TestPathsReturnsACopy(t *testing.T) {
	p := Paths()
	p[0] = "/changed"
	if Paths()[0] != "/livez" {
		t.Fatal("Paths shares its backing array")
	}
}

func FuzzProbeQuery(f *testing.F) {
	for _, q := range []string{"verbose", "exclude=db&exclude=x", "%zz", "exclude=%0a"} {
		f.Add(q)
	}
	r := New(WithMeterProvider(nil))
	defer r.Close()
	_ = r.Register(Check{Name: "db", Func: failing})
	_ = r.Register(Check{Name: "live", Func: passing, Probes: Liveness})
	h := r.Handler()
	f.Fuzz(func(t *testing.T, query string) {
		for _, p := range Paths() {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path, req.URL.RawQuery = p, query
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 && rec.Code != 503 {
				t.Fatalf("%s?%s = %d", p, query, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "\n\n") {
				t.Fatalf("%s?%s produced an empty line:\n%s", p, query, rec.Body)
			}
		}
	})
}
