package resilience

import (
	"context"
	"log/slog"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/vigil-go/vigil/resilience"

// Attribute keys of vigil's resilience telemetry.
const (
	attrName    = "vigil.breaker.name"
	attrState   = "vigil.breaker.state"
	attrOutcome = "vigil.breaker.outcome"
	attrFrom    = "vigil.breaker.from"
	attrTo      = "vigil.breaker.to"
)

// breakerTelemetry holds one breaker's instruments and the attribute sets
// it records with, built once so that recording allocates nothing.
type breakerTelemetry struct {
	transitions metric.Int64Counter
	moves       [3][3]metric.AddOption // [from][to]
}

func newBreakerTelemetry(
	c *config, name string, observe func(func(int64, *[4]int64)),
) *breakerTelemetry {
	m := c.meterProvider.Meter(scopeName)
	t := &breakerTelemetry{}
	state, err1 := m.Int64ObservableGauge("vigil.breaker.state",
		metric.WithUnit("{state}"),
		metric.WithDescription(
			"Circuit breaker state: 0 closed, 1 half-open, 2 open."))
	calls, err2 := m.Int64ObservableCounter("vigil.breaker.calls",
		metric.WithUnit("{call}"),
		metric.WithDescription("Calls through a circuit breaker by outcome."))
	tr, err3 := m.Int64Counter("vigil.breaker.transitions",
		metric.WithUnit("{transition}"),
		metric.WithDescription("Circuit breaker state changes."))
	t.transitions = tr
	if err := firstErr(err1, err2, err3); err != nil {
		logError(c.logger, "resilience: creating breaker instruments", err)
		return t
	}

	nameKV := attribute.String(attrName, name)
	nameSet := metric.WithAttributeSet(attribute.NewSet(nameKV))
	var outcomes [4]metric.ObserveOption
	for o := range outcomes {
		outcomes[o] = metric.WithAttributeSet(attribute.NewSet(nameKV,
			attribute.String(attrOutcome, Outcome(o).String())))
	}
	for from := range t.moves {
		for to := range t.moves[from] {
			t.moves[from][to] = metric.WithAttributeSet(attribute.NewSet(
				nameKV,
				attribute.String(attrFrom, gobreaker.State(from).String()),
				attribute.String(attrTo, gobreaker.State(to).String())))
		}
	}

	_, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		observe(func(s int64, n *[4]int64) {
			o.ObserveInt64(state, s, nameSet)
			for i, v := range n {
				o.ObserveInt64(calls, v, outcomes[i])
			}
		})
		return nil
	}, state, calls)
	if err != nil {
		logError(c.logger, "resilience: registering breaker callback", err)
	}
	return t
}

func (t *breakerTelemetry) transition(
	ctx context.Context, from, to gobreaker.State,
) {
	if t.transitions == nil || from > 2 || to > 2 {
		return
	}
	t.transitions.Add(ctx, 1, t.moves[from][to])
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func logError(l *slog.Logger, msg string, err error) {
	if l != nil {
		l.Error(msg, slog.Any("error", err))
	}
}
