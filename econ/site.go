package econ

import (
	"fmt"
	"math"

	"github.com/hearth-fleet/hearth"
)

// Electrical constants of the site plan.
const (
	// ContinuousLoadFactor is the share of a breaker's rating a continuous
	// load may draw (the NEC 80 % rule); miners run continuously.
	ContinuousLoadFactor = 0.8
	// DefaultPowerFactor is a miner PSU's power factor at full load.
	DefaultPowerFactor = 0.99
	// airDensity (kg/m³) and airHeatCapacity (J/(kg·K)) of room air.
	airDensity      = 1.2
	airHeatCapacity = 1005.0
	// cubicMetresPerHourPerCFM converts airflow units.
	cubicMetresPerHourPerCFM = 1.699011
)

// StandardBreakerAmps are the standard overcurrent ratings (NEC 240.6) from
// which breakers and PDUs are picked.
var StandardBreakerAmps = []float64{15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 110, 125, 150, 175, 200, 225, 250, 300, 350, 400, 450, 500, 600, 700, 800, 1000, 1200, 1600, 2000, 2500, 3000, 4000}

// standardRating returns the smallest standard rating that carries amps
// continuously, or 0 if none does.
func standardRating(amps float64) float64 {
	for _, r := range StandardBreakerAmps {
		if r*ContinuousLoadFactor >= amps {
			return r
		}
	}
	return 0
}

// SiteItem is one model of a site's mix and how many of it.
type SiteItem struct {
	Model Model `json:"model"`
	// Count is the number of miners; zero fills the power left over by the
	// items before it.
	Count int `json:"count"`
}

// SiteInputs describe a site's supply and its mix of miners.
type SiteInputs struct {
	Items []SiteItem `json:"items"`
	// PowerAvailableKW is the supply the miners may draw.
	PowerAvailableKW float64 `json:"power_available_kw"`
	// VoltageV is the supply voltage, line to line when three-phase.
	VoltageV float64 `json:"voltage_v"`
	// Phases is 1 or 3.
	Phases int `json:"phases"`
	// RackPowerKW is the power one rack may carry (e.g. 40 kW).
	RackPowerKW float64 `json:"rack_power_kw"`
	// BreakerA is the branch-circuit rating; zero picks the smallest
	// standard breaker that carries one miner.
	BreakerA float64 `json:"breaker_a"`
	// PowerFactor of the miners; zero means DefaultPowerFactor.
	PowerFactor float64 `json:"power_factor"`
	// AirRiseK is the temperature rise of air across the miners, which sets
	// the airflow needed to carry the heat away.
	AirRiseK float64 `json:"air_rise_k"`
	// HashpriceUSDPerPHDay and ElectricityPrice price the output and input.
	HashpriceUSDPerPHDay float64 `json:"hashprice_usd_per_ph_day"`
	ElectricityPrice     float64 `json:"electricity_price"`
	PoolFee              float64 `json:"pool_fee"`
}

// SiteLine is the plan for one model of the mix.
type SiteLine struct {
	Model string `json:"model"`
	Count int    `json:"count"`
	// MinerVoltageV is the voltage across one miner: line to line up to
	// 277 V, else line to neutral (V/√3) on a three-phase supply.
	MinerVoltageV float64 `json:"miner_voltage_v"`
	MinerAmps     float64 `json:"miner_amps"`
	BreakerA      float64 `json:"breaker_a"`
	// MinersPerCircuit fit in 80 % of the breaker's rating.
	MinersPerCircuit int `json:"miners_per_circuit"`
	Circuits         int `json:"circuits"`
	MinersPerRack    int `json:"miners_per_rack"`
	Racks            int `json:"racks"`
	// RackAmpsPerPhase is the current of a full rack per phase, and PDUA the
	// standard PDU rating that carries it.
	RackAmpsPerPhase float64 `json:"rack_amps_per_phase"`
	PDUA             float64 `json:"pdu_a"`
	PowerKW          float64 `json:"power_kw"`
	HashrateTH       float64 `json:"hashrate_th"`
	CapexUSD         float64 `json:"capex_usd"`
}

// SitePlan is the electrical, thermal and economic plan of a site.
type SitePlan struct {
	Lines       []SiteLine `json:"lines"`
	Miners      int        `json:"miners"`
	PowerKW     float64    `json:"power_kw"`
	HashrateTH  float64    `json:"hashrate_th"`
	HeatKW      float64    `json:"heat_kw"`
	HeatBTUHour float64    `json:"heat_btu_per_hour"`
	// AirflowM3H and AirflowCFM move the heat of the air-cooled miners at
	// the given air rise: V̇ = P/(ρ·c_p·ΔT).
	AirflowM3H float64 `json:"airflow_m3_per_hour"`
	AirflowCFM float64 `json:"airflow_cfm"`
	Racks      int     `json:"racks"`
	Circuits   int     `json:"circuits"`
	// SupplyAmpsPerPhase is the site's total current per phase.
	SupplyAmpsPerPhase float64 `json:"supply_amps_per_phase"`
	RevenuePerDayUSD   float64 `json:"revenue_per_day_usd"`
	CostPerDayUSD      float64 `json:"cost_per_day_usd"`
	ProfitPerDayUSD    float64 `json:"profit_per_day_usd"`
	// CapexUSD counts the models with a known price; PriceUnknown lists the
	// others.
	CapexUSD     float64  `json:"capex_usd"`
	PriceUnknown []string `json:"price_unknown,omitempty"`
	// PaybackDays is capex over daily profit, or -1 when profit is not
	// positive.
	PaybackDays float64  `json:"payback_days"`
	Warnings    []string `json:"warnings,omitempty"`
}

// PlanSite sizes circuits, racks and PDUs for the mix and prices its output.
func PlanSite(in SiteInputs) (SitePlan, error) {
	switch {
	case len(in.Items) == 0:
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "a site plan needs at least one model")
	case !(in.VoltageV >= 100 && in.VoltageV <= 1000):
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "voltage must be 100 to 1000 V, got %g", in.VoltageV)
	case in.Phases != 1 && in.Phases != 3:
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "phases must be 1 or 3, got %d", in.Phases)
	case !(in.RackPowerKW > 0) || math.IsInf(in.RackPowerKW, 0):
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "rack power must be positive, got %g kW", in.RackPowerKW)
	case !(in.PowerAvailableKW >= 0) || math.IsInf(in.PowerAvailableKW, 0):
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "available power must not be negative, got %g kW", in.PowerAvailableKW)
	case !(in.BreakerA >= 0) || !(in.PowerFactor >= 0 && in.PowerFactor <= 1) || !(in.AirRiseK > 0):
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "breaker must be ≥ 0 A, power factor in [0, 1] and air rise positive")
	case !(in.PoolFee >= 0 && in.PoolFee < 1) || !(in.HashpriceUSDPerPHDay >= 0) || !(in.ElectricityPrice >= 0):
		return SitePlan{}, hearth.Errorf(hearth.EINVALID, "pool fee must be in [0, 1), hashprice and electricity price not negative")
	}
	pf := in.PowerFactor
	if pf == 0 {
		pf = DefaultPowerFactor
	}
	minerV := in.VoltageV
	if in.Phases == 3 && in.VoltageV > 277 {
		minerV = in.VoltageV / math.Sqrt(3)
	}
	var plan SitePlan
	airW := 0.0
	for _, it := range in.Items {
		m := it.Model
		if !(m.PowerW > 0) || !(m.HashrateTH > 0) {
			return SitePlan{}, hearth.Errorf(hearth.EINVALID, "model %q needs a power and a hash rate", m.Name)
		}
		count := it.Count
		if count < 0 || count > 10_000_000 {
			return SitePlan{}, hearth.Errorf(hearth.EINVALID, "count of %s must be 0 to 10,000,000, got %d", m.Name, count)
		}
		if count == 0 {
			count = int(math.Max(0, in.PowerAvailableKW*1000-plan.PowerKW*1000) / m.PowerW)
		}
		l := SiteLine{Model: m.Name, Count: count, MinerVoltageV: minerV, MinerAmps: m.PowerW / (minerV * pf)}
		l.BreakerA = in.BreakerA
		if l.BreakerA == 0 {
			l.BreakerA = standardRating(l.MinerAmps)
		}
		l.MinersPerCircuit = int(l.BreakerA * ContinuousLoadFactor / l.MinerAmps)
		if l.BreakerA == 0 || l.MinersPerCircuit == 0 {
			return SitePlan{}, hearth.Errorf(hearth.EINVALID, "%s draws %.1f A at %.0f V: no %g A circuit carries it", m.Name, l.MinerAmps, minerV, in.BreakerA)
		}
		l.MinersPerRack = int(in.RackPowerKW * 1000 / m.PowerW)
		if l.MinersPerRack == 0 {
			return SitePlan{}, hearth.Errorf(hearth.EINVALID, "%s (%.0f W) does not fit a %.1f kW rack", m.Name, m.PowerW, in.RackPowerKW)
		}
		l.Circuits = ceilDiv(count, l.MinersPerCircuit)
		l.Racks = ceilDiv(count, l.MinersPerRack)
		rackW := float64(l.MinersPerRack) * m.PowerW
		l.RackAmpsPerPhase = phaseAmps(rackW, in.VoltageV, in.Phases, pf)
		l.PDUA = standardRating(l.RackAmpsPerPhase)
		if l.PDUA == 0 {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s: a full rack draws %.0f A per phase, beyond standard PDUs; split the rack", m.Name, l.RackAmpsPerPhase))
		}
		l.PowerKW = float64(count) * m.PowerW / 1000
		l.HashrateTH = float64(count) * m.HashrateTH
		if m.PriceUSD > 0 {
			l.CapexUSD = float64(count) * m.PriceUSD
		} else if count > 0 {
			plan.PriceUnknown = append(plan.PriceUnknown, m.Name)
		}
		if m.AirCooled() {
			airW += l.PowerKW * 1000
		}
		plan.Lines = append(plan.Lines, l)
		plan.Miners += count
		plan.PowerKW += l.PowerKW
		plan.HashrateTH += l.HashrateTH
		plan.Racks += l.Racks
		plan.Circuits += l.Circuits
		plan.CapexUSD += l.CapexUSD
	}
	plan.HeatKW = plan.PowerKW
	plan.HeatBTUHour = plan.PowerKW * 1000 * WattBTUPerHour
	plan.AirflowM3H = airW / (airDensity * airHeatCapacity * in.AirRiseK) * 3600
	plan.AirflowCFM = plan.AirflowM3H / cubicMetresPerHourPerCFM
	plan.SupplyAmpsPerPhase = phaseAmps(plan.PowerKW*1000, in.VoltageV, in.Phases, pf)
	plan.RevenuePerDayUSD = plan.HashrateTH / 1000 * in.HashpriceUSDPerPHDay * (1 - in.PoolFee)
	plan.CostPerDayUSD = plan.PowerKW * 24 * in.ElectricityPrice
	plan.ProfitPerDayUSD = plan.RevenuePerDayUSD - plan.CostPerDayUSD
	plan.PaybackDays = -1
	if plan.ProfitPerDayUSD > 0 {
		plan.PaybackDays = plan.CapexUSD / plan.ProfitPerDayUSD
	}
	if plan.PowerKW > in.PowerAvailableKW {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("the mix draws %.1f kW, more than the %.1f kW available", plan.PowerKW, in.PowerAvailableKW))
	}
	return plan, nil
}

// phaseAmps is the line current of a balanced load of w watts: w/(V·pf) on
// one phase, w/(√3·V·pf) on three.
func phaseAmps(w, v float64, phases int, pf float64) float64 {
	if phases == 3 {
		return w / (math.Sqrt(3) * v * pf)
	}
	return w / (v * pf)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
