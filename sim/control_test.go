package sim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// webDo sends one request to a miner's web port, with body when it is not
// empty, and returns the status, the WWW-Authenticate header and the body.
func webDo(t testing.TB, mi sim.MinerInfo, method, path, body, authorization string) (int, string, []byte) {
	t.Helper()
	url := fmt.Sprintf("http://%s%s", netip.AddrPortFrom(mi.Address, uint16(mi.WebPort)), path)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, mi.Address, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), out
}

// antCGI runs a CGI script on an Antminer as a Digest client does: the
// first request draws the challenge, the second answers it with user and
// password.
func antCGI(t testing.TB, mi sim.MinerInfo, method, path, body, user, password string) (int, []byte) {
	t.Helper()
	status, challenge, _ := webDo(t, mi, method, path, body, "")
	if status != http.StatusUnauthorized || challenge == "" {
		t.Fatalf("%s %s without credentials: %d, challenge %q; want 401 with a challenge", method, path, status, challenge)
	}
	status, _, reply := webDo(t, mi, method, path, body, digestAuthorization(t, challenge, user, password, method, path))
	return status, reply
}

// antOK runs a CGI script with root/root and decodes its JSON reply.
func antOK(t testing.TB, mi sim.MinerInfo, method, path, body string) map[string]any {
	t.Helper()
	status, reply := antCGI(t, mi, method, path, body, "root", "root")
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, status, reply)
	}
	var out map[string]any
	if err := json.Unmarshal(reply, &out); err != nil {
		t.Fatalf("%s %s: reply is not JSON: %v\n%s", method, path, err, reply)
	}
	return out
}

func TestAntminerSetPoolsShowsInConfAndRPC(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 11, Models: []string{sim.ModelS21}})
	mi := s.Miners()[1]

	conf := antOK(t, mi, "GET", "/cgi-bin/get_miner_conf.cgi", "")
	pools, _ := conf["pools"].([]any)
	if len(pools) != 3 {
		t.Fatalf("get_miner_conf has %d pool slots, want 3: %v", len(pools), conf)
	}
	for _, k := range []string{"bitmain-fan-ctrl", "bitmain-fan-pwm", "freq-level", "miner-mode", "bitmain-work-mode"} {
		if _, ok := conf[k]; !ok {
			t.Errorf("get_miner_conf lacks %q", k)
		}
	}

	body := `{"pools":[{"url":"stratum+tcp://new.pool.invalid:3333","user":"acct.w1","pass":"x"},` +
		`{"url":"stratum+tcp://backup.pool.invalid:443","user":"acct.w2","pass":"secret"},{"url":"","user":"","pass":""}],` +
		`"bitmain-fan-ctrl":false,"bitmain-fan-pwm":"100","freq-level":"100","miner-mode":0}`
	reply := antOK(t, mi, "POST", "/cgi-bin/set_miner_conf.cgi", body)
	if reply["stats"] != "success" || reply["code"] != "M000" {
		t.Fatalf("set_miner_conf reply %v", reply)
	}

	conf = antOK(t, mi, "GET", "/cgi-bin/get_miner_conf.cgi", "")
	pools, _ = conf["pools"].([]any)
	want := []map[string]any{
		{"url": "stratum+tcp://new.pool.invalid:3333", "user": "acct.w1", "pass": "x"},
		{"url": "stratum+tcp://backup.pool.invalid:443", "user": "acct.w2", "pass": "secret"},
		{"url": "", "user": "", "pass": ""},
	}
	for i, w := range want {
		got, _ := pools[i].(map[string]any)
		for k, v := range w {
			if got[k] != v {
				t.Errorf("get_miner_conf pool %d %s = %v, want %v", i, k, got[k], v)
			}
		}
	}

	rpc := rpcJSON(t, mi.Address, mi.Port, "pools")
	list, _ := rpc["POOLS"].([]any)
	if len(list) != 2 {
		t.Fatalf("RPC pools lists %d pools, want 2", len(list))
	}
	for i, w := range want[:2] {
		p := section(t, rpc, "POOLS", i)
		if str(t, p, "URL") != w["url"] || str(t, p, "User") != w["user"] || str(t, p, "Status") != "Alive" {
			t.Errorf("RPC pool %d = %v %v %v, want %v", i, p["URL"], p["User"], p["Status"], w)
		}
		if active, _ := p["Stratum Active"].(bool); active != (i == 0) {
			t.Errorf("RPC pool %d Stratum Active %v", i, active)
		}
	}
	if got := s.Settings(mi.Index).Pools; len(got) != 2 || got[1].Password != "secret" {
		t.Errorf("Settings pools %+v", got)
	}
	if other := s.Settings(0).Pools; len(other) != 3 || strings.Contains(other[0].URL, "new.pool") {
		t.Errorf("a neighbour's pools changed: %+v", other)
	}
}

func TestAntminerSetMinerConfRejectsBadBodies(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 11, Models: []string{sim.ModelS21}})
	mi := s.Miners()[0]
	before := s.Settings(0)
	for _, body := range []string{
		`not json`,
		`{"miner-mode":2}`,
		`{"pools":[{"url":"a"},{"url":"b"},{"url":"c"},{"url":"d"}]}`,
		`{"pools":[]}`,
		`{"bitmain-fan-pwm":"150"}`,
	} {
		reply := antOK(t, mi, "POST", "/cgi-bin/set_miner_conf.cgi", body)
		if reply["stats"] != "error" {
			t.Errorf("set_miner_conf %s: %v, want an error", body, reply)
		}
	}
	after := s.Settings(0)
	if after.Mode != before.Mode || len(after.Pools) != len(before.Pools) || after.FanPercent != before.FanPercent {
		t.Errorf("rejected bodies changed settings: %+v -> %+v", before, after)
	}
}

func TestAntminerSleepAndLowPower(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 2, Seed: 12, Models: []string{sim.ModelS19jPro}, Now: clock.Now})
	mi := s.Miners()[0]
	normal := num(t, section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0), "GHS 5s")
	stats := section(t, rpcJSON(t, mi.Address, mi.Port, "stats"), "STATS", 1)
	hotChip := quad(t, str(t, stats, "temp_chip1"))[3]

	reply := antOK(t, mi, "POST", "/cgi-bin/set_miner_conf.cgi", `{"miner-mode":"3"}`)
	if reply["code"] != "M000" {
		t.Fatalf("low power: %v", reply)
	}
	low := num(t, section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0), "GHS 5s")
	if r := low / normal; r < 0.55 || r > 0.65 {
		t.Errorf("low power hash rate %v is %.2f of normal %v, want about 0.6", low, r, normal)
	}
	if s.Settings(0).Mode != sim.ModeLowPower {
		t.Errorf("Settings mode %v", s.Settings(0).Mode)
	}

	antOK(t, mi, "POST", "/cgi-bin/set_miner_conf.cgi", `{"miner-mode":1}`)
	conf := antOK(t, mi, "GET", "/cgi-bin/get_miner_conf.cgi", "")
	if conf["bitmain-work-mode"] != "1" || conf["miner-mode"] != 1.0 {
		t.Errorf("sleeping conf: work-mode %v miner-mode %v", conf["bitmain-work-mode"], conf["miner-mode"])
	}
	sum := section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0)
	acc := num(t, sum, "Accepted")
	if v := num(t, sum, "GHS 5s"); v != 0 {
		t.Errorf("asleep: GHS 5s %v", v)
	}
	stats = section(t, rpcJSON(t, mi.Address, mi.Port, "stats"), "STATS", 1)
	if r := str(t, stats, "chain_rate1"); r != "0.00" {
		t.Errorf("asleep: chain_rate1 %q", r)
	}
	if c := quad(t, str(t, stats, "temp_chip1"))[3]; c >= hotChip-15 {
		t.Errorf("asleep: chip %d °C, awake %d °C: should fall toward ambient", c, hotChip)
	}
	clock.Advance(10 * time.Minute)
	if a := num(t, section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0), "Accepted"); a != acc {
		t.Errorf("asleep: accepted went %v -> %v", acc, a)
	}

	antOK(t, mi, "POST", "/cgi-bin/set_miner_conf.cgi", `{"miner-mode":0}`)
	awake := num(t, section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0), "GHS 5s")
	if r := awake / normal; r < 0.95 || r > 1.05 {
		t.Errorf("after waking: %v GH/s, before sleep %v", awake, normal)
	}
	clock.Advance(10 * time.Minute)
	if a := num(t, section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0), "Accepted"); a <= acc {
		t.Errorf("awake: accepted stayed at %v", a)
	}
}

func TestAntminerBlink(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 13, Models: []string{sim.ModelS21XP}})
	mi := s.Miners()[0]
	if st := antOK(t, mi, "GET", "/cgi-bin/get_blink_status.cgi", ""); st["blink"] != false {
		t.Fatalf("blink status at start %v", st)
	}
	if r := antOK(t, mi, "POST", "/cgi-bin/blink.cgi", `{"blink":"true"}`); r["code"] != "B000" {
		t.Errorf("blink on: %v", r)
	}
	if st := antOK(t, mi, "GET", "/cgi-bin/get_blink_status.cgi", ""); st["blink"] != true {
		t.Errorf("blink status after on %v", st)
	}
	if !s.Settings(0).Locate {
		t.Errorf("Settings.Locate false after blink on")
	}
	if r := antOK(t, mi, "POST", "/cgi-bin/blink.cgi", `{"blink":"false"}`); r["code"] != "B100" {
		t.Errorf("blink off: %v", r)
	}
	if st := antOK(t, mi, "GET", "/cgi-bin/get_blink_status.cgi", ""); st["blink"] != false {
		t.Errorf("blink status after off %v", st)
	}
}

func TestAntminerControlNeedsCredentials(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 14, Models: []string{sim.ModelS21}})
	mi := s.Miners()[0]
	for _, path := range []string{"/cgi-bin/set_miner_conf.cgi", "/cgi-bin/blink.cgi", "/cgi-bin/reboot.cgi", "/cgi-bin/get_miner_conf.cgi"} {
		status, challenge, _ := webDo(t, mi, "POST", path, `{"miner-mode":1,"blink":"true"}`, "")
		if status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Digest ") {
			t.Errorf("%s without credentials: %d %q", path, status, challenge)
		}
		if status, reply := antCGI(t, mi, "POST", path, `{"miner-mode":1,"blink":"true"}`, "root", "wrong"); status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong password: %d %s", path, status, reply)
		}
	}
	if st := s.Settings(0); st.Mode != sim.ModeNormal || st.Locate || st.Reboots != 0 {
		t.Errorf("unauthenticated writes changed settings: %+v", st)
	}
}

func TestAntminerReboot(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 2, Seed: 15, Models: []string{sim.ModelS21}, Now: clock.Now, RebootTime: 5 * time.Second})
	mi := s.Miners()[0]
	before := num(t, section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0), "Elapsed")
	if before < 3600 {
		t.Fatalf("uptime before reboot %v s", before)
	}
	r := antOK(t, mi, "POST", "/cgi-bin/reboot.cgi", `{}`)
	if r["stats"] != "success" {
		t.Errorf("reboot reply %v", r)
	}
	if raw, _ := rpcTry(mi.Address, mi.Port, "summary"); len(raw) != 0 {
		t.Errorf("rebooting Antminer answered RPC: %q", tail(raw))
	}
	if resp, _, err := httpTry(mi, "/", nil); err == nil {
		t.Errorf("rebooting Antminer answered HTTP: %d", resp.StatusCode)
	}
	other := s.Miners()[1]
	if raw := rpcRaw(t, other.Address, other.Port, "summary"); len(raw) == 0 {
		t.Errorf("a neighbour went down with the reboot")
	}
	clock.Advance(7 * time.Second)
	sum := section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0)
	if e := num(t, sum, "Elapsed"); e < 1 || e > 3 {
		t.Errorf("Elapsed after reboot %v, want 2", e)
	}
	if a := num(t, sum, "Accepted"); a > 5 {
		t.Errorf("Accepted after reboot %v, want counting from 0", a)
	}
	if st := section(t, rpcJSON(t, mi.Address, mi.Port, "stats"), "STATS", 1); num(t, st, "Elapsed") > 3 {
		t.Errorf("stats Elapsed %v after reboot", num(t, st, "Elapsed"))
	}
	if n := s.Settings(0).Reboots; n != 1 {
		t.Errorf("Reboots %d", n)
	}
}

// axeFleet starts four Bitaxes: 0 and 2 run v2.9.0, 1 and 3 v2.14.0.
func axeFleet(t *testing.T, clock *simtest.Clock) *sim.Sim {
	cfg := sim.Config{Miners: 4, Seed: 16, Models: []string{sim.ModelBitaxeGamma}, RebootTime: 5 * time.Second}
	if clock != nil {
		cfg.Now = clock.Now
	}
	return simtest.Start(t, cfg)
}

func TestAxeOSVersionsAndRoutes(t *testing.T) {
	s := axeFleet(t, nil)
	old, cur := s.Miners()[0], s.Miners()[1]

	info := axeOSInfo(t, old)
	if info["version"] != "v2.9.0" {
		t.Errorf("even Bitaxe version %v", info["version"])
	}
	if _, ok := info["bestDiff"].(string); !ok {
		t.Errorf("v2.9.0 bestDiff %T, want a string", info["bestDiff"])
	}
	if _, ok := info["miningPaused"]; ok {
		t.Errorf("v2.9.0 reports miningPaused")
	}
	for _, path := range []string{"/api/system/identify", "/api/system/pause", "/api/system/resume"} {
		if status, _, _ := webDo(t, old, "POST", path, "", ""); status != http.StatusNotFound {
			t.Errorf("v2.9.0 POST %s: %d, want 404", path, status)
		}
	}

	info = axeOSInfo(t, cur)
	if info["version"] != "v2.14.0" || info["axeOSVersion"] != "v2.14.0" {
		t.Errorf("odd Bitaxe version %v", info["version"])
	}
	if _, ok := info["bestDiff"].(json.Number); !ok {
		t.Errorf("v2.14.0 bestDiff %T, want a number", info["bestDiff"])
	}
	if info["miningPaused"] != false {
		t.Errorf("v2.14.0 miningPaused %v", info["miningPaused"])
	}
	if status, _, _ := webDo(t, cur, "GET", "/api/system/pause", "", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("v2.14.0 GET /api/system/pause: %d, want 405", status)
	}
}

func TestAxeOSIdentifyToggles(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := axeFleet(t, clock)
	mi := s.Miners()[3]
	status, _, body := webDo(t, mi, "POST", "/api/system/identify", "", "")
	if status != http.StatusOK || string(body) != `{"message":"The device says \"Hi!\" for 30 seconds."}` {
		t.Fatalf("identify on: %d %s", status, body)
	}
	if !s.Settings(3).Locate {
		t.Errorf("Locate false after identify")
	}
	_, _, body = webDo(t, mi, "POST", "/api/system/identify", "", "")
	if string(body) != `{"message":"The device no longer says \"Hi!\"."}` || s.Settings(3).Locate {
		t.Errorf("identify off: %s, Locate %v", body, s.Settings(3).Locate)
	}
	webDo(t, mi, "POST", "/api/system/identify", "", "")
	clock.Advance(31 * time.Second)
	if s.Settings(3).Locate {
		t.Errorf("identify still on after 30 s")
	}
}

func TestAxeOSPauseResume(t *testing.T) {
	s := axeFleet(t, nil)
	mi := s.Miners()[1]
	status, _, body := webDo(t, mi, "POST", "/api/system/pause", "", "")
	if status != http.StatusOK || string(body) != `{"message":"Mining paused"}` {
		t.Fatalf("pause: %d %s", status, body)
	}
	info := axeOSInfo(t, mi)
	if num(t, info, "hashRate") != 0 || info["miningPaused"] != true {
		t.Errorf("paused: hashRate %v miningPaused %v", info["hashRate"], info["miningPaused"])
	}
	if p := num(t, info, "power"); p <= 1 || p > 5 {
		t.Errorf("paused: power %v W, want a few W", p)
	}
	if !s.Settings(1).Paused {
		t.Errorf("Settings.Paused false")
	}
	_, _, body = webDo(t, mi, "POST", "/api/system/resume", "", "")
	if string(body) != `{"message":"Mining resumed"}` {
		t.Errorf("resume: %s", body)
	}
	info = axeOSInfo(t, mi)
	if num(t, info, "hashRate") < 1000 || info["miningPaused"] != false {
		t.Errorf("resumed: hashRate %v miningPaused %v", info["hashRate"], info["miningPaused"])
	}
}

func TestAxeOSPatchSettings(t *testing.T) {
	s := axeFleet(t, nil)
	mi := s.Miners()[2]
	before := axeOSInfo(t, mi)
	rate0, power0 := num(t, before, "hashRate"), num(t, before, "power")

	status, _, body := webDo(t, mi, "PATCH", "/api/system",
		`{"stratumURL":"solo.pool.invalid","stratumPort":4334,"stratumUser":"bc1q.w","stratumPassword":"p",`+
			`"fallbackStratumURL":"fb.pool.invalid","fallbackStratumPort":3335,"fallbackStratumUser":"fb.w",`+
			`"frequency":300,"coreVoltage":1100,"autofanspeed":0,"fanspeed":70}`, "")
	if status != http.StatusOK || len(body) != 0 {
		t.Fatalf("PATCH: %d %q, want 200 with an empty body", status, body)
	}
	info := axeOSInfo(t, mi)
	for k, v := range map[string]string{"stratumURL": "solo.pool.invalid", "stratumUser": "bc1q.w", "fallbackStratumURL": "fb.pool.invalid", "fallbackStratumUser": "fb.w"} {
		if got := str(t, info, k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for k, v := range map[string]float64{"stratumPort": 4334, "fallbackStratumPort": 3335, "frequency": 300, "coreVoltage": 1100, "autofanspeed": 0, "fanspeed": 70} {
		if got := num(t, info, k); got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	if r := num(t, info, "hashRate") / rate0; r < 0.45 || r > 0.55 {
		t.Errorf("hash rate at 300 MHz is %.2f of 600 MHz, want 0.5", r)
	}
	if r := num(t, info, "power") / power0; r < 0.45 || r > 0.55 {
		t.Errorf("power at 300 MHz is %.2f of 600 MHz, want 0.5", r)
	}
	st := s.Settings(2)
	if st.FrequencyMHz != 300 || st.Pools[0].URL != "solo.pool.invalid" || st.Pools[0].Port != 4334 || st.Pools[0].Password != "p" || !st.FanManual {
		t.Errorf("Settings %+v", st)
	}

	for _, c := range []struct{ body, want string }{
		{`{"frequency":`, "Invalid JSON"},
		{`{"frequency":"fast"}`, "Wrong API input"},
		{`{"stratumPort":70000}`, "Wrong API input"},
		{`{"stratumURL":"stratum+tcp://x.invalid:3333"}`, "Wrong API input"},
		{`{"fanspeed":101}`, "Wrong API input"},
	} {
		status, _, body := webDo(t, mi, "PATCH", "/api/system", c.body, "")
		if status != http.StatusBadRequest || string(body) != c.want {
			t.Errorf("PATCH %s: %d %q, want 400 %q", c.body, status, body, c.want)
		}
	}
	if after := s.Settings(2); after.FrequencyMHz != 300 || after.Pools[0].Port != 4334 || after.FanPercent != 70 {
		t.Errorf("rejected PATCHes changed settings: %+v", after)
	}
}

func TestAxeOSRestart(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := axeFleet(t, clock)
	for i, want := range []string{"System will restart shortly.", `{"message":"System will restart shortly."}`} {
		mi := s.Miners()[i]
		if up := num(t, axeOSInfo(t, mi), "uptimeSeconds"); up < 600 {
			t.Fatalf("uptime before restart %v", up)
		}
		status, _, body := webDo(t, mi, "POST", "/api/system/restart", "", "")
		if status != http.StatusOK || string(body) != want {
			t.Errorf("%s restart: %d %q, want %q", mi.Name, status, body, want)
		}
		if resp, _, err := httpTry(mi, "/api/system/info", nil); err == nil {
			t.Errorf("restarting Bitaxe answered: %d", resp.StatusCode)
		}
	}
	clock.Advance(6 * time.Second)
	for i := 0; i < 2; i++ {
		info := axeOSInfo(t, s.Miners()[i])
		if up := num(t, info, "uptimeSeconds"); up > 2 {
			t.Errorf("uptime after restart %v", up)
		}
		if sh := num(t, info, "sharesAccepted"); sh > 2 {
			t.Errorf("shares after restart %v", sh)
		}
		if s.Settings(i).Reboots != 1 {
			t.Errorf("Reboots %d", s.Settings(i).Reboots)
		}
	}
}

// TestUnwrittenMinersKeepDefaults checks the ground truth of a miner
// nobody wrote to matches what it reports.
func TestUnwrittenMinersKeepDefaults(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 6, Seed: 17, Models: []string{sim.ModelS21, sim.ModelBitaxeGamma}})
	for _, mi := range s.Miners() {
		st := s.Settings(mi.Index)
		if st.Reboots != 0 || st.Locate || st.Paused || st.Mode != sim.ModeNormal || len(st.Pools) == 0 {
			t.Errorf("%s defaults %+v", mi.Name, st)
		}
		if mi.ModelShort == sim.ModelBitaxeGamma {
			info := axeOSInfo(t, mi)
			if str(t, info, "stratumURL") != st.Pools[0].URL || math.Abs(num(t, info, "frequency")-st.FrequencyMHz) > 0 {
				t.Errorf("%s info and Settings differ: %v %v vs %+v", mi.Name, info["stratumURL"], info["frequency"], st)
			}
		} else {
			p := section(t, rpcJSON(t, mi.Address, mi.Port, "pools"), "POOLS", 0)
			if !bytes.Equal([]byte(str(t, p, "URL")), []byte(st.Pools[0].URL)) {
				t.Errorf("%s pool %v vs %+v", mi.Name, p["URL"], st.Pools[0])
			}
		}
	}
}
