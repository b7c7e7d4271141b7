package reconcile_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
)

// groupStore is an in-memory hearth.GroupService that counts reads.
type groupStore struct {
	hearth.GroupService
	groups []*hearth.Group
	reads  int
}

func (g *groupStore) FindGroups(context.Context) ([]*hearth.Group, error) {
	g.reads++
	return g.groups, nil
}

func (g *groupStore) AddGroupMembers(_ context.Context, name string, ids []string) error {
	for _, gr := range g.groups {
		if gr.Name == name {
			gr.MinerIDs = append(gr.MinerIDs, ids...)
		}
	}
	return nil
}

// The index reads the groups once per TTL, answers every miner from that
// reading, and a membership change made through Watch counts at once.
func TestGroupIndex(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	store := &groupStore{groups: []*hearth.Group{
		{Name: "hall-1", MinerIDs: []string{"a", "b"}},
		{Name: "oldest", MinerIDs: []string{"b"}},
	}}
	x := &reconcile.GroupIndex{Groups: store, TTL: time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	for id, want := range map[string][]string{"a": {"hall-1"}, "b": {"hall-1", "oldest"}, "c": nil} {
		if got, err := x.GroupsOf(ctx, id); err != nil || !slices.Equal(got, want) {
			t.Errorf("GroupsOf(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	if store.reads != 1 {
		t.Errorf("%d reads of the groups for three miners, want 1", store.reads)
	}
	if err := x.Watch(store).AddGroupMembers(ctx, "oldest", []string{"c"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.GroupsOf(ctx, "c"); !slices.Equal(got, []string{"oldest"}) || store.reads != 2 {
		t.Errorf("after a change through Watch: %v, %d reads", got, store.reads)
	}
	now = now.Add(2 * time.Minute)
	x.GroupsOf(ctx, "a")
	if store.reads != 3 {
		t.Errorf("after the TTL: %d reads, want 3", store.reads)
	}
}
