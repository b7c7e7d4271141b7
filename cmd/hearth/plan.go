package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/econdata"
	"github.com/hearth-fleet/hearth/econ/plan"
)

const planUsage = `Usage: hearth plan <command> [flags]

Plan mining and heating economics (pure arithmetic; no server needed):
  hashprice   expected BTC per TH/s per day and USD per PH/s per day from difficulty and price
  heat        cost of a kWh of heat from a miner, a heat pump and a resistor; break-even price
  roi         payback, NPV and IRR under difficulty growth and a price path (--svg: payback curve)
  montecarlo  percentiles of profit over random price and difficulty paths (--svg: fan chart)
  backtest    replay a rig over history, the shipped data or your CSV files (--svg: chart)
  site        circuits, breakers, racks, PDUs, heat, airflow, revenue for a mix of models
  home        a year of heating a home: resistive, heat pumps, miner, miner + heat pump (--svg)
  catalog     the shipped model catalog
  data        the provenance and licence of the shipped data

Run 'hearth plan <command> --help' for a command's flags.
`

// runPlan dispatches 'hearth plan' subcommands.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// The planners compute and ask no server, so they take no context.
	offline := func(run func(args []string, stdout, stderr io.Writer) error) subcommand {
		return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			return run(args, stdout, stderr)
		}
	}
	return dispatch(ctx, "hearth plan", planUsage, subcommands{
		"hashprice":  offline(runPlanHashprice),
		"heat":       offline(runPlanHeat),
		"roi":        offline(runPlanROI),
		"montecarlo": offline(runPlanMonteCarlo),
		"backtest":   offline(runPlanBacktest),
		"site":       offline(runPlanSite),
		"home":       offline(runPlanHome),
		"catalog":    offline(runPlanCatalog),
		"data": offline(func(_ []string, stdout, _ io.Writer) error {
			fmt.Fprint(stdout, econdata.Attribution())
			return nil
		}),
	}, args, stdout, stderr)
}

// networkFlags are the flags that describe the network on day zero; they
// fill n.
type networkFlags struct {
	n *econ.Network
}

func (f networkFlags) register(fs *flag.FlagSet) {
	d := plan.DefaultNetwork()
	fs.Float64Var(&f.n.Difficulty, "difficulty", d.Difficulty, "network difficulty (e.g. 148.26e12)")
	fs.Float64Var(&f.n.BTCPrice, "btc-price", d.BTCPrice, "BTC price in USD")
	fs.Float64Var(&f.n.FeesBTCPerBlock, "fees-btc-per-block", d.FeesBTCPerBlock, "average transaction fees per block in BTC (2025 mean ≈ 0.036)")
	fs.Int64Var(&f.n.Height, "height", d.Height, "block height, which sets the subsidy (0: the era after block 840,000)")
}

// runPlanHashprice prints the hashprice of a difficulty and price.
func runPlanHashprice(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan hashprice", "hearth plan hashprice --difficulty D --btc-price USD [--fees-btc-per-block F] [--json]",
		"Print the expected income of hash rate per day: BTC per TH/s (86400·1e12·R/(D·2^32), R = subsidy at the\nheight + fees) and USD per PH/s, before pool fee and downtime, and the network hash rate D·2^32/600.", stderr)
	var n econ.Network
	networkFlags{&n}.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan hashprice", stderr); err != nil {
		return err
	}
	hp, err := econ.HashpriceOf(n)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, hp)
	}
	t := newTable(stdout, "QUANTITY", "VALUE")
	t.row("block reward", fmt.Sprintf("%.8f BTC", hp.RewardBTC))
	t.row("hashprice", fmt.Sprintf("%.4e BTC/TH/day (%.2f sat)", hp.BTCPerTHDay, hp.BTCPerTHDay*econ.SatPerBTC))
	t.row("hashprice", fmt.Sprintf("%.2f USD/PH/day", hp.USDPerPHDay))
	t.row("network hash rate", fmt.Sprintf("%.1f EH/s", hp.NetworkHashrate/1e18))
	return t.flush()
}

// runPlanHeat compares the cost of heat from a miner and a heat pump.
func runPlanHeat(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan heat", "hearth plan heat --electricity-price USD_PER_KWH --hashprice USD_PER_PH_DAY --efficiency J_PER_TH --cop COP [--json]",
		"Compare a kWh of heat from a miner (p − r, r = hashprice/(24·J/TH) per kWh consumed), a heat pump (p/COP)\nand a resistor (p), and print the electricity price below which the miner is cheaper: r·COP/(COP − 1).", stderr)
	in := plan.DefaultHeat()
	fs.Float64Var(&in.ElectricityPrice, "electricity-price", in.ElectricityPrice, "electricity price in USD per kWh")
	fs.Float64Var(&in.HashpriceUSDPerPHDay, "hashprice", in.HashpriceUSDPerPHDay, "hashprice in USD per PH/s per day")
	fs.Float64Var(&in.EfficiencyJPerTH, "efficiency", in.EfficiencyJPerTH, "miner efficiency in J/TH")
	fs.Float64Var(&in.COP, "cop", in.COP, "heat pump coefficient of performance (> 1)")
	fs.Float64Var(&in.PoolFee, "pool-fee", in.PoolFee, "pool fee as a fraction (0.02 = 2 %)")
	outdoor := fs.Float64("outdoor-temp", 0, "outdoor °C: with it, the COP comes from --cop-model for --source at --flow-temp instead of --cop")
	flow := fs.Float64("flow-temp", 35, "heating flow temperature in °C (with --outdoor-temp)")
	source := fs.String("source", "air", "heat pump source: air, ground or water (with --outdoor-temp)")
	copModel := fs.String("cop-model", "carnot", "COP model: carnot, staffell or when2heat (with --outdoor-temp)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan heat", stderr); err != nil {
		return err
	}
	if flagSet(fs, "outdoor-temp") {
		cop, err := plan.HeatPumpCOP(*source, *copModel, *outdoor, *flow)
		if err != nil {
			return err
		}
		in.COP = cop
		fmt.Fprintf(stderr, "COP %.2f (%s, %s source at %g °C outdoor, %g °C flow)\n", in.COP, *copModel, *source, *outdoor, *flow)
	}
	c, err := econ.CompareHeat(in)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, c)
	}
	t := newTable(stdout, "SOURCE", "USD PER KWH OF HEAT")
	t.row("miner", fmt.Sprintf("%.4f (earns %.4f per kWh consumed)", c.MinerHeatCostPerKWh, c.MinerRevenuePerKWh))
	t.row(fmt.Sprintf("heat pump (COP %g)", in.COP), fmt.Sprintf("%.4f", c.HeatpumpHeatCostPerKWh))
	t.row("resistive", fmt.Sprintf("%.4f", c.ResistiveHeatCostPerKWh))
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nThe miner's heat is cheaper below %.4f USD/kWh; at %.4f the %s wins.\n", c.BreakevenElectricityPrice, in.ElectricityPrice, c.Cheapest)
	return nil
}

// runPlanCatalog prints the shipped model catalog.
func runPlanCatalog(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan catalog", "hearth plan catalog [--catalog FILE] [--json]", "List the miner models the planner knows (nameplate figures; see 'hearth plan data').", stderr)
	path := fs.String("catalog", "", "a catalog CSV of your own (model,hashrate_th,power_w,j_per_th,cooling,price_usd,source)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan catalog", stderr); err != nil {
		return err
	}
	c, err := loadCatalog(*path)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, c)
	}
	t := newTable(stdout, "MODEL", "TH/S", "W", "J/TH", "COOLING", "PRICE")
	for _, m := range c {
		price := "-"
		if m.PriceUSD > 0 {
			price = fmt.Sprintf("%.0f USD", m.PriceUSD)
		}
		t.row(m.Name, fmt.Sprintf("%g", m.HashrateTH), fmt.Sprintf("%g", m.PowerW), fmt.Sprintf("%.1f", m.JPerTH), m.Cooling, price)
	}
	return t.flush()
}

// loadCatalog reads the user's catalog file, or the shipped one.
func loadCatalog(path string) (econ.Catalog, error) {
	if path == "" {
		return econdata.Catalog()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "open catalog %s", path)
	}
	defer f.Close()
	c, err := econ.ParseCatalog(f)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// loadSeries reads column from the CSV file at path, or from the shipped
// file of that name when path starts with "shipped:".
func loadSeries(path, column string) (econ.Series, error) {
	if name, ok := strings.CutPrefix(path, "shipped:"); ok {
		return econdata.Series(name, column)
	}
	f, err := os.Open(path)
	if err != nil {
		return econ.Series{}, hearth.WrapError(hearth.EINVALID, err, "open %s", path)
	}
	defer f.Close()
	s, err := econ.ParseSeries(f, column)
	if err != nil {
		return econ.Series{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// writeSVG writes a chart to path, telling the user where it went.
func writeSVG(path string, draw func(io.Writer) error, stderr io.Writer) error {
	f, err := os.Create(path)
	if err != nil {
		return hearth.WrapError(hearth.EINVALID, err, "create chart %s", path)
	}
	if err := draw(f); err != nil {
		f.Close()
		return fmt.Errorf("draw chart %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write chart %s: %w", path, err)
	}
	fmt.Fprintf(stderr, "chart written to %s\n", path)
	return nil
}

// flagSet reports whether the user gave the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
