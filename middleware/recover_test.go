package middleware

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
)

var boom = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
	panic("boom")
})

func TestRecoverPanicOnRealServer(t *testing.T) {
	h := newHarness(t)
	mux := http.NewServeMux()
	mux.Handle("GET /panic", boom)
	mux.Handle("GET /ok", ok)
	srv := httptest.NewServer(h.handler(mux))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/panic")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("server did not keep going: %d", resp.StatusCode)
	}
	srv.Close()
	checkPanicRecorded(t, h, "/panic")
}

// checkPanicRecorded asserts span, metrics and log of a recovered panic.
func checkPanicRecorded(t *testing.T, h *harness, route string) {
	t.Helper()
	var found bool
	for _, s := range h.ended() {
		if spanAttrs(s)["http.route"] != route {
			continue
		}
		found = true
		if s.Status().Code != codes.Error {
			t.Errorf("span status %v", s.Status())
		}
		ev := s.Events()
		if len(ev) != 1 || ev[0].Name != "exception" ||
			!strings.Contains(attrMap(attrSet(ev[0].Attributes))["exception.stacktrace"], "recover_test.go") {
			t.Errorf("events %v", ev)
		}
	}
	if !found {
		t.Fatal("no span for the panicking route")
	}
	var sample bool
	for _, p := range h.histPoints("http.server.request.duration") {
		a := attrMap(p.Attributes)
		if a["http.route"] == route {
			sample = a["error.type"] == "panic" && a["http.response.status_code"] == "500"
		}
	}
	if !sample {
		t.Error("no duration sample with error.type=panic and status 500")
	}
	if h.activeSum() != 0 {
		t.Errorf("active requests %d", h.activeSum())
	}
	var errorLines int
	for _, l := range h.logLines() {
		if l["level"] == "ERROR" {
			errorLines++
			if !strings.Contains(l["stack"].(string), "recover_test.go") ||
				l["panic"] != "boom" || l["status"] != float64(500) {
				t.Errorf("error line %v", l)
			}
		}
	}
	if errorLines != 1 {
		t.Errorf("%d error log lines, want 1", errorLines)
	}
}

func TestRecoverSinglePartChain(t *testing.T) {
	h := newHarness(t)
	o := h.opts()
	mux := http.NewServeMux()
	mux.Handle("GET /panic", boom)
	hd := RequestID(o...)(Trace(o...)(Recover(o...)(Metrics(o...)(AccessLog(o...)(mux)))))
	rec := serve(hd, httptest.NewRequest("GET", "/panic", nil))
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	checkPanicRecorded(t, h, "/panic")
}

func TestRecoverAloneLogsStack(t *testing.T) {
	h := newHarness(t)
	rec := serve(Recover(h.opts()...)(boom), httptest.NewRequest("GET", "/", nil))
	l := h.logLines()
	if rec.Code != 500 || len(l) != 1 || l[0]["msg"] != "panic recovered" ||
		!strings.Contains(l[0]["stack"].(string), "recover_test.go") {
		t.Fatalf("status %d log %v", rec.Code, l)
	}
}

func TestRecoverAfterWriteKeepsStatus(t *testing.T) {
	h := newHarness(t)
	hd := h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("late")
	}))
	rec := serve(hd, httptest.NewRequest("GET", "/", nil))
	a := attrMap(h.histPoints("http.server.request.duration")[0].Attributes)
	if rec.Code != 202 || a["http.response.status_code"] != "202" || a["error.type"] != "panic" {
		t.Fatalf("code %d attrs %v", rec.Code, a)
	}
}

func TestRecoverReraisesErrAbortHandler(t *testing.T) {
	h := newHarness(t)
	hd := h.handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	var got any
	func() {
		defer func() { got = recover() }()
		serve(hd, httptest.NewRequest("GET", "/", nil))
	}()
	if got != http.ErrAbortHandler {
		t.Fatalf("recovered %v, want http.ErrAbortHandler", got)
	}
	s := h.onlySpan()
	a := attrMap(h.histPoints("http.server.request.duration")[0].Attributes)
	if s.Status().Code != codes.Error || a["error.type"] != "aborted" || h.activeSum() != 0 {
		t.Fatalf("span %v metric %v", s.Status(), a)
	}
}

func TestRecoverOnRealServerAbortClosesConnection(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			panic(http.ErrAbortHandler)
		})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	if err == nil || !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("err %v, want the connection closed", err)
	}
}
