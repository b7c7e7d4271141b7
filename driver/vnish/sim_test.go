package vnish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/vnish"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// simMiner starts a simulator of VNish S19j Pros on a fake clock and
// returns it with the target of miner 0.
func simMiner(t *testing.T) (*sim.Sim, hearth.Target, *simtest.Clock) {
	t.Helper()
	clock := simtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := simtest.Start(t, sim.Config{Miners: 2, Seed: 8, Models: []string{sim.ModelS19jProVNish}, Now: clock.Now, RebootTime: 5 * time.Second})
	mi := s.Miners()[0]
	if mi.Family != hearth.FamilyVNish {
		t.Fatalf("miner 0 is %s", mi.Family)
	}
	return s, mi.Target(), clock
}

// rawSummary reads /api/v1/summary from the simulator directly: the ground
// truth the driver's reading is compared with.
func rawSummary(t *testing.T, target hearth.Target) map[string]any {
	t.Helper()
	url := "http://" + net.JoinHostPort(target.Address, strconv.Itoa(target.Port)) + "/api/v1/summary"
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Miner map[string]any `json:"miner"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Miner == nil {
		t.Fatalf("summary %q: %v", b, err)
	}
	return out.Miner
}

func TestSimIdentify(t *testing.T) {
	s, target, _ := simMiner(t)
	mi := s.Miners()[0]
	id, err := vnish.New().Identify(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyVNish || id.Firmware != "Vnish 1.2.6" || id.Model != mi.Model || id.Model != "Antminer S19j Pro" {
		t.Errorf("identity %+v", id)
	}
	if id.MAC != mi.MAC || id.Hostname != mi.Name || id.Serial != mi.Serial || id.Port != mi.Port {
		t.Errorf("identity %+v, want MAC %s host %s serial %s", id, mi.MAC, mi.Name, mi.Serial)
	}
	if id.HashRate < 95e12 || id.HashRate > 113e12 {
		t.Errorf("identify hash rate %v", id.HashRate)
	}
}

func TestSimPollMatchesGroundTruth(t *testing.T) {
	s, target, _ := simMiner(t)
	r, err := vnish.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawSummary(t, target)
	want := raw["hr_realtime"].(float64) * 1e9
	if math.Abs(r.HashRate-want) > 1 || r.HashRate < 95e12 || r.HashRate > 113e12 {
		t.Errorf("hash rate %v H/s, summary says %v", r.HashRate, want)
	}
	if r.IdealHashRate != 104e12 {
		t.Errorf("ideal %v", r.IdealHashRate)
	}
	if r.Power != raw["power_consumption"].(float64) || r.Power < 2900 || r.Power > 3250 || r.PowerEstimated {
		t.Errorf("power %v W (estimated %v), summary says %v", r.Power, r.PowerEstimated, raw["power_consumption"])
	}
	if len(r.Boards) != 3 || len(r.Fans) != 4 || len(r.PollErrors) != 0 || r.Paused {
		t.Fatalf("reading %+v", r)
	}
	var boardSum float64
	for i, b := range r.Boards {
		boardSum += b.HashRate
		if b.ChipTemp < 40 || b.ChipTemp > 95 || b.InletTemp <= 0 || b.OutletTemp <= b.InletTemp || b.FrequencyMHz != 545 {
			t.Errorf("board %d %+v", i, b)
		}
	}
	if math.Abs(boardSum-r.HashRate) > 1e9 {
		t.Errorf("boards sum to %v, miner %v", boardSum, r.HashRate)
	}
	for _, f := range r.Fans {
		if f.RPM < 3000 || f.RPM > 7000 {
			t.Errorf("fan %+v", f)
		}
	}
	st := s.Settings(0)
	if len(r.Pools) != len(st.Pools) || r.Pools[0].URL != st.Pools[0].URL || r.Pools[0].User != st.Pools[0].User || !r.Pools[0].Active {
		t.Errorf("pools %+v, settings %+v", r.Pools, st.Pools)
	}
	if r.Accepted == 0 || r.Uptime < time.Hour {
		t.Errorf("accepted %d uptime %v", r.Accepted, r.Uptime)
	}
}

func TestSimVerbs(t *testing.T) {
	s, target, clock := simMiner(t)
	ctx := context.Background()
	d := vnish.New()
	nominal := simtest.MustPoll(t, ctx, d, target)

	// The verbs this test exercises are exactly the ones the driver
	// declares; a new capability must come with its check here.
	simtest.CheckVerbsTested(t, d.Capabilities(),
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapLogs)

	l, err := d.FetchLogs(ctx, target)
	simtest.Must(t, "fetch logs", err)
	if l.Source != "/api/v1/logs/miner" || l.Truncated {
		t.Errorf("log source %q truncated %v", l.Source, l.Truncated)
	}
	model := simtest.Model(t, sim.ModelS19jProVNish)
	for i := range model.Boards {
		if want := fmt.Sprintf("Chain %d: found %d chips", i, model.ChipsPerBoard); model.ChipsPerBoard == 0 || !strings.Contains(l.Text, want) {
			t.Errorf("log lacks %q:\n%s", want, l.Text)
		}
	}
	for _, p := range s.Settings(0).Pools {
		if !strings.Contains(l.Text, "connected to "+p.URL+" as "+p.User) {
			t.Errorf("log lacks pool %s:\n%s", p.URL, l.Text)
		}
	}
	if strings.Contains(l.Text, "WARN") || strings.Contains(l.Text, "ERROR") {
		t.Errorf("healthy miner's log has warnings:\n%s", l.Text)
	}

	simtest.Must(t, "pause", d.Pause(ctx, target))
	if l, err := d.FetchLogs(ctx, target); err != nil || !strings.Contains(l.Text, "Mining paused") {
		t.Errorf("paused miner's log (%v):\n%v", err, l)
	}
	if !s.Settings(0).Paused {
		t.Error("not paused in the simulator")
	}
	if r := simtest.MustPoll(t, ctx, d, target); !r.Paused || r.HashRate != 0 || r.Power != 0 {
		t.Errorf("paused reading: paused %v, %v H/s, %v W", r.Paused, r.HashRate, r.Power)
	}
	simtest.Must(t, "resume", d.Resume(ctx, target))
	if r := simtest.MustPoll(t, ctx, d, target); r.Paused || r.HashRate < nominal.HashRate*0.9 {
		t.Errorf("resumed reading: paused %v, %v H/s", r.Paused, r.HashRate)
	}

	simtest.Must(t, "locate on", d.SetLocate(ctx, target, true, time.Minute))
	if !s.Settings(0).Locate {
		t.Error("locate off after SetLocate(true)")
	}
	simtest.Must(t, "locate on again", d.SetLocate(ctx, target, true, time.Minute))
	if !s.Settings(0).Locate {
		t.Error("a second SetLocate(true) toggled the light off")
	}
	simtest.Must(t, "locate off", d.SetLocate(ctx, target, false, 0))
	if s.Settings(0).Locate {
		t.Error("locate on after SetLocate(false)")
	}

	ps, err := d.SetPowerTarget(ctx, target, 2500)
	simtest.Must(t, "power target", err)
	if ps.Mechanism != "profile" || ps.Value != "2450" || ps.Watts != 2450 {
		t.Errorf("power setting %+v", ps)
	}
	if st := s.Settings(0); st.Preset != "2450" {
		t.Errorf("preset %q", st.Preset)
	}
	if r := simtest.MustPoll(t, ctx, d, target); r.Power > 2550 || r.Power < 2350 || r.HashRate > nominal.HashRate*0.85 {
		t.Errorf("at the 2450 W preset: %v W, %v H/s", r.Power, r.HashRate)
	}
	if _, err := d.SetPowerTarget(ctx, target, 1000); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("1000 W target: %v, want EINVALID (below the lowest preset)", err)
	}

	pools := []hearth.PoolConfig{
		{URL: "stratum+tcp://a.example:3333", User: "acct.w1", Password: "x"},
		{URL: "stratum+tcp://b.example:3333", User: "acct.w2", Password: "y"},
	}
	simtest.Must(t, "set pools", d.SetPools(ctx, target, pools))
	st := s.Settings(0)
	if len(st.Pools) != 2 || st.Pools[0].URL != pools[0].URL || st.Pools[1].User != "acct.w2" || st.Pools[1].Password != "y" {
		t.Errorf("pools in the simulator %+v", st.Pools)
	}
	// New pools restart the miner process, which keeps the simulated
	// miner away for the reboot time.
	if st.Reboots != 1 {
		t.Errorf("reboots after set pools %d, want 1 (restart_required)", st.Reboots)
	}
	clock.Advance(6 * time.Second)
	if r := simtest.MustPoll(t, ctx, d, target); len(r.Pools) != 2 || r.Pools[0].URL != pools[0].URL || r.Pools[1].User != "acct.w2" || r.Uptime > 2*time.Second {
		t.Errorf("after SetPools: pools %+v uptime %v", r.Pools, r.Uptime)
	}

	simtest.Must(t, "restart", d.RestartMining(ctx, target))
	if _, err := d.Poll(ctx, target); err == nil {
		t.Error("miner answers during its restart")
	}
	clock.Advance(6 * time.Second)
	simtest.Must(t, "reboot", d.Reboot(ctx, target))
	clock.Advance(15 * time.Second)
	if r := simtest.MustPoll(t, ctx, d, target); r.Uptime < 9*time.Second || r.Uptime > 11*time.Second {
		t.Errorf("uptime after reboot %v, want 10s", r.Uptime)
	}
	if n := s.Settings(0).Reboots; n != 3 {
		t.Errorf("reboots %d, want 3", n)
	}

	wantCode(t, d.SetFanMode(ctx, target, hearth.FanMode{Auto: true}), hearth.EUNSUPPORTED)
}

func TestSimWrongPassword(t *testing.T) {
	s, target, _ := simMiner(t)
	target.Credentials = hearth.Credentials{Password: "not-the-password"}
	d := vnish.New()
	wantCode(t, d.Pause(context.Background(), target), hearth.EAUTH)
	if s.Settings(0).Paused {
		t.Error("paused with a wrong password")
	}
	// The driver backs off instead of trying the password again.
	wantCode(t, d.Reboot(context.Background(), target), hearth.EAUTH)
	if s.Settings(0).Reboots != 0 {
		t.Error("rebooted with a wrong password")
	}
	// Reads need no password.
	if _, err := d.Poll(context.Background(), target); err != nil {
		t.Errorf("poll with a wrong password: %v", err)
	}
}

func TestSimFaults(t *testing.T) {
	s, target, _ := simMiner(t)
	d := vnish.New()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultOffline}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Poll(ctx, target); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("offline: %v", err)
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultHot}); err != nil {
		t.Fatal(err)
	}
	r, err := d.Poll(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if r.Boards[0].ChipTemp < 95 {
		t.Errorf("hot: chip %v °C", r.Boards[0].ChipTemp)
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultDeadBoard}); err != nil {
		t.Fatal(err)
	}
	if r, err = d.Poll(ctx, target); err != nil {
		t.Fatal(err)
	}
	if len(r.Boards) != 3 || r.Boards[1].HashRate != 0 || len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0], "Chain 2: failure") || r.HashRate > 75e12 {
		t.Errorf("dead board: %v H/s, boards %+v, errors %q", r.HashRate, r.Boards, r.Errors)
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultFailedChips}); err != nil {
		t.Fatal(err)
	}
	if r, err = d.Poll(ctx, target); err != nil {
		t.Fatal(err)
	}
	if r.Boards[0].FailedChips < 20 {
		t.Errorf("failed chips: board 0 %+v", r.Boards[0])
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultSlow}); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel2()
	if _, err := d.Poll(short, target); hearth.ErrorCode(err) != hearth.ETIMEOUT {
		t.Errorf("slow: %v", err)
	}
}

func TestSimLogsShowFaults(t *testing.T) {
	s, target, _ := simMiner(t)
	d := vnish.New()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	fetch := func() (*hearth.MinerLog, error) { return d.FetchLogs(ctx, target) }
	simtest.CheckFaultsInLog(t, s, 0, fetch,
		simtest.LogFault{Kind: sim.FaultDeadBoard, Want: "ERROR: Chain 1: no chips found"},
		simtest.LogFault{Kind: sim.FaultFailedChips, Want: "chips not responding"},
		simtest.LogFault{Kind: sim.FaultHot, Want: "is too high"},
		simtest.LogFault{Kind: sim.FaultFanFail, Want: "Fan failure"},
	)
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultOffline}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.FetchLogs(ctx, target); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("offline: %v", err)
	}
}
