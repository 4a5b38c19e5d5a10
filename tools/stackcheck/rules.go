package stackcheck

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
)

// Rule is one recording or alerting rule of a rules file.
type Rule struct {
	File   string
	Group  string
	Name   string // the recorded metric or the alert name
	Record bool
	Expr   string
}

// LoadRules reads Prometheus rules files and validates them as Prometheus
// does (syntax of every expression included).
func LoadRules(files ...string) ([]Rule, error) {
	var out []Rule
	for _, f := range files {
		groups, errs := rulefmt.ParseFile(f, false, model.UTF8Validation,
			promql, slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			return nil, fmt.Errorf("stackcheck: rules: %w", errors.Join(errs...))
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				rule := Rule{File: f, Group: g.Name, Expr: r.Expr,
					Name: r.Alert, Record: r.Record != ""}
				if rule.Record {
					rule.Name = r.Record
				}
				out = append(out, rule)
			}
		}
	}
	return out, nil
}
