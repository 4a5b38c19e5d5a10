package tracing_test

import (
	"strings"
	"testing"

	"github.com/vigil-go/vigil/tracing"
)

func TestParseSampler(t *testing.T) {
	tests := []struct {
		name, arg string
		want      string // substring of the sampler's Description
		wantErr   bool
	}{
		{"", "", "ParentBased{root:AlwaysOnSampler", false},
		{"always_on", "", "AlwaysOnSampler", false},
		{" ALWAYS_OFF ", "", "AlwaysOffSampler", false},
		{"traceidratio", "0.25", "TraceIDRatioBased{0.25}", false},
		{"traceidratio", "", "TraceIDRatioBased{1}", false},
		{"parentbased_always_on", "", "ParentBased{root:AlwaysOn", false},
		{"parentbased_always_off", "", "ParentBased{root:AlwaysOff", false},
		{"parentbased_traceidratio", "0.5",
			"ParentBased{root:TraceIDRatioBased{0.5}", false},
		{"traceidratio", "1.5", "", true},
		{"traceidratio", "half", "", true},
		{"traceidratio", "NaN", "", true},
		{"parentbased_traceidratio", "nan", "", true},
		{"traceidratio", "-0.1", "", true},
		{"traceidratio", "+Inf", "", true},
		{"traceidratio", "0", "TraceIDRatioBased{0}", false},
		{"traceidratio", "1", "TraceIDRatioBased{1}", false},
		{"jaeger_remote", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.arg, func(t *testing.T) {
			s, err := tracing.ParseSampler(tt.name, tt.arg)
			if tt.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), "tracing: ") {
					t.Fatalf("err = %v, want a tracing: error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := s.Description(); !strings.Contains(d, tt.want) {
				t.Errorf("Description() = %s, want %s", d, tt.want)
			}
		})
	}
}

func FuzzParseSampler(f *testing.F) {
	f.Add("traceidratio", "0.1")
	f.Add("parentbased_traceidratio", "NaN")
	f.Fuzz(func(t *testing.T, name, arg string) {
		s, err := tracing.ParseSampler(name, arg)
		if (s == nil) == (err == nil) {
			t.Fatalf("ParseSampler(%q, %q) = %v, %v", name, arg, s, err)
		}
	})
}
