package middleware

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/vigil-go/vigil/vigiltest"
)

func TestAccessLogFields(t *testing.T) {
	h := newHarness(t)
	r := httptest.NewRequest("POST", "/users?token=secret", strings.NewReader("abc"))
	r.Header.Set("User-Agent", "probe/2")
	serve(h.handler(routes()), r)
	l := h.logLines()
	if len(l) != 1 {
		t.Fatalf("%d lines", len(l))
	}
	s := h.onlySpan()
	want := map[string]any{
		"level": "INFO", "msg": "http request", "method": "POST",
		"route": "/users", "path": "/users", "status": float64(200),
		"bytes_in": float64(3), "bytes_out": float64(2),
		"remote_addr": "192.0.2.1:1234", "user_agent": "probe/2",
		"trace_id": s.SpanContext().TraceID().String(),
		"span_id":  s.SpanContext().SpanID().String(),
	}
	for k, v := range want {
		if l[0][k] != v {
			t.Errorf("%s = %v, want %v", k, l[0][k], v)
		}
	}
	if _, has := l[0]["duration_ms"].(float64); !has || l[0]["request_id"] == "" {
		t.Errorf("missing duration or request ID: %v", l[0])
	}
	if strings.Contains(h.logs.String(), "secret") {
		t.Error("query string logged by default")
	}
}

func TestAccessLogQueryModes(t *testing.T) {
	cases := []struct {
		mode QueryMode
		want any
	}{
		{QueryDrop, nil},
		{QueryRedact, "token=redacted&page=redacted"},
		{QueryKeep, "token=secret&page=2"},
	}
	for _, c := range cases {
		h := newHarness(t)
		serve(h.handler(ok, WithQuery(c.mode)),
			httptest.NewRequest("GET", "/?token=secret&page=2", nil))
		if got := h.logLines()[0]["query"]; got != c.want {
			t.Errorf("mode %d: query %v, want %v", c.mode, got, c.want)
		}
	}
}

func TestAccessLogLevelByStatus(t *testing.T) {
	for status, level := range map[int]string{
		200: "INFO", 302: "INFO", 404: "WARN", 429: "WARN", 500: "ERROR", 503: "ERROR",
	} {
		h := newHarness(t)
		serve(h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
		})), httptest.NewRequest("GET", "/", nil))
		if got := h.logLines()[0]["level"]; got != level {
			t.Errorf("status %d: level %v, want %s", status, got, level)
		}
	}
}

func TestAccessLogInjectionStaysOneRecord(t *testing.T) {
	evil := []string{
		"a\nlevel=ERROR msg=forged",
		"b\r\n{\"level\":\"ERROR\",\"msg\":\"forged\"}",
		"c\x1b[31mred\x1b[0m",
		`d" level=ERROR msg="forged`,
		"e\u2028f\u0000",
	}
	for _, v := range evil {
		t.Run(strings.Fields(v)[0], func(t *testing.T) {
			h := newHarness(t)
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path = "/x" + v
			r.Header["User-Agent"] = []string{v}
			r.RemoteAddr = v
			serve(h.handler(ok), r)
			out := h.logs.String()
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("not exactly one line: %q", out)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatal(err)
			}
			if m["user_agent"] != v || m["path"] != "/x"+v || m["msg"] != "http request" {
				t.Fatalf("values changed: %v", m)
			}
		})
	}
}

func TestAccessLogOffWhenLevelDisabled(t *testing.T) {
	h := newHarness(t)
	h.logger = discardLogger()
	serve(h.handler(ok), httptest.NewRequest("GET", "/", nil))
	if h.logs.String() != "" {
		t.Fatal("wrote to the harness buffer")
	}
}

// TestCanceledClientIsNotServerError: the client goes away while the
// handler waits; the handler then writes a 500. vigil records status 499
// with error.type=canceled, leaves the span status unset and logs a
// warning, so 5xx error rates do not count it.
func TestCanceledClientIsNotServerError(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2], func(t *testing.T) {
			canceledClient(t, h2)
		})
	}
}

func canceledClient(t *testing.T, h2 bool) {
	h := newHarness(t)
	entered := make(chan struct{})
	var errs vigiltest.Buffer
	served := make(chan struct{})
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer close(served)
			next.ServeHTTP(w, r)
		})
	}
	srv := startServer(t, outer(h.handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			http.Error(w, "gave up", http.StatusInternalServerError)
		}))), h2, &errs)
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	go func() { <-entered; cancel() }()
	resp, err := srv.Client().Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("request was not canceled")
	}
	<-served // srv.Close does not wait for HTTP/2 handlers
	srv.Close()

	s := h.onlySpan()
	if s.Status().Code == codes.Error || spanAttrs(s)["error.type"] != "canceled" ||
		spanAttrs(s)["http.response.status_code"] != "499" {
		t.Fatalf("span status %v attrs %v", s.Status(), spanAttrs(s))
	}
	a := attrMap(h.histPoints("http.server.request.duration")[0].Attributes)
	if a["http.response.status_code"] != "499" || a["error.type"] != "canceled" {
		t.Fatalf("metric attrs %v", a)
	}
	l := h.logLines()
	if len(l) != 1 || l[0]["level"] != "WARN" || l[0]["error_type"] != "canceled" {
		t.Fatalf("log %v", l)
	}
}

// TestHeadCountsNoBodyBytes: net/http accepts body writes for HEAD but
// sends nothing, so bytes_out, the response size metric and the span
// attribute count what was sent: 0.
func TestHeadCountsNoBodyBytes(t *testing.T) {
	for _, c := range []struct {
		method string
		want   int64
	}{
		{http.MethodGet, 5000},
		{http.MethodHead, 0},
	} {
		t.Run(c.method, func(t *testing.T) {
			h := newHarness(t)
			srv := httptest.NewServer(h.handler(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					_, _ = w.Write(make([]byte, 5000))
				})))
			req, _ := http.NewRequest(c.method, srv.URL, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			srv.Close()
			if n != c.want {
				t.Fatalf("client read %d bytes", n)
			}
			if l := h.logLines(); len(l) != 1 || l[0]["bytes_out"] != float64(c.want) {
				t.Fatalf("log %v", l)
			}
			d := h.metric("http.server.response.body.size").(metricdata.Histogram[int64])
			if p := d.DataPoints; len(p) != 1 || p[0].Sum != c.want {
				t.Fatalf("response size points %v", p)
			}
			got := spanAttrs(h.onlySpan())["http.response.body.size"]
			if want := map[bool]string{true: "5000", false: ""}[c.want > 0]; got != want {
				t.Fatalf("span http.response.body.size %q, want %q", got, want)
			}
		})
	}
}

// TestRequestValuesCapped: hostile request values are cut before they
// reach the access log and the span, so one request cannot make a
// record megabytes long.
func TestRequestValuesCapped(t *testing.T) {
	long := func(n int) string { return strings.Repeat("M", n) }
	for _, c := range []struct {
		name               string
		method, path, ua   string
		wantMethod         string
		wantPath, wantUA   string
		wantMethodOriginal string
	}{
		{name: "normal", method: "GET", path: "/items/1", ua: "curl/8",
			wantMethod: "GET", wantPath: "/items/1", wantUA: "curl/8"},
		{name: "long method", method: long(50000), path: "/", ua: "x",
			wantMethod: long(maxMethodLen) + truncatedMark, wantPath: "/", wantUA: "x",
			wantMethodOriginal: long(maxMethodLen) + truncatedMark},
		{name: "long path and user agent", method: "GET", path: "/" + long(100000),
			ua:         long(100000),
			wantMethod: "GET", wantPath: ("/" + long(maxPathLen))[:maxPathLen] + truncatedMark,
			wantUA: long(maxUserAgentLen) + truncatedMark},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			r := httptest.NewRequest("GET", c.path, nil)
			r.Method = c.method
			r.Header.Set("User-Agent", c.ua)
			serve(h.handler(ok), r)
			l := h.logLines()
			if len(l) != 1 || l[0]["method"] != c.wantMethod || l[0]["path"] != c.wantPath ||
				l[0]["user_agent"] != c.wantUA {
				t.Fatalf("log method %.40q path %.40q ua %.40q", l[0]["method"], l[0]["path"], l[0]["user_agent"])
			}
			a := spanAttrs(h.onlySpan())
			if a["http.request.method_original"] != c.wantMethodOriginal ||
				a["url.path"] != c.wantPath || a["user_agent.original"] != c.wantUA {
				t.Fatalf("span attrs %.200v", a)
			}
		})
	}
}

func TestCapString(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 4, ""},
		{"abcd", 4, "abcd"},
		{"abcde", 4, "abcd" + truncatedMark},
		{"ab€x", 3, "ab" + truncatedMark}, // does not split the 3-byte rune
		{"€€", 4, "€" + truncatedMark},
	} {
		if got := capString(c.in, c.n); got != c.want {
			t.Errorf("capString(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
