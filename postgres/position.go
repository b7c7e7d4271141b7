package postgres

import (
	"context"
	"database/sql"
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
// sqlstore.PlanPositions. The import holds an advisory lock, so that two
// imports do not both plan from the same placements, and locks the rows
// of the miners it reads, so that an edit of one miner at the same time
// is not overwritten with what the import read before it.
func (s *PositionService) ImportPositions(ctx context.Context, as []*hearth.PositionAssignment, dryRun bool) (*hearth.PositionImport, error) {
	// A dry run only reads; an import reads what it will change under
	// the lock, from rows it locks.
	begin, lock := s.db.beginRead, ""
	if !dryRun {
		begin = func(ctx context.Context) (*sql.Tx, error) { return s.db.beginLocked(ctx, lockPositions) }
		lock = dialect.ForUpdate
	}
	t, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()

	idx, sites, err := sqlstore.LoadPlacements(ctx, t, lock)
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

	// Every change in one statement, as arrays: an import of a whole
	// site is one round trip.
	n := len(report.Changes)
	ids, site, row, rack, shelf, slot := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	changedSites := make([]string, 0, n)
	for i, c := range report.Changes {
		p := c.After.Position
		ids[i], site[i], row[i], rack[i], shelf[i], slot[i] = c.MinerID, c.After.Site, p.Row, p.Rack, p.Shelf, p.Slot
		changedSites = append(changedSites, c.After.Site)
	}
	now := s.db.now()
	if err := ensureSites(ctx, t, changedSites, now); err != nil {
		return nil, err
	}
	if _, err := t.ExecContext(ctx, `UPDATE miners SET site = c.site, pos_row = c.pos_row, pos_rack = c.pos_rack,
		pos_shelf = c.pos_shelf, pos_slot = c.pos_slot, updated_at = $7
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS c (id, site, pos_row, pos_rack, pos_shelf, pos_slot)
		WHERE miners.id = c.id`, ids, site, row, rack, shelf, slot, timestamp(now)); err != nil {
		if invalidInput(err) {
			return nil, hearth.WrapError(hearth.EINVALID, err, "A position holds text the database cannot store.")
		}
		return nil, fmt.Errorf("place miners: %w", err)
	}
	if err := t.Commit(); err != nil {
		return nil, fmt.Errorf("commit positions: %w", err)
	}
	return report, nil
}
