package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

const desiredUsage = `Usage: hearth desired <set|list|remove|drift> [flags]

What a site, group or miner should be; hearth converges the miners on it
after each poll and shows what still differs. Fields are inherited, miner
over group over site; set replaces the scope's whole desired state.

  hearth desired set --site barn-a --pool stratum+tcp://pool:3333,farm.{site}-{rack}-{slot},x --power eco:2500
  hearth desired set --group row3 --priority 10 --fan 70 --locate on
  hearth desired set --site barn-b --power profile:eco
  hearth desired list [--kind site|group|miner]
  hearth desired remove --group row3
  hearth desired drift [--all]

Pool users are patterns: {site} {row} {rack} {shelf} {slot} {miner} {hostname}.
Power is max, max:WATTS, target:WATTS, eco:WATTS, sleep, or profile:NAME for
a named power profile (hearth profiles); fan is auto or a percentage; locate
is on or off.
`

// templateFlags collects repeated --pool URL,USERPATTERN[,PASSWORD] flags.
type templateFlags []hearth.PoolTemplate

func (p *templateFlags) String() string { return fmt.Sprint(len(*p), " pools") }

func (p *templateFlags) Set(v string) error {
	parts := strings.SplitN(v, ",", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("want URL,USERPATTERN[,PASSWORD], got %q", v)
	}
	t := hearth.PoolTemplate{URL: parts[0], UserPattern: parts[1]}
	if len(parts) == 3 {
		t.Password = parts[2]
	}
	*p = append(*p, t)
	return nil
}

// parsePower reads --power: a mode, with :WATTS where it takes watts, or
// profile:NAME for a named power profile.
func parsePower(v string) (*hearth.PowerProfile, error) {
	p, err := parsePowerSpec(v)
	if err != nil {
		return nil, err
	}
	return p, p.Validate()
}

// parsePowerSpec reads MODE, MODE:WATTS or profile:NAME without checking
// that the mode needs the watts given, for callers that add watts from
// another flag.
func parsePowerSpec(v string) (*hearth.PowerProfile, error) {
	if name, ok := strings.CutPrefix(v, "profile:"); ok {
		return &hearth.PowerProfile{Profile: name}, nil
	}
	mode, watts, hasWatts := strings.Cut(v, ":")
	p := &hearth.PowerProfile{Mode: hearth.PowerMode(mode)}
	if hasWatts {
		w, err := strconv.ParseFloat(watts, 64)
		if err != nil {
			return nil, hearth.Errorf(hearth.EINVALID, "--power %q: watts must be a number.", v)
		}
		p.Watts = w
	}
	return p, nil
}

// parseFan reads --fan: auto or a percentage.
func parseFan(v string) (*hearth.FanMode, error) {
	if v == "auto" {
		return &hearth.FanMode{Auto: true}, nil
	}
	pct, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
	if err != nil {
		return nil, hearth.Errorf(hearth.EINVALID, "--fan must be auto or a percentage, not %q.", v)
	}
	f := &hearth.FanMode{Percent: pct}
	return f, f.Validate()
}

func runDesired(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand("hearth desired", desiredUsage, args, stdout, stderr, "set", "list", "ls", "remove", "rm", "drift")
	if !ok {
		return err
	}
	fs := newFlagSet("hearth desired "+sub, "hearth desired "+sub+" [flags]", strings.TrimPrefix(desiredUsage, "Usage: "), stderr)
	var cf clientFlags
	cf.register(fs)
	var site, group, miner, kind, power, fan, locate string
	var priority int
	var all bool
	var pools templateFlags
	fs.StringVar(&site, "site", "", "the scope: a site")
	fs.StringVar(&group, "group", "", "the scope: a group")
	fs.StringVar(&miner, "miner", "", "the scope: one miner")
	fs.IntVar(&priority, "priority", 0, "set: among a miner's groups, the higher priority wins")
	fs.Var(&pools, "pool", "set: URL,USERPATTERN[,PASSWORD], repeated in priority order (at most 3)")
	fs.StringVar(&power, "power", "", "set: max, max:W, target:W, eco:W, sleep or profile:NAME")
	fs.StringVar(&fan, "fan", "", "set: auto or a fixed speed in percent")
	fs.StringVar(&locate, "locate", "", "set: the fault light, on or off")
	fs.StringVar(&kind, "kind", "", "list: only site, group or miner")
	fs.BoolVar(&all, "all", false, "drift: include the miners in sync")
	if _, err := parseFlags(fs, rest); err != nil {
		return err
	}
	client := cf.client()
	scope := func() (hearth.Scope, error) {
		var scopes []hearth.Scope
		for _, s := range []hearth.Scope{{Kind: hearth.ScopeSite, ID: site}, {Kind: hearth.ScopeGroup, ID: group}, {Kind: hearth.ScopeMiner, ID: miner}} {
			if s.ID != "" {
				scopes = append(scopes, s)
			}
		}
		if len(scopes) != 1 {
			return hearth.Scope{}, hearth.Errorf(hearth.EINVALID, "Give exactly one of --site, --group and --miner.")
		}
		return scopes[0], nil
	}
	switch sub {
	case "set":
		sc, err := scope()
		if err != nil {
			return err
		}
		d := hearth.DesiredRecord{Scope: sc, Priority: priority, State: hearth.DesiredState{Pools: pools}}
		if power != "" {
			if d.State.Power, err = parsePower(power); err != nil {
				return err
			}
		}
		if fan != "" {
			if d.State.Fan, err = parseFan(fan); err != nil {
				return err
			}
		}
		switch locate {
		case "":
		case "on", "off":
			on := locate == "on"
			d.State.Locate = &on
		default:
			return hearth.Errorf(hearth.EINVALID, "--locate must be on or off, not %q.", locate)
		}
		out, err := client.SetDesired(ctx, d)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, out)
		}
		fmt.Fprintf(stdout, "stored the desired state of %s %s; miners converge after their next poll\n", out.Scope.Kind, out.Scope.ID)
		return nil
	case "list", "ls":
		list, err := client.Desired(ctx, hearth.ScopeKind(kind))
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, list)
		}
		t := newTable(stdout, "SCOPE", "PRIORITY", "POOLS", "POWER", "FAN", "LOCATE", "UPDATED")
		for _, d := range list.Desired {
			t.row(string(d.Scope.Kind)+" "+d.Scope.ID, strconv.Itoa(d.Priority), describeTemplates(d.State.Pools),
				describePower(d.State.Power), describeFanMode(d.State.Fan), describeLocate(d.State.Locate), d.UpdatedAt.Local().Format("2006-01-02 15:04"))
		}
		return t.flush()
	case "remove", "rm":
		sc, err := scope()
		if err != nil {
			return err
		}
		if err := client.DeleteDesired(ctx, sc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed the desired state of %s %s\n", sc.Kind, sc.ID)
		return nil
	default: // "drift"
		rep, err := client.Drift(ctx, all)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, rep)
		}
		t := newTable(stdout, "MINER", "IN SYNC", "DIFFERENCES", "LAST ERROR", "CHECKED")
		for _, d := range rep.Miners {
			checked := ""
			if !d.CheckedAt.IsZero() {
				checked = d.CheckedAt.Local().Format(time.TimeOnly)
			}
			t.row(d.MinerID, strconv.FormatBool(d.InSync), strings.Join(d.Differences, "; "), d.LastError, checked)
		}
		return t.flush()
	}
}

func describeTemplates(ps []hearth.PoolTemplate) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.URL+" "+p.UserPattern)
	}
	return strings.Join(parts, ", ")
}

func describePower(p *hearth.PowerProfile) string {
	switch {
	case p == nil:
		return ""
	case p.Watts > 0:
		return fmt.Sprintf("%s %.0f W", p.Mode, p.Watts)
	}
	return string(p.Mode)
}

func describeFanMode(f *hearth.FanMode) string {
	switch {
	case f == nil:
		return ""
	case f.Auto:
		return "auto"
	}
	return fmt.Sprintf("%d %%", f.Percent)
}

func describeLocate(l *bool) string {
	switch {
	case l == nil:
		return ""
	case *l:
		return "on"
	}
	return "off"
}
