package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// JournalService keeps the command journal in the command_journal table.
// Every write is committed before it returns, so an entry acknowledged as
// pending or sent survives a SIGKILL.
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
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `INSERT INTO command_journal (miner_id, verb, action, idempotent, state, attempts, actor, error, code, uptime_at_send, created_at, sent_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.MinerID, string(e.Action.Verb), string(action), e.Idempotent, string(e.State), e.Attempts, e.Actor, e.Error, e.Code,
		int64(e.UptimeAtSend), timestamp(now), timestamp(e.SentAt), timestamp(now))
	if err != nil {
		return fmt.Errorf("insert journal entry: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit journal entry: %w", err)
	}
	e.ID, _ = r.LastInsertId()
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
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `UPDATE command_journal SET state = ?, attempts = ?, error = ?, code = ?, uptime_at_send = ?, sent_at = ?, updated_at = ? WHERE id = ?`,
		string(e.State), e.Attempts, e.Error, e.Code, int64(e.UptimeAtSend), timestamp(e.SentAt), timestamp(now), e.ID)
	if err != nil {
		return fmt.Errorf("update journal entry %d: %w", e.ID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Journal entry %d not found.", e.ID)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit journal entry %d: %w", e.ID, err)
	}
	e.UpdatedAt = now
	return nil
}

// FindJournal returns the entries f chooses, oldest first.
func (s *JournalService) FindJournal(ctx context.Context, f hearth.JournalFilter) ([]*hearth.JournalEntry, error) {
	where, args := sqlstore.JournalWhere(f)
	args = append(args, sqlstore.JournalLimit(f.Limit))
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, miner_id, action, idempotent, state, attempts, actor, error, code, uptime_at_send, created_at, sent_at, updated_at
		FROM command_journal`+where+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
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
