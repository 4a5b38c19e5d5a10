package tracing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/tracing"

	"github.com/vigil-go/vigil/internal/testsvc"
)

func TestMain(m *testing.M) {
	// Export failures against the dead collectors below are expected;
	// keep them out of the test output.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	goleak.VerifyTestMain(m)
}

// clearEnv unsets every variable the provider reads, for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{
		"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_EXPORTER_OTLP_INSECURE", "OTEL_EXPORTER_OTLP_TRACES_INSECURE",
		"OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
	} {
		t.Setenv(k, "")
	}
}

func newProvider(t *testing.T, opts ...tracing.Option) *tracing.Provider {
	t.Helper()
	tp, err := tracing.NewProvider(context.Background(), opts...)
	if err != nil {
		t.Fatalf("NewProvider: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
	})
	return tp
}

func TestWithoutEndpointSpansStillCarryIDs(t *testing.T) {
	clearEnv(t)
	tp := newProvider(t)
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	defer span.End()
	sc := span.SpanContext()
	if !sc.IsValid() || !sc.IsSampled() || !span.IsRecording() {
		t.Errorf("span context %+v: want valid, sampled, recording", sc)
	}
}

// exportedTo ends one span named name on tp, flushes, and waits for c
// to receive it.
func exportedTo(t *testing.T, tp *tracing.Provider, c *collector, name string) {
	t.Helper()
	_, span := tp.Tracer("t").Start(context.Background(), name)
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatalf("ForceFlush: %v", err)
	}
	for _, n := range c.spanNames() {
		if n == name {
			return
		}
	}
	t.Fatalf("collector got %v, want %q", c.spanNames(), name)
}

func TestEndpointPrecedence(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		option bool // pass the winner through WithEndpoint
	}{
		{"generic variable", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": "winner"}, false},
		{"traces variable beats generic", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":        "loser",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "winner"}, false},
		{"option beats both", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":        "loser",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "loser"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			win, lose := startCollector(t), startCollector(t)
			for k, v := range tt.env {
				addr := lose.addr
				if v == "winner" {
					addr = win.addr
				}
				t.Setenv(k, "http://"+addr)
			}
			var opts []tracing.Option
			if tt.option {
				opts = append(opts, tracing.WithEndpoint("http://"+win.addr))
			}
			tp := newProvider(t, opts...)
			exportedTo(t, tp, win, "checkout")
			if got := lose.spanNames(); len(got) != 0 {
				t.Errorf("losing endpoint received %v", got)
			}
		})
	}
}

func TestInsecureHostPort(t *testing.T) {
	clearEnv(t)
	c := startCollector(t)
	t.Setenv("OTEL_EXPORTER_OTLP_INSECURE", "true")
	tp := newProvider(t, tracing.WithEndpoint(c.addr))
	exportedTo(t, tp, c, "plain")
}

func TestInvalidEndpointIsAnError(t *testing.T) {
	for _, ep := range []string{"no-port", "ftp://127.0.0.1:1", "http://"} {
		t.Run(ep, func(t *testing.T) {
			clearEnv(t)
			_, err := tracing.NewProvider(context.Background(),
				tracing.WithEndpoint(ep))
			if err == nil || !strings.HasPrefix(err.Error(), "tracing: ") {
				t.Fatalf("err = %v, want a tracing: error", err)
			}
		})
	}
}

// TestUnreachableCollectorNeverBlocks covers a collector that refuses
// connections and one that accepts them and never answers: startup,
// span ends and Shutdown must all stay fast. Bounds are generous; the
// operations take milliseconds when the exporter does not block.
func TestUnreachableCollectorNeverBlocks(t *testing.T) {
	tests := []struct {
		name string
		addr func(testing.TB) string
	}{
		{"refuses", closedPort},
		{"accepts and hangs", testsvc.SilentListener},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			addr := tt.addr(t)

			start := time.Now()
			tp, err := tracing.NewProvider(context.Background(),
				tracing.WithEndpoint("http://"+addr),
				tracing.WithBatchTimeout(10*time.Millisecond),
				tracing.WithExportTimeout(300*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("NewProvider took %v", d)
			}

			start = time.Now()
			tr := tp.Tracer("t")
			for range 5000 {
				_, span := tr.Start(context.Background(), "op")
				span.End()
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("5000 spans took %v with a dead collector", d)
			}

			ctx, cancel := context.WithTimeout(context.Background(),
				200*time.Millisecond)
			defer cancel()
			start = time.Now()
			_ = tp.Shutdown(ctx)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Shutdown took %v past a 200ms deadline", d)
			}
		})
	}
}

func TestSamplerFromEnvAndOption(t *testing.T) {
	tests := []struct {
		name    string
		sampler string
		arg     string
		opt     sdktrace.Sampler
		sampled bool
	}{
		{"default samples", "", "", nil, true},
		{"always_off", "always_off", "", nil, false},
		{"ratio zero", "traceidratio", "0", nil, false},
		{"option beats env", "always_off", "", sdktrace.AlwaysSample(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("OTEL_TRACES_SAMPLER", tt.sampler)
			t.Setenv("OTEL_TRACES_SAMPLER_ARG", tt.arg)
			tp := newProvider(t, tracing.WithSampler(tt.opt))
			_, span := tp.Tracer("t").Start(context.Background(), "op")
			defer span.End()
			if got := span.SpanContext().IsSampled(); got != tt.sampled {
				t.Errorf("sampled = %v, want %v", got, tt.sampled)
			}
		})
	}
}

func TestUnknownSamplerInEnvIsAnError(t *testing.T) {
	clearEnv(t)
	t.Setenv("OTEL_TRACES_SAMPLER", "alwayson")
	_, err := tracing.NewProvider(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"alwayson"`) {
		t.Fatalf("err = %v, want it to name the bad sampler", err)
	}
}

func TestResourceFromEnvAndOptions(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		opts []tracing.Option
		want map[string]string
	}{
		{"service name variable", map[string]string{
			"OTEL_SERVICE_NAME": "shop"},
			nil, map[string]string{"service.name": "shop"}},
		{"resource attributes", map[string]string{
			"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=dev,team=a"},
			nil, map[string]string{"deployment.environment.name": "dev",
				"team": "a"}},
		{"service name variable beats attributes", map[string]string{
			"OTEL_RESOURCE_ATTRIBUTES": "service.name=old",
			"OTEL_SERVICE_NAME":        "new"},
			nil, map[string]string{"service.name": "new"}},
		{"options beat env", map[string]string{
			"OTEL_SERVICE_NAME":        "env",
			"OTEL_RESOURCE_ATTRIBUTES": "team=env"},
			[]tracing.Option{tracing.WithServiceName("opt"),
				tracing.WithAttributes(attribute.String("team", "opt"))},
			map[string]string{"service.name": "opt", "team": "opt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			rec := tracetest.NewSpanRecorder()
			tp := newProvider(t, append(tt.opts,
				tracing.WithSpanProcessor(rec))...)
			_, span := tp.Tracer("t").Start(context.Background(), "op")
			span.End()
			res := rec.Ended()[0].Resource()
			for k, v := range tt.want {
				got, ok := res.Set().Value(attribute.Key(k))
				if !ok || got.AsString() != v {
					t.Errorf("%s = %q, want %q", k, got.AsString(), v)
				}
			}
		})
	}
}

func TestPropagatorIsTraceContextAndBaggage(t *testing.T) {
	got := strings.Join(tracing.Propagator().Fields(), ",")
	for _, f := range []string{"traceparent", "tracestate", "baggage"} {
		if !strings.Contains(got, f) {
			t.Errorf("Fields() = %s, missing %s", got, f)
		}
	}
}
