package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.PowerRequestService = (*PowerRequestService)(nil)

// PowerRequestService keeps the power requests of every signal source in
// the power_requests table. It implements hearth.PowerRequestService once
// for SQLite and PostgreSQL alike.
type PowerRequestService struct {
	db *DB
}

// NewPowerRequestService returns the power requests kept in db.
func NewPowerRequestService(db *DB) *PowerRequestService { return &PowerRequestService{db: db} }

// SetPowerRequest validates r and stores it, replacing the request of the
// same source, site and ID. r.CreatedAt is set when zero.
func (s *PowerRequestService) SetPowerRequest(ctx context.Context, r *hearth.PowerRequest) error {
	if r == nil {
		return hearth.Errorf(hearth.EINVALID, "Power request required.")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.db.Now()
	}
	if s.db.Resolution > 0 {
		r.Start, r.End, r.CreatedAt = r.Start.Truncate(s.db.Resolution), r.End.Truncate(s.db.Resolution), r.CreatedAt.Truncate(s.db.Resolution)
	}
	_, err := s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO power_requests (source, site, id, kind, limit_w, shed_fraction, start_at, end_at, reason, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, site, id) DO UPDATE SET kind = excluded.kind, limit_w = excluded.limit_w, shed_fraction = excluded.shed_fraction,
			start_at = excluded.start_at, end_at = excluded.end_at, reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at`),
		string(r.Source), r.Site, r.ID, string(r.Kind), r.LimitWatts, r.ShedFraction, s.db.Time(r.Start), s.db.Time(r.End), r.Reason, r.CreatedBy, s.db.Time(r.CreatedAt))
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Power request %q has a field that is not valid text.", r.ID)
	} else if err != nil {
		return fmt.Errorf("store power request %s/%s/%s: %w", r.Source, r.Site, r.ID, err)
	}
	return nil
}

// DeletePowerRequest removes one request, or returns ENOTFOUND.
func (s *PowerRequestService) DeletePowerRequest(ctx context.Context, source hearth.PowerSource, site, id string) error {
	notFound := hearth.Errorf(hearth.ENOTFOUND, "No %s power request %q for site %q.", source, id, site)
	res, err := s.db.Write().ExecContext(ctx, s.db.q(`DELETE FROM power_requests WHERE source = ? AND site = ? AND id = ?`), string(source), site, id)
	if s.db.violates(err, InvalidValue) {
		return notFound
	} else if err != nil {
		return fmt.Errorf("delete power request %s/%s/%s: %w", source, site, id, err)
	}
	if RowsAffected(res) == 0 {
		return notFound
	}
	return nil
}

// FindPowerRequests returns the requests f matches, ordered by site,
// source, start and ID.
func (s *PowerRequestService) FindPowerRequests(ctx context.Context, f hearth.PowerRequestFilter) ([]*hearth.PowerRequest, error) {
	var where []string
	var args []any
	if f.Site != "" {
		where, args = append(where, "site = ?"), append(args, f.Site)
	}
	if f.Source != "" {
		where, args = append(where, "source = ?"), append(args, string(f.Source))
	}
	if !f.ActiveAt.IsZero() {
		t := s.db.Time(f.ActiveAt)
		where, args = append(where, "start_at <= ? AND (end_at IS NULL OR end_at > ?)"), append(args, t, t)
	}
	if !f.EndedBefore.IsZero() {
		where, args = append(where, "end_at IS NOT NULL AND end_at < ?"), append(args, s.db.Time(f.EndedBefore))
	}
	query := `SELECT source, site, id, kind, limit_w, shed_fraction, start_at, end_at, reason, created_by, created_at FROM power_requests`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(query+` ORDER BY site, source, start_at, id`), args...)
	if s.db.violates(err, InvalidValue) {
		return []*hearth.PowerRequest{}, nil // a name the database cannot hold has no requests
	} else if err != nil {
		return nil, fmt.Errorf("find power requests: %w", err)
	}
	defer rows.Close()
	out := []*hearth.PowerRequest{}
	for rows.Next() {
		var r hearth.PowerRequest
		var source, kind string
		var start, end, created Time
		if err := rows.Scan(&source, &r.Site, &r.ID, &kind, &r.LimitWatts, &r.ShedFraction, &start, &end, &r.Reason, &r.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("scan power request: %w", err)
		}
		r.Source, r.Kind = hearth.PowerSource(source), hearth.PowerRequestKind(kind)
		r.Start, r.End, r.CreatedAt = time.Time(start), time.Time(end), time.Time(created)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find power requests: %w", err)
	}
	return out, nil
}
