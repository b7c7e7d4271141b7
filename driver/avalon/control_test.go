package avalon_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// okReply is the Avalon Q's "ASC 0 set OK" (fixture ascset_workmode.json).
func okReply(tb testing.TB) []byte { return fixture(tb, "ascset_workmode.json") }

// wantRequests fails tb unless m received exactly want, byte for byte.
func wantRequests(tb testing.TB, m *fakeMiner, want ...string) {
	tb.Helper()
	got := m.Requests()
	if len(got) != len(want) {
		tb.Fatalf("requests = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			tb.Errorf("request %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestSetLocate(t *testing.T) {
	for _, tc := range []struct {
		on   bool
		want string
	}{
		{true, `{"command":"ascset","parameter":"0,led,1-1"}`},
		{false, `{"command":"ascset","parameter":"0,led,1-0"}`},
	} {
		m := newFakeMiner(t, map[string][]byte{"ascset": okReply(t)})
		if err := newDriver().SetLocate(context.Background(), target(t, m.Addr), tc.on, time.Minute); err != nil {
			t.Fatalf("on=%v: %v", tc.on, err)
		}
		wantRequests(t, m, tc.want)
	}
}

func TestPause(t *testing.T) {
	// The clock says 1753434816; softoff is scheduled 5 s later, as in the
	// fixture's reply "success softoff:1753434821".
	m := newFakeMiner(t, map[string][]byte{"ascset|0,softoff,1:1753434821": fixture(t, "ascset_softoff.json")})
	if err := newDriver().Pause(context.Background(), target(t, m.Addr)); err != nil {
		t.Fatal(err)
	}
	wantRequests(t, m, `{"command":"ascset","parameter":"0,softoff,1:1753434821"}`)
}

func TestResume(t *testing.T) {
	m := newFakeMiner(t, map[string][]byte{"ascset|0,softon,1:1753434821": fixture(t, "ascset_softon.json")})
	if err := newDriver().Resume(context.Background(), target(t, m.Addr)); err != nil {
		t.Fatal(err)
	}
	wantRequests(t, m, `{"command":"ascset","parameter":"0,softon,1:1753434821"}`)
}

func TestResumeWithoutReply(t *testing.T) {
	// Some firmware closes the connection on softon without a byte.
	m := newFakeMiner(t, map[string][]byte{"ascset": nil})
	if err := newDriver().Resume(context.Background(), target(t, m.Addr)); err != nil {
		t.Fatal(err)
	}
}

func TestPauseWithoutReplyFails(t *testing.T) {
	m := newFakeMiner(t, map[string][]byte{"ascset": nil})
	err := newDriver().Pause(context.Background(), target(t, m.Addr))
	wantCode(t, err, hearth.EUNAVAILABLE)
}

func TestReboot(t *testing.T) {
	m := newFakeMiner(t, map[string][]byte{"ascset": okReply(t)})
	if err := newDriver().Reboot(context.Background(), target(t, m.Addr)); err != nil {
		t.Fatal(err)
	}
	wantRequests(t, m, `{"command":"ascset","parameter":"0,reboot,0"}`)
}

func TestRestartMining(t *testing.T) {
	m := newFakeMiner(t, map[string][]byte{"restart": []byte(`{"STATUS":"RESTART","id":1}`)})
	if err := newDriver().RestartMining(context.Background(), target(t, m.Addr)); err != nil {
		t.Fatal(err)
	}
	wantRequests(t, m, `{"command":"restart"}`)
}

func TestRestartMiningOtherStatus(t *testing.T) {
	m := newFakeMiner(t, map[string][]byte{"restart": okReply(t)})
	err := newDriver().RestartMining(context.Background(), target(t, m.Addr))
	wantCode(t, err, hearth.EPROTOCOL)
}

func TestSetPowerTarget(t *testing.T) {
	for _, tc := range []struct {
		watts float64
		level string
	}{{60, "0"}, {80, "0"}, {90, "1"}, {100, "1"}, {140, "2"}} {
		m := newFakeMiner(t, map[string][]byte{"ascset": okReply(t)})
		tg := target(t, m.Addr)
		tg.Model = "Avalon Nano3s"
		ps, err := newDriver().SetPowerTarget(context.Background(), tg, tc.watts)
		if err != nil {
			t.Fatalf("%g W: %v", tc.watts, err)
		}
		if ps.Mechanism != "work_level" || ps.Value != tc.level || ps.RequestedWatts != tc.watts || ps.Watts != 0 {
			t.Errorf("%g W: %+v", tc.watts, ps)
		}
		wantRequests(t, m, `{"command":"ascset","parameter":"0,worklevel,set,`+tc.level+`"}`)
	}
}

func TestSetPowerTargetLooksUpModel(t *testing.T) {
	version := []byte(`{"STATUS":[{"STATUS":"S","Code":22,"Msg":"CGMiner versions"}],"VERSION":[{"CGMiner":"4.11.1","PROD":"Avalon Nano3","MODEL":"Nano3"}],"id":1}`)
	m := newFakeMiner(t, map[string][]byte{"version": version, "ascset": okReply(t)})
	ps, err := newDriver().SetPowerTarget(context.Background(), target(t, m.Addr), 150)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Value != "2" {
		t.Errorf("setting = %+v", ps)
	}
	got := m.Requests()
	if got[len(got)-1] != `{"command":"ascset","parameter":"0,worklevel,set,2"}` {
		t.Errorf("requests = %q", got)
	}
}

func TestSetPowerTargetUnknownModel(t *testing.T) {
	m := newFakeMiner(t, map[string][]byte{"ascset": okReply(t)})
	tg := target(t, m.Addr)
	tg.Model = "Avalon Q"
	_, err := newDriver().SetPowerTarget(context.Background(), tg, 1200)
	wantCode(t, err, hearth.EUNSUPPORTED)
	if len(m.Requests()) != 0 {
		t.Errorf("sent %q for a model without known levels", m.Requests())
	}
}

func TestSetPowerTargetInvalid(t *testing.T) {
	for _, w := range []float64{0, -5} {
		_, err := newDriver().SetPowerTarget(context.Background(), hearth.Target{Address: "127.0.0.1", Model: "Avalon Nano3s"}, w)
		wantCode(t, err, hearth.EINVALID)
	}
}

func TestSetPoolsUnsupported(t *testing.T) {
	err := newDriver().SetPools(context.Background(), hearth.Target{Address: "127.0.0.1"}, []hearth.PoolConfig{{URL: "stratum+tcp://x:1", User: "u"}})
	wantCode(t, err, hearth.EUNSUPPORTED)
	if !hasAll(hearth.ErrorMessage(err), "setpool", "password") {
		t.Errorf("message = %q", hearth.ErrorMessage(err))
	}
}

func TestAscsetRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply []byte
		code  string
	}{
		{"set failed", []byte(`{"STATUS":[{"STATUS":"E","When":1,"Code":120,"Msg":"ASC 0 set failed: unknown option","Description":"cgminer 4.11.1"}],"id":1}`), hearth.EUNSUPPORTED},
		{"help instead of success", fixture(t, "ascset_help.json"), hearth.EPROTOCOL},
		{"no ascset", []byte(`{"STATUS":[{"STATUS":"W","When":1,"Code":117,"Msg":"ASC 0 does not support ascset"}],"id":1}`), hearth.EUNSUPPORTED},
		{"access denied", []byte(`{"STATUS":[{"STATUS":"E","When":1,"Code":45,"Msg":"Access denied to 'ascset' command"}],"id":1}`), hearth.EAUTH},
	} {
		m := newFakeMiner(t, map[string][]byte{"ascset": tc.reply})
		err := newDriver().SetLocate(context.Background(), target(t, m.Addr), true, 0)
		if hearth.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v (code %q), want %q", tc.name, err, hearth.ErrorCode(err), tc.code)
		}
	}
}

func TestSetFanMode(t *testing.T) {
	for _, tc := range []struct {
		mode hearth.FanMode
		want string
	}{
		{hearth.FanMode{Auto: true}, `{"command":"ascset","parameter":"0,fan-spd,-1"}`},
		{hearth.FanMode{Percent: 80}, `{"command":"ascset","parameter":"0,fan-spd,80"}`},
		{hearth.FanMode{Percent: 25}, `{"command":"ascset","parameter":"0,fan-spd,25"}`},
	} {
		m := newFakeMiner(t, map[string][]byte{"ascset": okReply(t)})
		if err := newDriver().SetFanMode(context.Background(), target(t, m.Addr), tc.mode); err != nil {
			t.Fatalf("%+v: %v", tc.mode, err)
		}
		wantRequests(t, m, tc.want)
	}
}

func TestSetFanModeInvalid(t *testing.T) {
	for _, mode := range []hearth.FanMode{{Percent: 24}, {Percent: 0}, {Percent: 101}, {Percent: -1}} {
		m := newFakeMiner(t, map[string][]byte{"ascset": okReply(t)})
		err := newDriver().SetFanMode(context.Background(), target(t, m.Addr), mode)
		wantCode(t, err, hearth.EINVALID)
		wantRequests(t, m)
	}
}
