package simtest

import (
	"context"
	"math"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
)

// Within reports whether got is within the fraction frac of want: the
// simulator's figures wander around the nameplate as real miners' do, so
// tests compare with a tolerance.
func Within(got, want, frac float64) bool {
	return math.Abs(got-want) <= frac*math.Abs(want)
}

// CheckFaultReadings plays a dead board on miner 0, an overheating chip on
// miner 1 and an unreachable miner 2 of s, a fleet of at least three
// miners of the model spec, and fails the test unless d's readings show
// them as a user would see them: board 1 of miner 0 with no chips and no
// hash rate while board 0 hashes, the miner at two thirds of the nameplate
// (within hashFrac); a chip of miner 1 at 95 °C or more; miner 2
// EUNAVAILABLE. The faults stay in place.
func CheckFaultReadings(tb testing.TB, s *sim.Sim, d Poller, spec sim.Model, hashFrac float64) {
	tb.Helper()
	ctx := context.Background()
	target := func(i int) hearth.Target { mi, _ := s.Miner(i); return mi.Target() }
	for i, kind := range []sim.FaultKind{sim.FaultDeadBoard, sim.FaultHot, sim.FaultOffline} {
		if err := s.SetFault(sim.Fault{Index: i, Kind: kind}); err != nil {
			tb.Fatal(err)
		}
	}

	r, err := d.Poll(ctx, target(0))
	if err != nil {
		tb.Fatal(err)
	}
	if len(r.Boards) != spec.Boards || r.Boards[1].Chips != 0 || r.Boards[1].HashRate != 0 ||
		r.Boards[0].Chips == 0 || !Within(r.HashRate, spec.HashRate*2/3, hashFrac) {
		tb.Errorf("dead board: %v H/s, boards %+v", r.HashRate, r.Boards)
	}
	r, err = d.Poll(ctx, target(1))
	if err != nil {
		tb.Fatal(err)
	}
	var hottest float64
	for _, b := range r.Boards {
		hottest = math.Max(hottest, b.ChipTemp)
	}
	if hottest < 95 {
		tb.Errorf("hot: hottest chip %v °C", hottest)
	}
	if _, err := d.Poll(ctx, target(2)); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		tb.Errorf("offline: %v", err)
	}
}

// CheckGarbledPolls makes miner i of s garble its replies and polls it
// five times with d, failing the test for any clean reading: garbled
// replies must give errors, never a reading passed off as whole. The
// fault stays in place.
func CheckGarbledPolls(tb testing.TB, s *sim.Sim, d Poller, i int) {
	tb.Helper()
	if err := s.SetFault(sim.Fault{Index: i, Kind: sim.FaultGarbled}); err != nil {
		tb.Fatal(err)
	}
	mi, _ := s.Miner(i)
	for range 5 {
		r, err := d.Poll(context.Background(), mi.Target())
		if err == nil && len(r.PollErrors) == 0 {
			tb.Errorf("garbled: clean reading %+v", r)
		}
	}
}
