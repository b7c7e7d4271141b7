package braiins

import (
	"math"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want)) }

// The decoders read the real BOS 25.07 fixtures, encoded as gRPC sends them.

func TestDecodeMinerDetailsFixture(t *testing.T) {
	d, err := decodeMinerDetails(encodeFixture(t, "GetMinerDetailsResponse", "miner_details.json"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Model != "Antminer S19 XP" || d.Name != "Antminer S19 XP" {
		t.Errorf("model %q name %q", d.Model, d.Name)
	}
	if d.Version != "2025-08-06-0-3881c51d-25.07-plus" || d.Hostname != "Antminer" || d.MAC != "02:ee:da:a9:b6:4a" {
		t.Errorf("version %q hostname %q mac %q", d.Version, d.Hostname, d.MAC)
	}
	if d.Uptime != 69685*time.Second || d.Status != 2 || d.Serial != "" || d.StickerHashRate != 141000 {
		t.Errorf("uptime %v status %d serial %q sticker %v", d.Uptime, d.Status, d.Serial, d.StickerHashRate)
	}
}

func TestDecodeMinerStatsFixture(t *testing.T) {
	s, err := decodeMinerStats(encodeFixture(t, "GetMinerStatsResponse", "miner_stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Accepted != 10464 || s.Rejected != 18 || !s.HasPower || s.Watts != 3137 {
		t.Errorf("shares %d/%d power %v %v", s.Accepted, s.Rejected, s.HasPower, s.Watts)
	}
	if !near(s.Work.current(), 142400.81429465002) || !near(s.Work.Nominal, 142876.598290866) || !near(s.Work.Real[sinceRestart], 138207.05294534727) {
		t.Errorf("work %+v", s.Work)
	}
}

func TestDecodeHashboardsFixture(t *testing.T) {
	boards, err := decodeHashboards(encodeFixture(t, "GetHashboardsResponse", "miner_hw_hashboards.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(boards) != 3 {
		t.Fatalf("%d boards", len(boards))
	}
	b := boards[0]
	if b.ID != "1" || !b.Enabled || !b.HasChips || b.Chips != 110 || b.ChipTemp != 70.5 || b.BoardTemp != 55.5 ||
		b.InletTemp != 41 || b.OutletTemp != 55.5 || !near(b.FrequencyHz, 486704545) || !near(b.Work.current(), 48097.065811210654) {
		t.Errorf("board 0 %+v", b)
	}
}

func TestDecodeCoolingStateFixture(t *testing.T) {
	fans, err := decodeCoolingState(encodeFixture(t, "GetCoolingStateResponse", "cooling_state.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{5904, 5874, 5874, 5904}
	if len(fans) != len(want) {
		t.Fatalf("%d fans", len(fans))
	}
	for i, f := range fans {
		if f.RPM != want[i] || !f.HasPosition || f.Position != i || !f.HasRatio || f.Ratio != 1 {
			t.Errorf("fan %d %+v", i, f)
		}
	}
}

func TestDecodePoolGroupsFixture(t *testing.T) {
	pools, err := decodePoolGroups(encodeFixture(t, "GetPoolGroupsResponse", "pools.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pools) != 2 {
		t.Fatalf("%d pools", len(pools))
	}
	p := pools[0]
	if p.Group != "foremanGroup" || p.URL != "stratum+tcp://example.pool.com:3333" || p.User != "asic_rs.test" ||
		!p.Enabled || !p.Alive || !p.Active || p.Accepted != 10460 || p.Rejected != 18 {
		t.Errorf("pool 0 %+v", p)
	}
	if pools[1].Active || pools[1].Accepted != 4 {
		t.Errorf("pool 1 %+v", pools[1])
	}
}

func TestDecodeTunerStateFixture(t *testing.T) {
	w, ok, err := decodeTunerState(encodeFixture(t, "GetTunerStateResponse", "performance_tuner_state.json"))
	if err != nil || !ok || w != 3031 {
		t.Fatalf("power target %v %v %v", w, ok, err)
	}
	// A hash-rate target mode (field 3) has no power target.
	if _, ok, err := decodeTunerState([]byte{0x08, 0x02, 0x1a, 0x00}); ok || err != nil {
		t.Fatalf("hash-rate mode: %v %v", ok, err)
	}
}

// Malformed bytes fail cleanly; unknown fields and wire-type mismatches
// are skipped as protobuf does.
func TestDecodeMalformed(t *testing.T) {
	for _, b := range [][]byte{{0xff}, {0x0a, 0x05, 0x01}, {0x0b}, {0x08}} {
		if _, err := decodeMinerDetails(b); err == nil {
			t.Errorf("% x decoded", b)
		}
	}
	// field 6 (hostname) sent as a varint, field 99 unknown: ignored.
	if d, err := decodeMinerDetails([]byte{0x30, 0x01, 0x98, 0x06, 0x01}); err != nil || d.Hostname != "" {
		t.Errorf("%+v %v", d, err)
	}
}

func TestCleanTextBoundsStrings(t *testing.T) {
	long := make([]byte, 10000)
	for i := range long {
		long[i] = 'a'
	}
	msg := appendString(nil, 6, "host\x00\x1bname")
	msg = appendString(msg, 7, string(long))
	d, err := decodeMinerDetails(msg)
	if err != nil {
		t.Fatal(err)
	}
	if d.Hostname != "hostname" || len(d.MAC) != maxText {
		t.Errorf("hostname %q, mac of %d bytes", d.Hostname, len(d.MAC))
	}
}

func TestModelName(t *testing.T) {
	for in, want := range map[string]string{
		"Antminer S19J Pro":          "Antminer S19j Pro",
		"Antminer S19K Pro":          "Antminer S19k Pro",
		"Antminer S19j Pro":          "Antminer S19j Pro",
		"Antminer S19 XP":            "Antminer S19 XP",
		"Antminer S21":               "Antminer S21",
		"Antminer S21+ Hyd.":         "Antminer S21+ Hyd.",
		"Antminer T17E":              "Antminer T17e",
		"Antminer S19XP":             "Antminer S19XP",
		"Braiins Mini Miner BMM 100": "Braiins Mini Miner BMM 100",
		"":                           "",
	} {
		if got := modelName(minerDetails{Model: in}); got != want {
			t.Errorf("modelName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := modelName(minerDetails{Name: "Antminer S19J Pro"}); got != "Antminer S19j Pro" {
		t.Errorf("name fallback: %q", got)
	}
}

// The requests encode exactly the bytes the protos define.
func TestRequests(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"login", loginRequest("root", "root"), []byte("\x0a\x04root\x12\x04root")},
		{"login empty password", loginRequest("root", ""), []byte("\x0a\x04root")},
		{"locate on", locateRequest(true), []byte{0x08, 0x01}},
		{"locate off", locateRequest(false), nil},
		{"power 3250", powerTargetRequest(3250), []byte{0x08, 0x03, 0x12, 0x03, 0x08, 0xb2, 0x19}},
		{"fan auto", coolingModeRequest(hearth.FanMode{Auto: true}), []byte{0x08, 0x02, 0x12, 0x00}},
		{"fan 40%", coolingModeRequest(hearth.FanMode{Percent: 40}), []byte{0x08, 0x02, 0x1a, 0x09, 0x09, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xd9, 0x3f}},
		{"pools", poolGroupsRequest([]hearth.PoolConfig{{URL: "stratum+tcp://p:3333", User: "u.w", Password: "x"}}),
			[]byte("\x08\x02\x12\x2e\x12\x06hearth\x1a\x02\x08\x01\x2a\x20\x12\x14stratum+tcp://p:3333\x1a\x03u.w\x22\x01x\x28\x01")},
	} {
		if string(c.got) != string(c.want) {
			t.Errorf("%s: % x, want % x", c.name, c.got, c.want)
		}
	}
}
