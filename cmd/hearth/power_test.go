package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/sim"
)

// An operator limits a site with `hearth power override`: the simulated
// Braiins OS miners, least efficient first, curtail until the site's
// measured power is under the limit; the target and measured power are
// charted; clearing the override brings the site back to full power.
func TestPowerOverrideHoldsASiteUnderItsLimit(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "4", "--models", sim.ModelS21BOS+","+sim.ModelS19jProBOS, "--site", "barn",
		"--poll-interval", "1s", "--power-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	sitePower := func() (total float64, byModel map[string]float64, ok bool) {
		byModel = map[string]float64{}
		for _, m := range listMiners(t, d).Miners {
			r := showMiner(t, d, m.ID).Latest
			if r == nil {
				return 0, nil, false
			}
			total += r.Power
			byModel[m.Model] += r.Power
		}
		return total, byModel, true
	}
	var full float64
	eventually(t, "four miners mining", func() bool {
		if len(listMiners(t, d).Miners) < 4 {
			return false
		}
		total, _, ok := sitePower()
		full = total
		return ok && total > 10_000
	})

	out, errOut, code := runCLI(t, append([]string{"power", "override", "barn", "--limit-kw", "8", "--for", "10m", "--reason", "storm", "--json"}, c...)...)
	if code != 0 {
		t.Fatalf("power override exited %d: %s%s", code, out, errOut)
	}
	var o hearth.PowerRequest
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Source != hearth.SourceOverride || o.LimitWatts != 8000 {
		t.Fatalf("override %s: %v", out, err)
	}

	var status hearthhttp.PowerReport
	eventually(t, "barn under 8 kW, as the controller reports", func() bool {
		total, _, ok := sitePower()
		out, _, _ := runCLI(t, append([]string{"power", "status", "--json"}, c...)...)
		if err := json.Unmarshal([]byte(out), &status); err != nil || len(status.Sites) != 1 {
			return false
		}
		return ok && total <= 8000*1.03 && status.Sites[0].State == "reached"
	})
	st := status.Sites[0]
	if st.Request == nil || st.Request.ID != o.ID || st.TargetWatts == nil || *st.TargetWatts != 8000 || st.Sleeping+st.Trimmed == 0 {
		t.Errorf("status %+v", st)
	}
	_, byModel, _ := sitePower()
	if byModel["Antminer S19j Pro"] >= byModel["Antminer S21"] {
		t.Errorf("power by model %v: the less efficient S19j Pros should have been shed first", byModel)
	}
	out, _, _ = runCLI(t, append([]string{"power", "status"}, c...)...)
	if !strings.Contains(out, "reached") || !strings.Contains(out, "override "+o.ID) || !strings.Contains(out, "storm") {
		t.Errorf("power status:\n%s", out)
	}

	// The target and measured power are series the page charts.
	var res struct {
		Data struct {
			Result []struct {
				Value []any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	apiJSON(t, d, "GET", "/prometheus/api/v1/query?query="+metrics.MetricSitePowerTarget+`{site="barn"}`, nil, &res)
	if len(res.Data.Result) != 1 || res.Data.Result[0].Value[1] != "8000" {
		t.Errorf("target series %+v, want 8000", res.Data.Result)
	}

	if out, errOut, code := runCLI(t, append([]string{"power", "clear", "barn", o.ID}, c...)...); code != 0 {
		t.Fatalf("power clear exited %d: %s%s", code, out, errOut)
	}
	eventually(t, "barn back at full power", func() bool {
		total, _, ok := sitePower()
		return ok && total >= full*0.95
	})
}

// A restart in the middle of an event resumes it from the store: the
// simulated miners, woken by hand while hearth was down (a power glitch
// that rebooted them, say), are curtailed again by the restarted hearth.
func TestPowerEventResumesAfterRestart(t *testing.T) {
	t.Parallel()
	port := func() int { p, _ := strconv.Atoi(freePort(t)); return p }
	grpc := port()
	s, err := sim.New(sim.Config{Miners: 4, Models: []string{sim.ModelS21BOS, sim.ModelS19jProBOS}, RPCPort: port(), HTTPPort: port(),
		WhatsminerV3Port: grpc, GRPCPort: grpc})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data, listen := t.TempDir(), "127.0.0.1:"+freePort(t)
	args := []string{"--data", data, "--listen", listen, "--poll-interval", "1s", "--power-interval", "1s"}
	first, stop := startServeArgs(t, args...)
	token, _ := first["admin_token"].(string)
	d := &demo{URL: first["url"].(string), Token: token}
	c := []string{"--server", d.URL, "--token", token}
	for _, mi := range s.Miners() {
		if out, errOut, code := runCLI(t, append([]string{"miners", "add", mi.Address.String(), "--port", strconv.Itoa(mi.Port),
			"--api-port", strconv.Itoa(grpc), "--family", "braiins", "--site", "barn", "--id", mi.Name}, c...)...); code != 0 {
			t.Fatalf("miners add: %s%s", out, errOut)
		}
	}
	sitePower := func() (float64, bool) {
		total := 0.0
		for _, mi := range s.Miners() {
			r := showMiner(t, d, mi.Name).Latest
			if r == nil {
				return 0, false
			}
			total += r.Power
		}
		return total, true
	}
	var full float64
	eventually(t, "four miners mining", func() bool {
		w, ok := sitePower()
		full = w
		return ok && w > 10_000
	})
	if out, errOut, code := runCLI(t, append([]string{"power", "override", "barn", "--shed", "100", "--for", "30m", "--reason", "grid emergency"}, c...)...); code != 0 {
		t.Fatalf("power override: %s%s", out, errOut)
	}
	eventually(t, "barn curtailed", func() bool { w, ok := sitePower(); return ok && w < full*0.05 })
	stop()

	// While hearth is down the miners are woken at the firmware.
	br, err := driver.Lookup(hearth.FamilyBraiins)
	if err != nil {
		t.Fatal(err)
	}
	for _, mi := range s.Miners() {
		if err := br.Resume(context.Background(), mi.Target()); err != nil {
			t.Fatalf("resume %s at the firmware: %v", mi.Name, err)
		}
	}

	_, stop = startServeArgs(t, args...)
	defer stop()
	var woke bool
	eventually(t, "barn curtailed again after the restart", func() bool {
		w, ok := sitePower()
		if ok && w > full*0.5 {
			woke = true
		}
		return ok && woke && w < full*0.05
	})
	out, _, _ := runCLI(t, append([]string{"power", "status", "--json"}, c...)...)
	var rep hearthhttp.PowerReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Sites) != 1 || rep.Sites[0].Request == nil || rep.Sites[0].Request.Reason != "grid emergency" {
		t.Errorf("after the restart: %s", out)
	}
}
