package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// lightCommands counts the fault-light commands the reconciler applied to
// miner, from the audit log.
func lightCommands(t *testing.T, cli func(...string) (string, string, int), miner string) (on, off int) {
	t.Helper()
	out, errOut, code := cli("audit", "--miner", miner, "--limit", "1000", "--json")
	var list hearthhttp.AuditList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("audit: %d %s%s", code, out, errOut)
	}
	for _, e := range list.Entries {
		if e.Actor != "reconciler" || e.Selector != miner || len(e.Results) != 1 || !e.Results[0].OK {
			continue
		}
		switch e.Action.Verb {
		case hearth.VerbLocateOn:
			on++
		case hearth.VerbLocateOff:
			off++
		}
	}
	return on, off
}

// An alert of a rule with the locate annotation switches its miner's
// fault light on through the reconciler (the driver reads the light back
// from the miner), an alert without it does not, and acknowledging the
// alert switches the light off while the alert still fires.
func TestLocateOnAlert(t *testing.T) {
	t.Parallel()
	rules := t.TempDir()
	writeTestFile(t, filepath.Join(rules, "locate.yml"), `groups:
  - name: locate-test
    rules:
      - alert: BoardDeadNow
        expr: mining_board_chips == 0
        labels:
          severity: critical
        annotations:
          locate: "true"
      - alert: BoardDeadQuiet
        expr: mining_board_chips == 0
        labels:
          severity: warning
`)
	d := startDemo(t, "--models", "s21", "--miners", "3", "--poll-interval", "1s", "--faults", "1:dead-board", "--rules-dir", rules)
	cli := func(args ...string) (string, string, int) {
		return runCLI(t, append(args, "--server", d.URL, "--token", d.Token)...)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen within 40 s", what)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	waitFor("the fault light of sim-00001 going on", func() bool { on, _ := lightCommands(t, cli, "sim-00001"); return on == 1 })
	for _, healthy := range []string{"sim-00000", "sim-00002"} {
		if on, _ := lightCommands(t, cli, healthy); on != 0 {
			t.Errorf("healthy %s got its light switched on", healthy)
		}
	}

	out, errOut, code := cli("alerts", "ack", "--miner", "sim-00001", "--json")
	var list hearthhttp.AlertAckList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("ack: %d %s%s", code, out, errOut)
	}
	located := 0
	for _, a := range list.Acks {
		if a.Located {
			located++
			if a.Name != "BoardDeadNow" {
				t.Errorf("%s located, want only BoardDeadNow", a.Name)
			}
		}
	}
	if located != 1 || len(list.Acks) < 2 {
		t.Errorf("acknowledged %+v: want both open alerts, one of them located", list.Acks)
	}
	waitFor("the fault light of sim-00001 going off", func() bool { _, off := lightCommands(t, cli, "sim-00001"); return off == 1 })
	// The alert fires on; its acknowledged firing does not locate again.
	time.Sleep(3 * time.Second)
	if on, off := lightCommands(t, cli, "sim-00001"); on != 1 || off != 1 {
		t.Errorf("after the acknowledgement: %d locate-on, %d locate-off, want 1 and 1", on, off)
	}
}
