package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/plan"
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
	req := plan.DefaultBacktestRequest()
	fs.Float64Var(&req.ElectricityPrice, "electricity-price", req.ElectricityPrice, "flat electricity price in USD per kWh")
	tempCSV := fs.String("temperature-csv", "shipped:temperature_hourly.csv", "hourly outdoor temperature CSV (°C), for --heat-loss")
	tempCol := fs.String("temperature-column", "temp_c", "temperature column")
	fs.Float64Var(&req.HeatLossWPerK, "heat-loss", req.HeatLossWPerK, "home heat-loss coefficient in W/K; > 0 credits the heat the home uses")
	fs.Float64Var(&req.BaseC, "base-temp", req.BaseC, "outdoor temperature in °C below which the home needs heat")
	fs.StringVar(&req.Source, "source", req.Source, "heat pump the miner's heat displaces: air, ground or water")
	fs.StringVar(&req.Emitter, "emitter", req.Emitter, "heat emitter: floor or radiator")
	fs.StringVar(&req.COPModel, "cop-model", req.COPModel, "COP model: carnot, staffell or when2heat")
	fs.Float64Var(&req.FeesBTCPerBlock, "fees-btc-per-block", req.FeesBTCPerBlock, "average fees per block in BTC")
	fs.StringVar(&req.Start, "start", "", "first day (default: when both difficulty and price history have begun)")
	fs.StringVar(&req.End, "end", "", "day after the last (default: the day after the later history ends)")
	fs.Float64Var(&req.DiscountPerYear, "discount", req.DiscountPerYear, "annual discount rate of the NPV")
	svg := fs.String("svg", "", "write the backtest chart to this SVG file")
	asJSON := fs.Bool("json", false, "print JSON (with every day)")
	if err := noArgs(fs, args, "hearth plan backtest", stderr); err != nil {
		return err
	}
	c, err := r.catalogOf()
	if err != nil {
		return err
	}
	req.RigSpec = r.spec
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
	if req.HeatLossWPerK > 0 {
		if h.Temperature, err = loadSeries(*tempCSV, *tempCol); err != nil {
			return err
		}
	}
	in, err := req.Inputs(c, h)
	if err != nil {
		return err
	}
	res, err := econ.Backtest(h, in)
	if err != nil {
		return err
	}
	if *svg != "" {
		if err := writeSVG(*svg, plan.BacktestChart(res).WriteSVG, stderr); err != nil {
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
