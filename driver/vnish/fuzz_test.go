package vnish

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func readFixture(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzDecodeSummary feeds arbitrary bytes to the /summary decoder and the
// mapping to a reading: neither may panic, and every measurement must be
// finite and non-negative.
func FuzzDecodeSummary(f *testing.F) {
	for _, n := range []string{"summary.json", "summary_failure.json", "summary_stopped.json"} {
		f.Add(readFixture(f, n))
	}
	f.Add([]byte(`{"miner":null}`))
	f.Add([]byte(`{"miner":{"hr_realtime":-1e308,"miner_status":{"miner_state":"mining","miner_state_time":1e300,"failure_code":-1e300},"chains":[{"id":1e300,"chip_statuses":{"red":1e300},"status":{"state":"failure"}}],"pools":[{"accepted":1e30}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSummary(b)
		if err != nil {
			return
		}
		r := s.reading(1e9)
		for name, v := range map[string]float64{"HashRate": r.HashRate, "HashRateAvg": r.HashRateAvg, "IdealHashRate": r.IdealHashRate, "Power": r.Power} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%s = %g", name, v)
			}
		}
		if r.Uptime < 0 {
			t.Fatalf("uptime %v", r.Uptime)
		}
		for _, bd := range r.Boards {
			if bd.ChipTemp < 0 || bd.BoardTemp < 0 || bd.FailedChips < 0 || math.IsInf(bd.HashRate, 0) {
				t.Fatalf("board %+v", bd)
			}
		}
		for _, fan := range r.Fans {
			if fan.RPM < 0 || fan.Percent < 0 || fan.Percent > 100 {
				t.Fatalf("fan %+v", fan)
			}
		}
	})
}

// FuzzDecodeInfo checks the /info decoder and the names made from it.
func FuzzDecodeInfo(f *testing.F) {
	f.Add(readFixture(f, "info.json"))
	f.Add([]byte(`{"fw_version":"1","miner":" (","hr_measure":"MH/s"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := decodeInfo(b)
		if err != nil {
			return
		}
		_ = in.firmware()
		_ = in.model()
		if u := in.hashUnit(); u != 1e6 && u != 1e9 && u != 1e12 {
			t.Fatalf("unit %g", u)
		}
	})
}

// FuzzDecodePresets checks the preset list decoder and the choice of a
// preset: the chosen one never exceeds the target.
func FuzzDecodePresets(f *testing.F) {
	f.Add(readFixture(f, "presets.json"), 3000.0)
	f.Add([]byte(`{"presets":[{"name":" 99999999999999999999 "},{"name":"-5"}]}`), 1e9)
	f.Fuzz(func(t *testing.T, b []byte, watts float64) {
		list, err := decodePresets(b)
		if err != nil {
			return
		}
		p, w, err := choosePreset(list, watts)
		if err == nil && (float64(w) > watts || w <= 0 || p.Name == "") {
			t.Fatalf("chose %q (%d W) for %g W", p.Name, w, watts)
		}
	})
}

// FuzzDecodeUnlock checks the unlock reply and the back-off it implies.
func FuzzDecodeUnlock(f *testing.F) {
	f.Add([]byte(`{"token":"abc"}`), 403)
	f.Add([]byte(`{"unlock_timeout":30}`), 429)
	f.Add([]byte(`{"unlock_timeout":1e308}`), 403)
	f.Fuzz(func(t *testing.T, b []byte, code int) {
		u, err := decodeUnlock(b)
		if err != nil {
			u = nil
		}
		if d := u.lockout(code); d <= 0 || d > maxBackoff {
			t.Fatalf("lock-out %v", d)
		}
	})
}

// FuzzDecodeFindMiner checks the locate replies.
func FuzzDecodeFindMiner(f *testing.F) {
	f.Add([]byte(`{"on":true}`))
	f.Add([]byte(`null`))
	f.Add(readFixture(f, "status.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeFindMiner(pathFindMiner, b)
		if err == nil && s == nil {
			t.Fatal("nil state without error")
		}
	})
}

// FuzzDecodeSettings checks the settings decoder and preset read-back.
func FuzzDecodeSettings(f *testing.F) {
	f.Add(readFixture(f, "settings.json"))
	f.Add([]byte(`{"miner":{"overclock":{"preset":3068}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSettings(b)
		if err != nil {
			return
		}
		_ = s.preset()
	})
}
