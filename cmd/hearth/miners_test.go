package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// listMiners runs 'hearth miners list --json' against d.
func listMiners(t *testing.T, d *demo) hearthhttp.MinerList {
	t.Helper()
	out, errOut, code := runCLI(t, "miners", "list", "--server", d.URL, "--json")
	if code != 0 {
		t.Fatalf("miners list exited %d: %s", code, errOut)
	}
	var list hearthhttp.MinerList
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("miners list --json: %v\n%s", err, out)
	}
	return list
}

// The inventory commands work against a running server, and hostile
// miners (garbage, a trickle, silence) show as offline with a clear error
// while the rest of the fleet is polled as usual.
func TestMinersCommandsAndHostileMiners(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "8", "--models", "s21,bitaxe-gamma", "--poll-interval", "1s", "--poll-timeout", "3s",
		"--faults", "0:garbled,1:slow,2:offline")

	// Within a few polls every miner has a state: the three faulty ones
	// offline with the reason, the rest online.
	var list hearthhttp.MinerList
	deadline := time.Now().Add(30 * time.Second)
	for {
		list = listMiners(t, d)
		settled := len(list.Miners) == 8
		for _, m := range list.Miners {
			if m.Status.State == "unknown" {
				settled = false
			}
		}
		if settled || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(list.Miners) != 8 || list.Total != 8 {
		t.Fatalf("%d miners listed, total %d", len(list.Miners), list.Total)
	}
	for _, m := range list.Miners {
		if m.ID == "sim-00000" {
			// Garbage, or replies cut short: never taken for a reading.
			if e := m.Status.LastError; m.Status.State != "offline" || !strings.Contains(e, "unreadable") && !strings.Contains(e, "cut short") {
				t.Errorf("garbled miner: %s, error %q", m.Status.State, m.Status.LastError)
			}
			continue
		}
		faulty := m.ID == "sim-00001" || m.ID == "sim-00002"
		switch {
		case faulty && m.Status.State != "offline":
			t.Errorf("%s (faulty) is %s", m.ID, m.Status.State)
		case faulty && m.Status.LastError == "":
			t.Errorf("%s is offline without a reason", m.ID)
		case !faulty && (m.Status.State != "online" || m.Status.HashRate <= 0):
			t.Errorf("%s (healthy) is %s at %v H/s: %s", m.ID, m.Status.State, m.Status.HashRate, m.Status.LastError)
		}
	}
	t.Logf("offline reasons: garbled %q; slow %q; offline %q", list.Miners[0].Status.LastError, list.Miners[1].Status.LastError, list.Miners[2].Status.LastError)

	// The table has a row per miner.
	out, _, code := runCLI(t, "miners", "list", "--server", d.URL)
	if code != 0 || strings.Count(out, "sim-0000") != 8 || !strings.Contains(out, "8 of 8 miners") {
		t.Errorf("table (exit %d):\n%s", code, out)
	}

	// show gives the latest reading of a healthy miner.
	out, errOut, code := runCLI(t, "miners", "show", "sim-00003", "--server", d.URL, "--json")
	if code != 0 {
		t.Fatalf("show exited %d: %s", code, errOut)
	}
	var one hearthhttp.MinerView
	if err := json.Unmarshal([]byte(out), &one); err != nil || one.Latest == nil {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	// Stock Antminer firmware reports no power: the table says hearth
	// estimated it, as the list does.
	antminer := ""
	for _, m := range list.Miners {
		if m.Family == hearth.FamilyAntminer && m.Status.State == "online" && antminer == "" {
			antminer = m.ID
		}
	}
	out, _, _ = runCLI(t, "miners", "show", antminer, "--server", d.URL)
	if !regexp.MustCompile(`(?m)^power +[0-9.]+ W \(est\.\)$`).MatchString(out) {
		t.Errorf("show does not mark the estimated power:\n%s", out)
	}

	// Writes need the token.
	_, errOut, code = runCLI(t, "miners", "add", "127.1.3.3", "--family", "axeos", "--server", d.URL, "--token", "")
	if code == 0 || !strings.Contains(strings.ToLower(errOut), "token") {
		t.Errorf("add without a token: exit %d, %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "miners", "add", "127.1.3.3", "--family", "axeos", "--server", d.URL, "--token", "hth_wrong")
	if code == 0 {
		t.Errorf("add with a wrong token: exit 0")
	}

	// Add a machine by family (it is off), see it, remove it.
	out, errOut, code = runCLI(t, "miners", "add", "127.1.3.3", "--family", "axeos", "--id", "garage", "--server", d.URL, "--token", d.Token)
	if code != 0 || !strings.Contains(out, "added garage") {
		t.Fatalf("add: exit %d\n%s%s", code, out, errOut)
	}
	_, errOut, code = runCLI(t, "miners", "add", "127.1.3.3", "--family", "axeos", "--server", d.URL, "--token", d.Token)
	if code == 0 || !strings.Contains(errOut, "127.1.3.3") {
		t.Errorf("adding the same address twice: exit %d, %q", code, errOut)
	}
	if _, errOut, code = runCLI(t, "miners", "remove", "garage", "--server", d.URL, "--token", d.Token); code != 0 {
		t.Fatalf("remove: exit %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, "miners", "show", "garage", "--server", d.URL)
	if code == 0 || !strings.Contains(strings.ToLower(errOut), "not found") {
		t.Errorf("show after remove: exit %d, %q", code, errOut)
	}

	// Adding an address where nothing answers, without a family, fails
	// with a message that says so.
	_, errOut, code = runCLI(t, "miners", "add", "127.1.3.4", "--server", d.URL, "--token", d.Token)
	if code == 0 || !strings.Contains(errOut, "127.1.3.4") {
		t.Errorf("add of nothing: exit %d, %q", code, errOut)
	}

	// Bad input.
	if _, errOut, code = runCLI(t, "miners", "show", "--server", d.URL); code != 2 {
		t.Errorf("show without an id: exit %d, %q", code, errOut)
	}
	if _, errOut, code = runCLI(t, "miners", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, %q", code, errOut)
	}
	if _, errOut, code = runCLI(t, "miners", "list", "--server", "http://127.0.0.1:1"); code == 0 || !strings.Contains(errOut, "Cannot reach") {
		t.Errorf("unreachable server: exit %d, %q", code, errOut)
	}
}

// Every command answers --help with its usage and exit status 0.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"sim", "--help"}, {"scan", "--help"},
		{"miners", "--help"}, {"miners", "list", "--help"}, {"miners", "add", "--help"}, {"miners", "show", "--help"}, {"miners", "logs", "--help"},
		{"miners", "remove", "--help"}, {"bench", "--help"}, {"bench", "sweep", "--help"},
		{"schedules", "--help"}, {"schedules", "next", "--help"}, {"rules", "--help"}, {"rules", "test", "--help"},
	} {
		out, errOut, code := runCLI(t, args...)
		if code != 0 || !strings.Contains(out+errOut, "Usage") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	_, errOut, _ := runCLI(t, "sim", "--help")
	for _, fault := range []string{"offline", "low-hashrate", "high-reject", "high-latency", "inefficient", "failed-chips", "dead-board", "hot", "fan-fail", "garbled", "slow", "cooling-reversed", "pool-down"} {
		if !strings.Contains(errOut, fault) {
			t.Errorf("sim --help does not document %s", fault)
		}
	}
}

// Every command with subcommands answers alike: a help word prints its
// usage on stdout (exit 0); no subcommand prints it on stderr and an
// unknown one names itself, both with exit status 2.
func TestEveryCommandDispatchesAlike(t *testing.T) {
	t.Parallel()
	for _, cmd := range [][]string{
		{"miners"}, {"bench"}, {"plan"}, {"credentials"}, {"schedules"}, {"power"}, {"power", "programs"}, {"sites"}, {"groups"},
		{"positions"}, {"desired"}, {"profiles"}, {"tokens"}, {"alerts"}, {"alerts", "silence"}, {"alerts", "receivers"}, {"rules"},
	} {
		name := "hearth " + strings.Join(cmd, " ")
		for _, help := range []string{"help", "-h", "--help"} {
			if out, errOut, code := runCLI(t, append(slices.Clone(cmd), help)...); code != 0 || !strings.Contains(out, "Usage") || errOut != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", name, help, code, out, errOut)
			}
		}
		if out, errOut, code := runCLI(t, cmd...); code != 2 || out != "" || !strings.Contains(errOut, "Usage") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want usage on stderr and exit 2", name, code, out, errOut)
		}
		out, errOut, code := runCLI(t, append(slices.Clone(cmd), "frobnicate")...)
		if want := name + `: unknown subcommand "frobnicate"`; code != 2 || out != "" || !strings.HasPrefix(errOut, want) {
			t.Errorf("%s frobnicate: exit %d, stderr %q; want it to start %q", name, code, errOut, want)
		}
	}
}
