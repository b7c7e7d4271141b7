package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// elementAttrs returns the attributes of the element with the given id in
// a DOM dump (nil when there is none) and its text up to the first tag.
func elementAttrs(dom, id string) (map[string]string, string) {
	m := regexp.MustCompile(`<(\w+)([^>]*\sid="` + regexp.QuoteMeta(id) + `"[^>]*)>([^<]*)`).FindStringSubmatch(dom)
	if m == nil {
		return nil, ""
	}
	attrs := map[string]string{}
	for _, a := range regexp.MustCompile(`([\w-]+)="([^"]*)"`).FindAllStringSubmatch(m[2], -1) {
		attrs[a[1]] = a[2]
	}
	return attrs, m[3]
}

// The fleet page shows how many miners have converged to their desired
// state, and each miner's drift; the miner page shows the drift in full.
// Before any desired state is set there is nothing to converge to, and
// the card shows a dash rather than "all in sync".
func TestDemoShowsDriftInBrowser(t *testing.T) {
	t.Parallel()
	const n = 6
	d := startDemo(t, "--miners", "6", "--models", "s21", "--site", "barn", "--poll-interval", "1s")
	shots := t.TempDir()
	if dir := os.Getenv("HEARTH_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	var rep hearthhttp.DriftReport
	eventually(t, "every miner compared once", func() bool {
		apiJSON(t, d, "GET", "/api/v1/drift?all=true", nil, &rep)
		return len(rep.Miners) == n
	})

	dom := render(t, d.URL+"/", "")
	card, text := elementAttrs(dom, "fleet-converged")
	if card == nil || card["data-total"] != "" || strings.Contains(text, " of ") {
		t.Errorf("converged card without a desired state: %v %q", card, text)
	}
	if got := len(regexp.MustCompile(`data-drift="none"`).FindAllString(dom, -1)); got != n {
		t.Errorf("%d rows show no drift without a desired state, want %d", got, n)
	}

	changed := time.Now()
	if out, errOut, code := runCLI(t, "desired", "set", "--server", d.URL, "--token", d.Token, "--site", "barn",
		"--pool", "stratum+tcp://pool.hearth.test:3333,farm.{site},x"); code != 0 {
		t.Fatalf("desired set exited %d: %s%s", code, out, errOut)
	}
	eventually(t, "every miner converged", func() bool {
		apiJSON(t, d, "GET", "/api/v1/drift?all=true", nil, &rep)
		in := 0
		for _, m := range rep.Miners {
			if m.InSync && m.LastError == "" && m.Commands == 1 && m.CheckedAt.After(changed) {
				in++
			}
		}
		return in == n
	})

	dom = render(t, d.URL+"/", filepath.Join(shots, "fleet-drift.png"))
	card, text = elementAttrs(dom, "fleet-converged")
	if card == nil || card["data-in-sync"] != "6" || card["data-total"] != "6" || strings.TrimSpace(text) != "6 of 6" {
		t.Errorf("converged card: %v %q, want 6 of 6", card, text)
	}
	if got := len(regexp.MustCompile(`data-drift="in_sync"`).FindAllString(dom, -1)); got != n {
		t.Errorf("%d rows show in sync, want %d", got, n)
	}

	dom = render(t, d.URL+"/miners/sim-00002", filepath.Join(shots, "miner-drift.png"))
	panel, _ := elementAttrs(dom, "miner-drift")
	if panel == nil || panel["data-drift"] != "in_sync" {
		t.Errorf("miner drift panel: %v", panel)
	}
	if cmds, text := elementAttrs(dom, "miner-drift-commands"); cmds == nil || cmds["data-value"] != "1" || text != "1" {
		t.Errorf("commands sent: %v %q, want 1", cmds, text)
	}
	if checked, _ := elementAttrs(dom, "miner-drift-checked"); checked == nil || checked["data-value"] == "" {
		t.Errorf("last checked not shown: %v", checked)
	} else if at, err := time.Parse(time.RFC3339Nano, checked["data-value"]); err != nil || at.Before(changed) {
		t.Errorf("last checked %q (%v), want after the change at %s", checked["data-value"], err, changed)
	}
}
