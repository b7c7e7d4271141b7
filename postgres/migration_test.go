package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/postgres"
	"github.com/hearth-fleet/hearth/storetest"
)

// Upgrading a database whose miners name sites creates those sites, and
// keeps the miners where they were.
func TestMigration_SitesFromMiners(t *testing.T) {
	ctx := context.Background()
	u := NewSchemaURL(t)
	db := MustOpenDBAt(t, u)
	storetest.MustCreateMiner(t, postgres.NewMinerService(db), &hearth.Miner{ID: "m1", Address: "10.0.0.1", Family: hearth.FamilyAntminer, Site: "barn"})
	storetest.MustCreateMiner(t, postgres.NewMinerService(db), &hearth.Miner{ID: "m2", Address: "10.0.0.2", Family: hearth.FamilyAntminer, Site: "barn"})
	storetest.MustCreateMiner(t, postgres.NewMinerService(db), &hearth.Miner{ID: "m3", Address: "10.0.0.3", Family: hearth.FamilyAntminer})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Undo what 0005 did (and 0008, which adds to the sites table) and
	// let Open apply them again, as on an upgrade.
	rawExec(t, u, `DROP TABLE group_members; DROP TABLE miner_groups; DROP TABLE sites; DROP TABLE power_requests;
		ALTER TABLE miners DROP COLUMN pos_row, DROP COLUMN pos_rack, DROP COLUMN pos_shelf, DROP COLUMN pos_slot;
		DELETE FROM schema_migrations WHERE version IN (5, 8)`)
	db = MustOpenDBAt(t, u)
	sites, err := postgres.NewSiteService(db).FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 1 || sites[0].Name != "barn" || sites[0].MinerCount != 2 || sites[0].CreatedAt.IsZero() {
		t.Fatalf("sites after upgrade: %+v", sites)
	}
	if m, err := postgres.NewMinerService(db).FindMinerByID(ctx, "m1"); err != nil || m.Site != "barn" || !m.Position.IsZero() {
		t.Fatalf("m1 after upgrade: %+v, %v", m, err)
	}
}

// rawExec runs statements on the database directly, bypassing the
// package, to set up states only an older hearth could leave.
func rawExec(tb testing.TB, u, statements string) {
	tb.Helper()
	conn, err := sql.Open("pgx", u)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(statements); err != nil {
		tb.Fatalf("%s: %v", statements, err)
	}
}

// Upgrading a database with audit entries files every entry under the
// miners of its results, so that a miner's history reaches back before
// the upgrade.
func TestMigration_AuditMinersFromResults(t *testing.T) {
	u := NewSchemaURL(t)
	db := MustOpenDBAt(t, u)
	storetest.AuditUpgrade(t, postgres.NewAuditService(db), func() hearth.AuditService {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		rawExec(t, u, `DROP TABLE audit_miners; DELETE FROM schema_migrations WHERE version = 13`)
		return postgres.NewAuditService(MustOpenDBAt(t, u))
	})
}
