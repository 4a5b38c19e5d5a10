package middleware

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"

	"github.com/vigil-go/vigil/vigiltest"
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

// TestRecoverAfterHeadersAbortsResponse: once the headers are out a 500
// is impossible, so the panic is recorded with the status as written and
// the response is aborted with http.ErrAbortHandler.
func TestRecoverAfterHeadersAbortsResponse(t *testing.T) {
	for _, c := range []struct {
		name   string
		start  func(http.ResponseWriter)
		status string
	}{
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }, "202"},
		{"Write", func(w http.ResponseWriter) { _, _ = w.Write([]byte("row\n")) }, "200"},
		{"Flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, "200"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			hd := h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.start(w)
				panic("late")
			}))
			var got any
			func() {
				defer func() { got = recover() }()
				serve(hd, httptest.NewRequest("GET", "/", nil))
			}()
			if got != http.ErrAbortHandler {
				t.Fatalf("raised %v, want http.ErrAbortHandler", got)
			}
			a := attrMap(h.histPoints("http.server.request.duration")[0].Attributes)
			if a["http.response.status_code"] != c.status || a["error.type"] != "panic" {
				t.Fatalf("metric attrs %v", a)
			}
			s := h.onlySpan()
			if s.Status().Code != codes.Error || len(s.Events()) != 1 {
				t.Fatalf("span status %v events %v", s.Status(), s.Events())
			}
			l := h.logLines()
			if len(l) != 1 || l[0]["panic"] != "late" || l[0]["error_type"] != "panic" ||
				l[0]["level"] != "ERROR" || l[0]["stack"] == "" {
				t.Fatalf("log %v", l)
			}
		})
	}
}

// TestRecoverPanicMidStreamClientSeesError: a handler streams part of a
// body and panics. The client must get a read error (HTTP/1.1: unexpected
// EOF; HTTP/2: stream reset), as without vigil, not a clean end of a
// truncated body, and net/http must not log a stack of its own.
func TestRecoverPanicMidStreamClientSeesError(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2], func(t *testing.T) {
			h := newHarness(t)
			errs := &vigiltest.Buffer{}
			srv := startServer(t, h.handler(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					for i := range 1000 {
						if i == 500 {
							panic("export failed")
						}
						_, _ = fmt.Fprintf(w, "row,%d,%s\n", i, strings.Repeat("x", 40))
					}
				})), h2, errs)
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err == nil || resp.ProtoMajor != map[bool]int{false: 1, true: 2}[h2] {
				t.Fatalf("proto %d: read %d rows with no error, want a broken response",
					resp.ProtoMajor, strings.Count(string(b), "\n"))
			}
			srv.Close()
			if strings.Contains(errs.String(), "export failed") {
				t.Errorf("net/http logged the panic: %s", errs)
			}
			a := attrMap(h.histPoints("http.server.request.duration")[0].Attributes)
			if a["http.response.status_code"] != "200" || a["error.type"] != "panic" {
				t.Fatalf("metric attrs %v", a)
			}
		})
	}
}

// TestInvalidWriteHeaderCodeAnswers500: net/http panics on a code outside
// 100..999; vigil must panic before recording the code, so Recover still
// answers 500 and the telemetry says 500, never the bogus code or 200.
func TestInvalidWriteHeaderCodeAnswers500(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			code, _ := strconv.Atoi(r.URL.Query().Get("code"))
			w.WriteHeader(code)
		})))
	defer srv.Close()
	for _, code := range []int{-1, 0, 42, 99, 1000, 70000} {
		resp, err := http.Get(srv.URL + "/?code=" + strconv.Itoa(code))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 500 {
			t.Errorf("code %d: client got %d, want 500", code, resp.StatusCode)
		}
	}
	srv.Close()
	for _, p := range h.histPoints("http.server.request.duration") {
		if a := attrMap(p.Attributes); a["http.response.status_code"] != "500" ||
			a["error.type"] != "panic" || p.Count != 6 {
			t.Errorf("metric point %v count %d", a, p.Count)
		}
	}
	for _, l := range h.logLines() {
		if l["status"] != float64(500) || l["error_type"] != "panic" ||
			!strings.Contains(l["panic"].(string), "invalid WriteHeader code") {
			t.Errorf("log %v", l)
		}
	}
}

// TestPanicValueCapped: a huge panic value is cut to maxPanicLen with a
// mark in the log and the exception event; the stack stays whole.
func TestPanicValueCapped(t *testing.T) {
	huge := strings.Repeat("A\n", 1<<20)
	for _, c := range []struct {
		name string
		val  any
		want string
	}{
		{"short string", "boom", "boom"},
		{"huge string", huge, huge[:maxPanicLen] + truncatedMark},
		{"huge error", errors.New(huge), huge[:maxPanicLen] + truncatedMark},
		{"non-string", 42, "42"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, part := range []Part{PartAll, PartTrace | PartRecover} {
				h := newHarness(t)
				hd := h.handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
					panic(c.val)
				}), WithParts(part))
				if rec := serve(hd, httptest.NewRequest("GET", "/", nil)); rec.Code != 500 {
					t.Fatalf("status %d", rec.Code)
				}
				l := h.logLines()
				if len(l) != 1 || l[0]["panic"] != c.want ||
					!strings.Contains(l[0]["stack"].(string), "recover_test.go") {
					t.Fatalf("parts %b: log panic %.80q, %d records", part, l[0]["panic"], len(l))
				}
				ev := attrMap(attrSet(h.onlySpan().Events()[0].Attributes))
				if ev["exception.message"] != c.want ||
					!strings.Contains(ev["exception.stacktrace"], "recover_test.go") {
					t.Fatalf("exception message %.80q", ev["exception.message"])
				}
			}
		})
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
