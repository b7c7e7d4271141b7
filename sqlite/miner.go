package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
	sqlite3 "modernc.org/sqlite/lib"
)

// MinerBatchCreator adds many miners at once; see sqlstore.MinerBatchCreator.
type MinerBatchCreator = sqlstore.MinerBatchCreator

// Compile-time checks that MinerService does what it claims.
var (
	_ hearth.MinerService = (*MinerService)(nil)
	_ MinerBatchCreator   = (*MinerService)(nil)
)

// MinerService is the miner inventory, stored in SQLite. It implements
// hearth.MinerService and MinerBatchCreator.
type MinerService struct {
	db *DB
}

// NewMinerService returns the inventory kept in db.
func NewMinerService(db *DB) *MinerService {
	return &MinerService{db: db}
}

// minerColumns lists the columns scanMiner reads, in its order.
const minerColumns = `id, address, port, web_port, api_port, family, firmware, model, serial, mac, hostname, site, pos_row, pos_rack, pos_shelf, pos_slot, tags, created_at, updated_at`

// FindMinerByID returns the miner or an ENOTFOUND error.
func (s *MinerService) FindMinerByID(ctx context.Context, id string) (*hearth.Miner, error) {
	m, err := scanMiner(s.db.read.QueryRowContext(ctx, `SELECT `+minerColumns+` FROM miners WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find miner %q: %w", id, err)
	}
	return m, nil
}

// FindMiners returns the miners matching filter, ordered by ID, and the total
// count matching the filter before Limit and Offset apply. Both come from one
// snapshot, so the count always agrees with the page.
func (s *MinerService) FindMiners(ctx context.Context, filter hearth.MinerFilter) ([]*hearth.Miner, int, error) {
	if filter.Limit < 0 || filter.Offset < 0 {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "Limit and offset must not be negative.")
	}
	where, args, err := minerWhere(filter)
	if err != nil {
		return nil, 0, err
	}

	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()

	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM miners`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count miners: %w", err)
	}

	limit := filter.Limit
	if limit == 0 {
		limit = -1 // SQLite's "no limit"; OFFSET needs a LIMIT clause
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+minerColumns+` FROM miners`+where+` ORDER BY id LIMIT ? OFFSET ?`,
		append(args, limit, filter.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find miners: %w", err)
	}
	defer rows.Close()

	ms := make([]*hearth.Miner, 0)
	for rows.Next() {
		m, err := scanMiner(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find miners: %w", err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find miners: %w", err)
	}
	return ms, total, nil
}

// minerWhere turns filter into a WHERE clause (with a leading space, or
// empty) and its arguments.
func minerWhere(filter hearth.MinerFilter) (string, []any, error) {
	var conds []string
	var args []any
	if filter.Site != "" {
		conds, args = append(conds, "site = ?"), append(args, filter.Site)
	}
	if filter.Group != "" {
		conds, args = append(conds, "id IN (SELECT miner_id FROM group_members WHERE group_name = ?)"), append(args, filter.Group)
	}
	if filter.Family != "" {
		conds, args = append(conds, "family = ?"), append(args, string(filter.Family))
	}
	if len(filter.IDs) > 0 {
		// One JSON argument instead of one placeholder per ID: a list
		// of thousands of IDs stays a single, cacheable statement and
		// never meets SQLite's limit on variables.
		ids, err := json.Marshal(filter.IDs)
		if err != nil {
			return "", nil, fmt.Errorf("encode miner IDs: %w", err)
		}
		conds, args = append(conds, "id IN (SELECT value FROM json_each(?))"), append(args, string(ids))
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
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
	insert, err := tx.PrepareContext(ctx, `INSERT INTO miners (`+minerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
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
			return blame(i, minerWriteError(err, id, m))
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

// UpdateMiner stores the descriptive fields of m (everything but ID and
// CreatedAt), sets m.UpdatedAt and fills m.CreatedAt from the store. It
// returns ENOTFOUND when m.ID is unknown and ECONFLICT when another miner
// has m's address and port.
func (s *MinerService) UpdateMiner(ctx context.Context, m *hearth.Miner) error {
	if m == nil {
		return hearth.Errorf(hearth.EINVALID, "Miner required.")
	}
	if err := m.Validate(); err != nil {
		return err
	}

	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	now := s.db.now()
	var created timestamp
	err = tx.QueryRowContext(ctx, `UPDATE miners SET
		address = ?, port = ?, web_port = ?, api_port = ?, family = ?, firmware = ?, model = ?,
		serial = ?, mac = ?, hostname = ?, site = ?, pos_row = ?, pos_rack = ?, pos_shelf = ?, pos_slot = ?,
		tags = ?, updated_at = ?
		WHERE id = ?
		RETURNING created_at`,
		m.Address, m.Port, m.WebPort, m.APIPort, string(m.Family), m.Firmware, m.Model,
		m.Serial, m.MAC, m.Hostname, m.Site, m.Position.Row, m.Position.Rack, m.Position.Shelf, m.Position.Slot,
		sqlstore.TagList(m.Tags), timestamp(now),
		m.ID,
	).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", m.ID)
	} else if err != nil {
		return minerWriteError(err, m.ID, m)
	}
	if err := ensureSite(ctx, tx, m.Site, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit miner %q: %w", m.ID, err)
	}

	m.CreatedAt, m.UpdatedAt = time.Time(created), now
	return nil
}

// DeleteMiner removes the miner and returns ENOTFOUND when it is unknown.
func (s *MinerService) DeleteMiner(ctx context.Context, id string) error {
	res, err := s.db.write.ExecContext(ctx, `DELETE FROM miners WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete miner %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete miner %q: %w", id, err)
	} else if n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
	}
	return nil
}

// minerWriteError turns a failed insert or update of m (stored as id) into
// an error a caller can branch on: a unique violation is a conflict, named
// by which key clashed, as detected by SQLite's extended result code.
func minerWriteError(err error, id string, m *hearth.Miner) error {
	switch errorCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return hearth.WrapError(hearth.ECONFLICT, err, "Miner ID %q is taken.", id)
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return hearth.WrapError(hearth.ECONFLICT, err, "A miner at %s is already in the inventory.", sqlstore.MinerEndpoint(m))
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return hearth.WrapError(hearth.EINVALID, err, "Miner %q has an invalid field.", id)
	}
	return fmt.Errorf("store miner %q: %w", id, err)
}

// scanMiner reads one row of minerColumns.
func scanMiner(row interface{ Scan(...any) error }) (*hearth.Miner, error) {
	var m hearth.Miner
	var family string
	if err := row.Scan(&m.ID, &m.Address, &m.Port, &m.WebPort, &m.APIPort, &family, &m.Firmware, &m.Model, &m.Serial,
		&m.MAC, &m.Hostname, &m.Site, &m.Position.Row, &m.Position.Rack, &m.Position.Shelf, &m.Position.Slot, (*sqlstore.TagList)(&m.Tags), (*timestamp)(&m.CreatedAt), (*timestamp)(&m.UpdatedAt),
	); err != nil {
		return nil, err
	}
	m.Family = hearth.Family(family)
	return &m, nil
}
