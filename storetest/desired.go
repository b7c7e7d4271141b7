package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func testDesiredStateService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	on := true
	site := &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: hearth.DesiredState{
		Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://pool:3333", UserPattern: "acct.{site}-{rack}-{slot}", Password: "s3cret"}},
		Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2500},
	}}
	group := &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "row-a"}, Priority: 5, State: hearth.DesiredState{Locate: &on}}
	for _, r := range []*hearth.DesiredRecord{site, group} {
		if err := st.Desired.SetDesired(ctx, r); err != nil {
			t.Fatal(err)
		}
		if !r.UpdatedAt.Equal(Now) {
			t.Errorf("UpdatedAt=%v, want %v", r.UpdatedAt, Now)
		}
	}

	t.Run("PasswordSealed", func(t *testing.T) {
		var raw string
		st.QueryRow(t, `SELECT CAST(state AS TEXT) FROM desired_state WHERE scope_kind = 'site'`, &raw)
		if strings.Contains(raw, "s3cret") || !strings.Contains(raw, "acct.{site}") {
			t.Fatalf("stored state %s", raw)
		}
	})

	t.Run("FindByScopes", func(t *testing.T) {
		got, err := st.Desired.FindDesired(ctx, hearth.DesiredFilter{Scopes: []hearth.Scope{
			{Kind: hearth.ScopeSite, ID: "barn"}, {Kind: hearth.ScopeGroup, ID: "row-a"}, {Kind: hearth.ScopeMiner, ID: "none"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Scope.Kind != hearth.ScopeGroup || got[1].Scope.ID != "barn" {
			t.Fatalf("got %+v", got)
		}
		if got[0].Priority != 5 || got[0].State.Locate == nil || !*got[0].State.Locate {
			t.Errorf("group %+v", got[0])
		}
		s := got[1].State
		if len(s.Pools) != 1 || s.Pools[0].Password != "s3cret" || s.Power == nil || s.Power.Watts != 2500 {
			t.Errorf("site state %+v", s)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		r := &hearth.DesiredRecord{Scope: site.Scope, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}}}
		if err := st.Desired.SetDesired(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := st.Desired.FindDesired(ctx, hearth.DesiredFilter{Kind: hearth.ScopeSite})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || len(got[0].State.Pools) != 0 || got[0].State.Power.Mode != hearth.PowerSleep {
			t.Fatalf("after replace %+v", got)
		}
	})

	// Reopened here, not in a subtest, so that the new store lives as long
	// as this test.
	st = st.Reopen(t)
	if got, err := st.Desired.FindDesired(ctx, hearth.DesiredFilter{}); err != nil || len(got) != 2 {
		t.Fatalf("after reopen %v, %v", got, err)
	}

	t.Run("Delete", func(t *testing.T) {
		if err := st.Desired.DeleteDesired(ctx, group.Scope); err != nil {
			t.Fatal(err)
		}
		if err := st.Desired.DeleteDesired(ctx, group.Scope); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Fatalf("second delete err=%v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, r := range []*hearth.DesiredRecord{
			{Scope: hearth.Scope{Kind: "rack", ID: "x"}},
			{Scope: site.Scope, State: hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://p:1", UserPattern: "a.{bay}"}}}},
			{Scope: site.Scope, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerTarget}}},
		} {
			if err := st.Desired.SetDesired(ctx, r); hearth.ErrorCode(err) != hearth.EINVALID {
				t.Errorf("SetDesired(%+v) err=%v, want EINVALID", r, err)
			}
		}
	})
}

func testJournal(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	pools := &hearth.JournalEntry{MinerID: "m1", Actor: "reconciler", Idempotent: true,
		Action: hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{{URL: "stratum+tcp://p:3333", User: "w", Password: "s3cret"}}}}
	reboot := &hearth.JournalEntry{MinerID: "m2", Actor: "ops", Action: hearth.Action{Verb: hearth.VerbReboot}}
	for _, e := range []*hearth.JournalEntry{pools, reboot} {
		if err := st.Journal.AddJournalEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.State != hearth.JournalPending || !e.CreatedAt.Equal(Now) {
			t.Fatalf("added %+v", e)
		}
	}
	if pools.Action.Pools[0].Password != "***" {
		t.Errorf("entry keeps the password in memory: %+v", pools.Action)
	}
	var raw string
	st.QueryRow(t, `SELECT CAST(action AS TEXT) FROM command_journal WHERE miner_id = 'm1'`, &raw)
	if strings.Contains(raw, "s3cret") {
		t.Errorf("journal holds a password: %s", raw)
	}

	reboot.State, reboot.Attempts, reboot.SentAt, reboot.UptimeAtSend = hearth.JournalSent, 1, Now, 3600e9
	if err := st.Journal.UpdateJournalEntry(ctx, reboot); err != nil {
		t.Fatal(err)
	}
	pools.State, pools.Attempts, pools.Error, pools.Code = hearth.JournalFailed, 3, "timeout", hearth.ETIMEOUT
	if err := st.Journal.UpdateJournalEntry(ctx, pools); err != nil {
		t.Fatal(err)
	}

	st = st.Reopen(t)
	inflight, err := st.Journal.FindJournal(ctx, hearth.JournalFilter{States: []hearth.JournalState{hearth.JournalPending, hearth.JournalSent}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inflight) != 1 || inflight[0].ID != reboot.ID {
		t.Fatalf("open entries %+v", inflight)
	}
	e := inflight[0]
	if e.Action.Verb != hearth.VerbReboot || e.Idempotent || e.Attempts != 1 || !e.SentAt.Equal(Now) || e.UptimeAtSend != 3600e9 || e.Actor != "ops" {
		t.Errorf("reboot entry %+v", e)
	}
	all, err := st.Journal.FindJournal(ctx, hearth.JournalFilter{MinerID: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Code != hearth.ETIMEOUT || all[0].State != hearth.JournalFailed || !all[0].Idempotent || all[0].Action.Pools[0].User != "w" {
		t.Errorf("m1 entries %+v", all)
	}
	// A miner's recent history: the newest entries, oldest first.
	later := &hearth.JournalEntry{MinerID: "m1", Actor: "ops", Action: hearth.Action{Verb: hearth.VerbPause}}
	latest := &hearth.JournalEntry{MinerID: "m1", Actor: "ops", Action: hearth.Action{Verb: hearth.VerbResume}}
	for _, e := range []*hearth.JournalEntry{later, latest} {
		if err := st.Journal.AddJournalEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	recent, err := st.Journal.FindJournal(ctx, hearth.JournalFilter{MinerID: "m1", Limit: 2, Newest: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0].ID != later.ID || recent[1].ID != latest.ID {
		t.Errorf("newest two of m1: %+v, want the pause then the resume", recent)
	}
	if first, err := st.Journal.FindJournal(ctx, hearth.JournalFilter{MinerID: "m1", Limit: 1}); err != nil || len(first) != 1 || first[0].ID != pools.ID {
		t.Errorf("oldest of m1: %+v, %v; want the pool change", first, err)
	}
	if err := st.Journal.UpdateJournalEntry(ctx, &hearth.JournalEntry{ID: 999, MinerID: "m1", Action: hearth.Action{Verb: hearth.VerbPause}, State: hearth.JournalApplied}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("update of an unknown entry err=%v, want ENOTFOUND", err)
	}
	if err := st.Journal.AddJournalEntry(ctx, &hearth.JournalEntry{Action: hearth.Action{Verb: hearth.VerbPause}}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("entry without miner err=%v, want EINVALID", err)
	}
}

// Commands to many miners are journalled at once: every entry written
// concurrently is stored with its own ID, and one bad write among them
// (an update of an entry that does not exist) fails alone.
func testJournal_Concurrent(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	const n = 200
	entries := make([]*hearth.JournalEntry, n)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range entries {
		entries[i] = &hearth.JournalEntry{MinerID: fmt.Sprintf("m%03d", i), Actor: "reconciler", Idempotent: true, Action: hearth.Action{Verb: hearth.VerbPause}}
		wg.Go(func() {
			if errs[i] = st.Journal.AddJournalEntry(ctx, entries[i]); errs[i] != nil {
				return
			}
			entries[i].State, entries[i].Attempts = hearth.JournalApplied, 1
			errs[i] = st.Journal.UpdateJournalEntry(ctx, entries[i])
		})
	}
	wg.Go(func() {
		errs[n] = st.Journal.UpdateJournalEntry(ctx, &hearth.JournalEntry{ID: 1 << 40, MinerID: "ghost", Action: hearth.Action{Verb: hearth.VerbPause}, State: hearth.JournalApplied})
	})
	wg.Wait()
	for i, err := range errs[:n] {
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	if hearth.ErrorCode(errs[n]) != hearth.ENOTFOUND {
		t.Errorf("update of an unknown entry among others: %v, want ENOTFOUND", errs[n])
	}
	all, err := st.Journal.FindJournal(ctx, hearth.JournalFilter{Limit: 10 * n})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, e := range all {
		if e.State != hearth.JournalApplied {
			t.Errorf("entry %d of %s is %s, want applied", e.ID, e.MinerID, e.State)
		}
		ids[e.ID] = true
	}
	if len(all) != n || len(ids) != n {
		t.Errorf("%d entries with %d distinct IDs stored, want %d", len(all), len(ids), n)
	}
}
