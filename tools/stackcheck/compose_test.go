package stackcheck

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func loadStack(t *testing.T) string {
	t.Helper()
	return filepath.Join(deployDir(t), "compose.yaml")
}

func TestComposeFileLoadsWithComposeGo(t *testing.T) {
	p, err := LoadCompose(context.Background(), loadStack(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"shop", "pricing", "loadgen", "postgres", "redis",
		"jaeger", "prometheus", "grafana"}
	for _, name := range want {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("service %s missing; have %v", name, p.ServiceNames())
		}
	}
}

func TestComposeReferencesExist(t *testing.T) {
	p, err := LoadCompose(context.Background(), loadStack(t))
	if err != nil {
		t.Fatal(err)
	}
	refs := References(p)
	if len(refs) < 6 {
		t.Fatalf("only %d file references found: %+v", len(refs), refs)
	}
	for _, r := range MissingReferences(p) {
		t.Errorf("service %s: %s %s does not exist", r.Service, r.Kind, r.Path)
	}
}

// pinnedImage is an image reference with an explicit version tag
// (major.minor at least, as PostgreSQL numbers its releases).
var pinnedImage = regexp.MustCompile(`^[a-z0-9./-]+:v?[0-9]+\.[0-9]+(\.[0-9]+)?(-[a-z0-9.]+)?$`)

func TestComposePinsEveryImage(t *testing.T) {
	p, err := LoadCompose(context.Background(), loadStack(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range p.Services {
		if s.Build != nil {
			continue // built from this repository
		}
		if !pinnedImage.MatchString(s.Image) {
			t.Errorf("service %s: image %q is not pinned to a version", name, s.Image)
		}
	}
}

// TestComposePrometheusMatchesToolsModule keeps the Prometheus image of
// the stack at the version the offline checks build: module v0.316.0 is
// release 3.16.0.
func TestComposePrometheusMatchesToolsModule(t *testing.T) {
	p, err := LoadCompose(context.Background(), loadStack(t))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(repoRoot(t), "tools", "prometheus", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/prometheus/prometheus v0\.(\d+)\.(\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("tools/prometheus/go.mod does not require github.com/prometheus/prometheus")
	}
	minor := strings.TrimPrefix(string(m[1]), "3")
	want := "prom/prometheus:v3." + strings.TrimLeft(minor, "0") + "." + string(m[2])
	if minor == "" || len(m[1]) != 3 {
		t.Fatalf("unexpected module version v0.%s.%s", m[1], m[2])
	}
	if got := p.Services["prometheus"].Image; got != want {
		t.Errorf("prometheus image %q, want %q to match tools/prometheus", got, want)
	}
}

func TestMissingReferencesReportsAbsentFiles(t *testing.T) {
	dir := t.TempDir()
	compose := `services:
  app:
    build:
      context: .
      dockerfile: Dockerfile.missing
    volumes:
      - ./present.yml:/etc/present.yml:ro
      - ./absent.yml:/etc/absent.yml:ro
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "present.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := LoadCompose(context.Background(), filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range MissingReferences(p) {
		got = append(got, r.Kind+" "+filepath.Base(r.Path))
	}
	want := "dockerfile Dockerfile.missing,bind mount absent.yml"
	if strings.Join(got, ",") != want {
		t.Errorf("missing = %q, want %q", got, want)
	}
}

// TestComposeEnvironmentIsReadByTheApp keeps the environment of the
// services built from this repository in step with the code: each
// variable must be a name the Go code of the root module can read.
func TestComposeEnvironmentIsReadByTheApp(t *testing.T) {
	p, err := LoadCompose(context.Background(), loadStack(t))
	if err != nil {
		t.Fatal(err)
	}
	root := repoRoot(t)
	lits, err := StringLiterals(root, func(dir string) bool {
		return dir == filepath.Join(root, "tools")
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for name, s := range p.Services {
		if s.Build == nil {
			continue
		}
		for k := range s.Environment {
			checked++
			if !ReadsName(lits, k) {
				t.Errorf("service %s sets %s, which no Go code of the repository reads", name, k)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d variables checked", checked)
	}
}

func TestReadsName(t *testing.T) {
	lits := map[string]bool{"SHOP_ADDR": true, "VIGIL_CHAOS_": true, "ENABLED": true}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"SHOP_ADDR", true}, {"VIGIL_CHAOS_ENABLED", true},
		{"VIGIL_CHAOS_STATUS", false}, {"SHOP_ADDRESS", false},
	} {
		if got := ReadsName(lits, tc.name); got != tc.want {
			t.Errorf("ReadsName(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
