package sim

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseMinerConf feeds set_miner_conf.cgi bodies to the parser: it
// must never panic, and what it accepts must be a configuration the
// firmware can hold.
func FuzzParseMinerConf(f *testing.F) {
	for _, seed := range []string{
		// As pyasic and asic-rs send them (reference §1.7).
		`{"pools":[{"url":"stratum+tcp://btc.pool.invalid:3333","user":"acct.w1","pass":"x"},{"url":"","user":"","pass":""},{"url":"","user":"","pass":""}],"bitmain-fan-ctrl":false,"bitmain-fan-pwm":"100","freq-level":"100","miner-mode":0}`,
		`{"miner-mode":1}`,
		`{"miner-mode":"3"}`,
		`{"bitmain-fan-ctrl":true,"bitmain-fan-pwm":"60"}`,
		`{"pools":[{"url":"a"},{"url":"b"},{"url":"c"},{"url":"d"}]}`,
		`{"miner-mode":2}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseMinerConf(body)
		if err != nil {
			return
		}
		if c.setPools && (len(c.pools) == 0 || len(c.pools) > maxAntPools) {
			t.Fatalf("accepted %d pools", len(c.pools))
		}
		for _, p := range c.pools {
			if p.URL == "" || !validPoolText(p.URL) || !validPoolText(p.User) || !validPoolText(p.Password) {
				t.Fatalf("accepted pool %+v", p)
			}
		}
		if c.mode != nil && *c.mode != ModeNormal && *c.mode != ModeSleep && *c.mode != ModeLowPower {
			t.Fatalf("accepted mode %d", *c.mode)
		}
		if c.fanPWM != nil && (*c.fanPWM < 0 || *c.fanPWM > 100) {
			t.Fatalf("accepted fan %d %%", *c.fanPWM)
		}
		var st MinerSettings
		c.apply(&st)
	})
}

// FuzzParseBlink feeds blink.cgi bodies to the parser.
func FuzzParseBlink(f *testing.F) {
	for _, seed := range []string{`{"blink":"true"}`, `{"blink":"false"}`, `{"blink":true}`, `{"blink":"yes"}`, `{}`, `x`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		parseBlink(body)
	})
}

// FuzzParseAxeOSPatch feeds PATCH /api/system bodies to the parser: it
// must never panic, tell bad JSON from wrong input, and accept only values
// in the firmware's ranges.
func FuzzParseAxeOSPatch(f *testing.F) {
	for _, seed := range []string{
		// The reference's Settings subset (§2.3) and the AxeOS UI's bodies.
		`{"stratumURL":"public-pool.io","stratumPort":21496,"stratumUser":"bc1q.worker","stratumPassword":"x"}`,
		`{"fallbackStratumURL":"btc2.example.pool","fallbackStratumPort":3333,"fallbackStratumUser":"asic-rs.test"}`,
		`{"flipscreen":false,"invertscreen":false,"coreVoltage":1150,"frequency":490,"autofanspeed":false,"invertfanpolarity":false,"fanspeed":85,"overheat_mode":0}`,
		`{"frequency":625.5}`,
		`{"stratumURL":"stratum+tcp://x:3333"}`,
		`{"stratumPort":0}`,
		`{"fanspeed":-1}`,
		`[]`, `null`, `{`, ``, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseAxeOSPatch(body)
		if err != nil {
			if errors.Is(err, errAxeInvalidJSON) && len(body) > 0 && body[0] == '{' && isValidJSON(body) {
				t.Fatalf("valid JSON %q called invalid", body)
			}
			return
		}
		for i := 0; i < 2; i++ {
			if p.port[i] != nil && (*p.port[i] < 1 || *p.port[i] > 65535) {
				t.Fatalf("accepted port %d", *p.port[i])
			}
			if p.url[i] != nil && !validStratumHost(*p.url[i]) {
				t.Fatalf("accepted host %q", *p.url[i])
			}
		}
		if p.frequency != nil && (*p.frequency < 1 || *p.frequency > 1200) {
			t.Fatalf("accepted frequency %v", *p.frequency)
		}
		if p.fanPercent != nil && (*p.fanPercent < 0 || *p.fanPercent > 100) {
			t.Fatalf("accepted fan %d %%", *p.fanPercent)
		}
		var st MinerSettings
		p.apply(&st)
		if len(st.Pools) != 2 {
			t.Fatalf("apply left %d pools", len(st.Pools))
		}
	})
}

// isValidJSON reports whether b is one JSON value.
func isValidJSON(b []byte) bool { return json.Valid(b) }
