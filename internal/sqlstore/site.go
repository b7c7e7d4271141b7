package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.SiteService = (*SiteService)(nil)

// SiteService keeps the sites of the fleet in a relational store. It
// implements hearth.SiteService once for SQLite and PostgreSQL alike.
type SiteService struct {
	db *DB
}

// NewSiteService returns the sites kept in db.
func NewSiteService(db *DB) *SiteService {
	return &SiteService{db: db}
}

// siteColumns lists the columns scanSite reads, in its order; the miner
// count is computed by a subquery so that a site without miners shows 0.
const siteColumns = `name, description, power_budget_w, voltage_v, phases, main_breaker_a, pdu_limit_a, pdu_limit_w, time_zone,
	ramp_up_w_per_min, ramp_down_w_per_min, (SELECT COUNT(*) FROM miners WHERE miners.site = sites.name), created_at, updated_at`

// FindSiteByName returns the site or ENOTFOUND.
func (s *SiteService) FindSiteByName(ctx context.Context, name string) (*hearth.Site, error) {
	site, err := scanSite(s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT `+siteColumns+` FROM sites WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		// A name the database cannot even hold as text names no site.
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find site %q: %w", name, err)
	}
	return site, nil
}

// FindSites returns every site ordered by name, with miner counts.
func (s *SiteService) FindSites(ctx context.Context) ([]*hearth.Site, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+siteColumns+` FROM sites ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("find sites: %w", err)
	}
	defer rows.Close()
	sites := make([]*hearth.Site, 0)
	for rows.Next() {
		site, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("find sites: %w", err)
		}
		sites = append(sites, site)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sites: %w", err)
	}
	return sites, nil
}

// CreateSite adds site and sets its timestamps.
func (s *SiteService) CreateSite(ctx context.Context, site *hearth.Site) error {
	tx, err := s.beginSiteWrite(ctx, site)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := s.db.Now()
	_, err = tx.ExecContext(ctx, s.db.q(`INSERT INTO sites (name, description, power_budget_w, voltage_v, phases, main_breaker_a,
		pdu_limit_a, pdu_limit_w, time_zone, ramp_up_w_per_min, ramp_down_w_per_min, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		site.Name, site.Description, site.PowerBudget, site.Voltage, site.Phases, site.MainBreaker,
		site.PDULimitCurrent, site.PDULimitPower, site.TimeZone, site.RampUpPerMinute, site.RampDownPerMinute, s.db.Time(now), s.db.Time(now))
	if s.db.conflicts(err) {
		return hearth.WrapError(hearth.ECONFLICT, err, "Site %q exists already.", site.Name)
	} else if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Site %q has an invalid field.", site.Name)
	} else if err != nil {
		return fmt.Errorf("create site %q: %w", site.Name, err)
	}
	count, err := s.minerCount(ctx, tx, site.Name)
	if err != nil {
		return fmt.Errorf("create site %q: %w", site.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit site %q: %w", site.Name, err)
	}
	site.CreatedAt, site.UpdatedAt, site.MinerCount = now, now, count
	return nil
}

// UpdateSite stores every field of site but Name and CreatedAt, and fills
// those and the miner count from the store.
func (s *SiteService) UpdateSite(ctx context.Context, site *hearth.Site) error {
	tx, err := s.beginSiteWrite(ctx, site)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := s.db.Now()
	var created Time
	err = tx.QueryRowContext(ctx, s.db.q(`UPDATE sites SET description = ?, power_budget_w = ?, voltage_v = ?, phases = ?,
		main_breaker_a = ?, pdu_limit_a = ?, pdu_limit_w = ?, time_zone = ?, ramp_up_w_per_min = ?, ramp_down_w_per_min = ?, updated_at = ?
		WHERE name = ? RETURNING created_at`),
		site.Description, site.PowerBudget, site.Voltage, site.Phases, site.MainBreaker,
		site.PDULimitCurrent, site.PDULimitPower, site.TimeZone, site.RampUpPerMinute, site.RampDownPerMinute, s.db.Time(now), site.Name).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", site.Name)
	} else if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Site %q has an invalid field.", site.Name)
	} else if err != nil {
		return fmt.Errorf("update site %q: %w", site.Name, err)
	}
	count, err := s.minerCount(ctx, tx, site.Name)
	if err != nil {
		return fmt.Errorf("update site %q: %w", site.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit site %q: %w", site.Name, err)
	}
	site.CreatedAt, site.UpdatedAt, site.MinerCount = time.Time(created), now, count
	return nil
}

// DeleteSite removes the site unless miners still belong to it. The site's
// row is locked first (in SQLite the write transaction holds the whole
// database); storing a miner locks it too, so a miner stored at the same
// time either makes the delete count it or, once the delete commits, makes
// the site again.
func (s *SiteService) DeleteSite(ctx context.Context, name string) error {
	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var locked string
	err = tx.QueryRowContext(ctx, s.db.q(`SELECT name FROM sites WHERE name = ?`+s.db.ForUpdate), name).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	} else if err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	count, err := s.minerCount(ctx, tx, name)
	if err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	if count > 0 {
		return hearth.Errorf(hearth.ECONFLICT, "Site %q still has %d miners; move them to another site first.", name, count)
	}
	if _, err := tx.ExecContext(ctx, s.db.q(`DELETE FROM sites WHERE name = ?`), name); err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit site %q: %w", name, err)
	}
	return nil
}

// beginSiteWrite checks site and starts the write transaction that
// stores it.
func (s *SiteService) beginSiteWrite(ctx context.Context, site *hearth.Site) (*sql.Tx, error) {
	if site == nil {
		return nil, hearth.Errorf(hearth.EINVALID, "Site required.")
	}
	if err := site.Validate(); err != nil {
		return nil, err
	}
	return s.db.BeginWrite(ctx, NoLock)
}

// minerCount returns how many miners belong to the site named name.
func (s *SiteService) minerCount(ctx context.Context, tx *sql.Tx, name string) (int, error) {
	var count int
	err := tx.QueryRowContext(ctx, s.db.q(`SELECT COUNT(*) FROM miners WHERE site = ?`), name).Scan(&count)
	return count, err
}

// scanSite reads one row of siteColumns.
func scanSite(row rowScanner) (*hearth.Site, error) {
	var s hearth.Site
	if err := row.Scan(&s.Name, &s.Description, &s.PowerBudget, &s.Voltage, &s.Phases, &s.MainBreaker,
		&s.PDULimitCurrent, &s.PDULimitPower, &s.TimeZone, &s.RampUpPerMinute, &s.RampDownPerMinute, &s.MinerCount,
		(*Time)(&s.CreatedAt), (*Time)(&s.UpdatedAt)); err != nil {
		return nil, err
	}
	return &s, nil
}
