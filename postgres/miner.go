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

// Compile-time checks that MinerService does what it claims.
var (
	_ hearth.MinerService        = (*MinerService)(nil)
	_ sqlstore.MinerBatchCreator = (*MinerService)(nil)
)

// MinerService is the miner inventory, stored in PostgreSQL. It adds miners its
// own way and reads, updates and deletes them as every relational store
// does (sqlstore.MinerService); it implements hearth.MinerService and sqlstore.MinerBatchCreator.
type MinerService struct {
	*sqlstore.MinerService
	db *DB
}

// NewMinerService returns the inventory kept in db.
func NewMinerService(db *DB) *MinerService {
	return &MinerService{MinerService: sqlstore.NewMinerService(db.shared()), db: db}
}

// CreateMiner adds m. It sets CreatedAt and UpdatedAt, and m.ID when empty,
// exactly as the SQLite store does (see sqlstore.DeriveMinerID). It returns
// ECONFLICT when the ID or the address and port are taken, and EINVALID when
// a required field is missing or a given ID is not 1 to 63 characters from
// [A-Za-z0-9._-].
func (s *MinerService) CreateMiner(ctx context.Context, m *hearth.Miner) error {
	return s.createMiners(ctx, []*hearth.Miner{m}, func(_ int, err error) error { return err })
}

// CreateMiners adds every miner in ms or none of them, in one transaction
// with prepared statements. See sqlstore.MinerBatchCreator.
func (s *MinerService) CreateMiners(ctx context.Context, ms []*hearth.Miner) error {
	return s.createMiners(ctx, ms, sqlstore.BlameMiner)
}

// insertChunk is how many miners one INSERT carries. Sending rows as
// arrays (unnest) turns 20,000 round trips into 20.
const insertChunk = 1000

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

	// The lock makes "is this ID free?" and the insert one step with
	// respect to every other creator, as SQLite's single writer does.
	tx, err := s.db.beginLocked(ctx, lockMinerIDs)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	ids, err := chooseMinerIDs(ctx, tx, ms)
	if err != nil {
		return blame(ids.failed, err)
	}
	now := s.db.now()
	for start := 0; start < len(ms); start += insertChunk {
		end := min(start+insertChunk, len(ms))
		if err := insertMiners(ctx, tx, ms[start:end], ids.chosen[start:end], now); err != nil {
			i, err := findBadMiner(ctx, tx, ms[start:end], ids.chosen[start:end], now)
			return blame(start+i, err)
		}
	}
	if err := ensureSites(ctx, tx, sqlstore.RequiredSites(ms), now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit miners: %w", err)
	}

	for i, m := range ms {
		m.ID, m.CreatedAt, m.UpdatedAt = ids.chosen[i], now, now
	}
	return nil
}

// minerIDs is the outcome of chooseMinerIDs: the ID of each miner, or
// which miner it failed on.
type minerIDs struct {
	chosen []string
	failed int
}

// chooseMinerIDs returns the ID each of ms will have: its own, or one
// derived as sqlstore.DeriveMinerID does. Every ID it might choose is
// looked up in one query; only the rare numeric suffix asks the database
// again.
func chooseMinerIDs(ctx context.Context, tx *sql.Tx, ms []*hearth.Miner) (minerIDs, error) {
	var wanted []string
	for _, m := range ms {
		if m.ID == "" {
			wanted = append(wanted, sqlstore.MinerIDCandidates(m)...)
		}
	}
	known := make(map[string]bool, len(wanted)) // looked up: true when taken
	if len(wanted) > 0 {
		for _, id := range wanted {
			known[id] = false
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM miners WHERE id = ANY($1::text[])`, wanted)
		if err != nil {
			return minerIDs{}, fmt.Errorf("look up miner IDs: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return minerIDs{}, fmt.Errorf("look up miner IDs: %w", err)
			}
			known[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return minerIDs{}, fmt.Errorf("look up miner IDs: %w", err)
		}
	}
	chosen := make(map[string]bool, len(ms)) // IDs earlier miners of ms take
	taken := func(ctx context.Context, id string) (bool, error) {
		if chosen[id] {
			return true, nil
		}
		if t, ok := known[id]; ok {
			return t, nil
		}
		var t bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM miners WHERE id = $1)`, id).Scan(&t); err != nil {
			return false, fmt.Errorf("look up miner %q: %w", id, err)
		}
		return t, nil
	}

	ids := minerIDs{chosen: make([]string, len(ms))}
	for i, m := range ms {
		id := m.ID
		if id == "" {
			var err error
			if id, err = sqlstore.DeriveMinerID(ctx, m, taken); err != nil {
				ids.failed = i
				return ids, err
			}
		}
		ids.chosen[i] = id
		chosen[id] = true
	}
	return ids, nil
}

// insertMiners inserts ms under ids in one statement, inside a savepoint so
// that a failure leaves the transaction usable for findBadMiner.
func insertMiners(ctx context.Context, tx *sql.Tx, ms []*hearth.Miner, ids []string, now time.Time) error {
	n := len(ms)
	var (
		address, family, firmware, model, serial, mac, hostname, site, tags = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		row, rack, shelf, slot = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		port, webPort, apiPort = make([]int32, n), make([]int32, n), make([]int32, n)
	)
	for i, m := range ms {
		tv, err := sqlstore.TagList(m.Tags).Value()
		if err != nil {
			return err
		}
		address[i], family[i], firmware[i], model[i], serial[i] = m.Address, string(m.Family), m.Firmware, m.Model, m.Serial
		mac[i], hostname[i], site[i], tags[i] = m.MAC, m.Hostname, m.Site, tv.(string)
		row[i], rack[i], shelf[i], slot[i] = m.Position.Row, m.Position.Rack, m.Position.Shelf, m.Position.Slot
		port[i], webPort[i], apiPort[i] = int32(m.Port), int32(m.WebPort), int32(m.APIPort)
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT insert_miners`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO miners (`+sqlstore.MinerColumns+`)
		SELECT id, address, port, web_port, api_port, family, firmware, model, serial, mac, hostname, site,
			pos_row, pos_rack, pos_shelf, pos_slot, tags::jsonb, $18, $18
		FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
			AS t (id, address, port, web_port, api_port, family, firmware, model, serial, mac, hostname, site,
				pos_row, pos_rack, pos_shelf, pos_slot, tags)`,
		ids, address, port, webPort, apiPort, family, firmware, model, serial, mac, hostname, site,
		row, rack, shelf, slot, tags, timestamp(now))
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT insert_miners`); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT insert_miners`)
	return err
}

// findBadMiner inserts ms one by one after their joint insert failed, to
// tell which of them the server refuses and why. The transaction is rolled
// back by the caller either way.
func findBadMiner(ctx context.Context, tx *sql.Tx, ms []*hearth.Miner, ids []string, now time.Time) (int, error) {
	for i, m := range ms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO miners (`+sqlstore.MinerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			ids[i], m.Address, m.Port, m.WebPort, m.APIPort, string(m.Family), m.Firmware, m.Model, m.Serial,
			m.MAC, m.Hostname, m.Site, m.Position.Row, m.Position.Rack, m.Position.Shelf, m.Position.Slot,
			sqlstore.TagList(m.Tags), timestamp(now), timestamp(now),
		); err != nil {
			return i, dialect.MinerWriteError(err, ids[i], m)
		}
	}
	return 0, fmt.Errorf("store miners: the batch failed as a whole but each miner alone succeeded")
}
