package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/contrib/instrumentation/runtime"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/sdk/metric"

	"github.com/vigil-go/vigil/internal/otelenv"
)

// Provider is an OpenTelemetry SDK meter provider exported through
// Prometheus. Create it with [NewProvider]; the zero value is not usable.
// It is safe for concurrent use.
type Provider struct {
	*metric.MeterProvider
	registry *prometheus.Registry
	gate     *gatedRegisterer
	handler  http.Handler

	shutdownOnce sync.Once
	shutdownErr  error
}

// NewProvider returns a meter provider whose instruments are exported on
// a Prometheus registry: a new one of its own unless [WithRegistry] passes
// one. The duration histograms of [DurationInstruments] get explicit
// buckets in seconds, every instrument a cardinality limit, and Go
// runtime and process metrics are included; see the options for each
// default. NewProvider sets no globals; the caller must call
// [Provider.Shutdown].
func NewProvider(opts ...Option) (*Provider, error) {
	c := newConfig(opts)
	res := c.resource
	if res == nil {
		r, err := otelenv.Resource(context.Background(), c.serviceName,
			c.attrs...)
		if err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		res = r
	}
	reg := c.registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	gate := &gatedRegisterer{reg: reg}

	exp, err := otelprom.New(
		otelprom.WithRegisterer(gate),
		otelprom.WithTranslationStrategy(
			otlptranslator.UnderscoreEscapingWithSuffixes))
	if err != nil {
		return nil, fmt.Errorf("metrics: prometheus exporter: %w", err)
	}
	mopts := []metric.Option{
		metric.WithResource(res),
		metric.WithReader(exp),
		metric.WithView(durationViews(c.buckets)...),
		metric.WithView(c.views...),
	}
	if c.limit > 0 {
		mopts = append(mopts, metric.WithCardinalityLimit(c.limit))
	}
	for _, r := range c.readers {
		mopts = append(mopts, metric.WithReader(r))
	}
	p := &Provider{
		MeterProvider: metric.NewMeterProvider(mopts...),
		registry:      reg,
		gate:          gate,
		handler:       newHandler(reg, c.logger),
	}
	if err := p.instrumentProcess(c); err != nil {
		gate.close()
		_ = p.MeterProvider.Shutdown(context.Background())
		return nil, err
	}
	return p, nil
}

// instrumentProcess adds the runtime and process metrics that c asks for.
func (p *Provider) instrumentProcess(c config) error {
	if c.runtime {
		err := runtime.Start(runtime.WithMeterProvider(p.MeterProvider))
		if err != nil {
			return fmt.Errorf("metrics: runtime instrumentation: %w", err)
		}
	}
	if c.process {
		pc := collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})
		err := p.registry.Register(pc)
		if err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
			return fmt.Errorf("metrics: process collector: %w", err)
		}
	}
	return nil
}

// durationViews gives each instrument of durationInstruments the bucket
// bounds b.
func durationViews(b []float64) []metric.View {
	views := make([]metric.View, len(durationInstruments))
	for i, name := range durationInstruments {
		views[i] = metric.NewView(metric.Instrument{Name: name},
			metric.Stream{Aggregation: metric.AggregationExplicitBucketHistogram{
				Boundaries: b,
			}})
	}
	return views
}

// Registry returns the Prometheus registry the provider exports to.
func (p *Provider) Registry() *prometheus.Registry {
	return p.registry
}

// Handler returns the handler that serves the registry in the Prometheus
// text format, or in OpenMetrics (with exemplars linking histogram
// buckets to trace IDs) when the scraper asks for it. It is safe for
// concurrent use and keeps serving, without this provider's series, after
// Shutdown.
func (p *Provider) Handler() http.Handler {
	return p.handler
}

// Shutdown stops the provider's exporter from contributing to the
// registry and shuts the meter provider down, returning by the deadline
// of ctx. Calls after the first return the first call's result.
func (p *Provider) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		p.gate.close()
		p.shutdownErr = p.MeterProvider.Shutdown(ctx)
	})
	return p.shutdownErr
}

func newHandler(reg *prometheus.Registry, l *slog.Logger) http.Handler {
	opts := promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
	}
	if l != nil {
		opts.ErrorLog = &errorLog{l: l}
	}
	return promhttp.HandlerFor(reg, opts)
}

// errorLog adapts a slog logger to promhttp's one-method logger, logging
// at most once per errorLogInterval so that a broken instrument does not
// add a line to every scrape.
type errorLog struct {
	l *slog.Logger

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// errorLogInterval is the shortest time between two logged scrape errors.
const errorLogInterval = time.Minute

func (e *errorLog) Println(v ...any) {
	e.mu.Lock()
	now := time.Now()
	if !e.last.IsZero() && now.Sub(e.last) < errorLogInterval {
		e.suppressed++
		e.mu.Unlock()
		return
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	e.mu.Unlock()
	e.l.Error("metrics: serving /metrics", "error", fmt.Sprint(v...),
		"suppressed", n)
}
