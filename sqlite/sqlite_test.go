package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// MustOpenDB returns an open database in a new temporary directory, with a
// clock fixed at storetest.Now. It is closed when the test ends.
func MustOpenDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return MustOpenDBAt(tb, filepath.Join(tb.TempDir(), "hearth.db"))
}

// MustOpenDBAt opens the database at dsn, with a clock fixed at storetest.Now. It
// is closed when the test ends.
func MustOpenDBAt(tb testing.TB, dsn string) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(dsn)
	db.Now = func() time.Time { return storetest.Now }
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustCloseDB closes db and fails the test when that fails.
func MustCloseDB(tb testing.TB, db *sqlite.DB) {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
}

// MustReopenDB closes db and opens its file again, as a restart would.
func MustReopenDB(tb testing.TB, db *sqlite.DB) *sqlite.DB {
	tb.Helper()
	MustCloseDB(tb, db)
	return MustOpenDBAt(tb, db.DSN)
}

// rawQuery runs one query returning one row on the database file directly,
// bypassing the package, to check what is really on disk.
func rawQuery(tb testing.TB, path, query string, dest ...any) {
	tb.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow(query).Scan(dest...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// TestStore runs the conformance suite that every hearth store passes.
func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) *storetest.Store {
		return openStore(tb, filepath.Join(tb.TempDir(), "hearth.db"))
	})
}

// openStore opens the database at path as a storetest.Store.
func openStore(tb testing.TB, path string) *storetest.Store {
	tb.Helper()
	db := MustOpenDBAt(tb, path)
	return &storetest.Store{
		Miners:      sqlite.NewMinerService(db),
		Tokens:      sqlite.NewTokenService(db),
		Audit:       sqlite.NewAuditService(db),
		Credentials: sqlite.NewCredentialService(db, storetest.NewBox(tb)),
		Sites:       sqlite.NewSiteService(db),
		Groups:      sqlite.NewGroupService(db),
		Positions:   sqlite.NewPositionService(db),
		Desired:     sqlite.NewDesiredStateService(db, storetest.NewBox(tb)),
		Journal:     sqlite.NewJournalService(db),
		Schedules:   sqlite.NewScheduleService(db),
		Power:       sqlite.NewPowerRequestService(db),
		Programs:    sqlite.NewPowerProgramService(db, storetest.NewBox(tb)),
		Receivers:   sqlite.NewReceiverService(db, storetest.NewBox(tb)),
		Silences:    sqlite.NewSilenceService(db),
		History:     sqlite.NewAlertHistoryService(db),
		AlertAcks:   sqlite.NewAlertAckService(db),
		Profiles:    sqlite.NewProfileService(db),
		SetNow:      func(now func() time.Time) { db.Now = now },
		Reopen: func(tb testing.TB) *storetest.Store {
			now := db.Now
			MustCloseDB(tb, db)
			st := openStore(tb, path)
			st.SetNow(now)
			return st
		},
		QueryRow: func(tb testing.TB, query string, dest ...any) { rawQuery(tb, path, query, dest...) },
	}
}

// BenchmarkMinerService_CreateMiners20000 measures adding 20,000 simulated
// miners in one batch to an empty database, as `hearth bench` does.
func BenchmarkMinerService_CreateMiners20000(b *testing.B) {
	const n = 20000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := sqlite.NewMinerService(MustOpenDB(b))
		ms := make([]*hearth.Miner, n)
		for i := range ms {
			ms[i] = storetest.SimMiner(i)
		}
		b.StartTimer()
		if err := s.CreateMiners(ctx, ms); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "miners/s")
}

// FuzzTokenService_Authenticate checks that no string sent as a credential
// (they come straight from HTTP headers) is accepted or makes Authenticate
// fail with anything but EUNAUTHORIZED.
func FuzzTokenService_Authenticate(f *testing.F) {
	f.Add("")
	f.Add("hth_")
	f.Add("hth_" + strings.Repeat("a", 52))
	f.Add("Bearer hth_abc")
	f.Add(strings.Repeat("\xff", 56))

	s := sqlite.NewTokenService(MustOpenDB(f))
	if _, _, err := s.CreateToken(context.Background(), "real"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		if tok, err := s.Authenticate(context.Background(), secret); hearth.ErrorCode(err) != hearth.EUNAUTHORIZED {
			t.Fatalf("Authenticate(%q)=%v, %v; want EUNAUTHORIZED", secret, tok, err)
		}
	})
}

// latestSchema is the version of the newest migration hearth ships, and
// migrationCount how many there are.
const (
	latestSchema   = 13
	migrationCount = 13
)

func TestDB_Open(t *testing.T) {
	t.Run("CreatesDirectoryAndSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state", "nested", "hearth.db")
		db := MustOpenDBAt(t, path)
		if v, err := db.SchemaVersion(context.Background()); err != nil {
			t.Fatal(err)
		} else if v != latestSchema {
			t.Fatalf("SchemaVersion=%d, want %d", v, latestSchema)
		}
		var mode string
		rawQuery(t, path, `PRAGMA journal_mode`, &mode)
		if mode != "wal" {
			t.Fatalf("journal_mode=%q, want wal", mode)
		}
	})

	t.Run("FileURI", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hearth.db")
		db := MustOpenDBAt(t, "file:"+path+"?mode=rwc")
		m := &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAxeOS}
		if err := sqlite.NewMinerService(db).CreateMiner(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		var n int
		rawQuery(t, path, `SELECT COUNT(*) FROM miners`, &n)
		if n != 1 {
			t.Fatalf("miners on disk=%d, want 1", n)
		}
	})

	t.Run("MigrationsIdempotentOnReopen", func(t *testing.T) {
		db := MustOpenDB(t)
		m := &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Hostname: "keep-me"}
		if err := sqlite.NewMinerService(db).CreateMiner(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			db = MustReopenDB(t, db)
		}
		if v, err := db.SchemaVersion(context.Background()); err != nil {
			t.Fatal(err)
		} else if v != latestSchema {
			t.Fatalf("SchemaVersion=%d, want %d", v, latestSchema)
		}
		var applied int
		rawQuery(t, db.DSN, `SELECT COUNT(*) FROM schema_migrations`, &applied)
		if applied != migrationCount {
			t.Fatalf("schema_migrations rows=%d, want %d", applied, migrationCount)
		}
		if _, err := sqlite.NewMinerService(db).FindMinerByID(context.Background(), "keep-me"); err != nil {
			t.Fatalf("miner lost across reopen: %v", err)
		}
	})

	t.Run("ErrNewerSchema", func(t *testing.T) {
		db := MustOpenDB(t)
		MustCloseDB(t, db)
		conn, err := sql.Open("sqlite", db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if err := sqlite.NewDB(db.DSN).Open(); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("Open of a newer schema: err=%v, want a refusal", err)
		}
	})

	t.Run("ErrPathRequired", func(t *testing.T) {
		if err := sqlite.NewDB("").Open(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("err=%v, want EINVALID", err)
		}
	})

	t.Run("ErrInMemory", func(t *testing.T) {
		if err := sqlite.NewDB(":memory:").Open(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("err=%v, want EINVALID", err)
		}
	})
}

// crashChildEnv, when set, makes TestDB_SurvivesKill act as the child
// process that is killed: it holds the database path.
const crashChildEnv = "HEARTH_SQLITE_CRASH_CHILD"

// TestDB_SurvivesKill checks that every write hearth acknowledged is on disk
// even when the process dies without closing the database. A child process
// (this test binary, re-executed) adds miners in a loop and prints each ID
// once CreateMiner has returned; the parent SIGKILLs it mid-stream, reopens
// the file and looks for every acknowledged miner.
func TestDB_SurvivesKill(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		runCrashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}

	path := filepath.Join(t.TempDir(), "hearth.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestDB_SurvivesKill$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	var acked []string
	killed := false
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		id, ok := strings.CutPrefix(lines.Text(), "acked ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) == 50 && !killed {
			// Lines already in the pipe were acknowledged too; keep
			// reading them after the kill.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child stopped after %d acknowledged writes: %v", len(acked), err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL file after the kill, so the child did not die with the database open: %v", err)
	}

	db := MustOpenDBAt(t, path)
	miners := sqlite.NewMinerService(db)
	for _, id := range acked {
		if _, err := miners.FindMinerByID(context.Background(), id); err != nil {
			t.Errorf("acknowledged miner %s lost: %v", id, err)
		}
	}
	t.Logf("%d acknowledged miners survived SIGKILL", len(acked))
}

// runCrashChild adds miners to the database at path until it is killed,
// printing each ID after CreateMiner returns.
func runCrashChild(path string) {
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	miners := sqlite.NewMinerService(db)
	for i := 0; ; i++ {
		m := &hearth.Miner{
			Address:  fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256),
			Family:   hearth.FamilyAntminer,
			Hostname: fmt.Sprintf("crash-%06d", i),
		}
		if err := miners.CreateMiner(context.Background(), m); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("acked %s\n", m.ID)
	}
}

// MustCreateMiner is the store suite's helper, for the SQLite-only tests.
var MustCreateMiner = storetest.MustCreateMiner
