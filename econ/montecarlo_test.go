package econ_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/hearth-fleet/hearth/econ"
)

var (
	mcRig     = econ.Rig{HashrateTH: 200, PowerW: 3500, CapexUSD: 3000, PoolFee: 0.02, Uptime: 0.97}
	mcOutlook = econ.Outlook{Start: econ.Network{Difficulty: 148.26e12, BTCPrice: 87000, FeesBTCPerBlock: 0.036, Height: 930_000},
		ElectricityPrice: 0.05, Days: 5 * 365, DifficultyGrowthPerEpoch: 0.0116, PriceGrowthPerYear: 0.2, DiscountPerYear: 0.08}
)

func TestMonteCarloIsSeededAndIndependentOfWorkers(t *testing.T) {
	u := econ.Uncertainty{PriceVolatilityPerYear: 0.6, DifficultyVolatilityPerEpoch: 0.03, Paths: 400, Seed: 7, Workers: 1}
	a, err := econ.MonteCarlo(mcRig, mcOutlook, u)
	if err != nil {
		t.Fatal(err)
	}
	u.Workers = 3
	b, _ := econ.MonteCarlo(mcRig, mcOutlook, u)
	if !reflect.DeepEqual(a, b) {
		t.Error("results depend on the number of workers")
	}
	u.Seed = 8
	c, _ := econ.MonteCarlo(mcRig, mcOutlook, u)
	if reflect.DeepEqual(a.NPV, c.NPV) {
		t.Error("a different seed gave the same NPV distribution")
	}
	for i, f := range a.Fan {
		if !(f.P5 <= f.P25 && f.P25 <= f.P50 && f.P50 <= f.P75 && f.P75 <= f.P95) {
			t.Fatalf("fan at sample %d not ordered: %+v", i, f)
		}
	}
	if a.Fan[0].P50 >= a.Fan[len(a.Fan)-1].P95 {
		t.Error("the fan does not rise over time for a profitable rig")
	}
	if a.SampleDays[len(a.SampleDays)-1] != mcOutlook.Days || a.PaybackProbability <= 0 || a.PaybackProbability > 1 {
		t.Errorf("last sample %d, payback probability %g", a.SampleDays[len(a.SampleDays)-1], a.PaybackProbability)
	}
}

// With no volatility every path is the deterministic projection, so the
// Monte Carlo must agree with Project exactly where their models coincide.
func TestMonteCarloWithoutVolatilityIsTheProjection(t *testing.T) {
	o := mcOutlook
	o.PriceGrowthPerYear = 0
	p, err := econ.Project(mcRig, o)
	if err != nil {
		t.Fatal(err)
	}
	m, err := econ.MonteCarlo(mcRig, o, econ.Uncertainty{Paths: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "median NPV", m.NPV.P50, p.Returns.NPVUSD, 1e-6*abs64(p.Returns.NPVUSD))
	near(t, "spread", m.NPV.P95-m.NPV.P5, 0, 1e-6)
	near(t, "final fan", m.Fan[len(m.Fan)-1].P50, p.Days[len(p.Days)-1].CumulativeUSD, 1e-3)
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// BenchmarkMonteCarlo is the brief's target: 10,000 paths × 5 years of
// daily steps in ≤ 1 s.
func BenchmarkMonteCarlo(b *testing.B) {
	u := econ.Uncertainty{PriceVolatilityPerYear: 0.6, DifficultyVolatilityPerEpoch: 0.03, Paths: 10_000, Seed: 1}
	for b.Loop() {
		if _, err := econ.MonteCarlo(mcRig, mcOutlook, u); err != nil {
			b.Fatal(err)
		}
	}
}

func TestExpStepMatchesMathExp(t *testing.T) {
	for x := -3.0; x <= 3; x += 0.001 {
		want := math.Exp(x)
		if got := econ.ExpStep(x); math.Abs(got-want) > 5e-14*want {
			t.Fatalf("ExpStep(%g) = %.17g, want %.17g", x, got, want)
		}
	}
}

// With ρ = 1 difficulty rises with the price, so the extremes of profit
// narrow: a rally is eaten by difficulty, a crash eased by it.
func TestMonteCarloCorrelationNarrowsTheSpread(t *testing.T) {
	u := econ.Uncertainty{PriceVolatilityPerYear: 0.6, DifficultyVolatilityPerEpoch: 0.05, Paths: 2000, Seed: 5}
	free, err := econ.MonteCarlo(mcRig, mcOutlook, u)
	if err != nil {
		t.Fatal(err)
	}
	u.PriceDifficultyCorrelation = 1
	tied, err := econ.MonteCarlo(mcRig, mcOutlook, u)
	if err != nil {
		t.Fatal(err)
	}
	if !(tied.TotalProfit.P95-tied.TotalProfit.P5 < free.TotalProfit.P95-free.TotalProfit.P5) {
		t.Errorf("correlated spread %g not below independent %g", tied.TotalProfit.P95-tied.TotalProfit.P5, free.TotalProfit.P95-free.TotalProfit.P5)
	}
	u.PriceDifficultyCorrelation = 1.5
	if _, err := econ.MonteCarlo(mcRig, mcOutlook, u); err == nil {
		t.Error("accepted ρ = 1.5")
	}
}
