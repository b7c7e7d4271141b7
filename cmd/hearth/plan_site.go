package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
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
	var mix mixFlag
	fs.Var(&mix, "miner", "a model and count, e.g. 'Antminer S21 XP=40' (repeatable; no count fills the remaining power)")
	catalog := fs.String("catalog", "", "a catalog CSV of your own instead of the shipped one")
	var in econ.SiteInputs
	fs.Float64Var(&in.PowerAvailableKW, "power-kw", 100, "power available to the miners in kW")
	fs.Float64Var(&in.VoltageV, "voltage", 240, "supply voltage in V (line to line for three-phase)")
	fs.IntVar(&in.Phases, "phases", 1, "1 or 3")
	fs.Float64Var(&in.RackPowerKW, "rack-kw", 40, "power one rack may carry in kW")
	fs.Float64Var(&in.BreakerA, "breaker-a", 0, "branch circuit rating in A (0: the smallest standard breaker that carries one miner)")
	fs.Float64Var(&in.PowerFactor, "power-factor", econ.DefaultPowerFactor, "miner power factor")
	fs.Float64Var(&in.AirRiseK, "air-rise", 20, "temperature rise of the air across the miners in K")
	fs.Float64Var(&in.HashpriceUSDPerPHDay, "hashprice", 0, "hashprice in USD/PH/day (0: from --difficulty and --btc-price)")
	fs.Float64Var(&in.ElectricityPrice, "electricity-price", 0.06, "electricity price in USD per kWh")
	fs.Float64Var(&in.PoolFee, "pool-fee", 0.02, "pool fee as a fraction")
	var n networkFlags
	n.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args, "hearth plan site", stderr); err != nil {
		return err
	}
	if len(mix) == 0 {
		mix = mixFlag{"Antminer S21"}
	}
	c, err := loadCatalog(*catalog)
	if err != nil {
		return err
	}
	for _, spec := range mix {
		name, count := spec, 0
		if i := strings.LastIndex(spec, "="); i >= 0 {
			name = spec[:i]
			if count, err = strconv.Atoi(strings.TrimSpace(spec[i+1:])); err != nil || count <= 0 {
				return hearth.Errorf(hearth.EINVALID, "--miner %q: the count after '=' must be a positive whole number", spec)
			}
		}
		m, err := c.Find(name)
		if err != nil {
			return err
		}
		in.Items = append(in.Items, econ.SiteItem{Model: m, Count: count})
	}
	if in.HashpriceUSDPerPHDay == 0 {
		hp, err := econ.HashpriceOf(n.network())
		if err != nil {
			return err
		}
		in.HashpriceUSDPerPHDay = hp.USDPerPHDay
	}
	p, err := econ.PlanSite(in)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, map[string]any{"inputs": in, "plan": p})
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
