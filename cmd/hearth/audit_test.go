package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// auditIDs runs 'hearth audit --json' with args and returns the IDs of
// the entries, in their order.
func auditIDs(t *testing.T, d *demo, args ...string) ([]int64, []*hearth.AuditEntry) {
	t.Helper()
	out, errOut, code := runCLI(t, append([]string{"audit", "--server", d.URL, "--json"}, args...)...)
	var list hearthhttp.AuditList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("audit %v: exit %d %s%s", args, code, out, errOut)
	}
	ids := []int64{}
	for _, e := range list.Entries {
		ids = append(ids, e.ID)
	}
	return ids, list.Entries
}

// 'hearth audit --miner' answers what was done to one miner: the actions
// that targeted it, shared with other miners or not, with its own result,
// newest first and a page at a time.
func TestAuditByMiner(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "3", "--models", "s21", "--poll-interval", "1s")
	// IDs of the audit entries each verb wrote, newest last.
	var ids []int64
	for _, args := range [][]string{
		{"locate-on", "--select", "sim-00000,sim-00001"},
		{"locate-off", "--select", "sim-00001"},
		{"locate-off", "--select", "sim-00002"},
	} {
		if res := doVerb(t, d, args...); len(res) == 0 {
			t.Fatalf("%v: no results", args)
		}
		latest, _ := auditIDs(t, d, "--limit", "1")
		ids = append(ids, latest[0])
	}
	shared, ownOff, other := ids[0], ids[1], ids[2]

	if got, entries := auditIDs(t, d, "--miner", "sim-00000"); !slices.Equal(got, []int64{shared}) || len(entries[0].Results) != 2 {
		t.Errorf("sim-00000: entries %v, want [%d] with both miners' results", got, shared)
	}
	if got, _ := auditIDs(t, d, "--miner", "sim-00001"); !slices.Equal(got, []int64{ownOff, shared}) {
		t.Errorf("sim-00001: entries %v, want [%d %d]", got, ownOff, shared)
	}
	if got, _ := auditIDs(t, d, "--miner", "sim-00001", "--limit", "1"); !slices.Equal(got, []int64{ownOff}) {
		t.Errorf("sim-00001 --limit 1: entries %v, want [%d]", got, ownOff)
	}
	if got, _ := auditIDs(t, d, "--miner", "sim-00001", "--before", fmt.Sprint(ownOff)); !slices.Equal(got, []int64{shared}) {
		t.Errorf("sim-00001 --before %d: entries %v, want [%d]", ownOff, got, shared)
	}
	if got, _ := auditIDs(t, d, "--before", fmt.Sprint(other)); !slices.Contains(got, ownOff) || slices.Contains(got, other) {
		t.Errorf("--before %d: entries %v", other, got)
	}

	// The table shows the miner's own result of each entry.
	out, errOut, code := runCLI(t, "audit", "--server", d.URL, "--miner", "sim-00001")
	if code != 0 || !strings.Contains(out, "RESULT") || strings.Count(out, "\n") != 3 || !strings.Contains(out, "locate-off") || !strings.Contains(out, "sim-00000,sim-00001") {
		t.Errorf("audit --miner sim-00001 (exit %d):\n%s%s", code, out, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if !strings.Contains(line, " ok") {
			t.Errorf("row without this miner's ok: %q", line)
		}
	}

	for _, args := range [][]string{{"--limit", "0"}, {"--before", "-1"}, {"--before", "soon"}} {
		if _, errOut, code := runCLI(t, append([]string{"audit", "--server", d.URL}, args...)...); code == 0 || !strings.Contains(errOut, "hearth audit") {
			t.Errorf("audit %v: exit %d %s", args, code, errOut)
		}
	}
}

func TestAuditHelp(t *testing.T) {
	_, errOut, code := runCLI(t, "audit", "--help")
	for _, want := range []string{"hearth audit [--miner ID]", "-miner", "-before", "-limit", "-json"} {
		if code != 0 || !strings.Contains(errOut, want) {
			t.Errorf("audit --help lacks %q: exit %d\n%s", want, code, errOut)
		}
	}
}
