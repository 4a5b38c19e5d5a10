package vigil_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/internal/testsvc"
	"github.com/vigil-go/vigil/logging"
	"github.com/vigil-go/vigil/tracing"
	"github.com/vigil-go/vigil/vigiltest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// clearEnv unsets the variables Start reads, for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{
		"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_SDK_DISABLED",
	} {
		t.Setenv(k, "")
	}
}

// start calls Start with logs going to the returned buffer and registers
// Shutdown as cleanup.
func start(t *testing.T, opts ...vigil.Option) (*vigil.Telemetry, *vigiltest.Buffer) {
	t.Helper()
	buf := &vigiltest.Buffer{}
	tel, err := vigil.Start(context.Background(),
		append([]vigil.Option{vigil.WithLogWriter(buf)}, opts...)...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(ctx)
	})
	return tel, buf
}

func scrape(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// count adds one to a counter named name on tel's meter provider.
func count(t *testing.T, tel *vigil.Telemetry, name string) {
	t.Helper()
	c, err := tel.MeterProvider.Meter("test").Int64Counter(name)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 1)
}

func TestStartWiresTracesMetricsAndLogs(t *testing.T) {
	clearEnv(t)
	tel, logs := start(t, vigil.WithServiceName("shop"))

	ctx, span := tel.TracerProvider.Tracer("test").Start(
		context.Background(), "op")
	if !span.SpanContext().IsValid() || !span.IsRecording() {
		t.Fatal("span without endpoint is not recording with valid IDs")
	}
	ctx = logging.ContextWithRequestID(ctx, "r-1")
	tel.Logger.InfoContext(ctx, "hello", "password", "x")
	span.End()

	line := logs.String()
	for _, want := range []string{
		`"trace_id":"` + span.SpanContext().TraceID().String() + `"`,
		`"request_id":"r-1"`, `"password":"[REDACTED]"`,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("log lacks %s: %s", want, line)
		}
	}

	count(t, tel, "shop.orders")
	code, body := scrape(t, tel.MetricsHandler(), "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "shop_orders_total") ||
		!strings.Contains(body, `service_name="shop"`) {
		t.Errorf("scrape %d:\n%s", code, body)
	}
	if tel.Registry == nil || tel.Propagator == nil {
		t.Error("Registry or Propagator is nil")
	}
}

func TestStartShutdownStartAgain(t *testing.T) {
	clearEnv(t)
	for round := range 3 {
		tel, err := vigil.Start(context.Background(),
			vigil.WithLogWriter(io.Discard))
		if err != nil {
			t.Fatalf("round %d: Start: %v", round, err)
		}
		count(t, tel, "round.requests")
		code, body := scrape(t, tel.MetricsHandler(), "/metrics")
		if code != http.StatusOK ||
			!strings.Contains(body, "round_requests_total") {
			t.Errorf("round %d: scrape %d:\n%s", round, code, body)
		}
		if otel.GetTracerProvider() != tel.TracerProvider {
			t.Errorf("round %d: global tracer provider not replaced", round)
		}
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Fatalf("round %d: Shutdown: %v", round, err)
		}
	}
}

func TestStartTwiceWithoutShutdownGivesIndependentTelemetry(t *testing.T) {
	clearEnv(t)
	a, _ := start(t)
	b, _ := start(t)
	if a.Registry == b.Registry {
		t.Fatal("two Starts share a registry")
	}
	count(t, a, "only.a")
	_, bodyA := scrape(t, a.MetricsHandler(), "/metrics")
	_, bodyB := scrape(t, b.MetricsHandler(), "/metrics")
	if !strings.Contains(bodyA, "only_a_total") ||
		strings.Contains(bodyB, "only_a_total") {
		t.Error("series leaked between the two Telemetry values")
	}
	if otel.GetMeterProvider() != b.MeterProvider {
		t.Error("globals do not point at the latest Start")
	}
}

func TestShutdownIsIdempotent(t *testing.T) {
	clearEnv(t)
	tel, _ := start(t)
	for i := range 3 {
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Fatalf("Shutdown #%d: %v", i+1, err)
		}
	}
}

func TestWithGlobalsFalseLeavesGlobalsAlone(t *testing.T) {
	clearEnv(t)
	before := otel.GetTracerProvider()
	tel, _ := start(t, vigil.WithGlobals(false))
	if otel.GetTracerProvider() == tel.TracerProvider {
		t.Error("tracer provider installed despite WithGlobals(false)")
	}
	if otel.GetTracerProvider() != before {
		t.Error("global tracer provider changed")
	}
}

func TestSDKDisabled(t *testing.T) {
	tests := []struct {
		name string
		env  string
		opts []vigil.Option
		off  bool
	}{
		{"env true", "true", nil, true},
		{"option beats env", "true",
			[]vigil.Option{vigil.WithDisabled(false)}, false},
		{"option disables", "", []vigil.Option{vigil.WithDisabled(true)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("OTEL_SDK_DISABLED", tt.env)
			tel, logs := start(t, tt.opts...)

			_, span := tel.TracerProvider.Tracer("t").Start(
				context.Background(), "op")
			if span.IsRecording() == tt.off {
				t.Errorf("span recording = %v with SDK off = %v",
					span.IsRecording(), tt.off)
			}
			span.End()
			count(t, tel, "disabled.check")
			code, body := scrape(t, tel.AdminHandler(), "/metrics")
			if code != http.StatusOK {
				t.Fatalf("scrape status %d", code)
			}
			if strings.Contains(body, "disabled_check_total") == tt.off {
				t.Errorf("OTel series present = %v with SDK off = %v:\n%s",
					!tt.off, tt.off, body)
			}
			tel.Logger.Info("still logging")
			if !strings.Contains(logs.String(), "still logging") {
				t.Error("logger silent")
			}
		})
	}
}

func TestOptionsOverrideEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv("OTEL_SERVICE_NAME", "env-name")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	tel, _ := start(t, vigil.WithServiceName("opt-name"),
		vigil.WithSampler(sdktrace.AlwaysSample()))
	_, span := tel.TracerProvider.Tracer("t").Start(context.Background(), "op")
	span.End()
	if !span.SpanContext().IsSampled() {
		t.Error("WithSampler did not override OTEL_TRACES_SAMPLER")
	}
	_, body := scrape(t, tel.MetricsHandler(), "/metrics")
	if !strings.Contains(body, `service_name="opt-name"`) {
		t.Errorf("WithServiceName did not override env:\n%s", body)
	}
}

func TestStartFailsClearlyOnBadEnvironment(t *testing.T) {
	tests := []struct {
		name, key, value, want string
	}{
		{"sampler", "OTEL_TRACES_SAMPLER", "bogus",
			`vigil: tracing: unknown sampler "bogus"`},
		{"sampler ratio", "OTEL_TRACES_SAMPLER_ARG", "2",
			"vigil: tracing: sampler ratio"},
		{"sampler ratio NaN", "OTEL_TRACES_SAMPLER_ARG", "NaN",
			"vigil: tracing: sampler ratio"},
		{"resource attributes", "OTEL_RESOURCE_ATTRIBUTES", "novalue",
			"vigil: resource: "},
		{"endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://127.0.0.1:1",
			"vigil: tracing: endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			if tt.key == "OTEL_TRACES_SAMPLER_ARG" {
				t.Setenv("OTEL_TRACES_SAMPLER", "traceidratio")
			}
			t.Setenv(tt.key, tt.value)
			tel, err := vigil.Start(context.Background(),
				vigil.WithLogWriter(io.Discard))
			if err == nil {
				_ = tel.Shutdown(context.Background())
				t.Fatal("Start succeeded")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestErrorHandlerLogsOncePerInterval(t *testing.T) {
	clearEnv(t)
	tel, logs := start(t)
	for range 100 {
		tel.ErrorHandler().Handle(errors.New("export failed"))
	}
	if n := strings.Count(logs.String(), "export failed"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
	_, body := scrape(t, tel.MetricsHandler(), "/metrics")
	if !strings.Contains(body, "vigil_telemetry_errors_total") ||
		!strings.Contains(body, "} 100") {
		t.Errorf("vigil.telemetry.errors does not count 100:\n%s", body)
	}
}

// deadCollector returns a loopback address that refuses connections or,
// with hang, accepts them and never answers.
func deadCollector(t *testing.T, hang bool) string {
	t.Helper()
	if hang {
		return testsvc.SilentListener(t)
	}
	return fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t))
}

// TestUnreachableCollector: Start returns at once, handling requests does
// not slow down, errors are logged (not printed) and Shutdown honours its
// deadline. Bounds are generous upper limits, not timing measurements.
func TestUnreachableCollector(t *testing.T) {
	for _, hang := range []bool{false, true} {
		name := map[bool]string{false: "refuses", true: "accepts and hangs"}[hang]
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			addr := deadCollector(t, hang)
			logs := &vigiltest.Buffer{}

			begin := time.Now()
			tel, err := vigil.Start(context.Background(),
				vigil.WithLogWriter(logs),
				vigil.WithEndpoint("http://"+addr),
				vigil.WithTracingOptions(
					tracing.WithBatchTimeout(10*time.Millisecond),
					tracing.WithExportTimeout(300*time.Millisecond)))
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(begin); d > 2*time.Second {
				t.Errorf("Start took %v", d)
			}

			h := handler(tel)
			begin = time.Now()
			for range 2000 {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			}
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("2000 requests took %v with a dead collector", d)
			}

			// The first failed export is logged once its 300ms timeout
			// passes; poll rather than guess how long that takes here.
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(logs.String(), "vigil: telemetry error") {
				if time.Now().After(deadline) {
					t.Fatalf("export failure not logged:\n%s", logs.String())
				}
				time.Sleep(20 * time.Millisecond)
			}

			// Queue more spans so Shutdown has something left to flush.
			for range 2000 {
				h.ServeHTTP(httptest.NewRecorder(),
					httptest.NewRequest("GET", "/", nil))
			}
			ctx, cancel := context.WithTimeout(context.Background(),
				500*time.Millisecond)
			defer cancel()
			begin = time.Now()
			_ = tel.Shutdown(ctx)
			if d := time.Since(begin); d > 3*time.Second {
				t.Errorf("Shutdown took %v past a 500ms deadline", d)
			}
		})
	}
}

// handler is a minimal instrumented handler: one span and one histogram
// sample per request.
func handler(tel *vigil.Telemetry) http.Handler {
	tr := tel.TracerProvider.Tracer("test")
	hist, _ := tel.MeterProvider.Meter("test").Float64Histogram(
		"http.server.request.duration", metric.WithUnit("s"))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, span := tr.Start(r.Context(), "GET /")
		defer span.End()
		w.WriteHeader(http.StatusOK)
		hist.Record(ctx, time.Since(start).Seconds())
	})
}
