package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runPlanCLI runs 'hearth plan args...' and returns stdout, stderr and the
// error.
func runPlanCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"plan"}, args...), &out, &errOut)
	return out.String(), errOut.String(), err
}

func planJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, stderr, err := runPlanCLI(t, append(args, "--json")...)
	if err != nil {
		t.Fatalf("hearth plan %v: %v\n%s", args, err, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("hearth plan %v printed no JSON: %v\n%s", args, err, out)
	}
}

func approx(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %g", name, got, want, tol)
	}
}

func TestPlanHashpriceJSON(t *testing.T) {
	var got map[string]float64
	planJSON(t, &got, "hashprice", "--difficulty", "148.26e12", "--btc-price", "87000")
	approx(t, "usd_per_ph_day", got["usd_per_ph_day"], 36.89, 0.01)
	approx(t, "btc_per_th_day", got["btc_per_th_day"], 4.2401e-7, 0.0001e-7)
	planJSON(t, &got, "hashprice", "--difficulty", "148.26e12", "--btc-price", "87000", "--fees-btc-per-block", "0.036")
	approx(t, "with fees", got["usd_per_ph_day"], 36.89*(3.161/3.125), 0.01)
}

func TestPlanHeatJSON(t *testing.T) {
	var got map[string]any
	planJSON(t, &got, "heat", "--electricity-price", "0.10", "--hashprice", "30", "--efficiency", "15", "--cop", "3")
	approx(t, "miner_revenue_per_kwh", got["miner_revenue_per_kwh"].(float64), 0.0833, 0.0001)
	approx(t, "breakeven_electricity_price", got["breakeven_electricity_price"].(float64), 0.125, 0.0001)
	approx(t, "miner_heat_cost_per_kwh", got["miner_heat_cost_per_kwh"].(float64), 0.0167, 0.0001)
	approx(t, "heatpump_heat_cost_per_kwh", got["heatpump_heat_cost_per_kwh"].(float64), 0.0333, 0.0001)
}

func TestPlanRefusesBadInputAsUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"heat", "--cop", "0.5"},
		{"hashprice", "--difficulty", "-1"},
		{"roi", "--model", "no such miner"},
		{"roi", "--model", "Antminer S21"}, // no price known and no --capex
		{"site", "--miner", "Antminer S21=x"},
		{"home", "--summer", "sometimes"},
		{"nonsense"},
	} {
		_, _, err := runPlanCLI(t, args...)
		if code := exitCode(err, io.Discard); code != 2 {
			t.Errorf("hearth plan %v: exit %d (%v), want 2", args, code, err)
		}
	}
	if _, _, err := runPlanCLI(t, "heat", "--help"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}

// svgOK checks that path holds a well-formed SVG that mentions want.
func svgOK(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s is not well-formed: %v", path, err)
		}
	}
	if !bytes.HasPrefix(b, []byte("<svg")) || !bytes.Contains(b, []byte(want)) || !bytes.Contains(b, []byte("<polyline")) && !bytes.Contains(b, []byte("<rect x=")) {
		t.Errorf("%s: not the expected chart (want %q)", path, want)
	}
}

// The "done when": a backtest over the shipped data runs from the CLI
// and draws its chart.
func TestPlanBacktestOverShippedDataDrawsItsChart(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "backtest.svg")
	var res struct {
		Hours int `json:"hours"`
		Days  []struct {
			Date       string  `json:"date"`
			Difficulty float64 `json:"difficulty"`
		} `json:"days"`
		RevenueUSD    float64 `json:"revenue_usd"`
		HeatCreditUSD float64 `json:"heat_credit_usd"`
	}
	planJSON(t, &res, "backtest", "--model", "Antminer S21 XP", "--capex", "5000", "--heat-loss", "200", "--svg", svg)
	if len(res.Days) < 100 || res.Days[0].Date != "2025-10-06" || res.Days[len(res.Days)-1].Date != "2026-02-20" {
		t.Fatalf("backtest covered %d days %v … %v, want the shipped 2025-10-06 … 2026-02-20", len(res.Days), res.Days[0].Date, res.Days[len(res.Days)-1].Date)
	}
	for _, d := range res.Days {
		if d.Date == "2026-02-10" && d.Difficulty != 125.86e12 {
			t.Errorf("difficulty on %s = %g, want the shipped 125.86e12", d.Date, d.Difficulty)
		}
	}
	if res.RevenueUSD <= 0 || res.HeatCreditUSD <= 0 {
		t.Errorf("revenue %g, heat credit %g; want both positive", res.RevenueUSD, res.HeatCreditUSD)
	}
	svgOK(t, svg, "Backtest 2025-10-06")
	out, _, err := runPlanCLI(t, "backtest", "--capex", "0")
	if err != nil || !strings.Contains(out, "payback") {
		t.Errorf("table output: %v\n%s", err, out)
	}
}

func TestPlanROIAndMonteCarloDrawCharts(t *testing.T) {
	dir := t.TempDir()
	var roi struct {
		Returns struct {
			PaybackDays int     `json:"payback_days"`
			NPV         float64 `json:"npv_usd"`
		} `json:"returns"`
	}
	planJSON(t, &roi, "roi", "--hashrate", "200", "--power", "3500", "--capex", "2000", "--electricity-price", "0.03", "--years", "3", "--svg", filepath.Join(dir, "roi.svg"))
	if roi.Returns.PaybackDays <= 0 {
		t.Errorf("a cheap S21 at $0.03 should pay back within 3 years: %+v", roi.Returns)
	}
	svgOK(t, filepath.Join(dir, "roi.svg"), "Payback")
	var mc struct {
		Paths int `json:"paths"`
		Fan   []struct{ P5, P50, P95 float64 }
	}
	planJSON(t, &mc, "montecarlo", "--capex", "4000", "--paths", "500", "--seed", "3", "--svg", filepath.Join(dir, "mc.svg"))
	if mc.Paths != 500 || len(mc.Fan) == 0 || mc.Fan[len(mc.Fan)-1].P5 > mc.Fan[len(mc.Fan)-1].P95 {
		t.Errorf("montecarlo: %+v", mc)
	}
	svgOK(t, filepath.Join(dir, "mc.svg"), "5th-95th percentile")
}

func TestPlanSite(t *testing.T) {
	var got struct {
		Plan struct {
			Miners      int     `json:"miners"`
			HeatBTUHour float64 `json:"heat_btu_per_hour"`
			Lines       []struct {
				BreakerA float64 `json:"breaker_a"`
				Racks    int     `json:"racks"`
			} `json:"lines"`
		} `json:"plan"`
	}
	planJSON(t, &got, "site", "--miner", "Antminer S21 XP=20", "--miner", "Antminer S21", "--power-kw", "100", "--voltage", "208", "--phases", "3")
	// 20 S21 XP draw 72.9 kW; the remaining 27.1 kW takes 7 S21 (24.5 kW).
	if got.Plan.Miners != 27 || len(got.Plan.Lines) != 2 || got.Plan.Lines[0].Racks != 2 {
		t.Errorf("site plan %+v", got.Plan)
	}
	approx(t, "BTU/h", got.Plan.HeatBTUHour, (20*3645+7*3500)*3.412142, 1)
	out, _, err := runPlanCLI(t, "site", "--miner", "Antminer S21 XP Hyd.=4", "--power-kw", "30")
	if err != nil || !strings.Contains(out, "BTU/h") {
		t.Errorf("site table: %v\n%s", err, out)
	}
}

func TestPlanHomeDrawsMonthlyComparison(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "home.svg")
	var got struct {
		Result struct {
			Options []struct {
				Name    string `json:"name"`
				Monthly []struct {
					Month string `json:"month"`
				} `json:"monthly"`
			} `json:"options"`
			Cheapest string `json:"cheapest"`
		} `json:"result"`
	}
	planJSON(t, &got, "home", "--heat-loss", "250", "--summer", "water", "--svg", svg)
	if len(got.Result.Options) != 6 || len(got.Result.Options[0].Monthly) != 12 || got.Result.Cheapest == "" {
		t.Errorf("home result %+v", got.Result)
	}
	svgOK(t, svg, "Net heating cost by month")
}

func TestPlanDataAndCatalog(t *testing.T) {
	out, _, err := runPlanCLI(t, "data")
	if err != nil || !strings.Contains(out, "SYNTHETIC") {
		t.Errorf("plan data: %v\n%s", err, out)
	}
	out, _, err = runPlanCLI(t, "catalog")
	if err != nil || !strings.Contains(out, "Antminer S21 XP") {
		t.Errorf("plan catalog: %v\n%s", err, out)
	}
}

func TestPlanROIGridAndPricePath(t *testing.T) {
	var grid struct {
		Returns [][]struct {
			NPV float64 `json:"npv_usd"`
		} `json:"returns"`
	}
	planJSON(t, &grid, "roi", "--grid", "--capex", "3000", "--electricity-price", "0.05")
	if len(grid.Returns) != 6 || len(grid.Returns[0]) != 5 || !(grid.Returns[5][0].NPV > grid.Returns[0][0].NPV) {
		t.Errorf("grid %+v", grid.Returns)
	}
	path := filepath.Join(t.TempDir(), "path.csv")
	if err := os.WriteFile(path, []byte("date,usd\n2026-01-01,87000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var flat, followed struct {
		Returns struct {
			Profit float64 `json:"total_profit_usd"`
		} `json:"returns"`
	}
	planJSON(t, &flat, "roi", "--capex", "0", "--btc-price", "87000", "--price-growth", "0", "--years", "1")
	planJSON(t, &followed, "roi", "--capex", "0", "--btc-price", "1", "--price-growth", "0.5", "--price-path", path, "--years", "1")
	approx(t, "profit on a flat path", followed.Returns.Profit, flat.Returns.Profit, 1e-6)
}

func TestPlanHomeFromDegreeDaysAndHourlyPrices(t *testing.T) {
	dir := t.TempDir()
	hdd := filepath.Join(dir, "hdd.csv")
	prices := filepath.Join(dir, "prices.csv")
	if err := os.WriteFile(hdd, []byte("date,hdd\n2025-01-01,20\n2025-01-02,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prices, []byte("time,usd_per_kwh\n2025-01-01T00:00,0.10\n2025-01-02T00:00,0.20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Result struct {
			SpaceHeatKWh float64 `json:"space_heat_kwh"`
			Options      []struct {
				Name    string  `json:"name"`
				CostUSD float64 `json:"cost_usd"`
			} `json:"options"`
		} `json:"result"`
	}
	planJSON(t, &got, "home", "--degree-days-csv", hdd, "--electricity-csv", prices, "--hours", "48", "--heat-loss", "100", "--hot-water-kwh", "0")
	// 100 W/K × 20 K·day = 48 kWh on day one, none on day two.
	approx(t, "space heat", got.Result.SpaceHeatKWh, 48, 1e-9)
	approx(t, "resistive cost", got.Result.Options[0].CostUSD, 48*0.10, 1e-9)
}

func TestPlanHeatCOPFromModel(t *testing.T) {
	var got map[string]any
	// Carnot η 0.40 at A7/W35 is 4.40; p/COP at $0.22 is 0.05.
	planJSON(t, &got, "heat", "--electricity-price", "0.22", "--outdoor-temp", "7", "--flow-temp", "35", "--source", "air")
	approx(t, "heatpump_heat_cost_per_kwh", got["heatpump_heat_cost_per_kwh"].(float64), 0.22/4.402, 0.0001)
}
