package plan

import (
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/chart"
)

// HomeRequest asks for a year (or Hours) of heating a home compared across
// heat sources.
type HomeRequest struct {
	// Start is the first hour (a date or date and time); Hours how many.
	Start                string  `json:"start"`
	Hours                int     `json:"hours"`
	HeatLossWPerK        float64 `json:"heat_loss_w_per_k"`
	BaseC                float64 `json:"base_c"`
	HotWaterKWhPerDay    float64 `json:"hot_water_kwh_per_day"`
	Emitter              string  `json:"emitter"`
	COPModel             string  `json:"cop_model"`
	ElectricityPrice     float64 `json:"electricity_price"`
	HashpriceUSDPerPHDay float64 `json:"hashprice_usd_per_ph_day"`
	MinerPowerW          float64 `json:"miner_power_w"`
	MinerJPerTH          float64 `json:"miner_j_per_th"`
	PoolFee              float64 `json:"pool_fee"`
	// Summer says what the miner does without space heat demand: off, on
	// or water.
	Summer string `json:"summer"`
	// ComboSource is the heat pump paired with the miner.
	ComboSource string `json:"combo_source"`
}

// DefaultHomeRequest is the request whose omitted fields take the
// defaults: a 200 W/K home over 2025 with a 3.5 kW S21-class miner.
func DefaultHomeRequest() HomeRequest {
	return HomeRequest{Start: "2025-01-01", Hours: 8760, HeatLossWPerK: 200, BaseC: 18, HotWaterKWhPerDay: 5, Emitter: "floor", COPModel: "carnot",
		ElectricityPrice: 0.10, HashpriceUSDPerPHDay: 36.9, MinerPowerW: 3500, MinerJPerTH: 17.5, PoolFee: 0.02, Summer: "off", ComboSource: "air"}
}

// Inputs resolves the request over outdoor temperatures and, when prices
// is not nil, hourly electricity prices instead of the flat one.
func (h HomeRequest) Inputs(temps econ.Series, prices *econ.Series) (econ.HomeInputs, error) {
	in := econ.HomeInputs{HeatLossWPerK: h.HeatLossWPerK, BaseC: h.BaseC, HotWaterKWhPerDay: h.HotWaterKWhPerDay, COPModel: h.COPModel,
		ElectricityPrice: h.ElectricityPrice, HashpriceUSDPerPHDay: h.HashpriceUSDPerPHDay, MinerPowerW: h.MinerPowerW, MinerJPerTH: h.MinerJPerTH, PoolFee: h.PoolFee}
	var err error
	if in.Emitter, err = econ.ParseEmitter(h.Emitter); err != nil {
		return in, err
	}
	if in.Summer, err = econ.ParseSummerPolicy(h.Summer); err != nil {
		return in, err
	}
	if in.ComboSource, err = econ.ParseSource(h.ComboSource); err != nil {
		return in, err
	}
	if in.Start, err = econ.ParseTime(h.Start); err != nil {
		return in, err
	}
	if h.Hours <= 0 || h.Hours > econ.MaxBacktestHours {
		return in, hearth.Errorf(hearth.EINVALID, "hours must be 1 to %d, got %d", econ.MaxBacktestHours, h.Hours)
	}
	if in.Temperatures, err = HourlyFrom(temps, in.Start, h.Hours, "temperature"); err != nil {
		return in, err
	}
	if prices != nil {
		if in.ElectricityPrices, err = HourlyFrom(*prices, in.Start, h.Hours, "electricity price"); err != nil {
			return in, err
		}
	}
	return in, nil
}

// HourlyFrom samples s at each of n hours from start, refusing a window the
// series does not cover (a step series would otherwise stretch its ends).
func HourlyFrom(s econ.Series, start time.Time, n int, what string) ([]float64, error) {
	first, last := s.Span()
	if start.Before(first) || start.Add(time.Duration(n-1)*time.Hour).After(last.Add(24*time.Hour)) {
		return nil, hearth.Errorf(hearth.EINVALID, "the %s history covers %s … %s, not %d hours from %s", what, first.Format(time.DateTime), last.Format(time.DateTime), n, start.Format(time.DateTime))
	}
	out := make([]float64, n)
	for h := range n {
		out[h] = s.At(start.Add(time.Duration(h) * time.Hour).Unix())
	}
	return out, nil
}

// HomeReport is a home comparison with its inputs: what 'hearth plan home
// --json' prints and the API returns.
type HomeReport struct {
	Inputs econ.HomeInputs `json:"inputs"`
	Result econ.HomeResult `json:"result"`
}

// HomeChart draws the net heating cost of each option month by month.
func HomeChart(in econ.HomeInputs, res econ.HomeResult) chart.BarChart {
	bc := chart.BarChart{Title: fmt.Sprintf("Net heating cost by month (UA %g W/K, %.3f USD/kWh, summer %s)", in.HeatLossWPerK, in.ElectricityPrice, in.Summer), YLabel: "USD (electricity − mining revenue)"}
	if len(res.Options) == 0 {
		return bc
	}
	for _, m := range res.Options[0].Monthly {
		bc.Categories = append(bc.Categories, m.Month)
	}
	for _, o := range res.Options {
		g := chart.BarGroup{Name: o.Name}
		for _, m := range o.Monthly {
			g.Values = append(g.Values, m.NetUSD)
		}
		bc.Groups = append(bc.Groups, g)
	}
	return bc
}
