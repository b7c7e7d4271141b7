package econ

import (
	"math"
	"time"

	"github.com/hearth-fleet/hearth"
)

// History is the past a backtest replays. Difficulty and BTCPrice are
// required; the others are optional.
type History struct {
	// Difficulty is the network difficulty, stepping at each retarget.
	Difficulty Series
	// Height is the block height at some times; between them the height
	// advances 144 blocks a day. Empty means DefaultHeight throughout.
	Height Series
	// BTCPrice is the USD price of a bitcoin.
	BTCPrice Series
	// Electricity is the price of a kWh in USD; empty means the backtest's
	// flat price.
	Electricity Series
	// Temperature is the outdoor air in °C, hourly; needed for a heat credit.
	Temperature Series
}

// HeatCredit values a miner's heat as the heat pump bill it saves: each
// hour the home needs UA·max(0, base − T_out) watts; the miner's heat covers
// as much as it can and is worth the electricity a heat pump would have
// used for it.
type HeatCredit struct {
	// HeatLossWPerK is the home's heat-loss coefficient UA.
	HeatLossWPerK float64 `json:"heat_loss_w_per_k"`
	// BaseC is the balance temperature below which the home needs heat.
	BaseC float64 `json:"base_c"`
	// Source and Emitter pick the heat pump the miner displaces.
	Source  Source  `json:"source"`
	Emitter Emitter `json:"emitter"`
	// Model is the heat pump's COP model.
	Model COPModel `json:"-"`
}

// BacktestInputs say which rig to replay over which window.
type BacktestInputs struct {
	Rig Rig `json:"rig"`
	// Start and End bound the replay; End is exclusive.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// FeesBTCPerBlock is the fee income per block.
	FeesBTCPerBlock float64 `json:"fees_btc_per_block"`
	// ElectricityPrice is the flat price when History has none.
	ElectricityPrice float64 `json:"electricity_price"`
	// Heat, when set, credits the heat the miner puts into a home.
	Heat *HeatCredit `json:"heat,omitempty"`
	// DiscountPerYear is the NPV's annual discount rate.
	DiscountPerYear float64 `json:"discount_per_year"`
}

// BacktestDay is one day of a backtest.
type BacktestDay struct {
	// Date is the UTC day, 2006-01-02.
	Date string `json:"date"`
	// Difficulty and BTCPrice are those of the day's last hour.
	Difficulty float64 `json:"difficulty"`
	BTCPrice   float64 `json:"btc_price"`
	// BTC, RevenueUSD and CostUSD sum the day's hours.
	BTC        float64 `json:"btc"`
	RevenueUSD float64 `json:"revenue_usd"`
	CostUSD    float64 `json:"cost_usd"`
	// HeatCreditUSD is the heat pump bill the miner's useful heat saved.
	HeatCreditUSD float64 `json:"heat_credit_usd"`
	// CumulativeUSD is the running profit plus heat credit less capex.
	CumulativeUSD float64 `json:"cumulative_usd"`
}

// BacktestResult is the replay's days and totals.
type BacktestResult struct {
	// Inputs are echoed for reports.
	Inputs BacktestInputs `json:"inputs"`
	// Hours is the number of hours replayed, Days their UTC days.
	Hours int           `json:"hours"`
	Days  []BacktestDay `json:"days"`
	// The totals over the window.
	BTC           float64 `json:"btc"`
	RevenueUSD    float64 `json:"revenue_usd"`
	CostUSD       float64 `json:"cost_usd"`
	EnergyKWh     float64 `json:"energy_kwh"`
	HeatUsedKWh   float64 `json:"heat_used_kwh"`
	HeatCreditUSD float64 `json:"heat_credit_usd"`
	// Returns count profit plus heat credit per day.
	Returns Returns `json:"returns"`
}

// MaxBacktestHours bounds a replay at a century of hours.
const MaxBacktestHours = 100 * 366 * 24

// Backtest replays the rig hour by hour over history: each hour takes the
// difficulty, price, electricity price and temperature in force (step
// series), earns Rig.Hours(1, …) and, with a heat credit, saves
// min(heat demand, miner heat)·price/COP. Hours sum into UTC days.
func Backtest(h History, in BacktestInputs) (BacktestResult, error) {
	if err := in.Rig.Validate(); err != nil {
		return BacktestResult{}, err
	}
	if h.Difficulty.Len() == 0 || h.BTCPrice.Len() == 0 {
		return BacktestResult{}, hearth.Errorf(hearth.EINVALID, "backtest needs difficulty and price history")
	}
	start, end := in.Start.UTC().Truncate(time.Hour), in.End.UTC().Truncate(time.Hour)
	hours := int(end.Sub(start) / time.Hour)
	if hours <= 0 || hours > MaxBacktestHours {
		return BacktestResult{}, hearth.Errorf(hearth.EINVALID, "backtest window %s … %s must span 1 hour to 100 years", start.Format(time.DateOnly), end.Format(time.DateOnly))
	}
	if h.Electricity.Len() == 0 && !(in.ElectricityPrice >= 0) {
		return BacktestResult{}, hearth.Errorf(hearth.EINVALID, "electricity price must not be negative, got %g", in.ElectricityPrice)
	}
	if hc := in.Heat; hc != nil {
		if h.Temperature.Len() == 0 {
			return BacktestResult{}, hearth.Errorf(hearth.EINVALID, "a heat credit needs a temperature history")
		}
		if !(hc.HeatLossWPerK >= 0) || hc.Model == nil {
			return BacktestResult{}, hearth.Errorf(hearth.EINVALID, "a heat credit needs a heat-loss coefficient ≥ 0 and a COP model")
		}
	}
	diff, price, elec, temp, height := cursor{s: &h.Difficulty}, cursor{s: &h.BTCPrice}, cursor{s: &h.Electricity}, cursor{s: &h.Temperature}, cursor{s: &h.Height}
	res := BacktestResult{Inputs: in, Hours: hours, Days: make([]BacktestDay, 0, hours/24+1)}
	minerHeatKW := in.Rig.PowerW / 1000 * in.Rig.Uptime
	cum := -in.Rig.CapexUSD
	var profits []float64
	var day BacktestDay
	dayStart := int64(math.MinInt64)
	flush := func() {
		if dayStart == math.MinInt64 {
			return
		}
		p := day.RevenueUSD - day.CostUSD + day.HeatCreditUSD
		cum += p
		day.CumulativeUSD = cum
		profits = append(profits, p)
		res.Days = append(res.Days, day)
	}
	t0 := start.Unix()
	for i := range hours {
		t := t0 + int64(i)*3600
		if ds := t - mod(t, 86400); ds != dayStart {
			flush()
			dayStart = ds
			day = BacktestDay{Date: time.Unix(ds, 0).UTC().Format(time.DateOnly)}
		}
		n := Network{Difficulty: diff.at(t), BTCPrice: price.at(t), FeesBTCPerBlock: in.FeesBTCPerBlock, Height: DefaultHeight}
		if h.Height.Len() > 0 {
			hv := height.at(t)
			n.Height = int64(hv) + (t-h.Height.Times[height.i])/TargetSpacingSeconds
		}
		p := in.ElectricityPrice
		if h.Electricity.Len() > 0 {
			p = elec.at(t)
		}
		got := in.Rig.Hours(1, n, p)
		day.Difficulty, day.BTCPrice = n.Difficulty, n.BTCPrice
		day.BTC += got.BTC
		day.RevenueUSD += got.RevenueUSD
		day.CostUSD += got.CostUSD
		res.EnergyKWh += got.EnergyKWh
		if hc := in.Heat; hc != nil {
			out := temp.at(t)
			need := hc.HeatLossWPerK * math.Max(0, hc.BaseC-out) / 1000
			used := math.Min(need, minerHeatKW)
			if used > 0 {
				cop := hc.Model.COP(hc.Source.Temperature(out), hc.Emitter.FlowTemperature(out))
				day.HeatCreditUSD += used * p / cop
				res.HeatUsedKWh += used
			}
		}
	}
	flush()
	for _, d := range res.Days {
		res.BTC += d.BTC
		res.RevenueUSD += d.RevenueUSD
		res.CostUSD += d.CostUSD
		res.HeatCreditUSD += d.HeatCreditUSD
	}
	res.Returns = Evaluate(in.Rig.CapexUSD, profits, in.DiscountPerYear)
	return res, nil
}

// mod is the non-negative remainder, so days before 1970 fall right.
func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
