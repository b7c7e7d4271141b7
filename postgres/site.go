package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.SiteService = (*SiteService)(nil)

// SiteService keeps the sites of the fleet in PostgreSQL. It implements
// hearth.SiteService with the logic every relational store shares
// (sqlstore.SiteService).
type SiteService struct {
	*sqlstore.SiteService
}

// NewSiteService returns the sites kept in db.
func NewSiteService(db *DB) *SiteService {
	return &SiteService{sqlstore.NewSiteService(db.shared())}
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
