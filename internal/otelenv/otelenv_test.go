package otelenv_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/internal/otelenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestBool(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"true", true}, {" TRUE ", true}, {"1", true},
		{"false", false}, {"", false}, {"yes", false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv("VIGIL_TEST_BOOL", tt.value)
			if got := otelenv.Bool("VIGIL_TEST_BOOL"); got != tt.want {
				t.Errorf("Bool(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestFirstSkipsEmptyAndBlank(t *testing.T) {
	t.Setenv("VIGIL_TEST_A", "  ")
	t.Setenv("VIGIL_TEST_B", "b")
	if got := otelenv.First("VIGIL_TEST_A", "VIGIL_TEST_B"); got != "b" {
		t.Errorf("First = %q, want b", got)
	}
	if got := otelenv.First("VIGIL_TEST_A"); got != "" {
		t.Errorf("First = %q, want empty", got)
	}
}

func TestResourcePrecedence(t *testing.T) {
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=attrs,team=env,k=v")
	t.Setenv("OTEL_SERVICE_NAME", "env")
	res, err := otelenv.Resource(context.Background(), "opt",
		attribute.String("team", "opt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"service.name": "opt", "team": "opt",
		"k": "v", "telemetry.sdk.language": "go"}
	for k, v := range want {
		got, _ := res.Set().Value(attribute.Key(k))
		if got.AsString() != v {
			t.Errorf("%s = %q, want %q", k, got.AsString(), v)
		}
	}
	if _, ok := res.Set().Value("service.instance.id"); !ok {
		t.Error("no service.instance.id")
	}
}
