package resilience_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"

	"github.com/vigil-go/vigil/resilience"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, "ok")
})

func TestChaosDisabledUnlessEnabled(t *testing.T) {
	rule := []resilience.ChaosRule{{Probability: 1,
		Fault: resilience.Fault{Status: 500}}}
	h := resilience.Chaos(okHandler, resilience.ChaosConfig{Rules: rule})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 {
		t.Errorf("disabled chaos answered %d", rec.Code)
	}
	base := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("base")
	})
	tr := resilience.ChaosTransport(base, resilience.ChaosConfig{Rules: rule})
	resp, err := tr.RoundTrip(httptest.NewRequest("GET", "/", nil))
	if resp != nil {
		_ = resp.Body.Close()
	}
	if err == nil || err.Error() != "base" {
		t.Errorf("disabled chaos transport did not pass through: %v", err)
	}
}

func TestChaosPicksRequestsByRule(t *testing.T) {
	tests := []struct {
		name   string
		rule   resilience.ChaosRule
		random float64
		req    func() *http.Request
		want   int
	}{
		{"probability hit", resilience.ChaosRule{Probability: 0.3}, 0.2,
			func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, 503},
		{"probability miss", resilience.ChaosRule{Probability: 0.3}, 0.3,
			func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, 200},
		{"path prefix matches", resilience.ChaosRule{Path: "/price", Probability: 1}, 0,
			func() *http.Request { return httptest.NewRequest("GET", "/prices/7", nil) }, 503},
		{"path prefix misses", resilience.ChaosRule{Path: "/price", Probability: 1}, 0,
			func() *http.Request { return httptest.NewRequest("GET", "/cart", nil) }, 200},
		{"method misses", resilience.ChaosRule{Method: "POST", Probability: 1}, 0,
			func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, 200},
		{"header present", resilience.ChaosRule{Header: "x-chaos", Probability: 1}, 0,
			func() *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("X-Chaos", "yes")
				return r
			}, 503},
		{"header absent", resilience.ChaosRule{Header: "X-Chaos", Probability: 1}, 0,
			func() *http.Request { return httptest.NewRequest("GET", "/", nil) }, 200},
		{"baggage member in header", resilience.ChaosRule{Baggage: "vigil.chaos",
			BaggageValue: "pricing", Probability: 1}, 0,
			func() *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("Baggage", "tenant=a,vigil.chaos=pricing")
				return r
			}, 503},
		{"baggage member in context", resilience.ChaosRule{Baggage: "vigil.chaos",
			Probability: 1}, 0,
			func() *http.Request {
				m, _ := baggage.NewMember("vigil.chaos", "pricing")
				b, _ := baggage.New(m)
				return httptest.NewRequest("GET", "/", nil).WithContext(
					baggage.ContextWithBaggage(context.Background(), b))
			}, 503},
		{"baggage value differs", resilience.ChaosRule{Baggage: "vigil.chaos",
			BaggageValue: "pricing", Probability: 1}, 0,
			func() *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("Baggage", "vigil.chaos=checkout")
				return r
			}, 200},
		{"baggage absent", resilience.ChaosRule{Baggage: "vigil.chaos",
			Probability: 1}, 0,
			func() *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("Baggage", "not a baggage header")
				return r
			}, 200},
		{"header value differs", resilience.ChaosRule{Header: "X-Chaos",
			HeaderValue: "on", Probability: 1}, 0,
			func() *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("X-Chaos", "off")
				return r
			}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Status = 503
			h := resilience.Chaos(okHandler, resilience.ChaosConfig{Enabled: true,
				Rules: []resilience.ChaosRule{tt.rule}},
				resilience.WithRandom(func() float64 { return tt.random }))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tt.req())
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

func TestChaosInjectedShareFollowsProbability(t *testing.T) {
	h := resilience.Chaos(okHandler, resilience.ChaosConfig{Enabled: true,
		Rules: []resilience.ChaosRule{{Probability: 0.25,
			Fault: resilience.Fault{Status: 500}}}},
		resilience.WithRandom(sequence(0.1, 0.4, 0.6, 0.9)))
	faults := 0
	for range 100 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code == 500 {
			faults++
		}
	}
	if faults != 25 {
		t.Errorf("%d faults in 100 requests, want 25", faults)
	}
}

func TestChaosMarksSpanMetricAndLog(t *testing.T) {
	tel := newTelemetry(t)
	h := resilience.Chaos(okHandler, resilience.ChaosConfig{Enabled: true,
		Rules: []resilience.ChaosRule{{Name: "slow-pricing", Probability: 1,
			Fault: resilience.Fault{Latency: 20 * time.Millisecond, Status: 502}}}},
		resilience.WithMeterProvider(tel.mp), resilience.WithLogger(tel.logger))
	ctx, span := tel.span("GET /price")
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/price", nil).WithContext(ctx))
	elapsed := time.Since(start)
	span.End()

	if rec.Code != 502 || rec.Header().Get(resilience.ChaosHeader) != "latency,status" {
		t.Errorf("response %d %q", rec.Code, rec.Header().Get(resilience.ChaosHeader))
	}
	if elapsed < 20*time.Millisecond {
		t.Errorf("answered after %v, before the 20ms injected latency", elapsed)
	}
	for _, kind := range []string{"latency", "status"} {
		if got := tel.mustValue("vigil.chaos.faults",
			attribute.String("vigil.chaos.rule", "slow-pricing"),
			attribute.String("vigil.chaos.fault", kind),
			attribute.String("vigil.chaos.side", "server")); got != 1 {
			t.Errorf("%s faults = %d, want 1", kind, got)
		}
	}
	if v, _ := attrOf(tel.recorder.Ended()[0].Attributes(), "vigil.chaos.rule"); v.AsString() != "slow-pricing" {
		t.Errorf("span vigil.chaos.rule = %q", v.AsString())
	}
	if got := len(tel.events("vigil.chaos.fault")); got != 1 {
		t.Errorf("%d chaos span events, want 1", got)
	}
	if lines := tel.logLines("chaos fault injected"); len(lines) != 1 ||
		lines[0]["rule"] != "slow-pricing" {
		t.Errorf("log lines = %v", lines)
	}
}

func TestChaosAbortDropsConnection(t *testing.T) {
	srv := httptest.NewServer(resilience.Chaos(okHandler, resilience.ChaosConfig{
		Enabled: true, Rules: []resilience.ChaosRule{{Probability: 1,
			Fault: resilience.Fault{Abort: true}}}}))
	defer srv.Close()
	c := srv.Client()
	resp, err := c.Get(srv.URL)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got %d, want a dropped connection", resp.StatusCode)
	}
	c.CloseIdleConnections()
}

func TestChaosTransportInjectsClientFaults(t *testing.T) {
	tests := []struct {
		name    string
		fault   resilience.Fault
		wantErr error
		want    int
	}{
		{"status", resilience.Fault{Status: 503}, nil, 503},
		{"abort", resilience.Fault{Abort: true}, resilience.ErrInjectedAbort, 0},
		{"latency only", resilience.Fault{Latency: time.Millisecond}, nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			srv := httptest.NewServer(okHandler)
			defer srv.Close()
			tr := resilience.ChaosTransport(srv.Client().Transport,
				resilience.ChaosConfig{Enabled: true, Rules: []resilience.ChaosRule{
					{Probability: 1, Fault: tt.fault}}},
				resilience.WithMeterProvider(tel.mp))
			c := &http.Client{Transport: tr}
			defer c.CloseIdleConnections()
			resp, err := c.Get(srv.URL)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				if resp.StatusCode != tt.want || resp.Header.Get(resilience.ChaosHeader) == "" {
					t.Errorf("status %d, %s %q", resp.StatusCode,
						resilience.ChaosHeader, resp.Header.Get(resilience.ChaosHeader))
				}
			}
			if _, ok := tel.value("vigil.chaos.faults",
				attribute.String("vigil.chaos.side", "client")); !ok {
				t.Error("client fault not counted")
			}
		})
	}
}

func TestChaosLatencyStopsWhenCallerCancels(t *testing.T) {
	tr := resilience.ChaosTransport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Error("request sent after cancellation")
		return nil, errors.New("unreachable")
	}), resilience.ChaosConfig{Enabled: true, Rules: []resilience.ChaosRule{
		{Probability: 1, Fault: resilience.Fault{Latency: time.Hour}}}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	resp, err := tr.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

func TestChaosConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    resilience.ChaosConfig
		wantErr string
	}{
		{"unset is disabled", nil, resilience.ChaosConfig{
			Rules: []resilience.ChaosRule{{Name: "env", Probability: 1}}}, ""},
		{"full rule", map[string]string{
			"VIGIL_CHAOS_ENABLED": "true", "VIGIL_CHAOS_PROBABILITY": "0.5",
			"VIGIL_CHAOS_LATENCY": "250ms", "VIGIL_CHAOS_STATUS": "503",
			"VIGIL_CHAOS_PATH": "/price", "VIGIL_CHAOS_METHOD": "GET",
			"VIGIL_CHAOS_HEADER":  "X-Chaos=on",
			"VIGIL_CHAOS_BAGGAGE": "vigil.chaos=pricing",
		}, resilience.ChaosConfig{Enabled: true, Rules: []resilience.ChaosRule{{
			Name: "env", Path: "/price", Method: "GET", Header: "X-Chaos",
			HeaderValue: "on", Baggage: "vigil.chaos", BaggageValue: "pricing",
			Probability: 0.5,
			Fault:       resilience.Fault{Latency: 250 * time.Millisecond, Status: 503},
		}}}, ""},
		{"bad probability", map[string]string{"VIGIL_CHAOS_PROBABILITY": "2"},
			resilience.ChaosConfig{}, "VIGIL_CHAOS_PROBABILITY"},
		{"bad status", map[string]string{"VIGIL_CHAOS_STATUS": "abc"},
			resilience.ChaosConfig{}, "VIGIL_CHAOS_STATUS"},
		{"bad latency", map[string]string{"VIGIL_CHAOS_LATENCY": "-1s"},
			resilience.ChaosConfig{}, "VIGIL_CHAOS_LATENCY"},
		{"bad enabled", map[string]string{"VIGIL_CHAOS_ENABLED": "yes please"},
			resilience.ChaosConfig{}, "VIGIL_CHAOS_ENABLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resilience.ChaosConfigFromEnv(func(k string) string {
				return tt.env[k]
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) ||
					!strings.HasPrefix(err.Error(), "resilience: ") {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Enabled != tt.want.Enabled || len(got.Rules) != 1 ||
				got.Rules[0] != tt.want.Rules[0] {
				t.Errorf("config = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestChaosConfigFromProcessEnv(t *testing.T) {
	t.Setenv("VIGIL_CHAOS_ENABLED", "1")
	t.Setenv("VIGIL_CHAOS_ABORT", "true")
	cfg, err := resilience.ChaosConfigFromEnv(nil)
	if err != nil || !cfg.Enabled || !cfg.Rules[0].Abort {
		t.Errorf("config = %+v, %v", cfg, err)
	}
}

func FuzzChaosConfigFromEnv(f *testing.F) {
	f.Add("true", "0.5", "250ms", "503", "X-Chaos=on")
	f.Add("", "", "", "", "")
	f.Add("1", "NaN", "1h", "600", "=")
	f.Fuzz(func(t *testing.T, enabled, prob, latency, status, header string) {
		env := map[string]string{
			"VIGIL_CHAOS_ENABLED": enabled, "VIGIL_CHAOS_PROBABILITY": prob,
			"VIGIL_CHAOS_LATENCY": latency, "VIGIL_CHAOS_STATUS": status,
			"VIGIL_CHAOS_HEADER": header,
		}
		cfg, err := resilience.ChaosConfigFromEnv(func(k string) string { return env[k] })
		if err != nil {
			return
		}
		r := cfg.Rules[0]
		if !(r.Probability >= 0 && r.Probability <= 1) || r.Latency < 0 ||
			(r.Status != 0 && (r.Status < 100 || r.Status > 599)) {
			t.Errorf("accepted invalid rule %+v", r)
		}
	})
}
