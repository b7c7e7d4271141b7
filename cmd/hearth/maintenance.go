package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// maintenanceFlags are the thresholds of the maintenance queue, shared by
// serve (the defaults, with HEARTH_MAINT_* in the environment) and hearth
// maintenance (per request, overriding the server's).
type maintenanceFlags struct {
	th hearth.MaintenanceThresholds
}

// register adds the --maint-* flags (prefix "maint-" for serve, "" for
// hearth maintenance) with defaults def; with env the defaults come from
// HEARTH_MAINT_* where set.
func (m *maintenanceFlags) register(fs interface {
	IntVar(*int, string, int, string)
	Float64Var(*float64, string, float64, string)
}, prefix string, def hearth.MaintenanceThresholds, env bool) {
	intFlag := func(v *int, name, envName string, d int, usage string) {
		if env {
			d, usage = envInt(envName, d), usage+" (env "+envName+")"
		}
		fs.IntVar(v, prefix+name, d, usage)
	}
	intFlag(&m.th.FailedChips, "failed-chips", "HEARTH_MAINT_FAILED_CHIPS", def.FailedChips, "maintenance queue: a board with more than N failed chips needs replacing")
	intFlag(&m.th.Faults, "faults", "HEARTH_MAINT_FAULTS", def.Faults, "maintenance queue: a miner with at least K firing alerts in the fault window is queued")
	intFlag(&m.th.FaultDays, "fault-days", "HEARTH_MAINT_FAULT_DAYS", def.FaultDays, "maintenance queue: the fault window, in days")
	intFlag(&m.th.RackBoards, "rack-boards", "HEARTH_MAINT_RACK_BOARDS", def.RackBoards, "maintenance queue: a rack is ready at M boards to replace")
	percent, usage := def.RackPercent, "maintenance queue: or at P % of its boards"
	if env {
		percent, usage = envFloat("HEARTH_MAINT_RACK_PERCENT", percent), usage+" (env HEARTH_MAINT_RACK_PERCENT)"
	}
	fs.Float64Var(&m.th.RackPercent, prefix+"rack-percent", percent, usage)
}

// envFloat reads a number from the environment variable key, def when it
// is unset or not a number.
func envFloat(key string, def float64) float64 {
	if f, err := strconv.ParseFloat(strings.TrimSpace(envOr(key, "")), 64); err == nil {
		return f
	}
	return def
}

func runMaintenance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth maintenance", "hearth maintenance [--site S] [flags]",
		"Show the maintenance queue of a running server: boards to replace (more failed chips than\n"+
			"--failed-chips, or dead) and miners with repeated faults, by site and rack, ready racks\n"+
			"first. A rack is READY once enough of its boards need replacing to be worth a visit.\n"+
			"Threshold flags override the server's for this request; zero keeps the server's.", stderr)
	var cf clientFlags
	cf.register(fs)
	site := fs.String("site", "", "only this site")
	var mf maintenanceFlags
	mf.register(fs, "", hearth.MaintenanceThresholds{}, false)
	if err := noArgs(fs, args, "hearth maintenance", stderr); err != nil {
		return err
	}
	q, err := cf.client().Maintenance(ctx, *site, mf.th)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, q)
	}
	th := q.Thresholds
	fmt.Fprintf(stdout, "Boards with more than %d failed chips or dead; miners with %d alerts in %d days; a rack is ready at %d boards or %g %%.\n",
		th.FailedChips, th.Faults, th.FaultDays, th.RackBoards, th.RackPercent)
	if len(q.Sites) == 0 {
		fmt.Fprintln(stdout, "Nothing to service.")
		return nil
	}
	for _, s := range q.Sites {
		for _, r := range s.Racks {
			mark := ""
			if r.Ready {
				mark = "  READY"
			}
			name := r.Rack
			if r.Row != "" {
				name = "row " + r.Row + " rack " + r.Rack
			} else if r.Rack != hearth.NoRack {
				name = "rack " + r.Rack
			}
			fmt.Fprintf(stdout, "\n%s %s: %d of %d boards to replace (%.0f %%)%s\n", orDash(s.Site), name, r.Replace, r.Boards, r.Level*100, mark)
			t := newTable(stdout, "MINER", "POSITION", "MODEL", "SERVICE", "SINCE")
			for _, it := range r.Items {
				t.row(it.MinerID, orDash(it.Position.String()), orDash(it.Model), serviceText(it), localTime(it.Since))
			}
			if err := t.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// serviceText says what a technician should do about an item.
func serviceText(it hearth.MaintenanceItem) string {
	if it.Kind == hearth.MaintenanceBoard && it.Board != nil {
		if it.Dead {
			return fmt.Sprintf("replace board %d (dead)", *it.Board)
		}
		return fmt.Sprintf("replace board %d (%d failed chips)", *it.Board, it.FailedChips)
	}
	return fmt.Sprintf("check: %d alerts (%s)", it.Faults, strings.Join(it.Alerts, ", "))
}
