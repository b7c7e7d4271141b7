package sqlite

import (
	"context"
	"fmt"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.PositionService = (*PositionService)(nil)

// PositionService places miners in bulk, in one transaction. It implements
// hearth.PositionService.
type PositionService struct {
	db *DB
}

// NewPositionService returns the position importer of db.
func NewPositionService(db *DB) *PositionService {
	return &PositionService{db: db}
}

// ImportPositions applies every assignment or none. See
// hearth.PositionService; what a line means is decided by
// sqlstore.PlanPositions.
func (s *PositionService) ImportPositions(ctx context.Context, as []*hearth.PositionAssignment, dryRun bool) (*hearth.PositionImport, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	idx, sites, err := sqlstore.LoadPlacements(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	report, err := sqlstore.PlanPositions(as, idx, sites, dryRun)
	if err != nil {
		return nil, err
	}
	if dryRun || len(report.Changes) == 0 {
		return report, nil
	}

	now := s.db.now()
	for _, site := range report.SitesCreated {
		if err := ensureSite(ctx, tx, site, now); err != nil {
			return nil, err
		}
	}
	update, err := tx.PrepareContext(ctx, `UPDATE miners SET site = ?, pos_row = ?, pos_rack = ?, pos_shelf = ?, pos_slot = ?, updated_at = ? WHERE id = ?`)
	if err != nil {
		return nil, fmt.Errorf("prepare position update: %w", err)
	}
	defer update.Close()
	for _, c := range report.Changes {
		p := c.After.Position
		if _, err := update.ExecContext(ctx, c.After.Site, p.Row, p.Rack, p.Shelf, p.Slot, timestamp(now), c.MinerID); err != nil {
			return nil, fmt.Errorf("line %d: place miner %q: %w", c.Line, c.MinerID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit positions: %w", err)
	}
	return report, nil
}
