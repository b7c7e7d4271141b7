package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/plan"
)

// mixFlag collects --miner MODEL[=COUNT] flags, in order.
type mixFlag []string

func (m *mixFlag) String() string     { return strings.Join(*m, ", ") }
func (m *mixFlag) Set(v string) error { *m = append(*m, v); return nil }

var _ flag.Value = (*mixFlag)(nil)

// runPlanSite prints the electrical and economic plan of a site.
func runPlanSite(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth plan site", "hearth plan site --miner MODEL[=COUNT] ... --power-kw KW --voltage V --phases 1|3 [--rack-kw KW] [--json]",
		"Plan a site: for each model, the miners per circuit (80 % of the breaker), circuits, miners per rack,\nracks and PDU rating; then the heat (kW, BTU/h), the airflow to carry it off at --air-rise, and the\nrevenue and electricity cost a day. A --miner without a count fills the power left.", stderr)
	req := plan.DefaultSiteRequest()
	var mix mixFlag
	fs.Var(&mix, "miner", "a model and count, e.g. 'Antminer S21 XP=40' (repeatable; no count fills the remaining power)")
	catalog := fs.String("catalog", "", "a catalog CSV of your own instead of the shipped one")
	fs.Float64Var(&req.PowerAvailableKW, "power-kw", req.PowerAvailableKW, "power available to the miners in kW")
	fs.Float64Var(&req.VoltageV, "voltage", req.VoltageV, "supply voltage in V (line to line for three-phase)")
	fs.IntVar(&req.Phases, "phases", req.Phases, "1 or 3")
	fs.Float64Var(&req.RackPowerKW, "rack-kw", req.RackPowerKW, "power one rack may carry in kW")
	fs.Float64Var(&req.BreakerA, "breaker-a", req.BreakerA, "branch circuit rating in A (0: the smallest standard breaker that carries one miner)")
	fs.Float64Var(&req.PowerFactor, "power-factor", req.PowerFactor, "miner power factor")
	fs.Float64Var(&req.AirRiseK, "air-rise", req.AirRiseK, "temperature rise of the air across the miners in K")
	fs.Float64Var(&req.HashpriceUSDPerPHDay, "hashprice", req.HashpriceUSDPerPHDay, "hashprice in USD/PH/day (0: from --difficulty and --btc-price)")
	fs.Float64Var(&req.ElectricityPrice, "electricity-price", req.ElectricityPrice, "electricity price in USD per kWh")
	fs.Float64Var(&req.PoolFee, "pool-fee", req.PoolFee, "pool fee as a fraction")
	networkFlags{&req.Network}.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan site", stderr); err != nil {
		return err
	}
	if len(mix) > 0 {
		req.Miners = mix
	}
	c, err := loadCatalog(*catalog)
	if err != nil {
		return err
	}
	in, err := req.Inputs(c)
	if err != nil {
		return err
	}
	p, err := econ.PlanSite(in)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, plan.SiteReport{Inputs: in, Plan: p})
	}
	t := newTable(stdout, "MODEL", "COUNT", "AMPS@V", "BREAKER", "PER CIRCUIT", "CIRCUITS", "PER RACK", "RACKS", "RACK A/PHASE", "PDU", "KW")
	for _, l := range p.Lines {
		t.row(l.Model, strconv.Itoa(l.Count), fmt.Sprintf("%.1f A @ %.0f V", l.MinerAmps, l.MinerVoltageV), fmt.Sprintf("%g A", l.BreakerA), strconv.Itoa(l.MinersPerCircuit),
			strconv.Itoa(l.Circuits), strconv.Itoa(l.MinersPerRack), strconv.Itoa(l.Racks), fmt.Sprintf("%.1f", l.RackAmpsPerPhase), fmt.Sprintf("%g A", l.PDUA), fmt.Sprintf("%.1f", l.PowerKW))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d miners, %.1f kW (%.1f A per phase), %.2f PH/s, %d racks, %d circuits\n", p.Miners, p.PowerKW, p.SupplyAmpsPerPhase, p.HashrateTH/1000, p.Racks, p.Circuits)
	fmt.Fprintf(stdout, "heat %.1f kW = %.0f BTU/h; airflow %.0f m³/h (%.0f CFM) at a %.0f K air rise\n", p.HeatKW, p.HeatBTUHour, p.AirflowM3H, p.AirflowCFM, in.AirRiseK)
	fmt.Fprintf(stdout, "per day at %.2f USD/PH/day and %.3f USD/kWh: revenue %.2f, electricity %.2f, profit %.2f USD\n", in.HashpriceUSDPerPHDay, in.ElectricityPrice, p.RevenuePerDayUSD, p.CostPerDayUSD, p.ProfitPerDayUSD)
	if len(p.PriceUnknown) > 0 {
		fmt.Fprintf(stdout, "capex %.0f USD (price unknown for: %s)\n", p.CapexUSD, strings.Join(p.PriceUnknown, ", "))
	} else if p.PaybackDays >= 0 {
		fmt.Fprintf(stdout, "capex %.0f USD, simple payback %.0f days\n", p.CapexUSD, p.PaybackDays)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return nil
}
