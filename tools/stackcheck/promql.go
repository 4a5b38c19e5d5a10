package stackcheck

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// promql parses with the default options of Prometheus 3: the functions
// and syntax a stock server accepts.
var promql = parser.NewParser(parser.Options{})

// grafanaVar matches Grafana's template variables: $name, ${name} and
// ${name:format}.
var grafanaVar = regexp.MustCompile(`\$(\{[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)`)

// intervalVars are Grafana's built-in variables that stand for a duration.
var intervalVars = map[string]bool{
	"__interval": true, "__rate_interval": true, "__range": true,
}

// ReplaceGrafanaVars replaces Grafana's template variables in a query so
// that it parses as PromQL: the built-in interval variables become "5m",
// any other variable becomes "x". Dashboards use their own variables only
// inside label matcher strings, where any text parses.
func ReplaceGrafanaVars(q string) string {
	return grafanaVar.ReplaceAllStringFunc(q, func(v string) string {
		name := strings.TrimPrefix(v, "$")
		name = strings.Trim(name, "{}")
		name, _, _ = strings.Cut(name, ":")
		if intervalVars[name] {
			return "5m"
		}
		return "x"
	})
}

// ParseExpr parses a PromQL expression.
func ParseExpr(q string) (parser.Expr, error) {
	e, err := promql.ParseExpr(q)
	if err != nil {
		return nil, fmt.Errorf("stackcheck: %w", err)
	}
	return e, nil
}

// MetricNames returns, sorted and without duplicates, the metric names
// that the vector and matrix selectors of e read. A selector without a
// fixed name (only a regular expression on __name__) contributes none.
func MetricNames(e parser.Expr) []string {
	seen := map[string]bool{}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			if name := selectorName(vs); name != "" {
				seen[name] = true
			}
		}
		return nil
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func selectorName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// Grouping is the label list of one "by (...)" aggregation and the metrics
// the aggregated expression reads.
type Grouping struct {
	Labels  []string
	Metrics []string
}

// Groupings returns the "by (...)" aggregations of e. A label grouped by
// that no series of those metrics carries collapses the result into one
// unlabelled series, which is what a renamed attribute looks like.
func Groupings(e parser.Expr) []Grouping {
	var out []Grouping
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if agg, ok := n.(*parser.AggregateExpr); ok && !agg.Without && len(agg.Grouping) > 0 {
			out = append(out, Grouping{Labels: agg.Grouping, Metrics: MetricNames(agg.Expr)})
		}
		return nil
	})
	return out
}

// Matcher is a label matcher of a selector with a fixed metric name.
type Matcher struct {
	Metric string
	*labels.Matcher
}

// Matchers returns the label matchers, other than on the metric name, of
// the selectors of e that name their metric.
func Matchers(e parser.Expr) []Matcher {
	var out []Matcher
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := selectorName(vs)
		for _, m := range vs.LabelMatchers {
			if name != "" && m.Name != model.MetricNameLabel {
				out = append(out, Matcher{Metric: name, Matcher: m})
			}
		}
		return nil
	})
	return out
}
