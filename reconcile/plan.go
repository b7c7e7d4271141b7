// Package reconcile makes miners converge on their desired state. After
// each poll it compares what a miner should be (hearth.EffectiveDesired of
// its site, groups and own record) with what its reading shows, and sends
// the fewest Controller verbs that close the gap: rate-limited per site,
// one at a time per miner, retried with backoff, and written to the
// command journal before anything reaches the miner, so that a restart
// resumes rather than repeats.
package reconcile

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// DefaultPowerTolerance is how far (as a fraction) a miner's reported
// power limit or draw may be from its target and still count as on
// target: firmwares round targets to their own steps, and draw moves with
// temperature.
const DefaultPowerTolerance = 0.05

// Applied is what hearth last applied to a miner for the settings a
// reading cannot show (fan mode, fault light, and the power target when
// the firmware reports neither a limit nor a measured draw). Without it
// those settings would be sent again after every poll.
type Applied struct {
	Fan    *hearth.FanMode
	Locate *bool
	// Watts is the last power target applied, 0 for none.
	Watts float64
	// Paused is whether the last of pause and resume applied was pause,
	// nil when neither was: stock Antminer firmware never reports that it
	// is paused, so a miner hearth paused that shows no hash rate is taken
	// to be asleep (and is resumed when it should mine).
	Paused *bool
}

// asleep reports whether the miner is paused: it says so, or hearth paused
// it and it shows no hash rate.
func asleep(r *hearth.Reading, applied Applied) bool {
	return r.Paused || (applied.Paused != nil && *applied.Paused && r.HashRate == 0)
}

// Plan returns the commands that bring the miner at p from reading r to
// desired state d, in the order they should be sent (pools, fans, fault
// light, then power, so that a miner put to sleep gets its settings
// first), and a sentence per difference for users. No command is planned
// for a setting that already matches: pools are compared by URL and user in
// priority order, sleep by Paused, a power target within tolerance (a
// fraction; 0 means DefaultPowerTolerance) of the reported limit or draw.
// An error means the desired state cannot be applied to this miner (a
// worker pattern needs a value the miner lacks).
func Plan(p hearth.Placement, d hearth.DesiredState, r *hearth.Reading, applied Applied, tolerance float64) ([]hearth.Action, []string, error) {
	if tolerance <= 0 {
		tolerance = DefaultPowerTolerance
	}
	var actions []hearth.Action
	var diffs []string

	if len(d.Pools) > 0 {
		want, err := d.PoolConfigs(p)
		if err != nil {
			return nil, nil, fmt.Errorf("pools of %s: %w", p.MinerID, err)
		}
		if have := observedPools(r); !samePools(want, have) {
			actions = append(actions, hearth.Action{Verb: hearth.VerbSetPools, Pools: want})
			diffs = append(diffs, fmt.Sprintf("pools: want %s, miner has %s", describePools(want), describePools(have)))
		}
	}
	if d.Fan != nil && (applied.Fan == nil || *applied.Fan != *d.Fan) {
		f := *d.Fan
		actions = append(actions, hearth.Action{Verb: hearth.VerbFanMode, Fan: &f})
		diffs = append(diffs, "fans: want "+describeFan(f)+", not yet applied")
	}
	if d.Locate != nil && (applied.Locate == nil || *applied.Locate != *d.Locate) {
		verb, word := hearth.VerbLocateOff, "off"
		if *d.Locate {
			verb, word = hearth.VerbLocateOn, "on"
		}
		actions = append(actions, hearth.Action{Verb: verb})
		diffs = append(diffs, "fault light: want "+word+", not yet applied")
	}
	if d.Power != nil {
		a, diff := planPower(*d.Power, r, applied, tolerance)
		actions = append(actions, a...)
		diffs = append(diffs, diff...)
	}
	return actions, diffs, nil
}

// planPower returns the verbs that put the miner in power profile pp.
func planPower(pp hearth.PowerProfile, r *hearth.Reading, applied Applied, tolerance float64) ([]hearth.Action, []string) {
	paused := asleep(r, applied)
	if pp.Mode == hearth.PowerSleep {
		if paused {
			return nil, nil
		}
		return []hearth.Action{{Verb: hearth.VerbPause}}, []string{"power: want sleep, miner is mining"}
	}
	var actions []hearth.Action
	var diffs []string
	if paused {
		actions = append(actions, hearth.Action{Verb: hearth.VerbResume})
		diffs = append(diffs, fmt.Sprintf("power: want %s, miner is asleep", pp.Mode))
	}
	if pp.Watts <= 0 {
		return actions, diffs
	}
	have, known := observedWatts(r)
	switch {
	case known && math.Abs(have-pp.Watts) <= tolerance*pp.Watts && !paused:
	case !known && applied.Watts == pp.Watts && !paused:
	default:
		actions = append(actions, hearth.Action{Verb: hearth.VerbPowerTarget, Watts: pp.Watts})
		if known {
			diffs = append(diffs, fmt.Sprintf("power: want %s at %.0f W, miner at %.0f W", pp.Mode, pp.Watts, have))
		} else {
			diffs = append(diffs, fmt.Sprintf("power: want %s at %.0f W, not yet applied", pp.Mode, pp.Watts))
		}
	}
	return actions, diffs
}

// observedWatts returns the miner's power limit as it reports it, or its
// measured draw, and whether either is known. An estimated draw (from hash
// rate) says nothing about a target.
func observedWatts(r *hearth.Reading) (float64, bool) {
	if r.PowerLimit > 0 {
		return r.PowerLimit, true
	}
	if r.Power > 0 && !r.PowerEstimated && !r.Paused {
		return r.Power, true
	}
	return 0, false
}

// observedPools returns the miner's configured pools in priority order,
// empty slots left out.
func observedPools(r *hearth.Reading) []hearth.PoolConfig {
	pools := slices.Clone(r.Pools)
	slices.SortStableFunc(pools, func(a, b hearth.Pool) int {
		if a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		return a.Index - b.Index
	})
	var out []hearth.PoolConfig
	for _, p := range pools {
		if strings.TrimSpace(p.URL) != "" {
			out = append(out, hearth.PoolConfig{URL: p.URL, User: p.User})
		}
	}
	return out
}

// samePools reports whether the miner's pools are the wanted ones, by URL
// (scheme and host case-insensitive, surrounding space ignored) and user,
// in order. Passwords cannot be read back from miners, so they are not
// compared.
func samePools(want, have []hearth.PoolConfig) bool {
	if len(want) != len(have) {
		return false
	}
	for i := range want {
		if !strings.EqualFold(strings.TrimSpace(want[i].URL), strings.TrimSpace(have[i].URL)) || want[i].User != strings.TrimSpace(have[i].User) {
			return false
		}
	}
	return true
}

func describePools(ps []hearth.PoolConfig) string {
	if len(ps) == 0 {
		return "none"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.URL+" as "+p.User)
	}
	return strings.Join(parts, ", ")
}

func describeFan(f hearth.FanMode) string {
	if f.Auto {
		return "auto"
	}
	return fmt.Sprintf("%d %%", f.Percent)
}
