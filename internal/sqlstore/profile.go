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

var _ hearth.ProfileService = (*ProfileService)(nil)

// ProfileService keeps named power profiles in the power_profiles table.
// It implements hearth.ProfileService once for SQLite and PostgreSQL alike.
type ProfileService struct {
	db *DB
}

// NewProfileService returns the profiles kept in db.
func NewProfileService(db *DB) *ProfileService {
	return &ProfileService{db: db}
}

// profileColumns lists the columns scanProfile reads, in its order.
func (s *ProfileService) profileColumns() string {
	return `name, description, mode, watts, model_watts` + s.db.JSONText + `, updated_at`
}

// FindProfiles returns every profile ordered by name.
func (s *ProfileService) FindProfiles(ctx context.Context) ([]*hearth.Profile, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+s.profileColumns()+` FROM power_profiles ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("find profiles: %w", err)
	}
	defer rows.Close()
	out := make([]*hearth.Profile, 0)
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, fmt.Errorf("find profiles: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find profiles: %w", err)
	}
	return out, nil
}

// FindProfileByName returns the profile or ENOTFOUND.
func (s *ProfileService) FindProfileByName(ctx context.Context, name string) (*hearth.Profile, error) {
	p, err := scanProfile(s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT `+s.profileColumns()+` FROM power_profiles WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Profile %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find profile %q: %w", name, err)
	}
	return p, nil
}

// SetProfile stores p, replacing the profile of that name, and sets
// p.UpdatedAt.
func (s *ProfileService) SetProfile(ctx context.Context, p *hearth.Profile) error {
	if p == nil {
		return hearth.Errorf(hearth.EINVALID, "Profile required.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	models := p.ModelWatts
	if models == nil {
		models = map[string]float64{}
	}
	b, err := json.Marshal(models)
	if err != nil {
		return fmt.Errorf("encode watts of profile %q: %w", p.Name, err)
	}
	now := s.db.Now()
	_, err = s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO power_profiles (name, description, mode, watts, model_watts, updated_at)
		VALUES (?, ?, ?, ?, `+s.db.JSONParam+`, ?)
		ON CONFLICT (name) DO UPDATE SET description = excluded.description, mode = excluded.mode, watts = excluded.watts,
			model_watts = excluded.model_watts, updated_at = excluded.updated_at`),
		p.Name, p.Description, string(p.Mode), p.Watts, string(b), s.db.Time(now))
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Profile %q has an invalid field.", p.Name)
	} else if err != nil {
		return fmt.Errorf("store profile %q: %w", p.Name, err)
	}
	p.UpdatedAt = now
	return nil
}

// DeleteProfile removes the profile unless a stored desired state or
// schedule refers to it. The references are read in the same write
// transaction as the delete, after locking the profile's row. In SQLite
// the transaction excludes every other writer, so the check is exact; in
// PostgreSQL a desired state naming the profile may still be stored
// concurrently (desired states do not lock the profiles they name), and the
// reconciler then reports the unknown profile as those miners' drift.
func (s *ProfileService) DeleteProfile(ctx context.Context, name string) error {
	notFound := hearth.Errorf(hearth.ENOTFOUND, "Profile %q not found.", name)
	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var found string
	err = tx.QueryRowContext(ctx, s.db.q(`SELECT name FROM power_profiles WHERE name = ?`+s.db.ForUpdate), name).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		return notFound
	} else if err != nil {
		return fmt.Errorf("delete profile %q: %w", name, err)
	}
	users, err := s.users(ctx, tx, name)
	if err != nil {
		return fmt.Errorf("delete profile %q: %w", name, err)
	}
	if len(users) > 0 {
		more := ""
		if len(users) > 1 {
			more = fmt.Sprintf(" and %d more", len(users)-1)
		}
		return hearth.Errorf(hearth.ECONFLICT, "Profile %q is used by %s%s; change them to another power first.", name, users[0], more)
	}
	if _, err := tx.ExecContext(ctx, s.db.q(`DELETE FROM power_profiles WHERE name = ?`), name); err != nil {
		return fmt.Errorf("delete profile %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit deletion of profile %q: %w", name, err)
	}
	return nil
}

// users names the desired states and schedules of tx that refer to
// profile name (hearth.ProfileUsers). Only the power of a desired state is
// read, so its sealed pool passwords stay sealed.
func (s *ProfileService) users(ctx context.Context, tx *sql.Tx, name string) ([]string, error) {
	// A fleet has a handful of records per site and group: reading them
	// all is cheaper than keeping an index of references.
	rows, err := tx.QueryContext(ctx, `SELECT scope_kind, scope_id, state`+s.db.JSONText+` FROM desired_state ORDER BY scope_kind, scope_id`)
	if err != nil {
		return nil, fmt.Errorf("desired states: %w", err)
	}
	var records []*hearth.DesiredRecord
	for rows.Next() {
		var r hearth.DesiredRecord
		var kind, state string
		if err := rows.Scan(&kind, &r.Scope.ID, &state); err != nil {
			rows.Close()
			return nil, fmt.Errorf("desired states: %w", err)
		}
		r.Scope.Kind = hearth.ScopeKind(kind)
		if err := json.Unmarshal([]byte(state), &r.State); err != nil {
			rows.Close()
			return nil, fmt.Errorf("desired state of %s %s: %w", kind, r.Scope.ID, err)
		}
		records = append(records, &r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("desired states: %w", err)
	}

	schedules := &ScheduleService{db: s.db}
	srows, err := tx.QueryContext(ctx, s.db.q(`SELECT `+schedules.scheduleColumns()+` FROM schedules WHERE change_kind = ? ORDER BY name, id`),
		string(hearth.ChangePowerProfile))
	if err != nil {
		return nil, fmt.Errorf("schedules: %w", err)
	}
	defer srows.Close()
	var scheds []*hearth.Schedule
	for srows.Next() {
		sc, err := scanSchedule(srows)
		if err != nil {
			return nil, fmt.Errorf("schedules: %w", err)
		}
		scheds = append(scheds, sc)
	}
	if err := srows.Err(); err != nil {
		return nil, fmt.Errorf("schedules: %w", err)
	}
	return hearth.ProfileUsers(name, records, scheds), nil
}

// scanProfile reads one row of profileColumns.
func scanProfile(row rowScanner) (*hearth.Profile, error) {
	var p hearth.Profile
	var mode, models string
	var at Time
	if err := row.Scan(&p.Name, &p.Description, &mode, &p.Watts, &models, &at); err != nil {
		return nil, err
	}
	p.Mode, p.UpdatedAt = hearth.PowerMode(mode), time.Time(at)
	if err := json.Unmarshal([]byte(models), &p.ModelWatts); err != nil {
		return nil, fmt.Errorf("watts of profile %q: %w", p.Name, err)
	}
	if len(p.ModelWatts) == 0 {
		p.ModelWatts = nil
	}
	return &p, nil
}
