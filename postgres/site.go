package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.SiteService = (*SiteService)(nil)

// SiteService keeps the sites of the fleet in PostgreSQL. It implements
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
	site, err := scanSite(s.db.db.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM sites WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) || invalidInput(err) {
		// A name PostgreSQL cannot even hold as text names no site.
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find site %q: %w", name, err)
	}
	return site, nil
}

// FindSites returns every site ordered by name, with miner counts.
func (s *SiteService) FindSites(ctx context.Context) ([]*hearth.Site, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+siteColumns+` FROM sites ORDER BY name`)
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
	var count int
	err := s.db.db.QueryRowContext(ctx, `INSERT INTO sites (name, description, power_budget_w, voltage_v, phases, main_breaker_a,
		pdu_limit_a, pdu_limit_w, time_zone, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
		RETURNING (SELECT COUNT(*) FROM miners WHERE site = $1)`,
		site.Name, site.Description, site.PowerBudget, site.Voltage, site.Phases, site.MainBreaker,
		site.PDULimitCurrent, site.PDULimitPower, site.TimeZone, timestamp(now)).Scan(&count)
	if e := pgError(err); e != nil && e.Code == codeUniqueViolation {
		return hearth.WrapError(hearth.ECONFLICT, err, "Site %q exists already.", site.Name)
	} else if invalidInput(err) {
		return hearth.WrapError(hearth.EINVALID, err, "Site %q has an invalid field.", site.Name)
	} else if err != nil {
		return fmt.Errorf("create site %q: %w", site.Name, err)
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
	var created timestamp
	var count int
	err := s.db.db.QueryRowContext(ctx, `UPDATE sites SET description = $1, power_budget_w = $2, voltage_v = $3, phases = $4,
		main_breaker_a = $5, pdu_limit_a = $6, pdu_limit_w = $7, time_zone = $8, updated_at = $9
		WHERE name = $10 RETURNING created_at, (SELECT COUNT(*) FROM miners WHERE site = $10)`,
		site.Description, site.PowerBudget, site.Voltage, site.Phases, site.MainBreaker,
		site.PDULimitCurrent, site.PDULimitPower, site.TimeZone, timestamp(now), site.Name).Scan(&created, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", site.Name)
	} else if invalidInput(err) {
		return hearth.WrapError(hearth.EINVALID, err, "Site %q has an invalid field.", site.Name)
	} else if err != nil {
		return fmt.Errorf("update site %q: %w", site.Name, err)
	}
	site.CreatedAt, site.UpdatedAt, site.MinerCount = time.Time(created), now, count
	return nil
}

// DeleteSite removes the site unless miners still belong to it. The site's
// row is locked first; storing a miner locks it too (see ensureSites), so a
// miner stored at the same time either makes the delete count it or, once
// the delete commits, makes the site again.
func (s *SiteService) DeleteSite(ctx context.Context, name string) error {
	tx, err := s.db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var locked string
	err = tx.QueryRowContext(ctx, `SELECT name FROM sites WHERE name = $1 FOR UPDATE`, name).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) || invalidInput(err) {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	} else if err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM miners WHERE site = $1`, name).Scan(&count); err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	if count > 0 {
		return hearth.Errorf(hearth.ECONFLICT, "Site %q still has %d miners; move them to another site first.", name, count)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sites WHERE name = $1`, name); err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit site %q: %w", name, err)
	}
	return nil
}

// ensureSites creates the sites named, with no facts recorded, unless they
// exist or need no row (sqlstore.SiteRequired). Miners are stored through
// it, so a miner's site always exists. An existing site's row is locked (a
// no-op update) rather than skipped, so that it cannot be deleted under a
// miner being stored: a concurrent DeleteSite waits and then counts it.
// Rows are taken in name order, so two writers never wait on each other
// in a circle.
func ensureSites(ctx context.Context, tx *sql.Tx, names []string, now time.Time) error {
	required := make([]string, 0, len(names))
	for _, name := range names {
		if sqlstore.SiteRequired(name) {
			required = append(required, name)
		}
	}
	if len(required) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sites (name, created_at, updated_at)
		SELECT DISTINCT name, $2::timestamptz, $2::timestamptz FROM unnest($1::text[]) AS t (name) ORDER BY name
		ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name`, required, timestamp(now)); err != nil {
		return fmt.Errorf("create sites %v: %w", required, err)
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
