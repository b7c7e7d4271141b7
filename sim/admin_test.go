package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

func adminDo(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestAdminHandler(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 10, Seed: 3, Models: []string{sim.ModelS21, sim.ModelBitaxeGamma}})
	h := s.AdminHandler()
	ant := findModel(t, s, sim.ModelS21)
	axe := findModel(t, s, sim.ModelBitaxeGamma)

	code, body := adminDo(t, h, "GET", "/", "")
	if code != 200 || !strings.Contains(body, "PUT    /miners/{index}/faults") || !strings.Contains(body, "cooling-reversed") {
		t.Errorf("help: %d %s", code, body)
	}

	code, body = adminDo(t, h, "GET", "/miners", "")
	var list struct {
		Total  int             `json:"total"`
		Miners []sim.MinerInfo `json:"miners"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || code != 200 || list.Total != 10 || len(list.Miners) != 10 {
		t.Fatalf("list: %d %v %s", code, err, body)
	}
	if list.Miners[3].Address != sim.AddressOf(3) || list.Miners[3].Name != "sim-00003" {
		t.Errorf("listed miner 3: %+v", list.Miners[3])
	}

	path := "/miners/" + itoa(ant.Index) + "/faults"
	code, body = adminDo(t, h, "PUT", path, "low-hashrate@60s, hot")
	var mi sim.MinerInfo
	if err := json.Unmarshal([]byte(body), &mi); err != nil || code != 200 || len(mi.Faults) != 2 {
		t.Fatalf("PUT faults: %d %s", code, body)
	}
	code, body = adminDo(t, h, "POST", path, `["high-reject"]`)
	json.Unmarshal([]byte(body), &mi)
	if code != 200 || len(mi.Faults) != 3 {
		t.Errorf("POST faults: %d %s", code, body)
	}
	code, body = adminDo(t, h, "PUT", path, `offline`)
	json.Unmarshal([]byte(body), &mi)
	if code != 200 || len(mi.Faults) != 1 || mi.Faults[0].Kind != sim.FaultOffline {
		t.Errorf("PUT replaces: %d %s", code, body)
	}
	if raw, _ := rpcTry(ant.Address, ant.Port, "summary"); len(raw) != 0 {
		t.Errorf("offline set through the admin API, but the miner answers")
	}

	code, body = adminDo(t, h, "GET", "/miners?faulted=true", "")
	json.Unmarshal([]byte(body), &list)
	if code != 200 || list.Total != 1 || list.Miners[0].Index != ant.Index {
		t.Errorf("faulted list: %s", body)
	}

	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/miners/" + itoa(axe.Index) + "/faults", "dead-board"}, // not on a Bitaxe
		{"PUT", path, "melting"},
		{"PUT", path, "3:hot"},
		{"POST", "/faults", "99:hot"},
		{"POST", "/faults", "nonsense"},
	} {
		if code, body := adminDo(t, h, c.method, c.path, c.body); code != 400 || !strings.Contains(body, `"error"`) {
			t.Errorf("%s %s %q: %d %s, want 400", c.method, c.path, c.body, code, body)
		}
	}
	if code, _ := adminDo(t, h, "GET", "/miners/10", ""); code != 404 {
		t.Errorf("unknown miner: %d", code)
	}

	code, body = adminDo(t, h, "POST", "/faults", itoa(axe.Index)+":inefficient,"+itoa(ant.Index)+":slow@1m")
	var changed []sim.MinerInfo
	if err := json.Unmarshal([]byte(body), &changed); err != nil || code != 200 || len(changed) != 2 {
		t.Errorf("POST /faults: %d %s", code, body)
	}

	code, _ = adminDo(t, h, "DELETE", path, "")
	if m, _ := s.Miner(ant.Index); code != 200 || len(m.Faults) != 0 {
		t.Errorf("DELETE miner faults: %d %+v", code, m.Faults)
	}
	if raw, _ := rpcTry(ant.Address, ant.Port, "summary"); len(raw) == 0 {
		t.Errorf("the miner stays offline after its faults were cleared")
	}
	adminDo(t, h, "DELETE", "/faults", "")
	for _, m := range s.Miners() {
		if len(m.Faults) != 0 {
			t.Errorf("miner %d keeps faults %v", m.Index, m.Faults)
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
