package sqlite

import (
	"context"
	"fmt"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// MinerBatchCreator adds many miners at once; see sqlstore.MinerBatchCreator.
type MinerBatchCreator = sqlstore.MinerBatchCreator

// Compile-time checks that MinerService does what it claims.
var (
	_ hearth.MinerService = (*MinerService)(nil)
	_ MinerBatchCreator   = (*MinerService)(nil)
)

// MinerService is the miner inventory, stored in SQLite. It adds miners its
// own way and reads, updates and deletes them as every relational store
// does (sqlstore.MinerService); it implements hearth.MinerService and MinerBatchCreator.
type MinerService struct {
	*sqlstore.MinerService
	db *DB
}

// NewMinerService returns the inventory kept in db.
func NewMinerService(db *DB) *MinerService {
	return &MinerService{MinerService: sqlstore.NewMinerService(db.shared()), db: db}
}

// CreateMiner adds m. It sets CreatedAt and UpdatedAt, and m.ID when empty:
// the miner's hostname reduced to [a-z0-9-], else hostname and the last 6
// hex digits of its MAC, else "m-" and its address (and port when not the
// default), with a numeric suffix if even that is taken. It returns
// ECONFLICT when the ID or the address and port are taken, and EINVALID when
// a required field is missing or a given ID is not 1 to 63 characters from
// [A-Za-z0-9._-].
func (s *MinerService) CreateMiner(ctx context.Context, m *hearth.Miner) error {
	return s.createMiners(ctx, []*hearth.Miner{m}, func(_ int, err error) error { return err })
}

// CreateMiners adds every miner in ms or none of them, in one transaction
// with prepared statements. See MinerBatchCreator.
func (s *MinerService) CreateMiners(ctx context.Context, ms []*hearth.Miner) error {
	return s.createMiners(ctx, ms, sqlstore.BlameMiner)
}

// createMiners stores ms in one transaction. blame adds to an error which of
// ms caused it; a single CreateMiner has no use for that.
func (s *MinerService) createMiners(ctx context.Context, ms []*hearth.Miner, blame func(i int, err error) error) error {
	for i, m := range ms {
		if err := sqlstore.CheckNewMiner(m); err != nil {
			return blame(i, err)
		}
	}
	if len(ms) == 0 {
		return nil
	}

	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	exists, err := tx.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM miners WHERE id = ?)`)
	if err != nil {
		return fmt.Errorf("prepare miner lookup: %w", err)
	}
	defer exists.Close()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO miners (`+sqlstore.MinerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare miner insert: %w", err)
	}
	defer insert.Close()

	taken := func(ctx context.Context, id string) (bool, error) {
		var t bool
		if err := exists.QueryRowContext(ctx, id).Scan(&t); err != nil {
			return false, fmt.Errorf("look up miner %q: %w", id, err)
		}
		return t, nil
	}

	now := s.db.now()
	ids := make([]string, len(ms))
	sites := map[string]bool{} // sites known to exist in this transaction
	for i, m := range ms {
		id := m.ID
		if id == "" {
			if id, err = sqlstore.DeriveMinerID(ctx, m, taken); err != nil {
				return blame(i, err)
			}
		}
		ids[i] = id
		if _, err := insert.ExecContext(ctx,
			id, m.Address, m.Port, m.WebPort, m.APIPort, string(m.Family), m.Firmware, m.Model, m.Serial,
			m.MAC, m.Hostname, m.Site, m.Position.Row, m.Position.Rack, m.Position.Shelf, m.Position.Slot,
			sqlstore.TagList(m.Tags), timestamp(now), timestamp(now),
		); err != nil {
			return blame(i, dialect.MinerWriteError(err, id, m))
		}
		if !sites[m.Site] {
			if err := ensureSite(ctx, tx, m.Site, now); err != nil {
				return blame(i, err)
			}
			sites[m.Site] = true
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit miners: %w", err)
	}

	for i, m := range ms {
		m.ID, m.CreatedAt, m.UpdatedAt = ids[i], now, now
	}
	return nil
}
