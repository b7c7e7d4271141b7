package aggregate

import "math"

// Member is one live child site taking part in an aggregate: its full
// flexible power and its fixed load, as it last reported them.
type Member struct {
	Child, Site   string
	FlexibleWatts float64
	FixedWatts    float64
}

// Share is one member's part of a split: the most it may draw.
type Share struct {
	Member
	LimitWatts float64
}

// Division is a target split across members.
type Division struct {
	// ShedFraction is the share of its flexible power every member sheds.
	ShedFraction float64
	// PlannedWatts is the sum of the members' limits; ShortWatts how far
	// it stays above the target when even shedding everything flexible
	// cannot meet it (the fixed load alone is over).
	PlannedWatts float64
	ShortWatts   float64
	Shares       []Share
}

// Split divides targetWatts across members by their available
// flexibility. The rule: every member sheds the same fraction s of its
// flexible power, the one that makes the limits add up to the target,
//
//	s = clamp((F + X - target) / X, 0, 1)
//	limit_i = fixed_i + flexible_i × (1 - s)
//
// where F = Σ fixed_i and X = Σ flexible_i. A member with more flexible
// power therefore sheds more watts, in proportion, and a member with none
// keeps its fixed load. When the target is at or above F + X nothing is
// shed; when it is below F everything flexible is shed and the division
// is short by F - target. A lost member is not in members: the
// Aggregator takes its last reported full power off the target first (it
// may have fallen back to full power), so the others shed a larger
// fraction and the aggregate still holds.
func Split(targetWatts float64, members []Member) Division {
	var fixed, flexible float64
	for _, m := range members {
		fixed += m.FixedWatts
		flexible += m.FlexibleWatts
	}
	var d Division
	switch {
	case targetWatts >= fixed+flexible:
		d.ShedFraction = 0
	case flexible <= 0 || targetWatts <= fixed:
		d.ShedFraction = 1
	default:
		d.ShedFraction = math.Min(1, math.Max(0, (fixed+flexible-targetWatts)/flexible))
	}
	d.Shares = make([]Share, len(members))
	for i, m := range members {
		limit := m.FixedWatts + m.FlexibleWatts*(1-d.ShedFraction)
		d.Shares[i] = Share{Member: m, LimitWatts: limit}
		d.PlannedWatts += limit
	}
	if d.PlannedWatts > targetWatts {
		d.ShortWatts = d.PlannedWatts - targetWatts
		// Rounding of an exact split is not a shortfall.
		if d.ShedFraction < 1 {
			d.ShortWatts = 0
		}
	}
	return d
}
