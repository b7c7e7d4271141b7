package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// dialect is how PostgreSQL differs for the services shared with other
// stores (sqlstore): $n placeholders, TIMESTAMPTZ times, SQLSTATE error
// codes and SELECT ... FOR UPDATE to lock rows.
var dialect = sqlstore.Dialect{
	Bind:      sqlstore.DollarPlaceholders,
	Classify:  classify,
	Time:      func(t time.Time) any { return timestamp(t) },
	ForUpdate: " FOR UPDATE",
	// The JSON goes as text and is cast by the server, which checks it.
	JSONParam:  "?::text::jsonb",
	JSONText:   "::text",
	Resolution: time.Microsecond,
	// One array argument instead of one placeholder per value: a list
	// of thousands stays a single statement and never meets the
	// protocol's limit of 65535 parameters.
	MatchAny: func(column string, values []string) (string, any, error) {
		return column + " = ANY(?::text[])", values, nil
	},
	NoLimit: nil, // NULL: no limit
	// The alias gives the element column the name the services use.
	JSONElements: "jsonb_array_elements_text(?::text::jsonb) AS elements (value)",
}

// shared returns db as the shared services see it: one pool for reads and
// writes, with advisory locks for the writes that must not interleave.
func (db *DB) shared() *sqlstore.DB {
	db.sharedOnce.Do(func() { db.sharedDB = db.newShared() })
	return db.sharedDB
}

// newShared builds what shared returns, once per DB.
func (db *DB) newShared() *sqlstore.DB {
	return &sqlstore.DB{
		Read:      func() *sql.DB { return db.db },
		Write:     func() *sql.DB { return db.db },
		BeginRead: db.beginRead,
		BeginWrite: func(ctx context.Context, lock sqlstore.Lock) (*sql.Tx, error) {
			switch lock {
			case sqlstore.NoLock:
				return db.begin(ctx)
			case sqlstore.LockAdminToken:
				return db.beginLocked(ctx, lockAdminToken)
			}
			return nil, fmt.Errorf("begin: unknown lock %d", lock)
		},
		Now:         db.now,
		EnsureSites: ensureSites,
		Dialect:     dialect,
	}
}

// classify tells which rule a PostgreSQL error broke.
func classify(err error) sqlstore.Violation {
	if e := pgError(err); e != nil {
		switch e.Code {
		case codeUniqueViolation:
			// PostgreSQL names a primary key table_pkey unless told
			// otherwise, and hearth's schema never tells it.
			if strings.HasSuffix(e.ConstraintName, "_pkey") {
				return sqlstore.PrimaryKeyViolation
			}
			return sqlstore.UniqueViolation
		case codeForeignKeyViolation:
			return sqlstore.ForeignKeyViolation
		}
	}
	if invalidInput(err) {
		return sqlstore.InvalidValue
	}
	return sqlstore.NoViolation
}
