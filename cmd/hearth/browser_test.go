package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// chromium returns the headless browser the test command installs. It
// fails rather than skips when there is none: the browser test is part of
// the suite.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HEARTH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: run the tests with ./scripts/test, which installs it, or set HEARTH_CHROMIUM")
	return ""
}

// render loads url in headless Chromium, lets its scripts run, and returns
// the resulting DOM; it also writes a screenshot next to it.
func render(t *testing.T, url, shot string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--window-size=1280,900", "--virtual-time-budget=8000"}
	run := func(extra ...string) []byte {
		args := append(append([]string{"--user-data-dir=" + t.TempDir()}, base...), extra...)
		out, err := exec.CommandContext(ctx, chromium(t), append(args, url)...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", extra, err)
		}
		return out
	}
	dom := string(run("--dump-dom"))
	if shot != "" {
		run("--screenshot=" + shot)
	}
	return dom
}

// 'hearth demo' shows the fleet in a browser: the fleet table fills with
// every miner from the API, and a miner's page draws its charts from the
// Prometheus-compatible API.
func TestDemoShowsFleetInBrowser(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "12", "--poll-interval", "1s", "--faults", "5:offline")
	// A few polls, so that there is history to chart.
	time.Sleep(6 * time.Second)
	shots := t.TempDir()
	if dir := os.Getenv("HEARTH_SCREENSHOTS"); dir != "" {
		shots = dir
	}

	dom := render(t, d.URL+"/", filepath.Join(shots, "fleet.png"))
	if !strings.Contains(dom, `id="fleet"`) {
		t.Fatalf("no fleet table in the page:\n%.2000s", dom)
	}
	rows := regexp.MustCompile(`<tr[^>]*data-miner-id="(sim-\d{5})"[^>]*>`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 12 {
		t.Fatalf("fleet table has %d miner rows, want 12", len(rows))
	}
	states := map[string]string{}
	for _, r := range regexp.MustCompile(`<tr[^>]*data-miner-id="(sim-\d{5})"[^>]*data-state="(\w+)"|<tr[^>]*data-state="(\w+)"[^>]*data-miner-id="(sim-\d{5})"`).FindAllStringSubmatch(dom, -1) {
		if r[1] != "" {
			states[r[1]] = r[2]
		} else {
			states[r[4]] = r[3]
		}
	}
	for id, st := range states {
		want := "online"
		if id == "sim-00005" {
			want = "offline"
		}
		if st != want {
			t.Errorf("%s shows %s, want %s", id, st, want)
		}
	}
	if len(states) != 12 {
		t.Errorf("states of %d rows read: %v", len(states), states)
	}
	if m := regexp.MustCompile(`id="fleet-total-hashrate"[^>]*>([^<]*)<`).FindStringSubmatch(dom); m == nil || !strings.Contains(m[1], "H/s") {
		t.Errorf("fleet total hash rate not shown: %v", m)
	}
	// Under the table, the metrics' disk use by tier, as hearth status
	// gives it.
	if m := regexp.MustCompile(`<p id="fleet-storage"[^>]*>.*?id="fleet-storage-raw">(raw [0-9.]+ [KMG]?i?B since [^<]+, kept 30 days)<.*?id="fleet-storage-rollup">(5-minute rollups [0-9.]+ [KMG]?i?B[^<]*, kept 548 days)<`).FindStringSubmatch(dom); m == nil {
		t.Errorf("metrics disk use not shown under the fleet table:\n%s", regexp.MustCompile(`(?s)<p id="fleet-storage".*?</p>`).FindString(dom))
	} else if strings.Contains(regexp.MustCompile(`(?s)<p id="fleet-storage"[^>]*>`).FindString(dom), "hidden") {
		t.Error("metrics disk use is hidden")
	}

	dom = render(t, d.URL+"/miners/sim-00001", filepath.Join(shots, "miner.png"))
	for _, chart := range []string{"chart-hashrate", "chart-power", "chart-temperature"} {
		m := regexp.MustCompile(`id="` + chart + `"[^>]*data-state="(\w+)"|data-state="(\w+)"[^>]*id="` + chart + `"`).FindStringSubmatch(dom)
		if m == nil || (m[1] != "drawn" && m[2] != "drawn") {
			t.Errorf("%s not drawn: %v", chart, m)
		}
	}
	if !regexp.MustCompile(`data-board-index="0"`).MatchString(dom) {
		t.Error("miner page lists no boards")
	}

	// An air-cooled Antminer's page names its four fans by position, as
	// the fan label of its metrics does.
	var antminer string
	for _, m := range listMiners(t, d).Miners {
		if m.Model == "Antminer S21" || m.Model == "Antminer S19j Pro" || m.Model == "Antminer S21 XP" {
			antminer = m.ID
			break
		}
	}
	if antminer == "" {
		t.Fatal("the demo fleet has no air-cooled Antminer")
	}
	dom = render(t, d.URL+"/miners/"+antminer, "")
	var fans []string
	for _, m := range regexp.MustCompile(`<tr[^>]*data-fan="([^"]+)"[^>]*>\s*<td[^>]*>([^<]*)<`).FindAllStringSubmatch(dom, -1) {
		if m[1] != m[2] {
			t.Errorf("fan row data-fan %q shows %q", m[1], m[2])
		}
		fans = append(fans, m[2])
	}
	if !slices.Equal(fans, []string{"fan1", "fan2", "fan3", "fan4"}) {
		t.Errorf("%s's page names its fans %q, want fan1..fan4", antminer, fans)
	}
}
