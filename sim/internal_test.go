package sim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Tests of unexported parsers and formatters: the fuzz targets for the
// bytes the simulator reads from clients, and formatting details that are
// easier to pin down without a network.

func FuzzParseRPCRequest(f *testing.F) {
	for _, seed := range []string{
		`{"command":"summary"}`, `{"command":"stats","parameter":"0"}`, `{"command":"summary+pools"}`,
		`{"command":5}`, `{"parameter":1}`, `{"command":`, `[]`, `null`, "summary|", "stats", "ascset|0,freq,600",
		"summary\x00garbage", `{"command":"su\u006dmary"}`, `{"command":"a\"b"}`, `{"command":"x"} `, "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		req := parseRPCRequest(buf)
		if req.errCode != 0 && req.command != "" {
			t.Fatalf("%q: both an error and a command", buf)
		}
		if !req.json && req.errCode != 0 {
			t.Fatalf("%q: text requests have no parse errors", buf)
		}
		if req.json && req.errCode == 0 {
			// What the fast path accepts, a full JSON parse must agree with.
			var obj map[string]any
			end := len(buf)
			for i, c := range buf {
				if c == 0 {
					end = i
					break
				}
			}
			if err := json.Unmarshal(buf[:end], &obj); err != nil || obj["command"] != req.command {
				t.Fatalf("%q: parsed command %q, encoding/json says %v %v", buf, req.command, obj["command"], err)
			}
		}
		// Rendering any request for any model must give a NUL-terminated reply.
		m := newMiner(1, 0, mustMix(t), 0.5)
		s := m.evaluate(10, 1700000000, 25)
		w := apiWriter{}
		renderRPC(&w, req, m, &s)
		if len(w.b) == 0 || w.b[len(w.b)-1] != 0 {
			t.Fatalf("%q: reply not NUL-terminated", buf)
		}
	})
}

func mustMix(t testing.TB) mixTable {
	mix, err := newMixTable(nil, []string{ModelS21})
	if err != nil {
		t.Fatal(err)
	}
	return mix
}

func FuzzParseDigestAuthorization(f *testing.F) {
	for _, seed := range []string{
		`Digest username="root", realm="antMiner Configuration", nonce="0123", uri="/", algorithm=MD5, response="abc", qop=auth, nc=00000001, cnonce="x"`,
		`Digest username="ro\"ot",realm=x`, `Basic cm9vdDpyb290`, `Digest `, `Digest a`, `Digest a="unterminated`, `digest USERNAME=root`,
	} {
		f.Add(seed)
	}
	var a digestAuth
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, header string) {
		c, err := parseDigestAuthorization(header)
		if err == nil && !strings.HasPrefix(strings.ToLower(strings.TrimLeft(header, " \t")), "digest") {
			t.Fatalf("%q parsed as Digest: %+v", header, c)
		}
		if r := a.verify(header, "GET", "/", 0, now); r == authOK {
			t.Fatalf("%q authenticated without a nonce from us", header)
		}
	})
}

func TestDigestRoundTrip(t *testing.T) {
	var a digestAuth
	a.key[0] = 1
	now := time.Unix(1700000000, 0)
	nonce := a.nonce(7, now)
	ha1 := md5Hex("root:antMiner Configuration:root")
	ha2 := md5Hex("GET:/cgi-bin/get_system_info.cgi")
	resp := md5Hex(ha1 + ":" + nonce + ":00000002:abc:auth:" + ha2)
	header := `Digest username="root", realm="antMiner Configuration", nonce="` + nonce +
		`", uri="/cgi-bin/get_system_info.cgi", response="` + resp + `", qop=auth, nc=00000002, cnonce="abc"`
	if r := a.verify(header, "GET", "/cgi-bin/get_system_info.cgi", 7, now); r != authOK {
		t.Fatalf("valid credentials: %v", r)
	}
	if r := a.verify(header, "POST", "/cgi-bin/get_system_info.cgi", 7, now); r != authWrong {
		t.Errorf("method is part of the hash: %v", r)
	}
	if r := a.verify(header, "GET", "/cgi-bin/get_system_info.cgi", 7, now.Add(nonceLifetime+time.Second)); r != authStale {
		t.Errorf("old nonce: %v", r)
	}
	// RFC 2069 form without qop.
	old := `Digest username="root", realm="antMiner Configuration", nonce="` + nonce +
		`", uri="/", response="` + md5Hex(ha1+":"+nonce+":"+md5Hex("GET:/")) + `"`
	if r := a.verify(old, "GET", "/", 7, now); r != authOK {
		t.Errorf("RFC 2069 digest: %v", r)
	}
}

func TestCJSONNumbers(t *testing.T) {
	for in, want := range map[float64]string{
		1224:                             "1224",
		-1:                               "-1",
		15.48:                            "15.48",
		float64(float32(15.48)):          "15.479999542236328",
		0.1:                              "0.1",
		34.517:                           "34.517",
		5093.75:                          "5093.75",
		2.65000009536743:                 "2.65000009536743",
		1e20:                             "1e+20",
		float64(float32(59.875)):         "59.875",
		float64(float32(3334.999023437)): "3334.9990234375",
	} {
		if got := string(appendCJSONNumber(nil, in)); got != want {
			t.Errorf("cJSON(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestESPDiffString(t *testing.T) {
	for in, want := range map[uint64]string{
		0: "0", 999: "999", 1000: "1.00k", 483120: "483.12k", 1234567: "1.23M",
		4294967296: "4.29G", 1999999999999: "2.00T", 1989999999999: "1.99T",
	} {
		if got := espDiffString(in); got != want {
			t.Errorf("espDiffString(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestPoolDiffString(t *testing.T) {
	for in, want := range map[float64]string{128: "128", 8192: "8.19K", 16384: "16.4K", 524288: "524K", 65536: "65.5K"} {
		w := apiWriter{json: false}
		w.cgDiff(in)
		if string(w.b) != want {
			t.Errorf("cgDiff(%v) = %q, want %q", in, w.b, want)
		}
	}
}

func TestHealthyFailedChipsAreRareAndCheap(t *testing.T) {
	mix, _ := newMixTable(nil, []string{ModelS19jPro, ModelS21, ModelS21XP, ModelS21XPHyd})
	withFailed := 0
	const n = 5000
	for i := 0; i < n; i++ {
		m := newMiner(3, i, mix, float64(i%100)/100)
		if m.healthyFailedBoard < 0 {
			continue
		}
		withFailed++
		if loss := 1 - m.meanRate(0)/(m.model.HashRate/1e9*m.rateMul); loss > 0.01 {
			t.Errorf("miner %d loses %.2f %% to failed chips", i, loss*100)
		}
	}
	if share := float64(withFailed) / n; share < 0.01 || share > 0.08 {
		t.Errorf("%.1f %% of healthy miners have failed chips", share*100)
	}
}

func TestHealthyHashRateStaysNearIdeal(t *testing.T) {
	mix, _ := newMixTable(nil, nil)
	for i := 0; i < 2000; i++ {
		m := newMiner(5, i, mix, float64(i%97)/97)
		for _, t0 := range []float64{0, 13, 77, 301, 999, 86400} {
			s := m.evaluate(t0, 0, 25)
			if r := s.rate / s.ideal; r < 0.95 || r > 1.05 {
				t.Fatalf("miner %d (%s) at %v s: rate/ideal %v", i, m.model.Short, t0, r)
			}
		}
	}
}

// BenchmarkRenderStats measures the server's own work for one stats reply:
// evaluating the physical model and rendering bmminer's JSON.
func BenchmarkRenderStats(b *testing.B) {
	mix, _ := newMixTable(nil, []string{ModelS21XPHyd})
	m := newMiner(1, 0, mix, 0.5)
	buf := make([]byte, 0, 8192)
	req := rpcRequest{json: true, command: "stats"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := m.evaluate(float64(i), 1700000000, 25)
		w := apiWriter{b: buf[:0]}
		renderRPC(&w, req, m, &s)
		buf = w.b
	}
}

// BenchmarkRenderAxeOSInfo is the same for a Bitaxe's /api/system/info.
func BenchmarkRenderAxeOSInfo(b *testing.B) {
	mix, _ := newMixTable(nil, []string{ModelBitaxeGamma})
	m := newMiner(1, 0, mix, 0.5)
	buf := make([]byte, 0, 8192)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := m.evaluate(float64(i), 1700000000, 25)
		w := cjsonWriter{b: buf[:0]}
		renderAxeOSInfo(&w, m, &s, m.settingsAt(s.t))
		buf = w.b
	}
}
