package sqlite_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sqlite"
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
	ctx := context.Background()
	db := MustOpenDB(t)
	audit := sqlite.NewAuditService(db)
	shared := &hearth.AuditEntry{Actor: "reconciler", Selector: "2 miners", Action: hearth.Action{Verb: hearth.VerbReboot},
		Results: []hearth.ActionResult{{MinerID: "m1", OK: true}, {MinerID: "m2", Code: hearth.ETIMEOUT, Error: "late"}}}
	own := &hearth.AuditEntry{Actor: "ops", Selector: "m2", Action: hearth.Action{Verb: hearth.VerbLocateOn},
		Results: []hearth.ActionResult{{MinerID: "m2", OK: true}}}
	for _, e := range []*hearth.AuditEntry{shared, own} {
		if err := audit.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	path := db.DSN
	MustCloseDB(t, db)

	rawExec(t, path, `DROP TABLE audit_miners; DELETE FROM schema_migrations WHERE version = 13`)
	db = MustOpenDBAt(t, path)
	audit = sqlite.NewAuditService(db)
	for miner, want := range map[string][]int64{"m1": {shared.ID}, "m2": {own.ID, shared.ID}, "m3": {}} {
		got, err := audit.FindAudit(ctx, hearth.AuditFilter{Miner: miner})
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
