package econ_test

import (
	"math"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
)

// The reference's worked figures: 15 J/TH at $30/PH/day earns $0.083/kWh;
// against a COP 3 heat pump the break-even electricity price is $0.125/kWh.
func TestHeatReproducesTheReferenceFigures(t *testing.T) {
	c, err := econ.CompareHeat(econ.HeatInputs{ElectricityPrice: 0.10, HashpriceUSDPerPHDay: 30, EfficiencyJPerTH: 15, COP: 3})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "revenue per kWh", c.MinerRevenuePerKWh, 0.0833, 0.0001)
	near(t, "break-even", c.BreakevenElectricityPrice, 0.125, 0.0001)
	near(t, "miner heat cost", c.MinerHeatCostPerKWh, 0.10-0.08333, 0.0001)
	near(t, "heat pump heat cost", c.HeatpumpHeatCostPerKWh, 0.0333, 0.0001)
	if c.Cheapest != "miner" {
		t.Errorf("at $0.10 < $0.125 the miner should be cheapest, got %s", c.Cheapest)
	}
	c, _ = econ.CompareHeat(econ.HeatInputs{ElectricityPrice: 0.20, HashpriceUSDPerPHDay: 30, EfficiencyJPerTH: 15, COP: 3})
	if c.Cheapest != "heatpump" {
		t.Errorf("at $0.20 > $0.125 the heat pump should be cheapest, got %s", c.Cheapest)
	}
}

// The reference's revenue-per-kWh table, a few cells.
func TestRevenuePerKWhTable(t *testing.T) {
	for _, c := range []struct{ hp, eps, want float64 }{{25, 12, 0.087}, {38, 17.5, 0.090}, {48, 29.5, 0.068}, {30, 13.5, 0.093}} {
		near(t, "r", econ.RevenuePerKWh(c.hp, c.eps), c.want, 0.0006)
	}
	// Break-even table: r 0.05 at COP 2.5 → 0.083; r 0.10 at COP 4.2 → 0.131.
	near(t, "p*", econ.BreakEvenElectricityPrice(0.05, 2.5), 0.0833, 0.0001)
	near(t, "p*", econ.BreakEvenElectricityPrice(0.10, 4.2), 0.13125, 0.0001)
	if !math.IsInf(econ.BreakEvenElectricityPrice(0.1, 1), 1) {
		t.Error("against COP 1 the miner always wins: break-even must be +Inf")
	}
}

func TestCompareHeatRefusesCOPNotAboveOne(t *testing.T) {
	_, err := econ.CompareHeat(econ.HeatInputs{ElectricityPrice: 0.1, HashpriceUSDPerPHDay: 30, EfficiencyJPerTH: 15, COP: 1})
	if hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("COP 1: error %v, want EINVALID", err)
	}
}

// COP models against the reference's comparison table (§3.3).
func TestCOPModelsMatchTheReference(t *testing.T) {
	near(t, "Carnot A7/W35 η0.40", econ.CarnotCOP(35, 7, 0.40), 4.40, 0.01)
	near(t, "Carnot A-15/W35", econ.CarnotCOP(35, -15, 0.40), 2.47, 0.01)
	near(t, "Carnot B0/W35 η0.55", econ.CarnotCOP(35, 0, 0.55), 4.84, 0.01)
	near(t, "Carnot W10/W35 η0.5", econ.CarnotCOP(35, 10, 0.5), 6.16, 0.01)
	near(t, "Staffell air A7/W35", econ.Staffell(econ.SourceAir).COP(7, 35), 3.92, 0.01)
	near(t, "Staffell air A-7/W35", econ.Staffell(econ.SourceAir).COP(-7, 35), 2.84, 0.01)
	near(t, "Staffell ground ΔT35", econ.Staffell(econ.SourceGround).COP(0, 35), 4.42, 0.01)
	near(t, "when2heat air A2/W35", econ.When2Heat(econ.SourceAir).COP(2, 35), 2.96, 0.01)
	near(t, "when2heat air A7/W55", econ.When2Heat(econ.SourceAir).COP(7, 55), 2.24, 0.01)
	// Carnot for air applies a 20 % defrost loss below 2 °C.
	near(t, "Carnot air icing", econ.CarnotFor(econ.SourceAir).COP(-7, 35), 0.8*2.93, 0.01)
	if got := (econ.Resistive{}).COP(-20, 60); got != 1 {
		t.Errorf("resistive COP = %g, want 1", got)
	}
	// A lift of zero or less is capped, never infinite.
	if got := econ.CarnotFor(econ.SourceGround).COP(40, 35); got != 7 {
		t.Errorf("COP with no lift = %g, want the cap 7", got)
	}
}
