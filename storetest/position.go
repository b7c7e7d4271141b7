package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// ptr returns a pointer to s, for the optional fields of an assignment.
func ptr(s string) *string { return &s }

func testPositionService_ImportPositions(t *testing.T, open Opener) {
	ctx := context.Background()
	setup := func(t *testing.T) (*Store, Miners, hearth.PositionService) {
		st := open(t)
		miners := st.Miners
		MustCreateMiner(t, miners, &hearth.Miner{ID: "a", Address: "10.0.0.1", Family: hearth.FamilyAntminer, MAC: "02:11:22:A1:B2:C3", Site: "barn",
			Position: hearth.Position{Row: "1", Rack: "2", Shelf: "3", Slot: "4"}})
		MustCreateMiner(t, miners, &hearth.Miner{ID: "b", Address: "10.0.0.2", Family: hearth.FamilyAntminer, Serial: "JYZZB3KBCJABC0123"})
		MustCreateMiner(t, miners, &hearth.Miner{ID: "c1", Address: "10.0.0.3", Port: 4028, Family: hearth.FamilyAntminer})
		MustCreateMiner(t, miners, &hearth.Miner{ID: "c2", Address: "10.0.0.3", Port: 4029, Family: hearth.FamilyAntminer})
		return st, miners, st.Positions
	}

	t.Run("DryRunThenApply", func(t *testing.T) {
		st, miners, positions := setup(t)
		as := []*hearth.PositionAssignment{
			{Line: 2, Miner: "02-11-22-a1-b2-c3", Rack: ptr("9")},                                             // by MAC; site and other parts kept
			{Line: 3, Miner: "jyzzb3kbcjabc0123", Site: ptr("shed"), Row: ptr("A"), Slot: ptr("1")},           // by serial; new site
			{Line: 4, Miner: "c1", Site: ptr(""), Row: ptr(""), Rack: ptr(""), Shelf: ptr(""), Slot: ptr("")}, // nothing changes
		}
		dry, err := positions.ImportPositions(ctx, as, true)
		if err != nil {
			t.Fatal(err)
		}
		want := &hearth.PositionImport{DryRun: true, Unchanged: 1, SitesCreated: []string{"shed"}, Changes: []*hearth.PositionChange{
			{Line: 2, MinerID: "a",
				Before: hearth.SitePosition{Site: "barn", Position: hearth.Position{Row: "1", Rack: "2", Shelf: "3", Slot: "4"}},
				After:  hearth.SitePosition{Site: "barn", Position: hearth.Position{Row: "1", Rack: "9", Shelf: "3", Slot: "4"}}},
			{Line: 3, MinerID: "b", After: hearth.SitePosition{Site: "shed", Position: hearth.Position{Row: "A", Slot: "1"}}},
		}}
		if !reflect.DeepEqual(dry, want) {
			t.Fatalf("dry run:\n got  %+v\n want %+v", dry, want)
		}
		if m, _ := miners.FindMinerByID(ctx, "b"); m.Site != "" || !m.Position.IsZero() {
			t.Fatalf("dry run changed b: %+v", m)
		}

		done, err := positions.ImportPositions(ctx, as, false)
		if err != nil {
			t.Fatal(err)
		}
		want.DryRun = false
		if !reflect.DeepEqual(done, want) {
			t.Fatalf("import:\n got  %+v\n want %+v", done, want)
		}
		m, _ := miners.FindMinerByID(ctx, "b")
		if m.Site != "shed" || m.Position != (hearth.Position{Row: "A", Slot: "1"}) {
			t.Fatalf("b after import: %+v", m)
		}
		if m, _ := miners.FindMinerByID(ctx, "a"); m.Site != "barn" || m.Position.Rack != "9" || m.Position.Row != "1" {
			t.Fatalf("a after import: %+v", m)
		}
		if s, err := st.Sites.FindSiteByName(ctx, "shed"); err != nil || s.MinerCount != 1 {
			t.Fatalf("site shed: %+v, %v", s, err)
		}

		// The same file again changes nothing.
		again, err := positions.ImportPositions(ctx, as, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Changes) != 0 || again.Unchanged != 3 || len(again.SitesCreated) != 0 {
			t.Fatalf("second import: %+v", again)
		}
	})

	t.Run("AllOrNothing", func(t *testing.T) {
		for _, tc := range []struct {
			name, want string
			bad        *hearth.PositionAssignment
		}{
			{"UnknownMiner", "Line 7: No miner has", &hearth.PositionAssignment{Line: 7, Miner: "ghost", Row: ptr("1")}},
			{"AmbiguousAddress", "Line 7: \"10.0.0.3\" is the address of several miners (c1, c2)", &hearth.PositionAssignment{Line: 7, Miner: "10.0.0.3"}},
			{"Twice", "Line 7: miner \"a\" is placed already by line 2", &hearth.PositionAssignment{Line: 7, Miner: "10.0.0.1"}},
			{"LongSlot", "Line 7: Position slot", &hearth.PositionAssignment{Line: 7, Miner: "b", Slot: ptr(strings.Repeat("9", 33))}},
			{"BadSite", "Line 7: Site name", &hearth.PositionAssignment{Line: 7, Miner: "b", Site: ptr("a/b")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, miners, positions := setup(t)
				as := []*hearth.PositionAssignment{{Line: 2, Miner: "a", Row: ptr("new")}, tc.bad}
				_, err := positions.ImportPositions(ctx, as, false)
				if hearth.ErrorCode(err) != hearth.EINVALID || !strings.HasPrefix(hearth.ErrorMessage(err), tc.want) {
					t.Fatalf("err=%v, want invalid starting %q", err, tc.want)
				}
				if m, _ := miners.FindMinerByID(ctx, "a"); m.Position.Row != "1" {
					t.Fatalf("a failed import changed a: %+v", m.Position)
				}
			})
		}
	})
}
