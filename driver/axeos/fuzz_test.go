package axeos

import (
	"math"
	"strings"
	"testing"
)

// FuzzDecodeSystemInfo feeds arbitrary bytes to the /api/system/info
// decoder and the mapping to a hearth reading: neither may panic, and a
// reading must hold only finite, non-negative measurements.
func FuzzDecodeSystemInfo(f *testing.F) {
	for _, name := range []string{
		"reference_v2_0_0_system_info.json",
		"asic-rs/v2_0_0_system_info.json",
		"head_v2_15_0_system_info.json",
		"v2_6_1_system_info.json",
		"v2_14_0_faulted_system_info.json",
	} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"ASICModel":"BM1370","hashRate":"1.2e3","bestDiff":"1e+03k","pools":[{"id":"3","stratumURL":"[::1]","stratumPort":-1}],"primaryPoolIndex":3}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := decodeSystemInfo(b)
		if err != nil {
			return
		}
		r := info.reading("Bitaxe Hex")
		for name, v := range map[string]float64{"HashRate": r.HashRate, "IdealHashRate": r.IdealHashRate, "Power": r.Power} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%s = %g", name, v)
			}
		}
		if r.Uptime < 0 {
			t.Fatalf("Uptime = %v", r.Uptime)
		}
		for _, b := range r.Boards {
			if b.ChipTemp < 0 || b.VRTemp < 0 || b.FrequencyMHz < 0 || b.Chips < 0 {
				t.Fatalf("board %+v", b)
			}
		}
		for _, fan := range r.Fans {
			if fan.RPM < 0 || fan.Percent < 0 {
				t.Fatalf("fan %+v", fan)
			}
		}
		active := 0
		for _, p := range r.Pools {
			if p.URL == "" {
				t.Fatalf("pool without URL: %+v", p)
			}
			if p.Active {
				active++
			}
		}
		if info.Pools == nil && active > 1 {
			t.Fatalf("%d active legacy pools", active)
		}
		info.identity(modelName("", info.BoardVersion, info.ASICModel))
		if info.BestDiff.ok && (info.BestDiff.v < 0 || math.IsInf(info.BestDiff.v, 0)) {
			t.Fatalf("bestDiff %+v", info.BestDiff)
		}
	})
}

// FuzzParseIdentifyReply feeds arbitrary bytes to the reader of POST
// /api/system/identify's reply: it may refuse them, never panic.
func FuzzParseIdentifyReply(f *testing.F) {
	f.Add([]byte(`{"message":"The device says \"Hi!\" for 30 seconds."}`))
	f.Add([]byte(`{"message":"The device no longer says \"Hi!\"."}`))
	f.Add([]byte(`Unauthorized`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseIdentifyReply(b)
	})
}

// FuzzParseFrequencyOptions feeds arbitrary bytes to the reader of
// /api/system/asic's frequencyOptions: every option kept must be a
// positive, finite frequency, and chooseFrequency must pick one of them.
func FuzzParseFrequencyOptions(f *testing.F) {
	f.Add(readFixture(f, "head_v2_15_0_system_asic.json"))
	f.Add([]byte(`{"frequencyOptions":["490",null,-1,1e309,true]}`))
	f.Add([]byte(`{"frequencyOptions":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		opts, err := parseFrequencyOptions(b)
		if err != nil {
			return
		}
		for _, o := range opts {
			if !(o > 0) || math.IsInf(o, 0) {
				t.Fatalf("option %g kept", o)
			}
		}
		if len(opts) > 0 {
			got := chooseFrequency(450, 600, opts)
			if !slicesContainsRounded(opts, got) {
				t.Fatalf("chose %d, not among %v", got, opts)
			}
		}
	})
}

// FuzzSplitStratumURL checks that a pool URL either gives a bare host and
// a valid port or EINVALID.
func FuzzSplitStratumURL(f *testing.F) {
	for _, s := range []string{"stratum+tcp://public-pool.io:21496", "solo.ckpool.org:3333", "stratum+tcp://[::1]:3333", "stratum+ssl://x:1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := splitStratumURL(s)
		if err != nil {
			return
		}
		if host == "" || strings.Contains(host, "://") || port < 1 || port > 65535 {
			t.Fatalf("splitStratumURL(%q) = %q, %d", s, host, port)
		}
	})
}

func slicesContainsRounded(opts []float64, f int) bool {
	for _, o := range opts {
		if int(math.Round(o)) == f {
			return true
		}
	}
	return false
}
