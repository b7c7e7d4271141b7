package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// vnishSim starts a fleet of VNish S19j Pros on a fake clock.
func vnishSim(t *testing.T) (*sim.Sim, sim.MinerInfo, *simtest.Clock) {
	t.Helper()
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 31, Models: []string{sim.ModelS19jProVNish}, Now: clock.Now})
	return s, s.Miners()[0], clock
}

// doHTTP sends one request to port on mi and returns the status and body.
func doHTTP(t testing.TB, mi sim.MinerInfo, port int, method, path, token, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+netip.AddrPortFrom(mi.Address, uint16(port)).String()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// jsonOf decodes b or fails.
func jsonOf(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%q is not a JSON object: %v", b, err)
	}
	return v
}

// vnishUnlock unlocks mi with the right password and returns the token.
func vnishUnlock(t testing.TB, mi sim.MinerInfo) string {
	t.Helper()
	code, b := doHTTP(t, mi, mi.Port, http.MethodPost, "/api/v1/unlock", "", `{"pw":"admin"}`)
	tok, _ := jsonOf(t, b)["token"].(string)
	if code != http.StatusOK || tok == "" {
		t.Fatalf("unlock: %d %q", code, b)
	}
	return tok
}

func TestVNishNotInDefaultMix(t *testing.T) {
	mix := sim.DefaultMix()
	if mix[sim.ModelS19jProVNish] != 0 || mix[sim.ModelS19jProEPIC] != 0 {
		t.Errorf("default mix %v", mix)
	}
}

func TestVNishInfoAndSummary(t *testing.T) {
	_, mi, _ := vnishSim(t)
	if mi.Family != hearth.FamilyVNish || mi.Port != mi.WebPort || mi.Model != "Antminer S19j Pro" {
		t.Fatalf("miner info %+v", mi)
	}
	code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/info", "", "")
	info := jsonOf(t, b)
	if code != 200 || info["fw_name"] != "Vnish" || info["fw_version"] != "1.2.6" || info["hr_measure"] != "GH/s" || info["miner"] != "Antminer S19j Pro" || info["serial"] != mi.Serial {
		t.Errorf("info %d %s", code, b)
	}
	ns := info["system"].(map[string]any)["network_status"].(map[string]any)
	if ns["mac"] != mi.MAC || ns["hostname"] != mi.Name {
		t.Errorf("network_status %v", ns)
	}

	code, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/summary", "", "")
	if code != 200 {
		t.Fatalf("summary %d %s", code, b)
	}
	m := jsonOf(t, b)["miner"].(map[string]any)
	hr := m["hr_realtime"].(float64) // GH/s
	if hr < 95000 || hr > 113000 || m["hr_nominal"].(float64) != 104000 {
		t.Errorf("hr_realtime %v GH/s, hr_nominal %v", hr, m["hr_nominal"])
	}
	if p := m["power_consumption"].(float64); p < 2900 || p > 3250 {
		t.Errorf("power_consumption %v W", p)
	}
	if st := m["miner_status"].(map[string]any); st["miner_state"] != "mining" || st["miner_state_time"].(float64) < 3600 {
		t.Errorf("miner_status %v", st)
	}
	chains := m["chains"].([]any)
	var sum float64
	for i, c := range chains {
		ch := c.(map[string]any)
		sum += ch["hashrate_rt"].(float64)
		pcb := ch["pcb_temp"].(map[string]any)
		if ch["id"].(float64) != float64(i+1) || ch["frequency"].(float64) != 545 || pcb["max"].(float64) <= pcb["min"].(float64) {
			t.Errorf("chain %d %v", i, ch)
		}
	}
	if len(chains) != 3 || sum < hr-1 || sum > hr+1 {
		t.Errorf("%d chains summing to %v GH/s, miner %v", len(chains), sum, hr)
	}
	if fans := m["cooling"].(map[string]any)["fans"].([]any); len(fans) != 4 {
		t.Errorf("fans %v", fans)
	}
	pools := m["pools"].([]any)
	if len(pools) != 4 || pools[0].(map[string]any)["status"] != "active" || pools[3].(map[string]any)["pool_type"] != "DevFee" {
		t.Errorf("pools %v", pools)
	}

	code, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/", "", "")
	if code != 200 || !bytes.Contains(b, []byte("AnthillOS")) {
		t.Errorf("root %d %q", code, b)
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/nothing", "", ""); code != 404 {
		t.Errorf("unknown path %d", code)
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/unlock", "", ""); code != 405 {
		t.Errorf("GET /unlock %d", code)
	}
}

func TestVNishUnlockAndLockout(t *testing.T) {
	s, mi, clock := vnishSim(t)
	for _, path := range []string{"/api/v1/settings", "/api/v1/autotune/presets"} {
		if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, path, "", ""); code != 401 {
			t.Errorf("GET %s without token: %d", path, code)
		}
		if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, path, "made-up", ""); code != 401 {
			t.Errorf("GET %s with a made-up token: %d", path, code)
		}
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodPost, "/api/v1/mining/stop", "", ""); code != 401 || s.Settings(0).Paused {
		t.Errorf("stop without token: %d", code)
	}
	if code, b := doHTTP(t, mi, mi.Port, http.MethodPost, "/api/v1/unlock", "", `{"password":"admin"}`); code != 400 {
		t.Errorf("unlock without pw: %d %q", code, b)
	}
	tok := vnishUnlock(t, mi)
	code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/settings", tok, "")
	oc := jsonOf(t, b)["miner"].(map[string]any)["overclock"].(map[string]any)
	if code != 200 || oc["preset"] != "disabled" {
		t.Errorf("settings %d %s", code, b)
	}
	if code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/status", tok, ""); code != 200 || jsonOf(t, b)["unlocked"] != true {
		t.Errorf("status %d %s", code, b)
	}

	for i := 1; i <= 5; i++ {
		code, b := doHTTP(t, mi, mi.Port, http.MethodPost, "/api/v1/unlock", "", `{"pw":"wrong"}`)
		switch {
		case i < 5 && (code != 403 || string(b) != `{"unlock_timeout":null}`):
			t.Errorf("wrong password %d: %d %q", i, code, b)
		case i == 5 && (code != 429 || string(b) != `{"unlock_timeout":60}`):
			t.Errorf("wrong password %d: %d %q, want the lock-out", i, code, b)
		}
	}
	if code, b := doHTTP(t, mi, mi.Port, http.MethodPost, "/api/v1/unlock", "", `{"pw":"admin"}`); code != 429 {
		t.Errorf("right password during the lock-out: %d %q", code, b)
	}
	// A token handed out before stays good.
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/settings", tok, ""); code != 200 {
		t.Errorf("old token during the lock-out: %d", code)
	}
	clock.Advance(61 * time.Second)
	vnishUnlock(t, mi)
}

func TestVNishWrites(t *testing.T) {
	s, mi, clock := vnishSim(t)
	tok := vnishUnlock(t, mi)
	post := func(path, body string) (int, []byte) {
		t.Helper()
		return doHTTP(t, mi, mi.Port, http.MethodPost, path, tok, body)
	}

	code, b := post("/api/v1/find-miner", "")
	if code != 200 || string(b) != `{"on":true}` || !s.Settings(0).Locate {
		t.Errorf("find-miner %d %q", code, b)
	}
	if _, b := post("/api/v1/find-miner", ""); string(b) != `{"on":false}` || s.Settings(0).Locate {
		t.Errorf("find-miner again %q", b)
	}

	if code, b := post("/api/v1/mining/pause", ""); code != 200 || len(b) != 0 || !s.Settings(0).Paused {
		t.Errorf("pause %d %q", code, b)
	}
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/summary", "", "")
	if m := jsonOf(t, b)["miner"].(map[string]any); m["hr_realtime"].(float64) != 0 || m["miner_status"].(map[string]any)["miner_state"] != "stopped" {
		t.Errorf("paused summary %s", b)
	}
	post("/api/v1/mining/resume", "")
	if s.Settings(0).Paused {
		t.Error("still paused after resume")
	}

	code, b = post("/api/v1/settings", `{"miner":{"overclock":{"preset":"2760"}}}`)
	if code != 200 || string(b) != `{"restart_required":false,"reboot_required":false}` || s.Settings(0).Preset != "2760" {
		t.Errorf("preset 2760: %d %q, preset %q", code, b, s.Settings(0).Preset)
	}
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/summary", "", "")
	if p := jsonOf(t, b)["miner"].(map[string]any)["power_consumption"].(float64); p < 2650 || p > 2870 {
		t.Errorf("power at the 2760 W preset: %v", p)
	}
	if post("/api/v1/settings", `{"miner":{"overclock":{"preset":"9999"}}}`); s.Settings(0).Preset != "2760" {
		t.Errorf("unknown preset taken: %q", s.Settings(0).Preset)
	}
	if code, _ := post("/api/v1/settings", `{"miner":`); code != 400 {
		t.Errorf("broken JSON: %d", code)
	}
	code, b = post("/api/v1/settings", `{"miner":{"pools":[{"url":"stratum+tcp://x.example:3333","user":"u.1","pass":"p"},{"url":"","user":"","pass":""}]}}`)
	if st := s.Settings(0); code != 200 || string(b) != `{"restart_required":true,"reboot_required":false}` || len(st.Pools) != 1 || st.Pools[0].User != "u.1" {
		t.Errorf("pools: %d %q, settings %+v", code, b, st.Pools)
	}

	code, b = post("/api/v1/system/reboot", "")
	if code != 200 || string(b) != `{"after":3}` || s.Settings(0).Reboots != 1 {
		t.Errorf("reboot %d %q", code, b)
	}
	if _, _, err := httpTry(mi, "/api/v1/info", nil); err == nil {
		t.Error("miner answers while rebooting")
	}
	clock.Advance(sim.DefaultRebootTime + time.Second)
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/summary", "", "")
	if up := jsonOf(t, b)["miner"].(map[string]any)["miner_status"].(map[string]any)["miner_state_time"].(float64); up > 2 {
		t.Errorf("uptime after reboot %v", up)
	}
}
