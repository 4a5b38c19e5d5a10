package middleware

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-go/vigil/logging"
)

// idEcho records the request ID the handler sees.
func idEcho(got *string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*got = logging.RequestIDFromContext(r.Context())
	})
}

func TestRequestIDKeepsValidInbound(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{
		"abc", "0f8fad5b-d9cb-469f-a165-70867728950e",
		"svc.a:42_x+y=/z@q", strings.Repeat("a", MaxRequestIDLen),
	} {
		t.Run(id[:min(len(id), 20)], func(t *testing.T) {
			var got string
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("X-Request-ID", id)
			rec := serve(h.handler(idEcho(&got)), r)
			if got != id || rec.Header().Get("X-Request-ID") != id {
				t.Fatalf("context %q, header %q, want %q",
					got, rec.Header().Get("X-Request-ID"), id)
			}
		})
	}
}

func TestRequestIDReplacesUnsafeInboundAndNeverEchoesIt(t *testing.T) {
	cases := map[string]string{
		"8KB":        strings.Repeat("a", 8<<10),
		"129 bytes":  strings.Repeat("b", MaxRequestIDLen+1),
		"CRLF":       "abc\r\nSet-Cookie: x=1",
		"LF":         "abc\ndef",
		"quote":      `abc"def`,
		"non-ASCII":  "abcé",
		"space":      "abc def",
		"NUL":        "abc\x00",
		"ANSI":       "\x1b[31mred",
		"fake field": `a","level":"ERROR`,
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			var got string
			r := httptest.NewRequest("GET", "/", nil)
			r.Header["X-Request-Id"] = []string{bad}
			rec := serve(h.handler(idEcho(&got)), r)
			hdr := rec.Header().Get("X-Request-ID")
			if hdr == bad || got != hdr || !ValidRequestID(hdr) || len(hdr) != 32 {
				t.Fatalf("header %q context %q: want a new 32-hex ID", hdr, got)
			}
			if strings.Contains(h.logs.String(), bad) {
				t.Fatal("the rejected ID reached the log")
			}
			if spanAttrs(h.onlySpan())["vigil.request_id"] != hdr {
				t.Fatal("span does not carry the generated ID")
			}
		})
	}
}

func TestRequestIDGeneratedIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID(new([32]byte))
		if seen[id] || !ValidRequestID(id) {
			t.Fatalf("duplicate or invalid ID %q", id)
		}
		seen[id] = true
	}
}

func TestRequestIDUntrustedInboundIsReplaced(t *testing.T) {
	h := newHarness(t)
	var got string
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Request-ID", "client-chosen")
	serve(h.handler(idEcho(&got), WithTrustRequestID(false)), r)
	if got == "client-chosen" || got == "" {
		t.Fatalf("got %q, want a generated ID", got)
	}
}

func TestRequestIDCustomHeader(t *testing.T) {
	h := newHarness(t)
	var got string
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Trace-Request", "from-edge")
	rec := serve(h.handler(idEcho(&got),
		WithRequestIDHeader("trace-request")), r)
	if got != "from-edge" || rec.Header().Get("Trace-Request") != "from-edge" {
		t.Fatalf("context %q header %q", got, rec.Header().Get("Trace-Request"))
	}
}

// passThrough is a foreign middleware that wraps the writer, so vigil
// cannot see an outer vigil layer through it.
func passThrough(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&foreignWriter{ResponseWriter: w}, r)
	})
}

type foreignWriter struct{ http.ResponseWriter }

func (f *foreignWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func TestRequestIDStackedTwiceGivesOneID(t *testing.T) {
	cases := []struct {
		name  string
		stack func(h *harness, next http.Handler) http.Handler
	}{
		{"Handler twice", func(h *harness, n http.Handler) http.Handler {
			return h.handler(h.handler(n))
		}},
		{"Handler twice, foreign wrapper between",
			func(h *harness, n http.Handler) http.Handler {
				return h.handler(passThrough(h.handler(n)))
			}},
		{"RequestID twice", func(h *harness, n http.Handler) http.Handler {
			mw := RequestID(h.opts()...)
			return mw(mw(n))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			var got string
			rec := serve(c.stack(h, idEcho(&got)),
				httptest.NewRequest("GET", "/", nil))
			vals := rec.Header().Values("X-Request-ID")
			if len(vals) != 1 || vals[0] != got || got == "" {
				t.Fatalf("header values %q, context %q", vals, got)
			}
			for _, l := range h.logLines() {
				if l["request_id"] != got {
					t.Fatalf("log request_id %v, want %q", l["request_id"], got)
				}
			}
			for _, s := range h.ended() {
				if spanAttrs(s)["vigil.request_id"] != got {
					t.Fatalf("span %s has another ID", s.Name())
				}
			}
		})
	}
}

func TestRequestIDStackedTwiceRunsEachPartOnce(t *testing.T) {
	for name, stack := range map[string]func(*harness) http.Handler{
		"direct":          func(h *harness) http.Handler { return h.handler(h.handler(ok)) },
		"foreign between": func(h *harness) http.Handler { return h.handler(passThrough(h.handler(ok))) },
	} {
		t.Run(name, func(t *testing.T) { runsOnce(t, stack) })
	}
}

func runsOnce(t *testing.T, stack func(*harness) http.Handler) {
	h := newHarness(t)
	serve(stack(h), httptest.NewRequest("GET", "/", nil))
	if n := len(h.ended()); n != 1 {
		t.Fatalf("%d spans, want 1", n)
	}
	if n := len(h.logLines()); n != 1 {
		t.Fatalf("%d log lines, want 1", n)
	}
	var count uint64
	for _, p := range h.histPoints("http.server.request.duration") {
		count += p.Count
	}
	if count != 1 {
		t.Fatalf("%d duration samples, want 1", count)
	}
}

func FuzzValidRequestID(f *testing.F) {
	for _, s := range []string{"", "abc", "a\r\nb", `"`, "é", strings.Repeat("x", 200)} {
		f.Add(s)
	}
	hd := RequestID(WithLogger(discardLogger()))(http.HandlerFunc(
		func(http.ResponseWriter, *http.Request) {}))
	f.Fuzz(func(t *testing.T, in string) {
		valid := ValidRequestID(in)
		if valid && (len(in) > MaxRequestIDLen || strings.ContainsAny(in,
			"\r\n\"' \t<>\\\x00\x1b")) {
			t.Fatalf("accepted unsafe ID %q", in)
		}
		for i := 0; valid && i < len(in); i++ {
			if in[i] >= 0x80 {
				t.Fatalf("accepted non-ASCII ID %q", in)
			}
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["X-Request-Id"] = []string{in}
		rec := serve(hd, r)
		out := rec.Header().Get("X-Request-ID")
		if !ValidRequestID(out) || (out == in) != valid {
			t.Fatalf("in %q valid=%v, out %q", in, valid, out)
		}
	})
}
