package plan

import (
	"fmt"

	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/chart"
)

// ROIRequest asks for the projection of a rig under a scenario.
type ROIRequest struct {
	RigSpec
	OutlookSpec
}

// DefaultROIRequest is the request whose omitted fields take the defaults.
func DefaultROIRequest() ROIRequest {
	return ROIRequest{RigSpec: DefaultRig(), OutlookSpec: DefaultOutlook()}
}

// ROIReport is the summary of a projection with its figures at the end of
// each 30 days: what 'hearth plan roi --json' prints and the API returns.
type ROIReport struct {
	Rig     econ.Rig            `json:"rig"`
	Outlook econ.Outlook        `json:"outlook"`
	Returns econ.Returns        `json:"returns"`
	BTC     float64             `json:"btc"`
	Monthly []econ.ProjectedDay `json:"monthly"`
}

// NewROIReport summarises a projection, keeping every 30th day and the last.
func NewROIReport(p econ.Projection) ROIReport {
	monthly := make([]econ.ProjectedDay, 0, len(p.Days)/30+1)
	for i, d := range p.Days {
		if (i+1)%30 == 0 || i == len(p.Days)-1 {
			monthly = append(monthly, d)
		}
	}
	return ROIReport{Rig: p.Rig, Outlook: p.Outlook, Returns: p.Returns, BTC: p.BTC, Monthly: monthly}
}

// PaybackChart draws the cumulative profit less capex day by day against
// the break-even line.
func PaybackChart(p econ.Projection) chart.LineChart {
	x, y := make([]float64, len(p.Days)), make([]float64, len(p.Days))
	for i, d := range p.Days {
		x[i], y[i] = float64(d.Day), d.CumulativeUSD
	}
	lc := chart.LineChart{Title: fmt.Sprintf("Payback: %.0f TH/s, %.0f W, capex %.0f USD", p.Rig.HashrateTH, p.Rig.PowerW, p.Rig.CapexUSD),
		XLabel: "day", YLabel: "cumulative profit less capex (USD)", Lines: []chart.Line{{Name: "cumulative", X: x, Y: y}}}
	if len(x) > 0 {
		lc.Lines = append(lc.Lines, chart.Line{Name: "break-even", X: []float64{x[0], x[len(x)-1]}, Y: []float64{0, 0}, Dashed: true, Color: "#555"})
	}
	return lc
}

// MonteCarloRequest asks for the distribution of a rig's outcomes over
// random price and difficulty paths.
type MonteCarloRequest struct {
	RigSpec
	OutlookSpec
	econ.Uncertainty
}

// DefaultMonteCarloRequest is the request whose omitted fields take the
// defaults: 10,000 paths, seed 1, 60 % price volatility a year and 3 %
// difficulty noise a retarget.
func DefaultMonteCarloRequest() MonteCarloRequest {
	return MonteCarloRequest{RigSpec: DefaultRig(), OutlookSpec: DefaultOutlook(),
		Uncertainty: econ.Uncertainty{Paths: 10000, Seed: 1, PriceVolatilityPerYear: 0.6, DifficultyVolatilityPerEpoch: 0.03}}
}

// FanChart draws the percentile fan of a Monte Carlo run of a rig that cost
// capexUSD (every path starts at −capex on day 0).
func FanChart(res econ.MonteCarloResult, capexUSD float64, seed uint64) chart.LineChart {
	n := len(res.SampleDays) + 1
	x := make([]float64, n)
	p5, p25, p50, p75, p95 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	p5[0], p25[0], p50[0], p75[0], p95[0] = -capexUSD, -capexUSD, -capexUSD, -capexUSD, -capexUSD
	for i, d := range res.SampleDays {
		x[i+1] = float64(d)
		f := res.Fan[i]
		p5[i+1], p25[i+1], p50[i+1], p75[i+1], p95[i+1] = f.P5, f.P25, f.P50, f.P75, f.P95
	}
	return chart.LineChart{Title: fmt.Sprintf("Monte Carlo, %d paths (seed %d)", res.Paths, seed), XLabel: "day", YLabel: "cumulative profit less capex (USD)",
		Bands: []chart.Band{{Name: "5th-95th percentile", X: x, Lower: p5, Upper: p95, Color: "#1f77b4"}, {Name: "25th-75th percentile", X: x, Lower: p25, Upper: p75, Color: "#1f77b4"}},
		Lines: []chart.Line{{Name: "median", X: x, Y: p50, Color: "#d62728"}, {Name: "break-even", X: []float64{0, x[n-1]}, Y: []float64{0, 0}, Dashed: true, Color: "#555"}}}
}
