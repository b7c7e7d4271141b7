package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/chart"
)

// runPlanBacktest replays a rig over historical series.
func runPlanBacktest(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan backtest", "hearth plan backtest [rig flags] [--difficulty-csv F --price-csv F --electricity-csv F --temperature-csv F] [--heat-loss W_PER_K] [--svg FILE] [--json]",
		"Replay a rig hour by hour over history. Each CSV has 'date' or 'time' in its first column and a named\nvalue column; 'shipped:NAME' reads the data hearth ships (sparse figures from its reference and a\nSYNTHETIC temperature year; see 'hearth plan data'). With --heat-loss the miner's heat that the home\nneeds is credited at what a heat pump would have spent making it.", stderr)
	var r rigFlags
	r.register(fs)
	diffCSV := fs.String("difficulty-csv", "shipped:difficulty.csv", "difficulty history CSV")
	diffCol := fs.String("difficulty-column", "difficulty", "difficulty column")
	heightCol := fs.String("height-column", "height", "block height column of the difficulty CSV (optional; empty to skip)")
	priceCSV := fs.String("price-csv", "shipped:btc_price.csv", "BTC price history CSV")
	priceCol := fs.String("price-column", "usd", "BTC price column (USD)")
	elecCSV := fs.String("electricity-csv", "", "electricity price history CSV in USD/kWh (default: the flat --electricity-price)")
	elecCol := fs.String("electricity-column", "usd_per_kwh", "electricity price column")
	elec := fs.Float64("electricity-price", 0.06, "flat electricity price in USD per kWh")
	tempCSV := fs.String("temperature-csv", "shipped:temperature_hourly.csv", "hourly outdoor temperature CSV (°C), for --heat-loss")
	tempCol := fs.String("temperature-column", "temp_c", "temperature column")
	heatLoss := fs.Float64("heat-loss", 0, "home heat-loss coefficient in W/K; > 0 credits the heat the home uses")
	base := fs.Float64("base-temp", 18, "outdoor temperature in °C below which the home needs heat")
	source := fs.String("source", "air", "heat pump the miner's heat displaces: air, ground or water")
	emitter := fs.String("emitter", "floor", "heat emitter: floor or radiator")
	copModel := fs.String("cop-model", "carnot", "COP model: carnot, staffell or when2heat")
	fees := fs.Float64("fees-btc-per-block", 0, "average fees per block in BTC")
	start := fs.String("start", "", "first day (default: when both difficulty and price history have begun)")
	end := fs.String("end", "", "day after the last (default: the day after the later history ends)")
	discount := fs.Float64("discount", 0.08, "annual discount rate of the NPV")
	svg := fs.String("svg", "", "write the backtest chart to this SVG file")
	asJSON := fs.Bool("json", false, "print JSON (with every day)")
	if err := noArgs(fs, args, "hearth plan backtest", stderr); err != nil {
		return err
	}
	rig, err := r.rig()
	if err != nil {
		return err
	}
	var h econ.History
	if h.Difficulty, err = loadSeries(*diffCSV, *diffCol); err != nil {
		return err
	}
	if *heightCol != "" {
		if h.Height, err = loadSeries(*diffCSV, *heightCol); err != nil && hearth.ErrorCode(err) != hearth.EINVALID {
			return err
		}
	}
	if h.BTCPrice, err = loadSeries(*priceCSV, *priceCol); err != nil {
		return err
	}
	if *elecCSV != "" {
		if h.Electricity, err = loadSeries(*elecCSV, *elecCol); err != nil {
			return err
		}
	}
	in := econ.BacktestInputs{Rig: rig, FeesBTCPerBlock: *fees, ElectricityPrice: *elec, DiscountPerYear: *discount}
	if *heatLoss > 0 {
		if h.Temperature, err = loadSeries(*tempCSV, *tempCol); err != nil {
			return err
		}
		src, err := econ.ParseSource(*source)
		if err != nil {
			return err
		}
		em, err := econ.ParseEmitter(*emitter)
		if err != nil {
			return err
		}
		model, err := econ.ParseCOPModel(*copModel, src)
		if err != nil {
			return err
		}
		in.Heat = &econ.HeatCredit{HeatLossWPerK: *heatLoss, BaseC: *base, Source: src, Emitter: em, Model: model}
	}
	d0, d1 := h.Difficulty.Span()
	p0, p1 := h.BTCPrice.Span()
	in.Start, in.End = later(d0, p0).Truncate(24*time.Hour), later(d1, p1).Truncate(24*time.Hour).Add(24*time.Hour)
	if *start != "" {
		if in.Start, err = econ.ParseTime(*start); err != nil {
			return err
		}
	}
	if *end != "" {
		if in.End, err = econ.ParseTime(*end); err != nil {
			return err
		}
	}
	res, err := econ.Backtest(h, in)
	if err != nil {
		return err
	}
	if *svg != "" {
		if err := writeSVG(*svg, backtestChart(res).WriteSVG, stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	t := newTable(stdout, "DAY", "DIFFICULTY", "BTC PRICE", "REVENUE", "COST", "HEAT CREDIT", "CUMULATIVE")
	for i, d := range res.Days {
		if i%7 == 0 || i == len(res.Days)-1 {
			t.row(d.Date, fmt.Sprintf("%.2f T", d.Difficulty/1e12), fmt.Sprintf("%.0f", d.BTCPrice), fmt.Sprintf("%.2f", d.RevenueUSD),
				fmt.Sprintf("%.2f", d.CostUSD), fmt.Sprintf("%.2f", d.HeatCreditUSD), fmt.Sprintf("%.0f", d.CumulativeUSD))
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d hours, %s … %s: revenue %.0f USD, electricity %.0f kWh for %.0f USD, heat used %.0f kWh worth %.0f USD",
		res.Hours, in.Start.Format(time.DateOnly), in.End.Add(-time.Hour).Format(time.DateOnly), res.RevenueUSD, res.EnergyKWh, res.CostUSD, res.HeatUsedKWh, res.HeatCreditUSD)
	printReturns(stdout, res.Returns, res.BTC)
	return nil
}

// backtestChart draws the running result of a backtest day by day against
// the break-even line.
func backtestChart(res econ.BacktestResult) chart.LineChart {
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

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
