package sqlite

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
// secret never reaches the disk whatever the caller did.
func (s *AuditService) RecordAudit(ctx context.Context, e *hearth.AuditEntry) error {
	action, res, err := sqlstore.EncodeAudit(e)
	if err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = s.db.now()
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `INSERT INTO audit (time, actor, verb, action, selector, results) VALUES (?, ?, ?, ?, ?, ?)`,
		timestamp(e.Time), e.Actor, string(e.Action.Verb), string(action), e.Selector, string(res))
	if err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit audit entry: %w", err)
	}
	e.ID, _ = r.LastInsertId()
	return nil
}

// FindAudit returns the newest entries first.
func (s *AuditService) FindAudit(ctx context.Context, limit int) ([]*hearth.AuditEntry, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, time, actor, action, selector, results FROM audit ORDER BY id DESC LIMIT ?`, sqlstore.AuditLimit(limit))
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
