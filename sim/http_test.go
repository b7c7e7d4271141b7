package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

func bitaxeSim(t *testing.T, faults ...sim.Fault) (*sim.Sim, sim.MinerInfo) {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 4, Seed: 11, Models: []string{sim.ModelBitaxeGamma}, Now: simtest.NewClock(testStart).Now, Faults: faults})
	return s, s.Miners()[0]
}

func TestAxeOSInfoFieldsAndUnits(t *testing.T) {
	_, mi := bitaxeSim(t)
	if mi.Family != "axeos" || mi.Model != "Bitaxe Gamma" || mi.Port != mi.WebPort {
		t.Fatalf("miner info: %+v", mi)
	}
	info := axeOSInfo(t, mi)
	checks := []struct {
		key    string
		lo, hi float64
	}{
		{"hashRate", 1100, 1300},    // GH/s: ~1.2 TH/s
		{"power", 14, 20},           // W
		{"voltage", 4800, 5400},     // mV of the 5 V input
		{"current", 2500, 4200},     // mA
		{"temp", 45, 75},            // °C chip
		{"vrTemp", 40, 75},          // °C
		{"fanrpm", 3500, 5000},      // RPM
		{"fanspeed", 40, 80},        // %
		{"responseTime", 20, 60},    // ms
		{"frequency", 600, 600},     // MHz, configured
		{"coreVoltage", 1150, 1150}, // mV, configured
		{"stratumPort", 3333, 3333},
		{"isUsingFallbackStratum", 0, 0},
		{"uptimeSeconds", 600, 11 * 86400},
		{"expectedHashrate", 1224, 1224},
	}
	for _, c := range checks {
		if v := num(t, info, c.key); v < c.lo || v > c.hi {
			t.Errorf("%s = %v, want %v..%v", c.key, v, c.lo, c.hi)
		}
	}
	power, voltage, current := num(t, info, "power"), num(t, info, "voltage"), num(t, info, "current")
	if p := voltage / 1000 * current / 1000; p < 0.99*power || p > 1.01*power {
		t.Errorf("voltage %v mV × current %v mA = %v W, but power is %v W", voltage, current, p, power)
	}
	for key, want := range map[string]string{
		"ASICModel": "BM1370", "hostname": mi.Name, "macAddr": mi.MAC, "version": "v2.9.0",
	} {
		if got := str(t, info, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if url := str(t, info, "stratumURL"); strings.Contains(url, ":") || url == "" {
		t.Errorf("stratumURL %q should be a bare host", url)
	}
	for _, k := range []string{"fallbackStratumURL", "fallbackStratumUser", "stratumUser"} {
		if str(t, info, k) == "" {
			t.Errorf("%s empty", k)
		}
	}
	// v2.9.0: best difficulties are strings with an SI suffix.
	diffRE := regexp.MustCompile(`^(\d+|\d+\.\d\d[kMGTPE])$`)
	for _, k := range []string{"bestDiff", "bestSessionDiff"} {
		if d := str(t, info, k); !diffRE.MatchString(d) {
			t.Errorf("%s %q is not ESP-Miner's suffix string", k, d)
		}
	}
	acc, rej := num(t, info, "sharesAccepted"), num(t, info, "sharesRejected")
	if acc <= 0 || rej/acc > 0.005 {
		t.Errorf("shares accepted %v rejected %v", acc, rej)
	}
}

func TestAxeOSWireFormat(t *testing.T) {
	_, mi := bitaxeSim(t)
	resp, body := httpGet(t, mi, "/api/system/info", nil)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("missing CORS header")
	}
	// cJSON_Print: a tab after each colon, one tab of indent per level.
	if !bytes.HasPrefix(body, []byte("{\n\t\"power\":\t")) || !bytes.HasSuffix(body, []byte("\n}")) {
		t.Errorf("not cJSON-formatted: %q", body[:40])
	}

	resp, body = httpGet(t, mi, "/api/system/asic", nil)
	var asic map[string]any
	if err := json.Unmarshal(body, &asic); err != nil || resp.StatusCode != 200 {
		t.Fatalf("asic: %d %v %s", resp.StatusCode, err, body)
	}
	if asic["ASICModel"] != "BM1370" || asic["deviceModel"] != "Gamma" || asic["asicCount"] != 1.0 {
		t.Errorf("asic: %v", asic)
	}
	if !bytes.Contains(body, []byte(`"frequencyOptions":	[400, 490, 525, 550, 600, 625]`)) {
		t.Errorf("array format: %s", body)
	}

	resp, body = httpGet(t, mi, "/", nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("AxeOS")) {
		t.Errorf("root: %d %s", resp.StatusCode, body)
	}
	resp, _ = httpGet(t, mi, "/api/system/nope", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", resp.StatusCode)
	}
	resp, _ = httpGet(t, mi, "/cgi-bin/get_system_info.cgi", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("Antminer path on a Bitaxe: %d, want 404", resp.StatusCode)
	}
}

func TestAntminerWebDigest(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s := simtest.Start(t, sim.Config{Miners: 3, Seed: 5, Models: []string{sim.ModelS19jPro}, Now: clock.Now})
	mi := s.Miners()[2]

	resp, body := httpGet(t, mi, "/", nil)
	challenge := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET / without credentials: %d, want 401", resp.StatusCode)
	}
	if !regexp.MustCompile(`^Digest realm="antMiner Configuration", nonce="[0-9a-f]{32}", qop="auth"$`).MatchString(challenge) {
		t.Fatalf("challenge %q", challenge)
	}
	if !bytes.Contains(body, []byte("401")) {
		t.Errorf("401 body: %s", body)
	}

	const uri = "/cgi-bin/get_system_info.cgi"
	auth := digestAuthorization(t, challenge, "root", "root", "GET", uri)
	resp, body = httpGet(t, mi, uri, http.Header{"Authorization": {auth}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with root/root: %d %s", resp.StatusCode, body)
	}
	var info map[string]string
	if err := json.Unmarshal(body, &info); err != nil {
		t.Fatalf("system info: %v %s", err, body)
	}
	want := map[string]string{
		"minertype": "Antminer S19j Pro", "hostname": mi.Name, "ipaddress": mi.Address.String(),
		"macaddr": mi.MAC, "serinum": mi.Serial, "nettype": "DHCP", "netdevice": "eth0",
		"system_mode": "GNU/Linux", "firmware_type": "Release",
	}
	for k, v := range want {
		if info[k] != v {
			t.Errorf("%s = %q, want %q", k, info[k], v)
		}
	}
	for _, k := range []string{"system_kernel_version", "system_filesystem_version"} {
		if info[k] == "" {
			t.Errorf("%s empty", k)
		}
	}

	// Wrong password, wrong user, a nonce meant for another URI: 401.
	for name, a := range map[string]string{
		"password": digestAuthorization(t, challenge, "root", "admin", "GET", uri),
		"user":     digestAuthorization(t, challenge, "admin", "root", "GET", uri),
		"uri":      digestAuthorization(t, challenge, "root", "root", "GET", "/"),
		"basic":    "Basic cm9vdDpyb290",
	} {
		resp, _ := httpGet(t, mi, uri, http.Header{"Authorization": {a}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong %s: %d, want 401", name, resp.StatusCode)
		}
	}
	// A nonce from another miner is not valid here.
	other := s.Miners()[1]
	resp, _ = httpGet(t, other, uri, http.Header{"Authorization": {auth}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("nonce of another miner accepted: %d", resp.StatusCode)
	}
	// An old nonce is stale: 401 with stale=true, so clients retry.
	clock.Advance(11 * time.Minute)
	resp, _ = httpGet(t, mi, uri, http.Header{"Authorization": {auth}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "stale=true") {
		t.Errorf("stale nonce: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// Antminers answer AxeOS paths with 401 like everything else.
	resp, _ = httpGet(t, mi, "/api/system/info", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("AxeOS path on an Antminer: %d", resp.StatusCode)
	}
}

func TestHTTPDispatchByDestination(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 6, Seed: 2, Models: []string{sim.ModelBitaxeGamma}})
	for _, mi := range s.Miners() {
		if got := str(t, axeOSInfo(t, mi), "hostname"); got != mi.Name {
			t.Errorf("%s answered as %q", mi.Address, got)
		}
	}
}

func TestHTTPKeepAliveAndOfflineMidway(t *testing.T) {
	s, mi := bitaxeSim(t)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	url := "http://" + netip.AddrPortFrom(mi.Address, uint16(mi.WebPort)).String() + "/api/system/asic"
	for i := 0; i < 3; i++ {
		resp, err := client.Get(url)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d on a kept-alive connection: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err := s.SetFault(sim.Fault{Index: mi.Index, Kind: sim.FaultOffline}); err != nil {
		t.Fatal(err)
	}
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("offline miner answered on a kept-alive connection: %d", resp.StatusCode)
	}
}
