package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// bosSim starts a fleet of Braiins OS miners on a fake clock and returns
// one S19j Pro on 24.09 and one S21 on 25.07.
func bosSim(t *testing.T, faults ...sim.Fault) (s *sim.Sim, s19, s21 sim.MinerInfo, clock *simtest.Clock) {
	t.Helper()
	clock = simtest.NewClock(testStart)
	s = simtest.Start(t, sim.Config{Miners: 8, Seed: 7, Models: []string{sim.ModelS19jProBOS, sim.ModelS21BOS},
		Now: clock.Now, Faults: faults, RebootTime: 5 * time.Second})
	found := 0
	for _, mi := range s.Miners() {
		switch {
		case mi.ModelShort == sim.ModelS19jProBOS && s19.Name == "":
			s19 = mi
			found++
		case mi.ModelShort == sim.ModelS21BOS && s21.Name == "":
			s21 = mi
			found++
		}
	}
	if found != 2 {
		t.Fatalf("fleet lacks a model: %+v", s.Miners())
	}
	return s, s19, s21, clock
}

func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if status.Code(err) != code {
		t.Errorf("%s: error %v, want code %v", what, err, code)
	}
}

func TestBraiinsModelsNotInDefaultMix(t *testing.T) {
	for _, short := range []string{sim.ModelS19jProBOS, sim.ModelS21BOS} {
		if w := sim.DefaultMix()[short]; w != 0 {
			t.Errorf("%s default weight %v, want 0", short, w)
		}
		if m := simtest.Model(t, short); m.Family != hearth.FamilyBraiins {
			t.Errorf("%s family %q", short, m.Family)
		}
	}
}

func TestBraiinsGRPCVersionAndAuth(t *testing.T) {
	_, s19, s21, clock := bosSim(t)
	for _, tc := range []struct {
		mi                  sim.MinerInfo
		major, minor, patch uint64
	}{{s19, 1, 3, 0}, {s21, 1, 7, 0}} {
		c := dialBOS(t, tc.mi)
		v := c.must(bosVersion, nil)
		if v.uint(1) != tc.major || v.uint(2) != tc.minor || v.uint(3) != tc.patch {
			t.Errorf("%s api version %d.%d.%d, want %d.%d.%d", tc.mi.ModelShort, v.uint(1), v.uint(2), v.uint(3), tc.major, tc.minor, tc.patch)
		}
	}

	c := dialBOS(t, s21)
	_, _, err := c.call(bosDetails, nil)
	wantCode(t, "details without a token", err, codes.Unauthenticated)
	c.token = "AAAAAAAAAAAAAAAA"
	_, _, err = c.call(bosDetails, nil)
	wantCode(t, "details with a made-up token", err, codes.Unauthenticated)

	bad := encLogin("root", "admin")
	_, _, err = c.call(bosLogin, bad)
	wantCode(t, "login with a wrong password", err, codes.Unauthenticated)

	reply := c.login()
	if len(c.token) != 16 || reply.uint(2) != 3600 {
		t.Errorf("login token %q timeout_s %d, want 16 characters and 3600", c.token, reply.uint(2))
	}
	c.must(bosDetails, nil)

	// Each request extends the session; an hour without one ends it.
	clock.Advance(3000 * time.Second)
	c.must(bosDetails, nil)
	clock.Advance(3000 * time.Second)
	c.must(bosDetails, nil)
	clock.Advance(3601 * time.Second)
	_, _, err = c.call(bosDetails, nil)
	wantCode(t, "details after an idle hour", err, codes.Unauthenticated)

	_, _, err = c.call(bosLogin, []byte{0x0a, 0x05, 'r'})
	wantCode(t, "truncated login request", err, codes.Internal)
}

func encLogin(user, password string) []byte {
	b := []byte{0x0a, byte(len(user))}
	b = append(b, user...)
	b = append(b, 0x12, byte(len(password)))
	return append(b, password...)
}

func TestBraiinsGRPCUnknownMethod(t *testing.T) {
	_, _, s21, _ := bosSim(t)
	c := dialBOS(t, s21)
	c.login()
	for _, method := range []string{bosUnknownInSvc, "/braiins.bos.v1.NoSuchService/Get", "/grpc.health.v1.Health/Check"} {
		_, _, err := c.call(method, nil)
		wantCode(t, method, err, codes.Unimplemented)
	}
}

func TestBraiinsGRPCReads(t *testing.T) {
	s, s19, s21, _ := bosSim(t)
	for _, tc := range []struct {
		mi       sim.MinerInfo
		identity string
		current  string
		chips    uint64
		mhz      float64
	}{
		{s19, "Antminer S19J Pro", "2024-09-23-0-26ba61b9-24.09-plus", 126, 545},
		{s21, "Antminer S21", "2025-08-06-0-3881c51d-25.07-plus", 108, 490},
	} {
		model := simtest.Model(t, tc.mi.ModelShort)
		c := dialBOS(t, tc.mi)
		c.login()

		d := c.must(bosDetails, nil)
		id := d.msg(2)
		if id.uint(1) != 1 || id.str(3) != tc.identity || id.str(4) != tc.identity {
			t.Errorf("%s miner_identity brand %d name %q miner_model %q", tc.mi.ModelShort, id.uint(1), id.str(3), id.str(4))
		}
		if v := d.msg(5); v.str(1) != tc.current || !v.boolean(3) {
			t.Errorf("%s bos_version %q plus %v", tc.mi.ModelShort, v.str(1), v.boolean(3))
		}
		if d.str(6) != tc.mi.Name || !strings.EqualFold(d.str(7), tc.mi.MAC) {
			t.Errorf("hostname %q mac %q, want %q %q", d.str(6), d.str(7), tc.mi.Name, tc.mi.MAC)
		}
		if got := d.path(9).dbl(1); got != model.HashRate/1e9 {
			t.Errorf("sticker_hashrate %v GH/s, want %v", got, model.HashRate/1e9)
		}
		if d.uint(12) != 2 || d.uint(10) == 0 || d.uint(11) <= d.uint(10) {
			t.Errorf("status %d bosminer_uptime_s %d system_uptime_s %d", d.uint(12), d.uint(10), d.uint(11))
		}

		st := c.must(bosStats, nil)
		rate := st.path(2, 1, 1).dbl(1) // miner_stats.real_hashrate.last_5s
		if !simtest.Within(rate, model.HashRate/1e9, 0.05) {
			t.Errorf("%s last_5s %v GH/s, want about %v", tc.mi.ModelShort, rate, model.HashRate/1e9)
		}
		if nominal := st.path(2, 2).dbl(1); !simtest.Within(nominal, model.HashRate/1e9, 1e-9) {
			t.Errorf("nominal_hashrate %v", nominal)
		}
		watt := float64(st.path(3, 1).uint(1))
		if !simtest.Within(watt, model.Power, 0.05) {
			t.Errorf("%s approximated_consumption %v W, want about %v", tc.mi.ModelShort, watt, model.Power)
		}
		if eff := st.path(3, 2).dbl(1); !simtest.Within(eff, watt/(rate/1000), 0.01) {
			t.Errorf("efficiency %v J/TH, want %v", eff, watt/(rate/1000))
		}
		pool := st.msg(1)
		if pool.uint(1) == 0 || pool.uint(4) == 0 || !pool.has(7) {
			t.Errorf("pool_stats accepted %d last_difficulty %d last_share_time %v", pool.uint(1), pool.uint(4), pool.has(7))
		}

		boards := c.must(bosHashboards, nil).msgs(1)
		if len(boards) != 3 {
			t.Fatalf("%d hashboards, want 3", len(boards))
		}
		var sum float64
		for i, b := range boards {
			if b.str(1) != strconv.Itoa(i+1) || !b.boolean(2) || b.path(3).uint(1) != tc.chips {
				t.Errorf("board %d: id %q enabled %v chips %d", i, b.str(1), b.boolean(2), b.path(3).uint(1))
			}
			if hz := b.path(5).dbl(1); hz != tc.mhz*1e6 {
				t.Errorf("board %d frequency %v Hz, want %v", i, hz, tc.mhz*1e6)
			}
			chip := b.path(6, 3).dbl(1)
			inlet, outlet := b.path(10).dbl(1), b.path(11).dbl(1)
			if !(inlet > 25 && inlet < outlet && outlet < chip && chip < 90) {
				t.Errorf("board %d temperatures inlet %v outlet %v chip %v", i, inlet, outlet, chip)
			}
			sum += b.path(8, 1, 1).dbl(1)
		}
		if !simtest.Within(sum, rate, 1e-6) {
			t.Errorf("boards add up to %v GH/s, miner says %v", sum, rate)
		}

		cool := c.must(bosCooling, nil)
		fans := cool.msgs(1)
		if len(fans) != 4 {
			t.Fatalf("%d fans", len(fans))
		}
		for i, f := range fans {
			if f.uint(1) != uint64(i) || f.uint(2) < 4000 || f.uint(2) > 6500 {
				t.Errorf("fan %d: position %d rpm %d", i, f.uint(1), f.uint(2))
			}
		}
		if hot := cool.path(2, 3).dbl(1); hot < 50 || cool.msg(2).uint(2) != 1 {
			t.Errorf("highest_temperature %v location %d", hot, cool.msg(2).uint(2))
		}

		groups := c.must(bosGetPools, nil).msgs(1)
		settings := s.Settings(tc.mi.Index)
		if len(groups) != 1 || len(groups[0].msgs(4)) != len(settings.Pools) {
			t.Fatalf("pool groups %v, settings %+v", groups, settings.Pools)
		}
		for i, p := range groups[0].msgs(4) {
			if p.str(2) != settings.Pools[i].URL || p.str(3) != settings.Pools[i].User || p.boolean(6) != (i == 0) {
				t.Errorf("pool %d: %q %q active %v", i, p.str(2), p.str(3), p.boolean(6))
			}
		}
		if settings.PowerTargetW != int(model.Power) {
			t.Errorf("default power target %d, want %v", settings.PowerTargetW, model.Power)
		}
		tuner := c.must(bosTunerState, nil)
		if tuner.uint(1) != 2 || tuner.path(2, 2).uint(1) != uint64(model.Power) {
			t.Errorf("tuner state %d target %d", tuner.uint(1), tuner.path(2, 2).uint(1))
		}
	}
}

func TestBraiinsGRPCWrites(t *testing.T) {
	s, s19, _, clock := bosSim(t)
	model := simtest.Model(t, s19.ModelShort)
	c := dialBOS(t, s19)
	c.login()

	// Power target: applied, clamped to the model's range, followed by
	// power and hash rate.
	for _, tc := range []struct{ ask, want uint64 }{{2000, 2000}, {100, 1100}, {99999, 3600}, {2500, 2500}} {
		reply := c.must(bosPowerTarget, encPowerTarget(tc.ask))
		if got := reply.path(1).uint(1); got != tc.want {
			t.Errorf("SetPowerTarget %d applied %d, want %d", tc.ask, got, tc.want)
		}
		if got := s.Settings(s19.Index).PowerTargetW; got != int(tc.want) {
			t.Errorf("Settings.PowerTargetW %d, want %d", got, tc.want)
		}
	}
	clock.Advance(10 * time.Second)
	st := c.must(bosStats, nil)
	if watt := float64(st.path(3, 1).uint(1)); !simtest.Within(watt, 2500, 0.05) {
		t.Errorf("power %v W at a 2500 W target", watt)
	}
	if rate := st.path(2, 1, 1).dbl(1); !simtest.Within(rate, model.HashRate/1e9*2500/model.Power, 0.05) {
		t.Errorf("hash rate %v GH/s at a 2500 W target", rate)
	}
	if got := c.must(bosTunerState, nil).path(2, 2).uint(1); got != 2500 {
		t.Errorf("tuner current_target %d", got)
	}
	_, _, err := c.call(bosPowerTarget, []byte{0x08, 0x03})
	wantCode(t, "SetPowerTarget without power_target", err, codes.InvalidArgument)

	// Pause and resume.
	if c.must(bosPause, nil).boolean(1) {
		t.Error("first pause says already paused")
	}
	if !c.must(bosPause, nil).boolean(1) {
		t.Error("second pause does not say already paused")
	}
	if !s.Settings(s19.Index).Paused {
		t.Error("Settings.Paused false after PauseMining")
	}
	clock.Advance(5 * time.Second)
	if rate := c.must(bosStats, nil).path(2, 1, 1).dbl(1); rate != 0 {
		t.Errorf("hash rate %v while paused", rate)
	}
	if st := c.must(bosDetails, nil).uint(12); st != 3 {
		t.Errorf("status %d while paused, want MINER_STATUS_PAUSED", st)
	}
	if c.must(bosResume, nil).boolean(1) {
		t.Error("resume says already mining")
	}
	clock.Advance(5 * time.Second)
	if rate := c.must(bosStats, nil).path(2, 1, 1).dbl(1); rate <= 0 || s.Settings(s19.Index).Paused {
		t.Errorf("hash rate %v after resume", rate)
	}

	// Locate.
	if !c.must(bosSetLocate, encBool(1, true)).boolean(1) || !c.must(bosGetLocate, nil).boolean(1) || !s.Settings(s19.Index).Locate {
		t.Error("locate on does not show")
	}
	if c.must(bosSetLocate, encBool(1, false)).boolean(1) || c.must(bosGetLocate, nil).boolean(1) || s.Settings(s19.Index).Locate {
		t.Error("locate off does not show")
	}

	// Pools.
	req := encPoolGroups([]string{"main", "backup"}, [][]testPool{
		{{"stratum+tcp://pool.example.invalid:3333", "acct.w1", "x"}, {"stratum+tcp://pool2.example.invalid:3333", "acct.w1", "x"}},
		{{"stratum+tcp://other.example.invalid:700", "acct2.w1", "pw"}},
	})
	stored := c.must(bosSetPools, req).msgs(1)
	if len(stored) != 2 || stored[0].str(1) == "" || stored[0].str(2) != "main" || len(stored[0].msgs(5)) != 2 {
		t.Fatalf("SetPoolGroups reply %v", stored)
	}
	groups := c.must(bosGetPools, nil).msgs(1)
	if len(groups) != 2 || groups[1].str(1) != "backup" || groups[1].msgs(4)[0].str(2) != "stratum+tcp://other.example.invalid:700" {
		t.Fatalf("GetPoolGroups after set: %v", groups)
	}
	if !groups[0].msgs(4)[0].boolean(6) || groups[0].msgs(4)[1].boolean(6) {
		t.Error("first pool of the first group is not the only active one")
	}
	want := []sim.PoolSetting{
		{URL: "stratum+tcp://pool.example.invalid:3333", User: "acct.w1", Password: "x"},
		{URL: "stratum+tcp://pool2.example.invalid:3333", User: "acct.w1", Password: "x"},
		{URL: "stratum+tcp://other.example.invalid:700", User: "acct2.w1", Password: "pw"},
	}
	if got := s.Settings(s19.Index).Pools; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Settings.Pools %+v, want %+v", got, want)
	}
	_, _, err = c.call(bosSetPools, encPoolGroups([]string{"bad"}, [][]testPool{{{"http://nope", "u", ""}}}))
	wantCode(t, "SetPoolGroups with an http URL", err, codes.InvalidArgument)

	// Restart: unreachable for the reboot time, then mining from zero.
	c.must(bosRestart, nil)
	if s.Settings(s19.Index).Reboots != 1 {
		t.Errorf("Reboots %d after Restart", s.Settings(s19.Index).Reboots)
	}
	_, _, err = c.call(bosStats, nil)
	wantCode(t, "stats while restarting", err, codes.Unavailable)
	clock.Advance(6 * time.Second)
	c2 := dialBOS(t, s19)
	c2.token = c.token // the API daemon keeps its sessions over a bosminer restart
	if up := c2.must(bosDetails, nil).uint(10); up > 2 {
		t.Errorf("bosminer_uptime_s %d just after a restart", up)
	}

	// Reboot: sessions end with the machine.
	c2.must(bosReboot, nil)
	clock.Advance(6 * time.Second)
	c3 := dialBOS(t, s19)
	c3.token = c.token
	_, _, err = c3.call(bosDetails, nil)
	wantCode(t, "old token after reboot", err, codes.Unauthenticated)
	c3.login()
	c3.must(bosDetails, nil)
	if s.Settings(s19.Index).Reboots != 2 {
		t.Errorf("Reboots %d after Reboot", s.Settings(s19.Index).Reboots)
	}
}

func TestBraiinsGRPCFaults(t *testing.T) {
	s, s19, s21, _ := bosSim(t)
	if err := s.SetFault(sim.Fault{Index: s19.Index, Kind: sim.FaultDeadBoard}); err != nil {
		t.Fatal(err)
	}
	c := dialBOS(t, s19)
	c.login()
	boards := c.must(bosHashboards, nil).msgs(1)
	if len(boards) != 3 || boards[1].path(3).uint(1) != 0 || boards[1].has(8) || boards[0].path(3).uint(1) != 126 {
		t.Errorf("dead board 2 not shown: chips %d, %d", boards[0].path(3).uint(1), boards[1].path(3).uint(1))
	}

	c21 := dialBOS(t, s21)
	c21.login()
	if err := s.SetFault(sim.Fault{Index: s21.Index, Kind: sim.FaultOffline}); err != nil {
		t.Fatal(err)
	}
	_, _, err := c21.call(bosDetails, nil)
	wantCode(t, "details of an offline miner", err, codes.Unavailable)
	if err := s.ClearFaults(s21.Index); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFault(sim.Fault{Index: s21.Index, Kind: sim.FaultGarbled}); err != nil {
		t.Fatal(err)
	}
	reply, _, err := dialBOS(t, s21).call(bosVersion, nil)
	if err == nil {
		if v, perr := parseView(reply); perr == nil && v.uint(1) == 1 && v.uint(2) == 7 {
			t.Errorf("garbled miner answered a clean version")
		}
	}
}

// TestBraiinsRPC checks the cgminer-compatible API on 4028.
func TestBraiinsRPC(t *testing.T) {
	_, s19, s21, _ := bosSim(t)
	ver := rpcJSON(t, s19.Address, s19.Port, "version")
	st := section(t, ver, "STATUS", 0)
	if str(t, st, "Msg") != "BOSer versions" || num(t, st, "Code") != 22 || str(t, st, "Description") != "BOSer boser-buildroot 0.1.0-75912fc7" {
		t.Errorf("version STATUS %v", st)
	}
	v := section(t, ver, "VERSION", 0)
	if str(t, v, "API") != "3.7" || str(t, v, "BOSer") != "boser-buildroot 0.1.0-75912fc7" {
		t.Errorf("VERSION %v", v)
	}

	model := simtest.Model(t, s21.ModelShort)
	sum := section(t, rpcJSON(t, s21.Address, s21.Port, "summary"), "SUMMARY", 0)
	if mhs := num(t, sum, "MHS 1m"); !simtest.Within(mhs, model.HashRate/1e6, 0.05) {
		t.Errorf("MHS 1m %v, want about %v", mhs, model.HashRate/1e6)
	}
	dd := rpcJSON(t, s21.Address, s21.Port, "devdetails")
	for i := 0; i < 3; i++ {
		d := section(t, dd, "DEVDETAILS", i)
		if str(t, d, "Model") != "Bitmain S21" || num(t, d, "Chips") != 108 || num(t, d, "ID") != float64(i) {
			t.Errorf("DEVDETAILS[%d] %v", i, d)
		}
	}
	pools := section(t, rpcJSON(t, s21.Address, s21.Port, "pools"), "POOLS", 0)
	if !strings.HasPrefix(str(t, pools, "URL"), "stratum+tcp://") || num(t, pools, "Accepted") <= 0 {
		t.Errorf("POOLS[0] %v", pools)
	}
	fans := rpcJSON(t, s21.Address, s21.Port, "fans")
	if rpm := num(t, section(t, fans, "FANS", 3), "RPM"); rpm < 4000 {
		t.Errorf("fan RPM %v", rpm)
	}
	temps := section(t, rpcJSON(t, s21.Address, s21.Port, "temps"), "TEMPS", 0)
	if num(t, temps, "Chip") <= num(t, temps, "Board") {
		t.Errorf("TEMPS %v", temps)
	}
	tuner := section(t, rpcJSON(t, s21.Address, s21.Port, "tunerstatus"), "TUNERSTATUS", 0)
	if num(t, tuner, "PowerLimit") != model.Power {
		t.Errorf("TUNERSTATUS %v", tuner)
	}
	bad := section(t, rpcJSON(t, s21.Address, s21.Port, "stats+pools"), "STATUS", 0)
	if str(t, bad, "STATUS") != "E" || num(t, bad, "Code") != 14 {
		t.Errorf("unknown command STATUS %v", bad)
	}
}

// restCall sends one REST request and decodes its JSON reply.
func restCall(t *testing.T, mi sim.MinerInfo, method, path, token string, body any) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+mi.Address.String()+":"+strconv.Itoa(mi.WebPort)+"/api/v1"+path, rd)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%s %s: body %q: %v", method, path, raw, err)
	}
	return resp.StatusCode, out
}

func TestBraiinsREST(t *testing.T) {
	s, s19, s21, clock := bosSim(t)
	if code, _ := restCall(t, s19, "POST", "/auth/login", "", map[string]string{"username": "root", "password": "root"}); code != 404 {
		t.Errorf("24.09 REST login answered %d, want 404", code)
	}
	if code, _ := restCall(t, s21, "POST", "/auth/login", "", map[string]string{"username": "root", "password": "x"}); code != 401 {
		t.Errorf("wrong password answered %d", code)
	}
	if code, _ := restCall(t, s21, "GET", "/miner/details", "", nil); code != 401 {
		t.Errorf("details without token answered %d", code)
	}
	code, login := restCall(t, s21, "POST", "/auth/login", "", map[string]string{"username": "root", "password": "root"})
	tok, _ := login.(map[string]any)["token"].(string)
	if code != 200 || len(tok) != 16 || login.(map[string]any)["timeout_s"] != json.Number("3600") {
		t.Fatalf("login %d %v", code, login)
	}

	_, det := restCall(t, s21, "GET", "/miner/details", tok, nil)
	d := det.(map[string]any)
	if d["bos_version"].(map[string]any)["current"] != "2025-08-06-0-3881c51d-25.07-plus" || d["status"] != json.Number("2") ||
		d["miner_identity"].(map[string]any)["name"] != "Antminer S21" || d["hostname"] != s21.Name {
		t.Errorf("details %v", d)
	}

	model := simtest.Model(t, s21.ModelShort)
	_, stats := restCall(t, s21, "GET", "/miner/stats", tok, nil)
	st := stats.(map[string]any)
	ghs, _ := st["miner_stats"].(map[string]any)["real_hashrate"].(map[string]any)["last_5s"].(map[string]any)["gigahash_per_second"].(json.Number).Float64()
	watt, _ := st["power_stats"].(map[string]any)["approximated_consumption"].(map[string]any)["watt"].(json.Number).Float64()
	acc, _ := st["pool_stats"].(map[string]any)["accepted_shares"].(json.Number).Float64()
	lst := st["pool_stats"].(map[string]any)["last_share_time"].(map[string]any)
	if !simtest.Within(ghs, model.HashRate/1e9, 0.05) || !simtest.Within(watt, model.Power, 0.05) || acc <= 0 || lst["seconds"] == nil || lst["nanos"] == nil {
		t.Errorf("stats %v", st)
	}

	if code, v := restCall(t, s21, "PUT", "/performance/power-target", tok, map[string]int{"watt": 3000}); code != 200 || v.(map[string]any)["watt"] != json.Number("3000") {
		t.Errorf("power-target reply %d %v", code, v)
	}
	if s.Settings(s21.Index).PowerTargetW != 3000 {
		t.Errorf("PowerTargetW %d", s.Settings(s21.Index).PowerTargetW)
	}
	if code, v := restCall(t, s21, "PUT", "/actions/locate", tok, true); code != 200 || v != true || !s.Settings(s21.Index).Locate {
		t.Errorf("locate PUT %d %v", code, v)
	}
	if _, v := restCall(t, s21, "GET", "/actions/locate", tok, nil); v != true {
		t.Errorf("locate GET %v", v)
	}
	if code, v := restCall(t, s21, "PUT", "/actions/pause", tok, nil); code != 200 || v != false || !s.Settings(s21.Index).Paused {
		t.Errorf("pause %d %v", code, v)
	}
	if code, v := restCall(t, s21, "PUT", "/actions/resume", tok, nil); code != 200 || v != false || s.Settings(s21.Index).Paused {
		t.Errorf("resume %d %v", code, v)
	}
	_, pools := restCall(t, s21, "GET", "/pools/", tok, nil)
	if groups, ok := pools.([]any); !ok || len(groups) != 1 {
		t.Errorf("pools %v", pools)
	}
	if code, _ := restCall(t, s21, "PUT", "/performance/power-target", tok, map[string]string{"watt": "x"}); code != 400 {
		t.Errorf("bad power-target body answered %d", code)
	}
	if code, _ := restCall(t, s21, "PUT", "/actions/reboot", tok, nil); code != 200 || s.Settings(s21.Index).Reboots != 1 {
		t.Errorf("reboot %d", code)
	}
	clock.Advance(6 * time.Second)
	if code, _ := restCall(t, s21, "GET", "/miner/details", tok, nil); code != 401 {
		t.Errorf("token after reboot answered %d", code)
	}
}

func TestBraiinsGRPCSlow(t *testing.T) {
	s, _, s21, _ := bosSim(t)
	if err := s.SetFault(sim.Fault{Index: s21.Index, Kind: sim.FaultSlow}); err != nil {
		t.Fatal(err)
	}
	c := dialBOS(t, s21)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	req, reply := []byte{}, []byte(nil)
	err := c.conn.Invoke(ctx, bosVersion, &req, &reply)
	wantCode(t, "version from a slow miner within 500 ms", err, codes.DeadlineExceeded)
}
