package tracing

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/credentials"

	"github.com/vigil-go/vigil/internal/otelenv"
)

// NewProvider returns a tracer provider configured from opts and the
// standard environment variables, options winning over the environment.
//
// With an endpoint, spans go through a batch span processor to an OTLP
// gRPC exporter. The connection is made lazily: NewProvider does not wait
// for the collector, and a collector that refuses or never answers only
// makes exports fail in the background (reported through the OTel error
// handler, see [go.opentelemetry.io/otel.SetErrorHandler]); ending a span
// never blocks, and spans are dropped when the queue is full. Without an
// endpoint nothing is exported, but spans are still sampled and recorded,
// so they carry trace and span IDs for log correlation.
//
// The caller owns the provider and must call [Provider.Shutdown].
// NewProvider sets no globals. ctx bounds
// resource detection only.
func NewProvider(ctx context.Context, opts ...Option) (*Provider, error) {
	c := newConfig(opts)

	sampler := c.sampler
	if sampler == nil {
		s, err := ParseSampler(otelenv.Get(otelenv.Sampler),
			otelenv.Get(otelenv.SamplerArg))
		if err != nil {
			return nil, err
		}
		sampler = s
	}
	res := c.resource
	if res == nil {
		r, err := otelenv.Resource(ctx, c.serviceName, c.attrs...)
		if err != nil {
			return nil, fmt.Errorf("tracing: %w", err)
		}
		res = r
	}
	tpOpts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sampler),
		sdktrace.WithResource(res),
	}

	exp, err := c.spanExporter(ctx)
	if err != nil {
		return nil, err
	}
	abort, cancel := context.WithCancelCause(context.Background())
	stats := &exportStats{}
	if exp != nil {
		exp = abortableExporter{SpanExporter: exp, abort: abort, stats: stats}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp,
			sdktrace.WithExportTimeout(c.exportTimeout),
			sdktrace.WithBatchTimeout(c.batchTimeout)))
	}
	for _, p := range c.processors {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(p))
	}
	return &Provider{
		TracerProvider: sdktrace.NewTracerProvider(tpOpts...),
		abort:          cancel,
		stats:          stats,
	}, nil
}

// Provider is an OpenTelemetry SDK tracer provider whose Shutdown also
// stops exporting at its context's deadline and reports spans it could not
// export. Create it with [NewProvider]; the zero value is not usable. It is
// safe for concurrent use.
type Provider struct {
	*sdktrace.TracerProvider
	abort    context.CancelCauseFunc
	stats    *exportStats
	shutdown atomic.Bool // Shutdown was called
}

// errShutdownDone is the cause of the abort after a Shutdown that
// finished in time; nothing should be exporting by then.
var errShutdownDone = errors.New("tracing: provider shut down")

// Shutdown flushes queued spans and stops the provider, returning by the
// deadline of ctx at the latest. When ctx ends first, exports still queued
// or in flight are abandoned right away, so no export goroutine or
// collector connection outlives the deadline by more than a moment, and
// the error wraps ctx's error (errors.Is(err, context.DeadlineExceeded)).
// When the flush finished but some exports during it failed, the error
// says how many spans were not exported ("tracing: shutdown: 12 spans not
// exported: ...") and wraps the last export error. Failures before
// Shutdown was called were already reported to the OTel error handler and
// do not count. Calls after the first return nil.
func (p *Provider) Shutdown(ctx context.Context) error {
	if !p.shutdown.CompareAndSwap(false, true) {
		// Late aborts of the first call's exports must not make a later
		// call fail.
		return p.TracerProvider.Shutdown(ctx)
	}
	before, _ := p.stats.snapshot()
	stop := context.AfterFunc(ctx, func() { p.abort(context.Cause(ctx)) })
	err := p.TracerProvider.Shutdown(ctx)
	if err == nil {
		stop()
		p.abort(errShutdownDone)
	}
	failed, last := p.stats.snapshot()
	failed -= before
	switch {
	case err == nil && failed == 0:
		return nil
	case err == nil:
		return fmt.Errorf("tracing: shutdown: %d spans not exported: %w", failed, last)
	}
	detail := ""
	if failed > 0 {
		detail = fmt.Sprintf("%d spans not exported; ", failed)
	}
	if ctx.Err() != nil {
		detail += "spans still queued or being exported were dropped: "
	}
	return fmt.Errorf("tracing: shutdown: %s%w", detail, err)
}

// spanExporter returns the configured exporter, a new OTLP exporter when
// an endpoint is set, or nil.
//
// TODO(vigil): OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL is not read; vigil
// always speaks OTLP over gRPC, so an http/protobuf endpoint (port 4318)
// only produces logged export errors.
func (c *config) spanExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	if c.exporter != nil {
		return c.exporter, nil
	}
	endpoint := c.endpoint
	if endpoint == "" {
		endpoint = otelenv.First(otelenv.TracesEndpoint, otelenv.Endpoint)
	}
	if endpoint == "" {
		return nil, nil
	}
	insecure := otelenv.Bool(otelenv.TracesInsecure) ||
		otelenv.Bool(otelenv.Insecure)
	if c.insecure != nil {
		insecure = *c.insecure
	}
	hostport, insecure, err := parseEndpoint(endpoint, insecure)
	if err != nil {
		return nil, err
	}
	eopts := []otlptracegrpc.Option{
		otlptracegrpc.WithEndpoint(hostport),
		otlptracegrpc.WithTimeout(c.exportTimeout),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{
			Enabled:         true,
			InitialInterval: c.exportTimeout / 10,
			MaxInterval:     c.exportTimeout / 2,
			MaxElapsedTime:  c.exportTimeout,
		}),
	}
	if insecure {
		eopts = append(eopts, otlptracegrpc.WithInsecure())
	} else {
		// Said explicitly so that an INSECURE variable read by the
		// exporter cannot undo WithInsecure(false).
		eopts = append(eopts, otlptracegrpc.WithTLSCredentials(
			credentials.NewClientTLSFromCert(nil, "")))
	}
	exp, err := otlptracegrpc.New(ctx, eopts...)
	if err != nil {
		return nil, fmt.Errorf("tracing: otlp exporter: %w", err)
	}
	return exp, nil
}

// Propagator returns the composite of W3C Trace Context and W3C Baggage
// propagators that vigil installs and its middleware uses. It is stateless
// and safe for concurrent use.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{})
}
