package main

import (
	"fmt"
	"io"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/plan"
)

// runPlanHome compares ways of heating a home over a year.
func runPlanHome(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan home", "hearth plan home --heat-loss W_PER_K [--temperature-csv F] [--electricity-price P --hashprice HP --miner-power W --miner-efficiency J_PER_TH] [--summer off|on|water] [--svg FILE] [--json]",
		"Heat a home hour by hour (demand = heat loss × (base − outdoor)) and compare a year of resistive heat, air,\nground and water heat pumps, a miner-heater with resistive backup, and a miner with a heat pump that runs\nwhichever is cheaper each hour. The summer policy says what the miner does when no space heat is needed.", stderr)
	req := plan.DefaultHomeRequest()
	tempCSV := fs.String("temperature-csv", "shipped:temperature_hourly.csv", "hourly outdoor temperature CSV (the shipped one is SYNTHETIC)")
	tempCol := fs.String("temperature-column", "temp_c", "temperature column")
	degreeDays := fs.String("degree-days-csv", "", "a CSV of daily heating degree-days (date,hdd) at --base-temp instead of hourly temperatures; each day becomes 24 hours at base − HDD, exact for demand, a daily-mean approximation for COP")
	elecCSV := fs.String("electricity-csv", "", "hourly electricity prices CSV in USD/kWh (time-of-use or day-ahead), instead of the flat --electricity-price")
	elecCol := fs.String("electricity-column", "usd_per_kwh", "electricity price column")
	fs.StringVar(&req.Start, "start", req.Start, "first hour")
	fs.IntVar(&req.Hours, "hours", req.Hours, "number of hours")
	fs.Float64Var(&req.HeatLossWPerK, "heat-loss", req.HeatLossWPerK, "heat-loss coefficient UA in W/K")
	fs.Float64Var(&req.BaseC, "base-temp", req.BaseC, "outdoor temperature in °C below which the home needs heat")
	fs.Float64Var(&req.HotWaterKWhPerDay, "hot-water-kwh", req.HotWaterKWhPerDay, "hot water demand in kWh per day")
	fs.StringVar(&req.Emitter, "emitter", req.Emitter, "heat emitter: floor or radiator")
	fs.StringVar(&req.COPModel, "cop-model", req.COPModel, "COP model: carnot, staffell or when2heat")
	fs.Float64Var(&req.ElectricityPrice, "electricity-price", req.ElectricityPrice, "electricity price in USD per kWh")
	fs.Float64Var(&req.HashpriceUSDPerPHDay, "hashprice", req.HashpriceUSDPerPHDay, "hashprice in USD per PH/s per day")
	fs.Float64Var(&req.MinerPowerW, "miner-power", req.MinerPowerW, "miner-heater power in W")
	fs.Float64Var(&req.MinerJPerTH, "miner-efficiency", req.MinerJPerTH, "miner efficiency in J/TH")
	fs.Float64Var(&req.PoolFee, "pool-fee", req.PoolFee, "pool fee as a fraction")
	fs.StringVar(&req.Summer, "summer", req.Summer, "what the miner does without space heat demand: off, on or water")
	fs.StringVar(&req.ComboSource, "combo-source", req.ComboSource, "heat pump paired with the miner: air, ground or water")
	svg := fs.String("svg", "", "write the monthly net heating cost chart to this SVG file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan home", stderr); err != nil {
		return err
	}
	temps, err := homeTemperatures(*tempCSV, *tempCol, *degreeDays, req.BaseC)
	if err != nil {
		return err
	}
	var prices *econ.Series
	if *elecCSV != "" {
		p, err := loadSeries(*elecCSV, *elecCol)
		if err != nil {
			return err
		}
		prices = &p
	}
	in, err := req.Inputs(temps, prices)
	if err != nil {
		return err
	}
	res, err := econ.CompareHome(in)
	if err != nil {
		return err
	}
	if *svg != "" {
		if err := writeSVG(*svg, plan.HomeChart(in, res).WriteSVG, stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, plan.HomeReport{Inputs: in, Result: res})
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
