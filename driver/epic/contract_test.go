package epic_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/epic"
)

func TestRegistered(t *testing.T) {
	d, err := driver.Lookup(hearth.FamilyEPIC)
	if err != nil {
		t.Fatal(err)
	}
	if d.Family() != hearth.FamilyEPIC || d.DefaultPort() != 4028 {
		t.Errorf("family %q port %d, want epic 4028", d.Family(), d.DefaultPort())
	}
	caps := d.Capabilities()
	for _, c := range []hearth.Capability{hearth.CapPower, hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs} {
		if !slices.Contains(caps, c) {
			t.Errorf("capabilities %v lack %s", caps, c)
		}
	}
	if slices.Contains(caps, hearth.CapPowerTarget) {
		t.Errorf("capabilities %v claim power_target, which the driver refuses", caps)
	}
}

func TestPollS19XP(t *testing.T) {
	target := newMiner(t, umcRoutes(t))
	r, err := epic.New().Poll(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 0 {
		t.Errorf("PollErrors = %v", r.PollErrors)
	}
	// HBs[].Hashrate[0] is MH/s: 49 440 724 + 49 925 124 MH/s = 99.37 TH/s.
	if want := (49440724.0 + 49925124.0) * 1e6; !near(r.HashRate, want) {
		t.Errorf("HashRate = %g H/s, want %g", r.HashRate, want)
	}
	if want := 90071990.0 * 1e6; !near(r.HashRateAvg, want) {
		t.Errorf("HashRateAvg = %g, want %g", r.HashRateAvg, want)
	}
	if want := 49440724e6*100/103.1 + 49925124e6*100/104.1; !near(r.IdealHashRate, want) {
		t.Errorf("IdealHashRate = %g, want %g", r.IdealHashRate, want)
	}
	if !near(r.Power, 2166.6174) || r.PowerEstimated {
		t.Errorf("Power = %g (estimated %v), want measured 2166.6174", r.Power, r.PowerEstimated)
	}
	if r.Uptime != 23170*time.Second {
		t.Errorf("Uptime = %v", r.Uptime)
	}
	if r.Accepted != 1862 || r.Rejected != 2 || r.Paused {
		t.Errorf("Accepted %d Rejected %d Paused %v", r.Accepted, r.Rejected, r.Paused)
	}
	if eff := r.Efficiency(); eff < 21.7 || eff > 21.9 {
		t.Errorf("Efficiency = %g J/TH, want about 21.8", eff)
	}

	if len(r.Boards) != 3 {
		t.Fatalf("Boards = %+v, want 3 detected slots", r.Boards)
	}
	want := []hearth.Board{
		{Index: 0, Chips: 0, ExpectedChips: 110, BoardTemp: 42.875, InletTemp: 42.312, OutletTemp: 42.875},
		{Index: 1, Chips: 110, ExpectedChips: 110, HashRate: 49440724e6, IdealHashRate: 49440724e6 * 100 / 103.1, BoardTemp: 67, InletTemp: 55.062, OutletTemp: 67, FrequencyMHz: 487.5},
		{Index: 2, Chips: 110, ExpectedChips: 110, HashRate: 49925124e6, IdealHashRate: 49925124e6 * 100 / 104.1, BoardTemp: 64.312, InletTemp: 52.062, OutletTemp: 64.312, FrequencyMHz: 487.5},
	}
	for i, w := range want {
		g := r.Boards[i]
		if g.Index != w.Index || g.Chips != w.Chips || g.ExpectedChips != w.ExpectedChips ||
			!near(g.HashRate, w.HashRate) || !near(g.IdealHashRate, w.IdealHashRate) ||
			!near(g.BoardTemp, w.BoardTemp) || !near(g.InletTemp, w.InletTemp) || !near(g.OutletTemp, w.OutletTemp) ||
			!near(g.FrequencyMHz, w.FrequencyMHz) {
			t.Errorf("board %d = %+v, want %+v", i, g, w)
		}
	}
	if !slices.Equal(r.Errors, []string{"Hashboard 0 is detected but disabled."}) {
		t.Errorf("Errors = %q", r.Errors)
	}

	wantFans := []hearth.Fan{{Index: 0, RPM: 5971, Percent: 100}, {Index: 1, RPM: 0, Percent: 100}, {Index: 2, RPM: 5942, Percent: 100}, {Index: 3, RPM: 5745, Percent: 100}}
	if !slices.Equal(r.Fans, wantFans) {
		t.Errorf("Fans = %+v, want %+v", r.Fans, wantFans)
	}

	wantPools := []hearth.Pool{{Index: 0, URL: "stratum+tcp://mine.ocean.xyz:3334", User: "randomuser.randomworker", Status: "alive", Active: true, Accepted: 1862, Rejected: 2}}
	if !slices.Equal(r.Pools, wantPools) {
		t.Errorf("Pools = %+v, want %+v", r.Pools, wantPools)
	}
	if r.Time.IsZero() || r.Latency <= 0 {
		t.Errorf("Time %v Latency %v", r.Time, r.Latency)
	}
}

func TestIdentifyS19XP(t *testing.T) {
	target := newMiner(t, umcRoutes(t))
	id, err := epic.New().Identify(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	want := hearth.Identity{
		Address: target.Address, Port: target.Port, Family: hearth.FamilyEPIC,
		Firmware: "PowerPlay-BMS v1.5.13", Model: "Antminer S19 XP",
		MAC: "E6:D4:41:51:64:28", Hostname: "cminer32092035",
		HashRate: (49440724.0 + 49925124.0) * 1e6,
	}
	got := *id
	if !near(got.HashRate, want.HashRate) {
		t.Errorf("HashRate = %g, want %g", got.HashRate, want.HashRate)
	}
	got.HashRate = want.HashRate
	if got != want {
		t.Errorf("Identity = %+v\nwant %+v", got, want)
	}
}

func TestIdentifyWithOnlyCapabilities(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{"GET /capabilities": serveJSON([]byte(`{"Model":"AntMiner S21","Miner Serial Number":"SN123"}`))})
	id, err := epic.New().Identify(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Model != "Antminer S21" || id.Serial != "SN123" || id.Firmware != "UMC" || id.MAC != "" {
		t.Errorf("Identity = %+v", id)
	}
}

func TestPollPausedMiner(t *testing.T) {
	// A stopped miner on firmware without HBStatus or StratumConfigs, with
	// an error variant carrying data and a fan the controller lacks.
	summary := `{"Software":"PowerPlay-BMS v1.5.0","Status":{"Operating State":"Idling","Last Error":{"UnknownError":"PSU fault"}},
	"Session":{"Accepted":5,"Rejected":0,"Uptime":60,"Average MHs":0.0},
	"Stratum":{"Current Pool":"pool.example:3333","Current User":"u.w","IsPoolConnected":false,"Config Id":0},
	"HBs":[{"Index":0,"Hashrate":[0.0,0.0,0.0],"Temperature":30.5,"Core Clock Avg":0.0}],
	"Fans":{"Fans Speed":40},"Fans Rpm":{"Fans Speed 1":1200,"Fans Speed 2":null},
	"Power Supply Stats":{"Input Power":85.5}}`
	target := newMiner(t, map[string]http.HandlerFunc{"GET /summary": serveJSON([]byte(summary))})
	r, err := epic.New().Poll(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Paused || r.HashRate != 0 || r.Power != 85.5 {
		t.Errorf("Paused %v HashRate %g Power %g", r.Paused, r.HashRate, r.Power)
	}
	if !slices.Equal(r.Errors, []string{`{"UnknownError":"PSU fault"}`}) {
		t.Errorf("Errors = %q", r.Errors)
	}
	if len(r.Boards) != 1 || r.Boards[0].BoardTemp != 30.5 {
		t.Errorf("Boards = %+v", r.Boards)
	}
	if !slices.Equal(r.Fans, []hearth.Fan{{Index: 0, RPM: 1200, Percent: 40}}) {
		t.Errorf("Fans = %+v", r.Fans)
	}
	if !slices.Equal(r.Pools, []hearth.Pool{{URL: "pool.example:3333", User: "u.w", Status: "dead", Active: true, Accepted: 5}}) {
		t.Errorf("Pools = %+v", r.Pools)
	}
	// /temps and /capabilities answered 404: the reading stands, and says so.
	if len(r.PollErrors) != 2 {
		t.Errorf("PollErrors = %q, want the two failed optional reads", r.PollErrors)
	}
}
