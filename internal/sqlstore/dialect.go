package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Violation is the kind of rule a statement broke, as far as the shared
// services branch on it. Each store classifies its driver's errors into
// these, so that the services give the same answers on every database.
type Violation int

// The violations a Dialect reports.
const (
	// NoViolation is an error that breaks no rule the services know: a
	// lost connection, a cancelled context, or no error at all.
	NoViolation Violation = iota
	// PrimaryKeyViolation is a primary key: a row with that key exists
	// already.
	PrimaryKeyViolation
	// UniqueViolation is another unique constraint, such as a miner's
	// address and port.
	UniqueViolation
	// ForeignKeyViolation is a reference to a row that does not exist,
	// such as a miner deleted while it is being added to a group.
	ForeignKeyViolation
	// InvalidValue is a value the database refuses: a CHECK or NOT NULL
	// constraint, or text it cannot hold (PostgreSQL refuses NUL bytes
	// and invalid UTF-8, which SQLite stores).
	InvalidValue
)

// Lock names a kind of write that must not interleave with another of its
// kind, even in another hearth process on the same database. SQLite needs
// no such lock (its write transactions hold the whole database);
// PostgreSQL maps each to a transaction-scoped advisory lock.
type Lock int

// The locks the shared services take.
const (
	// NoLock is a write that needs no lock beyond the rows it touches.
	NoLock Lock = iota
	// LockAdminToken guards making the first admin token.
	LockAdminToken
)

// Dialect is how one database differs in what the shared services say to
// it: placeholders, errors, times and row locks.
type Dialect struct {
	// Bind rewrites the services' ?-placeholders to the database's own;
	// nil leaves them as they are (SQLite).
	Bind Bind
	// Classify tells which rule err broke.
	Classify func(err error) Violation
	// Time returns t in the form the database stores it (a driver value
	// or a value implementing driver.Valuer). The zero time must be
	// stored as NULL.
	Time func(t time.Time) any
	// ForUpdate is appended to a SELECT that must lock the rows it reads
	// until the transaction ends: " FOR UPDATE" in PostgreSQL, "" in
	// SQLite, whose write transactions already exclude every other
	// writer.
	ForUpdate string
	// JSONParam is the placeholder for JSON passed as text: "?" in SQLite,
	// which stores it as text, and "?::text::jsonb" in PostgreSQL, whose
	// server checks it as it casts.
	JSONParam string
	// JSONText is appended to a JSON column read back as text: "" in
	// SQLite, "::text" in PostgreSQL.
	JSONText string
	// Resolution is the finest time the database keeps: a time a caller
	// gives is cut to it before it is stored, so that the caller sees what
	// a later read returns. 0 keeps every nanosecond (SQLite).
	Resolution time.Duration
	// MatchAny returns a condition that column is one of values, with its
	// one argument: a list of thousands stays a single statement and
	// never meets the database's limit on parameters.
	MatchAny func(column string, values []string) (cond string, arg any, err error)
	// NoLimit is the LIMIT argument that means none: OFFSET needs a LIMIT
	// clause.
	NoLimit any
	// JSONElements is a table of the text elements of a JSON array passed
	// as one text parameter, in a column named value: a list of any
	// length is then one statement, prepared once. "json_each(?)" in
	// SQLite, "jsonb_array_elements_text(?::text::jsonb)" in PostgreSQL.
	JSONElements string
}

// DB is what the shared services need of one store: where to read, where
// to write, how to start transactions, the clock, and the dialect. Each
// store builds one around its own connection pools; the functions are
// called at each use, so a DB may be built before its store is opened.
type DB struct {
	// Read returns the pool for single reads.
	Read func() *sql.DB
	// Write returns the pool for single writes outside a transaction.
	Write func() *sql.DB
	// BeginRead starts a read-only transaction with one snapshot for all
	// its queries.
	BeginRead func(ctx context.Context) (*sql.Tx, error)
	// BeginWrite starts a read-write transaction holding lock until it
	// ends.
	BeginWrite func(ctx context.Context, lock Lock) (*sql.Tx, error)
	// Now returns the current time at the resolution the database keeps,
	// so that a time handed to a caller equals the one read back later.
	Now func() time.Time
	// EnsureSites creates, inside tx, the sites named that need a row and
	// have none (see SiteRequired), so that a stored miner's site always
	// exists; in PostgreSQL it also locks their rows against DeleteSite.
	EnsureSites func(ctx context.Context, tx *sql.Tx, names []string, now time.Time) error
	Dialect

	// commits is shared by every service of the database, so that the
	// journal and audit writes of concurrent commands share one commit
	// rather than queueing one per service for the write lock.
	commits groupCommitter
}

// q returns query with the database's placeholders.
func (d Dialect) q(query string) string {
	if d.Bind == nil {
		return query
	}
	return d.Bind(query)
}

// violates reports whether err broke the rule v.
func (d Dialect) violates(err error, v Violation) bool {
	return err != nil && d.Classify(err) == v
}

// conflicts reports whether err broke a primary key or unique constraint.
func (d Dialect) conflicts(err error) bool {
	return d.violates(err, PrimaryKeyViolation) || d.violates(err, UniqueViolation)
}

// Time reads a time column in any store: SQLite's fixed-width UTC text or
// PostgreSQL's TIMESTAMPTZ. NULL reads as the zero time, meaning "never".
// Times read back are in UTC.
type Time time.Time

// Scan implements sql.Scanner.
func (t *Time) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		*t = Time{}
		return nil
	case time.Time:
		*t = Time(v.UTC())
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("timestamp: cannot scan %T", v)
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*t = Time(parsed.UTC())
	return nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// deleteRow runs query, a DELETE of the one row whose key is key, on the
// write pool. It returns notFound when no row had that key, or when the key
// is a value the database cannot even hold; what names the row in other
// errors ("group \"rack-1\"").
func (db *DB) deleteRow(ctx context.Context, query string, key any, what string, notFound error) error {
	res, err := db.Write().ExecContext(ctx, db.q(query), key)
	if db.violates(err, InvalidValue) {
		return notFound
	} else if err != nil {
		return fmt.Errorf("delete %s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete %s: %w", what, err)
	} else if n == 0 {
		return notFound
	}
	return nil
}
