package avalon_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/avalon"
)

func TestRegistered(t *testing.T) {
	d, err := driver.Lookup(hearth.FamilyAvalon)
	if err != nil {
		t.Fatal(err)
	}
	if d.DefaultPort() != 4028 {
		t.Errorf("DefaultPort = %d, want 4028", d.DefaultPort())
	}
}

func TestCapabilities(t *testing.T) {
	got := avalon.New().Capabilities()
	want := []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget,
		hearth.CapFanMode,
	}
	if len(got) != len(want) {
		t.Fatalf("Capabilities = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Capabilities = %v, want %v", got, want)
		}
	}
}

func TestIdentifyAvalonQ(t *testing.T) {
	m := newFakeMiner(t, qReplies(t))
	id, err := newDriver().Identify(context.Background(), target(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyAvalon || id.Model != "Avalon Q" || id.Firmware != "Avalon 25052801_14a19a2" {
		t.Errorf("identity = %+v", id)
	}
	if id.Serial != "01234567890123456789012345678901" || id.MAC != "AA:BB:CC:DD:EE:FF" {
		t.Errorf("serial/MAC = %q %q", id.Serial, id.MAC)
	}
	if id.HashRate != 0 { // MHS 1m is 0.0: the Q in the fixture is idle
		t.Errorf("HashRate = %g, want 0", id.HashRate)
	}
}

func TestIdentifyModelFallbacks(t *testing.T) {
	for _, tc := range []struct{ prod, model, mac, wantModel, wantMAC string }{
		{"AvalonNano-3s", "3s", "e0e1a93f3053", "Avalon 3s", "E0:E1:A9:3F:30:53"},
		{"Avalon Nano3s", "Nano3s", "", "Avalon Nano3s", ""},
		{"AvalonMiner 1246-83", "1246", "", "AvalonMiner 1246", ""},
		{"AvalonMiner 15-194", "15-194", "", "Avalon 15-194", ""},
	} {
		reply, _ := json.Marshal(map[string]any{
			"STATUS":  []any{map[string]any{"STATUS": "S", "Code": 22, "Msg": "CGMiner versions"}},
			"VERSION": []any{map[string]any{"CGMiner": "4.11.1", "PROD": tc.prod, "MODEL": tc.model, "MAC": tc.mac, "LVERSION": "x"}},
			"id":      1,
		})
		m := newFakeMiner(t, map[string][]byte{"version": reply})
		id, err := newDriver().Identify(context.Background(), target(t, m.Addr))
		if err != nil {
			t.Fatalf("%q: %v", tc.prod, err)
		}
		if id.Model != tc.wantModel || id.MAC != tc.wantMAC {
			t.Errorf("PROD %q MODEL %q: model %q MAC %q, want %q %q", tc.prod, tc.model, id.Model, id.MAC, tc.wantModel, tc.wantMAC)
		}
	}
}

func TestIdentifyRejectsOtherMiners(t *testing.T) {
	antminer := []byte(`{"STATUS":[{"STATUS":"S","Code":22,"Msg":"BMMiner versions"}],"VERSION":[{"BMMiner":"1.0.0","API":"3.1","Type":"Antminer S19j Pro"}],"id":1}`)
	m := newFakeMiner(t, map[string][]byte{"version": antminer})
	_, err := newDriver().Identify(context.Background(), target(t, m.Addr))
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestPollAvalonQ(t *testing.T) {
	m := newFakeMiner(t, qReplies(t))
	r, err := newDriver().Poll(context.Background(), target(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 0 {
		t.Errorf("PollErrors = %v", r.PollErrors)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"HashRate", r.HashRate, 0},
		{"HashRateAvg", r.HashRateAvg, 44539601.86e6},
		{"IdealHashRate", r.IdealHashRate, 55032.79e9},
		{"Power", r.Power, 0}, // no WALLPOWER, PS[4] is 0
		{"PowerLimit", r.PowerLimit, 800},
		{"Uptime", r.Uptime.Seconds(), 37714},
		{"Accepted", float64(r.Accepted), 890},
		{"Rejected", float64(r.Rejected), 2},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %g, want %g", c.name, c.got, c.want)
		}
	}
	if !r.Paused {
		t.Error("Paused = false; the fixture is in soft-off (SoftOFF[4], Work: In Idle)")
	}
	if len(r.Boards) != 1 {
		t.Fatalf("boards = %+v", r.Boards)
	}
	b := r.Boards[0]
	if !near(b.HashRate, 44499.41e9) || b.ChipTemp != 71 || b.Chips != 160 || b.InletTemp != 27 || b.OutletTemp != 27 || b.BoardTemp != 27 || !near(b.FrequencyMHz, 282.86) {
		t.Errorf("board = %+v", b)
	}
	if len(r.Fans) != 4 || r.Fans[3].Index != 3 || r.Fans[0].RPM != 0 {
		t.Errorf("fans = %+v", r.Fans)
	}
	if len(r.Pools) != 1 || r.Pools[0].URL != "stratum+tcp://pool.example.com:4444" || r.Pools[0].Status != "alive" || !r.Pools[0].Active || r.Pools[0].User != "worker1" {
		t.Errorf("pools = %+v", r.Pools)
	}
	if len(r.Errors) != 0 {
		t.Errorf("Errors = %v", r.Errors)
	}
	if r.Latency <= 0 {
		t.Errorf("Latency = %v", r.Latency)
	}
}

func TestPollAvalonA1246(t *testing.T) {
	// Older firmware: "MM ID0" blob, three boards, power in PS[4]. The
	// summary is taken from the Q (no A-series summary fixture exists), so
	// only the stats-derived values are checked.
	replies := qReplies(t)
	replies["stats"] = fixture(t, "avalon_a_stats.json")
	m := newFakeMiner(t, replies)
	r, err := newDriver().Poll(context.Background(), target(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if r.Power != 3189 || r.PowerLimit != 3200 || !near(r.IdealHashRate, 83923.04e9) || r.Paused {
		t.Errorf("power %g limit %g ideal %g paused %v", r.Power, r.PowerLimit, r.IdealHashRate, r.Paused)
	}
	wantRate := []float64{26907.01e9, 26025.06e9, 26724.56e9}
	wantChip := []float64{77, 77, 76}
	if len(r.Boards) != 3 {
		t.Fatalf("boards = %+v", r.Boards)
	}
	for i, b := range r.Boards {
		if b.Index != i || !near(b.HashRate, wantRate[i]) || b.ChipTemp != wantChip[i] || b.Chips != 120 || !near(b.FrequencyMHz, 502.41) {
			t.Errorf("board %d = %+v", i, b)
		}
	}
	wantRPM := []float64{5344, 5392, 5349, 5309}
	if len(r.Fans) != 4 {
		t.Fatalf("fans = %+v", r.Fans)
	}
	for i, f := range r.Fans {
		if f.RPM != wantRPM[i] || f.Percent != 72 {
			t.Errorf("fan %d = %+v", i, f)
		}
	}
}

func TestPollWithoutSummaryUsesBlob(t *testing.T) {
	replies := qReplies(t)
	delete(replies, "summary")
	replies["stats"] = fixture(t, "avalon_a_stats.json")
	m := newFakeMiner(t, replies)
	r, err := newDriver().Poll(context.Background(), target(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.HashRate, 81072.68e9) || r.Uptime.Seconds() != 24684 {
		t.Errorf("HashRate %g Uptime %v, want GHSspd and Elapsed of the blob", r.HashRate, r.Uptime)
	}
	if len(r.PollErrors) != 1 || !hasAll(r.PollErrors[0], "summary: ") {
		t.Errorf("PollErrors = %v", r.PollErrors)
	}
}

func TestPollSendsOneCommandPerConnection(t *testing.T) {
	m := newFakeMiner(t, qReplies(t))
	if _, err := newDriver().Poll(context.Background(), target(t, m.Addr)); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"command":"summary"}`, `{"command":"pools"}`, `{"command":"stats"}`}
	got := m.Requests()
	if len(got) != len(want) {
		t.Fatalf("requests = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d = %q, want %q", i, got[i], want[i])
		}
	}
}
