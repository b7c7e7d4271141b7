package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/sim"
)

// A named profile set on a site's desired state with --power profile:NAME
// brings each simulated miner to the watts of its model, through the real
// Braiins OS driver and firmware simulator; the profile shows what uses it
// and cannot be removed while it is used.
func TestProfilesConverge(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "4", "--models", sim.ModelS21BOS+","+sim.ModelS19jProBOS, "--site", "barn", "--poll-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	want := map[string]float64{"Antminer S21": 3000, "Antminer S19j Pro": 2600}
	models := map[string]string{}
	for _, m := range listMiners(t, d).Miners {
		if _, ok := want[m.Model]; !ok {
			t.Fatalf("%s is a %q; the test expects an S21 or S19j Pro", m.ID, m.Model)
		}
		models[m.ID] = m.Model
	}
	if len(models) != 4 {
		t.Fatalf("%d miners, want 4", len(models))
	}

	out, errOut, code := runCLI(t, append([]string{"profiles", "set", "eco", "--mode", "eco", "--watts", "1000",
		"--model-watts", "Antminer S21=3000", "--model-watts", "Antminer S19j Pro=2600", "--description", "cheap hours"}, c...)...)
	if code != 0 || !strings.Contains(out, "Antminer S21") {
		t.Fatalf("profiles set exited %d: %s%s", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, append([]string{"desired", "set", "--site", "barn", "--power", "profile:eco"}, c...)...); code != 0 {
		t.Fatalf("desired set exited %d: %s%s", code, out, errOut)
	}

	eventually(t, "every miner at its model's watts", func() bool {
		var rep hearthhttp.DriftReport
		apiJSON(t, d, "GET", "/api/v1/drift?all=true", nil, &rep)
		synced := 0
		for _, dr := range rep.Miners {
			if dr.InSync && dr.Commands > 0 {
				synced++
			}
		}
		if synced < len(models) {
			return false
		}
		for id, model := range models {
			r := showMiner(t, d, id).Latest
			if r == nil || r.PowerLimit != want[model] || r.Power <= 0 || r.Power > want[model]*1.05 {
				return false
			}
		}
		return true
	})
	for id, model := range models {
		if r := showMiner(t, d, id).Latest; r == nil {
			t.Errorf("%s (%s): no reading", id, model)
		} else if r.PowerLimit != want[model] {
			t.Errorf("%s (%s): power target %v W (drawing %v W), want %v W", id, model, r.PowerLimit, r.Power, want[model])
		}
	}

	// show and list say what uses the profile; remove is refused.
	out, errOut, code = runCLI(t, append([]string{"profiles", "show", "eco"}, c...)...)
	if code != 0 || !strings.Contains(out, "site barn") || !strings.Contains(out, "watts of Antminer S19j Pro") {
		t.Errorf("profiles show exited %d: %s%s", code, out, errOut)
	}
	out, _, _ = runCLI(t, append([]string{"profiles", "list", "--json"}, c...)...)
	var list hearthhttp.ProfileList
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Profiles) != 1 || strings.Join(list.Profiles[0].UsedBy, ",") != "site barn" {
		t.Errorf("profiles list --json: %v %s", err, out)
	}
	_, errOut, code = runCLI(t, append([]string{"profiles", "remove", "eco"}, c...)...)
	if code == 0 || !strings.Contains(errOut, "site barn") {
		t.Errorf("removing a profile in use: exit %d: %s", code, errOut)
	}

	// The /profiles page shows the profile, its watts per model and its
	// user, and offers no delete while it is used.
	shot := ""
	if dir := os.Getenv("HEARTH_SCREENSHOTS"); dir != "" {
		shot = filepath.Join(dir, "profiles.png")
	}
	dom := render(t, d.URL+"/profiles", shot)
	row := regexp.MustCompile(`(?s)<tr[^>]*data-profile="eco"[^>]*>(.*?)</tr>`).FindStringSubmatch(dom)
	if row == nil {
		t.Fatalf("no row for profile eco on /profiles:\n%.3000s", dom)
	}
	for _, want := range []string{`data-col="mode">eco<`, `data-col="watts" data-value="1000"`, "Antminer S19j Pro=2600, Antminer S21=3000",
		`data-col="used_by" data-count="1">site barn<`, "cheap hours", `data-action="delete" disabled`} {
		if !strings.Contains(row[1], want) {
			t.Errorf("eco's row lacks %q:\n%s", want, row[1])
		}
	}

	// A profile that names no watts for a model is that miner's drift.
	if _, errOut, code := runCLI(t, append([]string{"profiles", "set", "eco", "--mode", "eco", "--model-watts", "Antminer S21=3000"}, c...)...); code != 0 {
		t.Fatalf("profiles set: %s", errOut)
	}
	eventually(t, "the S19j Pros drift for want of watts", func() bool {
		var rep hearthhttp.DriftReport
		apiJSON(t, d, "GET", "/api/v1/drift", nil, &rep)
		n := 0
		for _, dr := range rep.Miners {
			if models[dr.MinerID] == "Antminer S19j Pro" && dr.LastErrorCode == hearth.EINVALID && strings.Contains(dr.LastError, `"Antminer S19j Pro"`) {
				n++
			}
		}
		return n == 2
	})

	if _, errOut, code := runCLI(t, append([]string{"desired", "remove", "--site", "barn"}, c...)...); code != 0 {
		t.Fatalf("desired remove: %s", errOut)
	}
	if out, errOut, code := runCLI(t, append([]string{"profiles", "remove", "eco"}, c...)...); code != 0 || !strings.Contains(out, "removed profile eco") {
		t.Errorf("removing an unused profile: exit %d: %s%s", code, out, errOut)
	}
}

func TestProfilesUsage(t *testing.T) {
	out, _, code := runCLI(t, "profiles", "--help")
	if code != 0 || !strings.Contains(out, "--model-watts") {
		t.Errorf("profiles --help: exit %d: %s", code, out)
	}
	if _, errOut, code := runCLI(t, "profiles", "set", "eco", "--model-watts", "S21", "--server", "http://127.0.0.1:1"); code != 2 || !strings.Contains(errOut, "MODEL=WATTS") {
		t.Errorf("bad --model-watts: exit %d: %s", code, errOut)
	}
	if _, _, code := runCLI(t, "profiles", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
