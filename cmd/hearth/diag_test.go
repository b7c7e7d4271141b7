package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/diag"
	"github.com/hearth-fleet/hearth/sim"
)

// diagPoolPassword is the pool password of the test's desired state; no
// bundle may hold it.
const diagPoolPassword = "diag-pool-pw-77"

// A diagnostics bundle of a running fleet holds every promised part, each
// meaningful (the simulator's log lines, boards, history rows, the alert,
// the command), lists the part a firmware cannot give as unavailable, and
// holds no secret: through the CLI, the API, the drivers and the
// simulated firmware.
func TestDiagBundle(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "9", "--models", strings.Join([]string{sim.ModelS21, "bitaxe-gamma", sim.ModelAvalonNano3}, ","),
		"--poll-interval", "1s", "--rules-interval", "1s")
	byFamily := map[hearth.Family]string{}
	addresses := map[string]string{}
	for _, m := range listMiners(t, d).Miners {
		byFamily[m.Family] = m.ID
		addresses[m.ID] = m.Address
	}
	ant, axe, avalon := byFamily[hearth.FamilyAntminer], byFamily[hearth.FamilyAxeOS], byFamily[hearth.FamilyAvalon]
	if ant == "" || axe == "" || avalon == "" {
		t.Fatalf("fleet lacks a family: %v", byFamily)
	}

	// The simulated Antminer's own password, stored as a credential; a
	// desired pool with a password, which the reconciler journals as a
	// command; a one-off command in the audit log; an alert on the miner.
	apiJSON(t, d, "PUT", "/api/v1/credentials", map[string]any{"family": "antminer", "user": "root", "password": "root"}, nil)
	apiJSON(t, d, "PUT", "/api/v1/desired", map[string]any{"scope": map[string]any{"kind": "miner", "id": ant},
		"state": map[string]any{"pools": []map[string]any{{"url": "stratum+tcp://pool.hearth.test:3333", "user_pattern": "farm.diag", "password": diagPoolPassword}}}}, nil)
	rule := "groups:\n- name: diag\n  rules:\n  - alert: DiagMining\n    expr: mining_up == 1\n    annotations:\n      summary: '{{ $labels.miner }} is mining'\n"
	req, _ := http.NewRequest(http.MethodPut, d.URL+"/api/v1/rules/diag", strings.NewReader(rule))
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode > 299 {
		t.Fatalf("PUT rule file: %s", resp.Status)
	}
	eventually(t, ant+" online", func() bool { return showMiner(t, d, ant).Status.State == "online" })
	if r := doVerb(t, d, "locate-on", "--select", ant)[ant]; !r.OK {
		t.Fatalf("locate-on: %+v", r)
	}
	eventually(t, "the alert and the pool command to be recorded", func() bool {
		out, _, _ := runCLI(t, "alerts", "history", "--server", d.URL, "--json")
		return strings.Contains(out, "DiagMining") && strings.Contains(out, ant) &&
			strings.Contains(fetchString(t, d, "/api/v1/audit"), "set-pools")
	})

	dir := t.TempDir()
	bundle := func(t *testing.T, miner string) (map[string]string, diag.Manifest, string) {
		t.Helper()
		path := filepath.Join(dir, miner+".zip")
		out, errOut, code := runCLI(t, "diag", miner, "-o", path, "--server", d.URL, "--json")
		if code != 0 {
			t.Fatalf("diag %s: exit %d: %s", miner, code, errOut)
		}
		var saved diagSaved
		if err := json.Unmarshal([]byte(out), &saved); err != nil || saved.Path != path || saved.Bytes == 0 {
			t.Fatalf("diag --json: %v\n%s", err, out)
		}
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		files := map[string]string{}
		var all strings.Builder
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = string(b)
			all.Write(b)
		}
		for _, secret := range []string{diagPoolPassword, "root", d.Token} {
			if strings.Contains(all.String(), secret) {
				t.Errorf("the bundle of %s holds the secret %q", miner, secret)
			}
		}
		return files, saved.Manifest, all.String()
	}

	t.Run("antminer", func(t *testing.T) {
		// Named by its address, as a user reading a rack label would.
		files, m, _ := bundle(t, addresses[ant])
		if m.MinerID != ant {
			t.Fatalf("bundle of %s for %s", m.MinerID, addresses[ant])
		}
		for _, p := range m.Parts {
			if p.Status != diag.PartOK {
				t.Errorf("part %s: %s (%s)", p.Name, p.Status, p.Reason)
			}
		}
		if len(m.Parts) != len(diag.PartNames) {
			t.Errorf("manifest has %d parts, want %d", len(m.Parts), len(diag.PartNames))
		}
		checks := map[string][]string{
			diag.PartFirmwareLog:   {"bitmain_soc_init: Init done!"},
			diag.PartMiner:         {`"family": "antminer"`, `"model": "Antminer S21"`, `"address": "` + addresses[ant] + `"`},
			diag.PartLatest:        {`"boards"`, `"chip_temp_c"`, `"fans"`, `"pools"`},
			diag.PartHistory:       {"time,metric,labels,value", "mining_hash_rate,", "mining_board_chip_temperature_celsius,board="},
			diag.PartDesired:       {`"farm.diag"`, `"pools": {`, `"kind": "miner"`},
			diag.PartPools:         {`"observed"`, "pool.hearth.test"},
			diag.PartAlertsActive:  {"DiagMining"},
			diag.PartAlertsHistory: {"DiagMining", `"firing"`},
			diag.PartPollErrors:    {`"state": "online"`},
			diag.PartCommands:      {"set-pools", "locate-on", `"actor": "reconciler"`},
		}
		for part, wants := range checks {
			for _, want := range wants {
				if !strings.Contains(files[part], want) {
					t.Errorf("%s lacks %q:\n%.2000s", part, want, files[part])
				}
			}
		}
		if p := partOf(m, diag.PartFirmwareLog); p.Source == "" {
			t.Errorf("log part without its source: %+v", p)
		}
		if strings.Count(files[diag.PartHistory], "\n") < 3 {
			t.Errorf("history has no rows:\n%s", files[diag.PartHistory])
		}
	})
	t.Run("axeos", func(t *testing.T) {
		files, m, _ := bundle(t, axe)
		// The simulated Bitaxe runs AxeOS v2.9.0, older than the log
		// API: the manifest gives the driver's reason, and every other
		// part is there.
		for _, p := range m.Parts {
			switch {
			case p.Name == diag.PartFirmwareLog:
				if p.Status != diag.PartUnavailable || !strings.Contains(p.Reason, "/api/system/logs") {
					t.Errorf("axeos log part %+v, want unavailable with the firmware's reason", p)
				}
			case p.Status != diag.PartOK:
				t.Errorf("part %s: %s (%s)", p.Name, p.Status, p.Reason)
			}
		}
		if !strings.Contains(files[diag.PartLatest], `"boards"`) {
			t.Errorf("latest reading without boards:\n%s", files[diag.PartLatest])
		}
	})
	t.Run("avalon", func(t *testing.T) {
		files, m, _ := bundle(t, avalon)
		p := partOf(m, diag.PartFirmwareLog)
		if p.Status != diag.PartUnavailable || p.Code != hearth.EUNSUPPORTED || !strings.Contains(p.Reason, "logs") {
			t.Errorf("avalon log part %+v, want unavailable: unsupported", p)
		}
		if _, ok := files[diag.PartFirmwareLog]; ok {
			t.Error("an unavailable part is in the archive")
		}
		if !strings.Contains(files[diag.PartLatest], `"boards"`) {
			t.Errorf("the rest of the bundle is missing: %v", m.Parts)
		}
	})
	t.Run("table", func(t *testing.T) {
		// Into a directory, under the server's name.
		into := t.TempDir()
		out, errOut, code := runCLI(t, "diag", avalon, "-o", into, "--server", d.URL)
		if code != 0 || !strings.Contains(out, "logs/firmware.log") || !strings.Contains(out, "unavailable") || !strings.Contains(out, "saved ") {
			t.Errorf("diag table: exit %d\n%s%s", code, out, errOut)
		}
		if saved, _ := filepath.Glob(filepath.Join(into, "hearth-diag-"+avalon+"-*Z.zip")); len(saved) != 1 {
			t.Errorf("saved under the server's name: %v", saved)
		}
		if left, _ := filepath.Glob(filepath.Join(into, ".hearth-diag-*")); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, errOut, code := runCLI(t, "diag", "no-such-miner", "-o", filepath.Join(dir, "x.zip"), "--server", d.URL)
		if code == 0 || !strings.Contains(errOut, "no-such-miner") {
			t.Errorf("unknown miner: exit %d %s", code, errOut)
		}
	})
}

func TestDiagHelp(t *testing.T) {
	_, errOut, code := runCLI(t, "diag", "--help")
	if code != 0 || !strings.Contains(errOut, "hearth diag MINER") || !strings.Contains(errOut, "-o") {
		t.Errorf("diag --help: exit %d\n%s", code, errOut)
	}
}

func partOf(m diag.Manifest, name string) diag.Part {
	for _, p := range m.Parts {
		if p.Name == name {
			return p
		}
	}
	return diag.Part{}
}

// fetchString GETs path from the demo with its token and returns the body.
func fetchString(t *testing.T, d *demo, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
