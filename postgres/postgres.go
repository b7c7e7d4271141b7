// Package postgres is hearth's relational store on PostgreSQL, for
// deployments that outgrow one machine's SQLite file or already run a
// PostgreSQL server: the same miner inventory, API tokens, audit log and
// miner credentials as package sqlite, with the same schema written in
// PostgreSQL's dialect and the same answers to the same calls. It is the
// only package that imports a PostgreSQL driver (github.com/jackc/pgx/v5,
// through database/sql).
//
// Where SQLite serialises every write on one connection, PostgreSQL runs
// writers side by side; the two operations whose correctness relies on
// seeing every earlier write (choosing free miner IDs, making the first
// admin token) take a transaction-scoped advisory lock instead.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// migrationFS holds the schema migrations, applied in order by Open.
//
//go:embed migration/*.sql
var migrationFS embed.FS

// Advisory lock keys, one per kind of write that must not interleave with
// another of its kind. They are arbitrary constants, fixed so that every
// hearth process on one database agrees on them.
const (
	lockMigrate    int64 = 0x6865_6172_7468_0001 // "hearth" 1: schema migrations
	lockMinerIDs   int64 = 0x6865_6172_7468_0002 // choosing and inserting miner IDs
	lockAdminToken int64 = 0x6865_6172_7468_0003 // making the first admin token
	lockPositions  int64 = 0x6865_6172_7468_0004 // importing positions
)

// maxOpenConns bounds the connections one hearth process holds, leaving
// room on a server whose max_connections (100 by default) is shared.
const maxOpenConns = 16

// DB is a hearth database on a PostgreSQL server.
type DB struct {
	db *sql.DB

	// URL names the server and database:
	// postgres://user:password@host:5432/hearth?sslmode=verify-full, or
	// any connection string libpq accepts. Parameters such as
	// search_path pass through to the server.
	URL string

	// Now returns the current time. Tests replace it to control timestamps.
	Now func() time.Time

	// sharedDB is the view the shared services use, one per DB so that
	// they share its group commits.
	sharedOnce sync.Once
	sharedDB   *sqlstore.DB
}

// NewDB returns a DB for the given connection URL. Call Open before use.
func NewDB(url string) *DB {
	return &DB{URL: url, Now: time.Now}
}

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://), which is how a --db setting chooses this store.
func IsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql")
}

// Open connects to the server and brings the schema up to date.
func (db *DB) Open() (err error) {
	if db.URL == "" {
		return hearth.Errorf(hearth.EINVALID, "Database URL required.")
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if db.db, err = sql.Open("pgx", db.URL); err != nil {
		return fmt.Errorf("open database %s: %w", db.name(), err)
	}
	db.db.SetMaxOpenConns(maxOpenConns)
	db.db.SetMaxIdleConns(maxOpenConns)
	db.db.SetConnMaxIdleTime(5 * time.Minute)

	ctx := context.Background()
	if err := db.db.PingContext(ctx); err != nil {
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Cannot reach the database %s: %v", db.name(), err)
	}
	if err := db.migrate(ctx, migrationFS, "migration"); err != nil {
		return fmt.Errorf("migrate database %s: %w", db.name(), err)
	}
	return nil
}

// migrate applies the migrations in dir of fsys, holding a session-level
// advisory lock so that two hearth processes starting at once on a new
// database do not both try to create the tables.
func (db *DB) migrate(ctx context.Context, fsys fs.FS, dir string) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockMigrate); err != nil {
		return fmt.Errorf("lock for migration: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockMigrate)
	return sqlstore.Migrate(ctx, conn, fsys, dir, sqlstore.DollarPlaceholders)
}

// Close closes the connection pool. Every acknowledged write is committed
// on the server, so Close is about releasing connections.
func (db *DB) Close() error {
	if db.db == nil {
		return nil
	}
	err := db.db.Close()
	db.db = nil
	if err != nil {
		return fmt.Errorf("close database %s: %w", db.name(), err)
	}
	return nil
}

// SchemaVersion returns the version of the newest migration applied, for
// diagnostics and support.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// name is the URL with its password hidden, for messages and logs.
func (db *DB) name() string {
	u, err := url.Parse(db.URL)
	if err != nil || u.Scheme == "" {
		return "(unparsable PostgreSQL URL)"
	}
	return u.Redacted()
}

// begin starts a read-write transaction.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return tx, nil
}

// beginLocked starts a transaction that holds the advisory lock key until
// it ends, so that the check-then-write it does cannot interleave with
// another of its kind, here or in another hearth process.
func (db *DB) beginLocked(ctx context.Context, key int64) (*sql.Tx, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("lock: %w", err)
	}
	return tx, nil
}

// beginRead starts a read-only transaction with one snapshot for all its
// queries (a page of miners and their total count, say).
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return tx, nil
}

// now returns the current time in UTC at PostgreSQL's resolution (one
// microsecond), so that a time handed back to a caller equals the one read
// back later.
func (db *DB) now() time.Time {
	now := time.Now
	if db.Now != nil {
		now = db.Now
	}
	return now().UTC().Truncate(time.Microsecond)
}

// PostgreSQL error codes hearth branches on (Appendix A of its manual).
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	codeNotNullViolation    = "23502"
	codeBadEncoding         = "22021" // text with a NUL byte or invalid UTF-8
	codeUntranslatable      = "22P05"
)

// pgError returns the server's error inside err, or nil.
func pgError(err error) *pgconn.PgError {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// invalidInput reports whether err is the server refusing a value that
// SQLite would have taken: text with a NUL byte or invalid UTF-8, a
// constraint a field breaks.
func invalidInput(err error) bool {
	e := pgError(err)
	if e == nil {
		return false
	}
	switch e.Code {
	case codeCheckViolation, codeNotNullViolation, codeBadEncoding, codeUntranslatable:
		return true
	}
	return false
}
