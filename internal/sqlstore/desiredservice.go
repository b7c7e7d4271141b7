package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.DesiredStateService = (*DesiredStateService)(nil)

// DesiredStateService keeps desired states in the desired_state table,
// pool passwords sealed. It implements hearth.DesiredStateService once for
// SQLite and PostgreSQL alike.
type DesiredStateService struct {
	db  *DB
	box Sealer
}

// NewDesiredStateService returns the desired states of db, sealing pool
// passwords with box.
func NewDesiredStateService(db *DB, box Sealer) *DesiredStateService {
	return &DesiredStateService{db: db, box: box}
}

// SetDesired stores r, replacing the scope's previous record.
func (s *DesiredStateService) SetDesired(ctx context.Context, r *hearth.DesiredRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	state, err := EncodeDesired(r.State, s.box)
	if err != nil {
		return err
	}
	now := s.db.Now()
	if _, err := s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO desired_state (scope_kind, scope_id, priority, state, updated_at) VALUES (?, ?, ?, `+s.db.JSONParam+`, ?)
		ON CONFLICT (scope_kind, scope_id) DO UPDATE SET priority = excluded.priority, state = excluded.state, updated_at = excluded.updated_at`),
		string(r.Scope.Kind), r.Scope.ID, r.Priority, string(state), s.db.Time(now)); err != nil {
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Desired state has a field that is not valid text.")
		}
		return fmt.Errorf("store desired state: %w", err)
	}
	r.UpdatedAt = now
	return nil
}

// FindDesired returns the records f chooses, ordered by kind and ID.
func (s *DesiredStateService) FindDesired(ctx context.Context, f hearth.DesiredFilter) ([]*hearth.DesiredRecord, error) {
	where, args := DesiredWhere(f)
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(`SELECT scope_kind, scope_id, priority, state`+s.db.JSONText+`, updated_at FROM desired_state`+where+` ORDER BY scope_kind, scope_id`), args...)
	if err != nil {
		if s.db.violates(err, InvalidValue) {
			return []*hearth.DesiredRecord{}, nil // a scope the database cannot hold has no record
		}
		return nil, fmt.Errorf("query desired state: %w", err)
	}
	defer rows.Close()
	out := []*hearth.DesiredRecord{}
	for rows.Next() {
		var r hearth.DesiredRecord
		var kind, state string
		var at Time
		if err := rows.Scan(&kind, &r.Scope.ID, &r.Priority, &state, &at); err != nil {
			return nil, fmt.Errorf("scan desired state: %w", err)
		}
		r.Scope.Kind, r.UpdatedAt = hearth.ScopeKind(kind), time.Time(at)
		if r.State, err = DecodeDesired([]byte(state), s.box); err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, r.Scope.ID, err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// DeleteDesired removes the scope's record.
func (s *DesiredStateService) DeleteDesired(ctx context.Context, sc hearth.Scope) error {
	r, err := s.db.Write().ExecContext(ctx, s.db.q(`DELETE FROM desired_state WHERE scope_kind = ? AND scope_id = ?`), string(sc.Kind), sc.ID)
	if err != nil && !s.db.violates(err, InvalidValue) {
		return fmt.Errorf("delete desired state: %w", err)
	}
	if RowsAffected(r) == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "No desired state for %s %q.", sc.Kind, sc.ID)
	}
	return nil
}
