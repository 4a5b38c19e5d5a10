package cache

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

const scopeName = "github.com/vigil-go/vigil/examples/shop/cache"

// Attribute keys of the cache's metric and spans.
const (
	keyResult = attribute.Key("shop.cache.result")
	keyLayer  = attribute.Key("shop.cache.layer")
	keyKey    = attribute.Key("shop.cache.key")
)

// layer is the layer that answered a read, or the last one asked.
type layer int

const (
	memory layer = iota
	remote
)

var layerNames = [...]string{memory: "memory", remote: "redis"}

// result is the outcome of a read.
type result int

const (
	hit result = iota
	miss
	failed // Redis failed; the value came from the origin
)

var resultNames = [...]string{hit: "hit", miss: "miss", failed: "error"}

// telemetry holds the cache's tracer, its counter and the counter's
// attribute sets, built once so that counting allocates nothing.
type telemetry struct {
	tracer  trace.Tracer
	lookups metric.Int64Counter
	sets    [len(layerNames)][len(resultNames)]metric.AddOption
}

func newTelemetry(c *config) (*telemetry, error) {
	t := &telemetry{tracer: c.tracerProvider.Tracer(scopeName)}
	var err error
	t.lookups, err = c.meterProvider.Meter(scopeName).Int64Counter(
		"shop.cache.lookups", metric.WithUnit("{lookup}"),
		metric.WithDescription("Cache reads by result (hit, miss, error) "+
			"and the layer that answered."))
	if err != nil {
		return nil, err
	}
	for l, ln := range layerNames {
		for r, rn := range resultNames {
			t.sets[l][r] = metric.WithAttributeSet(attribute.NewSet(
				keyLayer.String(ln), keyResult.String(rn)))
		}
	}
	return t, nil
}

// count records one read and, on a recording span, its outcome.
func (t *telemetry) count(ctx context.Context, span trace.Span, l layer, r result) {
	t.lookups.Add(ctx, 1, t.sets[l][r])
	if span.IsRecording() {
		span.SetAttributes(keyLayer.String(layerNames[l]),
			keyResult.String(resultNames[r]))
	}
}
