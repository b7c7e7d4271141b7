package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

var _ hearth.ScheduleService = (*ScheduleService)(nil)

// ScheduleService keeps schedules in a relational store. It implements
// hearth.ScheduleService once for SQLite and PostgreSQL alike.
type ScheduleService struct {
	db *DB
}

// NewScheduleService returns the schedules kept in db.
func NewScheduleService(db *DB) *ScheduleService {
	return &ScheduleService{db: db}
}

// scheduleColumns lists the columns scanSchedule reads, in its order.
func (s *ScheduleService) scheduleColumns() string {
	return `id, name, target_kind, target_id, change_kind, payload` + s.db.JSONText + `, start_at, end_at, recurrence, time_zone, enabled`
}

// FindSchedules returns every schedule, ordered by name then ID.
func (s *ScheduleService) FindSchedules(ctx context.Context) ([]*hearth.Schedule, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+s.scheduleColumns()+` FROM schedules ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("find schedules: %w", err)
	}
	defer rows.Close()
	out := make([]*hearth.Schedule, 0)
	for rows.Next() {
		sc, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("find schedules: %w", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find schedules: %w", err)
	}
	return out, nil
}

// FindScheduleByID returns the schedule or ENOTFOUND.
func (s *ScheduleService) FindScheduleByID(ctx context.Context, id string) (*hearth.Schedule, error) {
	sc, err := scanSchedule(s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT `+s.scheduleColumns()+` FROM schedules WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find schedule %q: %w", id, err)
	}
	return sc, nil
}

// CreateSchedule compiles sc, stores it under a new ID and sets sc.ID.
func (s *ScheduleService) CreateSchedule(ctx context.Context, sc *hearth.Schedule) error {
	if err := s.check(sc); err != nil {
		return err
	}
	id, err := newScheduleID()
	if err != nil {
		return err
	}
	now := s.db.Now()
	_, err = s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO schedules (id, name, target_kind, target_id, change_kind, payload,
		start_at, end_at, recurrence, time_zone, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, `+s.db.JSONParam+`, ?, ?, ?, ?, ?, ?, ?)`),
		id, sc.Name, string(sc.Target.Kind), sc.Target.ID, string(sc.Change.Kind), payloadArg(sc.Change.Payload),
		s.db.Time(sc.Start), s.db.Time(sc.End), sc.Recurrence, sc.TimeZone, sc.Enabled, s.db.Time(now), s.db.Time(now))
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Schedule %q has an invalid field.", sc.Name)
	} else if err != nil {
		return fmt.Errorf("create schedule %q: %w", sc.Name, err)
	}
	sc.ID = id
	return nil
}

// UpdateSchedule compiles sc and replaces the stored schedule of sc.ID.
func (s *ScheduleService) UpdateSchedule(ctx context.Context, sc *hearth.Schedule) error {
	if sc != nil && sc.ID == "" {
		return hearth.Errorf(hearth.EINVALID, "Schedule ID required.")
	}
	if err := s.check(sc); err != nil {
		return err
	}
	res, err := s.db.Write().ExecContext(ctx, s.db.q(`UPDATE schedules SET name = ?, target_kind = ?, target_id = ?, change_kind = ?,
		payload = `+s.db.JSONParam+`, start_at = ?, end_at = ?, recurrence = ?, time_zone = ?, enabled = ?, updated_at = ? WHERE id = ?`),
		sc.Name, string(sc.Target.Kind), sc.Target.ID, string(sc.Change.Kind), payloadArg(sc.Change.Payload),
		s.db.Time(sc.Start), s.db.Time(sc.End), sc.Recurrence, sc.TimeZone, sc.Enabled, s.db.Time(s.db.Now()), sc.ID)
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Schedule %q has an invalid field.", sc.Name)
	} else if err != nil {
		return fmt.Errorf("update schedule %q: %w", sc.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update schedule %q: %w", sc.ID, err)
	} else if n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", sc.ID)
	}
	return nil
}

// DeleteSchedule removes the schedule or returns ENOTFOUND.
func (s *ScheduleService) DeleteSchedule(ctx context.Context, id string) error {
	return s.db.deleteRow(ctx, `DELETE FROM schedules WHERE id = ?`, id, fmt.Sprintf("schedule %q", id),
		hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", id))
}

// check refuses a schedule that does not compile or whose change's payload
// does not fit its kind, and cuts its window to the store's resolution so
// that the caller holds what a later read returns.
func (s *ScheduleService) check(sc *hearth.Schedule) error {
	if sc == nil {
		return hearth.Errorf(hearth.EINVALID, "Schedule required.")
	}
	if _, err := schedule.Compile(sc); err != nil {
		return err
	}
	if _, err := sc.Change.Desired(); err != nil {
		return err
	}
	if s.db.Resolution > 0 {
		sc.Start, sc.End = sc.Start.Truncate(s.db.Resolution), sc.End.Truncate(s.db.Resolution)
	}
	sc.Start, sc.End = utcOrZero(sc.Start), utcOrZero(sc.End)
	return nil
}

// utcOrZero returns t in UTC, keeping the zero time zero.
func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// payloadArg is a change's payload as a statement argument: NULL when the
// kind takes none.
func payloadArg(p []byte) any {
	if len(p) == 0 {
		return nil
	}
	return string(p)
}

// newScheduleID returns a fresh random schedule ID, "sch_" and 12 hex
// digits: short enough to type, random enough never to repeat in a fleet.
func newScheduleID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate schedule ID: %w", err)
	}
	return "sch_" + hex.EncodeToString(b), nil
}

// scanSchedule reads one row of scheduleColumns.
func scanSchedule(row rowScanner) (*hearth.Schedule, error) {
	var sc hearth.Schedule
	var targetKind, changeKind string
	var payload sql.NullString
	if err := row.Scan(&sc.ID, &sc.Name, &targetKind, &sc.Target.ID, &changeKind, &payload,
		(*Time)(&sc.Start), (*Time)(&sc.End), &sc.Recurrence, &sc.TimeZone, &sc.Enabled); err != nil {
		return nil, err
	}
	sc.Target.Kind, sc.Change.Kind = hearth.ScopeKind(targetKind), hearth.ChangeKind(changeKind)
	if payload.Valid {
		sc.Change.Payload = []byte(payload.String)
	}
	return &sc, nil
}
