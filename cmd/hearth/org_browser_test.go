package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The web UI shows the organisation: the sites page lists sites with
// their miner counts and budgets, and the fleet page shows each miner's
// site and position and filters by site.
func TestDemoShowsSitesInBrowser(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "4", "--models", "s21", "--poll-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	deadline := time.Now().Add(30 * time.Second)
	for len(listMiners(t, d).Miners) < 4 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if out, errOut, code := runCLI(t, append([]string{"sites", "add", "barn", "--power-budget-kw", "500", "--time-zone", "Europe/Oslo"}, c...)...); code != 0 {
		t.Fatalf("sites add: %s %s", out, errOut)
	}
	file := filepath.Join(t.TempDir(), "plan.csv")
	os.WriteFile(file, []byte("miner,site,row,rack,shelf,slot\nsim-00000,barn,A,07,2,4\nsim-00001,barn,A,07,2,5\n"), 0o644)
	if out, errOut, code := runCLI(t, append([]string{"positions", "import", file}, c...)...); code != 0 {
		t.Fatalf("positions import: %s %s", out, errOut)
	}
	// Moving miners re-adds them to the poller; the page is read once
	// both have been polled again.
	for _, id := range []string{"sim-00000", "sim-00001"} {
		eventually(t, id+" online in barn", func() bool {
			m := showMiner(t, d, id)
			return m.Site == "barn" && m.Status.State == "online"
		})
	}
	shots := t.TempDir()
	if dir := os.Getenv("HEARTH_SCREENSHOTS"); dir != "" {
		shots = dir
	}

	dom := render(t, d.URL+"/sites", filepath.Join(shots, "sites.png"))
	row := regexp.MustCompile(`(?s)<tr[^>]*data-site="barn"[^>]*>(.*?)</tr>`).FindStringSubmatch(dom)
	if row == nil {
		t.Fatalf("no row for site barn:\n%.3000s", dom)
	}
	for _, want := range []string{`data-col="miners" data-value="2"`, `data-col="online" data-value="2"`, "500.0 kW", "Europe/Oslo", " %)"} {
		if !strings.Contains(row[1], want) {
			t.Errorf("barn's row lacks %q:\n%s", want, row[1])
		}
	}

	dom = render(t, d.URL+"/?site=barn", filepath.Join(shots, "fleet-barn.png"))
	rows := regexp.MustCompile(`<tr[^>]*data-miner-id="(sim-\d{5})"`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 2 || rows[0][1] != "sim-00000" || rows[1][1] != "sim-00001" {
		t.Fatalf("fleet filtered to barn shows %v", rows)
	}
	if !strings.Contains(dom, "A/07/2/4") || !regexp.MustCompile(`<option value="barn"[^>]*selected|<option[^>]*value="barn"`).MatchString(dom) {
		t.Errorf("fleet page lacks the position or the site filter:\n%.3000s", dom)
	}
}
