package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// poolFlags collects repeated --pool URL,USER[,PASSWORD] flags.
type poolFlags []hearth.PoolConfig

func (p *poolFlags) String() string { return fmt.Sprint(len(*p), " pools") }

func (p *poolFlags) Set(v string) error {
	parts := strings.SplitN(v, ",", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("want URL,USER[,PASSWORD], got %q", v)
	}
	pc := hearth.PoolConfig{URL: parts[0], User: parts[1]}
	if len(parts) == 3 {
		pc.Password = parts[2]
	}
	*p = append(*p, pc)
	return nil
}

func runMinersDo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var verbs []string
	for _, v := range hearth.Verbs {
		verbs = append(verbs, string(v))
	}
	fs := newFlagSet("hearth miners do", "hearth miners do VERB --select SELECTOR [flags]",
		"Apply a control verb to the selected miners, at once, and show each miner's result.\n"+
			"Verbs: "+strings.Join(verbs, ", ")+".\n"+
			"SELECTOR is \"all\", miner IDs separated by commas, or conditions such as\n"+
			"family=antminer,site=barn-a,group=curtail-first,tag=row3. A verb a miner's firmware lacks is reported as\n"+
			"unsupported for that miner. Every action is written to the audit log ('hearth audit').", stderr)
	var cf clientFlags
	cf.register(fs)
	var req hearthhttp.ActionRequest
	var pools poolFlags
	fs.StringVar(&req.Selector, "select", "", "which miners (required)")
	fs.Float64Var(&req.Watts, "watts", 0, "power-target: the target in watts")
	fs.StringVar(&req.Duration, "duration", "", "locate-on: how long, where the firmware can time it (e.g. 10m)")
	fs.Var(&pools, "pool", "set-pools: URL,USER[,PASSWORD], repeated in priority order (at most 3)")
	fs.StringVar(&req.Fan, "fan", "", `fan-mode: "auto", or a fixed speed in percent (e.g. 70)`)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || req.Selector == "" {
		fmt.Fprintln(stderr, "hearth miners do: one VERB and --select are required")
		fs.Usage()
		return errUsage
	}
	req.Verb = hearth.Verb(pos[0])
	req.Pools = pools
	e, err := cf.client().DoAction(ctx, req)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, e)
	}
	t := newTable(stdout, "MINER", "RESULT", "DETAIL")
	failed := 0
	for _, r := range e.Results {
		result, detail := "ok", ""
		if !r.OK {
			result, detail = orDash(r.Code), r.Error
			failed++
		} else if r.Power != nil {
			detail = fmt.Sprintf("%s %s", r.Power.Mechanism, r.Power.Value)
			if r.Power.Watts > 0 {
				detail += fmt.Sprintf(" (~%.0f W)", r.Power.Watts)
			}
		}
		t.row(r.MinerID, result, detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %d miners: %d ok, %d failed (audit entry %d)\n", e.Action.Verb, len(e.Results), len(e.Results)-failed, failed, e.ID)
	if failed > 0 {
		return hearth.Errorf(hearth.EUNAVAILABLE, "%d of %d miners did not carry out %s.", failed, len(e.Results), e.Action.Verb)
	}
	return nil
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth audit", "hearth audit [--miner ID] [--limit N] [--before ID] [--json]",
		"Show the audit log of control actions, newest first: who, what, when, on which miners, and the result.\n"+
			"With --miner, only the actions that targeted that miner, with its own result, however\n"+
			"many other miners an action covered. To page back, pass the smallest ID shown as --before.", stderr)
	var cf clientFlags
	cf.register(fs)
	var f hearth.AuditFilter
	fs.StringVar(&f.Miner, "miner", "", "only the actions that targeted the miner of this ID")
	fs.IntVar(&f.Limit, "limit", 20, "at most this many entries")
	fs.Int64Var(&f.BeforeID, "before", 0, "only entries older than the entry of this ID")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.Limit < 1 || f.BeforeID < 0 {
		fmt.Fprintln(stderr, "hearth audit: --limit must be at least 1 and --before positive")
		fs.Usage()
		return errUsage
	}
	list, err := cf.client().Audit(ctx, f)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	if f.Miner != "" {
		return writeMinerAudit(stdout, f.Miner, list.Entries)
	}
	t := newTable(stdout, "ID", "TIME", "ACTOR", "VERB", "SELECTOR", "MINERS", "OK", "FAILED")
	for _, e := range list.Entries {
		ok := 0
		for _, r := range e.Results {
			if r.OK {
				ok++
			}
		}
		t.row(fmt.Sprint(e.ID), e.Time.Local().Format("2006-01-02 15:04:05"), e.Actor, string(e.Action.Verb), e.Selector,
			fmt.Sprint(len(e.Results)), fmt.Sprint(ok), fmt.Sprint(len(e.Results)-ok))
	}
	return t.flush()
}

// writeMinerAudit prints one miner's audit entries with that miner's own
// result: an entry shared by a fleet would otherwise show only counts.
func writeMinerAudit(w io.Writer, miner string, entries []*hearth.AuditEntry) error {
	t := newTable(w, "ID", "TIME", "ACTOR", "VERB", "SELECTOR", "RESULT", "DETAIL")
	for _, e := range entries {
		result, detail := "-", ""
		if r, ok := e.ResultFor(miner); ok && r.OK {
			result = "ok"
		} else if ok {
			result, detail = orDash(r.Code), r.Error
		}
		t.row(fmt.Sprint(e.ID), e.Time.Local().Format("2006-01-02 15:04:05"), e.Actor, string(e.Action.Verb), e.Selector, result, detail)
	}
	return t.flush()
}
