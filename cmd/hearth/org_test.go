package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// The organisation commands work end to end against a demo: sites with
// their facts, positions imported from CSV (dry run first, all or
// nothing), shown by the miner commands and exported back, and groups.
func TestSitesGroupsPositionsCommands(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "4", "--models", "s21", "--poll-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	deadline := time.Now().Add(30 * time.Second)
	for len(listMiners(t, d).Miners) < 4 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	cli := func(want int, args ...string) string {
		t.Helper()
		out, errOut, code := runCLI(t, append(args, c...)...)
		if code != want {
			t.Fatalf("hearth %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out + errOut
	}
	cliJSON := func(v any, args ...string) {
		t.Helper()
		out := cli(0, append(args, "--json")...)
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("hearth %s --json: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	// Sites: facts in the units people use, validated, kept in base units.
	cli(0, "sites", "add", "barn", "--power-budget-kw", "500", "--voltage", "400", "--phases", "3", "--main-breaker-a", "800",
		"--pdu-limit-a", "32", "--time-zone", "Europe/Oslo")
	if out := cli(2, "sites", "add", "moon", "--time-zone", "Mars/Base"); !strings.Contains(out, "time_zone") {
		t.Errorf("a bad time zone is not named: %s", out)
	}
	if out, _, code := runCLI(t, "sites", "add", "x", "--server", d.URL); code != 1 {
		t.Errorf("add without a token: exit %d %s", code, out)
	}
	if out := cli(0, "sites", "show", "barn"); !strings.Contains(out, "500 kW") || !strings.Contains(out, "400 V 3-phase") || !strings.Contains(out, "Europe/Oslo") {
		t.Errorf("sites show:\n%s", out)
	}

	// Positions: a dry run changes nothing and says what would change.
	file := filepath.Join(t.TempDir(), "rack-plan.csv")
	plan := "Address,Site,Row,Rack,Shelf,Slot,# note\n127.1.0.1,barn,A,07,2,4,top left\nsim-00001,shed,B,1,1,1,\n"
	if err := os.WriteFile(file, []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	var dry hearth.PositionImport
	cliJSON(&dry, "positions", "import", file, "--dry-run")
	if !dry.DryRun || len(dry.Changes) != 2 || dry.Changes[0].MinerID != "sim-00000" || !slices.Equal(dry.SitesCreated, []string{"shed"}) {
		t.Fatalf("dry run: %+v", dry)
	}
	var m hearthhttp.MinerView
	cliJSON(&m, "miners", "show", "sim-00000")
	if m.Site != "" || !m.Position.IsZero() {
		t.Fatalf("the dry run placed sim-00000: %q %+v", m.Site, m.Position)
	}

	// A file with one bad line stores nothing and names the line.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("miner,rack\nsim-00000,9\nghost,1\n"), 0o644)
	if out := cli(2, "positions", "import", bad); !strings.Contains(out, "Line 3") {
		t.Errorf("bad import: %s", out)
	}

	if out := cli(0, "positions", "import", file); !strings.Contains(out, "placed 2 miners") || !strings.Contains(out, "new sites: shed") {
		t.Errorf("import:\n%s", out)
	}
	cliJSON(&m, "miners", "show", "sim-00000")
	if m.Site != "barn" || m.Position != (hearth.Position{Row: "A", Rack: "07", Shelf: "2", Slot: "4"}) {
		t.Fatalf("sim-00000 after import: %q %+v", m.Site, m.Position)
	}
	if out := cli(0, "miners", "list"); !strings.Contains(out, "A/07/2/4") || !strings.Contains(out, "shed") {
		t.Errorf("miners list lacks site and position:\n%s", out)
	}
	if out := cli(0, "miners", "show", "sim-00000"); !strings.Contains(out, "row A rack 07 shelf 2 slot 4") {
		t.Errorf("miners show lacks the position:\n%s", out)
	}

	// The export is the import's format, and round-trips.
	export := cli(0, "positions", "export")
	if !strings.HasPrefix(export, "miner,site,row,rack,shelf,slot\n") || !strings.Contains(export, "sim-00000,barn,A,07,2,4\n") ||
		!strings.Contains(export, "sim-00002,,,,,\n") {
		t.Errorf("export:\n%s", export)
	}
	again := filepath.Join(t.TempDir(), "again.csv")
	os.WriteFile(again, []byte(export), 0o644)
	var rep hearth.PositionImport
	cliJSON(&rep, "positions", "import", again)
	if len(rep.Changes) != 0 || rep.Unchanged != 4 {
		t.Errorf("re-import of the export: %+v", rep)
	}

	// The site list counts miners, including in the site the import made.
	var sites hearthhttp.SiteList
	cliJSON(&sites, "sites", "list")
	if len(sites.Sites) != 2 || sites.Sites[0].Name != "barn" || sites.Sites[0].MinerCount != 1 || sites.Sites[1].Name != "shed" || sites.Sites[1].MinerCount != 1 {
		t.Fatalf("sites: %+v", sites.Sites)
	}
	// edit changes only what is given.
	var barn hearth.Site
	cliJSON(&barn, "sites", "edit", "barn", "--power-budget-kw", "600")
	if barn.PowerBudget != 600e3 || barn.Voltage != 400 || barn.TimeZone != "Europe/Oslo" {
		t.Errorf("edited barn: %+v", barn)
	}
	if out := cli(1, "sites", "remove", "barn"); !strings.Contains(out, "still has 1 miners") {
		t.Errorf("removing a site with miners: %s", out)
	}

	// Groups.
	cli(0, "groups", "add", "curtail-first", "sim-00000", "sim-00001", "--description", "oldest first")
	cli(0, "groups", "add-members", "curtail-first", "sim-00002")
	cli(0, "groups", "remove-members", "curtail-first", "sim-00000")
	var g hearth.Group
	cliJSON(&g, "groups", "show", "curtail-first")
	if !slices.Equal(g.MinerIDs, []string{"sim-00001", "sim-00002"}) || g.Description != "oldest first" {
		t.Fatalf("group: %+v", g)
	}
	// A control action aims at a group, and sees only its members.
	var entry hearth.AuditEntry
	cliJSON(&entry, "miners", "do", "locate-on", "--select", "group=curtail-first")
	if len(entry.Results) != 2 || entry.Results[0].MinerID != "sim-00001" || entry.Results[1].MinerID != "sim-00002" {
		t.Errorf("locate-on group=curtail-first: %+v", entry.Results)
	}
	if out := cli(1, "groups", "add-members", "curtail-first", "ghost"); !strings.Contains(out, "ghost") {
		t.Errorf("adding an unknown miner: %s", out)
	}
	var members hearthhttp.MinerList
	cliJSON(&members, "miners", "list", "--group", "curtail-first")
	if members.Total != 2 {
		t.Errorf("miners of the group: %d", members.Total)
	}
	if out := cli(0, "groups", "list"); !strings.Contains(out, "curtail-first") || !strings.Contains(out, "oldest first") {
		t.Errorf("groups list:\n%s", out)
	}
	cli(0, "groups", "remove", "curtail-first")
	cli(1, "groups", "show", "curtail-first")
	for _, cmd := range []string{"sites", "groups", "positions"} {
		if out, _, code := runCLI(t, cmd, "--help"); code != 0 || !strings.HasPrefix(out, "Usage: hearth "+cmd) {
			t.Errorf("hearth %s --help: exit %d\n%s", cmd, code, out)
		}
	}
}
