package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/sim"
)

// doVerb runs 'hearth miners do' and returns its per-miner results.
func doVerb(t *testing.T, d *demo, args ...string) map[string]hearth.ActionResult {
	t.Helper()
	out, errOut, _ := runCLI(t, append([]string{"miners", "do", "--server", d.URL, "--token", d.Token, "--json"}, args...)...)
	var e hearth.AuditEntry
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("miners do %v: %v\n%s%s", args, err, out, errOut)
	}
	res := map[string]hearth.ActionResult{}
	for _, r := range e.Results {
		res[r.MinerID] = r
	}
	return res
}

// showMiner returns a miner with its latest reading.
func showMiner(t *testing.T, d *demo, id string) hearthhttp.MinerView {
	t.Helper()
	out, errOut, code := runCLI(t, "miners", "show", id, "--server", d.URL, "--json")
	if code != 0 {
		t.Fatalf("show %s: %s", id, errOut)
	}
	var m hearthhttp.MinerView
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// eventually polls cond until it holds or 20 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("%s: not within 20 s", what)
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// Every verb works end to end for the families that support it — CLI,
// API, driver, the simulated firmware, and the next poll showing the
// change — and answers unsupported for the others.
func TestControlVerbsEndToEnd(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "10", "--models", "s21,bitaxe-gamma", "--poll-interval", "1s")
	list := listMiners(t, d)
	var ant, axeNew, axeOld string
	for _, m := range list.Miners {
		switch {
		case m.Family == hearth.FamilyAntminer && ant == "":
			ant = m.ID
		case m.Family == hearth.FamilyAxeOS && strings.HasSuffix(m.Firmware, "v2.14.0") && axeNew == "":
			axeNew = m.ID
		case m.Family == hearth.FamilyAxeOS && strings.HasSuffix(m.Firmware, "v2.9.0") && axeOld == "":
			axeOld = m.ID
		}
	}
	if ant == "" || axeNew == "" || axeOld == "" {
		t.Fatalf("fleet lacks an Antminer, an AxeOS v2.14 and an AxeOS v2.9 miner: %q %q %q", ant, axeNew, axeOld)
	}
	both := ant + "," + axeNew
	ok := func(res map[string]hearth.ActionResult, ids ...string) {
		t.Helper()
		for _, id := range ids {
			if r, found := res[id]; !found || !r.OK {
				t.Errorf("%s: %+v", id, r)
			}
		}
	}

	// set-pools: the next polls show the new pool first.
	res := doVerb(t, d, "set-pools", "--select", both,
		"--pool", "stratum+tcp://pool.hearth.test:3333,farm.w1,s3cret", "--pool", "stratum+tcp://backup.hearth.test:3333,farm.w1")
	ok(res, ant, axeNew)
	for _, id := range []string{ant, axeNew} {
		eventually(t, id+" shows the new pool", func() bool {
			m := showMiner(t, d, id)
			return m.Latest != nil && len(m.Latest.Pools) > 0 && m.Latest.Pools[0].URL == "stratum+tcp://pool.hearth.test:3333"
		})
	}

	// pause: no hash rate; resume: hashing again.
	ok(doVerb(t, d, "pause", "--select", both), ant, axeNew)
	for _, id := range []string{ant, axeNew} {
		eventually(t, id+" paused", func() bool {
			m := showMiner(t, d, id)
			return m.Status.State == "online" && m.Latest != nil && m.Latest.HashRate == 0
		})
	}
	ok(doVerb(t, d, "resume", "--select", both), ant, axeNew)
	for _, id := range []string{ant, axeNew} {
		eventually(t, id+" resumed", func() bool {
			m := showMiner(t, d, id)
			return m.Latest != nil && m.Latest.HashRate > 0
		})
	}

	// power-target: each family's mechanism, reported.
	res = doVerb(t, d, "power-target", "--watts", "2000", "--select", ant)
	if p := res[ant].Power; !res[ant].OK || p == nil || p.Mechanism != "mode" || p.Value != "low-power" {
		t.Errorf("Antminer power target: %+v %+v", res[ant], p)
	}
	res = doVerb(t, d, "power-target", "--watts", "10", "--select", axeNew)
	if p := res[axeNew].Power; !res[axeNew].OK || p == nil || p.Mechanism != "frequency" || p.Watts <= 0 || p.Watts > 15 {
		t.Errorf("Bitaxe power target: %+v %+v", res[axeNew], p)
	}

	// fan-mode: a fixed speed shows in the Bitaxe's next readings.
	ok(doVerb(t, d, "fan-mode", "--fan", "70", "--select", both), ant, axeNew)
	eventually(t, axeNew+" fan at 70 %", func() bool {
		m := showMiner(t, d, axeNew)
		return m.Latest != nil && len(m.Latest.Fans) > 0 && m.Latest.Fans[0].Percent == 70
	})
	ok(doVerb(t, d, "fan-mode", "--fan", "auto", "--select", both), ant, axeNew)

	// locate on and off.
	ok(doVerb(t, d, "locate-on", "--select", both), ant, axeNew)
	ok(doVerb(t, d, "locate-off", "--select", both), ant, axeNew)

	// Unsupported verbs are said to be so, per miner.
	res = doVerb(t, d, "restart", "--select", both)
	for _, id := range []string{ant, axeNew} {
		if res[id].OK || res[id].Code != hearth.EUNSUPPORTED {
			t.Errorf("restart on %s: %+v", id, res[id])
		}
	}
	res = doVerb(t, d, "pause", "--select", axeOld)
	if r := res[axeOld]; r.OK || r.Code != hearth.EUNSUPPORTED || !strings.Contains(r.Error, "2.14") {
		t.Errorf("pause on AxeOS v2.9: %+v", r)
	}

	// logs: the Antminer's log names its boards and the pool set above;
	// AxeOS before v2.15 has no log to fetch, and says so.
	out, errOut, code := runCLI(t, "miners", "logs", ant, "--server", d.URL)
	if code != 0 || !strings.Contains(out, "find 108 asic") || !strings.Contains(out, "pool.hearth.test") {
		t.Errorf("logs of %s (exit %d): %s %s", ant, code, out, errOut)
	}
	if _, errOut, code := runCLI(t, "miners", "logs", axeNew, "--server", d.URL); code == 0 || !strings.Contains(errOut, "v2.15.0") {
		t.Errorf("logs of AxeOS v2.14 (exit %d): %s", code, errOut)
	}

	// reboot: the miner drops off and comes back with its uptime reset.
	before := showMiner(t, d, ant).Latest.Uptime
	ok(doVerb(t, d, "reboot", "--select", ant), ant)
	eventually(t, ant+" back after reboot", func() bool {
		m := showMiner(t, d, ant)
		return m.Status.State == "online" && m.Latest != nil && m.Latest.Uptime < before && m.Latest.Uptime < time.Minute
	})

	// The audit log has every action, without the pool password; reading
	// logs changes nothing and is not in it.
	out, errOut, code = runCLI(t, "audit", "--server", d.URL, "--json", "--limit", "50")
	if code != 0 {
		t.Fatalf("audit: %s", errOut)
	}
	if strings.Contains(out, "s3cret") {
		t.Error("the pool password is in the audit log")
	}
	var audit hearthhttp.AuditList
	if err := json.Unmarshal([]byte(out), &audit); err != nil || len(audit.Entries) != 12 {
		t.Errorf("audit has %d entries, want 12: %v", len(audit.Entries), err)
	}
}

// A stored credential reaches the firmware: a wrong password for one
// miner makes its writes fail with an auth error while the rest of the
// fleet uses the default; removing it restores control. The password is
// never shown again.
func TestCredentialsReachTheMiner(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "4", "--models", "s21", "--poll-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	if _, errOut, code := runCLI(t, append([]string{"credentials", "set", "--family", "antminer", "--miner", "sim-00001", "--user", "root", "--password", "not-the-password"}, c...)...); code != 0 {
		t.Fatalf("set: %s", errOut)
	}
	res := doVerb(t, d, "locate-on", "--select", "sim-00000,sim-00001")
	if !res["sim-00000"].OK {
		t.Errorf("default credentials: %+v", res["sim-00000"])
	}
	if r := res["sim-00001"]; r.OK || r.Code != hearth.EAUTH || strings.Contains(r.Error, "not-the-password") {
		t.Errorf("wrong stored password: %+v", r)
	}
	out, _, _ := runCLI(t, append([]string{"credentials", "list", "--json"}, c...)...)
	if strings.Contains(out, "not-the-password") || !strings.Contains(out, "sim-00001") {
		t.Errorf("list: %s", out)
	}
	if _, errOut, code := runCLI(t, append([]string{"credentials", "remove", "--family", "antminer", "--miner", "sim-00001"}, c...)...); code != 0 {
		t.Fatalf("remove: %s", errOut)
	}
	if r := doVerb(t, d, "locate-on", "--select", "sim-00001")["sim-00001"]; !r.OK {
		t.Errorf("after removing the credential: %+v", r)
	}
}

// LuxOS through hearth: identified by the demo's scan, curtailed and
// woken, and given a power target through its profiles.
func TestLuxOSThroughHearth(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "2", "--models", "s21-luxos", "--poll-interval", "1s")
	m := showMiner(t, d, "sim-00000")
	if m.Family != hearth.FamilyLuxOS || !strings.HasPrefix(m.Firmware, "LuxOS ") {
		t.Fatalf("identified as %s %q", m.Family, m.Firmware)
	}
	eventually(t, "measured power", func() bool {
		m := showMiner(t, d, "sim-00000")
		return m.Latest != nil && m.Latest.Power > 0 && !m.Latest.PowerEstimated
	})
	if r := doVerb(t, d, "pause", "--select", "sim-00000")["sim-00000"]; !r.OK {
		t.Fatalf("pause: %+v", r)
	}
	eventually(t, "curtailed", func() bool {
		m := showMiner(t, d, "sim-00000")
		return m.Latest != nil && m.Latest.HashRate == 0
	})
	if r := doVerb(t, d, "resume", "--select", "sim-00000")["sim-00000"]; !r.OK {
		t.Fatalf("resume: %+v", r)
	}
	r := doVerb(t, d, "power-target", "--watts", "2500", "--select", "sim-00000")["sim-00000"]
	if !r.OK || r.Power == nil || r.Power.Mechanism != "profile" || r.Power.Watts > 2500 || r.Power.Watts <= 0 {
		t.Errorf("power target: %+v %+v", r, r.Power)
	}
	eventually(t, "the profile's power", func() bool {
		m := showMiner(t, d, "sim-00000")
		return m.Latest != nil && m.Latest.HashRate > 0 && m.Latest.Power > 0 && m.Latest.Power <= 2600
	})
}

// Stored credentials reach polls and identification too: Braiins OS needs
// a login for every read, so a wrong fleet-wide password takes its miners
// offline with an auth error and keeps a new one from being identified;
// removing it brings both back.
func TestCredentialsReachPollsAndIdentification(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "2", "--models", sim.ModelS21BOS, "--poll-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	for _, m := range listMiners(t, d).Miners {
		if m.Family != hearth.FamilyBraiins {
			t.Fatalf("%s is %s, want braiins", m.ID, m.Family)
		}
	}
	miner := showMiner(t, d, "sim-00000")
	if _, errOut, code := runCLI(t, append([]string{"miners", "remove", "sim-00001"}, c...)...); code != 0 {
		t.Fatalf("remove: %s", errOut)
	}
	if _, errOut, code := runCLI(t, append([]string{"credentials", "set", "--family", "braiins", "--user", "root", "--password", "wrong"}, c...)...); code != 0 {
		t.Fatalf("set: %s", errOut)
	}
	eventually(t, "polls fail to log in", func() bool {
		st := showMiner(t, d, miner.ID).Status
		return st.State == "offline" && st.ErrorCode == hearth.EAUTH
	})
	add := append([]string{"miners", "add", "127.1.0.2", "--port", fmt.Sprint(miner.Port), "--api-port", fmt.Sprint(miner.APIPort)}, c...)
	if _, errOut, code := runCLI(t, add...); code == 0 || !strings.Contains(strings.ToLower(errOut), "auth") && !strings.Contains(errOut, "password") && !strings.Contains(errOut, "credentials") {
		t.Errorf("add with a wrong stored password: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, append([]string{"credentials", "remove", "--family", "braiins"}, c...)...); code != 0 {
		t.Fatalf("remove credential: %s", errOut)
	}
	eventually(t, "polls log in again", func() bool { return showMiner(t, d, miner.ID).Status.State == "online" })
	if out, errOut, code := runCLI(t, append(add, "--json")...); code != 0 || !strings.Contains(out, `"braiins"`) {
		t.Errorf("add after removing the credential: exit %d: %s %s", code, out, errOut)
	}
}
