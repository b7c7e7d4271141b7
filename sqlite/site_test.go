package sqlite_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sqlite"
)

func TestSiteService(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	sites := sqlite.NewSiteService(db)
	miners := sqlite.NewMinerService(db)

	barn := &hearth.Site{Name: "north-barn", Description: "Old dairy barn", PowerBudget: 500e3, Voltage: 400, Phases: 3,
		MainBreaker: 800, PDULimitCurrent: 32, PDULimitPower: 22e3, TimeZone: "Europe/Oslo"}
	if err := sites.CreateSite(ctx, barn); err != nil {
		t.Fatal(err)
	}
	if !barn.CreatedAt.Equal(testNow) {
		t.Fatalf("CreatedAt=%v", barn.CreatedAt)
	}
	if err := sites.CreateSite(ctx, &hearth.Site{Name: "north-barn"}); hearth.ErrorCode(err) != hearth.ECONFLICT {
		t.Fatalf("duplicate site: %v, want conflict", err)
	}

	t.Run("Invalid", func(t *testing.T) {
		for _, s := range []*hearth.Site{
			{Name: ""},
			{Name: "a/b"},
			{Name: "x", Phases: 2},
			{Name: "x", PowerBudget: -1},
			{Name: "x", TimeZone: "Mars/Olympus"},
			{Name: "x", TimeZone: "Local"},
		} {
			if err := sites.CreateSite(ctx, s); hearth.ErrorCode(err) != hearth.EINVALID {
				t.Errorf("%+v: %v, want invalid", s, err)
			}
		}
	})

	// A miner naming an unknown site creates it; the barn counts its miner.
	MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Site: "north-barn"})
	m := MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.2", Family: hearth.FamilyAntminer, Site: "south-shed"})
	MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.3", Family: hearth.FamilyAntminer})

	list, err := sites.FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "north-barn" || list[0].MinerCount != 1 || list[1].Name != "south-shed" || list[1].MinerCount != 1 {
		t.Fatalf("sites: %+v %+v", list[0], list[len(list)-1])
	}
	got := list[0]
	got.MinerCount = barn.MinerCount
	if *got != *barn {
		t.Fatalf("round trip:\n got  %+v\n want %+v", got, barn)
	}
	if loc := got.Location(); loc.String() != "Europe/Oslo" {
		t.Fatalf("Location=%v", loc)
	}

	// Moving a miner to a new site by UpdateMiner creates that site too.
	m.Site = "west-container"
	if err := miners.UpdateMiner(ctx, m); err != nil {
		t.Fatal(err)
	}
	if s, err := sites.FindSiteByName(ctx, "west-container"); err != nil || s.MinerCount != 1 {
		t.Fatalf("west-container: %+v, %v", s, err)
	}

	// Update keeps the name and creation time.
	shed := &hearth.Site{Name: "south-shed", PowerBudget: 30e3, Phases: 1, Voltage: 230, TimeZone: "UTC"}
	if err := sites.UpdateSite(ctx, shed); err != nil {
		t.Fatal(err)
	} else if got, _ := sites.FindSiteByName(ctx, "south-shed"); got.PowerBudget != 30e3 || got.Phases != 1 || got.MinerCount != 0 {
		t.Fatalf("updated: %+v", got)
	}
	if err := sites.UpdateSite(ctx, &hearth.Site{Name: "nowhere"}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("update unknown: %v", err)
	}

	// A site with miners stays; an empty one goes.
	if err := sites.DeleteSite(ctx, "north-barn"); hearth.ErrorCode(err) != hearth.ECONFLICT {
		t.Fatalf("delete site with miners: %v, want conflict", err)
	}
	if err := sites.DeleteSite(ctx, "south-shed"); err != nil {
		t.Fatal(err)
	}
	if _, err := sites.FindSiteByName(ctx, "south-shed"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("deleted site: %v", err)
	}
	if err := sites.DeleteSite(ctx, "south-shed"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("delete again: %v", err)
	}
}

// Upgrading a database whose miners name sites creates those sites.
func TestMigration_SitesFromMiners(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	miners := sqlite.NewMinerService(db)
	MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Site: "barn"})
	path := db.DSN
	MustCloseDB(t, db)

	// Undo what 0005 did and let Open apply it again, as on an upgrade.
	rawExec(t, path, `DROP TABLE group_members; DROP TABLE miner_groups; DROP TABLE sites;
		ALTER TABLE miners DROP COLUMN pos_row; ALTER TABLE miners DROP COLUMN pos_rack;
		ALTER TABLE miners DROP COLUMN pos_shelf; ALTER TABLE miners DROP COLUMN pos_slot;
		DELETE FROM schema_migrations WHERE version = 5`)
	db = MustOpenDBAt(t, path)
	s, err := sqlite.NewSiteService(db).FindSiteByName(ctx, "barn")
	if err != nil || s.MinerCount != 1 {
		t.Fatalf("barn after upgrade: %+v, %v", s, err)
	}
}

// rawExec runs statements on the database file directly, bypassing the
// package, to set up states only an older hearth could leave.
func rawExec(tb testing.TB, path, statements string) {
	tb.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(statements); err != nil {
		tb.Fatalf("%s: %v", statements, err)
	}
}
