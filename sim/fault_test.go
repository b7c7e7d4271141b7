package sim_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

func TestParseFaults(t *testing.T) {
	got, err := sim.ParseFaults(" 3:low-hashrate@60s, 7:high-reject,9:offline ,0:cooling-reversed@1m30s")
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.Fault{
		{Index: 3, Kind: sim.FaultLowHashrate, Delay: 60 * time.Second},
		{Index: 7, Kind: sim.FaultHighReject},
		{Index: 9, Kind: sim.FaultOffline},
		{Index: 0, Kind: sim.FaultCoolingReversed, Delay: 90 * time.Second},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fault %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if f, _ := sim.ParseFaults(""); f != nil {
		t.Errorf("empty spec: %v", f)
	}
	for _, k := range sim.FaultKinds() {
		if !strings.Contains(sim.FaultHelp, "\n  "+string(k)+" ") {
			t.Errorf("FaultHelp does not document %s", k)
		}
		if _, err := sim.ParseFaults("1:" + string(k)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	for spec, wantErr := range map[string]string{
		"3":                "no ':'",
		"x:hot":            `index "x" is not a non-negative number`,
		"-1:hot":           "not a non-negative number",
		"3:melting":        `unknown fault "melting"`,
		"3:":               "fault name missing",
		"3:hot@soon":       "not a Go duration",
		"3:hot@-5s":        "negative",
		"3:hot,,4:hot":     "empty item",
		"99999999999:hot":  "out of range",
		"3:hot,4:offline@": "not a Go duration",
	} {
		_, err := sim.ParseFaults(spec)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseFaults(%q) = %v, want an error containing %q", spec, err, wantErr)
		}
	}
	if f := (sim.Fault{Index: 3, Kind: sim.FaultHot, Delay: time.Minute}); f.String() != "3:hot@1m0s" {
		t.Errorf("String: %q", f.String())
	}
}

func FuzzParseFaults(f *testing.F) {
	for _, seed := range []string{
		"3:low-hashrate@60s,7:high-reject,9:offline", "0:hot", "", "1:fan-fail@1h2m3s",
		"x:y", "3:hot@", ":", ",,", "4:garbled@-1s", "12:slow, 13:dead-board",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		faults, err := sim.ParseFaults(spec)
		if err != nil {
			return
		}
		// Whatever parses must print back to a spec that parses the same.
		parts := make([]string, len(faults))
		for i, fl := range faults {
			if fl.Index < 0 || fl.Index >= sim.MaxMiners || fl.Delay < 0 {
				t.Fatalf("%q parsed to an impossible fault %+v", spec, fl)
			}
			parts[i] = fl.String()
		}
		again, err := sim.ParseFaults(strings.Join(parts, ","))
		if err != nil || len(again) != len(faults) {
			t.Fatalf("round trip of %q: %v %v", spec, again, err)
		}
		for i := range faults {
			if again[i] != faults[i] {
				t.Fatalf("round trip of %q: %v != %v", spec, again[i], faults[i])
			}
		}
	})
}

func TestFaultMustFitModel(t *testing.T) {
	base := sim.Config{Miners: 4, Seed: 1}
	for name, c := range map[string]struct {
		models []string
		fault  sim.Fault
	}{
		"dead board on a Bitaxe":       {[]string{sim.ModelBitaxeGamma}, sim.Fault{Index: 1, Kind: sim.FaultDeadBoard}},
		"failed chips on a Bitaxe":     {[]string{sim.ModelBitaxeGamma}, sim.Fault{Index: 1, Kind: sim.FaultFailedChips}},
		"reversed cooling on a Bitaxe": {[]string{sim.ModelBitaxeGamma}, sim.Fault{Index: 1, Kind: sim.FaultCoolingReversed}},
		"fan failure on a hydro":       {[]string{sim.ModelS21XPHyd}, sim.Fault{Index: 0, Kind: sim.FaultFanFail}},
		"no such miner":                {nil, sim.Fault{Index: 4, Kind: sim.FaultHot}},
		"no such fault":                {nil, sim.Fault{Index: 0, Kind: "melting"}},
	} {
		cfg := base
		cfg.Models = c.models
		cfg.Faults = []sim.Fault{c.fault}
		if _, err := sim.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

// twins starts two simulators with the same seed and clock, the second
// with faults, so that a fault's effect can be measured against the very
// same miner in health.
func twins(t *testing.T, models []string, faults ...sim.Fault) (healthy, faulty *sim.Sim, clock *simtest.Clock) {
	t.Helper()
	clock = simtest.NewClock(testStart)
	cfg := sim.Config{Miners: 4, Seed: 99, Models: models, Now: clock.Now}
	healthy = simtest.Start(t, cfg)
	cfg.Faults = faults
	faulty = simtest.Start(t, cfg)
	return healthy, faulty, clock
}

func stats(t *testing.T, s *sim.Sim, i int) map[string]any {
	t.Helper()
	mi, _ := s.Miner(i)
	return section(t, rpcJSON(t, mi.Address, mi.Port, "stats"), "STATS", 1)
}

func bitaxeInfo(t *testing.T, s *sim.Sim, i int) map[string]any {
	t.Helper()
	mi, _ := s.Miner(i)
	return axeOSInfo(t, mi)
}

func hottestChip(t *testing.T, d map[string]any) int {
	t.Helper()
	hot := 0
	for _, k := range []string{"temp_chip1", "temp_chip2", "temp_chip3"} {
		q := quad(t, str(t, d, k))
		hot = max(hot, q[0], q[1], q[2], q[3])
	}
	return hot
}

func TestFaultOffline(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 10, Seed: 4, Models: []string{sim.ModelS21, sim.ModelBitaxeGamma}, Now: clock.Now})
	ant := findModel(t, s, sim.ModelS21)
	axe := findModel(t, s, sim.ModelBitaxeGamma)
	for _, f := range []sim.Fault{{Index: ant.Index, Kind: sim.FaultOffline, Delay: time.Minute}, {Index: axe.Index, Kind: sim.FaultOffline, Delay: time.Minute}} {
		if err := s.SetFault(f); err != nil {
			t.Fatal(err)
		}
	}
	if raw := rpcRaw(t, ant.Address, ant.Port, "summary"); len(raw) == 0 {
		t.Fatalf("online before the delay: no reply")
	}
	clock.Advance(61 * time.Second)
	if raw, _ := rpcTry(ant.Address, ant.Port, "summary"); len(raw) != 0 {
		t.Errorf("offline Antminer answered RPC: %q", raw)
	}
	for _, mi := range []sim.MinerInfo{ant, axe} {
		if resp, _, err := httpTry(mi, "/", nil); err == nil {
			t.Errorf("offline %s answered HTTP: %d", mi.Model, resp.StatusCode)
		}
	}
	// The rest of the fleet is unaffected.
	other, _ := s.Miner((ant.Index + 1) % 10)
	if _, _, err := httpTry(other, "/", nil); err != nil {
		t.Errorf("a healthy neighbour went quiet: %v", err)
	}
	if err := s.ClearFaults(ant.Index); err != nil {
		t.Fatal(err)
	}
	if raw := rpcRaw(t, ant.Address, ant.Port, "summary"); len(raw) == 0 {
		t.Errorf("no reply after clearing the fault")
	}
}

func TestFaultLowHashrate(t *testing.T) {
	healthy, faulty, clock := twins(t, []string{sim.ModelS21XP}, sim.Fault{Index: 1, Kind: sim.FaultLowHashrate, Delay: 30 * time.Second})
	before := stats(t, faulty, 1)
	if r := num(t, before, "GHS 5s") / num(t, before, "total_rateideal"); r < 0.95 {
		t.Fatalf("degraded before the delay: %v", r)
	}
	clock.Advance(31 * time.Second)
	h, f := stats(t, healthy, 1), stats(t, faulty, 1)
	ratio := num(t, f, "GHS 5s") / num(t, h, "GHS 5s")
	if math.Abs(ratio-0.55) > 0.01 {
		t.Errorf("hash rate ratio %v, want 0.55", ratio)
	}
	if num(t, f, "total_rateideal") != num(t, h, "total_rateideal") {
		t.Errorf("ideal rate should stay nominal")
	}
	if ff, hf := num(t, f, "freq1"), num(t, h, "freq1"); math.Abs(ff/hf-0.55) > 0.01 {
		t.Errorf("freq1 %v vs %v: the clock should drop", ff, hf)
	}

	bh, bf, bclock := twins(t, []string{sim.ModelBitaxeGamma}, sim.Fault{Index: 2, Kind: sim.FaultLowHashrate})
	bclock.Advance(time.Second)
	hi, fi := bitaxeInfo(t, bh, 2), bitaxeInfo(t, bf, 2)
	if r := num(t, fi, "hashRate") / num(t, hi, "hashRate"); math.Abs(r-0.55) > 0.01 {
		t.Errorf("Bitaxe hash rate ratio %v", r)
	}
	if r := num(t, fi, "power") / num(t, hi, "power"); math.Abs(r-0.55) > 0.02 {
		t.Errorf("Bitaxe power ratio %v: power should follow", r)
	}
}

// shareWindow reads accepted and rejected shares of every miner, advances
// the clock by window and reads again.
func shareWindow(t *testing.T, s *sim.Sim, clock *simtest.Clock, window time.Duration) (dAcc, dRej []float64) {
	t.Helper()
	read := func() (acc, rej []float64) {
		for _, mi := range s.Miners() {
			if mi.Family == "axeos" {
				info := axeOSInfo(t, mi)
				acc = append(acc, num(t, info, "sharesAccepted"))
				rej = append(rej, num(t, info, "sharesRejected"))
				continue
			}
			sum := section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0)
			acc = append(acc, num(t, sum, "Accepted"))
			rej = append(rej, num(t, sum, "Rejected"))
		}
		return acc, rej
	}
	a0, r0 := read()
	clock.Advance(window)
	a1, r1 := read()
	for i := range a0 {
		dAcc = append(dAcc, a1[i]-a0[i])
		dRej = append(dRej, r1[i]-r0[i])
	}
	return dAcc, dRej
}

func TestHealthyRejectRatioOverAnyWindow(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 120, Seed: 8, Now: clock.Now})
	for w := 0; w < 4; w++ {
		clock.Advance(time.Duration(w*37+5) * time.Second)
		dAcc, dRej := shareWindow(t, s, clock, 30*time.Second)
		for i := range dAcc {
			if dAcc[i] < 20 || dAcc[i] > 100 {
				t.Errorf("miner %d: %v accepted shares in 30 s, want 1-3 a second", i, dAcc[i])
			}
			if dRej[i]/dAcc[i] >= 0.05 {
				t.Errorf("miner %d: healthy reject ratio %v/%v over 30 s", i, dRej[i], dAcc[i])
			}
		}
	}
}

func TestFaultHighReject(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 6, Seed: 8, Now: clock.Now, Models: []string{sim.ModelS19jPro, sim.ModelBitaxeGamma}})
	for i := 0; i < 6; i++ {
		if err := s.SetFault(sim.Fault{Index: i, Kind: sim.FaultHighReject}); err != nil {
			t.Fatal(err)
		}
	}
	dAcc, dRej := shareWindow(t, s, clock, 120*time.Second)
	for i := range dAcc {
		if r := dRej[i] / (dAcc[i] + dRej[i]); r < 0.08 || r > 0.12 {
			t.Errorf("miner %d: %v of shares rejected, want about 10 %%", i, r)
		}
	}
}

func TestShareCountersStayMonotonic(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 2, Seed: 6, Models: []string{sim.ModelS21}, Now: clock.Now})
	mi := s.Miners()[0]
	var lastAcc, lastRej float64
	step := func(what string) {
		sum := section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0)
		acc, rej := num(t, sum, "Accepted"), num(t, sum, "Rejected")
		if acc < lastAcc || rej < lastRej {
			t.Fatalf("%s: counters went back: %v/%v after %v/%v", what, acc, rej, lastAcc, lastRej)
		}
		lastAcc, lastRej = acc, rej
	}
	step("start")
	for _, k := range []sim.FaultKind{sim.FaultHighReject, sim.FaultLowHashrate, sim.FaultDeadBoard} {
		clock.Advance(17 * time.Second)
		s.SetFault(sim.Fault{Index: 0, Kind: k, Delay: 5 * time.Second})
		step("set " + string(k))
		clock.Advance(9 * time.Second)
		step("after " + string(k))
	}
	s.ClearFaults(0)
	step("cleared")
	clock.Advance(time.Minute)
	step("later")
}

// faultyPair starts a small mixed fleet and gives its first Antminer and its
// first Bitaxe the fault.
func faultyPair(t *testing.T, kind sim.FaultKind) (s *sim.Sim, ant, axe sim.MinerInfo) {
	t.Helper()
	s = simtest.Start(t, sim.Config{Miners: 6, Seed: 1, Models: []string{sim.ModelS21, sim.ModelBitaxeGamma}})
	ant, axe = findModel(t, s, sim.ModelS21), findModel(t, s, sim.ModelBitaxeGamma)
	for _, mi := range []sim.MinerInfo{ant, axe} {
		if err := s.SetFault(sim.Fault{Index: mi.Index, Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	return s, ant, axe
}

func TestFaultHighLatency(t *testing.T) {
	s, ant, axe := faultyPair(t, sim.FaultHighLatency)
	for _, mi := range []sim.MinerInfo{ant, axe} {
		start := time.Now()
		var err error
		if mi.Family == "antminer" {
			_, err = rpcTry(mi.Address, mi.Port, "summary")
		} else {
			_, _, err = httpTry(mi, "/api/system/info", nil)
		}
		if d := time.Since(start); err != nil || d < 150*time.Millisecond || d > 2*time.Second {
			t.Errorf("%s: reply after %v (%v), want 150-300 ms", mi.Model, d, err)
		}
	}
	mi, _ := s.Miner((ant.Index + 1) % s.Len())
	start := time.Now()
	rpcTry(mi.Address, mi.Port, "summary")
	httpTry(mi, "/", nil)
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("a healthy miner took %v", d)
	}
}

func TestFaultInefficient(t *testing.T) {
	h, f, clock := twins(t, []string{sim.ModelBitaxeGamma}, sim.Fault{Index: 0, Kind: sim.FaultInefficient})
	clock.Advance(time.Second)
	hi, fi := bitaxeInfo(t, h, 0), bitaxeInfo(t, f, 0)
	if num(t, hi, "hashRate") != num(t, fi, "hashRate") {
		t.Errorf("hash rate changed")
	}
	if r := num(t, fi, "power") / num(t, hi, "power"); math.Abs(r-1.35) > 0.01 {
		t.Errorf("power ratio %v, want 1.35", r)
	}
	if num(t, fi, "current") <= num(t, hi, "current") {
		t.Errorf("current should rise with power")
	}
}

func TestFaultFailedChips(t *testing.T) {
	h, f, _ := twins(t, []string{sim.ModelS21}, sim.Fault{Index: 3, Kind: sim.FaultFailedChips})
	hs, fs := stats(t, h, 3), stats(t, f, 3)
	x := strings.Count(str(t, fs, "chain_acs1"), "x") - strings.Count(str(t, hs, "chain_acs1"), "x")
	if x < 18 || x > 20 { // a chip already bad may sit inside the failed run
		t.Errorf("%d more failed chips on board 1, want 20", x)
	}
	if strings.Count(str(t, fs, "chain_acs2"), "x") != strings.Count(str(t, hs, "chain_acs2"), "x") {
		t.Errorf("board 2 should be untouched")
	}
	r := mustFloat(t, str(t, fs, "chain_rate1")) / mustFloat(t, str(t, hs, "chain_rate1"))
	if math.Abs(r-(1-20.0/108)) > 0.02 {
		t.Errorf("board 1 rate ratio %v, want %v", r, 1-20.0/108)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

func TestFaultDeadBoard(t *testing.T) {
	h, f, _ := twins(t, []string{sim.ModelS19jPro}, sim.Fault{Index: 0, Kind: sim.FaultDeadBoard})
	hs, fs := stats(t, h, 0), stats(t, f, 0)
	if num(t, fs, "chain_acn2") != 0 || str(t, fs, "chain_rate2") != "" || str(t, fs, "chain_acs2") != "" {
		t.Errorf("board 2 should be gone: acn %v rate %q", num(t, fs, "chain_acn2"), str(t, fs, "chain_rate2"))
	}
	if str(t, fs, "temp_pcb2") != "0-0-0-0" || str(t, fs, "temp_chip2") != "0-0-0-0" {
		t.Errorf("dead board temperatures should be zero quads")
	}
	if num(t, fs, "chain_acn1") != 126 || num(t, fs, "chain_acn3") != 126 {
		t.Errorf("the other boards should stay")
	}
	if r := num(t, fs, "GHS 5s") / num(t, hs, "GHS 5s"); math.Abs(r-2.0/3) > 0.03 {
		t.Errorf("hash rate ratio %v, want 2/3", r)
	}
}

func TestFaultHot(t *testing.T) {
	_, f, _ := twins(t, []string{sim.ModelS21}, sim.Fault{Index: 1, Kind: sim.FaultHot})
	if hot := hottestChip(t, stats(t, f, 1)); hot <= 95 {
		t.Errorf("hottest chip %d °C, want above 95", hot)
	}
	_, bf, _ := twins(t, []string{sim.ModelBitaxeGamma}, sim.Fault{Index: 1, Kind: sim.FaultHot})
	if temp := num(t, bitaxeInfo(t, bf, 1), "temp"); temp <= 95 {
		t.Errorf("Bitaxe chip %v °C, want above 95", temp)
	}
}

func TestFaultFanFail(t *testing.T) {
	h, f, _ := twins(t, []string{sim.ModelS21}, sim.Fault{Index: 2, Kind: sim.FaultFanFail})
	hs, fs := stats(t, h, 2), stats(t, f, 2)
	if num(t, fs, "fan2") != 0 || num(t, fs, "fan1") == 0 || num(t, fs, "fan3") == 0 {
		t.Errorf("fans %v %v %v: only fan 2 should stop", num(t, fs, "fan1"), num(t, fs, "fan2"), num(t, fs, "fan3"))
	}
	if rise := hottestChip(t, fs) - hottestChip(t, hs); rise < 8 || rise > 12 {
		t.Errorf("chips rose %d °C, want about 10", rise)
	}
	bh, bf, _ := twins(t, []string{sim.ModelBitaxeGamma}, sim.Fault{Index: 0, Kind: sim.FaultFanFail})
	hi, fi := bitaxeInfo(t, bh, 0), bitaxeInfo(t, bf, 0)
	if num(t, fi, "fanrpm") != 0 {
		t.Errorf("Bitaxe fan still turns")
	}
	if rise := num(t, fi, "temp") - num(t, hi, "temp"); rise < 8 || rise > 12 {
		t.Errorf("Bitaxe chip rose %v °C", rise)
	}
}

func TestFaultCoolingReversed(t *testing.T) {
	_, f, _ := twins(t, []string{sim.ModelS21XPHyd}, sim.Fault{Index: 0, Kind: sim.FaultCoolingReversed})
	fs := stats(t, f, 0)
	for _, k := range []string{"temp_pcb1", "temp_pcb2", "temp_pcb3"} {
		q := quad(t, str(t, fs, k))
		if min(q[0], q[1]) <= max(q[2], q[3]) {
			t.Errorf("%s %v: the inlet edge should read warmer than the outlet", k, q)
		}
	}
}

func TestFaultGarbled(t *testing.T) {
	_, ant, axe := faultyPair(t, sim.FaultGarbled)
	for n := 0; n < 12; n++ {
		raw, _ := rpcTry(ant.Address, ant.Port, `{"command":"summary"}`)
		body := bytes.ReplaceAll(bytes.TrimSuffix(raw, []byte{0}), []byte("}{"), []byte("},{"))
		if json.Valid(body) {
			t.Fatalf("garbled RPC reply parses: %q", raw)
		}
		resp, hbody, err := httpTry(axe, "/api/system/info", nil)
		if err == nil && resp.StatusCode == 200 && json.Valid(hbody) {
			t.Fatalf("garbled HTTP reply parses: %q", hbody)
		}
	}
}

func TestFaultSlow(t *testing.T) {
	_, ant, axe := faultyPair(t, sim.FaultSlow)
	for _, mi := range []sim.MinerInfo{ant, axe} {
		port, req := mi.Port, `{"command":"summary"}`
		if mi.Family == "axeos" {
			req = "GET /api/system/info HTTP/1.1\r\nHost: x\r\n\r\n"
		}
		c, err := net.Dial("tcp", netip.AddrPortFrom(mi.Address, uint16(port)).String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		c.Write([]byte(req))
		start := time.Now()
		r := bufio.NewReaderSize(c, 16)
		got := make([]byte, 0, 4)
		for len(got) < 4 {
			b, err := r.ReadByte()
			if err != nil {
				t.Fatalf("%s: %v after %q", mi.Model, err, got)
			}
			got = append(got, b)
		}
		if d := time.Since(start); d < 550*time.Millisecond || d > 1500*time.Millisecond {
			t.Errorf("%s: 4 bytes took %v, want about 600 ms", mi.Model, d)
		}
		c.Close()
	}
}

// Under pool-down the first pool reads Dead and the miner hashes for the
// second one (Stratum Active), on a stock Antminer; the healthy twin hashes
// for its first pool, alive. A Bitaxe refuses the fault.
func TestFaultPoolDown(t *testing.T) {
	healthy, f, _ := twins(t, []string{sim.ModelS21}, sim.Fault{Index: 0, Kind: sim.FaultPoolDown})
	pools := func(s *sim.Sim) (first, second map[string]any) {
		mi, _ := s.Miner(0)
		reply := rpcJSON(t, mi.Address, mi.Port, "pools")
		return section(t, reply, "POOLS", 0), section(t, reply, "POOLS", 1)
	}
	first, second := pools(f)
	if str(t, first, "Status") != "Dead" || first["Stratum Active"] != false || second["Stratum Active"] != true || str(t, second, "Status") != "Alive" {
		t.Errorf("faulty pools: first %v %v, second %v %v; want Dead inactive, Alive active",
			first["Status"], first["Stratum Active"], second["Status"], second["Stratum Active"])
	}
	first, second = pools(healthy)
	if str(t, first, "Status") != "Alive" || first["Stratum Active"] != true || second["Stratum Active"] != false {
		t.Errorf("healthy pools: first %v %v, second active %v", first["Status"], first["Stratum Active"], second["Stratum Active"])
	}
	if _, err := sim.New(sim.Config{Miners: 1, Models: []string{sim.ModelBitaxeGamma}, Faults: []sim.Fault{{Index: 0, Kind: sim.FaultPoolDown}}}); err == nil {
		t.Error("pool-down accepted on a Bitaxe")
	}
}
