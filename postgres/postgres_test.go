package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/postgres"
	"github.com/hearth-fleet/hearth/postgres/postgrestest"
	"github.com/hearth-fleet/hearth/storetest"
)

// NewSchemaURL returns the URL of a new, empty database of the test's own.
func NewSchemaURL(tb testing.TB) string {
	tb.Helper()
	return postgrestest.NewURL(tb)
}

// MustOpenDBAt opens the database at u with a clock fixed at
// storetest.Now. It is closed when the test ends.
func MustOpenDBAt(tb testing.TB, u string) *postgres.DB {
	tb.Helper()
	db := postgres.NewDB(u)
	db.Now = func() time.Time { return storetest.Now }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestStore runs the conformance suite that every hearth store passes.
func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) *storetest.Store {
		return openStore(tb, NewSchemaURL(tb))
	})
}

// openStore opens the database at u as a storetest.Store.
func openStore(tb testing.TB, u string) *storetest.Store {
	tb.Helper()
	db := MustOpenDBAt(tb, u)
	return &storetest.Store{
		Miners:      postgres.NewMinerService(db),
		Tokens:      postgres.NewTokenService(db),
		Audit:       postgres.NewAuditService(db),
		Credentials: postgres.NewCredentialService(db, storetest.NewBox(tb)),
		Sites:       postgres.NewSiteService(db),
		Groups:      postgres.NewGroupService(db),
		Positions:   postgres.NewPositionService(db),
		Desired:     postgres.NewDesiredStateService(db, storetest.NewBox(tb)),
		Journal:     postgres.NewJournalService(db),
		Schedules:   postgres.NewScheduleService(db),
		Power:       postgres.NewPowerRequestService(db),
		Programs:    postgres.NewPowerProgramService(db, storetest.NewBox(tb)),
		Receivers:   postgres.NewReceiverService(db, storetest.NewBox(tb)),
		Silences:    postgres.NewSilenceService(db),
		History:     postgres.NewAlertHistoryService(db),
		AlertAcks:   postgres.NewAlertAckService(db),
		Profiles:    postgres.NewProfileService(db),
		SetNow:      func(now func() time.Time) { db.Now = now },
		Reopen: func(tb testing.TB) *storetest.Store {
			now := db.Now
			if err := db.Close(); err != nil {
				tb.Fatal(err)
			}
			st := openStore(tb, u)
			st.SetNow(now)
			return st
		},
		QueryRow: func(tb testing.TB, query string, dest ...any) { postgrestest.QueryRow(tb, u, query, dest...) },
	}
}

// latestSchema is the version of the newest migration hearth ships, and
// migrationCount how many there are.
const (
	latestSchema   = 13
	migrationCount = 13
)

func TestDB_Open(t *testing.T) {
	ctx := context.Background()

	t.Run("MigrationsIdempotentOnReopen", func(t *testing.T) {
		u := NewSchemaURL(t)
		db := MustOpenDBAt(t, u)
		m := &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Hostname: "keep-me"}
		if err := postgres.NewMinerService(db).CreateMiner(ctx, m); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			db.Close()
			db = MustOpenDBAt(t, u)
		}
		if v, err := db.SchemaVersion(ctx); err != nil {
			t.Fatal(err)
		} else if v != latestSchema {
			t.Fatalf("SchemaVersion=%d, want %d", v, latestSchema)
		}
		var applied int
		postgrestest.QueryRow(t, u, `SELECT COUNT(*) FROM schema_migrations`, &applied)
		if applied != migrationCount {
			t.Fatalf("schema_migrations rows=%d, want %d", applied, migrationCount)
		}
		if _, err := postgres.NewMinerService(db).FindMinerByID(ctx, "keep-me"); err != nil {
			t.Fatalf("miner lost across reopen: %v", err)
		}
	})

	t.Run("ConcurrentFirstOpen", func(t *testing.T) {
		// Two hearth processes starting at once on a new database: both
		// open, the schema is made once, one admin token exists.
		u := NewSchemaURL(t)
		const n = 4
		secrets := make(chan bool, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				db := postgres.NewDB(u)
				if err := db.Open(); err != nil {
					t.Error(err)
					return
				}
				defer db.Close()
				_, created, err := postgres.NewTokenService(db).EnsureAdminToken(ctx)
				if err != nil {
					t.Error(err)
				}
				secrets <- created
			})
		}
		wg.Wait()
		close(secrets)
		made := 0
		for created := range secrets {
			if created {
				made++
			}
		}
		if made != 1 {
			t.Fatalf("%d admin tokens made, want 1", made)
		}
	})

	t.Run("ErrNewerSchema", func(t *testing.T) {
		u := NewSchemaURL(t)
		MustOpenDBAt(t, u).Close()
		conn, err := sql.Open("pgx", u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`); err != nil {
			t.Fatal(err)
		}
		if err := postgres.NewDB(u).Open(); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("Open of a newer schema: err=%v, want a refusal", err)
		}
	})

	t.Run("ErrURLRequired", func(t *testing.T) {
		if err := postgres.NewDB("").Open(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("err=%v, want EINVALID", err)
		}
	})

	t.Run("ErrUnreachableHidesPassword", func(t *testing.T) {
		err := postgres.NewDB("postgres://hearth:hunter2@127.0.0.1:1/hearth?connect_timeout=2").Open()
		if hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
			t.Fatalf("err=%v, want EUNAVAILABLE", err)
		}
		if strings.Contains(hearth.ErrorMessage(err), "hunter2") {
			t.Fatalf("the password is in the message: %s", hearth.ErrorMessage(err))
		}
	})
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://u@h/db":           true,
		"postgresql://h:5433/db?x=1":  true,
		"":                            false,
		"/var/lib/hearth/hearth.db":   false,
		"file:/tmp/hearth.db?mode=rw": false,
		"mysql://h/db":                false,
	} {
		if got := postgres.IsURL(s); got != want {
			t.Errorf("IsURL(%q)=%v, want %v", s, got, want)
		}
	}
}

// TestStrangeText checks that text PostgreSQL cannot hold (a NUL byte,
// invalid UTF-8), which SQLite would store, gives EINVALID or ENOTFOUND
// rather than an internal error.
func TestStrangeText(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, NewSchemaURL(t))
	m := &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAxeOS, Hostname: "ok", Model: "Bitaxe\x00Gamma"}
	if err := st.Miners.CreateMiner(ctx, m); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("NUL in a model: err=%v, want EINVALID", err)
	}
	if _, err := st.Miners.FindMinerByID(ctx, "a\xffb"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("invalid UTF-8 ID: err=%v, want ENOTFOUND", err)
	}
	if _, _, err := st.Tokens.CreateToken(ctx, "ci\x00"); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("NUL in a token name: err=%v, want EINVALID", err)
	}
}
