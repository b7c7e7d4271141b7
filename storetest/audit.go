package storetest

import (
	"context"
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
	got, err := s.FindAudit(ctx, 0)
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
	if got, _ := s.FindAudit(ctx, 1); len(got) != 1 {
		t.Errorf("limit 1 gave %d", len(got))
	}
}
