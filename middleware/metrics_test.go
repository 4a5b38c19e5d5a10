package middleware

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// allowedServerKeys are the only attribute keys server metrics may use.
var allowedServerKeys = []string{
	"http.request.method", "url.scheme", "http.response.status_code",
	"network.protocol.version", "http.route", "error.type",
}

func TestMetricsGoldenSignals(t *testing.T) {
	h := newHarness(t)
	hd := h.handler(routes())
	serve(hd, httptest.NewRequest("POST", "/users", strings.NewReader("hello")))
	serve(hd, httptest.NewRequest("GET", "/fail", nil))

	pts := h.histPoints("http.server.request.duration")
	if len(pts) != 2 {
		t.Fatalf("%d duration series, want 2", len(pts))
	}
	got := map[string]map[string]string{}
	for _, p := range pts {
		a := attrMap(p.Attributes)
		got[a["http.route"]] = a
		for k := range a {
			if !slices.Contains(allowedServerKeys, k) {
				t.Errorf("unexpected attribute %s", k)
			}
		}
	}
	if a := got["/users"]; a["http.request.method"] != "POST" ||
		a["http.response.status_code"] != "200" || a["error.type"] != "" {
		t.Fatalf("/users attrs %v", a)
	}
	if a := got["/fail"]; a["error.type"] != "503" || a["url.scheme"] != "http" ||
		a["network.protocol.version"] != "1.1" {
		t.Fatalf("/fail attrs %v", a)
	}
	if h.activeSum() != 0 {
		t.Fatalf("active requests %d after all returned", h.activeSum())
	}
	sizes := map[string]int64{}
	for _, name := range []string{"http.server.request.body.size",
		"http.server.response.body.size"} {
		d := h.metric(name).(metricdata.Histogram[int64])
		for _, p := range d.DataPoints {
			if attrMap(p.Attributes)["http.route"] == "/users" {
				sizes[name] = p.Sum
			}
		}
	}
	if sizes["http.server.request.body.size"] != 5 ||
		sizes["http.server.response.body.size"] != 2 {
		t.Fatalf("body sizes %v", sizes)
	}
}

func TestMetricsActiveRequestsWhileServing(t *testing.T) {
	h := newHarness(t)
	var during int64
	hd := h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		during = h.activeSum()
	}))
	serve(hd, httptest.NewRequest("GET", "/", nil))
	if during != 1 || h.activeSum() != 0 {
		t.Fatalf("during %d, after %d", during, h.activeSum())
	}
}

func TestMetricsDurationBucketsOption(t *testing.T) {
	h := newHarness(t)
	serve(h.handler(ok, WithDurationBuckets(0.1, 1, 20)),
		httptest.NewRequest("GET", "/", nil))
	p := h.histPoints("http.server.request.duration")[0]
	if !slices.Equal(p.Bounds, []float64{0.1, 1, 20}) {
		t.Fatalf("bounds %v", p.Bounds)
	}
}

func TestMetricsDefaultBucketsReachPastTenSeconds(t *testing.T) {
	h := newHarness(t)
	serve(h.handler(ok), httptest.NewRequest("GET", "/", nil))
	b := h.histPoints("http.server.request.duration")[0].Bounds
	if b[len(b)-1] <= 10 {
		t.Fatalf("last bound %v", b[len(b)-1])
	}
}

// TestMetricsSeriesBoundedUnderRandomHeaders sends 500 requests with
// random User-Agent, X-Forwarded-For and Host, each on a new connection,
// to a real server and checks no series appear beyond method × route ×
// status.
func TestMetricsSeriesBoundedUnderRandomHeaders(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.handler(routes()))
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	paths := []string{"/users/1", "/users/2", "/fail", "/nowhere", "/missing"}
	for i := range 500 {
		req, err := http.NewRequest("GET", srv.URL+paths[i%len(paths)], nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", fmt.Sprintf("agent-%d", rand.Uint64()))
		req.Header.Set("X-Forwarded-For", net.IPv4(10, byte(i), byte(i>>8), 1).String())
		req.Host = fmt.Sprintf("h%d.example", rand.Uint32())
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	srv.Close()
	client.CloseIdleConnections()

	// Routes /users/{id}, /fail, /missing, unmatched; one method; one
	// status per route.
	pts := h.histPoints("http.server.request.duration")
	if len(pts) != 4 {
		t.Fatalf("%d series, want 4", len(pts))
	}
	var total uint64
	for _, p := range pts {
		total += p.Count
		for k, v := range attrMap(p.Attributes) {
			if !slices.Contains(allowedServerKeys, k) || strings.Contains(v, "agent") {
				t.Fatalf("attribute %s=%s", k, v)
			}
		}
	}
	if total != 500 {
		t.Fatalf("%d samples, want 500", total)
	}
}

func TestSkipDropsRequestFromSignals(t *testing.T) {
	cases := []struct {
		name                   string
		opt                    Option
		span, metric, log, hdr bool
	}{
		{"exclude paths", WithExcludePaths("/healthz"), false, false, false, false},
		{"skip all", WithSkip(func(r *http.Request) bool {
			return r.URL.Path == "/healthz"
		}), false, false, false, false},
		{"skip log only", WithSkip(func(r *http.Request) bool {
			return r.URL.Path == "/healthz"
		}, PartAccessLog), true, true, false, true},
		{"skip trace and metrics", WithSkip(func(r *http.Request) bool {
			return true
		}, PartTrace, PartMetrics), false, false, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			rec := serve(h.handler(ok, c.opt), httptest.NewRequest("GET", "/healthz", nil))
			got := [4]bool{len(h.ended()) > 0, h.hasMetric("http.server.request.duration"),
				len(h.logLines()) > 0, rec.Header().Get("X-Request-ID") != ""}
			want := [4]bool{c.span, c.metric, c.log, c.hdr}
			if got != want || rec.Body.String() != "ok" {
				t.Fatalf("span, metric, log, header = %v, want %v", got, want)
			}
		})
	}
}

func TestSkipKeepsRecover(t *testing.T) {
	h := newHarness(t)
	hd := h.handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}), WithExcludePaths("/healthz"))
	rec := serve(hd, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
}
