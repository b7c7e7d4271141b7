package econ_test

import (
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
)

var s21 = econ.Model{Name: "Antminer S21", HashrateTH: 200, PowerW: 3500, JPerTH: 17.5, Cooling: "air", PriceUSD: 3000}

func TestPlanSiteSizesCircuitsRacksAndAirflow(t *testing.T) {
	p, err := econ.PlanSite(econ.SiteInputs{
		Items:            []econ.SiteItem{{Model: s21}},
		PowerAvailableKW: 1000, VoltageV: 415, Phases: 3, RackPowerKW: 40, AirRiseK: 20,
		HashpriceUSDPerPHDay: 36.89, ElectricityPrice: 0.05,
	})
	if err != nil {
		t.Fatal(err)
	}
	l := p.Lines[0]
	// 1000 kW / 3.5 kW = 285 miners; at 415 V three-phase a miner sits line to
	// neutral at 239.6 V and draws 3500/(239.6·0.99) = 14.75 A: a 20 A breaker
	// (16 A continuous) carries one.
	if l.Count != 285 || l.BreakerA != 20 || l.MinersPerCircuit != 1 || l.Circuits != 285 {
		t.Errorf("line %+v", l)
	}
	near(t, "miner volts", l.MinerVoltageV, 239.6, 0.1)
	near(t, "miner amps", l.MinerAmps, 14.75, 0.01)
	// 40 kW racks take 11 miners (38.5 kW): 26 racks; 38.5 kW at 415 V 3φ is
	// 54.1 A per phase, a 70 A PDU.
	if l.MinersPerRack != 11 || l.Racks != 26 || l.PDUA != 70 {
		t.Errorf("racks: %d per rack, %d racks, PDU %g A", l.MinersPerRack, l.Racks, l.PDUA)
	}
	near(t, "heat kW", p.HeatKW, 997.5, 1e-9)
	near(t, "BTU/h", p.HeatBTUHour, 997500*3.412142, 1)
	// V̇ = P/(ρ c ΔT): 997.5 kW / (1.2 × 1005 × 20) m³/s = 148,881 m³/h.
	near(t, "airflow", p.AirflowM3H, 148_881, 2)
	near(t, "revenue", p.RevenuePerDayUSD, 57_000/1000*36.89, 0.01)
	near(t, "cost", p.CostPerDayUSD, 997.5*24*0.05, 1e-6)
	near(t, "capex", p.CapexUSD, 285*3000, 1e-6)
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v", p.Warnings)
	}
}

func TestPlanSiteSinglePhaseAndOverload(t *testing.T) {
	hyd := econ.Model{Name: "Antminer S21 XP Hyd.", HashrateTH: 473, PowerW: 5676, Cooling: "hydro"}
	p, err := econ.PlanSite(econ.SiteInputs{Items: []econ.SiteItem{{Model: hyd, Count: 4}}, PowerAvailableKW: 20, VoltageV: 240, Phases: 1, RackPowerKW: 40, BreakerA: 60, AirRiseK: 20})
	if err != nil {
		t.Fatal(err)
	}
	// 5676/(240·0.99) = 23.9 A; a 60 A breaker (48 A) carries two.
	if p.Lines[0].MinersPerCircuit != 2 || p.Lines[0].Circuits != 2 {
		t.Errorf("line %+v", p.Lines[0])
	}
	if p.AirflowM3H != 0 {
		t.Errorf("hydro miners need no airflow, got %g", p.AirflowM3H)
	}
	if len(p.Warnings) == 0 || len(p.PriceUnknown) != 1 || p.PaybackDays != -1 {
		t.Errorf("want an overload warning and unknown price, got %v %v %g", p.Warnings, p.PriceUnknown, p.PaybackDays)
	}
	_, err = econ.PlanSite(econ.SiteInputs{Items: []econ.SiteItem{{Model: hyd, Count: 1}}, PowerAvailableKW: 20, VoltageV: 240, Phases: 1, RackPowerKW: 40, BreakerA: 15, AirRiseK: 20})
	if hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("a 15 A circuit for a 24 A miner: error %v, want EINVALID", err)
	}
}
