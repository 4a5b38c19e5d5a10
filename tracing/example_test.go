package tracing_test

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/vigil-go/vigil/tracing"
)

func ExampleNewProvider() {
	// In a service the endpoint usually comes from
	// OTEL_EXPORTER_OTLP_ENDPOINT; without one nothing is exported but
	// spans still get IDs. The recorder stands in for a collector here.
	rec := tracetest.NewSpanRecorder()
	tp, err := tracing.NewProvider(context.Background(),
		tracing.WithServiceName("checkout"),
		tracing.WithSpanProcessor(rec))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
	}()

	_, span := tp.Tracer("example").Start(context.Background(), "charge card")
	span.End()

	s := rec.Ended()[0]
	fmt.Println(s.Name(), s.SpanContext().IsValid())
	// Output: charge card true
}

func ExampleParseSampler() {
	s, err := tracing.ParseSampler("parentbased_traceidratio", "0.1")
	fmt.Println(s.Description(), err)
	_, err = tracing.ParseSampler("sometimes", "")
	fmt.Println(err)
	// Output:
	// ParentBased{root:TraceIDRatioBased{0.1},remoteParentSampled:AlwaysOnSampler,remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,localParentNotSampled:AlwaysOffSampler} <nil>
	// tracing: unknown sampler "sometimes" (want always_on, always_off, traceidratio or parentbased_*)
}
