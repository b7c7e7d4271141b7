package sim_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

func TestAddressPlan(t *testing.T) {
	for i, want := range map[int]string{
		0: "127.1.0.1", 253: "127.1.0.254", 254: "127.1.1.1", 254 * 256: "127.2.0.1",
		99999: "127.2.137.178", sim.MaxMiners - 1: "127.255.255.254",
	} {
		got := sim.AddressOf(i)
		if got.String() != want {
			t.Errorf("AddressOf(%d) = %s, want %s", i, got, want)
		}
		if back, ok := sim.IndexOf(got); !ok || back != i {
			t.Errorf("IndexOf(%s) = %d %v, want %d", got, back, ok, i)
		}
	}
	for _, a := range []string{"127.0.0.1", "127.1.0.0", "127.1.0.255", "10.1.0.1", "::1"} {
		if _, ok := sim.IndexOf(netip.MustParseAddr(a)); ok {
			t.Errorf("IndexOf(%s) claims a sim miner", a)
		}
	}
	if i, ok := sim.IndexOf(netip.MustParseAddr("::ffff:127.1.0.3")); !ok || i != 2 {
		t.Errorf("IPv4-mapped address: %d %v", i, ok)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]sim.Config{
		"negative count":  {Miners: -1},
		"too many":        {Miners: sim.MaxMiners + 1},
		"unknown model":   {Miners: 1, Models: []string{"s9"}},
		"unknown in mix":  {Miners: 1, Mix: map[string]float64{"s9": 1}},
		"zero mix":        {Miners: 1, Mix: map[string]float64{sim.ModelS21: 0}},
		"bad port":        {Miners: 1, RPCPort: 70000},
		"absurd ambient":  {Miners: 1, Ambient: 400},
		"fault off fleet": {Miners: 1, Faults: []sim.Fault{{Index: 1, Kind: sim.FaultHot}}},
	} {
		if _, err := sim.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestMinersDescribeTheFleet(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 1000, Seed: 42})
	counts := map[string]int{}
	names := map[string]bool{}
	for i, mi := range s.Miners() {
		if mi.Index != i || mi.Address != sim.AddressOf(i) || mi.Name != sim.NameOf(i) {
			t.Fatalf("miner %d: %+v", i, mi)
		}
		names[mi.Name] = true
		counts[mi.ModelShort]++
		switch mi.Family {
		case "antminer":
			if mi.Port != s.RPCPort() || mi.WebPort != s.HTTPPort() || !strings.HasPrefix(mi.Model, "Antminer ") {
				t.Errorf("antminer %d: %+v", i, mi)
			}
		case "axeos":
			if mi.Port != s.HTTPPort() || mi.Model != "Bitaxe Gamma" {
				t.Errorf("bitaxe %d: %+v", i, mi)
			}
		default:
			t.Errorf("miner %d family %q", i, mi.Family)
		}
		if tg := mi.Target(); tg.Address != mi.Address.String() || tg.Port != mi.Port || tg.Model != mi.Model {
			t.Errorf("target %+v", tg)
		}
	}
	if len(names) != 1000 {
		t.Errorf("names are not unique")
	}
	mix := sim.DefaultMix()
	var total float64
	for _, w := range mix {
		total += w
	}
	for short, w := range mix {
		share := float64(counts[short]) / 1000
		if want := w / total; share < want-0.03 || share > want+0.03 {
			t.Errorf("%s is %.3f of the fleet, want about %.3f", short, share, want)
		}
	}
}

func TestModelRestrictionAndMix(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 50, Seed: 1, Models: []string{sim.ModelBitaxeGamma}})
	for _, mi := range s.Miners() {
		if mi.ModelShort != sim.ModelBitaxeGamma {
			t.Fatalf("restricted fleet holds a %s", mi.Model)
		}
	}
	mix, err := sim.ParseMix("s21=3, bitaxe-gamma=1")
	if err != nil {
		t.Fatal(err)
	}
	s = simtest.Start(t, sim.Config{Miners: 400, Seed: 1, Mix: mix})
	counts := map[string]int{}
	for _, mi := range s.Miners() {
		counts[mi.ModelShort]++
	}
	if c := counts[sim.ModelS21]; c < 295 || c > 305 || c+counts[sim.ModelBitaxeGamma] != 400 {
		t.Errorf("mix 3:1 gave %v", counts)
	}
	for spec, wantErr := range map[string]string{
		"s9":         "unknown model",
		"s21=x":      "weight",
		"s21=-1":     "weight",
		"s21,s21":    "twice",
		"=3":         "name missing",
		"s21=1,,s21": "name missing",
	} {
		if _, err := sim.ParseMix(spec); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseMix(%q) = %v, want %q", spec, err, wantErr)
		}
	}
	models := sim.KnownModels()
	if len(models) < 6 { // the base models; firmware families add more
		t.Fatalf("KnownModels: %d", len(models))
	}
	for _, m := range models {
		if m.Short == sim.ModelS21XPHyd && (m.HashRate != 473e12 || m.Power != 5676 || m.ChipsPerBoard != 160 || !m.Hydro) {
			t.Errorf("S21 XP Hyd. figures: %+v", m)
		}
	}
}

func FuzzParseMix(f *testing.F) {
	for _, seed := range []string{"s21=50,bitaxe-gamma=50", "s19jpro", "s21xp=0.5, s21xphyd=2", "", "=", "s21=1e400", "s21=NaN"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		mix, err := sim.ParseMix(spec)
		if err != nil {
			return
		}
		for name, w := range mix {
			if w < 0 || w != w {
				t.Fatalf("%q: weight %v for %s", spec, w, name)
			}
		}
	})
}

// TestDeterminism checks that the fleet is a function of the seed and the
// clock: two simulators with the same seed at the same time say the same
// bytes, and another seed says something else.
func TestDeterminism(t *testing.T) {
	clock := simtest.NewClock(testStart)
	cfg := sim.Config{Miners: 30, Seed: 1234, Now: clock.Now, Faults: []sim.Fault{{Index: 4, Kind: sim.FaultHighReject, Delay: 10 * time.Second}}}
	a, b := simtest.Start(t, cfg), simtest.Start(t, cfg)
	cfg.Seed = 4321
	c := simtest.Start(t, cfg)
	clock.Advance(47 * time.Second)

	differ := 0
	for i := 0; i < 30; i++ {
		ma, _ := a.Miner(i)
		mb, _ := b.Miner(i)
		mc, _ := c.Miner(i)
		if ma.Model != mb.Model || ma.MAC != mb.MAC || ma.Serial != mb.Serial {
			t.Fatalf("miner %d differs between equal seeds: %+v %+v", i, ma, mb)
		}
		var ra, rb, rc []byte
		if ma.Family == "antminer" {
			for _, cmd := range []string{"stats", "summary", "pools"} {
				ra = append(ra, rpcRaw(t, ma.Address, a.RPCPort(), cmd)...)
				rb = append(rb, rpcRaw(t, mb.Address, b.RPCPort(), cmd)...)
			}
		} else {
			_, ra = httpGet(t, ma, "/api/system/info", nil)
			_, rb = httpGet(t, mb, "/api/system/info", nil)
		}
		if !bytes.Equal(ra, rb) {
			t.Errorf("miner %d: same seed, same time, different replies:\n%s\n%s", i, ra, rb)
		}
		if mc.Family == "antminer" {
			rc = rpcRaw(t, mc.Address, c.RPCPort(), "stats")
			if ma.Family == "antminer" && !bytes.Equal(rc, rpcRaw(t, ma.Address, a.RPCPort(), "stats")) {
				differ++
			}
		}
	}
	if differ == 0 {
		t.Errorf("a different seed gave the same fleet")
	}
}

func TestListenErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	s, _ := sim.New(sim.Config{Miners: 1, RPCPort: port})
	err = s.Start()
	var le *sim.ListenError
	if !errors.As(err, &le) || le.Service != "rpc" || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("port in use: %v", err)
	}
	s.Close()

	if os.Geteuid() != 0 {
		s, _ = sim.New(sim.Config{Miners: 1, HTTPPort: sim.DefaultHTTPPort})
		err = s.Start()
		if err == nil {
			// Some systems lower net.ipv4.ip_unprivileged_port_start.
			t.Log("binding port 80 is allowed here")
		} else if !errors.Is(err, fs.ErrPermission) || !errors.As(err, &le) || le.Service != "http" {
			t.Errorf("port 80 without privilege: %v", err)
		}
		s.Close()
	}
}

func countFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(entries)
}

// TestIdleFleetCostsNoDescriptors checks the scale design: 5,000 miners
// cost the two listeners (and the runtime's poller), not a descriptor,
// goroutine or timer each.
func TestIdleFleetCostsNoDescriptors(t *testing.T) {
	before := countFDs(t)
	s := simtest.Start(t, sim.Config{Miners: 5000, Seed: 1})
	if after := countFDs(t); after-before > 3 {
		t.Errorf("an idle fleet of 5,000 uses %d descriptors", after-before)
	}
	// Traffic leaves nothing behind once the connections are done.
	for i := 0; i < 200; i++ {
		mi, _ := s.Miner(i * 25)
		if mi.Family == "antminer" {
			rpcRaw(t, mi.Address, mi.Port, "summary")
		} else {
			httpGet(t, mi, "/api/system/info", nil)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for countFDs(t)-before > 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := countFDs(t); after-before > 3 {
		t.Errorf("after traffic the fleet holds %d descriptors", after-before)
	}
}

// TestManyMinersConcurrently polls a fleet the way a poller does: three
// RPC commands per Antminer and two HTTP requests per Bitaxe, many at once.
func TestManyMinersConcurrently(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 500
	}
	s := simtest.Start(t, sim.Config{Miners: n, Seed: 77})
	miners := s.Miners()
	var next, failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(miners) {
					return
				}
				mi := miners[i]
				if mi.Family == "axeos" {
					for _, p := range []string{"/api/system/info", "/api/system/asic"} {
						if resp, _, err := httpTry(mi, p, nil); err != nil || resp.StatusCode != 200 {
							failures.Add(1)
						}
					}
					continue
				}
				for _, cmd := range []string{"summary", "pools", "stats"} {
					raw, err := rpcTry(mi.Address, mi.Port, `{"command":"`+cmd+`"}`)
					if err != nil || len(raw) < 100 || raw[len(raw)-1] != 0 {
						failures.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	if f := failures.Load(); f > 0 {
		t.Errorf("%d requests failed", f)
	}
	t.Logf("%d miners polled in %v", n, time.Since(start))
}

func TestCloseStopsServing(t *testing.T) {
	s, err := sim.New(sim.Config{Miners: 4, Seed: 1, Models: []string{sim.ModelS21},
		Faults: []sim.Fault{{Index: 0, Kind: sim.FaultSlow}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	mi, _ := s.Miner(0)
	// A slow reply is in flight when Close comes; Close must not wait it out.
	c, err := net.Dial("tcp", netip.AddrPortFrom(mi.Address, uint16(mi.Port)).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("stats"))
	one := make([]byte, 1)
	c.Read(one)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if _, err := rpcTry(mi.Address, mi.Port, "summary"); err == nil {
		t.Errorf("still serving after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
