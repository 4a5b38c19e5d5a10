package stackcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

// Dashboard is the part of a Grafana dashboard JSON model the checks read.
// It is decoded with encoding/json rather than the Grafana foundation SDK,
// whose strict decoder (v0.0.22) drops every panel.
type Dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Refresh    string  `json:"refresh"`
	Panels     []Panel `json:"panels"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Panel is a dashboard panel; a row panel holds its collapsed panels.
type Panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *Datasource `json:"datasource"`
	Targets    []Target    `json:"targets"`
	Panels     []Panel     `json:"panels"`
	GridPos    struct {
		H, W, X, Y int
	} `json:"gridPos"`
}

// Target is one query of a panel.
type Target struct {
	RefID      string      `json:"refId"`
	Expr       string      `json:"expr"`
	Exemplar   bool        `json:"exemplar"`
	Datasource *Datasource `json:"datasource"`
}

// Datasource refers to a provisioned data source by type and UID.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a dashboard template variable.
type Variable struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Datasource *Datasource `json:"datasource"`
	Query      any         `json:"query"`
}

// Query is one PromQL expression of a dashboard with where it comes from.
type Query struct {
	Panel string
	RefID string
	Expr  string
}

// LoadDashboard decodes a dashboard JSON file.
func LoadDashboard(path string) (*Dashboard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("stackcheck: %w", err)
	}
	var d Dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("stackcheck: %s: %w", path, err)
	}
	return &d, nil
}

// AllPanels returns every panel of d, the panels inside rows included,
// rows themselves excluded.
func (d *Dashboard) AllPanels() []Panel {
	var out []Panel
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			if p.Type != "row" {
				out = append(out, p)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Queries returns the PromQL expressions of every panel target of d that
// has one.
func (d *Dashboard) Queries() []Query {
	var out []Query
	for _, p := range d.AllPanels() {
		for _, t := range p.Targets {
			if t.Expr != "" {
				out = append(out, Query{Panel: p.Title, RefID: t.RefID, Expr: t.Expr})
			}
		}
	}
	return out
}

// labelValues matches Grafana's label_values(selector, label) variable
// query.
var labelValues = regexp.MustCompile(`^\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$`)

// VariableQueries returns the PromQL selectors inside the label_values
// queries of d's query variables.
func (d *Dashboard) VariableQueries() []Query {
	var out []Query
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(string)
		if m, ok := v.Query.(map[string]any); ok {
			q, _ = m["query"].(string)
		}
		if sm := labelValues.FindStringSubmatch(q); sm != nil {
			out = append(out, Query{Panel: "$" + v.Name, Expr: sm[1]})
		}
	}
	return out
}
