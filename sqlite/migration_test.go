package sqlite_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// Upgrading a database whose miners name sites creates those sites.
func TestMigration_SitesFromMiners(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	miners := sqlite.NewMinerService(db)
	MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Site: "barn"})
	path := db.DSN
	MustCloseDB(t, db)

	// Undo what 0005 did (and 0008, which adds to the sites table) and
	// let Open apply them again, as on an upgrade.
	rawExec(t, path, `DROP TABLE group_members; DROP TABLE miner_groups; DROP TABLE sites; DROP TABLE power_requests;
		ALTER TABLE miners DROP COLUMN pos_row; ALTER TABLE miners DROP COLUMN pos_rack;
		ALTER TABLE miners DROP COLUMN pos_shelf; ALTER TABLE miners DROP COLUMN pos_slot;
		DELETE FROM schema_migrations WHERE version IN (5, 8)`)
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

// Upgrading a database with audit entries files every entry under the
// miners of its results, so that a miner's history reaches back before
// the upgrade.
func TestMigration_AuditMinersFromResults(t *testing.T) {
	db := MustOpenDB(t)
	storetest.AuditUpgrade(t, sqlite.NewAuditService(db), func() hearth.AuditService {
		path := db.DSN
		MustCloseDB(t, db)
		rawExec(t, path, `DROP TABLE audit_miners; DELETE FROM schema_migrations WHERE version = 13`)
		return sqlite.NewAuditService(MustOpenDBAt(t, path))
	})
}
