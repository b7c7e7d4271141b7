package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// runSchedulesList prints the stored schedules.
func runSchedulesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth schedules list", "hearth schedules list [flags]", "List the stored schedules.", stderr)
	var cf clientFlags
	cf.register(fs)
	if err := noArgs(fs, args, "hearth schedules list", stderr); err != nil {
		return err
	}
	list, err := cf.client().Schedules(ctx)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "ID", "NAME", "TARGET", "CHANGE", "WHEN", "ENABLED")
	for _, s := range list.Schedules {
		t.row(s.ID, s.Name, describeScope(s.Target), describeChange(s.Change), describeWhen(s.Schedule), strconv.FormatBool(s.Enabled))
	}
	return t.flush()
}

// runSchedulesAdd stores a new schedule.
func runSchedulesAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth schedules add", "hearth schedules add NAME TARGET CHANGE WHEN [flags]",
		"Add a schedule: a target (--site, --group or --miner), a change (--pause, --power or --change with --payload) and\n"+
			"when (--recurrence with --tz, --start with --end, or --for from now).", stderr)
	var cf clientFlags
	cf.register(fs)
	site := fs.String("site", "", "target: the miners of this site")
	group := fs.String("group", "", "target: the miners of this group")
	miner := fs.String("miner", "", "target: this miner")
	pause := fs.Bool("pause", false, "change: pause (sleep) the target")
	power := fs.String("power", "", "change: power max, target, eco or sleep, or profile:NAME for a named power profile")
	watts := fs.Float64("watts", 0, "watts of --power target or eco")
	kind := fs.String("change", "", "change kind power-profile, pause or pools, with --payload")
	payload := fs.String("payload", "", `JSON argument of --change, e.g. {"pools":[{"url":"stratum+tcp://pool:3333","user_pattern":"acct.{site}"}]}`)
	recurrence := fs.String("recurrence", "", `recurring window, e.g. "15:00-17:30 mon-fri" (see hearth schedules --help)`)
	zone := fs.String("tz", "", "IANA time zone of --recurrence, e.g. Europe/Berlin")
	start := fs.String("start", "", "one-off window start (RFC 3339; default now)")
	end := fs.String("end", "", "one-off window end (RFC 3339)")
	length := fs.Duration("for", 0, "one-off window length from --start (or now), e.g. 2h")
	disabled := fs.Bool("disabled", false, "store the schedule without it firing")
	arg, err := oneArg(fs, args, "hearth schedules add", "schedule NAME", stderr)
	if err != nil {
		return err
	}
	target, err := scopeFlag(*site, *group, *miner)
	if err != nil {
		return err
	}
	change, err := changeFlag(*pause, *power, *watts, *kind, *payload)
	if err != nil {
		return err
	}
	on := !*disabled
	req := hearthhttp.ScheduleRequest{Name: arg, Target: target, Change: change, Recurrence: *recurrence, TimeZone: *zone, Enabled: &on}
	if *start != "" || *end != "" || *length != 0 {
		if *recurrence != "" {
			return hearth.Errorf(hearth.EINVALID, "Give either --recurrence or a one-off window (--start, --end, --for), not both.")
		}
		if req.Start, req.End, err = windowFlags(*start, *end, *length, time.Now()); err != nil {
			return err
		}
	}
	sc, err := cf.client().CreateSchedule(ctx, req)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, sc)
	}
	fmt.Fprintf(stdout, "added schedule %s (%s)\n", sc.ID, sc.Name)
	return nil
}

// runSchedulesShow prints one schedule.
func runSchedulesShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth schedules show", "hearth schedules show ID [flags]", "Show one schedule.", stderr)
	var cf clientFlags
	cf.register(fs)
	arg, err := oneArg(fs, args, "hearth schedules show", "schedule ID", stderr)
	if err != nil {
		return err
	}
	s, err := cf.client().GetSchedule(ctx, arg)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, s)
	}
	t := newTable(stdout, "FIELD", "VALUE")
	t.row("id", s.ID)
	t.row("name", s.Name)
	t.row("target", describeScope(s.Target))
	t.row("change", describeChange(s.Change))
	t.row("when", describeWhen(s))
	t.row("enabled", strconv.FormatBool(s.Enabled))
	return t.flush()
}

// runSchedulesRemove removes one schedule; a window in force is reverted.
func runSchedulesRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth schedules remove", "hearth schedules remove ID [flags]",
		"Remove a schedule; a window in force is reverted at once.", stderr)
	var cf clientFlags
	cf.register(fs)
	arg, err := oneArg(fs, args, "hearth schedules remove", "schedule ID", stderr)
	if err != nil {
		return err
	}
	if err := cf.client().DeleteSchedule(ctx, arg); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]any{"removed": arg})
	}
	fmt.Fprintf(stdout, "removed schedule %s\n", arg)
	return nil
}

// scopeFlag returns the one target --site, --group or --miner names.
func scopeFlag(site, group, miner string) (hearth.Scope, error) {
	var scopes []hearth.Scope
	for _, sc := range []hearth.Scope{{Kind: hearth.ScopeSite, ID: site}, {Kind: hearth.ScopeGroup, ID: group}, {Kind: hearth.ScopeMiner, ID: miner}} {
		if sc.ID != "" {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) != 1 {
		return hearth.Scope{}, hearth.Errorf(hearth.EINVALID, "Give exactly one target: --site, --group or --miner.")
	}
	return scopes[0], nil
}

// changeFlag returns the one change --pause, --power or --change names.
func changeFlag(pause bool, power string, watts float64, kind, payload string) (hearth.Change, error) {
	given := 0
	for _, b := range []bool{pause, power != "", kind != ""} {
		if b {
			given++
		}
	}
	if given != 1 {
		return hearth.Change{}, hearth.Errorf(hearth.EINVALID, "Give exactly one change: --pause, --power MODE or --change KIND.")
	}
	switch {
	case pause:
		return hearth.Change{Kind: hearth.ChangePause}, nil
	case power != "":
		p, err := parsePowerSpec(power)
		if err != nil {
			return hearth.Change{}, err
		}
		if watts != 0 {
			if p.Profile != "" || p.Watts != 0 {
				return hearth.Change{}, hearth.Errorf(hearth.EINVALID, "--watts goes with --power target or eco, not with %q.", power)
			}
			p.Watts = watts
		}
		b, err := json.Marshal(p)
		return hearth.Change{Kind: hearth.ChangePowerProfile, Payload: b}, err
	}
	c := hearth.Change{Kind: hearth.ChangeKind(kind)}
	if payload != "" {
		if !json.Valid([]byte(payload)) {
			return c, hearth.Errorf(hearth.EINVALID, "--payload is not valid JSON.")
		}
		c.Payload = json.RawMessage(payload)
	}
	return c, nil
}

// windowFlags returns the one-off window --start, --end and --for give:
// the start defaults to now, and --for sets the end from the start.
func windowFlags(start, end string, length time.Duration, now time.Time) (time.Time, time.Time, error) {
	from, to := now, time.Time{}
	var err error
	if start != "" {
		if from, err = time.Parse(time.RFC3339, start); err != nil {
			return from, to, hearth.Errorf(hearth.EINVALID, "--start %q is not an RFC 3339 instant such as 2026-10-24T22:00:00Z.", start)
		}
	}
	switch {
	case end != "" && length != 0:
		return from, to, hearth.Errorf(hearth.EINVALID, "Give --end or --for, not both.")
	case end != "":
		if to, err = time.Parse(time.RFC3339, end); err != nil {
			return from, to, hearth.Errorf(hearth.EINVALID, "--end %q is not an RFC 3339 instant such as 2026-10-25T06:00:00Z.", end)
		}
	case length > 0:
		to = from.Add(length)
	default:
		return from, to, hearth.Errorf(hearth.EINVALID, "A one-off window needs --end or a positive --for.")
	}
	return from, to, nil
}

// describeScope returns "site barn".
func describeScope(sc hearth.Scope) string { return string(sc.Kind) + " " + sc.ID }

// describeChange returns the change kind and its payload, if any.
func describeChange(c hearth.Change) string {
	if len(c.Payload) == 0 || string(c.Payload) == "{}" {
		return string(c.Kind)
	}
	return string(c.Kind) + " " + string(c.Payload)
}

// describeWhen returns the recurrence and zone, or the one-off window.
func describeWhen(s *hearth.Schedule) string {
	if s.Recurring() {
		return strings.TrimSpace(s.Recurrence + " (" + s.TimeZone + ")")
	}
	return s.Start.UTC().Format("2006-01-02 15:04Z") + " to " + s.End.UTC().Format("2006-01-02 15:04Z")
}
