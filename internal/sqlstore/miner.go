package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MinerService reads, updates and deletes the miner inventory of a
// relational store, once for SQLite and PostgreSQL alike. Adding miners is
// left to each store (they differ: SQLite inserts row by row on its single
// writer, PostgreSQL sends arrays under an advisory lock), which embeds this
// to complete hearth.MinerService.
type MinerService struct {
	db *DB
}

// NewMinerService returns the inventory kept in db.
func NewMinerService(db *DB) *MinerService {
	return &MinerService{db: db}
}

// MinerColumns lists the columns ScanMiner reads, in its order.
const MinerColumns = `id, address, port, web_port, api_port, family, firmware, model, serial, mac, hostname, site, pos_row, pos_rack, pos_shelf, pos_slot, tags, created_at, updated_at`

// FindMinerByID returns the miner or an ENOTFOUND error.
func (s *MinerService) FindMinerByID(ctx context.Context, id string) (*hearth.Miner, error) {
	m, err := ScanMiner(s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT `+MinerColumns+` FROM miners WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		// An ID the database cannot even hold as text names no miner.
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
	where, args, err := s.minerWhere(filter)
	if err != nil {
		return nil, 0, err
	}

	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()

	var total int
	if err := tx.QueryRowContext(ctx, s.db.q(`SELECT COUNT(*) FROM miners`+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count miners: %w", err)
	}

	limit := s.db.NoLimit
	if filter.Limit > 0 {
		limit = filter.Limit
	}
	rows, err := tx.QueryContext(ctx, s.db.q(`SELECT `+MinerColumns+` FROM miners`+where+` ORDER BY id LIMIT ? OFFSET ?`),
		append(args, limit, filter.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find miners: %w", err)
	}
	defer rows.Close()

	ms := make([]*hearth.Miner, 0)
	for rows.Next() {
		m, err := ScanMiner(rows)
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
func (s *MinerService) minerWhere(filter hearth.MinerFilter) (string, []any, error) {
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
		cond, arg, err := s.db.MatchAny("id", filter.IDs)
		if err != nil {
			return "", nil, fmt.Errorf("encode miner IDs: %w", err)
		}
		conds, args = append(conds, cond), append(args, arg)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
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

	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	now := s.db.Now()
	var created Time
	err = tx.QueryRowContext(ctx, s.db.q(`UPDATE miners SET
		address = ?, port = ?, web_port = ?, api_port = ?, family = ?, firmware = ?, model = ?,
		serial = ?, mac = ?, hostname = ?, site = ?, pos_row = ?, pos_rack = ?, pos_shelf = ?, pos_slot = ?,
		tags = ?, updated_at = ?
		WHERE id = ?
		RETURNING created_at`),
		m.Address, m.Port, m.WebPort, m.APIPort, string(m.Family), m.Firmware, m.Model,
		m.Serial, m.MAC, m.Hostname, m.Site, m.Position.Row, m.Position.Rack, m.Position.Shelf, m.Position.Slot,
		TagList(m.Tags), s.db.Time(now),
		m.ID,
	).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", m.ID)
	} else if err != nil {
		return s.db.MinerWriteError(err, m.ID, m)
	}
	if err := s.db.EnsureSites(ctx, tx, []string{m.Site}, now); err != nil {
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
	return s.db.deleteRow(ctx, `DELETE FROM miners WHERE id = ?`, id, fmt.Sprintf("miner %q", id),
		hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id))
}

// MinerWriteError turns a failed insert or update of m (stored as id) into
// an error a caller can branch on: a unique violation is a conflict, named
// by which key clashed.
func (d Dialect) MinerWriteError(err error, id string, m *hearth.Miner) error {
	switch d.Classify(err) {
	case PrimaryKeyViolation:
		return hearth.WrapError(hearth.ECONFLICT, err, "Miner ID %q is taken.", id)
	case UniqueViolation:
		return hearth.WrapError(hearth.ECONFLICT, err, "A miner at %s is already in the inventory.", MinerEndpoint(m))
	case InvalidValue:
		return hearth.WrapError(hearth.EINVALID, err, "Miner %q has an invalid field.", id)
	}
	return fmt.Errorf("store miner %q: %w", id, err)
}

// ScanMiner reads one row of MinerColumns.
func ScanMiner(row rowScanner) (*hearth.Miner, error) {
	var m hearth.Miner
	var family string
	if err := row.Scan(&m.ID, &m.Address, &m.Port, &m.WebPort, &m.APIPort, &family, &m.Firmware, &m.Model, &m.Serial,
		&m.MAC, &m.Hostname, &m.Site, &m.Position.Row, &m.Position.Rack, &m.Position.Shelf, &m.Position.Slot,
		(*TagList)(&m.Tags), (*Time)(&m.CreatedAt), (*Time)(&m.UpdatedAt),
	); err != nil {
		return nil, err
	}
	m.Family = hearth.Family(family)
	return &m, nil
}
