// Package power holds a site to a power target: it ranks the site's miners
// by efficiency, chooses a setpoint for each (full power, a trimmed power
// target, or sleep), hands the setpoints to the reconciler as a desired
// state that overrides the stored one, and checks from telemetry that the
// site got there.
package power

import (
	"cmp"
	"math"
	"slices"
)

// Mode is what a setpoint asks of a miner.
type Mode string

// The modes of a setpoint.
const (
	// ModeFull leaves the miner at its uncurtailed power: whatever its
	// stored desired state says.
	ModeFull Mode = "full"
	// ModeTrim runs the miner at a lower power target, Watts.
	ModeTrim Mode = "trim"
	// ModeSleep pauses the miner: the firmware's sleep, or its lowest
	// power where it has no sleep. hearth never power-cycles a miner to
	// curtail it.
	ModeSleep Mode = "sleep"
)

// Setpoint is the power the controller chose for one miner.
type Setpoint struct {
	Mode Mode `json:"mode"`
	// Watts is the trimmed target of ModeTrim, and the power the miner is
	// expected to draw in every mode.
	Watts float64 `json:"watts"`
}

// Candidate is one miner as the allocation sees it.
type Candidate struct {
	ID string
	// FullWatts is what the miner draws uncurtailed; MinWatts the lowest
	// power target it takes (0: it cannot be trimmed); SleepWatts what it
	// draws asleep.
	FullWatts  float64
	MinWatts   float64
	SleepWatts float64
	// JoulesPerTH is the miner's efficiency at full power, the ranking
	// key: the least efficient miners are shed first.
	JoulesPerTH float64
	// CanSleep is false for a miner whose firmware cannot pause; it can
	// only be trimmed, or is fixed load.
	CanSleep bool
}

// canTrim reports whether c takes a power target below its full power.
func (c *Candidate) canTrim() bool { return c.MinWatts > 0 && c.MinWatts < c.FullWatts }

// Allocation is the outcome of Allocate.
type Allocation struct {
	// Setpoints holds one setpoint per candidate, by ID.
	Setpoints map[string]Setpoint
	// PlannedWatts is the site power expected once every setpoint holds:
	// the candidates' setpoints plus the fixed load.
	PlannedWatts float64
	// ShortWatts is how far PlannedWatts stays above the target when even
	// sleeping every candidate cannot reach it (fixed load, miners that
	// can neither sleep nor trim further); 0 when the target is met.
	ShortWatts float64
	// Sleeping and Trimmed count the candidates in each mode.
	Sleeping, Trimmed int
}

// Allocate chooses setpoints that keep a site at or under targetWatts
// when fixedWatts of its load is not the controller's to change (miners
// without trustworthy telemetry, other equipment). It follows the
// published practice of demand-response fleets:
//
//  1. when every candidate at full power fits, all run at full power;
//  2. otherwise the candidates are ranked least efficient first (highest
//     J/TH; ties by ID, so a plan is reproducible), and whole miners are
//     put to sleep from the top of the ranking while the power still to
//     shed is at least what sleeping the next one saves;
//  3. the rest of the shed comes from trimming the running miners within
//     their power range, least efficient first;
//  4. when trimming cannot shed enough, further miners are put to sleep,
//     and the power that overshoots is given back to the trimmed miners,
//     most efficient first.
//
// The target is a cap: the plan never exceeds it unless ShortWatts says
// why.
func Allocate(targetWatts, fixedWatts float64, cands []Candidate) Allocation {
	a := Allocation{Setpoints: make(map[string]Setpoint, len(cands))}
	// Sums run in ranked order, so that the same fleet in another order
	// gives the same plan to the last bit.
	// IDs are unique, so the order is total and an unstable sort gives
	// the same ranking as a stable one, faster.
	ranked := slices.Clone(cands)
	slices.SortFunc(ranked, func(x, y Candidate) int {
		if c := cmp.Compare(y.JoulesPerTH, x.JoulesPerTH); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	full := fixedWatts
	for _, c := range ranked {
		a.Setpoints[c.ID] = Setpoint{Mode: ModeFull, Watts: c.FullWatts}
		full += c.FullWatts
	}
	shed := full - targetWatts
	if shed <= 0 || math.IsInf(targetWatts, 1) {
		a.PlannedWatts = full
		return a
	}

	sleep := func(c *Candidate) {
		sp := a.Setpoints[c.ID]
		shed -= sp.Watts - c.SleepWatts
		a.Setpoints[c.ID] = Setpoint{Mode: ModeSleep, Watts: c.SleepWatts}
	}
	// Stage 2: whole miners, while one fits in what is left to shed.
	for i := range ranked {
		if shed <= 0 {
			break
		}
		c := &ranked[i]
		if !c.CanSleep {
			continue
		}
		if c.FullWatts-c.SleepWatts > shed {
			break
		}
		sleep(c)
	}
	// Stage 3: trim the running miners, least efficient first.
	for i := range ranked {
		if shed <= 0 {
			break
		}
		c := &ranked[i]
		sp := a.Setpoints[c.ID]
		if sp.Mode != ModeFull || !c.canTrim() {
			continue
		}
		cut := min(shed, c.FullWatts-c.MinWatts)
		a.Setpoints[c.ID] = Setpoint{Mode: ModeTrim, Watts: c.FullWatts - cut}
		shed -= cut
	}
	// Stage 4: still too much: sleep more, least efficient first, and give
	// back what overshoots.
	for i := range ranked {
		if shed <= 0 {
			break
		}
		c := &ranked[i]
		if a.Setpoints[c.ID].Mode == ModeSleep || !c.CanSleep {
			continue
		}
		sleep(c)
	}
	if shed < 0 {
		giveBack(&a, ranked, -shed)
	}
	for _, c := range ranked {
		sp := a.Setpoints[c.ID]
		a.PlannedWatts += sp.Watts
		switch sp.Mode {
		case ModeSleep:
			a.Sleeping++
		case ModeTrim:
			a.Trimmed++
		}
	}
	a.PlannedWatts += fixedWatts
	if over := a.PlannedWatts - targetWatts; over > 1e-6 {
		a.ShortWatts = over
	}
	return a
}

// giveBack raises trimmed miners, most efficient first, by up to spare
// watts in all: stage 4 may have slept a miner that saves more than was
// still needed.
func giveBack(a *Allocation, ranked []Candidate, spare float64) {
	for i := len(ranked) - 1; i >= 0 && spare > 0; i-- {
		c := &ranked[i]
		sp := a.Setpoints[c.ID]
		if sp.Mode != ModeTrim {
			continue
		}
		raise := min(spare, c.FullWatts-sp.Watts)
		sp.Watts += raise
		spare -= raise
		if sp.Watts >= c.FullWatts {
			sp = Setpoint{Mode: ModeFull, Watts: c.FullWatts}
		}
		a.Setpoints[c.ID] = sp
	}
}
