package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

const schedulesUsage = `Usage: hearth schedules <list|add|show|remove|next> [flags]

Schedules change the desired state of a site, group or miner while their
windows are open: pause it, switch its power profile, or point it at other
pools. The change is laid over the stored desired state, which is never
rewritten, so when the window closes (or the schedule is removed) the
stored state applies again; a site paused by a schedule whose stored state
sets no power goes back to mining.

  hearth schedules list
  hearth schedules add NAME (--site S | --group G | --miner ID)
                       (--pause | --power MODE [--watts W] | --power profile:NAME
                        | --change KIND --payload JSON)
                       (--recurrence SPEC --tz ZONE | --start T --end T | --for DURATION)
                       [--disabled]
  hearth schedules show ID
  hearth schedules remove ID
  hearth schedules next SPEC --tz ZONE [--count N]

SPEC is a window, "HH:MM-HH:MM [days] [months]" (e.g. "15:00-17:30
weekdays jun-sep", "22:00-06:00"), or five cron fields and a duration
("0 22 * * 1-5 for 8h"). A local time that the spring change skips runs at
the first instant after the gap; one the autumn change repeats runs once,
at its first occurrence; a window keeps its local end time.

list, add, show and remove take --server (env HEARTH_SERVER) and --token
(env HEARTH_TOKEN; needed for add and remove); every subcommand takes --json.
`

// runSchedules dispatches the schedules subcommands.
func runSchedules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "hearth schedules", schedulesUsage, subcommands{
		"next": runSchedulesNext,
		"list": runSchedulesList, "ls": runSchedulesList,
		"add":  runSchedulesAdd,
		"show": runSchedulesShow, "get": runSchedulesShow,
		"remove": runSchedulesRemove, "rm": runSchedulesRemove, "delete": runSchedulesRemove,
	}, args, stdout, stderr)
}

// scheduleWindow is one window of `hearth schedules next --json`.
type scheduleWindow struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Duration string    `json:"duration"`
}

func runSchedulesNext(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth schedules next", "hearth schedules next SPEC --tz ZONE [flags]",
		"Print the next windows of a recurring schedule, in local time and UTC.", stderr)
	zone := fs.String("tz", "UTC", "IANA time zone the schedule runs in, e.g. Europe/Berlin")
	count := fs.Int("count", 5, "how many windows to show (1 to 100)")
	from := fs.String("from", "", "show windows starting after this instant (RFC 3339; default now)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "hearth schedules next: SPEC expected")
		fs.Usage()
		return errUsage
	}
	if *count < 1 || *count > 100 {
		return hearth.Errorf(hearth.EINVALID, "--count must be between 1 and 100, not %d.", *count)
	}
	after := time.Now()
	if *from != "" {
		if after, err = time.Parse(time.RFC3339, *from); err != nil {
			return hearth.Errorf(hearth.EINVALID, "--from %q is not an RFC 3339 instant such as 2026-10-24T12:00:00Z.", *from)
		}
	}
	s := &hearth.Schedule{
		Name: "preview", Recurrence: strings.Join(pos, " "), TimeZone: *zone, Enabled: true,
		Target: hearth.Scope{Kind: hearth.ScopeSite, ID: "preview"},
		Change: hearth.Change{Kind: hearth.ChangePause, Payload: []byte("{}")},
	}
	plan, err := schedule.Compile(s)
	if err != nil {
		return err
	}
	loc, err := s.Location()
	if err != nil {
		return err
	}
	var windows []scheduleWindow
	for len(windows) < *count {
		start, end, ok := plan.Next(after)
		if !ok {
			break
		}
		windows = append(windows, scheduleWindow{Start: start, End: end, Duration: end.Sub(start).String()})
		after = start
	}
	if *asJSON {
		return writeJSON(stdout, windows)
	}
	t := newTable(stdout, "START ("+loc.String()+")", "END", "LENGTH", "START (UTC)")
	for _, w := range windows {
		t.row(w.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"), w.End.In(loc).Format("Mon 2006-01-02 15:04 MST"),
			w.Duration, w.Start.UTC().Format("2006-01-02 15:04Z"))
	}
	return t.flush()
}
