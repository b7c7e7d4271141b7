package whatsminer_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/whatsminer"
)

// TestPollV2 replays the asic-rs API v2 captures: MH/s and GH/s become
// H/s, power is the firmware's own.
func TestPollV2(t *testing.T) {
	m := newV2Miner(t)
	r, err := newDriver(closedPort(t)).Poll(context.Background(), targetOf(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Commands(); !slices.Equal(got, []string{"get_version", "summary", "devs", "pools"}) {
		t.Errorf("commands = %v", got)
	}
	for name, c := range map[string][2]float64{
		"HashRate":      {r.HashRate, 124.5e12},
		"HashRateAvg":   {r.HashRateAvg, 125e12},
		"IdealHashRate": {r.IdealHashRate, 126e12},
		"Power":         {r.Power, 3200},
		"PowerLimit":    {r.PowerLimit, 3300},
		"Uptime":        {r.Uptime.Seconds(), 25000},
		"Accepted":      {float64(r.Accepted), 5412},
	} {
		if !near(c[0], c[1]) {
			t.Errorf("%s = %g, want %g", name, c[0], c[1])
		}
	}
	if r.PowerEstimated || r.Latency <= 0 || len(r.PollErrors) != 0 {
		t.Errorf("estimated %v latency %v poll errors %v", r.PowerEstimated, r.Latency, r.PollErrors)
	}
	if len(r.Fans) != 2 || r.Fans[0].RPM != 5400 || r.Fans[1].RPM != 5280 {
		t.Errorf("fans = %+v", r.Fans)
	}
	if len(r.Boards) != 3 {
		t.Fatalf("boards = %+v", r.Boards)
	}
	b := r.Boards[0]
	if !near(b.HashRate, 41.5e12) || b.ChipTemp != 80 || b.BoardTemp != 65 || b.Chips != 135 || b.FrequencyMHz != 600 || !near(b.IdealHashRate, 42e12) {
		t.Errorf("board 0 = %+v", b)
	}
	if len(r.Pools) != 3 || r.Pools[0].URL != "stratum+tcp://btc.example.pool:3333" || !r.Pools[0].Active ||
		r.Pools[0].Status != "alive" || r.Pools[0].Accepted != 5412 || r.Pools[1].Active || r.Pools[2].Priority != 2 {
		t.Errorf("pools = %+v", r.Pools)
	}
}

// TestPollV3 replays the asic-rs API v3 captures (appendix A.5): TH/s
// become H/s.
func TestPollV3(t *testing.T) {
	for name, setup := range map[string]func(testing.TB) (*whatsminer.Driver, hearth.Target, *v3Miner){
		"4028 closed":      v3Only,
		"firmware is 2025": v3ByVersion,
	} {
		t.Run(name, func(t *testing.T) {
			d, target, _ := setup(t)
			r, err := d.Poll(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			if !near(r.HashRate, 171.259e12) || !near(r.HashRateAvg, 170.8e12) || !near(r.IdealHashRate, 181.051e12) ||
				r.Power != 3156 || r.PowerLimit != 3600 || r.Uptime != 50000*time.Second {
				t.Errorf("reading = %+v", r)
			}
			if len(r.Fans) != 2 || r.Fans[0].RPM != 5400 || r.Fans[1].RPM != 5280 {
				t.Errorf("fans = %+v", r.Fans)
			}
			if len(r.Boards) != 3 || !near(r.Boards[0].HashRate, 57.2e12) || r.Boards[0].ChipTemp != 80 ||
				r.Boards[0].BoardTemp != 41.1 || r.Boards[0].Chips != 75 || r.Boards[2].BoardTemp != 41.5 || r.Boards[1].FrequencyMHz != 625 {
				t.Errorf("boards = %+v", r.Boards)
			}
			if len(r.Pools) != 3 || r.Pools[0].User != "asic-rs.test" || !r.Pools[0].Active || r.Pools[0].Status != "alive" || r.Pools[1].Priority != 1 {
				t.Errorf("pools = %+v", r.Pools)
			}
			if len(r.PollErrors) != 0 || r.Latency <= 0 {
				t.Errorf("poll errors %v latency %v", r.PollErrors, r.Latency)
			}
		})
	}
}

// TestPollPartial: a failing devs is listed, the rest still read.
func TestPollPartial(t *testing.T) {
	srv := newCgminer(t, map[string][]byte{
		"get_version": fixture(t, "v2/get_version.json"),
		"summary":     fixture(t, "v2/summary.json"),
		"pools":       fixture(t, "v2/pools.json"),
	})
	d := newDriver(closedPort(t))
	r, err := d.Poll(context.Background(), targetOf(t, srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Boards) != 0 || len(r.Pools) != 3 || r.Power != 3200 || len(r.PollErrors) != 1 || !strings.HasPrefix(r.PollErrors[0], "devs: ") {
		t.Errorf("partial reading = %+v", r)
	}
	// A miner with nothing on 4028 nor 4433 is unavailable.
	_, err = d.Poll(context.Background(), hearth.Target{Address: "127.0.0.1", Port: closedPort(t)})
	if hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("poll of nothing = %v (%s)", err, hearth.ErrorCode(err))
	}
}

func TestIdentifyV2(t *testing.T) {
	m := newV2Miner(t)
	id, err := newDriver(closedPort(t)).Identify(context.Background(), targetOf(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyWhatsminer || id.Model != "Whatsminer M30S+VE40" || id.Firmware != "btminer 20230803.11.REL" ||
		!near(id.HashRate, 124.5e12) || id.Hostname == "" || id.MAC == "" {
		t.Errorf("identity = %+v", id)
	}
}

func TestIdentifyV3(t *testing.T) {
	d, target, _ := v3Only(t)
	id, err := d.Identify(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Model != "Whatsminer M60SVK40" || id.Firmware != "btminer 20251209.16.Rel2" || !near(id.HashRate, 171.259e12) || id.MAC == "" || id.Serial == "" {
		t.Errorf("identity = %+v", id)
	}
}

// TestIdentifyOther: a stock cgminer (no get_version, no bitmicro driver)
// is left to other drivers.
func TestIdentifyOther(t *testing.T) {
	srv := newCgminer(t, map[string][]byte{
		"devdetails": []byte(`{"STATUS":[{"STATUS":"S","Code":69,"Msg":"Device Details","Description":"cgminer 4.11.1"}],"DEVDETAILS":[{"DEVDETAILS":0,"Name":"BTM","Driver":"bitmain","Model":"Antminer S19"}],"id":1}`),
	})
	_, err := newDriver(closedPort(t)).Identify(context.Background(), targetOf(t, srv.Addr))
	if hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
		t.Fatalf("identify = %v (%s), want unsupported", err, hearth.ErrorCode(err))
	}
}
