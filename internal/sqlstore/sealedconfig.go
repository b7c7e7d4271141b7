package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// sealedConfigs is what the stores of configured integrations share
// (power programs, alert receivers): rows named by a unique name, each
// with kind-specific settings and a secret sealed with box. Lists show the
// secret as "***"; the runner of one reads it opened; a write of "***"
// keeps the stored secret and an empty one removes it.
type sealedConfigs struct {
	db  *DB
	box Sealer
	// table is the table; what names a row in messages ("Power program").
	table, what string
}

// scanRow reads one row and returns its sealed secret.
type scanRow[T any] func(row rowScanner) (T, []byte, error)

// findAll runs query (its rows ordered) and scans each row with scan,
// redacting the secrets with redact.
func findAll[T any](ctx context.Context, c sealedConfigs, query string, scan scanRow[T], redact func(T)) ([]T, error) {
	rows, err := c.db.Read().QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("find %ss: %w", c.what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, sealed, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("find %ss: %w", c.what, err)
		}
		if len(sealed) > 0 {
			redact(v)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find %ss: %w", c.what, err)
	}
	return out, nil
}

// findOne runs query for name and scans the row with scan, returning it
// with its secret opened, or ENOTFOUND.
func findOne[T any](ctx context.Context, c sealedConfigs, query, name string, scan scanRow[T]) (T, string, error) {
	var zero T
	v, sealed, err := scan(c.db.Read().QueryRowContext(ctx, c.db.q(query), name))
	if errors.Is(err, sql.ErrNoRows) || c.db.violates(err, InvalidValue) {
		return zero, "", hearth.Errorf(hearth.ENOTFOUND, "%s %q not found.", c.what, name)
	} else if err != nil {
		return zero, "", fmt.Errorf("find %s %q: %w", c.what, name, err)
	}
	if len(sealed) == 0 {
		return v, "", nil
	}
	secret, err := c.box.Open(sealed)
	if err != nil {
		return zero, "", fmt.Errorf("open secret of %s %q: %w", c.what, name, err)
	}
	return v, string(secret), nil
}

// upsert creates or replaces the row name in one transaction: it reads the
// stored secret under a row lock, decides the secret to store from secret
// ("***" keeps what is stored, none included, but cannot create a row; ""
// removes it; anything else is sealed), and calls write with
// the transaction, the sealed secret and the row's times. It returns those
// times and whether a secret is stored.
func (c sealedConfigs) upsert(ctx context.Context, name, secret string,
	write func(tx *sql.Tx, sealed []byte, created, now time.Time) error) (created, now time.Time, hasSecret bool, err error) {
	tx, err := c.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return created, now, false, fmt.Errorf("set %s %q: %w", c.what, name, err)
	}
	defer tx.Rollback()
	var sealed []byte
	var stored Time
	err = tx.QueryRowContext(ctx, c.db.q(`SELECT secret, created_at FROM `+c.table+` WHERE name = ?`+c.db.ForUpdate), name).Scan(&sealed, &stored)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		if c.db.violates(err, InvalidValue) {
			return created, now, false, hearth.WrapError(hearth.EINVALID, err, "%s name %q is not valid text.", c.what, name)
		}
		return created, now, false, fmt.Errorf("set %s %q: %w", c.what, name, err)
	}
	switch {
	case secret == hearth.RedactedSecret && !exists:
		return created, now, false, hearth.Errorf(hearth.EINVALID, "%s %q has no stored secret to keep; give the secret itself.", c.what, name)
	case secret == hearth.RedactedSecret:
	case secret == "":
		sealed = nil
	default:
		if sealed, err = c.box.Seal([]byte(secret)); err != nil {
			return created, now, false, err
		}
	}
	now = c.db.Now()
	created = time.Time(stored)
	if !exists {
		created = now
	}
	if err := write(tx, sealed, created, now); err != nil {
		if c.db.violates(err, InvalidValue) {
			return created, now, false, hearth.WrapError(hearth.EINVALID, err, "%s %q has an invalid field.", c.what, name)
		}
		return created, now, false, fmt.Errorf("set %s %q: %w", c.what, name, err)
	}
	if err := tx.Commit(); err != nil {
		return created, now, false, fmt.Errorf("set %s %q: %w", c.what, name, err)
	}
	return created, now, len(sealed) > 0, nil
}

// delete removes the row name, or returns ENOTFOUND.
func (c sealedConfigs) delete(ctx context.Context, name string) error {
	return c.db.deleteRow(ctx, `DELETE FROM `+c.table+` WHERE name = ?`, name, fmt.Sprintf("%s %q", c.what, name),
		hearth.Errorf(hearth.ENOTFOUND, "%s %q not found.", c.what, name))
}
