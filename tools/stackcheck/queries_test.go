package stackcheck

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// dashboards loads every provisioned dashboard of the stack.
func dashboards(t *testing.T) map[string]*Dashboard {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir(t), "grafana", "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	out := map[string]*Dashboard{}
	for _, f := range files {
		d, err := LoadDashboard(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = d
	}
	return out
}

// stackQueries returns every PromQL expression of the dashboards (panel
// targets and variable selectors, Grafana variables replaced) and of the
// rules, each with where it comes from.
func stackQueries(t *testing.T) (queries map[string]string, recorded map[string]bool) {
	t.Helper()
	queries, recorded = map[string]string{}, map[string]bool{}
	for file, d := range dashboards(t) {
		for _, q := range append(d.Queries(), d.VariableQueries()...) {
			where := file + ": " + q.Panel + " " + q.RefID
			queries[where] = ReplaceGrafanaVars(q.Expr)
		}
	}
	rules, err := LoadRules(ruleFiles(t)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		queries[filepath.Base(r.File)+": "+r.Name] = r.Expr
		if r.Record {
			recorded[r.Name] = true
		}
	}
	return queries, recorded
}

// parsedQueries returns the parsed expressions of [stackQueries].
func parsedQueries(t *testing.T) map[string]parser.Expr {
	t.Helper()
	queries, _ := stackQueries(t)
	exprs := make(map[string]parser.Expr, len(queries))
	for where, q := range queries {
		e, err := ParseExpr(q)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		exprs[where] = e
	}
	return exprs
}

// usedMetrics returns each metric name that a dashboard or rule reads,
// except the rules' own recorded series, with the queries that read it.
func usedMetrics(t *testing.T) map[string][]string {
	t.Helper()
	_, recorded := stackQueries(t)
	used := map[string][]string{}
	for where, e := range parsedQueries(t) {
		for _, n := range MetricNames(e) {
			if !recorded[n] {
				used[n] = append(used[n], where)
			}
		}
	}
	for _, w := range used {
		sort.Strings(w)
	}
	return used
}

func TestEveryExpressionParses(t *testing.T) {
	queries, _ := stackQueries(t)
	if len(queries) < 30 {
		t.Errorf("only %d expressions found in dashboards and rules", len(queries))
	}
	for where, q := range queries {
		if strings.Contains(q, "$") {
			t.Errorf("%s: Grafana variable left after replacement: %s", where, q)
		}
		if _, err := ParseExpr(q); err != nil {
			t.Errorf("%s: %v\n%s", where, err, q)
		}
	}
}

func TestDashboardsAreProvisionable(t *testing.T) {
	sources := provisionedDatasources(t)
	uids := map[string]string{}
	for file, d := range dashboards(t) {
		t.Run(file, func(t *testing.T) {
			if d.UID == "" || d.Title == "" {
				t.Errorf("uid %q, title %q: both are required", d.UID, d.Title)
			}
			if other, ok := uids[d.UID]; ok {
				t.Errorf("uid %q also used by %s", d.UID, other)
			}
			uids[d.UID] = file
			if d.Refresh != "5s" {
				t.Errorf("refresh %q, want 5s", d.Refresh)
			}
			ids := map[int]bool{}
			panels := d.AllPanels()
			if len(panels) == 0 {
				t.Fatal("no panels")
			}
			for _, p := range panels {
				if ids[p.ID] {
					t.Errorf("panel id %d used twice", p.ID)
				}
				ids[p.ID] = true
				checkPanel(t, p, sources)
			}
			for _, v := range d.Templating.List {
				if v.Datasource != nil && sources[v.Datasource.UID] == "" {
					t.Errorf("variable %s: unknown data source %q", v.Name, v.Datasource.UID)
				}
			}
		})
	}
}

// checkPanel checks that p reads a provisioned data source, has queries
// and, when it graphs latency from a histogram over time, asks for
// exemplars (a stat panel cannot show them).
func checkPanel(t *testing.T, p Panel, sources map[string]string) {
	t.Helper()
	if p.Type == "text" {
		return
	}
	if p.Datasource == nil || sources[p.Datasource.UID] != p.Datasource.Type {
		t.Errorf("panel %q: data source %+v is not provisioned (have %v)",
			p.Title, p.Datasource, sources)
	}
	if len(p.Targets) == 0 {
		t.Errorf("panel %q has no query", p.Title)
	}
	for _, q := range p.Targets {
		if q.Expr == "" {
			t.Errorf("panel %q target %s has no expression", p.Title, q.RefID)
		}
		latency := p.Type == "timeseries" &&
			strings.Contains(q.Expr, "histogram_quantile") &&
			strings.Contains(q.Expr, "_duration_seconds_bucket")
		if latency && !q.Exemplar {
			t.Errorf("panel %q target %s shows latency without exemplars", p.Title, q.RefID)
		}
	}
}

// provisionedDatasources returns the type of each provisioned data source
// by UID.
func provisionedDatasources(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir(t), "grafana", "provisioning",
		"datasources", "datasources.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var prov struct {
		Datasources []struct {
			UID      string `yaml:"uid"`
			Type     string `yaml:"type"`
			JSONData struct {
				Exemplars []struct {
					DatasourceUID string `yaml:"datasourceUid"`
				} `yaml:"exemplarTraceIdDestinations"`
			} `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(b, &prov); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range prov.Datasources {
		out[d.UID] = d.Type
	}
	for _, d := range prov.Datasources {
		for _, e := range d.JSONData.Exemplars {
			if out[e.DatasourceUID] != "jaeger" {
				t.Errorf("exemplars of %s link to %q, not a Jaeger data source", d.UID, e.DatasourceUID)
			}
		}
	}
	return out
}

func TestReplaceGrafanaVars(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`rate(x_total[$__rate_interval])`, `rate(x_total[5m])`},
		{`rate(x_total[${__interval}])`, `rate(x_total[5m])`},
		{`x{job=~"$job"}`, `x{job=~"x"}`},
		{`x{job=~"${job:regex}",route="${route}"}`, `x{job=~"x",route="x"}`},
		{`sum(x) by (le)`, `sum(x) by (le)`},
		{`x{a="$"}`, `x{a="$"}`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := ReplaceGrafanaVars(tc.in); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`sum by (le) (rate(a_bucket{job="shop"}[5m]))`, []string{"a_bucket"}},
		{`rate(b_total[1m]) / on() group_left sum(c)`, []string{"b_total", "c"}},
		{`{__name__="d", job="x"}`, []string{"d"}},
		{`{__name__=~"e.*"}`, []string{}},
		{`1 - (x:recorded / y) > bool 0.5`, []string{"x:recorded", "y"}},
		{`histogram_quantile(0.9, sum by (le) (rate(z_bucket[5m]))) and z_count`, []string{"z_bucket", "z_count"}},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := ParseExpr(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := MetricNames(e); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := ParseExpr(`rate(x[5m]`); err == nil || !strings.HasPrefix(err.Error(), "stackcheck: ") {
		t.Errorf("malformed expression: err = %v", err)
	}
}

func TestLabelValuesVariablesYieldTheirSelector(t *testing.T) {
	d := &Dashboard{}
	d.Templating.List = []Variable{
		{Name: "job", Type: "query", Query: map[string]any{"query": `label_values(up{job=~"shop|pricing"}, job)`}},
		{Name: "route", Type: "query", Query: `label_values(http_server_request_duration_seconds_count{job=~"$job"},http_route)`},
		{Name: "interval", Type: "interval", Query: "1m,5m"},
	}
	var got []string
	for _, q := range d.VariableQueries() {
		got = append(got, q.Panel+" "+q.Expr)
	}
	want := []string{`$job up{job=~"shop|pricing"}`,
		`$route http_server_request_duration_seconds_count{job=~"$job"}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestGroupings(t *testing.T) {
	e, err := ParseExpr(`sum by (http_route) (rate(a_count[5m])) / sum without (le) (b) + max by (le, job) (c_bucket)`)
	if err != nil {
		t.Fatal(err)
	}
	got := Groupings(e)
	want := []Grouping{
		{Labels: []string{"http_route"}, Metrics: []string{"a_count"}},
		{Labels: []string{"le", "job"}, Metrics: []string{"c_bucket"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestMatchers(t *testing.T) {
	e, err := ParseExpr(`rate(a_bucket{le="0.5",job=~"shop"}[5m]) / {__name__="b", route!=""} + {__name__=~"c.*", x="y"}`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range Matchers(e) {
		got = append(got, m.Metric+" "+m.String())
	}
	want := []string{`a_bucket le="0.5"`, `a_bucket job=~"shop"`, `b route!=""`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
