package health

import (
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// The Prometheus names are what alert rules and dashboards query; a unit
// that the exporter turns into a suffix would break them.
func TestPrometheusNamesAreStable(t *testing.T) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	defer func() { _ = mp.Shutdown(t.Context()) }()
	r := New(WithMeterProvider(mp))
	defer r.Close()
	mustRegister(t, r, Check{Name: "db", Func: passing})
	r.Evaluate(t.Context(), Readiness)

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	for _, want := range []string{"vigil_health_check_status", "vigil_health_check_duration_seconds"} {
		if !slices.Contains(names, want) {
			t.Errorf("metric %s missing from %v", want, names)
		}
	}
}
