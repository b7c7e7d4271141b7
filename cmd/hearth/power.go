package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/power"
)

const powerUsage = `Usage: hearth power <status|override|clear|requests|signal|programs> [flags]

hearth holds each site to the tightest power request in force for it (a
grid event, the price response, a plain signal, an aggregator) and to its
power budget; an operator's override wins over every request, within the
budget. The least
efficient miners sleep first, the rest are trimmed within their range, and
the site's measured power is checked against the target.

  hearth power status
  hearth power override SITE (--limit-kw KW | --shed PERCENT | --resume)
                        [--for 2h | --until TIME] [--reason TEXT]
  hearth power clear SITE ID
  hearth power requests [--site SITE] [--source SOURCE] [--active]
  hearth power signal SITE (--limit-kw KW | --shed PERCENT | --resume) [--for 5m]
  hearth power programs list|set|show|remove   (see hearth power programs --help)
  hearth power children                        (an aggregator's child hearths)

An override lasts an hour unless --for or --until says otherwise; a signal
lapses after --for (5 minutes) unless sent again. Every subcommand takes
--server (env HEARTH_SERVER), --token (env HEARTH_TOKEN; needed for
override, clear and signal) and --json.
`

// runPower dispatches the power subcommands.
func runPower(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	command := func(kind string) subcommand {
		return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return runPowerCommand(ctx, kind, args, stdout, stderr)
		}
	}
	return dispatch(ctx, "hearth power", powerUsage, subcommands{
		"status":   runPowerStatus,
		"override": command("override"),
		"signal":   command("signal"),
		"clear":    runPowerClear,
		"requests": runPowerRequests,
		"programs": runPowerPrograms,
		"children": runPowerChildren,
	}, args, stdout, stderr)
}

func runPowerStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power status", "hearth power status [flags]",
		"Show each site's power against its target, and the requests in force now or later.", stderr)
	var cf clientFlags
	cf.register(fs)
	if err := noArgs(fs, args, "hearth power status", stderr); err != nil {
		return err
	}
	rep, err := cf.client().Power(ctx)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, rep)
	}
	t := newTable(stdout, "SITE", "STATE", "TARGET", "MEASURED", "PLANNED", "SLEEPING", "TRIMMED", "EXCLUDED", "HELD BY")
	for _, s := range rep.Sites {
		target := "-"
		if s.TargetWatts != nil {
			target = formatKW(*s.TargetWatts)
		}
		t.row(s.Site, string(s.State), target, formatKW(s.MeasuredWatts), formatKW(s.PlannedWatts),
			strconv.Itoa(s.Sleeping), strconv.Itoa(s.Trimmed), strconv.Itoa(s.Excluded), describeHolder(s))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(rep.Requests) > 0 {
		fmt.Fprintln(stdout)
		return printPowerRequests(stdout, rep.Requests)
	}
	return nil
}

func runPowerChildren(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power children", "hearth power children [flags]",
		"On an aggregator (serve --aggregate-sites), list the child hearths that report to it: the\n"+
			"aggregate site each joined, its sites' flexible and measured power, the target it was last\n"+
			"answered, when it last reported, and whether it is lost (silent past the timeout, so left\n"+
			"out of the split).", stderr)
	var cf clientFlags
	cf.register(fs)
	if err := noArgs(fs, args, "hearth power children", stderr); err != nil {
		return err
	}
	children, err := cf.client().AggregateChildren(ctx)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]any{"children": children})
	}
	t := newTable(stdout, "CHILD", "AGGREGATE", "SITE", "FLEXIBLE", "MEASURED", "STATE", "TARGET", "LAST SEEN", "STATUS")
	for _, c := range children {
		status := "live"
		if c.Lost {
			status = "lost"
		}
		for _, s := range c.Sites {
			target := "-"
			for _, tg := range c.Targets {
				if tg.Site == s.Site && tg.Kind == hearth.RequestLimit {
					target = formatKW(tg.LimitWatts)
				}
			}
			t.row(c.Child, c.Aggregate, s.Site, formatKW(s.FlexibleWatts), formatKW(s.MeasuredWatts), orDash(s.State), target,
				c.LastSeen.Local().Format("2006-01-02 15:04:05"), status)
		}
	}
	return t.flush()
}

// describeHolder says what holds a site: a request, its budget, or
// nothing.
func describeHolder(s power.SiteStatus) string {
	switch {
	case s.Request != nil:
		return string(s.Request.Source) + " " + s.Request.ID
	case s.TargetWatts != nil:
		return "budget"
	}
	return "-"
}

// printPowerRequests prints requests as a table.
func printPowerRequests(w io.Writer, reqs []*hearth.PowerRequest) error {
	t := newTable(w, "SITE", "SOURCE", "ID", "ASKS", "FROM", "UNTIL", "REASON", "BY")
	for _, r := range reqs {
		until := "withdrawn"
		if !r.End.IsZero() {
			until = r.End.Local().Format("2006-01-02 15:04")
		}
		t.row(r.Site, string(r.Source), r.ID, describeRequest(r), r.Start.Local().Format("2006-01-02 15:04"), until, orDash(r.Reason), orDash(r.CreatedBy))
	}
	return t.flush()
}

// describeRequest says what a request asks in the units people use.
func describeRequest(r *hearth.PowerRequest) string {
	switch r.Kind {
	case hearth.RequestLimit:
		return "at most " + formatKW(r.LimitWatts)
	case hearth.RequestShed:
		return "shed " + strconv.FormatFloat(r.ShedFraction*100, 'f', -1, 64) + " %"
	}
	return "full power"
}

// runPowerCommand sends an override or a plain signal.
func runPowerCommand(ctx context.Context, kind string, args []string, stdout, stderr io.Writer) error {
	name := "hearth power " + kind
	desc := "Override a site's power: the override wins over grid events, the price response and signals until it ends, within the site's power budget."
	if kind == "signal" {
		desc = "Send a plain power signal, as an aggregator or home automation would; it lapses unless sent again."
	}
	fs := newFlagSet(name, name+" SITE (--limit-kw KW | --shed PERCENT | --resume) [flags]", desc, stderr)
	var cf clientFlags
	cf.register(fs)
	limit := fs.Float64("limit-kw", -1, "the most the site may draw, in kW")
	shed := fs.Float64("shed", -1, "share of the controllable power to shed, in per cent (100: sleep every miner that can)")
	resume := fs.Bool("resume", false, "no limit: full power")
	length := fs.Duration("for", 0, "how long it lasts (default 1h for an override, 5m for a signal)")
	until := fs.String("until", "", "when it ends (RFC 3339), instead of --for")
	reason := fs.String("reason", "", "why, for the audit and the page")
	id := fs.String("id", "", "name of the request, to replace or clear it later (default: a fresh one, or http for a signal)")
	arg, err := oneArg(fs, args, name, "SITE", stderr)
	if err != nil {
		return err
	}
	cmd := hearthhttp.PowerCommand{Site: arg, ID: *id, Reason: *reason}
	given := 0
	if *limit >= 0 {
		cmd.Kind, cmd.LimitWatts, given = hearth.RequestLimit, *limit*1000, given+1
	}
	if *shed >= 0 {
		cmd.Kind, cmd.ShedFraction, given = hearth.RequestShed, *shed/100, given+1
	}
	if *resume {
		cmd.Kind, given = hearth.RequestResume, given+1
	}
	if given != 1 {
		return hearth.Errorf(hearth.EINVALID, "Give exactly one of --limit-kw, --shed and --resume.")
	}
	if *length > 0 {
		cmd.For = length.String()
	}
	if *until != "" {
		if cmd.End, err = time.Parse(time.RFC3339, *until); err != nil {
			return hearth.Errorf(hearth.EINVALID, "--until %q is not an RFC 3339 instant such as 2026-07-01T17:30:00+02:00.", *until)
		}
	}
	client := cf.client()
	send := client.Override
	if kind == "signal" {
		send = client.PowerSignal
	}
	r, err := send(ctx, cmd)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "%s %s of site %s: %s until %s\n", r.Source, r.ID, r.Site, describeRequest(r), r.End.Local().Format("2006-01-02 15:04"))
	return nil
}

func runPowerClear(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power clear", "hearth power clear SITE ID [flags]",
		"Withdraw an override (or, with --source, a request another source left behind).", stderr)
	var cf clientFlags
	cf.register(fs)
	source := fs.String("source", string(hearth.SourceOverride), "source of the request")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "hearth power clear: SITE and ID expected")
		return errUsage
	}
	if err := cf.client().DeletePowerRequest(ctx, hearth.PowerSource(*source), pos[0], pos[1]); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]string{"site": pos[0], "id": pos[1], "source": *source, "status": "withdrawn"})
	}
	fmt.Fprintf(stdout, "%s %s of site %s withdrawn\n", *source, pos[1], pos[0])
	return nil
}

func runPowerRequests(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power requests", "hearth power requests [flags]", "List stored power requests of every source.", stderr)
	var cf clientFlags
	cf.register(fs)
	site := fs.String("site", "", "only this site's")
	source := fs.String("source", "", "only this source's: override, openadr, price, signal, aggregator or failsafe")
	active := fs.Bool("active", false, "only those in force now")
	if err := noArgs(fs, args, "hearth power requests", stderr); err != nil {
		return err
	}
	list, err := cf.client().PowerRequests(ctx, *site, hearth.PowerSource(*source), *active)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	return printPowerRequests(stdout, list.Requests)
}
