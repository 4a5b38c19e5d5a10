// Package otelenv reads the standard OTEL_* environment variables and
// builds the resource shared by vigil's tracer and meter providers.
package otelenv

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Names of the variables vigil reads.
const (
	ServiceName        = "OTEL_SERVICE_NAME"
	ResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	Endpoint           = "OTEL_EXPORTER_OTLP_ENDPOINT"
	TracesEndpoint     = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	Insecure           = "OTEL_EXPORTER_OTLP_INSECURE"
	TracesInsecure     = "OTEL_EXPORTER_OTLP_TRACES_INSECURE"
	Sampler            = "OTEL_TRACES_SAMPLER"
	SamplerArg         = "OTEL_TRACES_SAMPLER_ARG"
	SDKDisabled        = "OTEL_SDK_DISABLED"
)

// Get returns the value of the variable name with surrounding space
// removed.
func Get(name string) string {
	return strings.TrimSpace(os.Getenv(name))
}

// Bool reports the boolean value of the variable name; unset or
// unparsable values are false, as the OpenTelemetry specification asks.
func Bool(name string) bool {
	b, err := strconv.ParseBool(Get(name))
	return err == nil && b
}

// First returns the first of names whose variable is set and not empty.
func First(names ...string) string {
	for _, n := range names {
		if v := Get(n); v != "" {
			return v
		}
	}
	return ""
}

// Resource builds a resource from, in increasing precedence: the SDK's
// defaults (service.name "unknown_service:<exe>", a random
// service.instance.id), the telemetry.sdk attributes,
// OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, then attrs and, when not
// empty, serviceName.
func Resource(ctx context.Context, serviceName string, attrs ...attribute.KeyValue) (*resource.Resource, error) {
	if serviceName != "" {
		attrs = append(attrs, semconv.ServiceName(serviceName))
	}
	res, err := resource.New(ctx,
		resource.WithService(),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
		resource.WithAttributes(attrs...),
		resource.WithSchemaURL(semconv.SchemaURL),
	)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	return res, nil
}
