package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// newReconciler returns a reconciler over db and fleet with the fake clock.
func newReconciler(tb testing.TB, db *sqlite.DB, fleet *fakeFleet) *reconcile.Reconciler {
	return &reconcile.Reconciler{
		Desired: sqlite.NewDesiredStateService(db, storetest.NewBox(tb)),
		Journal: sqlite.NewJournalService(db),
		Audit:   sqlite.NewAuditService(db),
		Applier: fleet,
		Clock:   fleet.clock,
		Backoff: time.Second,
	}
}

// pollAll gives every miner's reading to rc, as one poll interval would,
// and waits for the reconciliations to finish.
func pollAll(rc *reconcile.Reconciler, fleet *fakeFleet, miners []*hearth.Miner) {
	for _, m := range miners {
		rc.StoreReading(context.Background(), m, fleet.reading(m.ID))
	}
	rc.Wait()
}

func TestReconciler_ConvergesFleetWithinBatchLimit(t *testing.T) {
	const n, batch = 1000, 20
	if testing.Short() {
		t.Skip("1,000 miners")
	}
	ctx := context.Background()
	db, _ := openDB(t)
	clock := newFakeClock()
	fleet := newFakeFleet(clock)
	fleet.delay = 200 * time.Microsecond
	miners := simMiners(n, "barn", "shed")
	for _, m := range miners {
		fleet.add(m, []hearth.PoolConfig{{URL: "stratum+tcp://old:3333", User: "old." + m.ID}})
	}
	rc := newReconciler(t, db, fleet)
	rc.BatchSize, rc.Stagger = batch, 3*time.Second
	// Half the fleet is in group "east", whose template differs from the
	// site's; the organisation layer's answer is faked by GroupsFunc.
	rc.Locator = reconcile.MinerLocator{Groups: func(_ context.Context, id string) ([]string, error) {
		var i int
		fmt.Sscanf(id, "sim-%05d", &i)
		if i%4 < 2 {
			return []string{"east"}, nil
		}
		return nil, nil
	}}
	rc.Start(ctx)

	for _, site := range []string{"barn", "shed"} {
		if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: site}, State: hearth.DesiredState{
			Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://site:3333", UserPattern: "acct.{site}-{miner}"}},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "east"}, State: hearth.DesiredState{
		Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://east:3333", UserPattern: "east.{hostname}"}, {URL: "stratum+tcp://site:3333", UserPattern: "acct.{site}-{miner}"}},
	}}); err != nil {
		t.Fatal(err)
	}

	start := clock.Now()
	pollAll(rc, fleet, miners)
	if fleet.total != n {
		t.Errorf("first poll sent %d commands, want one per miner (%d)", fleet.total, n)
	}
	for site, got := range fleet.maxInFlight {
		if got > batch {
			t.Errorf("site %s had %d commands in flight, batch limit %d", site, got, batch)
		}
		if st := rc.SiteStats(site); st.MaxInFlight > batch || st.InFlight != 0 {
			t.Errorf("site %s limiter stats %+v", site, st)
		}
	}
	if len(fleet.overlapped) > 0 {
		t.Errorf("miners given two commands at once: %v", fleet.overlapped[:min(5, len(fleet.overlapped))])
	}
	// 500 commands per site in batches of 20 need 24 staggers of 3 s.
	if elapsed := clock.Now().Sub(start); elapsed < 24*3*time.Second {
		t.Errorf("fleet converged in %s of fake time; the stagger was not kept", elapsed)
	}
	for i, m := range miners {
		r := fleet.reading(m.ID)
		want := "stratum+tcp://site:3333 acct." + m.Site + "-" + m.ID
		if i%4 < 2 {
			want = "stratum+tcp://east:3333 east." + m.ID
		}
		if got := r.Pools[0].URL + " " + r.Pools[0].User; got != want {
			t.Fatalf("%s has pool %q, want %q", m.ID, got, want)
		}
	}

	// Second poll: everything matches, so nothing is sent and no miner
	// drifts.
	pollAll(rc, fleet, miners)
	if fleet.total != n {
		t.Errorf("second poll sent %d more commands, want none", fleet.total-n)
	}
	if d := rc.Drifts(true); len(d) != 0 {
		t.Errorf("%d miners drifting after convergence, first %+v", len(d), d[0])
	}
	if d := rc.Drift("sim-00000"); !d.InSync || d.Commands != 1 {
		t.Errorf("drift of sim-00000 %+v", d)
	}
	open, err := rc.Journal.FindJournal(ctx, hearth.JournalFilter{States: []hearth.JournalState{hearth.JournalPending, hearth.JournalSent}})
	if err != nil || len(open) != 0 {
		t.Errorf("journal entries left open: %d, %v", len(open), err)
	}
}

func TestReconciler_DriftAndRetries(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	clock := newFakeClock()
	fleet := newFakeFleet(clock)
	miners := simMiners(2, "barn")
	for _, m := range miners {
		fleet.add(m, nil)
	}
	fleet.fail = func(m *hearth.Miner, a hearth.Action, attempt int) string {
		if m.ID == "sim-00000" && attempt < 3 {
			return hearth.ETIMEOUT
		}
		if m.ID == "sim-00001" {
			return hearth.EUNSUPPORTED
		}
		return ""
	}
	rc := newReconciler(t, db, fleet)
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range miners {
		if err := rc.Reconcile(ctx, m, fleet.reading(m.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if !fleet.reading("sim-00000").Paused || fleet.attempts["sim-00000/pause"] != 3 {
		t.Errorf("sim-00000: paused %v after %d attempts, want paused after 3", fleet.reading("sim-00000").Paused, fleet.attempts["sim-00000/pause"])
	}
	if clock.slept < 3*time.Second {
		t.Errorf("retries slept %s, want backoff 1 s then 2 s", clock.slept)
	}
	if d := rc.Drift("sim-00000"); d.LastError != "" {
		t.Errorf("sim-00000 keeps an error after success: %+v", d)
	}
	d := rc.Drift("sim-00001")
	if fleet.attempts["sim-00001/pause"] != 1 || d.LastErrorCode != hearth.EUNSUPPORTED || d.InSync || len(d.Differences) != 1 || d.RetryAt.IsZero() {
		t.Errorf("sim-00001: %d attempts, drift %+v", fleet.attempts["sim-00001/pause"], d)
	}
	// Backing off: the next poll sends nothing to the failing miner.
	if err := rc.Reconcile(ctx, miners[1], fleet.reading("sim-00001")); err != nil {
		t.Fatal(err)
	}
	if fleet.attempts["sim-00001/pause"] != 1 {
		t.Errorf("command resent during backoff")
	}
	clock.Advance(time.Hour)
	if err := rc.Reconcile(ctx, miners[1], fleet.reading("sim-00001")); err != nil {
		t.Fatal(err)
	}
	if fleet.attempts["sim-00001/pause"] != 2 {
		t.Errorf("command not tried again after the backoff")
	}
	audit, err := rc.Audit.FindAudit(ctx, hearth.AuditFilter{})
	if err != nil || len(audit) != 3 || audit[0].Actor != reconcile.Actor || audit[0].Results[0].Code != hearth.EUNSUPPORTED {
		t.Errorf("audit %+v, %v", audit, err)
	}
}

// crashingJournal is the journal of a hearth that dies right after a
// command went out: it records pending and sent, and nothing after.
type crashingJournal struct {
	hearth.Journal
}

func (j crashingJournal) UpdateJournalEntry(ctx context.Context, e *hearth.JournalEntry) error {
	if e.State.Done() {
		return fmt.Errorf("killed")
	}
	return j.Journal.UpdateJournalEntry(ctx, e)
}

// AddJournalEntry loses an idempotent command's only entry, its outcome.
func (j crashingJournal) AddJournalEntry(ctx context.Context, e *hearth.JournalEntry) error {
	if e.State.Done() {
		return fmt.Errorf("killed")
	}
	return j.Journal.AddJournalEntry(ctx, e)
}

func TestReconciler_ResumeAfterCrash(t *testing.T) {
	ctx := context.Background()
	db, path := openDB(t)
	clock := newFakeClock()
	fleet := newFakeFleet(clock)
	miners := simMiners(4, "barn")
	for _, m := range miners {
		fleet.add(m, []hearth.PoolConfig{{URL: "stratum+tcp://old:3333", User: "old"}})
	}
	desired := hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://new:3333", UserPattern: "acct.{miner}"}}}

	// The run that dies: a reboot of sim-00000 and sim-00001 and a pool
	// change of sim-00002 reach the miners, but hearth is killed before
	// recording the outcome; sim-00001's reboot never actually happens.
	first := newReconciler(t, db, fleet)
	first.Journal = crashingJournal{first.Journal}
	first.Status = fleet
	if err := first.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: desired}); err != nil {
		t.Fatal(err)
	}
	fleet.fail = func(m *hearth.Miner, a hearth.Action, _ int) string {
		if m.ID == "sim-00001" && a.Verb == hearth.VerbReboot {
			return hearth.ETIMEOUT // lost: the miner never rebooted
		}
		return ""
	}
	for _, m := range miners[:2] {
		if res := first.Do(ctx, m, hearth.Action{Verb: hearth.VerbReboot}, "ops"); res.OK {
			t.Fatal("the crashing journal let Do finish")
		}
	}
	first.Reconcile(ctx, miners[2], fleet.reading("sim-00002"))
	// A command journalled but never sent (killed between the two writes).
	never := &hearth.JournalEntry{MinerID: "sim-00003", Action: hearth.Action{Verb: hearth.VerbReboot}, Actor: "ops"}
	if err := first.Journal.AddJournalEntry(ctx, never); err != nil {
		t.Fatal(err)
	}
	fleet.fail = nil
	if fleet.count("sim-00000", hearth.VerbReboot) != 1 || fleet.count("sim-00002", hearth.VerbSetPools) != 1 {
		t.Fatal("the commands did not reach the fake miners")
	}

	// The restart: a new process on the same database file.
	db.Close()
	db = openDBAt(t, path)
	clock.Advance(2 * time.Minute)
	second := newReconciler(t, db, fleet)
	n, err := second.Resume(ctx)
	// The pool change is idempotent: journalled with its outcome only, so
	// the crash left no entry, and the reading decides.
	if err != nil || n != 3 {
		t.Fatalf("Resume found %d open entries, %v; want 3", n, err)
	}
	second.Start(ctx)
	pollAll(second, fleet, miners)

	if got := fleet.count("sim-00000", hearth.VerbReboot); got != 1 {
		t.Errorf("sim-00000 rebooted %d times, want once", got)
	}
	if got := fleet.count("sim-00001", hearth.VerbReboot); got != 0 {
		t.Errorf("sim-00001's reboot was sent again (%d)", got)
	}
	if got := fleet.count("sim-00003", hearth.VerbReboot); got != 0 {
		t.Errorf("sim-00003's never-sent reboot was sent after restart (%d)", got)
	}
	if got := fleet.count("sim-00002", hearth.VerbSetPools); got != 1 {
		t.Errorf("sim-00002's applied pool change was sent %d times, want once", got)
	}
	for _, m := range miners {
		if r := fleet.reading(m.ID); r.Pools[0].URL != "stratum+tcp://new:3333" {
			t.Errorf("%s did not converge: %+v", m.ID, r.Pools)
		}
	}
	state := func(id string, v hearth.Verb) hearth.JournalState {
		es, err := second.Journal.FindJournal(ctx, hearth.JournalFilter{MinerID: id})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Action.Verb == v {
				return e.State
			}
		}
		return ""
	}
	if s := state("sim-00000", hearth.VerbReboot); s != hearth.JournalApplied {
		t.Errorf("sim-00000 reboot %s, want applied (uptime reset)", s)
	}
	if s := state("sim-00001", hearth.VerbReboot); s != hearth.JournalSent {
		t.Errorf("sim-00001 reboot %s, want still sent within the grace period", s)
	}
	if s := state("sim-00002", hearth.VerbSetPools); s != "" {
		t.Errorf("sim-00002 pools %s, want no entry (the reading shows it applied)", s)
	}
	if s := state("sim-00003", hearth.VerbReboot); s != hearth.JournalFailed {
		t.Errorf("sim-00003 reboot %s, want failed (never sent)", s)
	}

	// After the grace period sim-00001's reboot is failed, still not resent.
	clock.Advance(time.Hour)
	pollAll(second, fleet, miners)
	if s := state("sim-00001", hearth.VerbReboot); s != hearth.JournalFailed || fleet.count("sim-00001", hearth.VerbReboot) != 0 {
		t.Errorf("sim-00001 reboot %s after the grace, %d sends", s, fleet.count("sim-00001", hearth.VerbReboot))
	}
	audit, err := second.Audit.FindAudit(ctx, hearth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	resumed := 0
	for _, e := range audit {
		if e.Actor == "ops (resumed)" || e.Actor == reconcile.Actor+" (resumed)" {
			resumed++
		}
	}
	if resumed != 3 {
		t.Errorf("%d audit entries tell what the restart settled, want 3", resumed)
	}
}

// A firmware that accepts a pool change but keeps reporting the old pools
// gets it MaxIneffective times, not after every poll, and shows as
// drifting with the reason.
func TestReconciler_StopsRepeatingIneffectiveCommands(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	clock := newFakeClock()
	fleet := newFakeFleet(clock)
	fleet.noEffect = hearth.VerbSetPools
	m := simMiners(1, "barn")[0]
	fleet.add(m, []hearth.PoolConfig{{URL: "stratum+tcp://old:3333", User: "old"}})
	rc := newReconciler(t, db, fleet)
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: m.ID},
		State: hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://new:3333", UserPattern: "w"}}}}); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		if err := rc.Reconcile(ctx, m, fleet.reading(m.ID)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(15 * time.Second)
	}
	if n := fleet.count(m.ID, hearth.VerbSetPools); n != reconcile.MaxIneffective {
		t.Errorf("set-pools sent %d times over 6 polls, want %d", n, reconcile.MaxIneffective)
	}
	d := rc.Drift(m.ID)
	if d.InSync || len(d.Differences) != 2 || !strings.Contains(d.Differences[1], "not sent again") {
		t.Errorf("drift %+v", d)
	}
	// A new desired state is tried again.
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: m.ID},
		State: hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://newer:3333", UserPattern: "w"}}}}); err != nil {
		t.Fatal(err)
	}
	rc.Reconcile(ctx, m, fleet.reading(m.ID))
	if n := fleet.count(m.ID, hearth.VerbSetPools); n != reconcile.MaxIneffective+1 {
		t.Errorf("changed desired state not sent: %d sends", n)
	}
}

// inventory is the hearth.MinerService part Watch uses.
type inventory struct {
	hearth.MinerService
	miners []*hearth.Miner
}

func (i inventory) FindMiners(context.Context, hearth.MinerFilter) ([]*hearth.Miner, int, error) {
	return i.miners, len(i.miners), nil
}

// watchedBarn starts a reconciler over n fake miners of site barn, set
// up by with when it is not nil, and returns it with the fleet, the
// miners and its desired state through Watch.
func watchedBarn(t *testing.T, n int, with func(*reconcile.Reconciler)) (*reconcile.Reconciler, *fakeFleet, []*hearth.Miner, hearth.DesiredStateService) {
	t.Helper()
	db, _ := openDB(t)
	fleet := newFakeFleet(newFakeClock())
	miners := simMiners(n, "barn")
	for _, m := range miners {
		fleet.add(m, nil)
	}
	rc := newReconciler(t, db, fleet)
	rc.Status = fleet
	if with != nil {
		with(rc)
	}
	rc.Start(context.Background())
	return rc, fleet, miners, rc.Watch(rc.Desired, inventory{miners: miners})
}

// A desired-state change through Watch reaches the miners from their
// latest readings, without waiting for a poll.
func TestReconciler_Watch(t *testing.T) {
	ctx := context.Background()
	rc, fleet, miners, desired := watchedBarn(t, 10, nil)
	if err := desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}}}); err != nil {
		t.Fatal(err)
	}
	rc.Wait()
	for _, m := range miners {
		if !fleet.reading(m.ID).Paused {
			t.Errorf("%s not paused", m.ID)
		}
	}
	// A reading taken before the command finished is stale: no repeat.
	stale := &hearth.Reading{MinerID: miners[0].ID, Time: t0.Add(-time.Minute)}
	if err := rc.Reconcile(ctx, miners[0], stale); err != nil {
		t.Fatal(err)
	}
	if n := fleet.count(miners[0].ID, hearth.VerbPause); n != 1 {
		t.Errorf("pause sent %d times", n)
	}
	if err := desired.DeleteDesired(ctx, hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}); err != nil {
		t.Fatal(err)
	}
	rc.Wait()

	// A miner removed from the inventory no longer shows in the drift.
	if err := rc.Forgetting(inventory{}).DeleteMiner(ctx, miners[0].ID); err != nil {
		t.Fatal(err)
	}
	if d := rc.Drifts(false); len(d) != len(miners)-1 || d[0].MinerID == miners[0].ID {
		t.Errorf("drift after removal: %d miners, first %s", len(d), d[0].MinerID)
	}
}

func (inventory) DeleteMiner(context.Context, string) error { return nil }

// Alerting hears of every power command a miner acknowledged, so that a
// hash rate hearth lowered on purpose is not taken for a fault; pool
// changes are not power commands.
func TestReconciler_ReportsPowerCommands(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	changed := map[string]time.Time{}
	rc, fleet, miners, desired := watchedBarn(t, 3, func(rc *reconcile.Reconciler) {
		rc.PowerChanged = func(_ context.Context, id string, at time.Time) error {
			mu.Lock()
			defer mu.Unlock()
			changed[id] = at
			return nil
		}
	})
	pools := hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://new:3333", UserPattern: "acct.{miner}"}}}
	if err := desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: pools}); err != nil {
		t.Fatal(err)
	}
	rc.Wait()
	if len(changed) != 0 {
		t.Fatalf("a pool change was reported as a power command: %v", changed)
	}
	pools.Power = &hearth.PowerProfile{Mode: hearth.PowerSleep}
	if err := desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: pools}); err != nil {
		t.Fatal(err)
	}
	rc.Wait()
	for _, m := range miners {
		if at, ok := changed[m.ID]; !ok || !at.Equal(fleet.clock.Now()) {
			t.Errorf("%s: power command reported %v (%v), want at %v", m.ID, ok, at, fleet.clock.Now())
		}
	}
}

// A fleet-wide change reads as one change in the audit log: the miners'
// results for the same action share entries, each miner's result exactly
// once, and an entry of several names how many.
func TestReconciler_AuditsAFleetChangeTogether(t *testing.T) {
	ctx := context.Background()
	rc, _, miners, desired := watchedBarn(t, 50, nil)
	if err := desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}}}); err != nil {
		t.Fatal(err)
	}
	rc.Wait()
	entries, err := rc.Audit.FindAudit(ctx, hearth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		if e.Actor != reconcile.Actor || e.Action.Verb != hearth.VerbPause {
			t.Errorf("entry %+v", e)
		}
		if n := len(e.Results); n > 1 && e.Selector != fmt.Sprintf("%d miners", n) || n == 1 && e.Selector != e.Results[0].MinerID {
			t.Errorf("entry of %d results has selector %q", n, e.Selector)
		}
		for _, r := range e.Results {
			seen[r.MinerID]++
		}
	}
	for _, m := range miners {
		if seen[m.ID] != 1 {
			t.Errorf("%s is in %d audit results, want 1", m.ID, seen[m.ID])
		}
	}
	if len(entries) >= len(miners) {
		t.Errorf("%d audit entries for %d miners paused at once: none shared", len(entries), len(miners))
	}
}
