package aggregate_test

import (
	"math"
	"testing"

	"github.com/hearth-fleet/hearth/aggregate"
)

// threeChildren are a garage with much flexibility, a home heater with a
// little and a barn with some and a fixed load.
var threeChildren = []aggregate.Member{
	{Child: "garage", Site: "garage", FlexibleWatts: 6000},
	{Child: "home", Site: "home", FlexibleWatts: 1000},
	{Child: "barn", Site: "barn", FlexibleWatts: 3000, FixedWatts: 500},
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func limits(d aggregate.Division) map[string]float64 {
	out := map[string]float64{}
	for _, s := range d.Shares {
		out[s.Child] = s.LimitWatts
	}
	return out
}

// Every child sheds the same share of its flexible power, so the limits
// add up to the target and the most flexible child sheds the most watts.
func TestSplitSharesTheShedByFlexibility(t *testing.T) {
	d := aggregate.Split(5500, threeChildren) // of 10500: shed 5000 of 10000 flexible
	if !near(d.ShedFraction, 0.5) || !near(d.PlannedWatts, 5500) || d.ShortWatts != 0 {
		t.Fatalf("division %+v, want half shed, 5500 W planned", d)
	}
	l := limits(d)
	if !near(l["garage"], 3000) || !near(l["home"], 500) || !near(l["barn"], 500+1500) {
		t.Errorf("limits %v, want garage 3000, home 500, barn 2000", l)
	}
}

// When one child is lost, its full power is reserved off the target, the
// two others shed more and the aggregate target still holds.
func TestSplitWithoutALostChildShedsMoreFromTheOthers(t *testing.T) {
	all := limits(aggregate.Split(5500, threeChildren))
	d := aggregate.Split(5500-1000, []aggregate.Member{threeChildren[0], threeChildren[2]})
	if !near(d.PlannedWatts+1000, 5500) || d.ShortWatts != 0 {
		t.Fatalf("division %+v, want 4500 W planned", d)
	}
	l := limits(d)
	if !(l["garage"] < all["garage"]) || !(l["barn"] < all["barn"]) {
		t.Errorf("limits %v with home lost, all three %v: both must shed more", l, all)
	}
	if !near(d.ShedFraction, (500+9000-4500)/9000.0) {
		t.Errorf("shed fraction %v", d.ShedFraction)
	}
}

// A target below the fixed load sheds everything flexible and is short.
func TestSplitBelowTheFixedLoadShedsAllAndIsShort(t *testing.T) {
	d := aggregate.Split(200, threeChildren)
	if d.ShedFraction != 1 || !near(d.PlannedWatts, 500) || !near(d.ShortWatts, 300) {
		t.Fatalf("division %+v, want all shed, 500 W planned, 300 W short", d)
	}
	l := limits(d)
	if l["garage"] != 0 || l["home"] != 0 || l["barn"] != 500 {
		t.Errorf("limits %v", l)
	}
}

// A target above everything sheds nothing; no member, nothing planned.
func TestSplitAboveFullPowerShedsNothing(t *testing.T) {
	if d := aggregate.Split(20000, threeChildren); d.ShedFraction != 0 || !near(d.PlannedWatts, 10500) || d.ShortWatts != 0 {
		t.Errorf("division %+v", d)
	}
	if d := aggregate.Split(math.Inf(1), threeChildren); d.ShedFraction != 0 {
		t.Errorf("unlimited: %+v", d)
	}
	if d := aggregate.Split(1000, nil); len(d.Shares) != 0 || d.PlannedWatts != 0 || d.ShortWatts != 0 {
		t.Errorf("no member: %+v", d)
	}
}
