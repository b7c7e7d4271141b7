package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.AlertHistoryService = (*AlertHistoryService)(nil)

// AlertHistoryService keeps the alert history in the alert_history
// table. It implements hearth.AlertHistoryService once for SQLite and
// PostgreSQL alike.
type AlertHistoryService struct {
	db *DB
}

// NewAlertHistoryService returns the alert history kept in db.
func NewAlertHistoryService(db *DB) *AlertHistoryService { return &AlertHistoryService{db: db} }

// MaxAlertHistory caps the events one FindAlertHistory returns.
const MaxAlertHistory = 100000

// RecordAlertEvents appends events in one transaction, their times cut
// to the database's resolution, and sets their IDs.
func (s *AlertHistoryService) RecordAlertEvents(ctx context.Context, events []*hearth.AlertEvent) error {
	if len(events) == 0 {
		return nil
	}
	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return fmt.Errorf("record alert events: %w", err)
	}
	defer tx.Rollback()
	for _, e := range events {
		if e.State != hearth.AlertFiring && e.State != hearth.AlertResolved {
			return hearth.Errorf(hearth.EINVALID, "Alert event of %s: state %q must be firing or resolved.", e.Name, e.State)
		}
		if e.Name == "" || e.Fingerprint == "" || e.At.IsZero() {
			return hearth.Errorf(hearth.EINVALID, "Alert event needs a name, a fingerprint and a time.")
		}
		if s.db.Resolution > 0 {
			e.At, e.ActiveAt = e.At.Truncate(s.db.Resolution), e.ActiveAt.Truncate(s.db.Resolution)
		}
		labels, err := json.Marshal(orEmpty(e.Labels))
		if err != nil {
			return fmt.Errorf("encode labels: %w", err)
		}
		var annotations, value any
		if len(e.Annotations) > 0 {
			b, err := json.Marshal(e.Annotations)
			if err != nil {
				return fmt.Errorf("encode annotations: %w", err)
			}
			annotations = string(b)
		}
		if !math.IsNaN(e.Value) && !math.IsInf(e.Value, 0) {
			value = e.Value
		}
		err = tx.QueryRowContext(ctx, s.db.q(`INSERT INTO alert_history (fingerprint, name, labels, annotations, state, value, at, active_at)
			VALUES (?, ?, `+s.db.JSONParam+`, `+s.db.JSONParam+`, ?, ?, ?, ?) RETURNING id`),
			e.Fingerprint, e.Name, string(labels), annotations, string(e.State), value, s.db.Time(e.At), s.db.Time(e.ActiveAt)).Scan(&e.ID)
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Alert event of %s has a field that is not valid text.", e.Name)
		} else if err != nil {
			return fmt.Errorf("record alert event of %s: %w", e.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record alert events: %w", err)
	}
	return nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// FindAlertHistory returns events, newest first.
func (s *AlertHistoryService) FindAlertHistory(ctx context.Context, f hearth.AlertHistoryFilter) ([]*hearth.AlertEvent, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, `h.at >= ?`), append(args, s.db.Time(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, `h.at < ?`), append(args, s.db.Time(f.Until))
	}
	if f.Name != "" {
		where, args = append(where, `h.name = ?`), append(args, f.Name)
	}
	if f.Open {
		where = append(where, `h.state = 'firing' AND h.id = (SELECT MAX(l.id) FROM alert_history l WHERE l.fingerprint = h.fingerprint)`)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	query := `SELECT h.id, h.fingerprint, h.name, h.labels` + s.db.JSONText + `, h.annotations` + s.db.JSONText +
		`, h.state, h.value, h.at, h.active_at FROM alert_history h`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, min(limit, MaxAlertHistory))
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(query+` ORDER BY h.id DESC LIMIT ?`), args...)
	if s.db.violates(err, InvalidValue) {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Alert history filter is not valid text.")
	} else if err != nil {
		return nil, fmt.Errorf("find alert history: %w", err)
	}
	defer rows.Close()
	out := []*hearth.AlertEvent{}
	for rows.Next() {
		var e hearth.AlertEvent
		var labels, state string
		var annotations sql.NullString
		var value sql.NullFloat64
		var at, active Time
		if err := rows.Scan(&e.ID, &e.Fingerprint, &e.Name, &labels, &annotations, &state, &value, &at, &active); err != nil {
			return nil, fmt.Errorf("find alert history: %w", err)
		}
		if err := json.Unmarshal([]byte(labels), &e.Labels); err != nil {
			return nil, fmt.Errorf("labels of alert event %d: %w", e.ID, err)
		}
		if annotations.Valid {
			if err := json.Unmarshal([]byte(annotations.String), &e.Annotations); err != nil {
				return nil, fmt.Errorf("annotations of alert event %d: %w", e.ID, err)
			}
		}
		e.Value = value.Float64 // 0 for NaN, which JSON cannot carry
		e.State, e.At, e.ActiveAt = hearth.AlertState(state), time.Time(at), time.Time(active)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find alert history: %w", err)
	}
	return out, nil
}

// PruneAlertHistory removes the events older than before, keeping the
// latest event of each alert still firing, so that the history still
// knows it is open.
func (s *AlertHistoryService) PruneAlertHistory(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Write().ExecContext(ctx, s.db.q(`DELETE FROM alert_history WHERE at < ? AND NOT (state = 'firing'
		AND id = (SELECT MAX(l.id) FROM alert_history l WHERE l.fingerprint = alert_history.fingerprint))`), s.db.Time(before))
	if err != nil {
		return 0, fmt.Errorf("prune alert history: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune alert history: %w", err)
	}
	return n, nil
}
