package reconcile_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/schedule"
)

var (
	barn    = hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}
	rowA    = hearth.Scope{Kind: hearth.ScopeGroup, ID: "row-a"}
	miner7  = hearth.Scope{Kind: hearth.ScopeMiner, ID: "sim-00007"}
	inBarnA = []hearth.Scope{barn, rowA, miner7}
)

// window returns the event of a schedule's window opening or closing.
func window(id string, target hearth.Scope, c hearth.Change, open bool, start time.Time) schedule.Event {
	s := &hearth.Schedule{ID: id, Name: id, Target: target, Change: c, Enabled: true}
	return schedule.Event{Schedule: s, Open: open, Start: start, End: start.Add(time.Hour), At: start}
}

func TestScheduleOverlay_PauseRestoresStoredState(t *testing.T) {
	o := reconcile.NewScheduleOverlay()
	stored := []*hearth.DesiredRecord{
		{Scope: barn, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2500}}},
	}
	pause := hearth.Change{Kind: hearth.ChangePause}
	o.Handle(window("sch_pause", barn, pause, true, t0))
	o.Handle(window("sch_pause", barn, pause, true, t0)) // the Runner re-opens after a restart
	if d := o.Effective(inBarnA, stored); d.Power == nil || d.Power.Mode != hearth.PowerSleep {
		t.Fatalf("while open: power %+v, want sleep", d.Power)
	}
	if stored[0].State.Power.Mode != hearth.PowerEco {
		t.Fatalf("the stored record was changed: %+v", stored[0].State.Power)
	}
	if d := o.Effective([]hearth.Scope{{Kind: hearth.ScopeSite, ID: "shed"}}, nil); d.Power != nil {
		t.Errorf("a miner of another site got power %+v", d.Power)
	}
	o.Handle(window("sch_pause", barn, pause, false, t0))
	if d := o.Effective(inBarnA, stored); d.Power == nil || d.Power.Mode != hearth.PowerEco || d.Power.Watts != 2500 {
		t.Fatalf("after close: power %+v, want the stored eco 2500 W", d.Power)
	}
	if len(o.Open()) != 0 {
		t.Errorf("open windows after close: %+v", o.Open())
	}
}

func TestScheduleOverlay_NarrowerScopeWins(t *testing.T) {
	o := reconcile.NewScheduleOverlay()
	own := []*hearth.DesiredRecord{{Scope: miner7, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerTarget, Watts: 3000}}}}
	o.Handle(window("sch_pause", barn, hearth.Change{Kind: hearth.ChangePause}, true, t0))
	if d := o.Effective(inBarnA, own); d.Power.Mode != hearth.PowerTarget {
		t.Errorf("a miner's own power gave way to its site's schedule: %+v", d.Power)
	}
	o.Handle(window("sch_group", rowA, hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"mode":"eco","watts":2000}`)}, true, t0))
	if d := o.Effective([]hearth.Scope{barn, rowA}, nil); d.Power.Mode != hearth.PowerEco || d.Power.Watts != 2000 {
		t.Errorf("group window under a site window: %+v, want the group's eco", d.Power)
	}
}

func TestScheduleOverlay_LaterWindowWins(t *testing.T) {
	o := reconcile.NewScheduleOverlay()
	eco := hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"mode":"eco","watts":2000}`)}
	o.Handle(window("sch_b", barn, eco, true, t0))
	o.Handle(window("sch_a", barn, hearth.Change{Kind: hearth.ChangePause}, true, t0.Add(time.Minute)))
	if d := o.Effective(inBarnA, nil); d.Power.Mode != hearth.PowerSleep {
		t.Errorf("power %+v, want the later window's sleep", d.Power)
	}
}

func TestScheduleOverlay_Pools(t *testing.T) {
	o := reconcile.NewScheduleOverlay()
	stored := []*hearth.DesiredRecord{{Scope: barn, State: hearth.DesiredState{
		Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://day:3333", UserPattern: "acct.{site}"}},
		Power: &hearth.PowerProfile{Mode: hearth.PowerMax},
	}}}
	night := hearth.Change{Kind: hearth.ChangePools, Payload: json.RawMessage(`{"pools":[{"url":"stratum+tcp://night:3333","user_pattern":"acct.{site}"}]}`)}
	o.Handle(window("sch_night", barn, night, true, t0))
	d := o.Effective(inBarnA, stored)
	if len(d.Pools) != 1 || d.Pools[0].URL != "stratum+tcp://night:3333" || d.Power.Mode != hearth.PowerMax {
		t.Fatalf("while open: %+v", d)
	}
	o.Handle(window("sch_night", barn, night, false, t0))
	if d := o.Effective(inBarnA, stored); d.Pools[0].URL != "stratum+tcp://day:3333" {
		t.Errorf("after close: pools %+v", d.Pools)
	}
}

// A pause of a scope whose stored state leaves power alone must not leave
// the miners asleep when it ends.
func TestScheduleOverlay_ClosedPauseResumes(t *testing.T) {
	o := reconcile.NewScheduleOverlay()
	pause := hearth.Change{Kind: hearth.ChangePause}
	if d := o.Effective(inBarnA, nil); d.Power != nil {
		t.Fatalf("before any window: power %+v, want none", d.Power)
	}
	o.Handle(window("sch_pause", barn, pause, true, t0))
	o.Handle(window("sch_pause", barn, pause, false, t0))
	if d := o.Effective(inBarnA, nil); d.Power == nil || d.Power.Mode != hearth.PowerMax {
		t.Errorf("after the pause: power %+v, want max", d.Power)
	}
	if d := o.Effective([]hearth.Scope{{Kind: hearth.ScopeSite, ID: "shed"}}, nil); d.Power != nil {
		t.Errorf("another site: power %+v, want none", d.Power)
	}
}

// The runner's events reach the miners at once: a window that opens pauses
// them, its removal resumes them.
func TestReconciler_FollowSchedules(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	fleet := newFakeFleet(newFakeClock())
	miners := simMiners(4, "barn", "shed")
	for _, m := range miners {
		fleet.add(m, nil)
	}
	rc := newReconciler(t, db, fleet)
	rc.Status = fleet
	o := reconcile.NewScheduleOverlay()
	rc.Overlay = o
	rc.Start(ctx)
	handle := rc.FollowSchedules(o, inventory{miners: miners})

	runner := schedule.NewRunner(schedule.SystemClock{}, func(ctx context.Context, e schedule.Event) { handle(ctx, e); rc.Wait() })
	now := time.Now()
	pause := &hearth.Schedule{ID: "sch_pause", Name: "pause barn", Target: barn, Change: hearth.Change{Kind: hearth.ChangePause},
		Start: now.Add(-time.Minute), End: now.Add(time.Hour), Enabled: true}
	if err := runner.Set([]*hearth.Schedule{pause}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()
	defer func() { stop(); <-done }()

	waitFor(t, func() bool { return fleet.reading("sim-00000").Paused && fleet.reading("sim-00002").Paused })
	if fleet.reading("sim-00001").Paused || fleet.reading("sim-00003").Paused {
		t.Fatal("a miner of shed was paused")
	}
	if err := runner.Set(nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !fleet.reading("sim-00000").Paused && !fleet.reading("sim-00002").Paused })
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5 s")
}

// After a restart (a new overlay and a new Runner) the window still in
// force is laid over the stored state again, from the clock alone.
func TestScheduleOverlay_RestartRederives(t *testing.T) {
	now := time.Now()
	pause := &hearth.Schedule{ID: "sch_pause", Name: "pause barn", Target: barn, Change: hearth.Change{Kind: hearth.ChangePause},
		Start: now.Add(-time.Minute), End: now.Add(time.Hour), Enabled: true}
	for run := range 2 {
		o := reconcile.NewScheduleOverlay()
		opened := make(chan struct{}, 1)
		r := schedule.NewRunner(schedule.SystemClock{}, func(_ context.Context, e schedule.Event) {
			o.Handle(e)
			opened <- struct{}{}
		})
		if err := r.Set([]*hearth.Schedule{pause}); err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		select {
		case <-opened:
		case <-time.After(5 * time.Second):
			t.Fatalf("run %d: the window in force was not opened", run)
		}
		stop()
		<-done
		if d := o.Effective(inBarnA, nil); d.Power == nil || d.Power.Mode != hearth.PowerSleep {
			t.Errorf("run %d: power %+v, want sleep", run, d.Power)
		}
	}
}
