package http_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/econdata"
	"github.com/hearth-fleet/hearth/econ/plan"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %g", name, got, want, tol)
	}
}

// The reference's worked figures: difficulty 148.26e12 at 87,000 USD gives
// about 36.9 USD/PH/day, and no token is needed from this machine.
func TestPlanHashprice(t *testing.T) {
	h := newFixture(t).Handler
	rec := serve(h, request("GET", "/api/v1/plan/hashprice?difficulty=148.26e12&btc_price=87000", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var hp econ.Hashprice
	decode(t, rec, &hp)
	near(t, "usd_per_ph_day", hp.USDPerPHDay, 36.9, 0.1)
	near(t, "reward_btc", hp.RewardBTC, 3.125, 1e-9)

	if rec := serve(h, request("GET", "/api/v1/plan/hashprice?difficulty=lots", nil)); rec.Code != http.StatusBadRequest {
		t.Errorf("a difficulty that is not a number: %d", rec.Code)
	}
	if rec := serve(h, request("GET", "/api/v1/plan/hashprice?difficulty=-1", nil)); rec.Code != http.StatusBadRequest {
		t.Errorf("a negative difficulty: %d", rec.Code)
	}
}

// A 15 J/TH miner at 30 USD/PH/day earns about 0.0833 USD per kWh, so
// beside a COP 3 heat pump its heat is cheaper below about 0.125 USD/kWh.
func TestPlanHeat(t *testing.T) {
	h := newFixture(t).Handler
	rec := serve(h, request("GET", "/api/v1/plan/heat?hashprice_usd_per_ph_day=30&efficiency_j_per_th=15&cop=3&electricity_price=0.10", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var c econ.HeatComparison
	decode(t, rec, &c)
	near(t, "miner_revenue_per_kwh", c.MinerRevenuePerKWh, 0.0833, 0.0001)
	near(t, "breakeven_electricity_price", c.BreakevenElectricityPrice, 0.125, 0.0001)
	if c.Cheapest != "miner" {
		t.Errorf("cheapest at 0.10 USD/kWh = %q, want miner", c.Cheapest)
	}
	// The COP from a model instead of the cop parameter.
	rec = serve(h, request("GET", "/api/v1/plan/heat?outdoor_c=-10&flow_c=35&source=air&cop_model=carnot", nil))
	decode(t, rec, &c)
	if rec.Code != http.StatusOK || c.HeatpumpHeatCostPerKWh <= 0.10/3 {
		t.Errorf("an air heat pump at -10 °C should do worse than COP 3: %d %+v", rec.Code, c)
	}
	if rec := serve(h, request("GET", "/api/v1/plan/heat?cop=1", nil)); rec.Code != http.StatusBadRequest {
		t.Errorf("COP 1: %d", rec.Code)
	}
}

// The ROI answer is the CLI's --json: the same report of the same
// projection.
func TestPlanROIMatchesTheCLIReport(t *testing.T) {
	h := newFixture(t).Handler
	body := map[string]any{"hashrate_th": 200, "power_w": 3500, "capex_usd": 2000, "electricity_price": 0.03, "years": 3}
	rec := serve(h, request("POST", "/api/v1/plan/roi", body))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	req := plan.DefaultROIRequest()
	req.HashrateTH, req.PowerW, req.CapexUSD, req.ElectricityPrice, req.Years = 200, 3500, 2000, 0.03, 3
	c, _ := econdata.Catalog()
	rig, err := req.Rig(c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := econ.Project(rig, req.Outlook())
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	json.NewEncoder(&want).Encode(plan.NewROIReport(p))
	if rec.Body.String() != want.String() {
		t.Errorf("the API's ROI differs from the CLI's report:\n%.300s\nwant\n%.300s", rec.Body, want.String())
	}
	var got plan.ROIReport
	decode(t, rec, &got)
	if got.Returns.PaybackDays <= 0 || got.Returns.PaybackDays > 3*365 || len(got.Monthly) != 37 {
		t.Errorf("a cheap S21 at 0.03 USD/kWh should pay back within 3 years: %+v, %d months", got.Returns, len(got.Monthly))
	}
}

// Bounds keep one request from holding the server: more than 20,000 paths
// or 10 years is refused with 400, as are misspelt fields and formats.
func TestPlanLimits(t *testing.T) {
	h := newFixture(t).Handler
	for _, tc := range []struct {
		path string
		body any
		want string
	}{
		{"/api/v1/plan/montecarlo", map[string]any{"capex_usd": 1, "paths": 20001}, "paths"},
		{"/api/v1/plan/montecarlo", map[string]any{"capex_usd": 1, "paths": 100, "years": 11}, "years"},
		{"/api/v1/plan/roi", map[string]any{"capex_usd": 1, "years": 10.5}, "years"},
		{"/api/v1/plan/roi", map[string]any{"capex_usd": 1, "yeers": 3}, "yeers"},
		{"/api/v1/plan/roi", map[string]any{"model": "Antminer S99"}, "S99"},
		{"/api/v1/plan/roi", map[string]any{"model": "Antminer S21"}, "capex"},
		{"/api/v1/plan/roi?format=png", map[string]any{"capex_usd": 1}, "format"},
		{"/api/v1/plan/home", map[string]any{"hours": 100000}, "hours"},
		{"/api/v1/plan/site", map[string]any{"miners": []string{"Antminer S21=many"}}, "count"},
	} {
		rec := serve(h, request("POST", tc.path, tc.body))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("POST %s %v: %d %s, want 400 about %s", tc.path, tc.body, rec.Code, rec.Body, tc.want)
		}
	}
	q := url.QueryEscape(`{"capex_usd":1,"paths":50000}`)
	if rec := serve(h, request("GET", "/api/v1/plan/montecarlo/svg?q="+q, nil)); rec.Code != http.StatusBadRequest {
		t.Errorf("the SVG variant ignores the paths bound: %d", rec.Code)
	}
}

// checkSVG asserts a response is an SVG chart hearth drew: the content
// type, well-formed XML, no script, and the text wanted.
func checkSVG(t *testing.T, what string, code int, header http.Header, body []byte, want string) {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("%s: status %d: %s", what, code, body)
	}
	if ct := header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if !bytes.HasPrefix(body, []byte("<svg")) || !bytes.Contains(body, []byte(want)) {
		t.Errorf("%s: not the chart wanted (%q): %.200s", what, want, body)
	}
	if bytes.Contains(bytes.ToLower(body), []byte("<script")) || bytes.Contains(bytes.ToLower(body), []byte("onload")) {
		t.Errorf("%s: the SVG carries script", what)
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", what, err)
		}
	}
}

// Every chart the CLI draws is served as SVG, posted with ?format=svg or
// fetched by GET with the same JSON in q (for an <img>).
func TestPlanCharts(t *testing.T) {
	h := newFixture(t).Handler
	for _, tc := range []struct {
		kind string
		body map[string]any
		want string
	}{
		{"roi", map[string]any{"capex_usd": 4000}, "Payback"},
		{"montecarlo", map[string]any{"capex_usd": 4000, "paths": 300}, "5th-95th percentile"},
		{"backtest", map[string]any{"capex_usd": 4000, "heat_loss_w_per_k": 200}, "Backtest 2025-10-06"},
		{"home", map[string]any{"summer": "water"}, "Net heating cost by month"},
	} {
		rec := serve(h, request("POST", "/api/v1/plan/"+tc.kind+"?format=svg", tc.body))
		checkSVG(t, "POST "+tc.kind, rec.Code, rec.Header(), rec.Body.Bytes(), tc.want)
		q, _ := json.Marshal(tc.body)
		get := serve(h, request("GET", "/api/v1/plan/"+tc.kind+"/svg?q="+url.QueryEscape(string(q)), nil))
		checkSVG(t, "GET "+tc.kind+"/svg", get.Code, get.Header(), get.Body.Bytes(), tc.want)
		if !bytes.Equal(get.Body.Bytes(), rec.Body.Bytes()) {
			t.Errorf("%s: the GET and POST charts differ", tc.kind)
		}
		if csp := get.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: SVG served without a script-forbidding policy: %q", tc.kind, csp)
		}
	}
	if rec := serve(h, request("POST", "/api/v1/plan/site?format=svg", map[string]any{})); rec.Code != http.StatusBadRequest {
		t.Errorf("the site plan has no chart, yet ?format=svg answered %d", rec.Code)
	}
}

// The backtest replays the shipped history; home and site answer the
// CLI's {inputs, result} and {inputs, plan}.
func TestPlanBacktestHomeSite(t *testing.T) {
	h := newFixture(t).Handler
	rec := serve(h, request("POST", "/api/v1/plan/backtest", map[string]any{"model": "Antminer S21 XP", "capex_usd": 5000, "heat_loss_w_per_k": 200}))
	var bt econ.BacktestResult
	decode(t, rec, &bt)
	if rec.Code != http.StatusOK || len(bt.Days) == 0 || bt.Days[0].Date != "2025-10-06" || bt.RevenueUSD <= 0 || bt.HeatCreditUSD <= 0 {
		t.Errorf("backtest %d: %d days, revenue %g, heat credit %g", rec.Code, len(bt.Days), bt.RevenueUSD, bt.HeatCreditUSD)
	}

	rec = serve(h, request("POST", "/api/v1/plan/home", map[string]any{"heat_loss_w_per_k": 250}))
	var home plan.HomeReport
	decode(t, rec, &home)
	if rec.Code != http.StatusOK || home.Result.Hours != 8760 || len(home.Result.Options) < 4 || home.Result.Cheapest == "" || home.Inputs.HeatLossWPerK != 250 {
		t.Errorf("home %d: %+v", rec.Code, home.Result)
	}

	rec = serve(h, request("POST", "/api/v1/plan/site", map[string]any{"miners": []string{"Antminer S21=10"}, "power_available_kw": 50}))
	var site plan.SiteReport
	decode(t, rec, &site)
	if rec.Code != http.StatusOK || site.Plan.Miners != 10 || len(site.Plan.Lines) != 1 || math.Abs(site.Plan.PowerKW-35) > 0.01 {
		t.Errorf("site %d: %+v", rec.Code, site.Plan)
	}
	near(t, "site hashprice from the default network", site.Inputs.HashpriceUSDPerPHDay, 36.9, 0.1)
}

// Planner posts change nothing, so they follow the rule for reads: no
// token from this machine, a token from elsewhere.
func TestPlanPostsAreReads(t *testing.T) {
	h := newFixture(t).Handler
	if rec := serve(h, request("POST", "/api/v1/plan/site", map[string]any{})); rec.Code != http.StatusOK {
		t.Errorf("local post without a token: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(h, remote(request("POST", "/api/v1/plan/site", map[string]any{}))); rec.Code != http.StatusUnauthorized {
		t.Errorf("remote post without a token: %d, want 401", rec.Code)
	}
	if rec := serve(h, withToken(remote(request("POST", "/api/v1/plan/site", map[string]any{})), validToken)); rec.Code != http.StatusOK {
		t.Errorf("remote post with a token: %d", rec.Code)
	}
}

func TestPlanPage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/plan")
	var elements [][2]string
	for _, kind := range []string{"hashprice", "heat", "roi", "montecarlo", "backtest", "home", "site"} {
		elements = append(elements, [2]string{"form", "plan-" + kind + "-form"}, [2]string{"table", "plan-" + kind + "-result"},
			[2]string{"button", "plan-" + kind + "-submit"}, [2]string{"p", "plan-" + kind + "-message"})
	}
	for _, kind := range []string{"roi", "montecarlo", "backtest", "home"} {
		elements = append(elements, [2]string{"img", "plan-" + kind + "-chart"})
	}
	elements = append(elements, [2]string{"input", "plan-hashprice-difficulty"}, [2]string{"input", "plan-hashprice-btc-price"},
		[2]string{"input", "plan-roi-capex-usd"}, [2]string{"textarea", "plan-site-miners"})
	checkPage(t, "plan", body, elements, []string{"hearth.js", "plan.js"}, `<a href="/plan" aria-current="page">Plan</a>`)
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("plan page has inline style or script, which the CSP refuses")
	}
	if other := page(t, newFixture(t).Handler, "/"); !strings.Contains(other, `<a href="/plan">Plan</a>`) {
		t.Error("the fleet page's navigation lacks Plan")
	}
}
