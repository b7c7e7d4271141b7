package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// AuditLimit returns how many entries FindAudit returns for the limit a
// caller asked: 100 when it asked none or an unreasonable number.
func AuditLimit(limit int) int {
	if limit <= 0 || limit > 10000 {
		return 100
	}
	return limit
}

// EncodeAudit returns e's action and results as JSON for storage. The action
// is redacted again here, so that a secret never reaches the disk whatever
// the caller did.
func EncodeAudit(e *hearth.AuditEntry) (action, results []byte, err error) {
	if action, err = json.Marshal(e.Action.Redacted()); err != nil {
		return nil, nil, fmt.Errorf("encode action: %w", err)
	}
	rs := e.Results
	if rs == nil {
		rs = []hearth.ActionResult{}
	}
	if results, err = json.Marshal(rs); err != nil {
		return nil, nil, fmt.Errorf("encode results: %w", err)
	}
	return action, results, nil
}

// DecodeAudit fills e's action and results from their stored JSON.
func DecodeAudit(e *hearth.AuditEntry, action, results []byte) error {
	if err := json.Unmarshal(action, &e.Action); err != nil {
		return fmt.Errorf("decode audit action %d: %w", e.ID, err)
	}
	if err := json.Unmarshal(results, &e.Results); err != nil {
		return fmt.Errorf("decode audit results %d: %w", e.ID, err)
	}
	return nil
}

var _ hearth.AuditService = (*AuditService)(nil)

// AuditService keeps the audit log in the audit table of a relational
// store. It implements hearth.AuditService once for SQLite and PostgreSQL
// alike.
type AuditService struct {
	db *DB
}

// NewAuditService returns the audit log of db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// RecordAudit stores e. The action is redacted again here, so that a
// secret never reaches the disk whatever the caller did. e.Time is kept to
// the database's resolution, and e shows what was stored.
func (s *AuditService) RecordAudit(ctx context.Context, e *hearth.AuditEntry) error {
	action, results, err := EncodeAudit(e)
	if err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = s.db.Now()
	}
	if s.db.Resolution > 0 {
		e.Time = e.Time.Truncate(s.db.Resolution)
	}
	err = s.db.commits.do(ctx, s.db, func(ctx context.Context, x Execer) error {
		return x.QueryRowContext(ctx, s.db.q(`INSERT INTO audit (time, actor, verb, action, selector, results)
		VALUES (?, ?, ?, `+s.db.JSONParam+`, ?, `+s.db.JSONParam+`) RETURNING id`),
			s.db.Time(e.Time), e.Actor, string(e.Action.Verb), string(action), e.Selector, string(results)).Scan(&e.ID)
	})
	if err != nil {
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Audit entry has a field that is not valid text.")
		}
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// FindAudit returns the newest entries first.
func (s *AuditService) FindAudit(ctx context.Context, limit int) ([]*hearth.AuditEntry, error) {
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(`SELECT id, time, actor, action`+s.db.JSONText+`, selector, results`+s.db.JSONText+`
		FROM audit ORDER BY id DESC LIMIT ?`), AuditLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	out := []*hearth.AuditEntry{}
	for rows.Next() {
		var e hearth.AuditEntry
		var at Time
		var action, results string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &action, &e.Selector, &results); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.Time = time.Time(at)
		if err := DecodeAudit(&e, []byte(action), []byte(results)); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
