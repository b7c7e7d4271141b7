package plan

import (
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/chart"
)

// BacktestRequest asks for a rig replayed over history.
type BacktestRequest struct {
	RigSpec
	FeesBTCPerBlock  float64 `json:"fees_btc_per_block"`
	ElectricityPrice float64 `json:"electricity_price"`
	DiscountPerYear  float64 `json:"discount_per_year"`
	// HeatLossWPerK > 0 credits the miner's heat the home needs at what a
	// heat pump of Source with Emitter and COPModel would have spent.
	HeatLossWPerK float64 `json:"heat_loss_w_per_k"`
	BaseC         float64 `json:"base_c"`
	Source        string  `json:"source"`
	Emitter       string  `json:"emitter"`
	COPModel      string  `json:"cop_model"`
	// Start and End (exclusive) bound the replay as dates; empty takes
	// the span both the difficulty and the price history cover.
	Start string `json:"start"`
	End   string `json:"end"`
}

// DefaultBacktestRequest is the request whose omitted fields take the
// defaults.
func DefaultBacktestRequest() BacktestRequest {
	return BacktestRequest{RigSpec: DefaultRig(), ElectricityPrice: 0.06, DiscountPerYear: 0.08, BaseC: 18,
		Source: "air", Emitter: "floor", COPModel: "carnot"}
}

// Inputs resolves the request against a catalog and the history it will
// replay.
func (b BacktestRequest) Inputs(c econ.Catalog, h econ.History) (econ.BacktestInputs, error) {
	rig, err := b.Rig(c)
	if err != nil {
		return econ.BacktestInputs{}, err
	}
	in := econ.BacktestInputs{Rig: rig, FeesBTCPerBlock: b.FeesBTCPerBlock, ElectricityPrice: b.ElectricityPrice, DiscountPerYear: b.DiscountPerYear}
	if b.HeatLossWPerK > 0 {
		src, err := econ.ParseSource(b.Source)
		if err != nil {
			return in, err
		}
		em, err := econ.ParseEmitter(b.Emitter)
		if err != nil {
			return in, err
		}
		model, err := econ.ParseCOPModel(b.COPModel, src)
		if err != nil {
			return in, err
		}
		in.Heat = &econ.HeatCredit{HeatLossWPerK: b.HeatLossWPerK, BaseC: b.BaseC, Source: src, Emitter: em, Model: model}
	}
	d0, d1 := h.Difficulty.Span()
	p0, p1 := h.BTCPrice.Span()
	in.Start, in.End = later(d0, p0).Truncate(24*time.Hour), later(d1, p1).Truncate(24*time.Hour).Add(24*time.Hour)
	if b.Start != "" {
		if in.Start, err = econ.ParseTime(b.Start); err != nil {
			return in, err
		}
	}
	if b.End != "" {
		if in.End, err = econ.ParseTime(b.End); err != nil {
			return in, err
		}
	}
	return in, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// BacktestChart draws the running result of a backtest day by day against
// the break-even line.
func BacktestChart(res econ.BacktestResult) chart.LineChart {
	n := len(res.Days)
	x, cum := make([]float64, n), make([]float64, n)
	for i, d := range res.Days {
		x[i], cum[i] = float64(i), d.CumulativeUSD
	}
	dates := func(v float64) string {
		i := int(v)
		if i < 0 || i >= n {
			return ""
		}
		return res.Days[i].Date
	}
	return chart.LineChart{
		Title:  fmt.Sprintf("Backtest %s … %s: %.0f TH/s, %.0f W", dates(0), dates(float64(n-1)), res.Inputs.Rig.HashrateTH, res.Inputs.Rig.PowerW),
		XLabel: "date", YLabel: "cumulative profit + heat credit − capex (USD)", XTickLabel: dates,
		Lines: []chart.Line{{Name: "cumulative", X: x, Y: cum}, {Name: "break-even", X: []float64{0, float64(max(n-1, 0))}, Y: []float64{0, 0}, Dashed: true, Color: "#555"}},
	}
}
