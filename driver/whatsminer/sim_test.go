package whatsminer_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/whatsminer"
	"github.com/hearth-fleet/hearth/sim"
)

// simWhatsminer starts a simulator of three miners of model short and
// returns it, the nameplate of the model and miner 0's target.
func simWhatsminer(t *testing.T, short string) (*sim.Sim, sim.Model, hearth.Target) {
	t.Helper()
	s, err := sim.New(sim.Config{Miners: 3, Seed: 11, Models: []string{short}, RebootTime: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var spec sim.Model
	for _, m := range sim.KnownModels() {
		if m.Short == short {
			spec = m
		}
	}
	mi, _ := s.Miner(0)
	if mi.APIPort != s.WhatsminerV3Port() || mi.APIPort == 0 {
		t.Fatalf("miner API port %d, simulator's v3 port %d", mi.APIPort, s.WhatsminerV3Port())
	}
	return s, spec, mi.Target()
}

// within reports whether got is within frac of want.
func within(got, want, frac float64) bool {
	return math.Abs(got-want) <= frac*math.Abs(want)
}

func TestAgainstSimulator(t *testing.T) {
	for _, tc := range []struct {
		short, model, firmware string
	}{
		{sim.ModelM50S, "Whatsminer M50SVH20", "btminer 20240624.18.REL"},
		{sim.ModelM60S, "Whatsminer M60SVK40", "btminer 20251209.16.Rel2"},
	} {
		t.Run(tc.short, func(t *testing.T) {
			s, spec, target := simWhatsminer(t, tc.short)
			ctx := context.Background()
			d := whatsminer.New()

			id, err := d.Identify(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if id.Family != hearth.FamilyWhatsminer || id.Model != tc.model || id.Model != spec.Name || id.Firmware != tc.firmware {
				t.Errorf("identity %+v", id)
			}
			if id.MAC == "" || id.Hostname != "sim-00000" || !within(id.HashRate, spec.HashRate, 0.05) {
				t.Errorf("identity details %+v", id)
			}

			r, err := d.Poll(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.PollErrors) != 0 {
				t.Fatalf("poll errors %v", r.PollErrors)
			}
			if !within(r.HashRate, spec.HashRate, 0.05) || !within(r.IdealHashRate, spec.HashRate, 1e-3) ||
				!within(r.Power, spec.Power, 0.06) || r.PowerEstimated || r.PowerLimit != 3600 ||
				r.Uptime < time.Hour || r.Accepted == 0 {
				t.Errorf("reading: %v H/s (ideal %v), %v W (limit %v), up %v, %d accepted",
					r.HashRate, r.IdealHashRate, r.Power, r.PowerLimit, r.Uptime, r.Accepted)
			}
			if len(r.Boards) != spec.Boards || len(r.Fans) != spec.Fans {
				t.Fatalf("%d boards, %d fans", len(r.Boards), len(r.Fans))
			}
			var boardSum float64
			for _, b := range r.Boards {
				boardSum += b.HashRate
				if b.Chips != spec.ChipsPerBoard && b.Chips != spec.ChipsPerBoard-1 && b.Chips != spec.ChipsPerBoard-2 {
					t.Errorf("board %d: %d chips", b.Index, b.Chips)
				}
				if b.ChipTemp < 40 || b.ChipTemp > 95 || b.BoardTemp < 30 || b.BoardTemp > b.ChipTemp || b.FrequencyMHz <= 0 {
					t.Errorf("board %+v", b)
				}
			}
			if !within(boardSum, r.HashRate, 0.01) {
				t.Errorf("boards add up to %v H/s, miner %v", boardSum, r.HashRate)
			}
			for _, f := range r.Fans {
				if f.RPM < 3000 || f.RPM > 7000 {
					t.Errorf("fan %+v", f)
				}
			}
			st := s.Settings(0)
			if len(r.Pools) != len(st.Pools) || r.Pools[0].URL != st.Pools[0].URL || r.Pools[0].User != st.Pools[0].User || !r.Pools[0].Active {
				t.Errorf("pools %+v, configured %+v", r.Pools, st.Pools)
			}
			nominal := r.HashRate

			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}

			l, err := d.FetchLogs(ctx, target)
			if spec.Short == sim.ModelM50S {
				if hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
					t.Errorf("API v2 log download: %v, want EUNSUPPORTED", err)
				}
			} else {
				must("fetch logs", err)
				if l.Source != "get.log.download" || l.Truncated || !strings.HasPrefix(l.Text, "== log/btminer.log ==\n") || !strings.Contains(l.Text, "== log/messages ==\n") {
					t.Errorf("log %q from %s (truncated %v)", l.Text, l.Source, l.Truncated)
				}
				for _, b := range r.Boards {
					if want := fmt.Sprintf("SM%d: find %d chips, expected %d", b.Index, b.Chips, spec.ChipsPerBoard); !strings.Contains(l.Text, want) {
						t.Errorf("log lacks %q:\n%s", want, l.Text)
					}
				}
				for i, p := range st.Pools {
					if want := fmt.Sprintf("pool%d %s worker %s connected", i+1, p.URL, p.User); !strings.Contains(l.Text, want) {
						t.Errorf("log lacks %q:\n%s", want, l.Text)
					}
				}
				if strings.Contains(l.Text, "[WARN]") || strings.Contains(l.Text, "[ERROR]") {
					t.Errorf("healthy miner's log has warnings:\n%s", l.Text)
				}
			}

			must("pause", d.Pause(ctx, target))
			if !s.Settings(0).Paused {
				t.Error("not paused in the simulator")
			}
			if spec.Short != sim.ModelM50S {
				if l, err := d.FetchLogs(ctx, target); err != nil || !strings.Contains(l.Text, "mining stopped by set.miner.service") {
					t.Errorf("paused miner's log (%v): %v", err, l)
				}
			}
			if r, err := d.Poll(ctx, target); err != nil || r.HashRate != 0 || r.Power != 0 || r.Pools[0].Active {
				t.Errorf("paused: %+v %v", r, err)
			}
			must("resume", d.Resume(ctx, target))
			if r, _ := d.Poll(ctx, target); s.Settings(0).Paused || !within(r.HashRate, nominal, 0.05) {
				t.Errorf("resumed: %v H/s", r.HashRate)
			}

			must("locate on", d.SetLocate(ctx, target, true, time.Minute))
			if !s.Settings(0).Locate {
				t.Error("LED not blinking after SetLocate(true)")
			}
			must("locate off", d.SetLocate(ctx, target, false, 0))
			if s.Settings(0).Locate {
				t.Error("LED blinking after SetLocate(false)")
			}

			ps, err := d.SetPowerTarget(ctx, target, 2500)
			must("power target", err)
			if ps.Watts != 2500 || ps.Mechanism != "watts" {
				t.Errorf("power setting %+v", ps)
			}
			if st := s.Settings(0); st.PowerLimitW != 2500 {
				t.Errorf("power limit in simulator %d", st.PowerLimitW)
			}
			if r, _ := d.Poll(ctx, target); r.PowerLimit != 2500 || r.Power > 2500 || r.Power < 2200 || r.HashRate > nominal*0.8 {
				t.Errorf("limited to 2500 W: %v W (limit %v), %v H/s", r.Power, r.PowerLimit, r.HashRate)
			}

			pools := []hearth.PoolConfig{
				{URL: "stratum+tcp://a.example:3333", User: "acct.w1", Password: "x"},
				{URL: "stratum+tcp://b.example:3333", User: "acct.w2", Password: "y"},
			}
			must("set pools", d.SetPools(ctx, target, pools))
			if st := s.Settings(0); len(st.Pools) != 2 || st.Pools[1].Password != "y" {
				t.Errorf("pools in simulator %+v", st.Pools)
			}
			if r, _ := d.Poll(ctx, target); len(r.Pools) != 2 || r.Pools[0].URL != pools[0].URL || !r.Pools[0].Active || r.Pools[1].User != "acct.w2" {
				t.Errorf("pools after SetPools %+v", r.Pools)
			}

			// Undeclared verbs.
			if err := d.SetFanMode(ctx, target, hearth.FanMode{Auto: true}); hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
				t.Errorf("fan mode: %v", err)
			}

			// A wrong password is refused, and nothing changes.
			bad := target
			bad.Credentials = hearth.Credentials{User: "super", Password: "wrong"}
			if err := d.SetLocate(ctx, bad, true, time.Minute); hearth.ErrorCode(err) != hearth.EAUTH {
				t.Errorf("wrong password: %v", err)
			}
			if s.Settings(0).Locate {
				t.Error("a write with a wrong password took effect")
			}

			must("restart", waitBack(t, func() error { return d.RestartMining(ctx, target) }))
			up := waitPoll(t, d, target)
			if up.Uptime > 5*time.Second {
				t.Errorf("uptime %v after a restart", up.Uptime)
			}
			// The token or salt the driver kept was forgotten by the
			// restart; the next write must still work.
			must("reboot", waitBack(t, func() error { return d.Reboot(ctx, target) }))
			waitPoll(t, d, target)
			if n := s.Settings(0).Reboots; n != 2 {
				t.Errorf("reboots %d", n)
			}
			if st := s.Settings(0); len(st.Pools) != 2 || st.PowerLimitW != 2500 {
				t.Errorf("settings lost in a reboot: %+v", st)
			}
		})
	}
}

// waitBack runs a write, retrying while the miner is still down from an
// earlier reboot.
func waitBack(t *testing.T, run func() error) error {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := run()
		if err == nil || time.Now().After(deadline) || hearth.ErrorCode(err) == hearth.EAUTH {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPoll polls until the miner answers again after a reboot.
func waitPoll(t *testing.T, d *whatsminer.Driver, target hearth.Target) *hearth.Reading {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := d.Poll(context.Background(), target)
		if err == nil && len(r.PollErrors) == 0 {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("miner not back after a reboot: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSimulatorFaults checks that faults the simulator plays on
// Whatsminers reach hearth's reading as a user would see them.
func TestSimulatorFaults(t *testing.T) {
	for _, short := range []string{sim.ModelM50S, sim.ModelM60S} {
		t.Run(short, func(t *testing.T) {
			s, spec, _ := simWhatsminer(t, short)
			ctx := context.Background()
			d := whatsminer.New()
			d.Timeout, d.RPC.Timeout = 2*time.Second, 2*time.Second
			target := func(i int) hearth.Target { mi, _ := s.Miner(i); return mi.Target() }

			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultDeadBoard}))
			must(s.SetFault(sim.Fault{Index: 1, Kind: sim.FaultHot}))
			must(s.SetFault(sim.Fault{Index: 2, Kind: sim.FaultOffline}))

			r, err := d.Poll(ctx, target(0))
			must(err)
			if len(r.Boards) != spec.Boards || r.Boards[1].Chips != 0 || r.Boards[1].HashRate != 0 ||
				r.Boards[0].Chips == 0 || !within(r.HashRate, spec.HashRate*2/3, 0.05) {
				t.Errorf("dead board: %v H/s, boards %+v", r.HashRate, r.Boards)
			}
			r, err = d.Poll(ctx, target(1))
			must(err)
			var hottest float64
			for _, b := range r.Boards {
				hottest = math.Max(hottest, b.ChipTemp)
			}
			if hottest < 95 {
				t.Errorf("hot: hottest chip %v °C", hottest)
			}
			if _, err := d.Poll(ctx, target(2)); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
				t.Errorf("offline: %v", err)
			}

			// Garbled replies give errors, never a reading passed off as
			// whole.
			must(s.ClearFaults(0))
			if _, err := d.Poll(ctx, target(0)); err != nil { // learn the API first
				t.Fatal(err)
			}
			must(s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultGarbled}))
			for range 5 {
				r, err := d.Poll(ctx, target(0))
				if err == nil && len(r.PollErrors) == 0 {
					t.Errorf("garbled: clean reading %+v", r)
				}
			}

		})
	}
}

func TestSimulatorLogShowsFaults(t *testing.T) {
	s, _, target := simWhatsminer(t, sim.ModelM60S)
	d := whatsminer.New()
	for _, tc := range []struct {
		kind sim.FaultKind
		want string
	}{
		{sim.FaultDeadBoard, "[ERROR] SM1: find 0 chips, board disabled"},
		{sim.FaultFailedChips, "chips no response"},
		{sim.FaultHot, "too high"},
		{sim.FaultFanFail, "fan speed error"},
	} {
		s.ClearFaults(0)
		if err := s.SetFault(sim.Fault{Index: 0, Kind: tc.kind}); err != nil {
			t.Fatal(err)
		}
		l, err := d.FetchLogs(context.Background(), target)
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		if !strings.Contains(l.Text, tc.want) {
			t.Errorf("%s: log lacks %q:\n%s", tc.kind, tc.want, l.Text)
		}
	}
}
