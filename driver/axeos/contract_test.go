package axeos_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/axeos"
)

func TestRegistered(t *testing.T) {
	d, err := driver.Lookup(hearth.FamilyAxeOS)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(*axeos.Driver); !ok {
		t.Fatalf("registered driver is %T", d)
	}
	if d.DefaultPort() != 80 {
		t.Errorf("DefaultPort = %d, want 80", d.DefaultPort())
	}
	want := []hearth.Capability{hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs}
	if got := d.Capabilities(); !slices.Equal(got, want) {
		t.Errorf("Capabilities = %v, want %v", got, want)
	}
}

// The v2.0.0-era capture of the reference (§2.2), replayed verbatim.
func TestPollReferenceV2_0_0(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "reference_v2_0_0_system_info.json")),
	})
	r := poll(t, target)

	if r.HashRate != 1e12 {
		t.Errorf("HashRate = %g, want 1e12 (1000 GH/s)", r.HashRate)
	}
	if !near(r.Power, 2.65) {
		t.Errorf("Power = %g, want 2.65", r.Power)
	}
	if r.PowerEstimated {
		t.Error("PowerEstimated set for a measured power")
	}
	if r.Uptime != 4*time.Second || r.Accepted != 0 || r.Rejected != 0 || r.Paused {
		t.Errorf("Uptime, Accepted, Rejected, Paused = %v %d %d %v", r.Uptime, r.Accepted, r.Rejected, r.Paused)
	}
	if r.IdealHashRate != 0 {
		t.Errorf("IdealHashRate = %g, want 0 (no expectedHashrate before v2.9)", r.IdealHashRate)
	}
	wantBoards := []hearth.Board{{
		Index: 0, HashRate: 1e12, ChipTemp: 59.875, VRTemp: 78,
		Chips: 1, ExpectedChips: 1, FrequencyMHz: 490,
	}}
	if !reflect.DeepEqual(r.Boards, wantBoards) {
		t.Errorf("Boards = %+v\nwant     %+v", r.Boards, wantBoards)
	}
	wantFans := []hearth.Fan{{Index: 0, RPM: 3517, Percent: 35}}
	if !reflect.DeepEqual(r.Fans, wantFans) {
		t.Errorf("Fans = %+v, want %+v", r.Fans, wantFans)
	}
	wantPools := []hearth.Pool{
		{Index: 0, URL: "stratum+tcp://btc.example.pool:3333", User: "asic-rs.test", Status: "unknown", Active: true, Priority: 0},
		{Index: 1, URL: "stratum+tcp://btc2.example.pool:3333", User: "asic-rs.test", Status: "unknown", Active: false, Priority: 1},
	}
	if !reflect.DeepEqual(r.Pools, wantPools) {
		t.Errorf("Pools = %+v\nwant    %+v", r.Pools, wantPools)
	}
	if len(r.Errors) != 0 || len(r.PollErrors) != 0 {
		t.Errorf("Errors %q, PollErrors %q, want none", r.Errors, r.PollErrors)
	}
	if r.Latency <= 0 || r.Latency > 5*time.Second {
		t.Errorf("Latency = %v", r.Latency)
	}
	if r.Time.IsZero() {
		t.Error("Time not set")
	}
}

// The reference's reflow and asic-rs's original file are the same capture.
func TestReferenceSampleMatchesAsicRsFixture(t *testing.T) {
	reading := func(name string) *hearth.Reading {
		r := poll(t, newMiner(t, map[string]http.HandlerFunc{"/api/system/info": serveJSON(fixture(t, name))}))
		r.Time, r.Latency = time.Time{}, 0
		return r
	}
	a, b := reading("reference_v2_0_0_system_info.json"), reading("asic-rs/v2_0_0_system_info.json")
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("readings differ:\n%+v\n%+v", a, b)
	}
}

func TestIdentifyV2_0_0WithoutASICEndpoint(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "asic-rs/v2_0_0_system_info.json")),
	})
	id := identify(t, target)
	want := &hearth.Identity{
		Address:  target.Address,
		Port:     target.Port,
		Family:   hearth.FamilyAxeOS,
		Firmware: "AxeOS v2.4.5-3-gb5d1e36-dirty",
		Model:    "Bitaxe Supra", // board 401; no /api/system/asic before v2.9
		MAC:      "AA:BB:CC:DD:EE:FF",
		Hostname: "bitaxe",
		HashRate: 1e12,
	}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("Identity = %+v\nwant       %+v", id, want)
	}
}

// A current-firmware reply built from ESP-Miner HEAD's field list.
func TestPollHead(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "head_v2_15_0_system_info.json")),
	})
	target.Model = "Bitaxe Gamma"
	r := poll(t, target)

	if !near(r.HashRate, 1183.462e9) || !near(r.IdealHashRate, 1075.2e9) {
		t.Errorf("HashRate, IdealHashRate = %g, %g", r.HashRate, r.IdealHashRate)
	}
	if r.Power != 17.8125 || r.Uptime != 86412*time.Second || r.Accepted != 8812 || r.Rejected != 7 || r.Paused {
		t.Errorf("Power, Uptime, Accepted, Rejected, Paused = %g %v %d %d %v", r.Power, r.Uptime, r.Accepted, r.Rejected, r.Paused)
	}
	wantBoards := []hearth.Board{{
		Index: 0, HashRate: r.HashRate, IdealHashRate: r.IdealHashRate,
		ChipTemp: 58.25, VRTemp: 49, Chips: 1, ExpectedChips: 1, FrequencyMHz: 524.7,
	}}
	if !reflect.DeepEqual(r.Boards, wantBoards) {
		t.Errorf("Boards = %+v\nwant     %+v", r.Boards, wantBoards)
	}
	// fan2rpm is 0 on a single-fan Gamma: no second fan.
	if want := []hearth.Fan{{Index: 0, RPM: 4012, Percent: 48}}; !reflect.DeepEqual(r.Fans, want) {
		t.Errorf("Fans = %+v, want %+v", r.Fans, want)
	}
	wantPools := []hearth.Pool{
		{Index: 0, URL: "stratum+ssl://solo.example.org:4333", User: "bc1qexampleaddress.gamma", Status: "alive", Active: true, Priority: 0, Accepted: 8812, Rejected: 7},
		{Index: 1, URL: "stratum+tcp://backup.example.net:3333", User: "bc1qexampleaddress.gamma", Status: "unknown", Priority: 1},
		{Index: 3, URL: "stratum2+tcp://sv2.example.com:34254", User: "gamma", Status: "disabled", Priority: 2},
	}
	if !reflect.DeepEqual(r.Pools, wantPools) {
		t.Errorf("Pools = %+v\nwant    %+v", r.Pools, wantPools)
	}
	if len(r.Errors) != 0 || len(r.PollErrors) != 0 {
		t.Errorf("Errors %q, PollErrors %q, want none", r.Errors, r.PollErrors)
	}
}

func TestIdentifyHead(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "head_v2_15_0_system_info.json")),
		"/api/system/asic": serveJSON(fixture(t, "head_v2_15_0_system_asic.json")),
	})
	id := identify(t, target)
	want := &hearth.Identity{
		Address:  target.Address,
		Port:     target.Port,
		Family:   hearth.FamilyAxeOS,
		Firmware: "AxeOS v2.15.0",
		Model:    "Bitaxe Gamma",
		MAC:      "24:58:7C:0A:1B:2C",
		Hostname: "bitaxe-gamma",
		HashRate: 1183.462e9,
	}
	if !near(id.HashRate, want.HashRate) {
		t.Errorf("HashRate = %g, want %g", id.HashRate, want.HashRate)
	}
	id.HashRate = want.HashRate
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("Identity = %+v\nwant       %+v", id, want)
	}
}

// The device model comes from /api/system/asic whatever the board version
// suggests.
func TestIdentifyPrefersDeviceModel(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON([]byte(`{"ASICModel":"BM1370","hashRate":2100.5,"version":"v2.13.1","boardVersion":"999"}`)),
		"/api/system/asic": serveJSON([]byte(`{"ASICModel":"BM1370","deviceModel":"GammaTurbo","asicCount":2}`)),
	})
	if id := identify(t, target); id.Model != "Bitaxe GammaTurbo" || id.Firmware != "AxeOS v2.13.1" {
		t.Fatalf("Model, Firmware = %q, %q", id.Model, id.Firmware)
	}
}

// v2.6.1's small field set on a Hex: string best difficulty, no
// /api/system/asic, a full URL in stratumURL, the fallback pool in use.
func TestV2_6_1Hex(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "v2_6_1_system_info.json")),
	})
	id := identify(t, target)
	if id.Model != "Bitaxe Hex" { // BM1366 alone would say Ultra; board 302 is a Hex
		t.Errorf("Model = %q, want Bitaxe Hex", id.Model)
	}
	if id.MAC != "C0:FA:38:6A:6E:B2" || id.Firmware != "AxeOS v2.6.1" || id.Hostname != "hex-shed" {
		t.Errorf("MAC, Firmware, Hostname = %q %q %q", id.MAC, id.Firmware, id.Hostname)
	}

	r := poll(t, target)
	if !near(r.HashRate, 2372.758e9) || r.Power != 61.03125 || r.Accepted != 19739 || r.Rejected != 6 {
		t.Errorf("HashRate, Power, Accepted, Rejected = %g %g %d %d", r.HashRate, r.Power, r.Accepted, r.Rejected)
	}
	if b := r.Boards[0]; b.Chips != 6 || b.ExpectedChips != 6 || b.ChipTemp != 61.5 || b.VRTemp != 52 || b.FrequencyMHz != 525 {
		t.Errorf("Board = %+v", b)
	}
	// v2.6.1 sends no fan2rpm: one fan, not a phantom dead second fan.
	if want := []hearth.Fan{{Index: 0, RPM: 5515, Percent: 62}}; !reflect.DeepEqual(r.Fans, want) {
		t.Errorf("Fans = %+v, want %+v", r.Fans, want)
	}
	wantPools := []hearth.Pool{
		{Index: 0, URL: "stratum+tcp://primary.example.org:21496", User: "bc1qexampleaddress.hex", Status: "unknown", Priority: 0},
		{Index: 1, URL: "stratum+tcp://fallback.example.org:3333", User: "bc1qexampleaddress.hex", Status: "unknown", Active: true, Priority: 1, Accepted: 19739, Rejected: 6},
	}
	if !reflect.DeepEqual(r.Pools, wantPools) {
		t.Errorf("Pools = %+v\nwant    %+v", r.Pools, wantPools)
	}
	if want := []string{"power fault: Input voltage too low"}; !slices.Equal(r.Errors, want) {
		t.Errorf("Errors = %q, want %q", r.Errors, want)
	}
}

// A v2.14.0 SupraHex that overheated, paused, lost a fan and its pool.
func TestV2_14_0Faulted(t *testing.T) {
	r := poll(t, newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "v2_14_0_faulted_system_info.json")),
	}))
	if !r.Paused || r.HashRate != 0 || r.Accepted != 40211 || r.Uptime != 1201*time.Second {
		t.Errorf("Paused, HashRate, Accepted, Uptime = %v %g %d %v", r.Paused, r.HashRate, r.Accepted, r.Uptime)
	}
	wantErrors := []string{
		"power fault: VR overheated",
		"hardware fault: Fan 2 not spinning",
		"overheat mode: ASIC stopped to protect the device",
	}
	if !slices.Equal(r.Errors, wantErrors) {
		t.Errorf("Errors = %q\nwant     %q", r.Errors, wantErrors)
	}
	// Chip sensors at -1 are "not read"; frequency falls back to the
	// configured one; six chips from hashrateMonitor.
	wantBoards := []hearth.Board{{Index: 0, VRTemp: 71.5, Chips: 6, ExpectedChips: 6, FrequencyMHz: 490}}
	if !reflect.DeepEqual(r.Boards, wantBoards) {
		t.Errorf("Boards = %+v\nwant     %+v", r.Boards, wantBoards)
	}
	// The SupraHex has two tachometers: the stopped second fan shows.
	wantFans := []hearth.Fan{{Index: 0, RPM: 6120, Percent: 100}, {Index: 1, RPM: 0, Percent: 100}}
	if !reflect.DeepEqual(r.Fans, wantFans) {
		t.Errorf("Fans = %+v, want %+v", r.Fans, wantFans)
	}
	wantPools := []hearth.Pool{
		{Index: 0, URL: "stratum+tcp://primary.example.org:3333", User: "worker.suprahex", Status: "unknown", Priority: 0},
		{Index: 1, URL: "stratum+ssl://fallback.example.org:4443", User: "worker.suprahex", Status: "dead", Active: true, Priority: 1, Accepted: 40211, Rejected: 35},
	}
	if !reflect.DeepEqual(r.Pools, wantPools) {
		t.Errorf("Pools = %+v\nwant    %+v", r.Pools, wantPools)
	}
}

// Without a board version, the model hearth identified gives the design
// chip count.
func TestExpectedChipsFromTargetModel(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON([]byte(`{"ASICModel":"BM1366","hashRate":2400,"fanrpm":5000,"fan2rpm":4900}`)),
	})
	target.Model = "Bitaxe Hex"
	r := poll(t, target)
	if b := r.Boards[0]; b.Chips != 6 || b.ExpectedChips != 6 {
		t.Errorf("Chips, ExpectedChips = %d, %d, want 6, 6", b.Chips, b.ExpectedChips)
	}
	if len(r.Fans) != 2 || r.Fans[1].RPM != 4900 {
		t.Errorf("Fans = %+v", r.Fans)
	}
}

// Numbers sent as strings are read; a field of the wrong type is skipped
// and named in PollErrors, the rest of the reading kept.
func TestPollToleratesTypeChanges(t *testing.T) {
	r := poll(t, newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON([]byte(`{"ASICModel":"BM1370","hashRate":"1200.5","temp":"61.5","power":15,` +
			`"hostname":{"oops":1},"miningPaused":1,"bestDiff":"12.3M","sharesAccepted":"42"}`)),
	}))
	if !near(r.HashRate, 1200.5e9) || r.Boards[0].ChipTemp != 61.5 || r.Power != 15 || !r.Paused || r.Accepted != 42 {
		t.Errorf("reading = %+v", r)
	}
	if len(r.PollErrors) != 1 || !strings.Contains(r.PollErrors[0], "hostname") {
		t.Errorf("PollErrors = %q, want one naming hostname", r.PollErrors)
	}
}

// Reading.Latency is the time to first byte: it includes the miner's think
// time, measured from the moment the request was written.
func TestLatencyIsTimeToFirstByte(t *testing.T) {
	const think = 80 * time.Millisecond
	body := fixture(t, "head_v2_15_0_system_info.json")
	r := poll(t, newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(think)
			serveJSON(body)(w, r)
		},
	}))
	if r.Latency < think || r.Latency > think+2*time.Second {
		t.Fatalf("Latency = %v, want at least %v", r.Latency, think)
	}
}

// The request is a plain GET that asks the miner to close the connection
// (no keep-alive) and carries no Origin header, which AxeOS's network
// check would also have to accept.
func TestRequestShape(t *testing.T) {
	type seen struct {
		method, path, origin, accept string
		close                        bool
	}
	got := make(chan seen, 1)
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": func(w http.ResponseWriter, r *http.Request) {
			got <- seen{r.Method, r.URL.Path, r.Header.Get("Origin"), r.Header.Get("Accept"), r.Close}
			w.Write(fixture(t, "head_v2_15_0_system_info.json"))
		},
	})
	poll(t, target)
	s := <-got
	if s.method != http.MethodGet || s.path != "/api/system/info" || s.origin != "" || s.accept != "application/json" || !s.close {
		t.Fatalf("request = %+v", s)
	}
}

func TestEmptyAddressIsInvalid(t *testing.T) {
	_, err := axeos.New().Poll(timeoutCtx(t, time.Second), hearth.Target{})
	wantCode(t, err, hearth.EINVALID)
	_, err = axeos.New().Identify(timeoutCtx(t, time.Second), hearth.Target{})
	wantCode(t, err, hearth.EINVALID)
}

// The zero Driver works, with the package's default client and timeout.
func TestZeroDriver(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": serveJSON(fixture(t, "head_v2_15_0_system_info.json")),
	})
	var d axeos.Driver
	if _, err := d.Poll(timeoutCtx(t, 5*time.Second), target); err != nil {
		t.Fatal(err)
	}
}
