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
	if limit <= 0 || limit > hearth.MaxAuditLimit {
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
// the database's resolution, and e shows what was stored. The entry and
// its rows in audit_miners are committed together, so that a miner's
// history never misses an entry the fleet's log has.
func (s *AuditService) RecordAudit(ctx context.Context, e *hearth.AuditEntry) error {
	action, results, err := EncodeAudit(e)
	if err != nil {
		return err
	}
	miners, err := json.Marshal(auditMiners(e))
	if err != nil {
		return fmt.Errorf("encode audit miners: %w", err)
	}
	if e.Time.IsZero() {
		e.Time = s.db.Now()
	}
	if s.db.Resolution > 0 {
		e.Time = e.Time.Truncate(s.db.Resolution)
	}
	err = s.db.commits.do(ctx, s.db, func(ctx context.Context, x Execer) error {
		err := x.QueryRowContext(ctx, s.db.q(`INSERT INTO audit (time, actor, verb, action, selector, results)
		VALUES (?, ?, ?, `+s.db.JSONParam+`, ?, `+s.db.JSONParam+`) RETURNING id`),
			s.db.Time(e.Time), e.Actor, string(e.Action.Verb), string(action), e.Selector, string(results)).Scan(&e.ID)
		if err != nil {
			return err
		}
		_, err = x.ExecContext(ctx, s.db.q(`INSERT INTO audit_miners (miner_id, audit_id)
		SELECT value, CAST(? AS BIGINT) FROM `+s.db.JSONElements), e.ID, string(miners))
		return err
	})
	if err != nil {
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Audit entry has a field that is not valid text.")
		}
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// auditMiners returns the distinct, non-empty miner IDs of e's results:
// the miners e is filed under in audit_miners.
func auditMiners(e *hearth.AuditEntry) []string {
	ids := []string{}
	seen := map[string]bool{}
	for _, r := range e.Results {
		if r.MinerID != "" && !seen[r.MinerID] {
			seen[r.MinerID] = true
			ids = append(ids, r.MinerID)
		}
	}
	return ids
}

// FindAudit returns the entries f keeps, newest first. A miner's entries
// are found through audit_miners, newest first along its primary key, so
// that the cost follows the entries returned, not the size of the log.
func (s *AuditService) FindAudit(ctx context.Context, f hearth.AuditFilter) ([]*hearth.AuditEntry, error) {
	query := `SELECT a.id, a.time, a.actor, a.action` + s.db.JSONText + `, a.selector, a.results` + s.db.JSONText
	var args []any
	// key is the ID column whose index gives the order: a miner's
	// entries walk audit_miners' primary key backwards.
	key := "a.id"
	if f.Miner != "" {
		key = "m.audit_id"
		query += ` FROM audit_miners m JOIN audit a ON a.id = m.audit_id WHERE m.miner_id = ?`
		args = append(args, f.Miner)
	} else {
		query += ` FROM audit a WHERE 1 = 1`
	}
	if f.BeforeID > 0 {
		query += ` AND ` + key + ` < ?`
		args = append(args, f.BeforeID)
	}
	query += ` ORDER BY ` + key + ` DESC LIMIT ?`
	args = append(args, AuditLimit(f.Limit))
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(query), args...)
	if s.db.violates(err, InvalidValue) {
		// A miner ID the database cannot even hold has no entries.
		return []*hearth.AuditEntry{}, nil
	} else if err != nil {
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return out, nil
}
