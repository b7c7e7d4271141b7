package power_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hearth-fleet/hearth/power"
)

// s19 and s21 are the nameplate figures of an Antminer S19j Pro and S21,
// with the power range Braiins OS's tuner allows them.
func s19(id string) power.Candidate {
	return power.Candidate{ID: id, FullWatts: 3068, MinWatts: 1100, SleepWatts: 10, JoulesPerTH: 29.5, CanSleep: true}
}

func s21(id string) power.Candidate {
	return power.Candidate{ID: id, FullWatts: 3500, MinWatts: 1500, SleepWatts: 10, JoulesPerTH: 17.5, CanSleep: true}
}

func modes(a power.Allocation, ids ...string) string {
	var out []string
	for _, id := range ids {
		sp := a.Setpoints[id]
		out = append(out, fmt.Sprintf("%s=%s:%.0f", id, sp.Mode, sp.Watts))
	}
	return fmt.Sprint(out)
}

func TestAllocateShedsTheLeastEfficientFirst(t *testing.T) {
	fleet := []power.Candidate{s21("a"), s19("b"), s21("c"), s19("d"), s19("e"), s21("f")}
	full := 3*3068.0 + 3*3500.0
	a := power.Allocate(full-7000, 0, fleet)
	// Two S19j Pros sleep (saving 6,116 W), the third is trimmed by the
	// remaining 884 W; the efficient S21s keep full power.
	want := "[b=sleep:10 d=sleep:10 e=trim:2184 a=full:3500 c=full:3500 f=full:3500]"
	if got := modes(a, "b", "d", "e", "a", "c", "f"); got != want {
		t.Errorf("setpoints %s\nwant      %s", got, want)
	}
	if math.Abs(a.PlannedWatts-(full-7000)) > 1e-6 || a.ShortWatts != 0 || a.Sleeping != 2 || a.Trimmed != 1 {
		t.Errorf("planned %.1f W short %.1f, %d asleep %d trimmed", a.PlannedWatts, a.ShortWatts, a.Sleeping, a.Trimmed)
	}
}

func TestAllocateAllFullWhenTheTargetAllows(t *testing.T) {
	fleet := []power.Candidate{s21("a"), s19("b")}
	for _, target := range []float64{6568, 10000, math.Inf(1)} {
		a := power.Allocate(target, 0, fleet)
		if a.Sleeping+a.Trimmed != 0 || a.PlannedWatts != 6568 {
			t.Errorf("target %v: %s planned %v", target, modes(a, "a", "b"), a.PlannedWatts)
		}
	}
}

func TestAllocateCountsFixedLoad(t *testing.T) {
	a := power.Allocate(4000, 5000, []power.Candidate{s21("a"), s19("b")})
	if a.Sleeping != 2 || math.Abs(a.ShortWatts-1020) > 1e-6 {
		t.Errorf("%s short %.1f W, want both asleep and 1,020 W short", modes(a, "a", "b"), a.ShortWatts)
	}
}

func TestAllocateSleepsMoreWhenTrimmingCannot(t *testing.T) {
	// Neither miner can be trimmed: shedding 500 W puts the worst to
	// sleep, the only way to keep under the cap.
	b := s19("b")
	b.MinWatts = 0
	a21 := s21("a")
	a21.MinWatts = 0
	a := power.Allocate(6568-500, 0, []power.Candidate{a21, b})
	if got, want := modes(a, "a", "b"), "[a=full:3500 b=sleep:10]"; got != want {
		t.Errorf("setpoints %s, want %s", got, want)
	}
}

func TestAllocateGivesBackOvershoot(t *testing.T) {
	// Trimming both to their minimum is not enough; sleeping the worst
	// overshoots, and the S21 gets back what it may draw.
	a := power.Allocate(3000, 0, []power.Candidate{s21("a"), s19("b")})
	if got, want := modes(a, "a", "b"), "[a=trim:2990 b=sleep:10]"; got != want {
		t.Errorf("setpoints %s, want %s", got, want)
	}
	if a.PlannedWatts > 3000+1e-6 || a.ShortWatts != 0 {
		t.Errorf("planned %.1f W, short %.1f", a.PlannedWatts, a.ShortWatts)
	}
}

func TestAllocateNeverSleepsWhatCannotSleep(t *testing.T) {
	c := s19("b")
	c.CanSleep = false
	a := power.Allocate(0, 0, []power.Candidate{c})
	if sp := a.Setpoints["b"]; sp.Mode != power.ModeTrim || sp.Watts != 1100 || math.Abs(a.ShortWatts-1100) > 1e-6 {
		t.Errorf("setpoint %+v short %.1f, want trimmed to 1,100 W and 1,100 W short", sp, a.ShortWatts)
	}
}

// Whatever the fleet and target, a plan keeps every setpoint within the
// miner's range, stays under the cap unless it reports why, and does not
// depend on the order the miners came in.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := 1 + rng.IntN(40)
		var fleet []power.Candidate
		full := 0.0
		for i := range n {
			c := power.Candidate{ID: fmt.Sprintf("m%02d", i), FullWatts: 500 + rng.Float64()*5000, SleepWatts: rng.Float64() * 20,
				JoulesPerTH: float64(10 + rng.IntN(30)), CanSleep: rng.IntN(10) > 0}
			if rng.IntN(3) > 0 {
				c.MinWatts = c.FullWatts * (0.3 + 0.5*rng.Float64())
			}
			full += c.FullWatts
			fleet = append(fleet, c)
		}
		fixed := rng.Float64() * 2000
		target := rng.Float64() * (full + fixed) * 1.1
		a := power.Allocate(target, fixed, fleet)
		floor := fixed
		for _, c := range fleet {
			sp := a.Setpoints[c.ID]
			switch sp.Mode {
			case power.ModeFull:
				if sp.Watts != c.FullWatts {
					t.Fatalf("trial %d: %s full at %v W", trial, c.ID, sp.Watts)
				}
			case power.ModeTrim:
				if sp.Watts < c.MinWatts-1e-9 || sp.Watts >= c.FullWatts {
					t.Fatalf("trial %d: %s trimmed to %v W outside [%v, %v)", trial, c.ID, sp.Watts, c.MinWatts, c.FullWatts)
				}
			case power.ModeSleep:
				if !c.CanSleep {
					t.Fatalf("trial %d: %s cannot sleep", trial, c.ID)
				}
			}
			switch {
			case c.CanSleep:
				floor += c.SleepWatts
			case c.MinWatts > 0:
				floor += c.MinWatts
			default:
				floor += c.FullWatts
			}
		}
		if a.ShortWatts == 0 && a.PlannedWatts > target+1e-6 {
			t.Fatalf("trial %d: planned %v W over target %v W", trial, a.PlannedWatts, target)
		}
		if a.ShortWatts > 0 && math.Abs(a.PlannedWatts-floor) > 1e-6*floor+1e-6 {
			t.Fatalf("trial %d: short %v W but planned %v W above the floor %v W", trial, a.ShortWatts, a.PlannedWatts, floor)
		}
		shuffled := slices.Clone(fleet)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		b := power.Allocate(target, fixed, shuffled)
		for id, sp := range a.Setpoints {
			if b.Setpoints[id] != sp {
				t.Fatalf("trial %d: %s is %+v in one order, %+v in another", trial, id, sp, b.Setpoints[id])
			}
		}
	}
}
