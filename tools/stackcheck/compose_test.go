package stackcheck

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
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

// hostPath maps a path inside service s's container to the host file or
// directory mounted there, or "" when no bind mount covers it.
func hostPath(s types.ServiceConfig, inContainer string) string {
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if inContainer == v.Target {
			return v.Source
		}
		if rest, ok := strings.CutPrefix(inContainer, v.Target+"/"); ok {
			return filepath.Join(v.Source, rest)
		}
	}
	return ""
}

// TestComposeMountsMatchWhatTheConfigsRead follows the paths that
// Prometheus and Grafana read inside their containers back to the
// repository: the config file given on the command line, the rule files,
// the dashboards directory of the provider and the home dashboard.
func TestComposeMountsMatchWhatTheConfigsRead(t *testing.T) {
	p, err := LoadCompose(context.Background(), loadStack(t))
	if err != nil {
		t.Fatal(err)
	}
	prom, graf := p.Services["prometheus"], p.Services["grafana"]

	var config string
	for _, arg := range prom.Command {
		if v, ok := strings.CutPrefix(arg, "--config.file="); ok {
			config = hostPath(prom, v)
		}
	}
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatalf("prometheus --config.file is not mounted from the repository: %v", err)
	}
	var promCfg struct {
		RuleFiles []string `yaml:"rule_files"`
	}
	if err := yaml.Unmarshal(b, &promCfg); err != nil {
		t.Fatal(err)
	}
	for _, pattern := range promCfg.RuleFiles {
		matches, _ := filepath.Glob(hostPath(prom, pattern))
		if len(matches) == 0 {
			t.Errorf("rule_files %q matches no mounted file", pattern)
		}
	}

	provider := hostPath(graf, "/etc/grafana/provisioning/dashboards/dashboards.yml")
	b, err = os.ReadFile(provider)
	if err != nil {
		t.Fatalf("dashboard provider not mounted: %v", err)
	}
	var prov struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(b, &prov); err != nil || len(prov.Providers) == 0 {
		t.Fatalf("dashboard provider: %v", err)
	}
	for _, pr := range prov.Providers {
		jsons, _ := filepath.Glob(filepath.Join(hostPath(graf, pr.Options.Path), "*.json"))
		if len(jsons) == 0 {
			t.Errorf("provider path %q holds no mounted dashboard", pr.Options.Path)
		}
	}
	home := graf.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
	if home == nil {
		t.Fatal("no home dashboard set")
	}
	if _, err := os.Stat(hostPath(graf, *home)); err != nil {
		t.Errorf("home dashboard %s is not mounted: %v", *home, err)
	}
	datasources := hostPath(graf, "/etc/grafana/provisioning/datasources/datasources.yml")
	if _, err := os.Stat(datasources); err != nil {
		t.Errorf("data sources not mounted: %v", err)
	}
}
