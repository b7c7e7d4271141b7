package luxos_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/luxos"
)

// TestPollCapturedLuxOS checks the reading of the captured LuxOS replies
// (S19k Pro, LUXminer 2025.4.8) value by value.
func TestPollCapturedLuxOS(t *testing.T) {
	target, srv := miner(t, fixtures(t))
	r, err := luxos.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(); strings.Join(got, " ") != "summary pools stats power" {
		t.Errorf("commands %v, want summary pools stats power, one connection each", got)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"HashRate", r.HashRate, 59756.06e9},
		{"HashRateAvg", r.HashRateAvg, 56917.91e9},
		{"IdealHashRate", r.IdealHashRate, 61954.2e9},
		{"Power", r.Power, 1051},
		{"Uptime", r.Uptime.Seconds(), 3453},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.PowerEstimated {
		t.Error("LuxOS measures power; PowerEstimated set")
	}
	if r.Accepted != 1483 || r.Rejected != 1 || r.HardwareErrors != 0 {
		t.Errorf("shares %d/%d hw %d", r.Accepted, r.Rejected, r.HardwareErrors)
	}
	if len(r.Boards) != 3 {
		t.Fatalf("%d boards, want 3 (chain 4 is empty)", len(r.Boards))
	}
	b := r.Boards[0]
	if !near(b.HashRate, 18910.28e9) || b.Chips != 77 || b.FailedChips != 0 || b.ChipTemp != 47 ||
		b.InletTemp != 34 || b.OutletTemp != 47 || b.BoardTemp != 47 || b.FrequencyMHz != 300 {
		t.Errorf("board 0 %+v", b)
	}
	if !near(r.Boards[2].HashRate, 19067.67e9) || r.Boards[2].Index != 2 {
		t.Errorf("board 2 %+v", r.Boards[2])
	}
	if len(r.Fans) != 4 || r.Fans[0].RPM != 1920 || r.Fans[2].RPM != 2340 {
		t.Errorf("fans %+v", r.Fans)
	}
	if len(r.Pools) != 4 {
		t.Fatalf("%d pools", len(r.Pools))
	}
	p := r.Pools[0]
	if p.URL != "stratum+tcp://ca.stratum.braiins.com:3333" || p.User != "asic-rs.user1" || p.Status != "alive" ||
		!p.Active || p.Accepted != 724 || p.Priority != 0 {
		t.Errorf("pool 0 %+v", p)
	}
	if r.Pools[1].Status != "dead" || r.Pools[1].Active || r.Pools[1].Priority != 1 {
		t.Errorf("pool 1 %+v", r.Pools[1])
	}
	if r.Latency <= 0 || r.Time.IsZero() || len(r.PollErrors) != 0 {
		t.Errorf("latency %v time %v errors %v", r.Latency, r.Time, r.PollErrors)
	}
}

// TestPollPartial: a failed command costs its fields, not the reading.
func TestPollPartial(t *testing.T) {
	replies := fixtures(t)
	delete(replies, "power")
	target, _ := miner(t, replies)
	r, err := luxos.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if r.Power != 0 || len(r.PollErrors) != 1 || !strings.HasPrefix(r.PollErrors[0], "power: ") {
		t.Errorf("power %v, errors %v", r.Power, r.PollErrors)
	}
	if r.HashRate == 0 || len(r.Boards) != 3 {
		t.Errorf("rest of the reading lost: %+v", r)
	}
}

func TestPollNothingListening(t *testing.T) {
	target, srv := miner(t, nil)
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := luxos.New().Poll(ctx, target); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("err %v (%s), want %s", err, hearth.ErrorCode(err), hearth.EUNAVAILABLE)
	}
}

func TestIdentifyLuxOS(t *testing.T) {
	target, _ := miner(t, fixtures(t))
	id, err := luxos.New().Identify(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyLuxOS || id.Model != "Antminer S19k Pro" ||
		id.Firmware != "LuxOS 2025.4.8.220305-57b389c7" || id.Port != target.Port || !near(id.HashRate, 59756.06e9) {
		t.Errorf("identity %+v", id)
	}
}

// TestIdentifyRefusesStockFirmware: a bmminer version reply is not LuxOS.
func TestIdentifyRefusesStockFirmware(t *testing.T) {
	stock := []byte(`{"STATUS":[{"STATUS":"S","When":1,"Code":22,"Msg":"CGMiner versions","Description":"cgminer 1.0.0"}],"VERSION":[{"BMMiner":"1.0.0","API":"3.1","Miner":"49.0.1.3","CompileTime":"x","Type":"Antminer S19j Pro"}],"id":1}`)
	target, _ := miner(t, map[string][]byte{"version": stock})
	if _, err := luxos.New().Identify(context.Background(), target); hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
		t.Errorf("err %v, want EUNSUPPORTED", err)
	}
}

func TestCapabilities(t *testing.T) {
	d := luxos.New()
	if d.Family() != hearth.FamilyLuxOS || d.DefaultPort() != 4028 {
		t.Errorf("family %q port %d", d.Family(), d.DefaultPort())
	}
	caps := map[hearth.Capability]bool{}
	for _, c := range d.Capabilities() {
		caps[c] = true
	}
	for _, c := range []hearth.Capability{hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode} {
		if !caps[c] {
			t.Errorf("missing capability %s", c)
		}
	}
	if len(caps) != 12 {
		t.Errorf("%d capabilities", len(caps))
	}
}
