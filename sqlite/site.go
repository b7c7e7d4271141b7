package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ hearth.SiteService = (*SiteService)(nil)

// SiteService keeps the sites of the fleet in SQLite. It implements
// hearth.SiteService.
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
	(SELECT COUNT(*) FROM miners WHERE miners.site = sites.name), created_at, updated_at`

// FindSiteByName returns the site or ENOTFOUND.
func (s *SiteService) FindSiteByName(ctx context.Context, name string) (*hearth.Site, error) {
	site, err := scanSite(s.db.read.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM sites WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find site %q: %w", name, err)
	}
	return site, nil
}

// FindSites returns every site ordered by name, with miner counts.
func (s *SiteService) FindSites(ctx context.Context) ([]*hearth.Site, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+siteColumns+` FROM sites ORDER BY name`)
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
	if site == nil {
		return hearth.Errorf(hearth.EINVALID, "Site required.")
	}
	if err := site.Validate(); err != nil {
		return err
	}
	now := s.db.now()
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO sites (name, description, power_budget_w, voltage_v, phases, main_breaker_a,
		pdu_limit_a, pdu_limit_w, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		site.Name, site.Description, site.PowerBudget, site.Voltage, site.Phases, site.MainBreaker,
		site.PDULimitCurrent, site.PDULimitPower, site.TimeZone, timestamp(now), timestamp(now)); err != nil {
		if errorCode(err) == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			return hearth.WrapError(hearth.ECONFLICT, err, "Site %q exists already.", site.Name)
		}
		return fmt.Errorf("create site %q: %w", site.Name, err)
	}
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM miners WHERE site = ?`, site.Name).Scan(&count); err != nil {
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
	if site == nil {
		return hearth.Errorf(hearth.EINVALID, "Site required.")
	}
	if err := site.Validate(); err != nil {
		return err
	}
	now := s.db.now()
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var created timestamp
	err = tx.QueryRowContext(ctx, `UPDATE sites SET description = ?, power_budget_w = ?, voltage_v = ?, phases = ?,
		main_breaker_a = ?, pdu_limit_a = ?, pdu_limit_w = ?, time_zone = ?, updated_at = ?
		WHERE name = ? RETURNING created_at`,
		site.Description, site.PowerBudget, site.Voltage, site.Phases, site.MainBreaker,
		site.PDULimitCurrent, site.PDULimitPower, site.TimeZone, timestamp(now), site.Name).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", site.Name)
	} else if err != nil {
		return fmt.Errorf("update site %q: %w", site.Name, err)
	}
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM miners WHERE site = ?`, site.Name).Scan(&count); err != nil {
		return fmt.Errorf("update site %q: %w", site.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit site %q: %w", site.Name, err)
	}
	site.CreatedAt, site.UpdatedAt, site.MinerCount = time.Time(created), now, count
	return nil
}

// DeleteSite removes the site unless miners still belong to it.
func (s *SiteService) DeleteSite(ctx context.Context, name string) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM miners WHERE site = ?`, name).Scan(&count); err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM sites WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	} else if n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	}
	if count > 0 {
		return hearth.Errorf(hearth.ECONFLICT, "Site %q still has %d miners; move them to another site first.", name, count)
	}
	return tx.Commit()
}

// ensureSite creates the site named name, with no facts recorded, unless it
// exists or needs no row (sqlstore.SiteRequired). Miners are stored through
// it, so a miner's site always exists.
func ensureSite(ctx context.Context, tx *sql.Tx, name string, now time.Time) error {
	if !sqlstore.SiteRequired(name) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sites (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, timestamp(now), timestamp(now)); err != nil {
		return fmt.Errorf("create site %q: %w", name, err)
	}
	return nil
}

// scanSite reads one row of siteColumns.
func scanSite(row interface{ Scan(...any) error }) (*hearth.Site, error) {
	var s hearth.Site
	if err := row.Scan(&s.Name, &s.Description, &s.PowerBudget, &s.Voltage, &s.Phases, &s.MainBreaker,
		&s.PDULimitCurrent, &s.PDULimitPower, &s.TimeZone, &s.MinerCount,
		(*timestamp)(&s.CreatedAt), (*timestamp)(&s.UpdatedAt)); err != nil {
		return nil, err
	}
	return &s, nil
}
