package stackcheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// promtool runs promtool with args in dir and returns its combined output.
func promtool(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	bin := binary(t, "VIGIL_PROMTOOL_BIN", "promtool")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func ruleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir(t), "prometheus", "rules", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rules files: %v", err)
	}
	return files
}

// localPromConfig rewrites the stack's prometheus.yml for this machine:
// rule_files point at the repository's rules, and, when targets is not
// nil, the scrape interval is 1s and each job scrapes the given address.
// Every replaced text must occur exactly once, so a change of the stack's
// file fails here instead of being tested half.
func localPromConfig(t *testing.T, targets map[string]string) string {
	t.Helper()
	dir := deployDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "prometheus", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(b)
	replace := func(old, new string) {
		if n := strings.Count(cfg, old); n != 1 {
			t.Fatalf("prometheus.yml holds %q %d times, want once", old, n)
		}
		cfg = strings.Replace(cfg, old, new, 1)
	}
	replace("/etc/prometheus/rules/", filepath.Join(dir, "prometheus", "rules")+"/")
	if targets != nil {
		replace("scrape_interval: 5s", "scrape_interval: 1s")
		replace("evaluation_interval: 5s", "evaluation_interval: 1s")
		replace(`"shop:9464"`, `"`+targets["shop"]+`"`)
		replace(`"pricing:9465"`, `"`+targets["pricing"]+`"`)
	}
	path := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPromtoolCheckConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(t *testing.T) string
	}{
		{"as mounted in the stack", func(t *testing.T) string {
			return filepath.Join(deployDir(t), "prometheus", "prometheus.yml")
		}},
		{"with the repository's rules", func(t *testing.T) string {
			return localPromConfig(t, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path(t)
			out, err := promtool(t, filepath.Dir(path), "check", "config", path)
			if err != nil {
				t.Fatalf("promtool check config: %v\n%s", err, out)
			}
			if !strings.Contains(out, "SUCCESS") {
				t.Errorf("promtool did not report success:\n%s", out)
			}
		})
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	files := ruleFiles(t)
	out, err := promtool(t, deployDir(t), append([]string{"check", "rules"}, files...)...)
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	if n := strings.Count(out, "SUCCESS"); n != len(files) {
		t.Errorf("%d of %d rules files passed:\n%s", n, len(files), out)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	dir := filepath.Join(deployDir(t), "prometheus", "tests")
	tests, err := filepath.Glob(filepath.Join(dir, "*_test.yml"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule unit tests: %v", err)
	}
	out, err := promtool(t, dir, append([]string{"test", "rules"}, tests...)...)
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool did not report success:\n%s", out)
	}
}

// TestEveryAlertHasAUnitTest keeps the alert unit tests complete: each
// alert of the rules files is expected to fire in some test case.
func TestEveryAlertHasAUnitTest(t *testing.T) {
	rules, err := LoadRules(ruleFiles(t)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(deployDir(t), "prometheus", "tests", "alerts_test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var unit struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(b, &unit); err != nil {
		t.Fatal(err)
	}
	fires := map[string]bool{}
	for _, tc := range unit.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			}
		}
	}
	alerts := 0
	for _, r := range rules {
		if r.Record {
			continue
		}
		alerts++
		if !fires[r.Name] {
			t.Errorf("alert %s is never expected to fire in alerts_test.yml", r.Name)
		}
	}
	if alerts == 0 {
		t.Error("the rules files hold no alert")
	}
}
