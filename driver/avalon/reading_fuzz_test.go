package avalon

import (
	"math"
	"os"
	"testing"

	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// FuzzReading feeds arbitrary summary and stats replies to the reading
// mapping: it must not panic, and every value must be finite, non-negative
// where negative is meaningless, and bounded in count.
func FuzzReading(f *testing.F) {
	summary, err := os.ReadFile("testdata/summary.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"stats.json", "litestats.json", "avalon_a_stats.json"} {
		stats, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(summary, stats)
	}
	f.Add([]byte(`{"SUMMARY":[{"MHS 1m":"inf","MHS av":-5,"Elapsed":1e300}]}`),
		[]byte(`{"STATS":[{"MM ID0":"MGHS[1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18] PVT_T0[inf nan] Fan1[-3] WALLPOWER[-1] MPO[nan] Freq[-2] ECHU[1 0 2]"}]}`))
	f.Fuzz(func(t *testing.T, summaryRaw, statsRaw []byte) {
		var s, st *cgminer.Document
		if d, err := cgminer.Decode(summaryRaw); err == nil {
			s = d
		}
		if d, err := cgminer.Decode(statsRaw); err == nil {
			st = d
		}
		r := newReading(s, nil, st)
		for name, v := range map[string]float64{
			"HashRate": r.HashRate, "HashRateAvg": r.HashRateAvg, "IdealHashRate": r.IdealHashRate,
			"Power": r.Power, "PowerLimit": r.PowerLimit,
		} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%s = %g", name, v)
			}
		}
		if r.Uptime < 0 {
			t.Fatalf("Uptime = %v", r.Uptime)
		}
		if len(r.Boards) > maxBoards || len(r.Fans) > maxFans {
			t.Fatalf("%d boards, %d fans", len(r.Boards), len(r.Fans))
		}
		for _, b := range r.Boards {
			for _, v := range []float64{b.HashRate, b.ChipTemp, b.BoardTemp, b.InletTemp, b.OutletTemp, b.FrequencyMHz} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("board %+v", b)
				}
			}
			if b.HashRate < 0 || b.Chips < 0 {
				t.Fatalf("board %+v", b)
			}
		}
		for _, fan := range r.Fans {
			if fan.RPM < 0 || math.IsNaN(fan.RPM) || fan.Percent < 0 || math.IsNaN(fan.Percent) {
				t.Fatalf("fan %+v", fan)
			}
		}
	})
}
