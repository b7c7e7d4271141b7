package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.ReceiverService = (*ReceiverService)(nil)

// ReceiverService keeps notification receivers in the receivers table,
// each secret sealed with box. It implements hearth.ReceiverService once
// for SQLite and PostgreSQL alike.
type ReceiverService struct {
	db    *DB
	store sealedConfigs
}

// NewReceiverService returns the receivers kept in db.
func NewReceiverService(db *DB, box Sealer) *ReceiverService {
	return &ReceiverService{db: db, store: sealedConfigs{db: db, box: box, table: "receivers", what: "Receiver"}}
}

// receiverColumns lists the columns scanReceiver reads, in its order.
func (s *ReceiverService) receiverColumns() string {
	return `name, kind, enabled, route` + s.db.JSONText + `, settings` + s.db.JSONText + `, secret, created_at, updated_at`
}

// FindReceivers returns every receiver by name, secrets redacted.
func (s *ReceiverService) FindReceivers(ctx context.Context) ([]*hearth.Receiver, error) {
	return findAll(ctx, s.store, `SELECT `+s.receiverColumns()+` FROM receivers ORDER BY name`, scanReceiver,
		func(r *hearth.Receiver) { r.Secret = hearth.RedactedSecret })
}

// FindReceiverByName returns one receiver with its secret opened.
func (s *ReceiverService) FindReceiverByName(ctx context.Context, name string) (*hearth.Receiver, error) {
	r, secret, err := findOne(ctx, s.store, `SELECT `+s.receiverColumns()+` FROM receivers WHERE name = ?`, name, scanReceiver)
	if err != nil {
		return nil, err
	}
	r.Secret = secret
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
	created, now, hasSecret, err := s.store.upsert(ctx, r.Name, r.Secret, func(tx *sql.Tx, sealed []byte, created, now time.Time) error {
		_, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO receivers (name, kind, enabled, route, settings, secret, created_at, updated_at)
		VALUES (?, ?, ?, `+s.db.JSONParam+`, `+s.db.JSONParam+`, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, enabled = excluded.enabled, route = excluded.route,
			settings = excluded.settings, secret = excluded.secret, updated_at = excluded.updated_at`),
			r.Name, r.Kind, r.Enabled, string(route), settings, sealed, s.db.Time(created), s.db.Time(now))
		return err
	})
	if err != nil {
		return err
	}
	r.CreatedAt, r.UpdatedAt, r.Secret = created, now, ""
	if hasSecret {
		r.Secret = hearth.RedactedSecret
	}
	return nil
}

// DeleteReceiver removes a receiver, or returns ENOTFOUND.
func (s *ReceiverService) DeleteReceiver(ctx context.Context, name string) error {
	return s.store.delete(ctx, name)
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
