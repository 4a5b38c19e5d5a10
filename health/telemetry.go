package health

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Instrument and attribute names. No semantic convention covers health
// checks, so they carry vigil's prefix.
const (
	statusInstrument   = "vigil.health.check.status"
	durationInstrument = "vigil.health.check.duration"
	nameKey            = attribute.Key("vigil.health.check.name")
	stateKey           = attribute.Key("vigil.health.check.state")
)

const scopeName = "github.com/vigil-go/vigil/health"

// reported lists the statuses that get a gauge series, in gauge order.
var reported = [...]Status{Pass, Warn, Fail}

type telemetry struct {
	logger   *slog.Logger
	status   metric.Int64Gauge
	duration metric.Float64Histogram
}

// checkTelemetry holds one check's attribute sets, built once at
// registration: one per reported status, indexed by Status.
type checkTelemetry struct {
	sets [len(statusNames)]attribute.Set
}

func newTelemetry(cfg config) telemetry {
	m := cfg.meterProvider.Meter(scopeName)
	t := telemetry{logger: cfg.logger}
	var err error
	t.status, err = m.Int64Gauge(statusInstrument,
		metric.WithDescription("Current status of a health check: 1 on the "+
			"series of its state (pass, warn, fail), 0 on the others."),
		// Not "1": the Prometheus exporter would add a _ratio suffix.
		metric.WithUnit("{check}"))
	t.logError(err)
	t.duration, err = m.Float64Histogram(durationInstrument,
		metric.WithDescription("Duration of health check runs; a timed-out "+
			"run counts as its timeout."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(.001, .0025, .005, .01, .025,
			.05, .1, .25, .5, 1, 2.5, 5, 10))
	t.logError(err)
	return t
}

func (t telemetry) logError(err error) {
	if err != nil && t.logger != nil {
		t.logger.Warn("health: creating instrument", slog.Any("error", err))
	}
}

func (t telemetry) forCheck(name string) checkTelemetry {
	var ct checkTelemetry
	for _, s := range reported {
		ct.sets[s] = attribute.NewSet(nameKey.String(name),
			stateKey.String(s.String()))
	}
	return ct
}

// observe records a settled run of c: its duration always, the status
// gauge and a log line only when the status changed. The caller holds
// c.mu, which keeps gauge updates of one check in order.
func (r *Registry) observe(c *check, prev, res Result) {
	t := &r.telemetry
	ctx := context.Background()
	sets := &c.telemetry.sets
	t.duration.Record(ctx, res.Duration.Seconds(),
		metric.WithAttributeSet(sets[res.Status]))
	if prev.Status == res.Status {
		return
	}
	for _, s := range reported {
		var v int64
		if s == res.Status {
			v = 1
		}
		t.status.Record(ctx, v, metric.WithAttributeSet(sets[s]))
	}
	t.logChange(c.Name, prev, res)
}

// logChange logs a status change; a first result that passes is not news.
func (t telemetry) logChange(name string, prev, res Result) {
	if t.logger == nil || prev.Status == Unknown && res.Status == Pass {
		return
	}
	level := slog.LevelWarn
	if res.Status == Pass {
		level = slog.LevelInfo
	}
	attrs := []slog.Attr{
		slog.String("check", name),
		slog.String("from", prev.Status.String()),
		slog.String("to", res.Status.String()),
		slog.Duration("duration", res.Duration),
	}
	if res.Error != "" {
		attrs = append(attrs, slog.String("error", res.Error))
	}
	t.logger.LogAttrs(context.Background(), level,
		"health: check status changed", attrs...)
}

func (t telemetry) logDrain() {
	if t.logger != nil {
		t.logger.Info("health: draining, readiness now fails")
	}
}
