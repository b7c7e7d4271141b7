package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/chart"
)

// rigFlags describe the machines of an investment, by catalog model or by
// hash rate and power.
type rigFlags struct {
	model, catalog         string
	count                  int
	hashrate, power, capex float64
	poolFee, uptime        float64
}

func (r *rigFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.model, "model", "Antminer S21", "a catalog model (see 'hearth plan catalog'); --hashrate and --power override its figures")
	fs.StringVar(&r.catalog, "catalog", "", "a catalog CSV of your own instead of the shipped one")
	fs.IntVar(&r.count, "count", 1, "number of miners")
	fs.Float64Var(&r.hashrate, "hashrate", 0, "hash rate of one miner in TH/s (0: the model's)")
	fs.Float64Var(&r.power, "power", 0, "power of one miner in W (0: the model's)")
	fs.Float64Var(&r.capex, "capex", -1, "purchase and installation cost of all miners in USD (-1: the catalog price × count, where the catalog has one)")
	fs.Float64Var(&r.poolFee, "pool-fee", 0.02, "pool fee as a fraction")
	fs.Float64Var(&r.uptime, "uptime", 0.97, "fraction of time the miners hash")
}

func (r rigFlags) rig() (econ.Rig, error) {
	hashrate, power, price := r.hashrate, r.power, 0.0
	if r.model != "" && (hashrate == 0 || power == 0) {
		c, err := loadCatalog(r.catalog)
		if err != nil {
			return econ.Rig{}, err
		}
		m, err := c.Find(r.model)
		if err != nil {
			return econ.Rig{}, hearth.Errorf(hearth.EINVALID, "%s (give --hashrate and --power, or see 'hearth plan catalog')", err.(*hearth.Error).Message)
		}
		if hashrate == 0 {
			hashrate = m.HashrateTH
		}
		if power == 0 {
			power = m.PowerW
		}
		price = m.PriceUSD
	}
	if r.count <= 0 {
		return econ.Rig{}, hearth.Errorf(hearth.EINVALID, "count must be positive, got %d", r.count)
	}
	capex := r.capex
	if capex < 0 {
		if price == 0 {
			// Payback, ROI and IRR mean nothing without a purchase price.
			return econ.Rig{}, hearth.Errorf(hearth.EINVALID, "no purchase price is known for these miners: give --capex USD (0 to leave the purchase out)")
		}
		capex = price * float64(r.count)
	}
	rig := econ.Rig{HashrateTH: hashrate * float64(r.count), PowerW: power * float64(r.count), CapexUSD: capex, PoolFee: r.poolFee, Uptime: r.uptime}
	return rig, rig.Validate()
}

// outlookFlags describe the scenario of a projection.
type outlookFlags struct {
	network                              networkFlags
	electricity, diffGrowth, priceGrowth float64
	discount                             float64
	years                                float64
}

func (o *outlookFlags) register(fs *flag.FlagSet) {
	o.network.register(fs)
	fs.Float64Var(&o.electricity, "electricity-price", 0.06, "electricity price in USD per kWh")
	fs.Float64Var(&o.diffGrowth, "difficulty-growth", 0.0116, "difficulty change per 2016-block retarget, a fraction (2025: +35 %/year ≈ 0.0116)")
	fs.Float64Var(&o.priceGrowth, "price-growth", 0, "BTC price change per year, a fraction")
	fs.Float64Var(&o.discount, "discount", 0.08, "annual discount rate of the NPV")
	fs.Float64Var(&o.years, "years", 3, "horizon in years")
}

func (o outlookFlags) outlook() econ.Outlook {
	return econ.Outlook{Start: o.network.network(), ElectricityPrice: o.electricity, Days: int(o.years * 365),
		DifficultyGrowthPerEpoch: o.diffGrowth, PriceGrowthPerYear: o.priceGrowth, DiscountPerYear: o.discount}
}

// runPlanROI projects an investment and prints its returns.
func runPlanROI(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan roi", "hearth plan roi [--model M --count N | --hashrate TH --power W] --capex USD [flags] [--svg FILE] [--json]",
		"Project a rig day by day: difficulty steps by --difficulty-growth at each retarget, the price grows by\n--price-growth a year, the subsidy halves at each 210,000 blocks. Print payback, ROI, NPV and IRR.", stderr)
	var r rigFlags
	var o outlookFlags
	r.register(fs)
	o.register(fs)
	pricePath := fs.String("price-path", "", "a CSV of dated BTC prices to follow instead of --btc-price and --price-growth (day d takes the price d days after the first row)")
	priceCol := fs.String("price-column", "usd", "price column of --price-path")
	grid := fs.Bool("grid", false, "print payback and NPV over a grid of price growth × difficulty growth instead")
	svg := fs.String("svg", "", "write the payback curve to this SVG file")
	asJSON := fs.Bool("json", false, "print JSON (the summary and every month's figures)")
	if err := noArgs(fs, args, "hearth plan roi", stderr); err != nil {
		return err
	}
	rig, err := r.rig()
	if err != nil {
		return err
	}
	outlook := o.outlook()
	if *pricePath != "" {
		if outlook.PricePath, err = loadSeries(*pricePath, *priceCol); err != nil {
			return err
		}
	}
	if *grid {
		return printScenarioGrid(rig, outlook, *asJSON, stdout)
	}
	p, err := econ.Project(rig, outlook)
	if err != nil {
		return err
	}
	if *svg != "" {
		x, y := make([]float64, len(p.Days)), make([]float64, len(p.Days))
		for i, d := range p.Days {
			x[i], y[i] = float64(d.Day), d.CumulativeUSD
		}
		lc := chart.LineChart{Title: fmt.Sprintf("Payback: %.0f TH/s, %.0f W, capex %.0f USD", rig.HashrateTH, rig.PowerW, rig.CapexUSD), XLabel: "day", YLabel: "cumulative profit less capex (USD)",
			Lines: []chart.Line{{Name: "cumulative", X: x, Y: y}, {Name: "break-even", X: []float64{x[0], x[len(x)-1]}, Y: []float64{0, 0}, Dashed: true, Color: "#555"}}}
		if err := writeSVG(*svg, lc.WriteSVG, stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		monthly := make([]econ.ProjectedDay, 0, len(p.Days)/30+1)
		for i, d := range p.Days {
			if (i+1)%30 == 0 || i == len(p.Days)-1 {
				monthly = append(monthly, d)
			}
		}
		return writeJSON(stdout, map[string]any{"rig": p.Rig, "outlook": p.Outlook, "returns": p.Returns, "btc": p.BTC, "monthly": monthly})
	}
	t := newTable(stdout, "MONTH", "DIFFICULTY", "BTC PRICE", "REVENUE/DAY", "COST/DAY", "CUMULATIVE")
	for i, d := range p.Days {
		if (i+1)%30 == 0 || i == len(p.Days)-1 {
			t.row(fmt.Sprintf("%d", (i+1+29)/30), fmt.Sprintf("%.2f T", d.Difficulty/1e12), fmt.Sprintf("%.0f", d.BTCPrice),
				fmt.Sprintf("%.2f", d.Income.RevenueUSD), fmt.Sprintf("%.2f", d.Income.CostUSD), fmt.Sprintf("%.0f", d.CumulativeUSD))
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	printReturns(stdout, p.Returns, p.BTC)
	return nil
}

// The grid's axes: BTC price change per year and difficulty change per
// retarget (0.0116 is 2025's +35 %/year).
var (
	gridPriceGrowths      = []float64{-0.5, -0.25, 0, 0.25, 0.5, 1}
	gridDifficultyGrowths = []float64{0, 0.005, 0.0116, 0.02, 0.03}
)

// printScenarioGrid prints payback and NPV for each price and difficulty
// growth pair.
func printScenarioGrid(rig econ.Rig, o econ.Outlook, asJSON bool, w io.Writer) error {
	g, err := econ.ScenarioGrid(rig, o, gridPriceGrowths, gridDifficultyGrowths)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, map[string]any{"price_growths_per_year": gridPriceGrowths, "difficulty_growths_per_epoch": gridDifficultyGrowths, "returns": g})
	}
	head := []string{"PRICE/YEAR, DIFFICULTY/EPOCH →"}
	for _, dg := range gridDifficultyGrowths {
		head = append(head, fmt.Sprintf("%+.2f %%", dg*100))
	}
	t := newTable(w, head...)
	for i, pg := range gridPriceGrowths {
		row := []string{fmt.Sprintf("%+.0f %%", pg*100)}
		for _, r := range g[i] {
			pb := "never"
			if r.PaybackDays >= 0 {
				pb = fmt.Sprintf("%dd", r.PaybackDays)
			}
			row = append(row, fmt.Sprintf("%s / NPV %.0f", pb, r.NPVUSD))
		}
		t.row(row...)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\npayback day / NPV in USD over %d days at %.3f USD/kWh\n", o.Days, o.ElectricityPrice)
	return nil
}

// printReturns prints the summary lines of an investment.
func printReturns(w io.Writer, r econ.Returns, btc float64) {
	payback := "never within the horizon"
	if r.PaybackDays >= 0 {
		payback = fmt.Sprintf("day %d (%.1f months)", r.PaybackDays, float64(r.PaybackDays)/30.44)
	}
	irr := "none"
	if r.IRR != nil {
		irr = fmt.Sprintf("%.1f %%/year", *r.IRR*100)
	}
	fmt.Fprintf(w, "\nmined %.6f BTC; profit %.0f USD; ROI %.1f %%; NPV %.0f USD; IRR %s; payback %s\n", btc, r.TotalProfitUSD, r.ROI*100, r.NPVUSD, irr, payback)
}

// runPlanMonteCarlo prints the distribution of outcomes over random paths.
func runPlanMonteCarlo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan montecarlo", "hearth plan montecarlo [rig and outlook flags as for roi] [--paths N --seed S --price-volatility V --difficulty-volatility V] [--svg FILE] [--json]",
		"Simulate --paths futures: the BTC price follows geometric Brownian motion around --price-growth with\n--price-volatility a year; each retarget moves the difficulty by --difficulty-growth plus normal noise of\n--difficulty-volatility. Print percentiles of NPV, profit and payback, and the percentile fan.", stderr)
	var r rigFlags
	var o outlookFlags
	r.register(fs)
	o.register(fs)
	var u econ.Uncertainty
	fs.IntVar(&u.Paths, "paths", 10000, "number of simulated paths")
	fs.Uint64Var(&u.Seed, "seed", 1, "random seed (same seed, same result)")
	fs.Float64Var(&u.PriceVolatilityPerYear, "price-volatility", 0.6, "annualised volatility of the BTC price")
	fs.Float64Var(&u.DifficultyVolatilityPerEpoch, "difficulty-volatility", 0.03, "standard deviation of the log difficulty change per retarget")
	fs.Float64Var(&u.PriceDifficultyCorrelation, "correlation", 0, "correlation (−1 … 1) of each retarget's difficulty shock with the price's moves over the epoch before it")
	svg := fs.String("svg", "", "write the percentile fan to this SVG file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan montecarlo", stderr); err != nil {
		return err
	}
	rig, err := r.rig()
	if err != nil {
		return err
	}
	res, err := econ.MonteCarlo(rig, o.outlook(), u)
	if err != nil {
		return err
	}
	if *svg != "" {
		// Every path starts at −capex on day 0.
		n := len(res.SampleDays) + 1
		x := make([]float64, n)
		p5, p25, p50, p75, p95 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		p5[0], p25[0], p50[0], p75[0], p95[0] = -rig.CapexUSD, -rig.CapexUSD, -rig.CapexUSD, -rig.CapexUSD, -rig.CapexUSD
		for i, d := range res.SampleDays {
			x[i+1] = float64(d)
			f := res.Fan[i]
			p5[i+1], p25[i+1], p50[i+1], p75[i+1], p95[i+1] = f.P5, f.P25, f.P50, f.P75, f.P95
		}
		lc := chart.LineChart{Title: fmt.Sprintf("Monte Carlo, %d paths (seed %d)", res.Paths, u.Seed), XLabel: "day", YLabel: "cumulative profit less capex (USD)",
			Bands: []chart.Band{{Name: "5th-95th percentile", X: x, Lower: p5, Upper: p95, Color: "#1f77b4"}, {Name: "25th-75th percentile", X: x, Lower: p25, Upper: p75, Color: "#1f77b4"}},
			Lines: []chart.Line{{Name: "median", X: x, Y: p50, Color: "#d62728"}, {Name: "break-even", X: []float64{0, x[n-1]}, Y: []float64{0, 0}, Dashed: true, Color: "#555"}}}
		if err := writeSVG(*svg, lc.WriteSVG, stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	t := newTable(stdout, "QUANTITY", "P5", "P25", "P50", "P75", "P95")
	row := func(name string, p econ.Percentiles, format string) {
		t.row(name, fmt.Sprintf(format, p.P5), fmt.Sprintf(format, p.P25), fmt.Sprintf(format, p.P50), fmt.Sprintf(format, p.P75), fmt.Sprintf(format, p.P95))
	}
	row("NPV (USD)", res.NPV, "%.0f")
	row("profit (USD)", res.TotalProfit, "%.0f")
	if res.PaybackProbability > 0 {
		row("payback day*", res.PaybackDays, "%.0f")
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%.1f %% of %d paths pay back within %d days", res.PaybackProbability*100, res.Paths, res.Days)
	if res.PaybackProbability > 0 {
		fmt.Fprint(stdout, " (*payback percentiles are over those paths)")
	}
	fmt.Fprintln(stdout)
	return nil
}
