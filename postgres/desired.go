package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// DesiredStateService keeps desired states in the desired_state table,
// pool passwords sealed.
type DesiredStateService struct {
	db  *DB
	box sqlstore.Sealer
}

var _ hearth.DesiredStateService = (*DesiredStateService)(nil)

// NewDesiredStateService returns the desired states of db, sealing pool
// passwords with box (a secret.Box, the same the SQLite store uses).
func NewDesiredStateService(db *DB, box sqlstore.Sealer) *DesiredStateService {
	return &DesiredStateService{db: db, box: box}
}

// SetDesired stores r, replacing the scope's previous record.
func (s *DesiredStateService) SetDesired(ctx context.Context, r *hearth.DesiredRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	state, err := sqlstore.EncodeDesired(r.State, s.box)
	if err != nil {
		return err
	}
	now := s.db.now()
	if _, err := s.db.db.ExecContext(ctx, `INSERT INTO desired_state (scope_kind, scope_id, priority, state, updated_at) VALUES ($1, $2, $3, $4::text::jsonb, $5)
		ON CONFLICT (scope_kind, scope_id) DO UPDATE SET priority = excluded.priority, state = excluded.state, updated_at = excluded.updated_at`,
		string(r.Scope.Kind), r.Scope.ID, r.Priority, string(state), timestamp(now)); err != nil {
		if invalidInput(err) {
			return hearth.WrapError(hearth.EINVALID, err, "Desired state has a field that is not valid text.")
		}
		return fmt.Errorf("store desired state: %w", err)
	}
	r.UpdatedAt = now
	return nil
}

// FindDesired returns the records f chooses, ordered by kind and ID.
func (s *DesiredStateService) FindDesired(ctx context.Context, f hearth.DesiredFilter) ([]*hearth.DesiredRecord, error) {
	where, args := sqlstore.DesiredWhere(f)
	rows, err := s.db.db.QueryContext(ctx, sqlstore.DollarPlaceholders(`SELECT scope_kind, scope_id, priority, state::text, updated_at FROM desired_state`+where+` ORDER BY scope_kind, scope_id`), args...)
	if err != nil {
		if invalidInput(err) {
			return []*hearth.DesiredRecord{}, nil
		}
		return nil, fmt.Errorf("query desired state: %w", err)
	}
	defer rows.Close()
	out := []*hearth.DesiredRecord{}
	for rows.Next() {
		var r hearth.DesiredRecord
		var kind, state string
		var at timestamp
		if err := rows.Scan(&kind, &r.Scope.ID, &r.Priority, &state, &at); err != nil {
			return nil, fmt.Errorf("scan desired state: %w", err)
		}
		r.Scope.Kind, r.UpdatedAt = hearth.ScopeKind(kind), time.Time(at)
		if r.State, err = sqlstore.DecodeDesired([]byte(state), s.box); err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, r.Scope.ID, err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// DeleteDesired removes the scope's record.
func (s *DesiredStateService) DeleteDesired(ctx context.Context, sc hearth.Scope) error {
	r, err := s.db.db.ExecContext(ctx, `DELETE FROM desired_state WHERE scope_kind = $1 AND scope_id = $2`, string(sc.Kind), sc.ID)
	if err != nil && !invalidInput(err) {
		return fmt.Errorf("delete desired state: %w", err)
	}
	if sqlstore.RowsAffected(r) == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "No desired state for %s %q.", sc.Kind, sc.ID)
	}
	return nil
}
