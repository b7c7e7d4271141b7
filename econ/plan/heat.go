package plan

import "github.com/hearth-fleet/hearth/econ"

// HeatPumpCOP returns the COP of a heat pump of the named source ("air",
// "ground", "water") under the named model ("carnot", "staffell",
// "when2heat") at an outdoor and a flow temperature in °C.
func HeatPumpCOP(source, model string, outdoorC, flowC float64) (float64, error) {
	src, err := econ.ParseSource(source)
	if err != nil {
		return 0, err
	}
	m, err := econ.ParseCOPModel(model, src)
	if err != nil {
		return 0, err
	}
	return m.COP(src.Temperature(outdoorC), flowC), nil
}

// DefaultHeat is the comparison a request that names nothing makes: 0.10
// USD/kWh, 30 USD/PH/day, a 15 J/TH miner, a heat pump of COP 3, no pool fee.
func DefaultHeat() econ.HeatInputs {
	return econ.HeatInputs{ElectricityPrice: 0.10, HashpriceUSDPerPHDay: 30, EfficiencyJPerTH: 15, COP: 3}
}
