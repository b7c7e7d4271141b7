package sim_test

import (
	"crypto/aes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// wmSim starts three miners of model short.
func wmSim(t *testing.T, short string) (*sim.Sim, sim.MinerInfo) {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 3, Models: []string{short}, RebootTime: 200 * time.Millisecond})
	mi, _ := s.Miner(0)
	return s, mi
}

// v3Call sends one API v3 frame to mi and decodes the reply frame.
func v3Call(t *testing.T, mi sim.MinerInfo, req any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(req)
	raw, err := v3Exchange(mi, body)
	if err != nil {
		t.Fatalf("v3 %s: %v", body, err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("v3 reply %q: %v", raw, err)
	}
	return out
}

// v3Exchange frames body, sends it and reads one reply frame.
func v3Exchange(mi sim.MinerInfo, body []byte) ([]byte, error) {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(mi.Address.String(), strconv.Itoa(mi.APIPort)), 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(body))))
	c.Write(body)
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return nil, err
	}
	out := make([]byte, binary.LittleEndian.Uint32(head[:]))
	_, err = io.ReadFull(c, out)
	return out, err
}

// flat decodes btminer's flat API v2 reply.
func flat(t *testing.T, raw []byte) (status string, code float64, msg any) {
	t.Helper()
	reply := decodeRPC(t, raw)
	s, _ := reply["STATUS"].(string)
	c, _ := reply["Code"].(json.Number).Float64()
	if _, ok := reply["Description"]; !ok {
		t.Errorf("flat reply without Description: %s", raw)
	}
	return s, c, reply["Msg"]
}

func TestWhatsminerModelsNotInDefaultMix(t *testing.T) {
	for _, short := range []string{sim.ModelM50S, sim.ModelM60S} {
		if _, ok := sim.DefaultMix()[short]; ok {
			t.Errorf("%s is in the default mix", short)
		}
	}
}

func TestWhatsminerV2Reads(t *testing.T) {
	_, mi := wmSim(t, sim.ModelM50S)
	if mi.Model != "Whatsminer M50SVH20" || mi.APIPort == 0 {
		t.Errorf("miner info %+v", mi)
	}
	sum := rpcJSON(t, mi.Address, mi.Port, "summary")
	st := section(t, sum, "STATUS", 0)
	if str(t, st, "Description") != "cgminer 4.9.2" || str(t, st, "Msg") != "Summary" {
		t.Errorf("summary status %v", st)
	}
	rec := section(t, sum, "SUMMARY", 0)
	if mhs := num(t, rec, "MHS 1m"); mhs < 118e6 || mhs > 134e6 {
		t.Errorf("MHS 1m %v (M50S: 126 TH/s)", mhs)
	}
	if p := num(t, rec, "Power"); p < 3050 || p > 3500 {
		t.Errorf("Power %v", p)
	}
	if num(t, rec, "Power Limit") != 3600 || num(t, rec, "Factory GHS") != 126000 || num(t, rec, "Fan Speed In") < 3000 {
		t.Errorf("summary %v", rec)
	}

	devs := rpcJSON(t, mi.Address, mi.Port, "devs")
	for b := 0; b < 3; b++ {
		d := section(t, devs, "DEVS", b)
		if str(t, d, "Name") != "SM" || num(t, d, "Effective Chips") < 100 || num(t, d, "Chip Temp Max") < num(t, d, "Chip Temp Min") {
			t.Errorf("board %d: %v", b, d)
		}
	}
	details := rpcJSON(t, mi.Address, mi.Port, "devdetails")
	if d := section(t, details, "DEVDETAILS", 0); str(t, d, "Driver") != "bitmicro" || str(t, d, "Model") != "M50S_VH20" {
		t.Errorf("devdetails %v", d)
	}
	pools := rpcJSON(t, mi.Address, mi.Port, "pools")
	if p := section(t, pools, "POOLS", 0); num(t, p, "POOL") != 1 || p["Stratum Active"] != true || !strings.HasPrefix(str(t, p, "URL"), "stratum+tcp://") {
		t.Errorf("pools %v", p)
	}

	status, code, msg := flat(t, rpcRaw(t, mi.Address, mi.Port, `{"command":"get_version"}`))
	if m, _ := msg.(map[string]any); status != "S" || code != 131 || m["fw_ver"] != "20240624.18.REL" || m["api_ver"] != "2.0.5" {
		t.Errorf("get_version %s %v %v", status, code, msg)
	}
	status, code, msg = flat(t, rpcRaw(t, mi.Address, mi.Port, `{"cmd":"get_token"}`))
	m, _ := msg.(map[string]any)
	if status != "S" || code != 134 || len(m["salt"].(string)) != 8 || len(m["newsalt"].(string)) != 8 {
		t.Errorf("get_token %s %v %v", status, code, msg)
	}
	if tm, err := strconv.ParseInt(m["time"].(string), 10, 64); err != nil || tm < time.Now().Unix()-5 {
		t.Errorf("token time %v", m["time"])
	}
	// The salt is the password hash's, the same every time; newsalt is
	// fresh.
	_, _, msg2 := flat(t, rpcRaw(t, mi.Address, mi.Port, `{"cmd":"get_token"}`))
	if m2 := msg2.(map[string]any); m2["salt"] != m["salt"] || m2["newsalt"] == m["newsalt"] {
		t.Errorf("tokens %v then %v", m, m2)
	}

	for _, tc := range []struct {
		req  string
		code float64
	}{
		{`{"command":"nonsense"}`, 14},
		{`not json`, 23},
		{`{"command":"reboot"}`, 45},                         // a write in the clear
		{`{"enc":1,"data":"%%%"}`, 137},                      // not base64
		{`{"enc":1,"data":"AAAAAAAAAAAAAAAAAAAAAA=="}`, 135}, // not under the miner's key
	} {
		if status, code, _ := flat(t, rpcRaw(t, mi.Address, mi.Port, tc.req)); status != "E" || code != tc.code {
			t.Errorf("%s: %s %v, want E %v", tc.req, status, code, tc.code)
		}
	}

	// API v2 firmware has no API v3.
	if _, err := v3Exchange(mi, []byte(`{"cmd":"get.device.info"}`)); err == nil {
		t.Error("an M50S answered API v3")
	}
}

func TestWhatsminerV3Reads(t *testing.T) {
	_, mi := wmSim(t, sim.ModelM60S)
	info := v3Call(t, mi, map[string]any{"cmd": "get.device.info"})
	msg := info["msg"].(map[string]any)
	miner, system := msg["miner"].(map[string]any), msg["system"].(map[string]any)
	if info["code"] != 0.0 || info["desc"] != "get.device.info" || miner["type"] != "M60S_VK40" ||
		system["fwversion"] != "20251209.16.Rel2" || system["api"] != "3.0.2" || msg["network"].(map[string]any)["hostname"] != mi.Name {
		t.Errorf("get.device.info %v", info)
	}
	salt := v3Call(t, mi, map[string]any{"cmd": "get.device.info", "param": "salt"})["msg"].(map[string]any)["salt"]
	if salt != msg["salt"] || len(salt.(string)) != 8 {
		t.Errorf("salt %v, device info salt %v", salt, msg["salt"])
	}

	sum := v3Call(t, mi, map[string]any{"cmd": "get.miner.status", "param": "summary"})["msg"].(map[string]any)["summary"].(map[string]any)
	if th := sum["hash-realtime"].(float64); th < 175 || th > 197 {
		t.Errorf("hash-realtime %v TH/s (M60S: 186)", th)
	}
	if p := sum["power-realtime"].(float64); p < 3200 || p > 3700 || sum["power-limit"] != 3600.0 || sum["factory-hash"] != 186.0 {
		t.Errorf("summary %v", sum)
	}
	if bt := sum["board-temperature"].([]any); len(bt) != 3 {
		t.Errorf("board-temperature %v", bt)
	}
	edevs := v3Call(t, mi, map[string]any{"cmd": "get.miner.status", "param": "edevs"})["msg"].(map[string]any)["edevs"].([]any)
	if len(edevs) != 3 || edevs[0].(map[string]any)["effective-chips"].(float64) < 73 {
		t.Errorf("edevs %v", edevs)
	}
	pools := v3Call(t, mi, map[string]any{"cmd": "get.miner.status", "param": "pools"})["msg"].(map[string]any)["pools"].([]any)
	if len(pools) == 0 || pools[0].(map[string]any)["stratum-active"] != true {
		t.Errorf("pools %v", pools)
	}
	if r := v3Call(t, mi, map[string]any{"cmd": "get.nonsense"}); r["code"].(float64) >= 0 {
		t.Errorf("unknown command %v", r)
	}
	if raw, err := v3Exchange(mi, []byte("{not json")); err != nil || !strings.Contains(string(raw), `"code":-3`) {
		t.Errorf("garbage: %q %v", raw, err)
	}

	// A frame announcing more than btminer reads is dropped unanswered.
	c, err := net.Dial("tcp", net.JoinHostPort(mi.Address.String(), strconv.Itoa(mi.APIPort)))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	c.Write(binary.LittleEndian.AppendUint32(nil, 100<<20))
	if n, _ := c.Read(make([]byte, 8)); n != 0 {
		t.Errorf("oversized frame answered with %d bytes", n)
	}
	c.Close()

	// API v3 firmware has closed the RPC port.
	if raw, _ := rpcTry(mi.Address, mi.Port, `{"command":"get_version"}`); len(raw) != 0 {
		t.Errorf("an M60S answered on 4028: %q", raw)
	}
}

// v3Signed returns a signed API v3 write, as the reference gives the
// scheme: token = base64(sha256(cmd + password + salt + ts))[:8].
func v3Signed(cmd string, param any, password, salt string) (map[string]any, []byte) {
	ts := time.Now().Unix()
	sum := sha256.Sum256([]byte(cmd + password + salt + strconv.FormatInt(ts, 10)))
	return map[string]any{"cmd": cmd, "param": param, "ts": ts, "account": "super",
		"token": base64.StdEncoding.EncodeToString(sum[:])[:8]}, sum[:]
}

func TestWhatsminerV3Writes(t *testing.T) {
	s, mi := wmSim(t, sim.ModelM60S)
	salt := v3Call(t, mi, map[string]any{"cmd": "get.device.info", "param": "salt"})["msg"].(map[string]any)["salt"].(string)

	req, _ := v3Signed("set.miner.power_limit", 2800, "super", salt)
	if r := v3Call(t, mi, req); r["code"] != 0.0 || r["msg"] != "ok" {
		t.Fatalf("power limit: %v", r)
	}
	if st := s.Settings(0); st.PowerLimitW != 2800 {
		t.Errorf("power limit %d", st.PowerLimitW)
	}
	sum := v3Call(t, mi, map[string]any{"cmd": "get.miner.status", "param": "summary"})["msg"].(map[string]any)["summary"].(map[string]any)
	if sum["power-limit"] != 2800.0 || sum["power-realtime"].(float64) > 2800 || sum["hash-realtime"].(float64) > 160 {
		t.Errorf("limited summary %v", sum)
	}

	// Pools encrypted as asic-rs sends them.
	req, key := v3Signed("set.miner.pools", nil, "super", salt)
	plain, _ := json.Marshal([]map[string]string{{"pool": "stratum+tcp://p.example:3333", "worker": "w.1", "passwd": "x"}})
	req["param"] = encryptECB(t, key, plain)
	if r := v3Call(t, mi, req); r["code"] != 0.0 {
		t.Fatalf("pools: %v", r)
	}
	if st := s.Settings(0); len(st.Pools) != 1 || st.Pools[0].URL != "stratum+tcp://p.example:3333" || st.Pools[0].User != "w.1" {
		t.Errorf("pools %+v", st.Pools)
	}

	req, _ = v3Signed("set.miner.service", "stop", "super", salt)
	if r := v3Call(t, mi, req); r["code"] != 0.0 || !s.Settings(0).Paused {
		t.Errorf("stop: %v, settings %+v", r, s.Settings(0))
	}

	// Refusals: wrong password, stale time, wrong account; nothing changes.
	req, _ = v3Signed("set.miner.service", "start", "wrong", salt)
	if r := v3Call(t, mi, req); r["code"] != -4.0 || !strings.Contains(r["msg"].(string), "token") {
		t.Errorf("wrong password: %v", r)
	}
	req, _ = v3Signed("set.miner.service", "start", "super", salt)
	req["account"] = "admin"
	if r := v3Call(t, mi, req); r["code"] != -4.0 {
		t.Errorf("wrong account: %v", r)
	}
	req, _ = v3Signed("set.miner.service", "start", "super", salt)
	req["ts"] = time.Now().Unix() - 3600
	if r := v3Call(t, mi, req); r["code"] != -4.0 {
		t.Errorf("stale ts: %v", r)
	}
	req, _ = v3Signed("set.miner.service", "sideways", "super", salt)
	if r := v3Call(t, mi, req); r["code"] != -1.0 {
		t.Errorf("bad param: %v", r)
	}
	if !s.Settings(0).Paused {
		t.Error("a refused write resumed the miner")
	}

	req, _ = v3Signed("set.system.reboot", nil, "super", salt)
	if r := v3Call(t, mi, req); r["code"] != 0.0 {
		t.Fatalf("reboot: %v", r)
	}
	if _, err := v3Exchange(mi, []byte(`{"cmd":"get.device.info"}`)); err == nil {
		t.Error("reachable right after a reboot")
	}
	time.Sleep(300 * time.Millisecond)
	sum = v3Call(t, mi, map[string]any{"cmd": "get.miner.status", "param": "summary"})["msg"].(map[string]any)["summary"].(map[string]any)
	if sum["elapsed"].(float64) > 2 || s.Settings(0).Reboots != 1 {
		t.Errorf("after reboot: elapsed %v, reboots %d", sum["elapsed"], s.Settings(0).Reboots)
	}
}

// encryptECB is AES-256-ECB with zero padding and base64, as btminer's
// encrypted parameters are.
func encryptECB(t *testing.T, key, plain []byte) string {
	t.Helper()
	c, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, (len(plain)+15)/16*16)
	copy(buf, plain)
	for i := 0; i < len(buf); i += 16 {
		c.Encrypt(buf[i:i+16], buf[i:i+16])
	}
	return base64.StdEncoding.EncodeToString(buf)
}

func TestWhatsminerWebRoot(t *testing.T) {
	_, mi := wmSim(t, sim.ModelM50S)
	resp, body := httpGet(t, mi, "/", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "/cgi-bin/luci") {
		t.Errorf("web root %d %q", resp.StatusCode, body)
	}
}
