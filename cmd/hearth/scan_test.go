package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// 'hearth scan' over the simulator's range identifies every family and
// model correctly, and finds nothing where no miner is.
func TestScanIdentifiesEveryFamilyAndModel(t *testing.T) {
	t.Parallel()
	// Every model in equal parts, so that each appears several times.
	mix := map[string]float64{}
	for _, m := range sim.KnownModels() {
		mix[m.Short] = 1
	}
	s := simtest.Start(t, sim.Config{Miners: 60, Seed: 7, Mix: mix})
	miners := s.Miners()
	last := miners[len(miners)-1].Address
	// Scan two addresses past the fleet too: nothing answers there.
	end := last.Next().Next()
	out, errOut, code := runCLI(t, "scan", fmt.Sprintf("%s-%s", miners[0].Address, end), "--json",
		"--rpc-port", fmt.Sprint(s.RPCPort()), "--http-port", fmt.Sprint(s.HTTPPort()), "--api-port", fmt.Sprint(s.APIPort()))
	if code != 0 {
		t.Fatalf("scan exited %d: %s", code, errOut)
	}
	var found []struct {
		Address    string        `json:"address"`
		Port       int           `json:"port"`
		Family     hearth.Family `json:"family"`
		Firmware   string        `json:"firmware"`
		Model      string        `json:"model"`
		HashRateHS float64       `json:"hashrate_hs"`
		Hostname   string        `json:"hostname"`
	}
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatalf("scan --json is not a JSON array: %v\n%s", err, out)
	}
	if len(found) != len(miners) {
		t.Fatalf("found %d miners, the simulator runs %d", len(found), len(miners))
	}
	nameplate := map[string]float64{}
	for _, m := range sim.KnownModels() {
		nameplate[m.Short] = m.HashRate
	}
	models := map[string]int{}
	for i, f := range found {
		mi := miners[i]
		if f.Address != mi.Address.String() {
			t.Fatalf("result %d is %s, want %s (address order)", i, f.Address, mi.Address)
		}
		wantModel := mi.Model
		if f.Family != mi.Family || f.Model != wantModel {
			t.Errorf("%s: identified as %s %q, it is %s %q", f.Address, f.Family, f.Model, mi.Family, wantModel)
		}
		if f.Port != mi.Port {
			t.Errorf("%s: port %d, want %d", f.Address, f.Port, mi.Port)
		}
		// Hash rates arrive in each firmware's unit (GH/s, MH/s, TH/s);
		// hearth reports hashes per second, near the model's nameplate.
		if want := nameplate[mi.ModelShort]; f.HashRateHS < 0.85*want || f.HashRateHS > 1.15*want {
			t.Errorf("%s (%s): hash rate %.4g H/s, nameplate %.4g H/s", f.Address, mi.ModelShort, f.HashRateHS, want)
		}
		if f.Firmware == "" {
			t.Errorf("%s: no firmware", f.Address)
		}
		// LuxOS and Avalon identification reads no host name (their RPC
		// has none).
		if f.Hostname != mi.Name && f.Family != hearth.FamilyLuxOS && f.Family != hearth.FamilyAvalon {
			t.Errorf("%s (%s): hostname %q, want %q", f.Address, f.Family, f.Hostname, mi.Name)
		}
		models[f.Model]++
	}
	for _, m := range sim.KnownModels() {
		if models[m.Name] == 0 {
			t.Errorf("model %s never identified (got %v)", m.Name, models)
		}
	}
	// The firmware strings say which firmware it is.
	prefix := map[hearth.Family]string{
		hearth.FamilyAntminer: "bmminer ", hearth.FamilyAxeOS: "AxeOS ", hearth.FamilyLuxOS: "LuxOS ",
		hearth.FamilyBraiins: "Braiins OS ", hearth.FamilyAvalon: "Avalon ", hearth.FamilyVNish: "Vnish ",
		hearth.FamilyEPIC: "PowerPlay", hearth.FamilyWhatsminer: "btminer ",
	}
	families := map[hearth.Family]bool{}
	for _, f := range found {
		want, known := prefix[f.Family]
		if !known || !strings.HasPrefix(f.Firmware, want) {
			t.Errorf("%s (%s): firmware %q", f.Address, f.Family, f.Firmware)
		}
		families[f.Family] = true
	}
	if len(families) != len(prefix) {
		t.Errorf("families identified: %v, want all %d", families, len(prefix))
	}
}

// The table output has a row per miner and a summary line.
func TestScanTable(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 1, Models: []string{sim.ModelS21}})
	out, errOut, code := runCLI(t, "scan", netip.PrefixFrom(s.Miners()[0].Address, 30).Masked().String(),
		"--rpc-port", fmt.Sprint(s.RPCPort()), "--http-port", fmt.Sprint(s.HTTPPort()))
	if code != 0 {
		t.Fatalf("scan exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Antminer S21") || !strings.Contains(out, "miners found in 2 addresses") {
		t.Errorf("table:\n%s", out)
	}
}

func TestScanBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"scan", "10.0.0.0/33"},
		{"scan", "10.0.0.300"},
		{"scan", "10.0.0.0/8"},
		{"scan"},
		{"scan", "--concurrency", "x", "10.0.0.1"},
	} {
		_, errOut, code := runCLI(t, args...)
		if code == 0 {
			t.Errorf("%v exited 0", args)
		}
		if strings.TrimSpace(errOut) == "" {
			t.Errorf("%v printed no error", args)
		}
	}
	_, errOut, _ := runCLI(t, "scan", "10.0.0.0/33")
	if !strings.Contains(errOut, "Invalid CIDR") {
		t.Errorf("message for a bad CIDR: %q", errOut)
	}
}
