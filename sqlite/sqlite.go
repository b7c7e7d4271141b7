// Package sqlite is hearth's relational store on SQLite: the miner inventory
// with sites, groups and positions, API tokens and small settings. It is the
// only package that imports a SQLite driver (modernc.org/sqlite, pure Go, so
// hearth builds without cgo).
//
// A DB holds two connection pools on one file: a single writer connection,
// because SQLite allows one writer at a time and queuing writers in Go is
// cheaper than having them spin on SQLITE_BUSY, and a pool of read-only
// connections that WAL mode lets run beside the writer. Every commit is
// fsynced (synchronous=FULL), so a change the caller was told about survives
// a crash of the process or of the machine.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
	"modernc.org/sqlite"
)

// migrationFS holds the schema migrations, applied in order by Open.
//
//go:embed migration/*.sql
var migrationFS embed.FS

// busyTimeout is how long a statement waits for a lock held by another
// connection (another hearth process, or the sqlite3 shell) before failing.
const busyTimeout = 5 * time.Second

// DB is a hearth database on one SQLite file.
type DB struct {
	write *sql.DB // exactly one connection: all writes queue here
	read  *sql.DB // read-only connections for queries

	// DSN is a file path ("/var/lib/hearth/hearth.db") or a SQLite URI
	// ("file:/var/lib/hearth/hearth.db?mode=rwc"). Open adds the pragmas
	// hearth relies on; parameters given here apply after them.
	DSN string

	// Now returns the current time. Tests replace it to control timestamps.
	Now func() time.Time

	// sharedDB is the view the shared services use, one per DB so that
	// they share its group commits.
	sharedOnce sync.Once
	sharedDB   *sqlstore.DB
}

// NewDB returns a DB for the given file path or SQLite URI. Call Open before
// use.
func NewDB(dsn string) *DB {
	return &DB{DSN: dsn, Now: time.Now}
}

// Open opens the database, creating the file and its directory when missing,
// and brings the schema up to date.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return hearth.Errorf(hearth.EINVALID, "Database path required.")
	}
	if db.DSN == ":memory:" || strings.Contains(db.DSN, "mode=memory") {
		// The writer and the readers would each see their own empty
		// database.
		return hearth.Errorf(hearth.EINVALID, "In-memory SQLite databases are not supported; give a file path.")
	}
	if !strings.HasPrefix(db.DSN, "file:") {
		if strings.Contains(db.DSN, "?") {
			return hearth.Errorf(hearth.EINVALID, "Database path %q contains '?'; use a file: URI to pass parameters.", db.DSN)
		}
		if err := os.MkdirAll(filepath.Dir(db.DSN), 0o700); err != nil {
			return fmt.Errorf("create database directory: %w", err)
		}
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()

	// The writer sets the journal mode: WAL is a property of the file and
	// persists, so readers opened afterwards find it set. FULL makes every
	// commit fsync the WAL, which is what lets a caller trust an
	// acknowledged write; NORMAL could lose the last commits on power loss.
	// Transactions start IMMEDIATE so that a read-then-write transaction
	// never fails half-way with SQLITE_BUSY when another process writes.
	busy := fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout.Milliseconds())
	if db.write, err = sql.Open("sqlite", withParams(db.DSN,
		busy,
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
		"_txlock=immediate",
	)); err != nil {
		return fmt.Errorf("open database %s: %w", db.DSN, err)
	}
	db.write.SetMaxOpenConns(1)

	ctx := context.Background()
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("open database %s: %w", db.DSN, err)
	}
	if err := migrate(ctx, db.write, migrationFS, "migration"); err != nil {
		return fmt.Errorf("migrate database %s: %w", db.DSN, err)
	}

	// query_only makes a write sent to the read pool by mistake fail
	// loudly instead of racing the writer.
	if db.read, err = sql.Open("sqlite", withParams(db.DSN,
		busy,
		"_pragma=foreign_keys(1)",
		"_pragma=query_only(1)",
	)); err != nil {
		return fmt.Errorf("open database %s: %w", db.DSN, err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	db.read.SetMaxOpenConns(readers)
	db.read.SetMaxIdleConns(readers)
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("open database %s: %w", db.DSN, err)
	}
	return nil
}

// Close closes both connection pools. Every acknowledged write is already on
// disk, so Close is about releasing files, not about saving data.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
		db.read = nil
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
		db.write = nil
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", db.DSN, err)
	}
	return nil
}

// SchemaVersion returns the version of the newest migration applied, for
// diagnostics and support.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// beginWrite starts a transaction on the writer connection. It takes the
// write lock at once (IMMEDIATE), so the transaction sees the latest data
// and cannot fail on a lock upgrade later.
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return tx, nil
}

// beginRead starts a read-only transaction, giving several queries one
// consistent snapshot (a page of miners and their total count, say).
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return tx, nil
}

// now returns the current time in UTC without a monotonic reading, the form
// in which times are stored and read back.
func (db *DB) now() time.Time {
	now := time.Now
	if db.Now != nil {
		now = db.Now
	}
	return now().UTC().Round(0)
}

// migrate applies the migrations in dir of fsys that db has not seen yet,
// with the runner every store shares.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	return sqlstore.Migrate(ctx, db, fsys, dir, nil)
}

// withParams appends driver parameters to dsn. Parameters already in dsn go
// last, so that a _pragma the user gave overrides hearth's default.
func withParams(dsn string, params ...string) string {
	base, query, _ := strings.Cut(dsn, "?")
	s := base + "?" + strings.Join(params, "&")
	if query != "" {
		s += "&" + query
	}
	return s
}

// errorCode returns the extended SQLite result code of err, or 0 when err
// did not come from SQLite.
func errorCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}
