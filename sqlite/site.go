package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.SiteService = (*SiteService)(nil)

// SiteService keeps the sites of the fleet in SQLite. It implements
// hearth.SiteService with the logic every relational store shares
// (sqlstore.SiteService).
type SiteService struct {
	*sqlstore.SiteService
}

// NewSiteService returns the sites kept in db.
func NewSiteService(db *DB) *SiteService {
	return &SiteService{sqlstore.NewSiteService(db.shared())}
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
