package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.ReceiverService = (*ReceiverService)(nil)

// ReceiverService keeps notification receivers in the receivers table,
// each secret sealed with box. It implements hearth.ReceiverService once
// for SQLite and PostgreSQL alike.
type ReceiverService struct {
	db  *DB
	box Sealer
}

// NewReceiverService returns the receivers kept in db.
func NewReceiverService(db *DB, box Sealer) *ReceiverService {
	return &ReceiverService{db: db, box: box}
}

// receiverColumns lists the columns scanReceiver reads, in its order.
func (s *ReceiverService) receiverColumns() string {
	return `name, kind, enabled, route` + s.db.JSONText + `, settings` + s.db.JSONText + `, secret, created_at, updated_at`
}

// FindReceivers returns every receiver by name, secrets redacted.
func (s *ReceiverService) FindReceivers(ctx context.Context) ([]*hearth.Receiver, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+s.receiverColumns()+` FROM receivers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("find receivers: %w", err)
	}
	defer rows.Close()
	out := []*hearth.Receiver{}
	for rows.Next() {
		r, sealed, err := scanReceiver(rows)
		if err != nil {
			return nil, fmt.Errorf("find receivers: %w", err)
		}
		if len(sealed) > 0 {
			r.Secret = hearth.RedactedSecret
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find receivers: %w", err)
	}
	return out, nil
}

// FindReceiverByName returns one receiver with its secret opened.
func (s *ReceiverService) FindReceiverByName(ctx context.Context, name string) (*hearth.Receiver, error) {
	r, sealed, err := scanReceiver(s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT `+s.receiverColumns()+` FROM receivers WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Receiver %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find receiver %q: %w", name, err)
	}
	if len(sealed) > 0 {
		secret, err := s.box.Open(sealed)
		if err != nil {
			return nil, fmt.Errorf("open secret of receiver %q: %w", name, err)
		}
		r.Secret = string(secret)
	}
	return r, nil
}

// SetReceiver creates or replaces r. A secret of "***" keeps the stored
// one; an empty secret removes it. r's times are set, and its secret
// redacted, once stored.
func (s *ReceiverService) SetReceiver(ctx context.Context, r *hearth.Receiver) error {
	if r == nil {
		return hearth.Errorf(hearth.EINVALID, "Receiver required.")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	route, err := json.Marshal(r.Route)
	if err != nil {
		return fmt.Errorf("encode route: %w", err)
	}
	var settings any
	if len(r.Settings) > 0 {
		settings = string(r.Settings)
	}
	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return fmt.Errorf("set receiver %q: %w", r.Name, err)
	}
	defer tx.Rollback()
	var sealed []byte
	var created Time
	err = tx.QueryRowContext(ctx, s.db.q(`SELECT secret, created_at FROM receivers WHERE name = ?`+s.db.ForUpdate), r.Name).Scan(&sealed, &created)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Receiver name %q is not valid text.", r.Name)
		}
		return fmt.Errorf("set receiver %q: %w", r.Name, err)
	}
	switch {
	case r.Secret == hearth.RedactedSecret && (!exists || len(sealed) == 0):
		return hearth.Errorf(hearth.EINVALID, "Receiver %q has no stored secret to keep; give the secret itself.", r.Name)
	case r.Secret == hearth.RedactedSecret:
	case r.Secret == "":
		sealed = nil
	default:
		if sealed, err = s.box.Seal([]byte(r.Secret)); err != nil {
			return err
		}
	}
	now := s.db.Now()
	if !exists {
		created = Time(now)
	}
	_, err = tx.ExecContext(ctx, s.db.q(`INSERT INTO receivers (name, kind, enabled, route, settings, secret, created_at, updated_at)
		VALUES (?, ?, ?, `+s.db.JSONParam+`, `+s.db.JSONParam+`, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, enabled = excluded.enabled, route = excluded.route,
			settings = excluded.settings, secret = excluded.secret, updated_at = excluded.updated_at`),
		r.Name, r.Kind, r.Enabled, string(route), settings, sealed, s.db.Time(time.Time(created)), s.db.Time(now))
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Receiver %q has an invalid field.", r.Name)
	} else if err != nil {
		return fmt.Errorf("set receiver %q: %w", r.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set receiver %q: %w", r.Name, err)
	}
	r.CreatedAt, r.UpdatedAt = time.Time(created), now
	r.Secret = ""
	if len(sealed) > 0 {
		r.Secret = hearth.RedactedSecret
	}
	return nil
}

// DeleteReceiver removes a receiver, or returns ENOTFOUND.
func (s *ReceiverService) DeleteReceiver(ctx context.Context, name string) error {
	return s.db.deleteRow(ctx, `DELETE FROM receivers WHERE name = ?`, name, fmt.Sprintf("receiver %q", name),
		hearth.Errorf(hearth.ENOTFOUND, "Receiver %q not found.", name))
}

// scanReceiver reads one row of receiverColumns, with the sealed secret.
func scanReceiver(row rowScanner) (*hearth.Receiver, []byte, error) {
	var r hearth.Receiver
	var route string
	var settings sql.NullString
	var sealed []byte
	var created, updated Time
	if err := row.Scan(&r.Name, &r.Kind, &r.Enabled, &route, &settings, &sealed, &created, &updated); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal([]byte(route), &r.Route); err != nil {
		return nil, nil, fmt.Errorf("route of %q: %w", r.Name, err)
	}
	if settings.Valid {
		r.Settings = json.RawMessage(settings.String)
	}
	r.CreatedAt, r.UpdatedAt = time.Time(created), time.Time(updated)
	return &r, sealed, nil
}
