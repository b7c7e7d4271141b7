package sim

import (
	"testing"
)

// FuzzParseVNishUnlock feeds POST /api/v1/unlock bodies to the parser: it
// must never panic, and accepts only bodies with a pw string.
func FuzzParseVNishUnlock(f *testing.F) {
	for _, seed := range []string{`{"pw":"admin"}`, `{"pw":""}`, `{"pw":null}`, `{"password":"admin"}`, `{"pw":1}`, `[]`, `null`, `{`, ``} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pw, err := parseVNishUnlock(body)
		if err != nil && pw != "" {
			t.Fatalf("error %v with password %q", err, pw)
		}
	})
}

// FuzzParseVNishSettings feeds POST /api/v1/settings bodies to the
// parser: it must never panic, and what it accepts must be settings the
// firmware can hold.
func FuzzParseVNishSettings(f *testing.F) {
	for _, seed := range []string{
		// As hearth's driver, pyasic and the web interface send them
		// (reference §5.2; driver/vnish/testdata/settings.json).
		`{"miner":{"pools":[{"url":"stratum+tcp://btc.example.org:3333","user":"worker.s19","pass":"x"},{"url":"","user":"","pass":""},{"url":"","user":"","pass":""}]}}`,
		`{"miner":{"overclock":{"preset":"3068","modded_psu":false,"globals":{"freq":525,"volt":1360},"chains":null}}}`,
		`{"miner":{"overclock":{"preset":2500}}}`,
		`{"miner":{"overclock":{"preset":null}}}`,
		`{"miner":{"pools":[]}}`,
		`{"miner":{"pools":[{"url":"a"},{"url":"b"},{"url":"c"},{"url":"d"}]}}`,
		`{"ui":{"theme":"dark"}}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseVNishSettings(body)
		if err != nil {
			return
		}
		if p.setPools && (len(p.pools) == 0 || len(p.pools) > maxAntPools) {
			t.Fatalf("accepted %d pools", len(p.pools))
		}
		for _, pool := range p.pools {
			if pool.URL == "" || !validPoolText(pool.URL) || !validPoolText(pool.User) || !validPoolText(pool.Password) {
				t.Fatalf("accepted pool %+v", pool)
			}
		}
		if !p.setPreset && p.preset != "" {
			t.Fatalf("preset %q without setPreset", p.preset)
		}
	})
}
