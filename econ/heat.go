package econ

import (
	"math"

	"github.com/hearth-fleet/hearth"
)

// WattBTUPerHour is the heat of one watt in BTU per hour.
const WattBTUPerHour = 3.412142

// RevenuePerKWh returns what a miner earns per kWh it consumes, given the
// hashprice in USD/PH/day and the efficiency in J/TH:
// r = HP/(24·ε) (hash rate cancels: income H·HP/1000 per day over
// energy ε·H·24/1000 kWh).
func RevenuePerKWh(hashpriceUSDPerPHDay, jPerTH float64) float64 {
	if jPerTH <= 0 {
		return 0
	}
	return hashpriceUSDPerPHDay / (24 * jPerTH)
}

// BreakEvenElectricityPrice returns the electricity price below which heat
// from a miner earning r per kWh is cheaper than heat from a heat pump of
// coefficient cop: p − r < p/cop ⇔ p < r·cop/(cop − 1). A heat pump no
// better than a resistor (cop ≤ 1) never wins while r > 0, so the price is
// +Inf.
func BreakEvenElectricityPrice(r, cop float64) float64 {
	if cop <= 1 {
		return math.Inf(1)
	}
	return r * cop / (cop - 1)
}

// HeatInputs are the figures of the miner-versus-heat-pump question.
type HeatInputs struct {
	// ElectricityPrice is the price of a kWh in USD.
	ElectricityPrice float64 `json:"electricity_price"`
	// HashpriceUSDPerPHDay is the hashprice before pool fee.
	HashpriceUSDPerPHDay float64 `json:"hashprice_usd_per_ph_day"`
	// EfficiencyJPerTH is the miner's efficiency.
	EfficiencyJPerTH float64 `json:"efficiency_j_per_th"`
	// COP is the heat pump's coefficient of performance (heat out per
	// electricity in); must exceed 1.
	COP float64 `json:"cop"`
	// PoolFee is the pool's cut of mining income, a fraction.
	PoolFee float64 `json:"pool_fee"`
}

// HeatComparison is the cost of one kWh of heat from each source.
type HeatComparison struct {
	// MinerRevenuePerKWh is mining income per kWh consumed after pool fee.
	MinerRevenuePerKWh float64 `json:"miner_revenue_per_kwh"`
	// MinerHeatCostPerKWh is p − r: a miner turns every kWh into heat and
	// pays some of it back in bitcoin. Negative means mining pays by itself.
	MinerHeatCostPerKWh float64 `json:"miner_heat_cost_per_kwh"`
	// HeatpumpHeatCostPerKWh is p/COP.
	HeatpumpHeatCostPerKWh float64 `json:"heatpump_heat_cost_per_kwh"`
	// ResistiveHeatCostPerKWh is p.
	ResistiveHeatCostPerKWh float64 `json:"resistive_heat_cost_per_kwh"`
	// BreakevenElectricityPrice is the price below which the miner's heat
	// is the cheaper.
	BreakevenElectricityPrice float64 `json:"breakeven_electricity_price"`
	// Cheapest names the cheaper source at this price: "miner" or "heatpump".
	Cheapest string `json:"cheapest"`
}

// CompareHeat answers "heat pump or miner?" for one set of prices.
func CompareHeat(in HeatInputs) (HeatComparison, error) {
	switch {
	case !(in.ElectricityPrice >= 0) || math.IsInf(in.ElectricityPrice, 0):
		return HeatComparison{}, hearth.Errorf(hearth.EINVALID, "electricity price must not be negative, got %g", in.ElectricityPrice)
	case !(in.HashpriceUSDPerPHDay >= 0) || math.IsInf(in.HashpriceUSDPerPHDay, 0):
		return HeatComparison{}, hearth.Errorf(hearth.EINVALID, "hashprice must not be negative, got %g", in.HashpriceUSDPerPHDay)
	case !(in.EfficiencyJPerTH > 0) || math.IsInf(in.EfficiencyJPerTH, 0):
		return HeatComparison{}, hearth.Errorf(hearth.EINVALID, "efficiency must be positive, got %g J/TH", in.EfficiencyJPerTH)
	case !(in.COP > 1) || math.IsInf(in.COP, 0):
		return HeatComparison{}, hearth.Errorf(hearth.EINVALID, "COP must be greater than 1, got %g", in.COP)
	case !(in.PoolFee >= 0 && in.PoolFee < 1):
		return HeatComparison{}, hearth.Errorf(hearth.EINVALID, "pool fee must be a fraction in [0, 1), got %g", in.PoolFee)
	}
	r := RevenuePerKWh(in.HashpriceUSDPerPHDay, in.EfficiencyJPerTH) * (1 - in.PoolFee)
	c := HeatComparison{
		MinerRevenuePerKWh:        r,
		MinerHeatCostPerKWh:       in.ElectricityPrice - r,
		HeatpumpHeatCostPerKWh:    in.ElectricityPrice / in.COP,
		ResistiveHeatCostPerKWh:   in.ElectricityPrice,
		BreakevenElectricityPrice: BreakEvenElectricityPrice(r, in.COP),
		Cheapest:                  "heatpump",
	}
	if c.MinerHeatCostPerKWh < c.HeatpumpHeatCostPerKWh {
		c.Cheapest = "miner"
	}
	return c, nil
}
