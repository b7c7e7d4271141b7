package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// Compile-time checks that MinerService does what it claims.
var (
	_ hearth.MinerService        = (*MinerService)(nil)
	_ sqlstore.MinerBatchCreator = (*MinerService)(nil)
)

// MinerService is the miner inventory, stored in PostgreSQL. It implements
// hearth.MinerService and sqlstore.MinerBatchCreator.
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
	m, err := scanMiner(s.db.db.QueryRowContext(ctx, `SELECT `+minerColumns+` FROM miners WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || invalidInput(err) {
		// An ID PostgreSQL cannot even hold as text names no miner.
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
	where, args := minerWhere(filter)

	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()

	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM miners`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count miners: %w", err)
	}

	var limit any // NULL: no limit
	if filter.Limit > 0 {
		limit = filter.Limit
	}
	n := len(args)
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM miners%s ORDER BY id LIMIT $%d OFFSET $%d`, minerColumns, where, n+1, n+2),
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
// empty) and its arguments, numbered from $1.
func minerWhere(filter hearth.MinerFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if filter.Site != "" {
		add("site = $%d", filter.Site)
	}
	if filter.Group != "" {
		add("id IN (SELECT miner_id FROM group_members WHERE group_name = $%d)", filter.Group)
	}
	if filter.Family != "" {
		add("family = $%d", string(filter.Family))
	}
	if len(filter.IDs) > 0 {
		// One array argument instead of one placeholder per ID: a list
		// of thousands of IDs stays a single statement and never meets
		// the protocol's limit of 65535 parameters.
		add("id = ANY($%d::text[])", filter.IDs)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
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
	_, err := tx.ExecContext(ctx, `INSERT INTO miners (`+minerColumns+`)
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO miners (`+minerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			ids[i], m.Address, m.Port, m.WebPort, m.APIPort, string(m.Family), m.Firmware, m.Model, m.Serial,
			m.MAC, m.Hostname, m.Site, m.Position.Row, m.Position.Rack, m.Position.Shelf, m.Position.Slot,
			sqlstore.TagList(m.Tags), timestamp(now), timestamp(now),
		); err != nil {
			return i, minerWriteError(err, ids[i], m)
		}
	}
	return 0, fmt.Errorf("store miners: the batch failed as a whole but each miner alone succeeded")
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

	tx, err := s.db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	now := s.db.now()
	var created timestamp
	err = tx.QueryRowContext(ctx, `UPDATE miners SET
		address = $1, port = $2, web_port = $3, api_port = $4, family = $5, firmware = $6, model = $7,
		serial = $8, mac = $9, hostname = $10, site = $11, pos_row = $12, pos_rack = $13, pos_shelf = $14, pos_slot = $15,
		tags = $16, updated_at = $17
		WHERE id = $18
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
	if err := ensureSites(ctx, tx, []string{m.Site}, now); err != nil {
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
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM miners WHERE id = $1`, id)
	if invalidInput(err) {
		return hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
	} else if err != nil {
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
// by which key clashed, as the server reports it by constraint name.
func minerWriteError(err error, id string, m *hearth.Miner) error {
	if e := pgError(err); e != nil && e.Code == codeUniqueViolation {
		if e.ConstraintName == "miners_pkey" {
			return hearth.WrapError(hearth.ECONFLICT, err, "Miner ID %q is taken.", id)
		}
		return hearth.WrapError(hearth.ECONFLICT, err, "A miner at %s is already in the inventory.", sqlstore.MinerEndpoint(m))
	}
	if invalidInput(err) {
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
