package econ

import (
	"math"
	"time"

	"github.com/hearth-fleet/hearth"
)

// SummerPolicy is what a miner-heater does in hours the home needs no space
// heat.
type SummerPolicy string

// The summer policies.
const (
	// SummerOff stops the miner; hot water comes from the backup.
	SummerOff SummerPolicy = "off"
	// SummerOn keeps mining at full power, dumping the heat it cannot use.
	SummerOn SummerPolicy = "on"
	// SummerWater runs the miner only to heat domestic hot water.
	SummerWater SummerPolicy = "water"
)

// ParseSummerPolicy returns the policy named s.
func ParseSummerPolicy(s string) (SummerPolicy, error) {
	switch p := SummerPolicy(s); p {
	case SummerOff, SummerOn, SummerWater:
		return p, nil
	}
	return "", hearth.Errorf(hearth.EINVALID, "unknown summer policy %q (want off, on or water)", s)
}

// HomeInputs describe a home's heat demand and the options to meet it.
type HomeInputs struct {
	// Start is the time of the first temperature; Temperatures are hourly
	// outdoor °C from there.
	Start        time.Time `json:"start"`
	Temperatures []float64 `json:"-"`
	// HeatLossWPerK is the home's heat-loss coefficient UA: space heat demand
	// is UA·max(0, BaseC − T_out).
	HeatLossWPerK float64 `json:"heat_loss_w_per_k"`
	BaseC         float64 `json:"base_c"`
	// HotWaterKWhPerDay is the domestic hot water demand, spread evenly.
	HotWaterKWhPerDay float64 `json:"hot_water_kwh_per_day"`
	Emitter           Emitter `json:"emitter"`
	// COPModel names the heat pump model: carnot, staffell or when2heat.
	COPModel         string  `json:"cop_model"`
	ElectricityPrice float64 `json:"electricity_price"`
	// ElectricityPrices, when set, is the price of each hour (one per
	// temperature), overriding ElectricityPrice: with time-of-use or
	// day-ahead prices the miner-or-heat-pump choice changes by the hour.
	ElectricityPrices []float64 `json:"-"`
	// The miner-heater: its full power, efficiency and the hashprice.
	MinerPowerW          float64      `json:"miner_power_w"`
	MinerJPerTH          float64      `json:"miner_j_per_th"`
	HashpriceUSDPerPHDay float64      `json:"hashprice_usd_per_ph_day"`
	PoolFee              float64      `json:"pool_fee"`
	Summer               SummerPolicy `json:"summer"`
	// ComboSource is the heat pump paired with the miner; empty means air.
	ComboSource Source `json:"combo_source"`
}

// MonthCost is one calendar month of an option's net cost.
type MonthCost struct {
	Month  string  `json:"month"`
	NetUSD float64 `json:"net_usd"`
}

// HomeOption is one way of heating the home over the period.
type HomeOption struct {
	Name string `json:"name"`
	// HeatKWh is the heat delivered to space and water.
	HeatKWh float64 `json:"heat_kwh"`
	// WastedHeatKWh is heat a miner made that nothing needed (summer on).
	WastedHeatKWh  float64 `json:"wasted_heat_kwh"`
	ElectricityKWh float64 `json:"electricity_kwh"`
	CostUSD        float64 `json:"cost_usd"`
	// RevenueUSD is mining income.
	RevenueUSD float64     `json:"revenue_usd"`
	NetUSD     float64     `json:"net_usd"`
	Monthly    []MonthCost `json:"monthly"`
}

// HomeResult compares the options over the period.
type HomeResult struct {
	Hours        int          `json:"hours"`
	SpaceHeatKWh float64      `json:"space_heat_kwh"`
	HotWaterKWh  float64      `json:"hot_water_kwh"`
	Options      []HomeOption `json:"options"`
	// Cheapest names the option with the lowest net cost.
	Cheapest string `json:"cheapest"`
}

// homeHour is what one option did in one hour.
type homeHour struct{ heat, wasted, elec, mined float64 }

// CompareHome runs each heating option hour by hour over the temperatures:
// resistive (COP 1); heat pumps from air, ground and water at the emitter's
// flow temperature (hot water at 50 °C); a miner-heater that follows the
// demand up to its power with resistive backup; and a miner with an air (or
// ComboSource) heat pump that, each hour, puts the cheaper of p − r and
// p/COP first. Mining revenue is r = HP/(24·ε)·(1 − pool fee) per kWh the
// miner draws.
func CompareHome(in HomeInputs) (HomeResult, error) {
	switch {
	case len(in.Temperatures) == 0 || len(in.Temperatures) > MaxBacktestHours:
		return HomeResult{}, hearth.Errorf(hearth.EINVALID, "home comparison needs 1 to %d hourly temperatures, got %d", MaxBacktestHours, len(in.Temperatures))
	case !(in.HeatLossWPerK >= 0) || math.IsInf(in.HeatLossWPerK, 0) || !(in.HotWaterKWhPerDay >= 0) || math.IsInf(in.HotWaterKWhPerDay, 0):
		return HomeResult{}, hearth.Errorf(hearth.EINVALID, "heat loss and hot water demand must not be negative")
	case !(in.ElectricityPrice >= 0) || !(in.HashpriceUSDPerPHDay >= 0) || !(in.PoolFee >= 0 && in.PoolFee < 1):
		return HomeResult{}, hearth.Errorf(hearth.EINVALID, "prices must not be negative and the pool fee must be in [0, 1)")
	case !(in.MinerPowerW >= 0) || !(in.MinerJPerTH > 0) || math.IsNaN(in.BaseC):
		return HomeResult{}, hearth.Errorf(hearth.EINVALID, "the miner needs a power ≥ 0 W and an efficiency > 0 J/TH")
	}
	if n := len(in.ElectricityPrices); n > 0 && n != len(in.Temperatures) {
		return HomeResult{}, hearth.Errorf(hearth.EINVALID, "%d hourly electricity prices for %d hours", n, len(in.Temperatures))
	}
	if in.Summer == "" {
		in.Summer = SummerOff
	}
	if _, err := ParseSummerPolicy(string(in.Summer)); err != nil {
		return HomeResult{}, err
	}
	if in.Emitter == "" {
		in.Emitter = EmitterFloor
	}
	combo := in.ComboSource
	if combo == "" {
		combo = SourceAir
	}
	models := map[Source]COPModel{}
	for _, s := range Sources {
		m, err := ParseCOPModel(in.COPModel, s)
		if err != nil {
			return HomeResult{}, err
		}
		models[s] = m
	}
	p := in.ElectricityPrice
	r := RevenuePerKWh(in.HashpriceUSDPerPHDay, in.MinerJPerTH) * (1 - in.PoolFee)
	capKWh := in.MinerPowerW / 1000
	water := in.HotWaterKWhPerDay / 24

	type option struct {
		name string
		hour func(t, space float64) homeHour
	}
	heatPump := func(s Source) func(t, space float64) homeHour {
		return func(t, space float64) homeHour {
			src := s.Temperature(t)
			e := space/models[s].COP(src, in.Emitter.FlowTemperature(t)) + water/models[s].COP(src, HotWaterC)
			return homeHour{heat: space + water, elec: e}
		}
	}
	// minerHour runs the miner for this hour's demand and the summer policy,
	// returning the electricity it draws and the demand it leaves.
	minerHour := func(space float64, economic bool) (drawn, wasted, leftSpace, leftWater float64) {
		switch {
		case space > 0 && economic:
			drawn = math.Min(capKWh, space+water)
		case space > 0:
			drawn = 0
		case in.Summer == SummerOn:
			drawn = capKWh
		case in.Summer == SummerWater:
			drawn = math.Min(capKWh, water)
		}
		used := math.Min(drawn, space+water)
		wasted = drawn - used
		leftSpace = math.Max(0, space-used)
		leftWater = math.Max(0, water-math.Max(0, used-space))
		return drawn, wasted, leftSpace, leftWater
	}
	options := []option{
		{"resistive", func(t, space float64) homeHour { return homeHour{heat: space + water, elec: space + water} }},
		{"heatpump-air", heatPump(SourceAir)},
		{"heatpump-ground", heatPump(SourceGround)},
		{"heatpump-water", heatPump(SourceWater)},
		{"miner", func(t, space float64) homeHour {
			drawn, wasted, ls, lw := minerHour(space, true)
			return homeHour{heat: space + water, wasted: wasted, elec: drawn + ls + lw, mined: drawn}
		}},
		{"miner+heatpump-" + string(combo), func(t, space float64) homeHour {
			src := combo.Temperature(t)
			copSpace := models[combo].COP(src, in.Emitter.FlowTemperature(t))
			drawn, wasted, ls, lw := minerHour(space, p-r < p/copSpace)
			e := drawn + ls/copSpace + lw/models[combo].COP(src, HotWaterC)
			return homeHour{heat: space + water, wasted: wasted, elec: e, mined: drawn}
		}},
	}
	res := HomeResult{Hours: len(in.Temperatures), Options: make([]HomeOption, len(options))}
	for i, o := range options {
		res.Options[i].Name = o.name
	}
	start := in.Start.UTC()
	month := ""
	for h, t := range in.Temperatures {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return HomeResult{}, hearth.Errorf(hearth.EINVALID, "temperature of hour %d is not a number", h)
		}
		if m := start.Add(time.Duration(h) * time.Hour).Format("2006-01"); m != month {
			month = m
			for i := range res.Options {
				res.Options[i].Monthly = append(res.Options[i].Monthly, MonthCost{Month: m})
			}
		}
		if len(in.ElectricityPrices) > 0 {
			// The options' closures read p: each hour is priced at its own rate.
			if p = in.ElectricityPrices[h]; !(p >= 0) || math.IsInf(p, 0) {
				return HomeResult{}, hearth.Errorf(hearth.EINVALID, "electricity price of hour %d is %g", h, p)
			}
		}
		space := in.HeatLossWPerK * math.Max(0, in.BaseC-t) / 1000
		res.SpaceHeatKWh += space
		res.HotWaterKWh += water
		for i, o := range options {
			hh := o.hour(t, space)
			opt := &res.Options[i]
			net := hh.elec*p - hh.mined*r
			opt.HeatKWh += hh.heat
			opt.WastedHeatKWh += hh.wasted
			opt.ElectricityKWh += hh.elec
			opt.CostUSD += hh.elec * p
			opt.RevenueUSD += hh.mined * r
			opt.NetUSD += net
			opt.Monthly[len(opt.Monthly)-1].NetUSD += net
		}
	}
	best := 0
	for i, o := range res.Options {
		if o.NetUSD < res.Options[best].NetUSD {
			best = i
		}
	}
	res.Cheapest = res.Options[best].Name
	return res, nil
}
