package epic

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzSummary feeds arbitrary bytes to the /summary and /temps decoders and
// the mapping to a hearth reading: none may panic, and a reading must hold
// only finite, non-negative measurements.
func FuzzSummary(f *testing.F) {
	f.Add(readFixture(f, "asic-rs/summary.json"), readFixture(f, "asic-rs/temps.json"), 110)
	f.Add([]byte(`{"Software":"x","HBs":[{"Index":-1,"Hashrate":[-5,0]}],"Fans Rpm":{"Fans Speed 0":1,"Fans Speed 99999999999":2},"Stratum":{"Config Id":-3},"Status":{"Last Error":[1,{"a":null}]}}`), []byte(`[{"Index":0,"Data":[-1,1e308]}]`), -1)
	f.Add([]byte(`{"Session":{"Uptime":1e300,"Accepted":1e30,"Average MHs":1e308},"HBs":[{"Index":0,"Hashrate":[1e308,1e-300]},{"Index":1,"Hashrate":[1e302]}]}`), []byte(`[]`), 0)
	f.Fuzz(func(t *testing.T, sb, tb []byte, chips int) {
		s, err := decodeSummary(sb)
		if err != nil {
			return
		}
		temps, _ := decodeBoardTemps(tb)
		r := s.reading(temps, chips)
		for name, v := range map[string]float64{"HashRate": r.HashRate, "HashRateAvg": r.HashRateAvg, "IdealHashRate": r.IdealHashRate, "Power": r.Power} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%s = %g", name, v)
			}
		}
		if r.Uptime < 0 {
			t.Fatalf("Uptime = %v", r.Uptime)
		}
		for _, b := range r.Boards {
			if b.HashRate < 0 || b.BoardTemp < 0 || b.InletTemp > b.OutletTemp || b.Chips < 0 || b.ExpectedChips < 0 {
				t.Fatalf("board %+v", b)
			}
		}
		for _, fan := range r.Fans {
			if fan.RPM < 0 || fan.Percent < 0 || fan.Percent > 100 || fan.Index < 0 {
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
		if active > 1 {
			t.Fatalf("%d active pools", active)
		}
		s.autoFan()
	})
}

// FuzzCapabilities feeds arbitrary bytes to the /capabilities and /network
// decoders used by Identify.
func FuzzCapabilities(f *testing.F) {
	f.Add(readFixture(f, "asic-rs/capabilities.json"))
	f.Add(readFixture(f, "asic-rs/network.json"))
	f.Add([]byte(`{"Model":"x","Performance Estimator":{"Chip Count":-4}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeMAC(b)
		c, err := decodeCapabilities(b)
		if err != nil {
			return
		}
		if c.Model == "" {
			t.Fatal("capabilities accepted without a Model")
		}
		if n := c.chipsPerBoard(); n < 0 || n > 10000 {
			t.Fatalf("chipsPerBoard = %d", n)
		}
	})
}

// FuzzCheckResponse feeds arbitrary bytes to the decoder of write answers:
// it must never panic, and must call success only {"result":true}.
func FuzzCheckResponse(f *testing.F) {
	for _, s := range []string{
		`{"result":true,"error":null}`,
		`{"result":false,"error":"BadPassword"}`,
		`{"result":false,"error":{"InvalidPoolAddr":"x"}}`,
		`{"result":false,"error":{"a":1,"b":2}}`,
		`OK`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := checkResponse("/x", b); err == nil {
			var r response
			if jsonErr := jsonUnmarshal(b, &r); jsonErr != nil || r.Result == nil || !*r.Result {
				t.Fatalf("success for %q", b)
			}
		}
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(bytes.TrimSpace(b), v) }
