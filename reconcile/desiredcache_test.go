package reconcile_test

import (
	"context"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
)

// countingDesired is an in-memory hearth.DesiredStateService that counts
// the reads reaching it.
type countingDesired struct {
	records map[hearth.Scope]*hearth.DesiredRecord
	reads   int
}

func (d *countingDesired) SetDesired(_ context.Context, r *hearth.DesiredRecord) error {
	d.records[r.Scope] = r
	return nil
}

func (d *countingDesired) DeleteDesired(_ context.Context, sc hearth.Scope) error {
	delete(d.records, sc)
	return nil
}

func (d *countingDesired) FindDesired(_ context.Context, f hearth.DesiredFilter) ([]*hearth.DesiredRecord, error) {
	d.reads++
	var out []*hearth.DesiredRecord
	for _, k := range []hearth.Scope{{Kind: hearth.ScopeGroup, ID: "hall-1"}, {Kind: hearth.ScopeSite, ID: "barn"}, {Kind: hearth.ScopeSite, ID: "shed"}} {
		if r, ok := d.records[k]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// The reconciler's many lookups read the store once; a change through the
// cache is seen by the next lookup.
func TestCachedDesired(t *testing.T) {
	ctx := context.Background()
	barn := hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}
	hall := hearth.Scope{Kind: hearth.ScopeGroup, ID: "hall-1"}
	store := &countingDesired{records: map[hearth.Scope]*hearth.DesiredRecord{
		barn: {Scope: barn, State: hearth.DesiredState{Locate: new(bool)}},
		hall: {Scope: hall, Priority: 3},
	}}
	c := &reconcile.CachedDesired{DesiredStateService: store}
	for range 100 {
		got, err := c.FindDesired(ctx, hearth.DesiredFilter{Scopes: []hearth.Scope{barn, {Kind: hearth.ScopeMiner, ID: "sim-00001"}}})
		if err != nil || len(got) != 1 || got[0].Scope != barn {
			t.Fatalf("barn's records: %v, %v", got, err)
		}
	}
	if got, _ := c.FindDesired(ctx, hearth.DesiredFilter{Kind: hearth.ScopeGroup}); len(got) != 1 || got[0].Priority != 3 {
		t.Fatalf("groups: %v", got)
	}
	if store.reads != 1 {
		t.Errorf("%d reads of the store for 101 lookups, want 1", store.reads)
	}
	shed := hearth.Scope{Kind: hearth.ScopeSite, ID: "shed"}
	if err := c.SetDesired(ctx, &hearth.DesiredRecord{Scope: shed}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.FindDesired(ctx, hearth.DesiredFilter{Scopes: []hearth.Scope{shed}}); len(got) != 1 || store.reads != 2 {
		t.Errorf("after a change: %v, %d reads", got, store.reads)
	}
	if err := c.DeleteDesired(ctx, shed); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.FindDesired(ctx, hearth.DesiredFilter{Scopes: []hearth.Scope{shed}}); len(got) != 0 {
		t.Errorf("after removal: %v", got)
	}
}
