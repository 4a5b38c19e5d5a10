package vigil_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/metric"
)

// TestOTelInternalErrorsGoToTheLogger provokes an error that the OTel
// SDK reports through its internal logger (a counter and an up-down counter
// that both become dup_total in Prometheus) and checks that it reaches
// Telemetry.Logger, rate-limited, instead of stderr.
func TestOTelInternalErrorsGoToTheLogger(t *testing.T) {
	clearEnv(t)
	tel, logs := start(t)
	m := tel.MeterProvider.Meter("test")
	c, _ := m.Int64Counter("dup")
	c.Add(context.Background(), 1)
	g, _ := m.Int64UpDownCounter("dup_total")
	g.Add(context.Background(), 1, metric.WithAttributes())
	for range 3 {
		scrape(t, tel.MetricsHandler(), "/metrics")
	}
	out := logs.String()
	for _, msg := range []string{
		"instrument type conflict",  // OTel's internal logger
		"metrics: serving /metrics", // promhttp's error log
	} {
		if n := strings.Count(out, msg); n != 1 {
			t.Errorf("%q logged %d times in 3 scrapes, want once:\n%s",
				msg, n, out)
		}
	}
}
