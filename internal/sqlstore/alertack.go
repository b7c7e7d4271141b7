package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.AlertAckService = (*AlertAckService)(nil)

// AlertAckService keeps the acknowledgement state of alerts in the
// alert_acks table. It implements hearth.AlertAckService once for SQLite
// and PostgreSQL alike.
type AlertAckService struct {
	db *DB
}

// NewAlertAckService returns the acknowledgements kept in db.
func NewAlertAckService(db *DB) *AlertAckService { return &AlertAckService{db: db} }

// SetAlertAck stores a, replacing the record of its fingerprint, its times
// cut to the database's resolution.
func (s *AlertAckService) SetAlertAck(ctx context.Context, a *hearth.AlertAck) error {
	if a == nil || a.Fingerprint == "" || a.Name == "" {
		return hearth.Errorf(hearth.EINVALID, "An alert acknowledgement needs the alert's fingerprint and name.")
	}
	if s.db.Resolution > 0 {
		a.Since, a.AckedAt, a.LightOffAt = a.Since.Truncate(s.db.Resolution), a.AckedAt.Truncate(s.db.Resolution), a.LightOffAt.Truncate(s.db.Resolution)
	}
	_, err := s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO alert_acks (fingerprint, name, miner_id, located, since, acked_at, acked_by, light_off_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name, miner_id = excluded.miner_id, located = excluded.located,
			since = excluded.since, acked_at = excluded.acked_at, acked_by = excluded.acked_by, light_off_at = excluded.light_off_at`),
		a.Fingerprint, a.Name, a.MinerID, a.Located, s.db.Time(a.Since), s.db.Time(a.AckedAt), a.AckedBy, s.db.Time(a.LightOffAt))
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Acknowledgement of %s has a field that is not valid text.", a.Name)
	} else if err != nil {
		return fmt.Errorf("store acknowledgement of %s: %w", a.Name, err)
	}
	return nil
}

// FindAlertAcks returns the records f chooses, by fingerprint.
func (s *AlertAckService) FindAlertAcks(ctx context.Context, f hearth.AlertAckFilter) ([]*hearth.AlertAck, error) {
	var where []string
	var args []any
	if f.MinerID != "" {
		where, args = append(where, `miner_id = ?`), append(args, f.MinerID)
	}
	if f.Located {
		where = append(where, `located`)
	}
	if len(f.Fingerprints) > 0 {
		cond, arg, err := s.db.MatchAny("fingerprint", f.Fingerprints)
		if err != nil {
			return nil, fmt.Errorf("find acknowledgements: %w", err)
		}
		where, args = append(where, cond), append(args, arg)
	}
	query := `SELECT fingerprint, name, miner_id, located, since, acked_at, acked_by, light_off_at FROM alert_acks`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(query+` ORDER BY fingerprint`), args...)
	if s.db.violates(err, InvalidValue) {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Acknowledgement filter is not valid text.")
	} else if err != nil {
		return nil, fmt.Errorf("find acknowledgements: %w", err)
	}
	defer rows.Close()
	out := []*hearth.AlertAck{}
	for rows.Next() {
		var a hearth.AlertAck
		var since, acked, off Time
		if err := rows.Scan(&a.Fingerprint, &a.Name, &a.MinerID, &a.Located, &since, &acked, &a.AckedBy, &off); err != nil {
			return nil, fmt.Errorf("find acknowledgements: %w", err)
		}
		a.Since, a.AckedAt, a.LightOffAt = time.Time(since), time.Time(acked), time.Time(off)
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find acknowledgements: %w", err)
	}
	return out, nil
}

// PruneAlertAcks removes the records older than before that no longer
// matter (see hearth.AlertAckService): the light, if the alert ever
// switched one on, is off again, the acknowledgement (or, for an alert
// never acknowledged, the start of its episode) is older than before,
// and the alert is not open in the alert history.
func (s *AlertAckService) PruneAlertAcks(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Write().ExecContext(ctx, s.db.q(`DELETE FROM alert_acks
		WHERE (NOT located OR (acked_at IS NOT NULL AND light_off_at IS NOT NULL))
		AND COALESCE(acked_at, since) < ?
		AND NOT EXISTS (SELECT 1 FROM alert_history h WHERE h.fingerprint = alert_acks.fingerprint AND h.state = 'firing'
			AND h.id = (SELECT MAX(l.id) FROM alert_history l WHERE l.fingerprint = h.fingerprint))`), s.db.Time(before))
	if err != nil {
		return 0, fmt.Errorf("prune acknowledgements: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune acknowledgements: %w", err)
	}
	return n, nil
}
