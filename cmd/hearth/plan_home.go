package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/chart"
)

// runPlanHome compares ways of heating a home over a year.
func runPlanHome(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan home", "hearth plan home --heat-loss W_PER_K [--temperature-csv F] [--electricity-price P --hashprice HP --miner-power W --miner-efficiency J_PER_TH] [--summer off|on|water] [--svg FILE] [--json]",
		"Heat a home hour by hour (demand = heat loss × (base − outdoor)) and compare a year of resistive heat, air,\nground and water heat pumps, a miner-heater with resistive backup, and a miner with a heat pump that runs\nwhichever is cheaper each hour. The summer policy says what the miner does when no space heat is needed.", stderr)
	var in econ.HomeInputs
	tempCSV := fs.String("temperature-csv", "shipped:temperature_hourly.csv", "hourly outdoor temperature CSV (the shipped one is SYNTHETIC)")
	tempCol := fs.String("temperature-column", "temp_c", "temperature column")
	degreeDays := fs.String("degree-days-csv", "", "a CSV of daily heating degree-days (date,hdd) at --base-temp instead of hourly temperatures; each day becomes 24 hours at base − HDD, exact for demand, a daily-mean approximation for COP")
	elecCSV := fs.String("electricity-csv", "", "hourly electricity prices CSV in USD/kWh (time-of-use or day-ahead), instead of the flat --electricity-price")
	elecCol := fs.String("electricity-column", "usd_per_kwh", "electricity price column")
	start := fs.String("start", "2025-01-01", "first hour")
	hours := fs.Int("hours", 8760, "number of hours")
	fs.Float64Var(&in.HeatLossWPerK, "heat-loss", 200, "heat-loss coefficient UA in W/K")
	fs.Float64Var(&in.BaseC, "base-temp", 18, "outdoor temperature in °C below which the home needs heat")
	fs.Float64Var(&in.HotWaterKWhPerDay, "hot-water-kwh", 5, "hot water demand in kWh per day")
	emitter := fs.String("emitter", "floor", "heat emitter: floor or radiator")
	fs.StringVar(&in.COPModel, "cop-model", "carnot", "COP model: carnot, staffell or when2heat")
	fs.Float64Var(&in.ElectricityPrice, "electricity-price", 0.10, "electricity price in USD per kWh")
	fs.Float64Var(&in.HashpriceUSDPerPHDay, "hashprice", 36.9, "hashprice in USD per PH/s per day")
	fs.Float64Var(&in.MinerPowerW, "miner-power", 3500, "miner-heater power in W")
	fs.Float64Var(&in.MinerJPerTH, "miner-efficiency", 17.5, "miner efficiency in J/TH")
	fs.Float64Var(&in.PoolFee, "pool-fee", 0.02, "pool fee as a fraction")
	summer := fs.String("summer", "off", "what the miner does without space heat demand: off, on or water")
	combo := fs.String("combo-source", "air", "heat pump paired with the miner: air, ground or water")
	svg := fs.String("svg", "", "write the monthly net heating cost chart to this SVG file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan home", stderr); err != nil {
		return err
	}
	var err error
	if in.Emitter, err = econ.ParseEmitter(*emitter); err != nil {
		return err
	}
	if in.Summer, err = econ.ParseSummerPolicy(*summer); err != nil {
		return err
	}
	if in.ComboSource, err = econ.ParseSource(*combo); err != nil {
		return err
	}
	if in.Start, err = econ.ParseTime(*start); err != nil {
		return err
	}
	if *hours <= 0 || *hours > econ.MaxBacktestHours {
		return hearth.Errorf(hearth.EINVALID, "hours must be 1 to %d, got %d", econ.MaxBacktestHours, *hours)
	}
	temps, err := homeTemperatures(*tempCSV, *tempCol, *degreeDays, in.BaseC)
	if err != nil {
		return err
	}
	if in.Temperatures, err = hourlyFrom(temps, in.Start, *hours, "temperature"); err != nil {
		return err
	}
	if *elecCSV != "" {
		prices, err := loadSeries(*elecCSV, *elecCol)
		if err != nil {
			return err
		}
		if in.ElectricityPrices, err = hourlyFrom(prices, in.Start, *hours, "electricity price"); err != nil {
			return err
		}
	}
	res, err := econ.CompareHome(in)
	if err != nil {
		return err
	}
	if *svg != "" {
		bc := chart.BarChart{Title: fmt.Sprintf("Net heating cost by month (UA %g W/K, %.3f USD/kWh, summer %s)", in.HeatLossWPerK, in.ElectricityPrice, in.Summer), YLabel: "USD (electricity − mining revenue)"}
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
		if err := writeSVG(*svg, bc.WriteSVG, stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, map[string]any{"inputs": in, "result": res})
	}
	t := newTable(stdout, "OPTION", "HEAT KWH", "ELECTRICITY KWH", "COST", "MINING REVENUE", "NET", "WASTED HEAT KWH")
	for _, o := range res.Options {
		t.row(o.Name, fmt.Sprintf("%.0f", o.HeatKWh), fmt.Sprintf("%.0f", o.ElectricityKWh), fmt.Sprintf("%.0f", o.CostUSD), fmt.Sprintf("%.0f", o.RevenueUSD), fmt.Sprintf("%.0f", o.NetUSD), fmt.Sprintf("%.0f", o.WastedHeatKWh))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d hours: space heat %.0f kWh, hot water %.0f kWh; cheapest: %s\n", res.Hours, res.SpaceHeatKWh, res.HotWaterKWh, res.Cheapest)
	return nil
}

// homeTemperatures returns the outdoor temperature series: hourly from a
// CSV, or from daily degree-days, each day held at base − HDD (the daily
// mean that gives that demand).
func homeTemperatures(tempCSV, tempCol, degreeDaysCSV string, base float64) (econ.Series, error) {
	if degreeDaysCSV == "" {
		return loadSeries(tempCSV, tempCol)
	}
	hdd, err := loadSeries(degreeDaysCSV, "hdd")
	if err != nil {
		return econ.Series{}, err
	}
	t := econ.Series{Name: "temp_c", Times: hdd.Times, Values: make([]float64, hdd.Len())}
	for i, v := range hdd.Values {
		if v < 0 {
			return econ.Series{}, hearth.Errorf(hearth.EINVALID, "%s: degree-days must not be negative, got %g", degreeDaysCSV, v)
		}
		t.Values[i] = base - v
	}
	return t, nil
}

// hourlyFrom samples s at each of n hours from start, refusing a window the
// series does not cover (a step series would otherwise stretch its ends).
func hourlyFrom(s econ.Series, start time.Time, n int, what string) ([]float64, error) {
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
