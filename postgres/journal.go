package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// JournalService keeps the command journal in the command_journal table.
// Every write is committed before it returns, so an entry acknowledged as
// pending or sent survives a SIGKILL of hearth.
type JournalService struct {
	db *DB
}

var _ hearth.Journal = (*JournalService)(nil)

// NewJournalService returns the command journal of db.
func NewJournalService(db *DB) *JournalService { return &JournalService{db: db} }

// AddJournalEntry stores e in state pending.
func (s *JournalService) AddJournalEntry(ctx context.Context, e *hearth.JournalEntry) error {
	if e != nil && e.State == "" {
		e.State = hearth.JournalPending
	}
	if err := sqlstore.CheckJournalEntry(e); err != nil {
		return err
	}
	action, err := sqlstore.EncodeJournalAction(e.Action)
	if err != nil {
		return err
	}
	now := s.db.now()
	e.SentAt = e.SentAt.Truncate(time.Microsecond)
	if err := s.db.db.QueryRowContext(ctx, `INSERT INTO command_journal (miner_id, verb, action, idempotent, state, attempts, actor, error, code, uptime_at_send, created_at, sent_at, updated_at)
		VALUES ($1, $2, $3::text::jsonb, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		e.MinerID, string(e.Action.Verb), string(action), e.Idempotent, string(e.State), e.Attempts, e.Actor, e.Error, e.Code,
		int64(e.UptimeAtSend), timestamp(now), timestamp(e.SentAt), timestamp(now)).Scan(&e.ID); err != nil {
		if invalidInput(err) {
			return hearth.WrapError(hearth.EINVALID, err, "Journal entry has a field that is not valid text.")
		}
		return fmt.Errorf("insert journal entry: %w", err)
	}
	e.Action = e.Action.Redacted()
	e.CreatedAt, e.UpdatedAt = now, now
	return nil
}

// UpdateJournalEntry stores e's progress.
func (s *JournalService) UpdateJournalEntry(ctx context.Context, e *hearth.JournalEntry) error {
	if err := sqlstore.CheckJournalEntry(e); err != nil {
		return err
	}
	now := s.db.now()
	e.SentAt = e.SentAt.Truncate(time.Microsecond)
	r, err := s.db.db.ExecContext(ctx, `UPDATE command_journal SET state = $1, attempts = $2, error = $3, code = $4, uptime_at_send = $5, sent_at = $6, updated_at = $7 WHERE id = $8`,
		string(e.State), e.Attempts, e.Error, e.Code, int64(e.UptimeAtSend), timestamp(e.SentAt), timestamp(now), e.ID)
	if err != nil {
		if invalidInput(err) {
			return hearth.WrapError(hearth.EINVALID, err, "Journal entry has a field that is not valid text.")
		}
		return fmt.Errorf("update journal entry %d: %w", e.ID, err)
	}
	if sqlstore.RowsAffected(r) == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Journal entry %d not found.", e.ID)
	}
	e.UpdatedAt = now
	return nil
}

// FindJournal returns the entries f chooses, oldest first.
func (s *JournalService) FindJournal(ctx context.Context, f hearth.JournalFilter) ([]*hearth.JournalEntry, error) {
	where, args := sqlstore.JournalWhere(f)
	args = append(args, sqlstore.JournalLimit(f.Limit))
	rows, err := s.db.db.QueryContext(ctx, sqlstore.DollarPlaceholders(`SELECT id, miner_id, action::text, idempotent, state, attempts, actor, error, code, uptime_at_send, created_at, sent_at, updated_at
		FROM command_journal`+where+` ORDER BY id LIMIT ?`), args...)
	if err != nil {
		if invalidInput(err) {
			return []*hearth.JournalEntry{}, nil
		}
		return nil, fmt.Errorf("query journal: %w", err)
	}
	defer rows.Close()
	out := []*hearth.JournalEntry{}
	for rows.Next() {
		var e hearth.JournalEntry
		var action, state string
		var uptime int64
		var created, sent, updated timestamp
		if err := rows.Scan(&e.ID, &e.MinerID, &action, &e.Idempotent, &state, &e.Attempts, &e.Actor, &e.Error, &e.Code, &uptime, &created, &sent, &updated); err != nil {
			return nil, fmt.Errorf("scan journal: %w", err)
		}
		if err := sqlstore.DecodeJournalAction(&e, []byte(action)); err != nil {
			return nil, err
		}
		e.State, e.UptimeAtSend = hearth.JournalState(state), time.Duration(uptime)
		e.CreatedAt, e.SentAt, e.UpdatedAt = time.Time(created), time.Time(sent), time.Time(updated)
		out = append(out, &e)
	}
	return out, rows.Err()
}
