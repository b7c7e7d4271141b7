package grafana_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/alerting"
	_ "github.com/hearth-fleet/hearth/driver/antminer"
	_ "github.com/hearth-fleet/hearth/driver/axeos"
	_ "github.com/hearth-fleet/hearth/driver/whatsminer"
	"github.com/hearth-fleet/hearth/grafana"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/poller"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// The dashboard's JSON is one Grafana imports: a data-source variable of
// type prometheus that every panel and query uses, site and miner
// variables, and panels that each have an id of their own, a title, a
// data source, a place on the grid and at least one query.
func TestDashboardStructure(t *testing.T) {
	var d struct {
		UID           string `json:"uid"`
		Title         string `json:"title"`
		SchemaVersion int    `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name       string          `json:"name"`
				Type       string          `json:"type"`
				Query      json.RawMessage `json:"query"`
				Datasource *datasource     `json:"datasource"`
				IncludeAll bool            `json:"includeAll"`
				AllValue   string          `json:"allValue"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			ID         int         `json:"id"`
			Type       string      `json:"type"`
			Title      string      `json:"title"`
			Datasource *datasource `json:"datasource"`
			GridPos    *struct {
				X, Y, W, H int
			} `json:"gridPos"`
			Targets []struct {
				RefID      string      `json:"refId"`
				Expr       string      `json:"expr"`
				Datasource *datasource `json:"datasource"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(grafana.DashboardJSON(), &d); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both are needed to import", d.UID, d.Title)
	}
	// Grafana 11 writes 39 and later; older schemas get migrated on
	// import, newer Grafanas read this one.
	if d.SchemaVersion < 39 {
		t.Errorf("schemaVersion %d is older than a current Grafana's", d.SchemaVersion)
	}
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		switch v.Name {
		case "datasource":
			if v.Type != "datasource" || string(v.Query) != `"prometheus"` {
				t.Errorf("datasource variable: type %q query %s, want a prometheus data-source variable", v.Type, v.Query)
			}
		case "site", "miner":
			if v.Type != "query" || !v.Datasource.isVariable() || !v.IncludeAll || v.AllValue != ".*" {
				t.Errorf("variable %s: type %q, datasource %+v, includeAll %v, allValue %q", v.Name, v.Type, v.Datasource, v.IncludeAll, v.AllValue)
			}
		}
	}
	for _, name := range []string{"datasource", "site", "miner"} {
		if !vars[name] {
			t.Errorf("no %s variable", name)
		}
	}

	ids := map[int]string{}
	type cell struct{ x, y int }
	taken := map[cell]string{}
	for _, p := range d.Panels {
		if p.Title == "" {
			t.Errorf("panel %d has no title", p.ID)
		}
		if prev, dup := ids[p.ID]; dup || p.ID <= 0 {
			t.Errorf("panel %q: id %d is not unique and positive (also %q)", p.Title, p.ID, prev)
		}
		ids[p.ID] = p.Title
		if !p.Datasource.isVariable() {
			t.Errorf("panel %q: datasource %+v, want the ${datasource} variable", p.Title, p.Datasource)
		}
		g := p.GridPos
		if g == nil || g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v is not on Grafana's 24-column grid", p.Title, g)
			continue
		}
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				if other, ok := taken[cell{x, y}]; ok {
					t.Errorf("panels %q and %q overlap at %d,%d", p.Title, other, x, y)
				}
				taken[cell{x, y}] = p.Title
			}
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		refs := map[string]bool{}
		for _, q := range p.Targets {
			if q.RefID == "" || refs[q.RefID] || q.Expr == "" || !q.Datasource.isVariable() {
				t.Errorf("panel %q: query %q (refId %q, datasource %+v) is incomplete or repeats its refId", p.Title, q.Expr, q.RefID, q.Datasource)
			}
			refs[q.RefID] = true
		}
	}
}

// promql parses PromQL as hearth's metrics store does.
var promql = parser.NewParser(parser.Options{})

// datasource is a panel's or query's data-source reference.
type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// isVariable reports whether the reference is the dashboard's prometheus
// data-source variable, which makes the file import into any Grafana.
func (d *datasource) isVariable() bool {
	return d != nil && d.Type == "prometheus" && d.UID == "${datasource}"
}

// Every metric the dashboard queries is one hearth records (or ALERTS,
// which its rule engine writes), so that no panel is silently empty
// because of a misspelt name.
func TestDashboardUsesHearthMetrics(t *testing.T) {
	known := []string{
		metrics.MetricHashRate, metrics.MetricHashRateIdeal, metrics.MetricPower, metrics.MetricPowerEstimated,
		metrics.MetricLatency, metrics.MetricAccepted, metrics.MetricRejected, metrics.MetricHardwareErrors,
		metrics.MetricUptime, metrics.MetricUp, metrics.MetricPaused, metrics.MetricBoardHashRate,
		metrics.MetricBoardChipTemp, metrics.MetricBoardTemp, metrics.MetricBoardInletTemp, metrics.MetricBoardOutletTemp,
		metrics.MetricBoardVRTemp, metrics.MetricBoardChips, metrics.MetricBoardChipsFailed, metrics.MetricBoardFrequency,
		metrics.MetricFanSpeed, metrics.MetricPoolUp, metrics.MetricPoolActiveIndex,
		metrics.MetricSitePowerTarget, metrics.MetricSitePower, metrics.MetricSitePowerPlanned, "ALERTS",
	}
	queries := mustQueries(t)
	used := map[string]bool{}
	for _, q := range queries {
		expr, err := promql.ParseExpr(expand(q.Expr, allSites()))
		if err != nil {
			t.Errorf("panel %q %s: %v", q.Panel, q.RefID, err)
			continue
		}
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			if vs, ok := n.(*parser.VectorSelector); ok {
				used[vs.Name] = true
				if !slices.Contains(known, vs.Name) {
					t.Errorf("panel %q %s queries %q, which hearth does not record", q.Panel, q.RefID, vs.Name)
				}
			}
			return nil
		})
	}
	// The panels the issue asks for, by the metric each needs.
	for _, name := range []string{
		metrics.MetricHashRate, metrics.MetricPower, metrics.MetricUp, metrics.MetricRejected, metrics.MetricLatency,
		metrics.MetricBoardChipTemp, metrics.MetricBoardOutletTemp, metrics.MetricFanSpeed, metrics.MetricBoardChipsFailed,
		metrics.MetricPoolUp, metrics.MetricSitePowerTarget, metrics.MetricSitePower, "ALERTS",
	} {
		if !used[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

func mustQueries(t *testing.T) []grafana.Query {
	t.Helper()
	queries, err := grafana.Queries()
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) == 0 {
		t.Fatal("the dashboard has no queries")
	}
	return queries
}

// vars are the values Grafana substitutes into a query.
type vars struct {
	site, miner string
	// interval is $__interval (the step of a range query), scrape the
	// data source's scrape interval and span the dashboard's time range.
	interval, scrape, span time.Duration
}

// allSites is the dashboard as it opens: every site and miner ("All",
// whose allValue is .*).
func allSites() vars {
	return vars{site: ".*", miner: ".*", interval: time.Second, scrape: time.Second, span: time.Minute}
}

// promDuration formats d as PromQL spells a duration, as Grafana does.
func promDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// expand substitutes the template variables in expr the way Grafana does:
// $__rate_interval is max($__interval + scrape interval, 4 × scrape
// interval), and a selected value lands in a =~ matcher regex-escaped.
func expand(expr string, v vars) string {
	rate := max(v.interval+v.scrape, 4*v.scrape)
	return strings.NewReplacer(
		"$__rate_interval", promDuration(rate),
		"$__interval", promDuration(v.interval),
		"$__range", promDuration(v.span),
		"${site}", v.site, "$site", v.site,
		"${miner}", v.miner, "$miner", v.miner,
	).Replace(expr)
}

// fleet is a small simulated fleet polled into a metrics store, with the
// rule engine running and hearth's HTTP API in front, as `hearth serve`
// puts them together.
type fleet struct {
	url    string
	miners map[string]*hearth.Miner // by the simulator's short model name
	faults map[string]sim.FaultKind // by miner ID
}

func startFleet(t *testing.T) *fleet {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 12, Seed: 6, Mix: map[string]float64{
		sim.ModelS19jPro: 1, sim.ModelS21: 1, sim.ModelM50S: 1, sim.ModelBitaxeGamma: 1,
	}})
	store, err := metrics.Open(t.TempDir(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &fleet{miners: map[string]*hearth.Miner{}, faults: map[string]sim.FaultKind{}}

	// One fault of each kind the failure panels show, each on a miner of
	// its own; the rest stay healthy.
	want := []struct {
		model string
		kind  sim.FaultKind
	}{
		{sim.ModelS21, sim.FaultFanFail},
		{sim.ModelM50S, sim.FaultFanFail},
		{sim.ModelS19jPro, sim.FaultFailedChips},
		{sim.ModelS19jPro, sim.FaultPoolDown},
		{sim.ModelS21, sim.FaultOffline},
	}
	p := &poller.Poller{Sink: store, Interval: time.Second, Timeout: 2 * time.Second, MaxBackoff: time.Second,
		Logger: slog.New(slog.DiscardHandler)}
	for i, mi := range s.Miners() {
		m := &hearth.Miner{ID: mi.Name, Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, APIPort: mi.APIPort,
			Family: mi.Family, Model: mi.Model, Site: []string{"barn", "loft"}[i%2]}
		for j, w := range want {
			if w.model == mi.ModelShort {
				if err := s.SetFault(sim.Fault{Index: mi.Index, Kind: w.kind}); err != nil {
					t.Fatal(err)
				}
				f.faults[m.ID] = w.kind
				want = slices.Delete(want, j, j+1)
				break
			}
		}
		if f.miners[mi.ModelShort] == nil || f.faults[m.ID] == sim.FaultFanFail {
			f.miners[mi.ModelShort] = m
		}
		p.Add(m)
	}
	if len(want) > 0 {
		t.Fatalf("the simulated fleet lacks models for faults %v", want)
	}

	rules, err := alerting.New(store, alerting.Options{Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := &hearthhttp.Server{PrometheusAPI: store.PrometheusAPI(), AlertsAPI: rules.PrometheusAPI()}
	ts := httptest.NewServer(srv.Handler())
	f.url = ts.URL

	polled := make(chan error, 1)
	go func() { polled <- p.Run(ctx) }()
	rules.Start()
	// The power controller records each site's target and measured power
	// once per control cycle; here a fixed target and plan stand in for
	// its decisions.
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			for _, site := range []string{"barn", "loft"} {
				if err := store.RecordSitePower(ctx, site, time.Now(), 12000, 10500, 11000); err != nil && ctx.Err() == nil {
					t.Errorf("record site power: %v", err)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-polled
		<-recorded
		rules.Stop()
		ts.Close()
		store.Close()
	})
	return f
}

// get fetches path of hearth's Prometheus-compatible API and returns its
// data, failing on an error status.
func (f *fleet) get(t *testing.T, path string, params url.Values) json.RawMessage {
	t.Helper()
	resp, err := http.Get(f.url + "/prometheus/api/v1/" + path + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Errorf("%s %v: %s %s", path, params, resp.Status, body)
		return nil
	}
	return r.Data
}

// series is one series of a query_range result.
type series struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

// rangeQuery runs expr over the last minute at a one-second step, as a
// dashboard panel does, and returns the series that have samples.
func (f *fleet) rangeQuery(t *testing.T, expr string) []series {
	t.Helper()
	end := time.Now()
	data := f.get(t, "query_range", url.Values{
		"query": {expr},
		"start": {strconv.FormatInt(end.Add(-time.Minute).Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)},
		"step":  {"1"},
	})
	var m struct {
		ResultType string   `json:"resultType"`
		Result     []series `json:"result"`
	}
	if data == nil || json.Unmarshal(data, &m) != nil || m.ResultType != "matrix" {
		t.Errorf("query_range %s: %s", expr, data)
		return nil
	}
	var out []series
	for _, s := range m.Result {
		if len(s.Values) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// labelValues runs a template variable's label_values(selector, label)
// query the way Grafana does, through the label values endpoint.
func (f *fleet) labelValues(t *testing.T, query string) []string {
	t.Helper()
	m := regexp.MustCompile(`^label_values\((.*),\s*(\w+)\)$`).FindStringSubmatch(query)
	if m == nil {
		t.Fatalf("variable query %q is not label_values(selector, label)", query)
	}
	if _, err := promql.ParseMetricSelector(m[1]); err != nil {
		t.Errorf("variable query %q: %v", query, err)
	}
	end := time.Now()
	data := f.get(t, "label/"+m[2]+"/values", url.Values{
		"match[]": {m[1]},
		"start":   {strconv.FormatInt(end.Add(-time.Hour).Unix(), 10)},
		"end":     {strconv.FormatInt(end.Unix(), 10)},
	})
	var values []string
	if data != nil {
		json.Unmarshal(data, &values)
	}
	return values
}

// Against a simulated fleet with faults, every query of every panel
// parses once Grafana has filled in its variables and returns data through
// hearth's Prometheus-compatible API, for the whole fleet and for one
// miner; the site and miner variables list the fleet's sites and miners;
// and the fan-fail fault fires the fan rule naming the fan by position.
func TestDashboardQueriesReturnData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a simulated fleet for several seconds")
	}
	f := startFleet(t)
	queries := mustQueries(t)
	s21 := f.miners[sim.ModelS21]
	one := allSites()
	one.site, one.miner = regexp.QuoteMeta(s21.Site), regexp.QuoteMeta(s21.ID)
	scopes := []struct {
		name string
		vars vars
	}{{"all", allSites()}, {"miner " + s21.ID, one}}

	// Rates need two polls in their window and the rules a few
	// evaluations: wait until every query answers, or report those that
	// never did.
	deadline := time.Now().Add(45 * time.Second)
	var empty []string
	for {
		empty = empty[:0]
		for _, sc := range scopes {
			for _, q := range queries {
				expr := expand(q.Expr, sc.vars)
				if _, err := promql.ParseExpr(expr); err != nil {
					t.Fatalf("panel %q %s (%s): %q does not parse: %v", q.Panel, q.RefID, sc.name, expr, err)
				}
				if len(f.rangeQuery(t, expr)) == 0 {
					empty = append(empty, fmt.Sprintf("panel %q %s (%s): %s returned no data", q.Panel, q.RefID, sc.name, expr))
				}
			}
		}
		if len(empty) == 0 || time.Now().After(deadline) || t.Failed() {
			break
		}
		time.Sleep(time.Second)
	}
	for _, e := range empty {
		t.Error(e)
	}

	vs, err := grafana.Variables()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		got := f.labelValues(t, expand(v.Query, allSites()))
		var want []string
		switch v.Name {
		case "site":
			want = []string{"barn", "loft"}
		case "miner":
			for _, m := range f.miners {
				want = append(want, m.ID)
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("variable %s lists %q, missing %q", v.Name, got, w)
			}
		}
	}

	// The fan rule names the stopped fan by its position: the S21's
	// second fan by its number, the Whatsminer's exhaust fan by its place.
	fanAlerts := map[string]string{}
	for _, s := range f.rangeQuery(t, `ALERTS{alertname="FanFailed"}`) {
		fanAlerts[s.Metric["miner"]] = s.Metric["fan"]
	}
	for model, fan := range map[string]string{sim.ModelS21: "fan2", sim.ModelM50S: "exhaust"} {
		if id := f.miners[model].ID; fanAlerts[id] != fan {
			t.Errorf("FanFailed on %s (%s) names fan %q, want %q (alerts: %v)", id, model, fanAlerts[id], fan, fanAlerts)
		}
	}
	for id, fan := range fanAlerts {
		if f.faults[id] != sim.FaultFanFail {
			t.Errorf("FanFailed on %s (fan %s), which has no fan fault", id, fan)
		}
	}
}
