package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func testAuditService(t *testing.T, open Opener) {
	s := open(t).Audit
	ctx := context.Background()
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	first := &hearth.AuditEntry{Time: at, Actor: "admin", Selector: "site=barn",
		Action:  hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{{URL: "stratum+tcp://p:3333", User: "w", Password: "s3cret"}}},
		Results: []hearth.ActionResult{{MinerID: "a1", OK: true}, {MinerID: "a2", Code: hearth.EUNSUPPORTED, Error: "no"}}}
	if err := s.RecordAudit(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := &hearth.AuditEntry{Time: at.Add(time.Minute), Actor: "ops", Selector: "a1", Action: hearth.Action{Verb: hearth.VerbReboot}}
	if err := s.RecordAudit(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindAudit(ctx, hearth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
		t.Fatalf("entries %+v", got)
	}
	e := got[1]
	if !e.Time.Equal(at) || e.Actor != "admin" || e.Selector != "site=barn" || len(e.Results) != 2 || e.Results[1].Code != hearth.EUNSUPPORTED {
		t.Errorf("entry %+v", e)
	}
	if p := e.Action.Pools[0].Password; p != "***" {
		t.Errorf("pool password stored as %q", p)
	}
	if got, _ := s.FindAudit(ctx, hearth.AuditFilter{Limit: 1}); len(got) != 1 || got[0].ID != second.ID {
		t.Errorf("limit 1 gave %d", len(got))
	}
}

// auditIDs returns the IDs of entries, in their order.
func auditIDs(entries []*hearth.AuditEntry) []int64 {
	ids := []int64{}
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	return ids
}

// mustFindAudit returns the entries f keeps, failing the test on error.
func mustFindAudit(tb testing.TB, s hearth.AuditService, f hearth.AuditFilter) []int64 {
	tb.Helper()
	got, err := s.FindAudit(context.Background(), f)
	if err != nil {
		tb.Fatalf("FindAudit(%+v): %v", f, err)
	}
	for _, e := range got {
		if !f.Matches(e) {
			tb.Errorf("FindAudit(%+v) returned entry %d with results %+v", f, e.ID, e.Results)
		}
	}
	return auditIDs(got)
}

// A miner's history holds every entry with a result for it, shared or
// not, newest first, and nothing of other miners; BeforeID pages through
// it and the fleet's log alike.
func testAuditService_ByMiner(t *testing.T, open Opener) {
	s := open(t).Audit
	ctx := context.Background()
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	record := func(sel string, miners ...string) int64 {
		t.Helper()
		e := &hearth.AuditEntry{Time: at, Actor: "ops", Selector: sel, Action: hearth.Action{Verb: hearth.VerbLocateOn}}
		for _, m := range miners {
			e.Results = append(e.Results, hearth.ActionResult{MinerID: m, OK: m != "b"})
		}
		if err := s.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
		return e.ID
	}
	shared := record("3 miners", "a", "b", "c")
	onlyD := record("d", "d")
	onlyA := record("a", "a")
	twice := record("2 results", "c", "c") // the same miner twice: one entry
	none := record("nothing")

	for _, tc := range []struct {
		f    hearth.AuditFilter
		want []int64
	}{
		{hearth.AuditFilter{Miner: "a"}, []int64{onlyA, shared}},
		{hearth.AuditFilter{Miner: "b"}, []int64{shared}},
		{hearth.AuditFilter{Miner: "c"}, []int64{twice, shared}},
		{hearth.AuditFilter{Miner: "d"}, []int64{onlyD}},
		{hearth.AuditFilter{Miner: "e"}, []int64{}},
		{hearth.AuditFilter{Miner: "a", Limit: 1}, []int64{onlyA}},
		{hearth.AuditFilter{Miner: "a", BeforeID: onlyA}, []int64{shared}},
		{hearth.AuditFilter{Miner: "a", BeforeID: shared}, []int64{}},
		{hearth.AuditFilter{}, []int64{none, twice, onlyA, onlyD, shared}},
		{hearth.AuditFilter{Limit: 2}, []int64{none, twice}},
		{hearth.AuditFilter{Limit: 2, BeforeID: twice}, []int64{onlyA, onlyD}},
		{hearth.AuditFilter{BeforeID: onlyD}, []int64{shared}},
		{hearth.AuditFilter{Miner: "a\x00b"}, []int64{}},
	} {
		if got := mustFindAudit(t, s, tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("FindAudit(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}

	// A shared entry found through one miner still holds every miner's
	// result.
	got, err := s.FindAudit(ctx, hearth.AuditFilter{Miner: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := got[0].ResultFor("b"); !ok || r.OK || len(got[0].Results) != 3 || got[0].Selector != "3 miners" {
		t.Errorf("shared entry through b: %+v", got[0])
	}

	// Paging with the smallest ID of each page visits every entry of a
	// miner once.
	var many []int64
	for range 5 {
		many = append(many, record("x", "x", "y"))
		record("y", "y")
	}
	var paged []int64
	for before := int64(0); ; {
		page := mustFindAudit(t, s, hearth.AuditFilter{Miner: "x", Limit: 2, BeforeID: before})
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		before = page[len(page)-1]
	}
	slices.Reverse(many)
	if !slices.Equal(paged, many) {
		t.Errorf("pages of x = %v, want %v", paged, many)
	}
}

// Entries recorded at the same time, sharing group commits, are each filed
// under their own miners.
func testAuditService_Concurrent(t *testing.T, open Opener) {
	s := open(t).Audit
	ctx := context.Background()
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			e := &hearth.AuditEntry{Actor: "reconciler", Selector: "2 miners", Action: hearth.Action{Verb: hearth.VerbReboot},
				Results: []hearth.ActionResult{{MinerID: fmt.Sprintf("m%02d", i), OK: true}, {MinerID: "all", OK: true}}}
			errs <- s.RecordAudit(ctx, e)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		f := hearth.AuditFilter{Miner: fmt.Sprintf("m%02d", i)}
		if got := mustFindAudit(t, s, f); len(got) != 1 {
			t.Errorf("%s has %d entries", f.Miner, len(got))
		}
	}
	if got := mustFindAudit(t, s, hearth.AuditFilter{Miner: "all", Limit: 1000}); len(got) != n {
		t.Errorf("all has %d entries, want %d", len(got), n)
	}
}

// AuditUpgrade checks the upgrade that files audit entries by miner
// (migration 13), for one store: it records a shared and an own entry in
// s, calls upgrade, which must undo the migration (drop audit_miners and
// forget version 13) and open the store again, and checks that the
// upgraded store finds each entry through each miner of its results.
func AuditUpgrade(t *testing.T, s hearth.AuditService, upgrade func() hearth.AuditService) {
	t.Helper()
	ctx := context.Background()
	shared := &hearth.AuditEntry{Actor: "reconciler", Selector: "2 miners", Action: hearth.Action{Verb: hearth.VerbReboot},
		Results: []hearth.ActionResult{{MinerID: "m1", OK: true}, {MinerID: "m2", Code: hearth.ETIMEOUT, Error: "late"}}}
	own := &hearth.AuditEntry{Actor: "ops", Selector: "m2", Action: hearth.Action{Verb: hearth.VerbLocateOn},
		Results: []hearth.ActionResult{{MinerID: "m2", OK: true}}}
	for _, e := range []*hearth.AuditEntry{shared, own} {
		if err := s.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	upgraded := upgrade()
	for miner, want := range map[string][]int64{"m1": {shared.ID}, "m2": {own.ID, shared.ID}, "m3": {}} {
		got, err := upgraded.FindAudit(ctx, hearth.AuditFilter{Miner: miner})
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s after upgrade: entries %v, want %v", miner, ids, want)
		}
	}
}
