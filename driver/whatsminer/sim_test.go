package whatsminer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/whatsminer"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// simWhatsminer starts a simulator of three miners of model short and
// returns it, the nameplate of the model and miner 0's target.
func simWhatsminer(t *testing.T, short string) (*sim.Sim, sim.Model, hearth.Target) {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 11, Models: []string{short}, RebootTime: 300 * time.Millisecond})
	spec := simtest.Model(t, short)
	mi, _ := s.Miner(0)
	if mi.APIPort != s.WhatsminerV3Port() || mi.APIPort == 0 {
		t.Fatalf("miner API port %d, simulator's v3 port %d", mi.APIPort, s.WhatsminerV3Port())
	}
	return s, spec, mi.Target()
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
			if id.MAC == "" || id.Hostname != "sim-00000" || !simtest.Within(id.HashRate, spec.HashRate, 0.05) {
				t.Errorf("identity details %+v", id)
			}

			r, err := d.Poll(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.PollErrors) != 0 {
				t.Fatalf("poll errors %v", r.PollErrors)
			}
			if !simtest.Within(r.HashRate, spec.HashRate, 0.05) || !simtest.Within(r.IdealHashRate, spec.HashRate, 1e-3) ||
				!simtest.Within(r.Power, spec.Power, 0.06) || r.PowerEstimated || r.PowerLimit != 3600 ||
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
			if !simtest.Within(boardSum, r.HashRate, 0.01) {
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

			l, err := d.FetchLogs(ctx, target)
			if spec.Short == sim.ModelM50S {
				if hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
					t.Errorf("API v2 log download: %v, want EUNSUPPORTED", err)
				}
			} else {
				simtest.Must(t, "fetch logs", err)
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

			simtest.Must(t, "pause", d.Pause(ctx, target))
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
			simtest.Must(t, "resume", d.Resume(ctx, target))
			if r, _ := d.Poll(ctx, target); s.Settings(0).Paused || !simtest.Within(r.HashRate, nominal, 0.05) {
				t.Errorf("resumed: %v H/s", r.HashRate)
			}

			simtest.Must(t, "locate on", d.SetLocate(ctx, target, true, time.Minute))
			if !s.Settings(0).Locate {
				t.Error("LED not blinking after SetLocate(true)")
			}
			simtest.Must(t, "locate off", d.SetLocate(ctx, target, false, 0))
			if s.Settings(0).Locate {
				t.Error("LED blinking after SetLocate(false)")
			}

			ps, err := d.SetPowerTarget(ctx, target, 2500)
			simtest.Must(t, "power target", err)
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
			simtest.Must(t, "set pools", d.SetPools(ctx, target, pools))
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

			simtest.Must(t, "restart", simtest.RetryUntilBack(func() error { return d.RestartMining(ctx, target) }))
			up := simtest.PollUntilBack(t, d, target)
			if up.Uptime > 5*time.Second {
				t.Errorf("uptime %v after a restart", up.Uptime)
			}
			// The token or salt the driver kept was forgotten by the
			// restart; the next write must still work.
			simtest.Must(t, "reboot", simtest.RetryUntilBack(func() error { return d.Reboot(ctx, target) }))
			simtest.PollUntilBack(t, d, target)
			if n := s.Settings(0).Reboots; n != 2 {
				t.Errorf("reboots %d", n)
			}
			if st := s.Settings(0); len(st.Pools) != 2 || st.PowerLimitW != 2500 {
				t.Errorf("settings lost in a reboot: %+v", st)
			}
		})
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

			simtest.CheckFaultReadings(t, s, d, spec, 0.05)

			// Garbled replies give errors, never a reading passed off as
			// whole.
			simtest.Must(t, "clear faults", s.ClearFaults(0))
			if _, err := d.Poll(ctx, target(0)); err != nil { // learn the API first
				t.Fatal(err)
			}
			simtest.CheckGarbledPolls(t, s, d, 0)
		})
	}
}

func TestSimulatorLogShowsFaults(t *testing.T) {
	s, _, target := simWhatsminer(t, sim.ModelM60S)
	d := whatsminer.New()
	fetch := func() (*hearth.MinerLog, error) { return d.FetchLogs(context.Background(), target) }
	simtest.CheckFaultsInLog(t, s, 0, fetch,
		simtest.LogFault{Kind: sim.FaultDeadBoard, Want: "[ERROR] SM1: find 0 chips, board disabled"},
		simtest.LogFault{Kind: sim.FaultFailedChips, Want: "chips no response"},
		simtest.LogFault{Kind: sim.FaultHot, Want: "too high"},
		simtest.LogFault{Kind: sim.FaultFanFail, Want: "fan speed error"},
	)
}
