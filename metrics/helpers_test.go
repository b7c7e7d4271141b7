package metrics_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
)

// t0 is the start of the synthetic history the tests write: 2023-11-14
// 22:13:20 UTC, Unix 1700000000.
var t0 = time.Unix(1_700_000_000, 0).UTC()

// openStore opens a store in a fresh directory, closed when the test ends.
func openStore(tb testing.TB, opts metrics.Options) (*metrics.Store, string) {
	tb.Helper()
	dir := tb.TempDir()
	s, err := metrics.Open(dir, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s, dir
}

// antminer returns an inventory entry shaped like an S21 on stock firmware.
func antminer(id string) *hearth.Miner {
	return &hearth.Miner{
		ID:       id,
		Address:  "127.1.0.1",
		Family:   hearth.FamilyAntminer,
		Model:    "Antminer S21",
		Firmware: "bmminer 49.0.1.3",
	}
}

// health is what a synthetic reading should look like.
type health struct {
	hashRate float64       // H/s
	power    float64       // W
	latency  time.Duration // time to first byte
	accepted uint64        // shares so far
	rejected uint64
}

// reading returns a full Antminer-like reading: three boards with every
// temperature, four fans and three pools.
func reading(at time.Time, h health) *hearth.Reading {
	r := &hearth.Reading{
		Time:           at,
		Latency:        h.latency,
		HashRate:       h.hashRate,
		HashRateAvg:    h.hashRate,
		IdealHashRate:  200e12,
		Power:          h.power,
		PowerEstimated: true,
		Uptime:         at.Sub(t0) + time.Hour,
		Accepted:       h.accepted,
		Rejected:       h.rejected,
		HardwareErrors: 7,
	}
	for i := range 3 {
		r.Boards = append(r.Boards, hearth.Board{
			Index:         i,
			HashRate:      h.hashRate / 3,
			ChipTemp:      70 + float64(i),
			BoardTemp:     65 + float64(i),
			InletTemp:     50 + float64(i),
			OutletTemp:    65 + float64(i),
			Chips:         108,
			ExpectedChips: 108,
			FailedChips:   i,
			FrequencyMHz:  490,
		})
	}
	for i := range 4 {
		r.Fans = append(r.Fans, hearth.Fan{Index: i, RPM: 4000 + float64(i*100)})
	}
	r.Pools = []hearth.Pool{
		{Index: 0, URL: "stratum+tcp://pool.example:3333", Status: "alive", Active: true},
		{Index: 1, URL: "stratum+tcp://backup.example:3333", Status: "alive"},
		{Index: 2, URL: "stratum+tcp://dead.example:3333", Status: "dead"},
	}
	return r
}

// seriesPerReading is the number of series reading() produces: 12 per
// miner, 7 per board (its temperature is its inlet and outlet), 1 per
// fan, 1 per pool.
const seriesPerReading = 12 + 3*7 + 4 + 3*1

// store writes r for m or fails the test.
func store(tb testing.TB, s *metrics.Store, m *hearth.Miner, r *hearth.Reading) {
	tb.Helper()
	if err := s.StoreReading(context.Background(), m, r); err != nil {
		tb.Fatalf("StoreReading %s at %s: %v", m.ID, r.Time.Format(time.RFC3339), err)
	}
}

// minersOf returns the sorted miner labels of a vector result.
func minersOf(res *metrics.Result) []string {
	var out []string
	for _, s := range res.Vector {
		out = append(out, s.Metric[metrics.LabelMiner])
	}
	sort.Strings(out)
	return out
}

func query(tb testing.TB, s *metrics.Store, q string, at time.Time) *metrics.Result {
	tb.Helper()
	res, err := s.Query(context.Background(), q, at)
	if err != nil {
		tb.Fatalf("Query(%s): %v", q, err)
	}
	if res.Type != metrics.ValueVector {
		tb.Fatalf("Query(%s): result type %s, want vector", q, res.Type)
	}
	return res
}

// value returns the single sample's value of a vector query.
func value(tb testing.TB, s *metrics.Store, q string, at time.Time) float64 {
	tb.Helper()
	res := query(tb, s, q, at)
	if len(res.Vector) != 1 {
		tb.Fatalf("Query(%s) at %s: %d samples, want 1: %+v", q, at.Format(time.RFC3339), len(res.Vector), res.Vector)
	}
	return res.Vector[0].Value
}

func equalStrings(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}
