package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.SilenceService = (*SilenceService)(nil)

// SilenceService keeps silences in the silences table. It implements
// hearth.SilenceService once for SQLite and PostgreSQL alike.
type SilenceService struct {
	db *DB
}

// NewSilenceService returns the silences kept in db.
func NewSilenceService(db *DB) *SilenceService { return &SilenceService{db: db} }

// FindSilences returns the silences that end after since (all when since
// is zero), the one ending first first.
func (s *SilenceService) FindSilences(ctx context.Context, since time.Time) ([]*hearth.Silence, error) {
	query := `SELECT id, matchers` + s.db.JSONText + `, starts_at, ends_at, created_by, comment, created_at FROM silences`
	var args []any
	if !since.IsZero() {
		query += ` WHERE ends_at > ?`
		args = append(args, s.db.Time(since))
	}
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(query+` ORDER BY ends_at, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("find silences: %w", err)
	}
	defer rows.Close()
	out := []*hearth.Silence{}
	for rows.Next() {
		var sl hearth.Silence
		var matchers string
		var starts, ends, created Time
		if err := rows.Scan(&sl.ID, &matchers, &starts, &ends, &sl.CreatedBy, &sl.Comment, &created); err != nil {
			return nil, fmt.Errorf("find silences: %w", err)
		}
		if err := json.Unmarshal([]byte(matchers), &sl.Matchers); err != nil {
			return nil, fmt.Errorf("matchers of silence %d: %w", sl.ID, err)
		}
		sl.StartsAt, sl.EndsAt, sl.CreatedAt = time.Time(starts), time.Time(ends), time.Time(created)
		out = append(out, &sl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find silences: %w", err)
	}
	return out, nil
}

// CreateSilence stores sl, its times cut to the database's resolution,
// and sets its ID and CreatedAt. A zero StartsAt means now.
func (s *SilenceService) CreateSilence(ctx context.Context, sl *hearth.Silence) error {
	if sl == nil {
		return hearth.Errorf(hearth.EINVALID, "Silence required.")
	}
	now := s.db.Now()
	if sl.StartsAt.IsZero() {
		sl.StartsAt = now
	}
	if s.db.Resolution > 0 {
		sl.StartsAt, sl.EndsAt = sl.StartsAt.Truncate(s.db.Resolution), sl.EndsAt.Truncate(s.db.Resolution)
	}
	if err := sl.Validate(); err != nil {
		return err
	}
	matchers, err := json.Marshal(sl.Matchers)
	if err != nil {
		return fmt.Errorf("encode matchers: %w", err)
	}
	err = s.db.Write().QueryRowContext(ctx, s.db.q(`INSERT INTO silences (matchers, starts_at, ends_at, created_by, comment, created_at)
		VALUES (`+s.db.JSONParam+`, ?, ?, ?, ?, ?) RETURNING id`),
		string(matchers), s.db.Time(sl.StartsAt), s.db.Time(sl.EndsAt), sl.CreatedBy, sl.Comment, s.db.Time(now)).Scan(&sl.ID)
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Silence has a field that is not valid text.")
	} else if err != nil {
		return fmt.Errorf("create silence: %w", err)
	}
	sl.CreatedAt = now
	return nil
}

// DeleteSilence removes a silence, or returns ENOTFOUND.
func (s *SilenceService) DeleteSilence(ctx context.Context, id int64) error {
	return s.db.deleteRow(ctx, `DELETE FROM silences WHERE id = ?`, id, fmt.Sprintf("silence %d", id),
		hearth.Errorf(hearth.ENOTFOUND, "Silence %d not found.", id))
}
