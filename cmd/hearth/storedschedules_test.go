package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// A schedule "pause site barn" whose window is open now pauses the
// simulated miners of barn through the reconciler, drivers and firmware
// simulator, and removing it resumes them: the stored desired state (none)
// is never written.
func TestSchedulePausesSiteAndRemovalResumes(t *testing.T) {
	t.Parallel()
	const n = 3
	d := startDemo(t, "--miners", fmt.Sprint(n), "--models", "s21", "--site", "barn", "--poll-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("sim-%05d", i)
	}
	every := func(what string, cond func(hearthhttp.MinerView) bool) {
		t.Helper()
		eventually(t, what, func() bool {
			for _, id := range ids {
				if m := showMiner(t, d, id); m.Latest == nil || m.Status.State != "online" || !cond(m) {
					return false
				}
			}
			return true
		})
	}
	hashing := func(m hearthhttp.MinerView) bool { return m.Latest.HashRate > 0 }
	every("every miner of barn hashing", hashing)

	out, errOut, code := runCLI(t, append([]string{"schedules", "add", "pause site barn", "--site", "barn", "--pause", "--for", "1h", "--json"}, c...)...)
	if code != 0 {
		t.Fatalf("schedules add exited %d: %s%s", code, out, errOut)
	}
	var sc hearth.Schedule
	if err := json.Unmarshal([]byte(out), &sc); err != nil || sc.ID == "" || !sc.Enabled {
		t.Fatalf("schedules add printed %s (%v)", out, err)
	}
	// Stock Antminer firmware reports no paused flag: a paused miner
	// shows no hash rate.
	every("every miner of barn paused by the schedule", func(m hearthhttp.MinerView) bool { return m.Latest.HashRate == 0 })

	out, _, code = runCLI(t, append([]string{"schedules", "list", "--json"}, c...)...)
	var list hearthhttp.ScheduleList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Schedules) != 1 || list.Schedules[0].ID != sc.ID {
		t.Errorf("schedules list: exit %d %s", code, out)
	}
	if out, _, code := runCLI(t, append([]string{"schedules", "show", sc.ID}, c...)...); code != 0 || !strings.Contains(out, "site barn") || !strings.Contains(out, "pause") {
		t.Errorf("schedules show: exit %d %s", code, out)
	}
	// The stored desired state is untouched: the pause is an overlay.
	if out, _, _ := runCLI(t, append([]string{"desired", "list", "--json"}, c...)...); strings.Contains(out, "sleep") {
		t.Errorf("the schedule was written into the desired state: %s", out)
	}

	if out, errOut, code := runCLI(t, append([]string{"schedules", "remove", sc.ID}, c...)...); code != 0 {
		t.Fatalf("schedules remove exited %d: %s%s", code, out, errOut)
	}
	every("every miner of barn mining again after the schedule's removal", hashing)
	if _, _, code := runCLI(t, append([]string{"schedules", "show", sc.ID}, c...)...); code == 0 {
		t.Errorf("schedules show of a removed schedule succeeded")
	}
}

// Every schedules subcommand explains itself, and add refuses an
// incomplete schedule before asking the server.
func TestSchedulesHelpAndUsage(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"list", "add", "show", "remove", "next"} {
		out, errOut, code := runCLI(t, "schedules", sub, "--help")
		if code != 0 || !strings.Contains(out+errOut, "hearth schedules "+sub) {
			t.Errorf("schedules %s --help: exit %d %s%s", sub, code, out, errOut)
		}
		if sub != "next" && !strings.Contains(out+errOut, "-json") {
			t.Errorf("schedules %s --help does not offer --json", sub)
		}
	}
	for _, args := range [][]string{
		{"schedules", "add", "x", "--pause", "--for", "1h"},
		{"schedules", "add", "x", "--site", "barn", "--for", "1h"},
		{"schedules", "add", "x", "--site", "barn", "--pause", "--pause=false", "--power", "eco", "--recurrence", "22:00-06:00", "--for", "1h"},
	} {
		if _, errOut, code := runCLI(t, append(args, "--server", "http://127.0.0.1:1")...); code == 0 || strings.Contains(errOut, "connect") {
			t.Errorf("%v: exit %d %s, want a usage error before any request", args, code, errOut)
		}
	}
}
