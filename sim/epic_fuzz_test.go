package sim

import (
	"errors"
	"testing"
)

// FuzzParseEPICWrite feeds UMC write bodies to the parser for every write
// path: it must never panic, every refusal must be the 400 kind, and what
// it accepts must be something the firmware can apply.
func FuzzParseEPICWrite(f *testing.F) {
	for _, seed := range []struct{ path, body string }{
		// The UMC API spec's request examples (reference §5.3).
		{"/reboot", `{"param":0,"password":"letmein"}`},
		{"/softreboot", `{"param":null,"password":"letmein"}`},
		{"/identify", `{"param":true,"password":"letmein"}`},
		{"/miner", `{"param":"Stop","password":"letmein"}`},
		{"/miner", `{"param":"Autostart","password":"letmein"}`},
		{"/coin", `{"param":{"coin":"BTC","stratum_configs":[{"login":"epicblockchain.default","password":"password","pool":"stratum+tcp://btc.ss.poolin.one:443"}],"unique_id":true},"password":"letmein"}`},
		{"/coin", `{"param":{"coin":"Btc","stratum_configs":[]},"password":"letmein"}`},
		{"/fanspeed", `{"param":{"Auto":{"Idle Speed":100,"Target Temperature":60}},"password":"letmein"}`},
		{"/fanspeed", `{"param":{"Manual":100},"password":"letmein"}`},
		{"/fanspeed", `{"param":{"Manual":-1},"password":"letmein"}`},
		{"/authenticate", `{"password":"letmein"}`},
		{"/miner", `{"param":"Stop"}`},
		{"/reboot", `[]`}, {"/coin", `null`}, {"/identify", `{`}, {"/miner", ``},
	} {
		f.Add(seed.path, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, path string, body []byte) {
		w, err := parseEPICWrite(path, body)
		if err != nil {
			if !errors.Is(err, errEPICBody) {
				t.Fatalf("refusal %v is not a deserialisation error", err)
			}
			return
		}
		if w.badPool == "" && path == "/coin" {
			if len(w.pools) == 0 || len(w.pools) > maxAntPools {
				t.Fatalf("accepted %d pools", len(w.pools))
			}
			for _, p := range w.pools {
				if !epicPoolURLOK(p) {
					t.Fatalf("accepted pool %+v", p)
				}
			}
		}
		if path == "/fanspeed" && (w.fan.percent < 0 || w.fan.percent > 100 || w.fan.idleSpeed < 0 || w.fan.idleSpeed > 100 || w.fan.targetTemp < 0) {
			t.Fatalf("accepted fan mode %+v", w.fan)
		}
	})
}
