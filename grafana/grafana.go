// Package grafana ships hearth's Grafana dashboard: a fleet view written
// against the metrics hearth records and served by its Prometheus-compatible
// API (/prometheus), so that an operator who already runs Grafana adds
// hearth as a Prometheus data source, imports the dashboard and sees the
// fleet without writing a query.
//
// The dashboard is a file, hearth-fleet.json, in Grafana's classic JSON
// model, embedded in the binary so that every hearth serves the dashboard
// that matches its own metric names (GET /api/v1/grafana/dashboard.json).
// The panels choose their data source through a "datasource" template
// variable, so the file imports into any Grafana without editing.
package grafana

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// FileName is the name under which the dashboard is shipped and offered
// for download.
const FileName = "hearth-fleet.json"

//go:embed hearth-fleet.json
var dashboardJSON []byte

// DashboardJSON returns the dashboard as Grafana imports it. The slice is a
// copy, so a caller may keep or change it.
func DashboardJSON() []byte { return bytes.Clone(dashboardJSON) }

// Query is one query of one panel: what Grafana sends to hearth's
// Prometheus-compatible API for it, before template variables ($site,
// $miner, $__rate_interval) are substituted.
type Query struct {
	// PanelID and Panel are the panel's id and title.
	PanelID int
	Panel   string
	// RefID is the query's letter within its panel ("A", "B", ...).
	RefID string
	// Expr is the PromQL expression.
	Expr string
	// Legend is the legend format, such as "{{miner}} {{fan}}".
	Legend string
}

// Variable is one template variable whose values come from a query, such
// as site with label_values(mining_up, site).
type Variable struct {
	Name  string
	Query string
}

// dashboard is the part of Grafana's JSON model Queries and Variables read.
type dashboard struct {
	Panels []struct {
		ID      int    `json:"id"`
		Title   string `json:"title"`
		Targets []struct {
			RefID        string `json:"refId"`
			Expr         string `json:"expr"`
			LegendFormat string `json:"legendFormat"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func parse() (*dashboard, error) {
	var d dashboard
	if err := json.Unmarshal(dashboardJSON, &d); err != nil {
		return nil, fmt.Errorf("grafana dashboard %s: %w", FileName, err)
	}
	return &d, nil
}

// Queries lists the queries of every panel, in panel order, so that tests
// (and anyone checking the dashboard against a hearth) run exactly what
// Grafana would run.
func Queries() ([]Query, error) {
	d, err := parse()
	if err != nil {
		return nil, err
	}
	var out []Query
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			out = append(out, Query{PanelID: p.ID, Panel: p.Title, RefID: t.RefID, Expr: t.Expr, Legend: t.LegendFormat})
		}
	}
	return out, nil
}

// Variables lists the template variables filled by a query (site, miner),
// with their query in Grafana's label_values(...) form. The data-source
// variable, which lists Grafana's own data sources, is not among them.
func Variables() ([]Variable, error) {
	d, err := parse()
	if err != nil {
		return nil, err
	}
	var out []Variable
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		// Grafana writes a variable's query as a string or, in newer
		// versions, as an object holding it.
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			var obj struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &obj); err != nil {
				return nil, fmt.Errorf("grafana dashboard %s: variable %s: %w", FileName, v.Name, err)
			}
			q = obj.Query
		}
		out = append(out, Variable{Name: v.Name, Query: q})
	}
	return out, nil
}
