package sim_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
)

// testStart is where the simulator tests' clocks start: a fixed instant,
// so that what a test sees does not depend on the day it runs.
var testStart = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// rpcRaw sends one request to a miner's RPC port and returns every byte
// the server sent before closing.
func rpcRaw(t testing.TB, addr netip.Addr, port int, request string) []byte {
	t.Helper()
	reply, err := rpcTry(addr, port, request)
	if err != nil {
		t.Fatalf("rpc %s %q: %v", addr, request, err)
	}
	return reply
}

func rpcTry(addr netip.Addr, port int, request string) ([]byte, error) {
	c, err := net.DialTimeout("tcp", netip.AddrPortFrom(addr, uint16(port)).String(), 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(request)); err != nil {
		return nil, err
	}
	return io.ReadAll(c)
}

// rpcJSON sends a JSON command and decodes the reply after checking and
// removing the NUL terminator and repairing bmminer's "}{" quirk, as a
// driver must.
func rpcJSON(t testing.TB, addr netip.Addr, port int, command string) map[string]any {
	t.Helper()
	raw := rpcRaw(t, addr, port, `{"command":"`+command+`"}`)
	return decodeRPC(t, raw)
}

func decodeRPC(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	if len(raw) == 0 || raw[len(raw)-1] != 0 {
		t.Fatalf("reply does not end in NUL: %q", tail(raw))
	}
	body := bytes.ReplaceAll(raw[:len(raw)-1], []byte("}{"), []byte("},{"))
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("reply is not JSON: %v\n%s", err, body)
	}
	return out
}

func tail(b []byte) []byte {
	if len(b) > 80 {
		return b[len(b)-80:]
	}
	return b
}

// section returns the first record of a reply section, e.g. SUMMARY[0].
func section(t testing.TB, reply map[string]any, name string, i int) map[string]any {
	t.Helper()
	list, ok := reply[name].([]any)
	if !ok || len(list) <= i {
		t.Fatalf("reply has no %s[%d]: %v", name, i, reply)
	}
	rec, ok := list[i].(map[string]any)
	if !ok {
		t.Fatalf("%s[%d] is not an object", name, i)
	}
	return rec
}

func num(t testing.TB, rec map[string]any, key string) float64 {
	t.Helper()
	v, ok := rec[key]
	if !ok {
		t.Fatalf("field %q missing", key)
	}
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("field %q is %T %v, want a number", key, v, v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatalf("field %q: %v", key, err)
	}
	return f
}

func str(t testing.TB, rec map[string]any, key string) string {
	t.Helper()
	v, ok := rec[key]
	if !ok {
		t.Fatalf("field %q missing", key)
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("field %q is %T %v, want a string", key, v, v)
	}
	return s
}

// quad parses a "a-b-c-d" temperature string.
func quad(t testing.TB, s string) [4]int {
	t.Helper()
	parts := strings.Split(s, "-")
	if len(parts) != 4 {
		t.Fatalf("quad %q does not have four parts", s)
	}
	var q [4]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("quad %q: %v", s, err)
		}
		q[i] = v
	}
	return q
}

// findModel returns the first miner of the given family or short model.
func findModel(t testing.TB, s *sim.Sim, short string) sim.MinerInfo {
	t.Helper()
	for _, mi := range s.Miners() {
		if mi.ModelShort == short {
			return mi
		}
	}
	t.Fatalf("no %s in the fleet", short)
	return sim.MinerInfo{}
}

// httpGet fetches a URL on a miner's web port with a client that keeps no
// connections, so every test request is a fresh connection.
func httpGet(t testing.TB, mi sim.MinerInfo, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := httpTry(mi, path, header)
	if err != nil {
		t.Fatalf("GET %s%s: %v", mi.Address, path, err)
	}
	return resp, body
}

var testClient = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

func httpTry(mi sim.MinerInfo, path string, header http.Header) (*http.Response, []byte, error) {
	url := fmt.Sprintf("http://%s%s", netip.AddrPortFrom(mi.Address, uint16(mi.WebPort)), path)
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// axeOSInfo fetches and decodes /api/system/info.
func axeOSInfo(t testing.TB, mi sim.MinerInfo) map[string]any {
	t.Helper()
	resp, body := httpGet(t, mi, "/api/system/info", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("info is not JSON: %v\n%s", err, body)
	}
	return out
}

// digestAuthorization answers a Digest challenge the way an HTTP client
// does (RFC 7616, MD5, qop=auth).
func digestAuthorization(t testing.TB, challenge, user, password, method, uri string) string {
	t.Helper()
	params := map[string]string{}
	rest, ok := strings.CutPrefix(challenge, "Digest ")
	if !ok {
		t.Fatalf("challenge %q is not Digest", challenge)
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = strings.Trim(v, `"`)
	}
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(user + ":" + params["realm"] + ":" + password)
	ha2 := h(method + ":" + uri)
	nc, cnonce := "00000001", "0a4f113b"
	response := h(ha1 + ":" + params["nonce"] + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5, response="%s", qop=auth, nc=%s, cnonce="%s"`,
		user, params["realm"], params["nonce"], uri, response, nc, cnonce)
}
