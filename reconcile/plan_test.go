package reconcile_test

import (
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
)

func TestPlan(t *testing.T) {
	p := hearth.Placement{MinerID: "sim-00001", Hostname: "sim-00001", Site: "barn", Rack: "R1", Slot: "4"}
	pools := []hearth.PoolTemplate{
		{URL: "stratum+tcp://main:3333", UserPattern: "acct.{site}-{rack}-{slot}", Password: "x"},
		{URL: "stratum+tcp://backup:3333", UserPattern: "acct.{miner}"},
	}
	matching := []hearth.Pool{
		{Index: 1, Priority: 1, URL: "stratum+tcp://backup:3333", User: "acct.sim-00001"},
		{Index: 0, Priority: 0, URL: "STRATUM+TCP://main:3333", User: "acct.barn-R1-4"},
		{Index: 2, Priority: 2, URL: ""},
	}
	on, off := true, false
	for _, tt := range []struct {
		name    string
		desired hearth.DesiredState
		reading hearth.Reading
		applied reconcile.Applied
		want    []hearth.Verb
	}{
		{name: "NothingDesired", reading: hearth.Reading{Paused: true}},
		{name: "PoolsMatch", desired: hearth.DesiredState{Pools: pools}, reading: hearth.Reading{Pools: matching}},
		{name: "PoolsOtherUser", desired: hearth.DesiredState{Pools: pools[:1]}, reading: hearth.Reading{Pools: []hearth.Pool{{URL: "stratum+tcp://main:3333", User: "acct.old"}}},
			want: []hearth.Verb{hearth.VerbSetPools}},
		{name: "PoolsOtherOrder", desired: hearth.DesiredState{Pools: []hearth.PoolTemplate{pools[1], pools[0]}}, reading: hearth.Reading{Pools: matching},
			want: []hearth.Verb{hearth.VerbSetPools}},
		{name: "PoolsExtra", desired: hearth.DesiredState{Pools: pools[:1]}, reading: hearth.Reading{Pools: matching},
			want: []hearth.Verb{hearth.VerbSetPools}},
		{name: "SleepWhenPaused", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}}, reading: hearth.Reading{Paused: true}},
		{name: "SleepWhenMining", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}},
			want: []hearth.Verb{hearth.VerbPause}},
		{name: "MaxWhenPaused", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerMax}}, reading: hearth.Reading{Paused: true},
			want: []hearth.Verb{hearth.VerbResume}},
		// Stock Antminer firmware never reports Paused: a miner hearth
		// paused that shows no hash rate is asleep.
		{name: "MaxWhenPausedByHearthSilently", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerMax}},
			applied: reconcile.Applied{Paused: &on}, want: []hearth.Verb{hearth.VerbResume}},
		{name: "SleepWhenPausedByHearthSilently", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}},
			applied: reconcile.Applied{Paused: &on}},
		{name: "SleepWhenPausedByHearthButHashing", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}},
			reading: hearth.Reading{HashRate: 1e14}, applied: reconcile.Applied{Paused: &on}, want: []hearth.Verb{hearth.VerbPause}},
		{name: "MaxWhenResumedByHearth", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerMax}},
			applied: reconcile.Applied{Paused: &off}},
		{name: "TargetWithinTolerance", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerTarget, Watts: 3000}}, reading: hearth.Reading{PowerLimit: 3100}},
		{name: "TargetMeasured", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerTarget, Watts: 3000}}, reading: hearth.Reading{Power: 2950}},
		{name: "TargetOff", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2000}}, reading: hearth.Reading{PowerLimit: 3000},
			want: []hearth.Verb{hearth.VerbPowerTarget}},
		{name: "TargetUnobservableApplied", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2000}},
			reading: hearth.Reading{Power: 3300, PowerEstimated: true}, applied: reconcile.Applied{Watts: 2000}},
		{name: "TargetUnobservableNew", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2000}},
			reading: hearth.Reading{Power: 3300, PowerEstimated: true}, applied: reconcile.Applied{Watts: 2500},
			want: []hearth.Verb{hearth.VerbPowerTarget}},
		{name: "WakeToTarget", desired: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerTarget, Watts: 3000}}, reading: hearth.Reading{Paused: true, PowerLimit: 3000},
			want: []hearth.Verb{hearth.VerbResume, hearth.VerbPowerTarget}},
		{name: "FanAndLightApplied", desired: hearth.DesiredState{Fan: &hearth.FanMode{Auto: true}, Locate: &on},
			applied: reconcile.Applied{Fan: &hearth.FanMode{Auto: true}, Locate: &on}},
		{name: "FanAndLightNew", desired: hearth.DesiredState{Fan: &hearth.FanMode{Percent: 70}, Locate: &on},
			applied: reconcile.Applied{Fan: &hearth.FanMode{Auto: true}},
			want:    []hearth.Verb{hearth.VerbFanMode, hearth.VerbLocateOn}},
		{name: "EverythingOrder", desired: hearth.DesiredState{Pools: pools, Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}, Locate: &on},
			want: []hearth.Verb{hearth.VerbSetPools, hearth.VerbLocateOn, hearth.VerbPause}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			actions, diffs, err := reconcile.Plan(p, tt.desired, &tt.reading, tt.applied, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []hearth.Verb
			for _, a := range actions {
				got = append(got, a.Verb)
			}
			if strings.Join(verbs(got), ",") != strings.Join(verbs(tt.want), ",") {
				t.Fatalf("verbs %v, want %v (diffs %q)", got, tt.want, diffs)
			}
			if len(diffs) == 0 && len(actions) > 0 {
				t.Errorf("commands %v without a difference to show", got)
			}
		})
	}

	t.Run("ExpandedPools", func(t *testing.T) {
		actions, _, err := reconcile.Plan(p, hearth.DesiredState{Pools: pools}, &hearth.Reading{}, reconcile.Applied{}, 0)
		if err != nil || len(actions) != 1 {
			t.Fatalf("%v, %v", actions, err)
		}
		got := actions[0].Pools
		if len(got) != 2 || got[0].User != "acct.barn-R1-4" || got[0].Password != "x" || got[1].User != "acct.sim-00001" {
			t.Fatalf("pools %+v", got)
		}
	})
}

func verbs(vs []hearth.Verb) []string {
	var out []string
	for _, v := range vs {
		out = append(out, string(v))
	}
	return out
}
