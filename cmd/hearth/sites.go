package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

const sitesUsage = `Usage: hearth sites <list|add|show|edit|remove> [flags]

The sites of the fleet and their electrical facts. A miner belongs to one
site (or to the default site); adding a miner to a site that does not exist
creates it, with no facts recorded. A site with miners cannot be removed.

  hearth sites list
  hearth sites add NAME [--power-budget-kw KW] [--voltage V] [--phases 1|3]
                        [--main-breaker-a A] [--pdu-limit-a A | --pdu-limit-kw KW]
                        [--time-zone Europe/Oslo] [--description TEXT]
                        [--ramp-up-kw-per-min KW] [--ramp-down-kw-per-min KW]
  hearth sites show NAME
  hearth sites edit NAME [the flags of add; only those given change]
  hearth sites remove NAME

Every subcommand takes --server (env HEARTH_SERVER), --token (env
HEARTH_TOKEN; needed for add, edit and remove) and --json.
`

// siteFlags are the facts of a site as flags, in the units people use.
type siteFlags struct {
	description, timeZone                   string
	budgetKW, voltage, breaker, pduA, pduKW float64
	rampUpKW, rampDownKW                    float64
	phases                                  int
}

func (f *siteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.description, "description", "", "what and where the site is")
	fs.Float64Var(&f.budgetKW, "power-budget-kw", 0, "power the site may draw for mining, in kW")
	fs.Float64Var(&f.voltage, "voltage", 0, "supply voltage at the PDUs, in V (line to line for three phases)")
	fs.IntVar(&f.phases, "phases", 0, "1 or 3")
	fs.Float64Var(&f.breaker, "main-breaker-a", 0, "main breaker rating, in A")
	fs.Float64Var(&f.pduA, "pdu-limit-a", 0, "limit of one rack's PDU, in A")
	fs.Float64Var(&f.pduKW, "pdu-limit-kw", 0, "limit of one rack's PDU, in kW")
	fs.StringVar(&f.timeZone, "time-zone", "", "IANA time zone, e.g. Europe/Oslo (default UTC)")
	fs.Float64Var(&f.rampUpKW, "ramp-up-kw-per-min", 0, "fastest rise of the site's power under the power controller, in kW per minute (0: no limit)")
	fs.Float64Var(&f.rampDownKW, "ramp-down-kw-per-min", 0, "fastest fall of the site's power under the power controller, in kW per minute (0: no limit)")
}

// apply sets on req the facts whose flags were given on the command line.
func (f *siteFlags) apply(fs *flag.FlagSet, req *hearthhttp.SiteRequest) {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "description":
			req.Description = f.description
		case "power-budget-kw":
			req.PowerBudget = f.budgetKW * 1000
		case "voltage":
			req.Voltage = f.voltage
		case "phases":
			req.Phases = f.phases
		case "main-breaker-a":
			req.MainBreaker = f.breaker
		case "pdu-limit-a":
			req.PDULimitCurrent = f.pduA
		case "pdu-limit-kw":
			req.PDULimitPower = f.pduKW * 1000
		case "time-zone":
			req.TimeZone = f.timeZone
		case "ramp-up-kw-per-min":
			req.RampUpPerMinute = f.rampUpKW * 1000
		case "ramp-down-kw-per-min":
			req.RampDownPerMinute = f.rampDownKW * 1000
		}
	})
}

func runSites(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand("hearth sites", sitesUsage, args, stdout, stderr, "list", "ls", "add", "show", "get", "edit", "remove", "rm", "delete")
	if !ok {
		return err
	}
	fs := newFlagSet("hearth sites "+sub, "hearth sites "+sub+" [NAME] [flags]", sitesUsage, stderr)
	var cf clientFlags
	cf.register(fs)
	var sf siteFlags
	if sub == "add" || sub == "edit" {
		sf.register(fs)
	}
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	client := cf.client()
	if sub == "list" || sub == "ls" {
		if len(pos) != 0 {
			fmt.Fprintln(stderr, "hearth sites list: no arguments expected")
			return errUsage
		}
		list, err := client.Sites(ctx)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, list)
		}
		t := newTable(stdout, "NAME", "MINERS", "POWER BUDGET", "SUPPLY", "MAIN BREAKER", "PDU LIMIT", "TIME ZONE")
		for _, s := range list.Sites {
			t.row(s.Name, strconv.Itoa(s.MinerCount), formatKW(s.PowerBudget), formatSupply(s), formatFloat(s.MainBreaker, "A"),
				formatPDULimit(s), orDash(s.TimeZone))
		}
		return t.flush()
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "hearth sites %s: exactly one site NAME expected\n", sub)
		return errUsage
	}
	name := pos[0]
	var site *hearth.Site
	switch sub {
	case "add":
		req := hearthhttp.SiteRequest{Name: name}
		sf.apply(fs, &req)
		if site, err = client.CreateSite(ctx, req); err != nil {
			return err
		}
		if !cf.json {
			fmt.Fprintf(stdout, "added site %s\n", site.Name)
			return nil
		}
	case "edit":
		old, err := client.GetSite(ctx, name)
		if err != nil {
			return err
		}
		req := hearthhttp.SiteRequest{Name: name, Description: old.Description, PowerBudget: old.PowerBudget, Voltage: old.Voltage,
			Phases: old.Phases, MainBreaker: old.MainBreaker, PDULimitCurrent: old.PDULimitCurrent, PDULimitPower: old.PDULimitPower,
			TimeZone: old.TimeZone, RampUpPerMinute: old.RampUpPerMinute, RampDownPerMinute: old.RampDownPerMinute}
		sf.apply(fs, &req)
		if site, err = client.UpdateSite(ctx, req); err != nil {
			return err
		}
	case "show", "get":
		if site, err = client.GetSite(ctx, name); err != nil {
			return err
		}
	case "remove", "rm", "delete":
		if err := client.DeleteSite(ctx, name); err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, map[string]any{"removed": name})
		}
		fmt.Fprintf(stdout, "removed site %s\n", name)
		return nil
	}
	if cf.json {
		return writeJSON(stdout, site)
	}
	t := newTable(stdout, "FIELD", "VALUE")
	t.row("name", site.Name)
	t.row("description", orDash(site.Description))
	t.row("miners", strconv.Itoa(site.MinerCount))
	t.row("power budget", formatKW(site.PowerBudget))
	t.row("supply", formatSupply(site))
	t.row("main breaker", formatFloat(site.MainBreaker, "A"))
	t.row("pdu limit", formatPDULimit(site))
	t.row("time zone", orDash(site.TimeZone))
	return t.flush()
}

// formatKW prints watts as kW, "-" for not recorded.
func formatKW(w float64) string {
	if w <= 0 {
		return "-"
	}
	return strconv.FormatFloat(w/1000, 'f', -1, 64) + " kW"
}

// formatSupply prints a site's voltage and phases, "400 V 3-phase".
func formatSupply(s *hearth.Site) string {
	switch {
	case s.Voltage > 0 && s.Phases > 0:
		return fmt.Sprintf("%g V %d-phase", s.Voltage, s.Phases)
	case s.Voltage > 0:
		return fmt.Sprintf("%g V", s.Voltage)
	case s.Phases > 0:
		return fmt.Sprintf("%d-phase", s.Phases)
	}
	return "-"
}

// formatPDULimit prints the per-rack PDU limit in whichever units are
// recorded.
func formatPDULimit(s *hearth.Site) string {
	switch {
	case s.PDULimitCurrent > 0 && s.PDULimitPower > 0:
		return fmt.Sprintf("%g A / %s", s.PDULimitCurrent, formatKW(s.PDULimitPower))
	case s.PDULimitCurrent > 0:
		return fmt.Sprintf("%g A", s.PDULimitCurrent)
	}
	return formatKW(s.PDULimitPower)
}
