package sim_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// luxSim starts a fleet of LuxOS S21s on a fake clock.
func luxSim(t *testing.T) (*sim.Sim, sim.MinerInfo, *simtest.Clock) {
	t.Helper()
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 4, Seed: 21, Models: []string{sim.ModelS21LuxOS}, Now: clock.Now})
	return s, s.Miners()[1], clock
}

// luxCmd sends {"command":…,"parameter":…} and decodes the reply.
func luxCmd(t *testing.T, mi sim.MinerInfo, command, parameter string) map[string]any {
	t.Helper()
	req := map[string]string{"command": command}
	if parameter != "" {
		req["parameter"] = parameter
	}
	b, _ := json.Marshal(req)
	return decodeRPC(t, rpcRaw(t, mi.Address, mi.Port, string(b)))
}

// luxStatus returns STATUS[0]'s letter and code.
func luxStatus(t *testing.T, reply map[string]any) (string, float64) {
	t.Helper()
	st := section(t, reply, "STATUS", 0)
	return str(t, st, "STATUS"), num(t, st, "Code")
}

func luxLogon(t *testing.T, mi sim.MinerInfo) string {
	t.Helper()
	reply := luxCmd(t, mi, "logon", "")
	if letter, code := luxStatus(t, reply); letter != "S" {
		t.Fatalf("logon: %s %v", letter, code)
	}
	id := str(t, section(t, reply, "SESSION", 0), "SessionID")
	if id == "" {
		t.Fatal("logon gave an empty session id")
	}
	return id
}

func TestLuxOSModelNotInDefaultMix(t *testing.T) {
	if w := sim.DefaultMix()[sim.ModelS21LuxOS]; w != 0 {
		t.Errorf("default weight %v, want 0", w)
	}
	s := simtest.Start(t, sim.Config{Miners: 200, Seed: 3, Now: simtest.NewClock(testStart).Now})
	for _, mi := range s.Miners() {
		if mi.Family == hearth.FamilyLuxOS {
			t.Fatalf("miner %d is LuxOS in the default mix", mi.Index)
		}
	}
}

func TestLuxOSReadReplies(t *testing.T) {
	_, mi, _ := luxSim(t)
	if mi.Family != hearth.FamilyLuxOS || mi.Model != "Antminer S21" {
		t.Fatalf("miner info %+v", mi)
	}
	ver := luxCmd(t, mi, "version", "")
	v := section(t, ver, "VERSION", 0)
	if str(t, v, "Type") != "Antminer S21" || !strings.HasPrefix(str(t, v, "LUXminer"), "2025.") {
		t.Errorf("version %v", v)
	}
	if d := str(t, section(t, ver, "STATUS", 0), "Description"); !strings.HasPrefix(d, "LUXminer ") {
		t.Errorf("Description %q", d)
	}
	sum := section(t, luxCmd(t, mi, "summary", ""), "SUMMARY", 0)
	if ghs := num(t, sum, "GHS 5s"); ghs < 180e3 || ghs > 220e3 {
		t.Errorf("GHS 5s %v, want about 200,000", ghs)
	}
	for _, k := range []string{"GHS 1m", "GHS 5m", "GHS 15m", "GHS 30m", "GHS 24h", "GHS av"} {
		num(t, sum, k)
	}
	stats := luxCmd(t, mi, "stats", "")
	dev := section(t, stats, "STATS", 1)
	if num(t, dev, "chain_acn1") != 108 || str(t, dev, "rate_unit") != "GH" {
		t.Errorf("stats device block %v", dev)
	}
	if w := num(t, section(t, luxCmd(t, mi, "power", ""), "POWER", 0), "Watts"); w < 3200 || w > 3800 {
		t.Errorf("power %v W, want about 3500", w)
	}
	// bmminer's "}{" quirk is not LuxOS's: stats is plain JSON.
	raw := rpcRaw(t, mi.Address, mi.Port, `{"command":"stats"}`)
	var any map[string]any
	if err := json.Unmarshal(raw[:len(raw)-1], &any); err != nil {
		t.Errorf("stats is not plain JSON: %v", err)
	}
}

func TestLuxOSOneSessionAtATime(t *testing.T) {
	_, mi, clock := luxSim(t)
	id := luxLogon(t, mi)
	second := luxCmd(t, mi, "logon", "")
	if letter, code := luxStatus(t, second); letter != "E" || code != 402 {
		t.Errorf("second logon: %s %v, want E 402", letter, code)
	}
	if got := str(t, section(t, luxCmd(t, mi, "session", ""), "SESSION", 0), "SessionID"); got != id {
		t.Errorf("session reports %q, want %q", got, id)
	}
	// A wrong id does not end the session nor act.
	if letter, _ := luxStatus(t, luxCmd(t, mi, "logoff", "bogus")); letter != "E" {
		t.Error("logoff with a wrong id succeeded")
	}
	if letter, _ := luxStatus(t, luxCmd(t, mi, "ledset", "bogus,red,blink")); letter != "E" {
		t.Error("ledset with a wrong id succeeded")
	}
	if letter, _ := luxStatus(t, luxCmd(t, mi, "ledset", "red,blink")); letter != "E" {
		t.Error("ledset without a session succeeded")
	}
	if letter, _ := luxStatus(t, luxCmd(t, mi, "logoff", id)); letter != "S" {
		t.Fatal("logoff failed")
	}
	other := luxLogon(t, mi)
	if other == id {
		t.Error("a new session reuses the old id")
	}
	// An abandoned session expires.
	clock.Advance(10 * time.Minute)
	luxLogon(t, mi)
}

func TestLuxOSCurtailLEDAndProfiles(t *testing.T) {
	s, mi, _ := luxSim(t)
	id := luxLogon(t, mi)
	ok := func(command, param string) map[string]any {
		t.Helper()
		reply := luxCmd(t, mi, command, id+","+param)
		if letter, code := luxStatus(t, reply); letter != "S" {
			t.Fatalf("%s %s: %s %v %v", command, param, letter, code, section(t, reply, "STATUS", 0)["Msg"])
		}
		return reply
	}
	ghs := func() float64 { return num(t, section(t, luxCmd(t, mi, "summary", ""), "SUMMARY", 0), "GHS 5s") }
	watts := func() float64 { return num(t, section(t, luxCmd(t, mi, "power", ""), "POWER", 0), "Watts") }
	normal, normalW := ghs(), watts()

	ok("curtail", "sleep")
	if g := ghs(); g != 0 {
		t.Errorf("asleep: %v GH/s", g)
	}
	if s.Settings(1).Mode != sim.ModeSleep {
		t.Errorf("settings mode %v", s.Settings(1).Mode)
	}
	ok("curtail", "wakeup")
	if g := ghs(); g < normal*0.95 {
		t.Errorf("awake: %v GH/s, was %v", g, normal)
	}

	ok("ledset", "red,blink")
	if !s.Settings(1).Locate {
		t.Error("LED not on after ledset red,blink")
	}
	ok("ledset", "red,off")
	if s.Settings(1).Locate {
		t.Error("LED still on after ledset red,off")
	}

	// profileset is refused while ATM runs.
	if letter, _ := luxStatus(t, luxCmd(t, mi, "profileset", id+",390MHz")); letter != "E" {
		t.Error("profileset with ATM on succeeded")
	}
	ok("atmset", "enabled=false")
	if on := section(t, luxCmd(t, mi, "atm", ""), "ATM", 0)["Enabled"]; on != false {
		t.Errorf("ATM Enabled %v after atmset enabled=false", on)
	}
	set := ok("profileset", "390MHz")
	if p := str(t, section(t, set, "PROFILE", 0), "Profile"); p != "390MHz" {
		t.Errorf("profileset reply names %q", p)
	}
	if r := ghs() / normal; r < 0.74 || r > 0.85 {
		t.Errorf("at 390 MHz: %.2f of nominal hash rate, want about 0.80", r)
	}
	if r := watts() / normalW; r < 0.74 || r > 0.85 {
		t.Errorf("at 390 MHz: %.2f of nominal power, want about 0.80", r)
	}
	if letter, _ := luxStatus(t, luxCmd(t, mi, "profileset", id+",1MHz")); letter != "E" {
		t.Error("unknown profile accepted")
	}
	profiles := luxCmd(t, mi, "profiles", "")
	if n := len(profiles["PROFILES"].([]any)); n < 5 {
		t.Errorf("%d profiles", n)
	}
	if s.Settings(1).Profile != "390MHz" {
		t.Errorf("settings profile %q", s.Settings(1).Profile)
	}
}

func TestLuxOSRebootEndsSession(t *testing.T) {
	s, mi, clock := luxSim(t)
	id := luxLogon(t, mi)
	if letter, _ := luxStatus(t, luxCmd(t, mi, "rebootdevice", id)); letter != "S" {
		t.Fatal("rebootdevice failed")
	}
	if raw, _ := rpcTry(mi.Address, mi.Port, `{"command":"version"}`); len(raw) > 0 {
		t.Error("miner answers while rebooting")
	}
	clock.Advance(sim.DefaultRebootTime + time.Second)
	if s.Settings(1).Reboots != 1 {
		t.Errorf("reboots %d", s.Settings(1).Reboots)
	}
	if got := str(t, section(t, luxCmd(t, mi, "session", ""), "SESSION", 0), "SessionID"); got != "" {
		t.Errorf("session %q survived the reboot", got)
	}
	id = luxLogon(t, mi)
	if letter, _ := luxStatus(t, luxCmd(t, mi, "resetminer", id)); letter != "S" {
		t.Fatal("resetminer failed")
	}
	clock.Advance(sim.DefaultRebootTime + time.Second)
	if s.Settings(1).Reboots != 2 {
		t.Errorf("reboots %d", s.Settings(1).Reboots)
	}
}

func TestLuxOSPoolCommands(t *testing.T) {
	s, mi, _ := luxSim(t)
	before := len(s.Settings(1).Pools)
	reply := luxCmd(t, mi, "addpool", `stratum+tcp://new.example:3333,worker\,1,x`)
	if letter, code := luxStatus(t, reply); letter != "S" || code != 55 {
		t.Fatalf("addpool: %s %v", letter, code)
	}
	pools := s.Settings(1).Pools
	if len(pools) != before+1 || pools[before].User != "worker,1" {
		t.Fatalf("pools after addpool %+v", pools)
	}
	if letter, code := luxStatus(t, luxCmd(t, mi, "removepool", "0")); letter != "E" || code != 67 {
		t.Errorf("removing the active pool: %s %v", letter, code)
	}
	if letter, _ := luxStatus(t, luxCmd(t, mi, "switchpool", "3")); letter != "S" {
		t.Fatal("switchpool failed")
	}
	list := luxCmd(t, mi, "pools", "")
	p3 := section(t, list, "POOLS", 3)
	if p3["Stratum Active"] != true || num(t, p3, "Priority") != 0 {
		t.Errorf("pool 3 after switchpool %v", p3)
	}
	for i := before - 1; i >= 0; i-- {
		if letter, _ := luxStatus(t, luxCmd(t, mi, "removepool", string(rune('0'+i)))); letter != "S" {
			t.Fatalf("removepool %d failed", i)
		}
	}
	st := s.Settings(1)
	if len(st.Pools) != 1 || st.Pools[0].URL != "stratum+tcp://new.example:3333" || st.ActivePool != 0 {
		t.Errorf("settings after replacing pools %+v", st)
	}
	if letter, code := luxStatus(t, luxCmd(t, mi, "removepool", "0")); letter != "E" || code != 66 {
		t.Errorf("removing the last pool: %s %v", letter, code)
	}
	if letter, code := luxStatus(t, luxCmd(t, mi, "switchpool", "9")); letter != "E" || code != 26 {
		t.Errorf("switchpool 9: %s %v", letter, code)
	}
}

func TestLuxOSWebRoot(t *testing.T) {
	_, mi, _ := luxSim(t)
	status, _, body := webDo(t, mi, "GET", "/", "", "")
	if status != 200 || !strings.Contains(string(body), "Luxor Firmware") {
		t.Errorf("GET /: %d %q", status, body)
	}
	if status, _, _ := webDo(t, mi, "GET", "/cgi-bin/get_system_info.cgi", "", ""); status != 404 {
		t.Errorf("stock CGI answered %d on a LuxOS miner", status)
	}
}
