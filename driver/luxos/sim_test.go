package luxos_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/luxos"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// simMiner starts a simulator with LuxOS S21s and returns one of them.
func simMiner(t *testing.T) (*sim.Sim, hearth.Target) {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 5, Models: []string{sim.ModelS21LuxOS}, RebootTime: 300 * time.Millisecond})
	mi := s.Miners()[0]
	return s, hearth.Target{Address: mi.Address.String(), Port: mi.Port, Model: mi.Model}
}

// simSession asks the miner which session is open, "" for none.
func simSession(t *testing.T, target hearth.Target) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort(target.Address, strconv.Itoa(target.Port)), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	c.Write([]byte(`{"command":"session"}`))
	raw, _ := io.ReadAll(c)
	var reply struct{ SESSION []struct{ SessionID string } }
	if err := json.Unmarshal([]byte(strings.TrimRight(string(raw), "\x00")), &reply); err != nil || len(reply.SESSION) != 1 {
		t.Fatalf("session reply %q: %v", raw, err)
	}
	return reply.SESSION[0].SessionID
}

func TestAgainstSimulator(t *testing.T) {
	s, target := simMiner(t)
	ctx := context.Background()
	d := luxos.New()

	id, err := d.Identify(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyLuxOS || id.Model != "Antminer S21" || !strings.HasPrefix(id.Firmware, "LuxOS 2025.") {
		t.Errorf("identity %+v", id)
	}
	r, err := d.Poll(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if r.HashRate < 180e12 || r.HashRate > 220e12 || r.Power < 3200 || r.Power > 3800 || r.PowerEstimated ||
		len(r.Boards) != 3 || r.Boards[0].Chips != 108 || len(r.Fans) != 4 || len(r.Pools) == 0 || len(r.PollErrors) != 0 {
		t.Fatalf("reading %+v", r)
	}
	nominal := r.HashRate

	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if sid := simSession(t, target); sid != "" {
			t.Fatalf("%s left session %q open", what, sid)
		}
	}

	check("pause", d.Pause(ctx, target))
	if r, _ := d.Poll(ctx, target); r.HashRate != 0 {
		t.Errorf("paused: %v H/s", r.HashRate)
	}
	check("resume", d.Resume(ctx, target))
	if r, _ := d.Poll(ctx, target); r.HashRate < nominal*0.9 {
		t.Errorf("resumed: %v H/s", r.HashRate)
	}

	check("locate on", d.SetLocate(ctx, target, true, time.Minute))
	if !s.Settings(0).Locate {
		t.Error("LED off after SetLocate(true)")
	}
	check("locate off", d.SetLocate(ctx, target, false, 0))
	if s.Settings(0).Locate {
		t.Error("LED on after SetLocate(false)")
	}

	check("fan 70 %", d.SetFanMode(ctx, target, hearth.FanMode{Percent: 70}))
	if st := s.Settings(0); !st.FanManual || st.FanPercent != 70 {
		t.Errorf("fans after SetFanMode(70 %%): manual %v at %d %%", st.FanManual, st.FanPercent)
	}
	check("fan auto", d.SetFanMode(ctx, target, hearth.FanMode{Auto: true}))
	if s.Settings(0).FanManual {
		t.Error("fans still manual after SetFanMode(auto)")
	}

	ps, err := d.SetPowerTarget(ctx, target, 3000)
	check("power target", err)
	if ps.Mechanism != "profile" || ps.Value != "415MHz" || ps.Watts > 3000 || ps.Watts < 2900 {
		t.Errorf("power setting %+v", ps)
	}
	st := s.Settings(0)
	if st.Profile != "415MHz" || st.ATM {
		t.Errorf("settings profile %q ATM %v", st.Profile, st.ATM)
	}
	if r, _ := d.Poll(ctx, target); r.Power > 3100 || r.HashRate > nominal*0.9 {
		t.Errorf("at 415 MHz: %v W, %v H/s", r.Power, r.HashRate)
	}

	pools := []hearth.PoolConfig{
		{URL: "stratum+tcp://a.example:3333", User: "acct.w1", Password: "x"},
		{URL: "stratum+tcp://b.example:3333", User: "acct.w2", Password: "x"},
	}
	check("set pools", d.SetPools(ctx, target, pools))
	if r, _ := d.Poll(ctx, target); len(r.Pools) != 2 || r.Pools[0].URL != pools[0].URL || !r.Pools[0].Active || r.Pools[1].User != "acct.w2" {
		t.Errorf("pools after SetPools %+v", r.Pools)
	}

	check("restart", waitUp(ctx, t, d, target, func() error { return d.RestartMining(ctx, target) }))
	check("reboot", waitUp(ctx, t, d, target, func() error { return d.Reboot(ctx, target) }))
	if n := s.Settings(0).Reboots; n != 2 {
		t.Errorf("reboots %d", n)
	}
}

// waitUp retries run until the miner is back from a restart.
func waitUp(ctx context.Context, t *testing.T, d *luxos.Driver, target hearth.Target, run func() error) error {
	t.Helper()
	deadline := time.Now().Add(sim.DefaultRebootTime + 5*time.Second)
	for {
		err := run()
		if err == nil || time.Now().After(deadline) {
			// Wait for the miner to come back so that the session check
			// can reach it.
			for time.Now().Before(deadline) {
				if _, perr := d.Identify(ctx, target); perr == nil {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSimulatorSessionRule: with another client's session open, a second
// logon is refused by the miner; the driver then works in that session
// and still logs off.
func TestSimulatorSessionRule(t *testing.T) {
	s, target := simMiner(t)
	addr := net.JoinHostPort(target.Address, strconv.Itoa(target.Port))
	send := func(req string) string {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		c.Write([]byte(req))
		raw, _ := io.ReadAll(c)
		return string(raw)
	}
	if reply := send(`{"command":"logon"}`); !strings.Contains(reply, `"SessionID"`) {
		t.Fatalf("logon %q", reply)
	}
	if reply := send(`{"command":"logon"}`); !strings.Contains(reply, `"Code":402`) {
		t.Fatalf("second logon %q, want code 402", reply)
	}
	if err := luxos.New().Pause(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if s.Settings(0).Mode != sim.ModeSleep {
		t.Error("not asleep")
	}
	if sid := simSession(t, target); sid != "" {
		t.Errorf("session %q left open", sid)
	}
}
