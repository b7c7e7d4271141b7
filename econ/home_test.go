package econ_test

import (
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/econ"
)

func homeInputs(temps []float64) econ.HomeInputs {
	return econ.HomeInputs{
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Temperatures: temps,
		HeatLossWPerK: 200, BaseC: 18, HotWaterKWhPerDay: 4.8, Emitter: econ.EmitterFloor, COPModel: "carnot",
		ElectricityPrice: 0.10, MinerPowerW: 3000, MinerJPerTH: 15, HashpriceUSDPerPHDay: 30, Summer: econ.SummerOff,
	}
}

func option(t *testing.T, r econ.HomeResult, name string) econ.HomeOption {
	t.Helper()
	for _, o := range r.Options {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no option %s in %+v", name, r.Options)
	return econ.HomeOption{}
}

func TestCompareHomeColdHour(t *testing.T) {
	// One hour at 3 °C: space demand 200 × 15 K = 3 kWh, hot water 0.2 kWh.
	r, err := econ.CompareHome(homeInputs([]float64{3}))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "space", r.SpaceHeatKWh, 3, 1e-9)
	res := option(t, r, "resistive")
	near(t, "resistive cost", res.NetUSD, 0.32, 1e-9)
	// The 3 kW miner covers 3 of the 3.2 kWh; 0.2 from the resistive backup;
	// it earns 3 × 0.0833.
	m := option(t, r, "miner")
	near(t, "miner revenue", m.RevenueUSD, 3*30.0/360, 1e-9)
	near(t, "miner net", m.NetUSD, 0.32-0.25, 1e-9)
	// At $0.10 < break-even the combo runs the miner first, like the miner.
	combo := option(t, r, "miner+heatpump-air")
	if combo.RevenueUSD != m.RevenueUSD {
		t.Errorf("combo mined %g, want %g", combo.RevenueUSD, m.RevenueUSD)
	}
	ground := option(t, r, "heatpump-ground")
	cop := econ.CarnotFor(econ.SourceGround)
	near(t, "ground HP", ground.NetUSD, (3/cop.COP(0, 28.5)+0.2/cop.COP(0, 50))*0.10, 1e-9)
	// A water-source pump at COP 6.4 makes heat for $0.016/kWh, below the
	// miner's $0.017 (0.10 − 0.083): it wins.
	if r.Cheapest != "heatpump-water" {
		t.Errorf("cheapest %s, want heatpump-water", r.Cheapest)
	}
}

func TestCompareHomeSummerPolicies(t *testing.T) {
	warm := []float64{25, 25}
	off, _ := econ.CompareHome(homeInputs(warm))
	in := homeInputs(warm)
	in.Summer = econ.SummerWater
	water, _ := econ.CompareHome(in)
	in.Summer = econ.SummerOn
	on, _ := econ.CompareHome(in)
	if option(t, off, "miner").RevenueUSD != 0 {
		t.Error("summer off still mined")
	}
	near(t, "water mined", option(t, water, "miner").RevenueUSD, 0.4*30.0/360, 1e-9)
	near(t, "on mined", option(t, on, "miner").RevenueUSD, 6*30.0/360, 1e-9)
	near(t, "on wasted", option(t, on, "miner").WastedHeatKWh, 6-0.4, 1e-9)
	// When electricity is dear the combo leaves space heat to the heat pump.
	in = homeInputs([]float64{3})
	in.ElectricityPrice = 0.5
	dear, _ := econ.CompareHome(in)
	if option(t, dear, "miner+heatpump-air").RevenueUSD != 0 {
		t.Error("the combo ran the miner above the break-even price")
	}
}

func TestCompareHomeMonthlyOverASyntheticYear(t *testing.T) {
	temps := econ.DefaultSyntheticClimate.Hourly(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 8760)
	r, err := econ.CompareHome(homeInputs(temps))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range r.Options {
		if len(o.Monthly) != 12 {
			t.Fatalf("%s: %d months", o.Name, len(o.Monthly))
		}
		sum := 0.0
		for _, m := range o.Monthly {
			sum += m.NetUSD
		}
		near(t, o.Name+" monthly sum", sum, o.NetUSD, 1e-6)
	}
	if jan, jul := option(t, r, "resistive").Monthly[0].NetUSD, option(t, r, "resistive").Monthly[6].NetUSD; jan <= jul {
		t.Errorf("January %g not dearer than July %g", jan, jul)
	}
}

func TestCompareHomeHourlyPricesSwitchTheCombo(t *testing.T) {
	// Two equal cold hours, cheap then dear: the combo mines only in the cheap one.
	in := homeInputs([]float64{3, 3})
	in.ElectricityPrices = []float64{0.05, 0.50}
	r, err := econ.CompareHome(in)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "combo revenue", option(t, r, "miner+heatpump-air").RevenueUSD, 3*30.0/360, 1e-9)
	near(t, "resistive cost", option(t, r, "resistive").CostUSD, 3.2*0.05+3.2*0.50, 1e-9)
	in.ElectricityPrices = []float64{0.05}
	if _, err := econ.CompareHome(in); err == nil {
		t.Error("accepted one price for two hours")
	}
}
