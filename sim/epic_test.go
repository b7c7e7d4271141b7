package sim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// epicSim starts a fleet of ePIC S19j Pros on a fake clock.
func epicSim(t *testing.T) (*sim.Sim, sim.MinerInfo, *simtest.Clock) {
	t.Helper()
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 41, Models: []string{sim.ModelS19jProEPIC}, Now: clock.Now})
	return s, s.Miners()[0], clock
}

// shapeDiff lists the keys in which two decoded JSON documents differ,
// comparing objects key by key and arrays by their first element, with the
// key path of each difference.
func shapeDiff(path string, got, want any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": not an object"}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, path+"."+k+": missing")
				continue
			}
			out = append(out, shapeDiff(path+"."+k, gv, wv)...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out = append(out, path+"."+k+": not in the fixture")
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{path + ": not an array"}
		}
		if len(w) > 0 && len(g) > 0 {
			return shapeDiff(path+"[0]", g[0], w[0])
		}
	case nil:
		// null in the fixture: any value (an unset optional) is fine.
	default:
		if got != nil && isNumber(got) != isNumber(w) {
			return []string{path + ": different type"}
		}
	}
	return nil
}

func isNumber(v any) bool {
	_, ok := v.(float64)
	return ok
}

func TestEPICSummaryHasTheA7Shape(t *testing.T) {
	_, mi, _ := epicSim(t)
	if mi.Family != hearth.FamilyEPIC || mi.Port == mi.WebPort || mi.Model != "Antminer S19j Pro" {
		t.Fatalf("miner info %+v", mi)
	}
	fixture, err := os.ReadFile("../driver/epic/testdata/asic-rs/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(fixture, &want); err != nil {
		t.Fatal(err)
	}
	code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/summary", "", "")
	if code != 200 {
		t.Fatalf("summary %d %q", code, b)
	}
	var got any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	diff := shapeDiff("", got, want)
	sort.Strings(diff)
	for _, d := range diff {
		t.Error(d)
	}
	// serde writes floats with a decimal point.
	for _, re := range []string{`"Core Clock Avg":545\.0`, `"Temperature":\d+\.0`, `"Hashrate":\[\d+\.0,`, `"Critical Temp":100\.0`, `"Software":"PowerPlay-BMS v1\.5\.13"`, `"OS Type":"umcOS"`} {
		if !regexp.MustCompile(re).Match(b) {
			t.Errorf("summary lacks %s: %s", re, b)
		}
	}
	s := jsonOf(t, b)
	var mhs float64
	for _, hb := range s["HBs"].([]any) {
		mhs += hb.(map[string]any)["Hashrate"].([]any)[0].(float64)
	}
	if mhs < 95e6 || mhs > 113e6 {
		t.Errorf("hash rate %v MH/s", mhs)
	}
	if p := s["Power Supply Stats"].(map[string]any)["Input Power"].(float64); p < 2900 || p > 3250 {
		t.Errorf("input power %v W", p)
	}
	if s["Status"].(map[string]any)["Operating State"] != "Mining" || s["Hostname"] != mi.Name {
		t.Errorf("status %v host %v", s["Status"], s["Hostname"])
	}
}

func TestEPICReadsAndRoutes(t *testing.T) {
	_, mi, _ := epicSim(t)
	code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/capabilities", "", "")
	c := jsonOf(t, b)
	pe, _ := c["Performance Estimator"].(map[string]any)
	if code != 200 || c["Model"] != "AntMiner S19j Pro" || pe["Chip Count"] != 126.0 {
		t.Errorf("capabilities %d %s", code, b)
	}
	code, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/temps", "", "")
	var temps []struct {
		Index int
		Data  []float64
	}
	if err := json.Unmarshal(b, &temps); err != nil || code != 200 || len(temps) != 3 || len(temps[0].Data) != 2 || temps[0].Data[1] <= temps[0].Data[0] {
		t.Errorf("temps %d %s", code, b)
	}
	code, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/hashrate", "", "")
	var hr []struct {
		Index int
		Data  []float64
		Total float64
	}
	if err := json.Unmarshal(b, &hr); err != nil || code != 200 || len(hr) != 3 || len(hr[0].Data) != 126 {
		t.Errorf("hashrate %d %.200s", code, b)
	}
	code, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/network", "", "")
	if n := jsonOf(t, b)["dhcp"].(map[string]any); code != 200 || n["mac_address"] != mi.MAC || n["address"] != mi.Address.String() {
		t.Errorf("network %d %s", code, b)
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, "/nothing", "", ""); code != 404 {
		t.Errorf("unknown path %d", code)
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodGet, "/reboot", "", ""); code != 405 {
		t.Errorf("GET /reboot %d", code)
	}
	// Port 80 has the dashboard, not the API.
	code, b = doHTTP(t, mi, mi.WebPort, http.MethodGet, "/", "", "")
	if code != 200 || !bytes.Contains(b, []byte("Miner Web Dashboard")) {
		t.Errorf("dashboard %d %q", code, b)
	}
	if code, _ := doHTTP(t, mi, mi.WebPort, http.MethodGet, "/summary", "", ""); code != 404 {
		t.Errorf("/summary on the web port: %d", code)
	}
}

func TestEPICWrites(t *testing.T) {
	s, mi, clock := epicSim(t)
	post := func(path, body string) string {
		t.Helper()
		code, b := doHTTP(t, mi, mi.Port, http.MethodPost, path, "", body)
		if code != 200 {
			t.Fatalf("POST %s %s: %d %q", path, body, code, b)
		}
		return string(b)
	}
	const ok = `{"result":true,"error":null}`
	if got := post("/miner", `{"param":"Stop","password":"wrong"}`); got != `{"result":false,"error":"BadPassword"}` || s.Settings(0).Paused {
		t.Errorf("wrong password: %s", got)
	}
	if code, b := doHTTP(t, mi, mi.Port, http.MethodPost, "/miner", "", `{"param":"Stop"}`); code != 400 || s.Settings(0).Paused {
		t.Errorf("no password: %d %q", code, b)
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodPost, "/miner", "", `{"param":"Halt","password":"letmein"}`); code != 400 {
		t.Errorf("unknown op state: %d", code)
	}
	if got := post("/authenticate", `{"password":"letmein"}`); got != ok {
		t.Errorf("authenticate %s", got)
	}

	if got := post("/miner", `{"param":"Stop","password":"letmein"}`); got != ok || !s.Settings(0).Paused {
		t.Errorf("stop %s", got)
	}
	_, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/summary", "", "")
	sum := jsonOf(t, b)
	if sum["Status"].(map[string]any)["Operating State"] != "Idling" || sum["Power Supply Stats"].(map[string]any)["Input Power"].(float64) != 0 {
		t.Errorf("stopped summary %s", b)
	}
	post("/miner", `{"param":"Autostart","password":"letmein"}`)

	post("/identify", `{"param":true,"password":"letmein"}`)
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/summary", "", "")
	if jsonOf(t, b)["Misc"].(map[string]any)["Locate Miner State"] != true || !s.Settings(0).Locate {
		t.Errorf("identify not shown: %s", b)
	}

	post("/fanspeed", `{"param":{"Manual":55},"password":"letmein"}`)
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/summary", "", "")
	fans := jsonOf(t, b)["Fans"].(map[string]any)
	if st := s.Settings(0); !st.FanManual || st.FanPercent != 55 || fans["Fans Speed"] != 55.0 || fans["Fan Mode"].(map[string]any)["Manual"] != 55.0 {
		t.Errorf("manual fans %+v %v", st, fans)
	}
	post("/fanspeed", `{"param":{"Auto":{"Target Temperature":65,"Idle Speed":30}},"password":"letmein"}`)
	if st := s.Settings(0); st.FanManual || st.FanTargetTemp != 65 || st.FanIdleSpeed != 30 {
		t.Errorf("auto fans %+v", st)
	}

	if got := post("/coin", `{"param":{"coin":"BTC","stratum_configs":[{"pool":"nope://x","login":"u","password":"p"}],"unique_id":false},"password":"letmein"}`); got != `{"result":false,"error":{"InvalidPoolAddr":"nope://x"}}` {
		t.Errorf("bad pool: %s", got)
	}
	if got := post("/coin", `{"param":{"coin":"BTC","stratum_configs":[{"pool":"stratum+tcp://p.example:3333","login":"u.1","password":"x"}],"unique_id":false},"password":"letmein"}`); got != ok {
		t.Errorf("coin %s", got)
	}
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/summary", "", "")
	if st := s.Settings(0); len(st.Pools) != 1 || !strings.Contains(string(b), `"StratumConfigs":[{"login":"u.1","password":"x","pool":"stratum+tcp://p.example:3333"}]`) || !strings.Contains(string(b), `"Current Pool":"p.example:3333"`) {
		t.Errorf("pools %+v in %s", st.Pools, b)
	}

	if got := post("/reboot", `{"param":0,"password":"letmein"}`); got != ok || s.Settings(0).Reboots != 1 {
		t.Errorf("reboot %s", got)
	}
	if b, _ := rpcTry(mi.Address, mi.Port, "GET /summary HTTP/1.0\r\n\r\n"); len(b) != 0 {
		t.Errorf("answered %q while rebooting", b)
	}
	clock.Advance(sim.DefaultRebootTime + 2*time.Second)
	_, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/summary", "", "")
	if up := jsonOf(t, b)["Session"].(map[string]any)["Uptime"].(float64); up > 3 {
		t.Errorf("uptime after reboot %v", up)
	}
}
