package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func testGroupService(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	groups, miners := st.Groups, st.Miners
	for i := range 4 {
		MustCreateMiner(t, miners, SimMiner(i))
	}

	g := &hearth.Group{Name: "curtail first", Description: "Oldest, least efficient"}
	if err := groups.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if !g.CreatedAt.Equal(Now) || g.MinerIDs == nil {
		t.Fatalf("created %+v", g)
	}
	if err := groups.CreateGroup(ctx, &hearth.Group{Name: "curtail first"}); hearth.ErrorCode(err) != hearth.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	if err := groups.CreateGroup(ctx, &hearth.Group{Name: " padded"}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Fatalf("bad name: %v", err)
	}
	if err := groups.CreateGroup(ctx, &hearth.Group{Name: "immersion"}); err != nil {
		t.Fatal(err)
	}

	if err := groups.AddGroupMembers(ctx, "curtail first", []string{"sim-00002", "sim-00000", "sim-00002"}); err != nil {
		t.Fatal(err)
	}
	// All or none: one unknown miner adds nobody.
	err := groups.AddGroupMembers(ctx, "curtail first", []string{"sim-00003", "ghost"})
	if hearth.ErrorCode(err) != hearth.ENOTFOUND || !strings.Contains(hearth.ErrorMessage(err), `"ghost"`) {
		t.Fatalf("unknown miner: %v", err)
	}
	if err := groups.AddGroupMembers(ctx, "nope", []string{"sim-00000"}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("unknown group: %v", err)
	}
	if err := groups.AddGroupMembers(ctx, "curtail first", []string{"nul\x00"}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("a miner ID no store can hold: %v, want not found", err)
	}
	if _, err := groups.FindGroupByName(ctx, "nul\x00"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("a group name no store can hold: %v, want not found", err)
	}
	if err := groups.AddGroupMembers(ctx, "immersion", []string{"sim-00000", "sim-00001"}); err != nil {
		t.Fatal(err)
	}

	got, err := groups.FindGroupByName(ctx, "curtail first")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sim-00000", "sim-00002"}; !reflect.DeepEqual(got.MinerIDs, want) || got.Description != g.Description {
		t.Fatalf("group: %+v, want members %v", got, want)
	}

	// The miner list filters by group.
	ms, total, err := miners.FindMiners(ctx, hearth.MinerFilter{Group: "immersion"})
	if err != nil || total != 2 || ms[0].ID != "sim-00000" || ms[1].ID != "sim-00001" {
		t.Fatalf("FindMiners by group: %d, %v", total, err)
	}

	// Deleting a miner drops its memberships.
	if err := miners.DeleteMiner(ctx, "sim-00000"); err != nil {
		t.Fatal(err)
	}
	if err := groups.RemoveGroupMembers(ctx, "immersion", []string{"sim-00001", "not-a-member"}); err != nil {
		t.Fatal(err)
	}
	if err := groups.RemoveGroupMembers(ctx, "nope", []string{"sim-00001"}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("remove from unknown group: %v", err)
	}
	list, err := groups.FindGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "curtail first" || !reflect.DeepEqual(list[0].MinerIDs, []string{"sim-00002"}) ||
		list[1].Name != "immersion" || len(list[1].MinerIDs) != 0 || list[1].MinerIDs == nil {
		t.Fatalf("groups: %+v %+v", list[0], list[1])
	}

	g.Description = "changed"
	if err := groups.UpdateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := groups.UpdateGroup(ctx, &hearth.Group{Name: "nope"}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("update unknown: %v", err)
	}
	if got, err := groups.FindGroupByName(ctx, "curtail first"); err != nil || got.Description != "changed" {
		t.Fatalf("updated group: %+v, %v", got, err)
	}
	if err := groups.DeleteGroup(ctx, "curtail first"); err != nil {
		t.Fatal(err)
	}
	if err := groups.DeleteGroup(ctx, "curtail first"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("delete again: %v", err)
	}
	if _, err := groups.FindGroupByName(ctx, "curtail first"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("deleted group: %v", err)
	}
	if _, err := miners.FindMinerByID(ctx, "sim-00002"); err != nil {
		t.Fatalf("deleting a group deleted its miner: %v", err)
	}
}
