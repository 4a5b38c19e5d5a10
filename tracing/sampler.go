package tracing

import (
	"fmt"
	"strconv"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ParseSampler returns the sampler named by name with argument arg, using
// the values of OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG:
// always_on, always_off, traceidratio, parentbased_always_on,
// parentbased_always_off and parentbased_traceidratio. Names ignore case
// and surrounding space. An empty name means parentbased_always_on. The
// ratio samplers take a probability in [0, 1] as arg (NaN and infinities
// are not) and default to 1 when arg is empty. Any other name or an invalid ratio is an error rather than
// a silent fallback, so a typo in the environment stops the service at
// startup instead of changing what is sampled.
func ParseSampler(name, arg string) (sdktrace.Sampler, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	switch name {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "traceidratio", "parentbased_traceidratio":
		ratio, err := parseRatio(arg)
		if err != nil {
			return nil, err
		}
		s := sdktrace.TraceIDRatioBased(ratio)
		if name == "traceidratio" {
			return s, nil
		}
		return sdktrace.ParentBased(s), nil
	}
	return nil, fmt.Errorf("tracing: unknown sampler %q (want always_on, "+
		"always_off, traceidratio or parentbased_*)", name)
}

func parseRatio(arg string) (float64, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return 1, nil
	}
	r, err := strconv.ParseFloat(arg, 64)
	// Written so that NaN, which ParseFloat accepts and which fails every
	// comparison, is rejected too: "r < 0 || r > 1" let it through, and the
	// SDK then sampled everything.
	if err != nil || !(r >= 0 && r <= 1) {
		return 0, fmt.Errorf("tracing: sampler ratio %q is not a number "+
			"in [0, 1]", arg)
	}
	return r, nil
}
