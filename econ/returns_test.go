package econ_test

import (
	"math"
	"testing"

	"github.com/hearth-fleet/hearth/econ"
)

func TestEvaluatePaybackNPVAndIRR(t *testing.T) {
	profits := make([]float64, 730)
	for i := range profits {
		profits[i] = 10
	}
	r := econ.Evaluate(3650, profits, 0)
	if r.PaybackDays != 365 {
		t.Errorf("payback %d days, want 365", r.PaybackDays)
	}
	near(t, "ROI", r.ROI, 1, 1e-9)
	near(t, "NPV at 0 %", r.NPVUSD, 3650, 1e-6)
	if r.IRR == nil {
		t.Fatal("IRR missing")
	}
	// The IRR zeroes the NPV.
	near(t, "NPV at IRR", econ.Evaluate(3650, profits, *r.IRR).NPVUSD, 0, 1e-3)
	// Discounting lowers the NPV.
	if econ.Evaluate(3650, profits, 0.1).NPVUSD >= r.NPVUSD {
		t.Error("a 10 % discount rate did not lower the NPV")
	}
	never := econ.Evaluate(1e6, profits, 0)
	if never.PaybackDays != -1 {
		t.Errorf("payback %d, want -1 (never)", never.PaybackDays)
	}
	if never.IRR == nil || *never.IRR > -0.9 {
		t.Errorf("IRR of a lost investment = %v, want near −99 %%", never.IRR)
	}
	losing := econ.Evaluate(100, []float64{-1, -1}, 0)
	if losing.IRR != nil {
		t.Errorf("IRR of all-negative cash flow = %g, want none", *losing.IRR)
	}
}

func TestProjectAppliesDifficultyGrowthAndHalving(t *testing.T) {
	rig := econ.Rig{HashrateTH: 200, PowerW: 3500, CapexUSD: 3000, Uptime: 1}
	flat := econ.Outlook{Start: econ.Network{Difficulty: 148.26e12, BTCPrice: 87000, Height: 900_000}, ElectricityPrice: 0.05, Days: 1000}
	p, err := econ.Project(rig, flat)
	if err != nil {
		t.Fatal(err)
	}
	// Flat: every day earns 200 TH × $36.89/PH = $7.378, costs 84 kWh × 0.05 = $4.20.
	near(t, "day 1 profit", p.Days[0].Income.Profit(), 7.378-4.2, 0.01)
	near(t, "day 365 profit", p.Days[364].Income.Profit(), 7.378-4.2, 0.01)
	if want := int(math.Ceil(3000 / (7.378 - 4.2))); abs(p.Returns.PaybackDays-want) > 1 {
		t.Errorf("payback %d, want about %d", p.Returns.PaybackDays, want)
	}
	grow := flat
	grow.DifficultyGrowthPerEpoch = 0.02
	g, _ := econ.Project(rig, grow)
	// After 14 days (2016 blocks) the difficulty has stepped once.
	near(t, "difficulty day 13", g.Days[12].Difficulty, 148.26e12, 1)
	near(t, "difficulty day 14", g.Days[13].Difficulty, 148.26e12*1.02, 1e6)
	if g.Returns.TotalProfitUSD >= p.Returns.TotalProfitUSD {
		t.Error("rising difficulty did not lower profit")
	}
	// Starting just before the fifth halving, income halves after block 1,050,000.
	h := flat
	h.Start.Height = 1_050_000 - 144*10
	hp, _ := econ.Project(rig, h)
	near(t, "revenue before/after halving", hp.Days[20].Income.RevenueUSD/hp.Days[5].Income.RevenueUSD, 0.5, 1e-9)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestProjectFollowsAPricePath(t *testing.T) {
	rig := econ.Rig{HashrateTH: 1000, PowerW: 15000, Uptime: 1}
	o := econ.Outlook{Start: econ.Network{Difficulty: 148.26e12, BTCPrice: 1}, Days: 10,
		PricePath: mustSeries(t, "date,usd\n2026-01-01,87000\n2026-01-05,43500\n", "usd")}
	p, err := econ.Project(rig, o)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "day 3 revenue", p.Days[2].Income.RevenueUSD, 36.89, 0.01)
	near(t, "day 4 revenue", p.Days[3].Income.RevenueUSD, 36.89/2, 0.01)
}

func TestScenarioGridOrdersOutcomes(t *testing.T) {
	rig := econ.Rig{HashrateTH: 200, PowerW: 3500, CapexUSD: 3000, Uptime: 1}
	o := econ.Outlook{Start: econ.Network{Difficulty: 148.26e12, BTCPrice: 87000}, ElectricityPrice: 0.05, Days: 730}
	g, err := econ.ScenarioGrid(rig, o, []float64{-0.5, 0, 0.5}, []float64{0, 0.02})
	if err != nil {
		t.Fatal(err)
	}
	if !(g[0][0].NPVUSD < g[1][0].NPVUSD && g[1][0].NPVUSD < g[2][0].NPVUSD) {
		t.Error("a higher price path did not raise the NPV")
	}
	if !(g[1][1].NPVUSD < g[1][0].NPVUSD) {
		t.Error("faster difficulty growth did not lower the NPV")
	}
}
