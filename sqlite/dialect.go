package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hearth-fleet/hearth/internal/sqlstore"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is how SQLite differs for the services shared with other stores
// (sqlstore): '?' placeholders as they are, times as fixed-width text, and
// no row locks, because a write transaction holds the whole database.
var dialect = sqlstore.Dialect{
	Classify:  classify,
	Time:      func(t time.Time) any { return timestamp(t) },
	JSONParam: "?",
	MatchAny:  matchAny,
	NoLimit:   -1,
	// json_each names its element column value.
	JSONElements: "json_each(?)",
}

// shared returns db as the shared services see it. Writes go to the single
// writer connection, reads to the read-only pool.
func (db *DB) shared() *sqlstore.DB {
	db.sharedOnce.Do(func() { db.sharedDB = db.newShared() })
	return db.sharedDB
}

// newShared builds what shared returns, once per DB.
func (db *DB) newShared() *sqlstore.DB {
	return &sqlstore.DB{
		Read:      func() *sql.DB { return db.read },
		Write:     func() *sql.DB { return db.write },
		BeginRead: db.beginRead,
		BeginWrite: func(ctx context.Context, _ sqlstore.Lock) (*sql.Tx, error) {
			return db.beginWrite(ctx)
		},
		Now: db.now,
		EnsureSites: func(ctx context.Context, tx *sql.Tx, names []string, now time.Time) error {
			for _, name := range names {
				if err := ensureSite(ctx, tx, name, now); err != nil {
					return err
				}
			}
			return nil
		},
		Dialect: dialect,
	}
}

// classify tells which constraint a SQLite error broke.
func classify(err error) sqlstore.Violation {
	switch errorCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.PrimaryKeyViolation
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return sqlstore.UniqueViolation
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ForeignKeyViolation
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return sqlstore.InvalidValue
	}
	return sqlstore.NoViolation
}

// matchAny passes values as one JSON array, read back by json_each: a list
// of thousands stays a single, cacheable statement and never meets SQLite's
// limit on variables.
func matchAny(column string, values []string) (string, any, error) {
	list, err := json.Marshal(values)
	if err != nil {
		return "", nil, err
	}
	return column + " IN (SELECT value FROM json_each(?))", string(list), nil
}
