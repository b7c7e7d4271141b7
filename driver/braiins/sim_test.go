package braiins_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// simBOS starts a simulator of three Braiins OS miners of model short
// and returns it, the model's nameplate and miner 0's description.
func simBOS(t *testing.T, short string) (*sim.Sim, sim.Model, sim.MinerInfo) {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 11, Models: []string{short}, RebootTime: 300 * time.Millisecond})
	spec := simtest.Model(t, short)
	mi, _ := s.Miner(0)
	if mi.APIPort != s.GRPCPort() || mi.APIPort == 0 {
		t.Fatalf("miner API port %d, simulator's gRPC port %d", mi.APIPort, s.GRPCPort())
	}
	return s, spec, mi
}

// simCases are the simulated Braiins OS models with what hearth must
// identify them as.
var simCases = []struct {
	short, firmware    string
	powerMin, powerMax float64
}{
	{sim.ModelS19jProBOS, "Braiins OS 2024-09-23-0-26ba61b9-24.09-plus", 1100, 3600},
	{sim.ModelS21BOS, "Braiins OS 2025-08-06-0-3881c51d-25.07-plus", 1500, 4100},
}

func TestAgainstSimulator(t *testing.T) {
	for _, tc := range simCases {
		t.Run(tc.short, func(t *testing.T) {
			s, spec, mi := simBOS(t, tc.short)
			target := mi.Target()
			ctx := context.Background()
			d := newDriver(t)

			id, err := d.Identify(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if id.Family != hearth.FamilyBraiins || id.Model != mi.Model || id.Model != spec.Name || id.Firmware != tc.firmware {
				t.Errorf("identity %+v", id)
			}
			if !strings.EqualFold(id.MAC, mi.MAC) || id.Hostname != mi.Name || id.Serial != mi.Serial || id.APIPort != mi.APIPort ||
				!simtest.Within(id.HashRate, spec.HashRate, 0.05) {
				t.Errorf("identity details %+v, simulator %+v", id, mi)
			}

			r, err := d.Poll(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.PollErrors) != 0 {
				t.Fatalf("poll errors %v", r.PollErrors)
			}
			if !simtest.Within(r.HashRate, spec.HashRate, 0.05) || !simtest.Within(r.IdealHashRate, spec.HashRate, 0.02) ||
				!simtest.Within(r.Power, spec.Power, 0.06) || r.PowerEstimated || r.Paused ||
				r.Uptime < time.Minute || r.Accepted == 0 || r.Rejected > r.Accepted || r.Latency <= 0 {
				t.Errorf("reading: %v H/s (ideal %v), %v W (limit %v), up %v, %d/%d shares, paused %v",
					r.HashRate, r.IdealHashRate, r.Power, r.PowerLimit, r.Uptime, r.Accepted, r.Rejected, r.Paused)
			}
			if len(r.Boards) != spec.Boards || len(r.Fans) != spec.Fans {
				t.Fatalf("%d boards, %d fans", len(r.Boards), len(r.Fans))
			}
			var boardSum float64
			for i, b := range r.Boards {
				boardSum += b.HashRate
				if b.Index != i || b.Chips < spec.ChipsPerBoard-2 || b.Chips > spec.ChipsPerBoard {
					t.Errorf("board %d: %d chips", b.Index, b.Chips)
				}
				if b.ChipTemp < 40 || b.ChipTemp > 95 || b.BoardTemp < 30 || b.InletTemp <= 0 ||
					b.InletTemp > b.OutletTemp || b.OutletTemp > b.BoardTemp || b.FrequencyMHz <= 0 {
					t.Errorf("board %+v", b)
				}
			}
			if !simtest.Within(boardSum, r.HashRate, 0.01) {
				t.Errorf("boards add up to %v H/s, miner %v", boardSum, r.HashRate)
			}
			for i, f := range r.Fans {
				if f.Index != i || f.RPM < 2000 || f.RPM > 7000 || f.Percent <= 0 || f.Percent > 100 {
					t.Errorf("fan %+v", f)
				}
			}
			st := s.Settings(0)
			if len(r.Pools) != len(st.Pools) || r.Pools[0].URL != st.Pools[0].URL || r.Pools[0].User != st.Pools[0].User ||
				!r.Pools[0].Active || r.Pools[0].Status != "alive" || r.Pools[0].Accepted != r.Accepted {
				t.Errorf("pools %+v, configured %+v", r.Pools, st.Pools)
			}
			nominal := r.HashRate

			simtest.Must(t, "pause", d.Pause(ctx, target))
			if !s.Settings(0).Paused {
				t.Error("not paused in the simulator")
			}
			if r, err := d.Poll(ctx, target); err != nil || !r.Paused || r.HashRate != 0 {
				t.Errorf("paused: %+v %v", r, err)
			}
			simtest.Must(t, "pause again", d.Pause(ctx, target))
			simtest.Must(t, "resume", d.Resume(ctx, target))
			if r, _ := d.Poll(ctx, target); s.Settings(0).Paused || r.Paused || !simtest.Within(r.HashRate, nominal, 0.05) {
				t.Errorf("resumed: %v H/s, paused %v", r.HashRate, r.Paused)
			}

			simtest.Must(t, "locate on", d.SetLocate(ctx, target, true, time.Minute))
			if !s.Settings(0).Locate {
				t.Error("locate off after SetLocate(true)")
			}
			simtest.Must(t, "locate off", d.SetLocate(ctx, target, false, 0))
			if s.Settings(0).Locate {
				t.Error("locate on after SetLocate(false)")
			}

			ps, err := d.SetPowerTarget(ctx, target, 2500)
			simtest.Must(t, "power target", err)
			if ps.RequestedWatts != 2500 || ps.Watts != 2500 || ps.Mechanism != "watts" || ps.Value != "2500" {
				t.Errorf("power setting %+v", ps)
			}
			if st := s.Settings(0); st.PowerTargetW != 2500 {
				t.Errorf("power target in simulator %d", st.PowerTargetW)
			}
			if r, _ := d.Poll(ctx, target); r.PowerLimit != 2500 || r.Power > 2500*1.05 || r.HashRate > nominal*0.9 {
				t.Errorf("limited to 2500 W: %v W (limit %v), %v H/s", r.Power, r.PowerLimit, r.HashRate)
			}
			// Out of range targets are clamped by the firmware, and the
			// reply says what was applied.
			ps, err = d.SetPowerTarget(ctx, target, 100000)
			simtest.Must(t, "power target too high", err)
			if ps.RequestedWatts != 100000 || ps.Watts != tc.powerMax || s.Settings(0).PowerTargetW != int(tc.powerMax) {
				t.Errorf("clamped high: %+v, simulator %d", ps, s.Settings(0).PowerTargetW)
			}
			ps, err = d.SetPowerTarget(ctx, target, 10)
			simtest.Must(t, "power target too low", err)
			if ps.Watts != tc.powerMin || s.Settings(0).PowerTargetW != int(tc.powerMin) {
				t.Errorf("clamped low: %+v, simulator %d", ps, s.Settings(0).PowerTargetW)
			}
			if r, _ := d.Poll(ctx, target); r.PowerLimit != tc.powerMin {
				t.Errorf("power limit after clamping %v", r.PowerLimit)
			}
			_, err = d.SetPowerTarget(ctx, target, 2500)
			simtest.Must(t, "power target back", err)

			simtest.Must(t, "fan manual", d.SetFanMode(ctx, target, hearth.FanMode{Percent: 60}))
			if st := s.Settings(0); !st.FanManual || st.FanPercent != 60 {
				t.Errorf("fan setting in simulator %+v", st)
			}
			if r, _ := d.Poll(ctx, target); len(r.Fans) != spec.Fans || r.Fans[0].Percent != 60 || !simtest.Within(r.Fans[0].RPM, 6500*0.6, 0.01) {
				t.Errorf("fans at 60 %%: %+v", r.Fans)
			}
			simtest.Must(t, "fan auto", d.SetFanMode(ctx, target, hearth.FanMode{Auto: true}))
			if st := s.Settings(0); st.FanManual {
				t.Errorf("fan setting in simulator %+v", st)
			}

			pools := []hearth.PoolConfig{
				{URL: "stratum+tcp://a.example:3333", User: "acct.w1", Password: "x"},
				{URL: "stratum+tcp://b.example:3333", User: "acct.w2", Password: "y"},
			}
			simtest.Must(t, "set pools", d.SetPools(ctx, target, pools))
			if st := s.Settings(0); len(st.Pools) != 2 || st.Pools[0].URL != pools[0].URL || st.Pools[1].Password != "y" {
				t.Errorf("pools in simulator %+v", st.Pools)
			}
			if r, _ := d.Poll(ctx, target); len(r.Pools) != 2 || r.Pools[0].URL != pools[0].URL || !r.Pools[0].Active ||
				r.Pools[1].Active || r.Pools[1].User != "acct.w2" || r.Pools[1].Priority != 1 {
				t.Errorf("pools after SetPools %+v", r.Pools)
			}

			// Every verb hearth has is declared; an undeclared one would
			// answer EUNSUPPORTED (none is left to try on this driver).
			for _, c := range []hearth.Capability{hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause,
				hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs, hearth.CapStratumV2} {
				if !slices.Contains(d.Capabilities(), c) {
					t.Errorf("capability %s not declared", c)
				}
			}

			// A wrong stored password is refused, and nothing changes.
			bad := target
			bad.Credentials = hearth.Credentials{User: "root", Password: "wrong"}
			if err := d.SetLocate(ctx, bad, true, time.Minute); hearth.ErrorCode(err) != hearth.EAUTH {
				t.Errorf("wrong password, locate: %v", err)
			}
			if _, err := d.Poll(ctx, bad); hearth.ErrorCode(err) != hearth.EAUTH {
				t.Errorf("wrong password, poll: %v", err)
			}
			if s.Settings(0).Locate {
				t.Error("a write with a wrong password took effect")
			}

			simtest.Must(t, "restart", simtest.RetryUntilBack(func() error { return d.RestartMining(ctx, target) }))
			up := simtest.PollUntilBack(t, d, target)
			if up.Uptime > 5*time.Second {
				t.Errorf("uptime %v after a restart", up.Uptime)
			}
			// The reboot drops every token; the driver logs in again.
			simtest.Must(t, "reboot", simtest.RetryUntilBack(func() error { return d.Reboot(ctx, target) }))
			simtest.PollUntilBack(t, d, target)
			if n := s.Settings(0).Reboots; n != 2 {
				t.Errorf("reboots %d", n)
			}
			if st := s.Settings(0); len(st.Pools) != 2 || st.PowerTargetW != 2500 {
				t.Errorf("settings lost in a reboot: %+v", st)
			}
		})
	}
}

// v2Key is a Stratum V2 authority public key in the form pools publish
// (Base58Check).
const v2Key = "9awtMD5KQgvRUh2yFbjVeT7b6hjipWcAsQHd6wEhgtDT9soosna"

func TestSimulatorStratumV2(t *testing.T) {
	for _, tc := range simCases {
		t.Run(tc.short, func(t *testing.T) {
			s, _, mi := simBOS(t, tc.short)
			target := mi.Target()
			ctx := context.Background()
			d := newDriver(t)

			pools := []hearth.PoolConfig{
				{URL: "stratum2+tcp://v2.pool.example:3336/" + v2Key, User: "acct.w1"},
				{URL: "stratum+tcp://v1.pool.example:3333", User: "acct.w1", Password: "x"},
			}
			if !pools[0].StratumV2() {
				t.Fatal("test pool is not Stratum V2")
			}
			if err := d.SetPools(ctx, target, pools); err != nil {
				t.Fatal(err)
			}
			if st := s.Settings(0); len(st.Pools) != 2 || st.Pools[0].URL != pools[0].URL {
				t.Errorf("pools in simulator %+v", st.Pools)
			}
			r, err := d.Poll(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Pools) != 2 || r.Pools[0].URL != pools[0].URL || !r.Pools[0].Active || r.Pools[0].User != "acct.w1" {
				t.Errorf("pools after SetPools %+v", r.Pools)
			}

			// Malformed V2 URLs are refused by the firmware (EINVALID)
			// and the pools stay as they were.
			for _, url := range []string{
				"stratum2+tcp://v2.pool.example:3336",                // no authority key
				"stratum2+tcp://v2.pool.example/" + v2Key,            // no port
				"stratum2+tcp://v2.pool.example:3336/not-base58!0OI", // not a key
				"stratum2+tcp://:3336/" + v2Key,                      // no host
			} {
				err := d.SetPools(ctx, target, []hearth.PoolConfig{{URL: url, User: "acct.w1"}})
				if hearth.ErrorCode(err) != hearth.EINVALID {
					t.Errorf("%s: %v", url, err)
				}
			}
			if st := s.Settings(0); len(st.Pools) != 2 || st.Pools[0].URL != pools[0].URL {
				t.Errorf("pools changed by a refused write: %+v", st.Pools)
			}
		})
	}
}

func TestSimulatorLogs(t *testing.T) {
	for _, tc := range simCases {
		t.Run(tc.short, func(t *testing.T) {
			s, spec, mi := simBOS(t, tc.short)
			ctx := context.Background()
			d := newDriver(t)
			target := func(i int) hearth.Target { mi, _ := s.Miner(i); return mi.Target() }
			if err := s.SetFault(sim.Fault{Index: 1, Kind: sim.FaultDeadBoard}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetFault(sim.Fault{Index: 2, Kind: sim.FaultHot}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.SetPowerTarget(ctx, target(0), 2500); err != nil {
				t.Fatal(err)
			}

			log, err := d.FetchLogs(ctx, mi.Target())
			if err != nil {
				t.Fatal(err)
			}
			if log.Truncated || log.Source != "gRPC MinerService/GetLog (LOG_TYPE_BOSMINER)" || time.Since(log.FetchedAt) > time.Minute {
				t.Errorf("log %+v", log)
			}
			r, err := d.Poll(ctx, target(0))
			if err != nil {
				t.Fatal(err)
			}
			st := s.Settings(0)
			want := []string{
				"Starting bosminer",
				strings.TrimPrefix(tc.firmware, "Braiins OS "),
				spec.Name,
				"Connected to " + st.Pools[0].URL,
				"power target 2500 W",
			}
			for i, b := range r.Boards {
				want = append(want, "Hashboard "+itoa(i+1)+": found "+itoa(b.Chips)+" chips")
			}
			for _, w := range want {
				if !strings.Contains(log.Text, w) {
					t.Errorf("log lacks %q:\n%s", w, log.Text)
				}
			}
			if strings.Contains(log.Text, "WARN") || strings.Contains(log.Text, "ERROR") {
				t.Errorf("healthy miner's log has warnings:\n%s", log.Text)
			}

			// Faults show in the log as in the reading.
			dead, err := d.FetchLogs(ctx, target(1))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(dead.Text, "ERROR") || !strings.Contains(dead.Text, "Hashboard 2: chip enumeration failed") {
				t.Errorf("dead board not in the log:\n%s", dead.Text)
			}
			hot, err := d.FetchLogs(ctx, target(2))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(hot.Text, "WARN") || !strings.Contains(hot.Text, "chip temperature") {
				t.Errorf("hot chip not in the log:\n%s", hot.Text)
			}

			// A wrong password is EAUTH, an offline miner EUNAVAILABLE.
			bad := target(0)
			bad.Credentials = hearth.Credentials{User: "root", Password: "wrong"}
			if _, err := d.FetchLogs(ctx, bad); hearth.ErrorCode(err) != hearth.EAUTH {
				t.Errorf("wrong password: %v", err)
			}
			if err := s.SetFault(sim.Fault{Index: 2, Kind: sim.FaultOffline}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.FetchLogs(ctx, target(2)); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
				t.Errorf("offline: %v", err)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSimulatorFaults checks that faults the simulator plays on Braiins
// OS miners reach hearth's reading as a user would see them.
func TestSimulatorFaults(t *testing.T) {
	for _, tc := range simCases {
		t.Run(tc.short, func(t *testing.T) {
			s, spec, _ := simBOS(t, tc.short)
			ctx := context.Background()
			d := newDriver(t)
			target := func(i int) hearth.Target { mi, _ := s.Miner(i); return mi.Target() }
			simtest.CheckFaultReadings(t, s, d, spec, 0.06)

			// Garbled replies give errors, never a reading passed off as
			// whole.
			simtest.Must(t, "clear faults", s.ClearFaults(0))
			simtest.CheckGarbledPolls(t, s, d, 0)
			if _, err := d.FetchLogs(ctx, target(0)); hearth.ErrorCode(err) != hearth.EPROTOCOL {
				t.Errorf("garbled log: %v", err)
			}
		})
	}
}
