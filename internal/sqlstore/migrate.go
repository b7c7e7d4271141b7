package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The migration runner is deliberately small and free of any database's
// specifics, so that every store (sqlite/, postgres/) follows the same
// scheme with its own dialect's files: files named NNNN_name.sql, applied in
// version order, each in its own transaction together with its row in
// schema_migrations. A migration is either applied whole or not at all, and
// a database written by a newer hearth is refused rather than misread.

// Conn is what the runner needs of a database: a *sql.DB, or a *sql.Conn
// when the store must hold a session lock (PostgreSQL's advisory lock)
// while migrating.
type Conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// Bind rewrites a statement written with '?' placeholders into a dialect's
// own; nil leaves it as is (SQLite). PostgreSQL passes DollarPlaceholders.
type Bind func(query string) string

// DollarPlaceholders turns the n-th '?' of query into $n, for PostgreSQL.
// The runner's own statements have no '?' inside literals, which is all
// this needs to handle.
func DollarPlaceholders(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrationTimeLayout is how applied_at is written: UTC text of fixed
// width, the same in every dialect so the table is identical everywhere.
const migrationTimeLayout = "2006-01-02T15:04:05.000000000Z"

// Migration is one schema change, read from a file named NNNN_name.sql.
type Migration struct {
	Version int
	Name    string // the file name, kept for the record
	SQL     string
}

// LoadMigrations reads the *.sql files of dir in fsys, ordered by version.
// A file whose name does not start with a version, or two files with the
// same version, is an error: both are mistakes of whoever wrote them.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", base)
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, base, version)
		}
		seen[version] = base
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: version, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Migrate applies the migrations in dir of fsys that db has not seen yet.
// bind adapts the runner's statements to the dialect.
func Migrate(ctx context.Context, db Conn, fsys fs.FS, dir string, bind Bind) error {
	if bind == nil {
		bind = func(q string) string { return q }
	}
	ms, err := LoadMigrations(fsys, dir)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}

	var newest int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	if newest > latest {
		return fmt.Errorf("database schema version %d is newer than this hearth knows (%d); upgrade hearth", newest, latest)
	}

	for _, m := range ms {
		if err := applyMigration(ctx, db, m, bind); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// applyMigration runs m unless it is recorded as applied. The check is made
// inside the transaction, so two processes opening one database at once
// cannot both apply it.
func applyMigration(ctx context.Context, db Conn, m Migration, bind Bind) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var applied int
	if err := tx.QueryRowContext(ctx, bind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&applied); err != nil {
		return err
	}
	if applied > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, bind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.Version, m.Name, time.Now().UTC().Format(migrationTimeLayout)); err != nil {
		return err
	}
	return tx.Commit()
}
