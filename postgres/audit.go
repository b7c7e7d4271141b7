package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// AuditService keeps the audit log in the audit table.
type AuditService struct {
	db *DB
}

var _ hearth.AuditService = (*AuditService)(nil)

// NewAuditService returns the audit log of db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// RecordAudit stores e. The action is redacted again here, so that a
// secret never reaches the disk whatever the caller did. e.Time is kept to
// the microsecond, PostgreSQL's resolution, and e shows what was stored.
func (s *AuditService) RecordAudit(ctx context.Context, e *hearth.AuditEntry) error {
	action, results, err := sqlstore.EncodeAudit(e)
	if err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = s.db.now()
	}
	e.Time = e.Time.Truncate(time.Microsecond)
	// The JSON goes as text and is cast by the server, which checks it.
	if err := s.db.db.QueryRowContext(ctx, `INSERT INTO audit (time, actor, verb, action, selector, results)
		VALUES ($1, $2, $3, $4::text::jsonb, $5, $6::text::jsonb) RETURNING id`,
		timestamp(e.Time), e.Actor, string(e.Action.Verb), string(action), e.Selector, string(results)).Scan(&e.ID); err != nil {
		if invalidInput(err) {
			return hearth.WrapError(hearth.EINVALID, err, "Audit entry has a field that is not valid text.")
		}
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// FindAudit returns the newest entries first.
func (s *AuditService) FindAudit(ctx context.Context, limit int) ([]*hearth.AuditEntry, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, time, actor, action::text, selector, results::text FROM audit ORDER BY id DESC LIMIT $1`, sqlstore.AuditLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	out := []*hearth.AuditEntry{}
	for rows.Next() {
		var e hearth.AuditEntry
		var at timestamp
		var action, results string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &action, &e.Selector, &results); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.Time = time.Time(at)
		if err := sqlstore.DecodeAudit(&e, []byte(action), []byte(results)); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
