package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/plan"
)

// rigFlags describe the machines of an investment, by catalog model or by
// hash rate and power; they fill a plan.RigSpec.
type rigFlags struct {
	spec    plan.RigSpec
	catalog string
}

func (r *rigFlags) register(fs *flag.FlagSet) {
	d := plan.DefaultRig()
	fs.StringVar(&r.spec.Model, "model", d.Model, "a catalog model (see 'hearth plan catalog'); --hashrate and --power override its figures")
	fs.StringVar(&r.catalog, "catalog", "", "a catalog CSV of your own instead of the shipped one")
	fs.IntVar(&r.spec.Count, "count", d.Count, "number of miners")
	fs.Float64Var(&r.spec.HashrateTH, "hashrate", 0, "hash rate of one miner in TH/s (0: the model's)")
	fs.Float64Var(&r.spec.PowerW, "power", 0, "power of one miner in W (0: the model's)")
	fs.Float64Var(&r.spec.CapexUSD, "capex", d.CapexUSD, "purchase and installation cost of all miners in USD (-1: the catalog price × count, where the catalog has one)")
	fs.Float64Var(&r.spec.PoolFee, "pool-fee", d.PoolFee, "pool fee as a fraction")
	fs.Float64Var(&r.spec.Uptime, "uptime", d.Uptime, "fraction of time the miners hash")
}

// catalogOf loads the catalog the rig flags name.
func (r rigFlags) catalogOf() (econ.Catalog, error) { return loadCatalog(r.catalog) }

func (r rigFlags) rig() (econ.Rig, error) {
	c, err := r.catalogOf()
	if err != nil {
		return econ.Rig{}, err
	}
	return r.spec.Rig(c)
}

// outlookFlags describe the scenario of a projection; they fill a
// plan.OutlookSpec.
type outlookFlags struct {
	spec plan.OutlookSpec
}

func (o *outlookFlags) register(fs *flag.FlagSet) {
	d := plan.DefaultOutlook()
	n := networkFlags{n: &o.spec.Network}
	n.register(fs)
	fs.Float64Var(&o.spec.ElectricityPrice, "electricity-price", d.ElectricityPrice, "electricity price in USD per kWh")
	fs.Float64Var(&o.spec.DifficultyGrowthPerEpoch, "difficulty-growth", d.DifficultyGrowthPerEpoch, "difficulty change per 2016-block retarget, a fraction (2025: +35 %/year ≈ 0.0116)")
	fs.Float64Var(&o.spec.PriceGrowthPerYear, "price-growth", d.PriceGrowthPerYear, "BTC price change per year, a fraction")
	fs.Float64Var(&o.spec.DiscountPerYear, "discount", d.DiscountPerYear, "annual discount rate of the NPV")
	fs.Float64Var(&o.spec.Years, "years", d.Years, "horizon in years")
}

func (o outlookFlags) outlook() econ.Outlook { return o.spec.Outlook() }

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
		if err := writeSVG(*svg, plan.PaybackChart(p).WriteSVG, stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, plan.NewROIReport(p))
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
	du := plan.DefaultMonteCarloRequest().Uncertainty
	fs.IntVar(&u.Paths, "paths", du.Paths, "number of simulated paths")
	fs.Uint64Var(&u.Seed, "seed", du.Seed, "random seed (same seed, same result)")
	fs.Float64Var(&u.PriceVolatilityPerYear, "price-volatility", du.PriceVolatilityPerYear, "annualised volatility of the BTC price")
	fs.Float64Var(&u.DifficultyVolatilityPerEpoch, "difficulty-volatility", du.DifficultyVolatilityPerEpoch, "standard deviation of the log difficulty change per retarget")
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
		if err := writeSVG(*svg, plan.FanChart(res, rig.CapexUSD, u.Seed).WriteSVG, stderr); err != nil {
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
