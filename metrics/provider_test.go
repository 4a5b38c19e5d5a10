package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/metrics"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newProvider(t *testing.T, opts ...metrics.Option) *metrics.Provider {
	t.Helper()
	p, err := metrics.NewProvider(opts...)
	if err != nil {
		t.Fatalf("NewProvider: %v", err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// scrape serves one /metrics request through h and returns the body.
// accept selects the format; "" means the Prometheus text format.
func scrape(t *testing.T, h http.Handler, accept string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// metricNames returns the distinct sample names in a text exposition.
func metricNames(body string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		names[name] = true
	}
	return names
}

func TestPrometheusNamesGetOneSuffix(t *testing.T) {
	tests := []struct {
		name   string
		record func(m metric.Meter) error
		want   string
		absent []string
	}{
		{"counter gets _total", func(m metric.Meter) error {
			c, err := m.Int64Counter("foo.requests")
			c.Add(context.Background(), 1)
			return err
		}, "foo_requests_total", []string{"foo_requests_total_total"}},
		{"counter already ending in total", func(m metric.Meter) error {
			c, err := m.Int64Counter("jobs.total")
			c.Add(context.Background(), 1)
			return err
		}, "jobs_total", []string{"jobs_total_total"}},
		{"counter with _total in its name", func(m metric.Meter) error {
			c, err := m.Float64Counter("retries_total")
			c.Add(context.Background(), 1)
			return err
		}, "retries_total", []string{"retries_total_total"}},
		{"bytes counter", func(m metric.Meter) error {
			c, err := m.Int64Counter("http.server.request.body.size",
				metric.WithUnit("By"))
			c.Add(context.Background(), 10)
			return err
		}, "http_server_request_body_size_bytes_total", nil},
		{"bytes up-down counter", func(m metric.Meter) error {
			c, err := m.Int64UpDownCounter("queue.size",
				metric.WithUnit("By"))
			c.Add(context.Background(), 10)
			return err
		}, "queue_size_bytes", []string{"queue_size_bytes_total"}},
		{"seconds histogram", func(m metric.Meter) error {
			h, err := m.Float64Histogram("http.server.request.duration",
				metric.WithUnit("s"))
			h.Record(context.Background(), 0.2)
			return err
		}, "http_server_request_duration_seconds_bucket",
			[]string{"http_server_request_duration_seconds_seconds_bucket"}},
		{"annotation unit adds nothing", func(m metric.Meter) error {
			c, err := m.Int64UpDownCounter("http.server.active_requests",
				metric.WithUnit("{request}"))
			c.Add(context.Background(), 1)
			return err
		}, "http_server_active_requests", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, metrics.WithRuntimeMetrics(false),
				metrics.WithProcessMetrics(false))
			if err := tt.record(p.Meter("test")); err != nil {
				t.Fatal(err)
			}
			body := scrape(t, p.Handler(), "")
			names := metricNames(body)
			if !names[tt.want] {
				t.Errorf("no %s in:\n%s", tt.want, body)
			}
			for _, a := range tt.absent {
				if names[a] {
					t.Errorf("unexpected %s in:\n%s", a, body)
				}
			}
		})
	}
}

// bucketBounds returns the le labels of the buckets of histogram name.
func bucketBounds(body, name string) []string {
	var les []string
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, name+"_bucket{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `le="`)
		le, _, _ := strings.Cut(rest, `"`)
		les = append(les, le)
	}
	return les
}

func TestDurationHistogramBuckets(t *testing.T) {
	tests := []struct {
		name string
		opts []metrics.Option
		want []string // must be present
		not  []string // must be absent
	}{
		{"default goes past 10s", nil,
			[]string{"0.005", "10", "15", "30", "+Inf"}, nil},
		{"option replaces bounds",
			[]metrics.Option{metrics.WithDurationBuckets(60, 0.1, 1)},
			[]string{"0.1", "1", "60", "+Inf"}, []string{"0.005", "30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, append(tt.opts,
				metrics.WithRuntimeMetrics(false))...)
			m := p.Meter("test")
			for _, n := range metrics.DurationInstruments() {
				h, err := m.Float64Histogram(n, metric.WithUnit("s"))
				if err != nil {
					t.Fatal(err)
				}
				h.Record(context.Background(), 12)
			}
			body := scrape(t, p.Handler(), "")
			for _, n := range metrics.DurationInstruments() {
				prom := strings.ReplaceAll(n, ".", "_") + "_seconds"
				got := strings.Join(bucketBounds(body, prom), " ")
				for _, le := range tt.want {
					if !strings.Contains(" "+got+" ", " "+le+" ") {
						t.Errorf("%s buckets %q lack %s", prom, got, le)
					}
				}
				for _, le := range tt.not {
					if strings.Contains(" "+got+" ", " "+le+" ") {
						t.Errorf("%s buckets %q have %s", prom, got, le)
					}
				}
			}
		})
	}
}

func TestCardinalityLimitBoundsSeries(t *testing.T) {
	tests := []struct {
		name  string
		opts  []metrics.Option
		limit int
	}{
		{"default", nil, metrics.DefaultCardinalityLimit},
		{"option", []metrics.Option{metrics.WithCardinalityLimit(10)}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, append(tt.opts,
				metrics.WithRuntimeMetrics(false))...)
			c, err := p.Meter("test").Int64Counter("hits")
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.limit * 2 {
				c.Add(context.Background(), 1, metric.WithAttributes(
					attribute.String("user", fmt.Sprint(i))))
			}
			body := scrape(t, p.Handler(), "")
			n := strings.Count(body, "\nhits_total{")
			if n > tt.limit {
				t.Errorf("%d series, want at most %d", n, tt.limit)
			}
			if !strings.Contains(body, `otel_metric_overflow="true"`) {
				t.Error("no overflow series")
			}
		})
	}
}

func TestRestartInOneProcess(t *testing.T) {
	shared := prometheus.NewRegistry()
	tests := []struct {
		name string
		opts []metrics.Option
	}{
		{"own registry", nil},
		{"shared registry", []metrics.Option{metrics.WithRegistry(shared)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 3 {
				p, err := metrics.NewProvider(tt.opts...)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				c, _ := p.Meter("test").Int64Counter(
					fmt.Sprintf("round%d.requests", round))
				c.Add(context.Background(), 1)
				body := scrape(t, p.Handler(), "")
				names := metricNames(body)
				want := fmt.Sprintf("round%d_requests_total", round)
				if !names[want] {
					t.Errorf("round %d: no %s", round, want)
				}
				if round > 0 && names[fmt.Sprintf(
					"round%d_requests_total", round-1)] {
					t.Errorf("round %d: series of the stopped provider "+
						"still scraped", round)
				}
				if err := p.Shutdown(context.Background()); err != nil {
					t.Fatalf("Shutdown: %v", err)
				}
				if err := p.Shutdown(context.Background()); err != nil {
					t.Errorf("second Shutdown: %v", err)
				}
				// The handler keeps working after Shutdown.
				scrape(t, p.Handler(), "")
			}
		})
	}
}

func TestRuntimeAndProcessMetrics(t *testing.T) {
	tests := []struct {
		name    string
		opts    []metrics.Option
		runtime bool
		process bool
	}{
		{"default on", nil, true, true},
		{"off", []metrics.Option{metrics.WithRuntimeMetrics(false),
			metrics.WithProcessMetrics(false)}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := metricNames(scrape(t, newProvider(t, tt.opts...).Handler(), ""))
			if got := names["go_goroutine_count"]; got != tt.runtime {
				t.Errorf("go_goroutine_count present = %v, want %v",
					got, tt.runtime)
			}
			if got := names["process_cpu_seconds_total"]; got != tt.process {
				t.Errorf("process_cpu_seconds_total present = %v, want %v",
					got, tt.process)
			}
		})
	}
}

func TestOpenMetricsScrapeShowsExemplars(t *testing.T) {
	p := newProvider(t, metrics.WithRuntimeMetrics(false))
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, span := tp.Tracer("t").Start(context.Background(), "op")
	h, _ := p.Meter("test").Float64Histogram("http.server.request.duration",
		metric.WithUnit("s"))
	h.Record(ctx, 0.3)
	span.End()

	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "openmetrics") {
		t.Errorf("Content-Type = %s", ct)
	}
	want := `trace_id="` + span.SpanContext().TraceID().String() + `"`
	if !strings.Contains(string(body), want) {
		t.Errorf("no exemplar with %s in:\n%s", want, body)
	}
}

func TestResourceBecomesTargetInfo(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=a")
	p := newProvider(t, metrics.WithServiceName("shop"),
		metrics.WithRuntimeMetrics(false))
	body := scrape(t, p.Handler(), "")
	for _, want := range []string{`service_name="shop"`, `team="a"`} {
		if !strings.Contains(body, want) {
			t.Errorf("target_info lacks %s:\n%s", want, body)
		}
	}
}
