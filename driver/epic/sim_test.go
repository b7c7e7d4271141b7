package epic_test

import (
	"bytes"
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
	"github.com/hearth-fleet/hearth/driver/epic"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// simMiner starts a simulator of ePIC S19j Pros on a fake clock and
// returns it with the target of miner 0.
func simMiner(t *testing.T) (*sim.Sim, hearth.Target, *simtest.Clock) {
	t.Helper()
	clock := simtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := simtest.Start(t, sim.Config{Miners: 2, Seed: 9, Models: []string{sim.ModelS19jProEPIC}, Now: clock.Now, RebootTime: 5 * time.Second})
	mi := s.Miners()[0]
	if mi.Family != hearth.FamilyEPIC || mi.Port != s.RPCPort() {
		t.Fatalf("miner 0 is %s on port %d", mi.Family, mi.Port)
	}
	return s, mi.Target(), clock
}

// rawGet reads path from the miner's API port: the ground truth the
// driver's reading is compared with.
func rawGet(t *testing.T, target hearth.Target, path string, v any) {
	t.Helper()
	resp, err := http.Get("http://" + net.JoinHostPort(target.Address, strconv.Itoa(target.Port)) + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s %q: %v", path, b, err)
	}
}

func TestSimIdentify(t *testing.T) {
	s, target, _ := simMiner(t)
	mi := s.Miners()[0]
	id, err := epic.New().Identify(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyEPIC || id.Firmware != "PowerPlay-BMS v1.5.13" || id.Model != "Antminer S19j Pro" || id.Model != mi.Model {
		t.Errorf("identity %+v", id)
	}
	if id.MAC != mi.MAC || id.Hostname != mi.Name || id.Port != mi.Port {
		t.Errorf("identity %+v, want MAC %s host %s", id, mi.MAC, mi.Name)
	}
	if id.HashRate < 95e12 || id.HashRate > 113e12 {
		t.Errorf("identify hash rate %v", id.HashRate)
	}
}

func TestSimPollMatchesGroundTruth(t *testing.T) {
	s, target, _ := simMiner(t)
	r, err := epic.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		HBs []struct {
			Index    int
			Hashrate []float64
		}
		PowerSupplyStats struct {
			InputPower float64 `json:"Input Power"`
		} `json:"Power Supply Stats"`
		Session struct {
			Accepted, Rejected, Uptime float64
		}
	}
	rawGet(t, target, "/summary", &raw)
	var want float64
	for _, hb := range raw.HBs {
		want += hb.Hashrate[0] * 1e6
	}
	if math.Abs(r.HashRate-want) > 1 || r.HashRate < 95e12 || r.HashRate > 113e12 {
		t.Errorf("hash rate %v H/s, summary says %v", r.HashRate, want)
	}
	if math.Abs(r.IdealHashRate-104e12) > 0.01*104e12 {
		t.Errorf("ideal %v", r.IdealHashRate)
	}
	if r.Power != raw.PowerSupplyStats.InputPower || r.Power < 2900 || r.Power > 3250 || r.PowerEstimated {
		t.Errorf("power %v W, summary says %v", r.Power, raw.PowerSupplyStats.InputPower)
	}
	if r.Accepted != uint64(raw.Session.Accepted) || r.Rejected != uint64(raw.Session.Rejected) || r.Uptime != time.Duration(raw.Session.Uptime)*time.Second || r.Uptime < time.Hour {
		t.Errorf("shares %d/%d uptime %v, summary %+v", r.Accepted, r.Rejected, r.Uptime, raw.Session)
	}
	if len(r.Boards) != 3 || len(r.Fans) != 4 || len(r.PollErrors) != 0 || r.Paused {
		t.Fatalf("reading %+v", r)
	}
	for i, b := range r.Boards {
		if b.Chips != 126 || b.InletTemp <= 0 || b.OutletTemp <= b.InletTemp || b.BoardTemp != b.OutletTemp || b.FrequencyMHz != 545 {
			t.Errorf("board %d %+v", i, b)
		}
	}
	for _, f := range r.Fans {
		if f.RPM < 3000 || f.RPM > 7000 {
			t.Errorf("fan %+v", f)
		}
	}
	st := s.Settings(0)
	if len(r.Pools) != len(st.Pools) || r.Pools[0].URL != st.Pools[0].URL || r.Pools[0].User != st.Pools[0].User || !r.Pools[0].Active || r.Pools[0].Status != "alive" {
		t.Errorf("pools %+v, settings %+v", r.Pools, st.Pools)
	}
}

func TestSimVerbs(t *testing.T) {
	s, target, clock := simMiner(t)
	ctx := context.Background()
	d := epic.New()
	nominal := simtest.MustPoll(t, ctx, d, target)

	// The verbs this test exercises are exactly the ones the driver
	// declares; a new capability must come with its check here.
	simtest.CheckVerbsTested(t, d.Capabilities(),
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs)

	l, err := d.FetchLogs(ctx, target)
	simtest.Must(t, "fetch logs", err)
	if l.Source != "/log" || l.Truncated {
		t.Errorf("log source %q truncated %v", l.Source, l.Truncated)
	}
	model := simtest.Model(t, sim.ModelS19jProEPIC)
	if model.Boards == 0 || model.ChipsPerBoard == 0 {
		t.Fatalf("model %+v has no boards", model)
	}
	for i := range model.Boards {
		if want := fmt.Sprintf("HB%d: detected %d of %d chips", i, model.ChipsPerBoard, model.ChipsPerBoard); !strings.Contains(l.Text, want) {
			t.Errorf("log lacks %q:\n%s", want, l.Text)
		}
	}
	if p := s.Settings(0).Pools; len(p) == 0 || !strings.Contains(l.Text, "connected to "+p[0].URL+" as "+p[0].User) {
		t.Errorf("log lacks the pool %+v:\n%s", p, l.Text)
	}
	if strings.Contains(l.Text, "WARN") || strings.Contains(l.Text, "ERROR") {
		t.Errorf("healthy miner's log has warnings:\n%s", l.Text)
	}

	simtest.Must(t, "pause", d.Pause(ctx, target))
	if l, err := d.FetchLogs(ctx, target); err != nil || !strings.Contains(l.Text, "Miner idle: stopped by user") {
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
	var misc struct {
		Misc struct {
			Locate bool `json:"Locate Miner State"`
		}
	}
	rawGet(t, target, "/summary", &misc)
	if !s.Settings(0).Locate || !misc.Misc.Locate {
		t.Error("locate off after SetLocate(true)")
	}
	simtest.Must(t, "locate off", d.SetLocate(ctx, target, false, 0))
	if s.Settings(0).Locate {
		t.Error("locate on after SetLocate(false)")
	}

	simtest.Must(t, "fan manual", d.SetFanMode(ctx, target, hearth.FanMode{Percent: 70}))
	if st := s.Settings(0); !st.FanManual || st.FanPercent != 70 {
		t.Errorf("fan settings %+v", st)
	}
	if r := simtest.MustPoll(t, ctx, d, target); r.Fans[0].Percent != 70 || r.Fans[0].RPM != 4200 {
		t.Errorf("fans at manual 70 %%: %+v", r.Fans)
	}
	simtest.Must(t, "fan auto", d.SetFanMode(ctx, target, hearth.FanMode{Auto: true}))
	if st := s.Settings(0); st.FanManual || st.FanTargetTemp != 60 || st.FanIdleSpeed != 20 {
		t.Errorf("fan settings after auto %+v", st)
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
	if r := simtest.MustPoll(t, ctx, d, target); len(r.Pools) != 2 || r.Pools[0].URL != pools[0].URL || !r.Pools[0].Active || r.Pools[1].User != "acct.w2" {
		t.Errorf("pools after SetPools %+v", r.Pools)
	}
	bad := []hearth.PoolConfig{{URL: "http://not-stratum.example", User: "u"}}
	wantCode(t, d.SetPools(ctx, target, bad), hearth.EINVALID)

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
	if n := s.Settings(0).Reboots; n != 2 {
		t.Errorf("reboots %d, want 2", n)
	}

	_, err = d.SetPowerTarget(ctx, target, 2500)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestSimWrongPassword(t *testing.T) {
	s, target, _ := simMiner(t)
	target.Credentials = hearth.Credentials{Password: "not-the-password"}
	d := epic.New()
	wantCode(t, d.Pause(context.Background(), target), hearth.EAUTH)
	wantCode(t, d.Reboot(context.Background(), target), hearth.EAUTH)
	if st := s.Settings(0); st.Paused || st.Reboots != 0 {
		t.Errorf("settings changed with a wrong password: %+v", st)
	}
	if _, err := d.Poll(context.Background(), target); err != nil {
		t.Errorf("poll with a wrong password: %v", err)
	}
}

func TestSimFaults(t *testing.T) {
	s, target, _ := simMiner(t)
	d := epic.New()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultOffline}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Poll(ctx, target); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("offline: %v", err)
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultFanFail}); err != nil {
		t.Fatal(err)
	}
	r, err := d.Poll(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if r.Fans[1].RPM != 0 || r.Fans[0].RPM == 0 {
		t.Errorf("fan-fail: fans %+v", r.Fans)
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultDeadBoard}); err != nil {
		t.Fatal(err)
	}
	if r, err = d.Poll(ctx, target); err != nil {
		t.Fatal(err)
	}
	if len(r.Boards) != 3 || r.Boards[1].Chips != 0 || r.Boards[1].HashRate != 0 || r.Boards[0].Chips != 126 || len(r.Errors) != 1 || r.HashRate > 75e12 {
		t.Errorf("dead board: %v H/s, boards %+v, errors %q", r.HashRate, r.Boards, r.Errors)
	}
	s.ClearFaults(0)
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultGarbled}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := d.Poll(ctx, target); err == nil {
			t.Error("garbled: poll succeeded")
		} else if c := hearth.ErrorCode(err); c != hearth.EPROTOCOL && c != hearth.EUNAVAILABLE {
			t.Errorf("garbled: %v", err)
		}
	}
	s.ClearFaults(0)
	// A CGMiner request to UMC's port is never answered with CGMiner JSON:
	// an HTTP server waits for the rest of a request line, and refuses a
	// whole line that is not HTTP with 400.
	c, err := net.Dial("tcp", net.JoinHostPort(target.Address, strconv.Itoa(target.Port)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	c.Write([]byte("{\"command\":\"summary\"}\n"))
	reply, _ := io.ReadAll(c)
	if !bytes.HasPrefix(reply, []byte("HTTP/1.1 400")) || bytes.Contains(reply, []byte("STATUS")) {
		t.Errorf("CGMiner request answered %q", reply)
	}
}

func TestSimLogsShowFaults(t *testing.T) {
	s, target, _ := simMiner(t)
	d := epic.New()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	fetch := func() (*hearth.MinerLog, error) { return d.FetchLogs(ctx, target) }
	simtest.CheckFaultsInLog(t, s, 0, fetch,
		simtest.LogFault{Kind: sim.FaultDeadBoard, Want: "ERROR umc: HB1: detected but not hashing"},
		simtest.LogFault{Kind: sim.FaultFailedChips, Want: "chips not responding"},
		simtest.LogFault{Kind: sim.FaultHot, Want: "is above the target"},
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
