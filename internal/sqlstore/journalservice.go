package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.Journal = (*JournalService)(nil)

// JournalService keeps the command journal in the command_journal table.
// Every write is committed before it returns, so an entry acknowledged as
// pending or sent survives a SIGKILL of hearth; the writes of concurrent
// callers share a commit. It implements hearth.Journal once for SQLite
// and PostgreSQL alike.
type JournalService struct {
	db *DB
}

// NewJournalService returns the command journal of db.
func NewJournalService(db *DB) *JournalService { return &JournalService{db: db} }

// invalidText is the error for an entry the database cannot hold as text.
func invalidText(err error) error {
	return hearth.WrapError(hearth.EINVALID, err, "Journal entry has a field that is not valid text.")
}

// AddJournalEntry stores e in state pending (unless it names another) and
// sets its ID and times.
func (s *JournalService) AddJournalEntry(ctx context.Context, e *hearth.JournalEntry) error {
	if e != nil && e.State == "" {
		e.State = hearth.JournalPending
	}
	if err := CheckJournalEntry(e); err != nil {
		return err
	}
	action, err := EncodeJournalAction(e.Action)
	if err != nil {
		return err
	}
	if s.db.Resolution > 0 {
		e.SentAt = e.SentAt.Truncate(s.db.Resolution)
	}
	now := s.db.Now()
	err = s.db.commits.do(ctx, s.db, func(ctx context.Context, x Execer) error {
		return x.QueryRowContext(ctx, s.db.q(`INSERT INTO command_journal (miner_id, verb, action, idempotent, state, attempts, actor, error, code, uptime_at_send, created_at, sent_at, updated_at)
		VALUES (?, ?, `+s.db.JSONParam+`, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			e.MinerID, string(e.Action.Verb), string(action), e.Idempotent, string(e.State), e.Attempts, e.Actor, e.Error, e.Code,
			int64(e.UptimeAtSend), s.db.Time(now), s.db.Time(e.SentAt), s.db.Time(now)).Scan(&e.ID)
	})
	if err != nil {
		if s.db.violates(err, InvalidValue) {
			return invalidText(err)
		}
		return fmt.Errorf("insert journal entry: %w", err)
	}
	e.Action = e.Action.Redacted()
	e.CreatedAt, e.UpdatedAt = now, now
	return nil
}

// UpdateJournalEntry stores e's progress.
func (s *JournalService) UpdateJournalEntry(ctx context.Context, e *hearth.JournalEntry) error {
	if err := CheckJournalEntry(e); err != nil {
		return err
	}
	if s.db.Resolution > 0 {
		e.SentAt = e.SentAt.Truncate(s.db.Resolution)
	}
	now := s.db.Now()
	err := s.db.commits.do(ctx, s.db, func(ctx context.Context, x Execer) error {
		r, err := x.ExecContext(ctx, s.db.q(`UPDATE command_journal SET state = ?, attempts = ?, error = ?, code = ?, uptime_at_send = ?, sent_at = ?, updated_at = ? WHERE id = ?`),
			string(e.State), e.Attempts, e.Error, e.Code, int64(e.UptimeAtSend), s.db.Time(e.SentAt), s.db.Time(now), e.ID)
		if err != nil {
			return err
		}
		if RowsAffected(r) == 0 {
			return hearth.Errorf(hearth.ENOTFOUND, "Journal entry %d not found.", e.ID)
		}
		return nil
	})
	if hearth.ErrorCode(err) == hearth.ENOTFOUND {
		return err
	}
	if err != nil {
		if s.db.violates(err, InvalidValue) {
			return invalidText(err)
		}
		return fmt.Errorf("update journal entry %d: %w", e.ID, err)
	}
	e.UpdatedAt = now
	return nil
}

// FindJournal returns the entries f chooses, oldest first.
func (s *JournalService) FindJournal(ctx context.Context, f hearth.JournalFilter) ([]*hearth.JournalEntry, error) {
	where, args := JournalWhere(f)
	args = append(args, JournalLimit(f.Limit))
	order := "id"
	if f.Newest {
		order = "id DESC"
	}
	rows, err := s.db.Read().QueryContext(ctx, s.db.q(`SELECT id, miner_id, action`+s.db.JSONText+`, idempotent, state, attempts, actor, error, code, uptime_at_send, created_at, sent_at, updated_at
		FROM command_journal`+where+` ORDER BY `+order+` LIMIT ?`), args...)
	if err != nil {
		if s.db.violates(err, InvalidValue) {
			return []*hearth.JournalEntry{}, nil // a miner ID the database cannot hold has no entries
		}
		return nil, fmt.Errorf("query journal: %w", err)
	}
	defer rows.Close()
	out := []*hearth.JournalEntry{}
	for rows.Next() {
		var e hearth.JournalEntry
		var action, state string
		var uptime int64
		var created, sent, updated Time
		if err := rows.Scan(&e.ID, &e.MinerID, &action, &e.Idempotent, &state, &e.Attempts, &e.Actor, &e.Error, &e.Code, &uptime, &created, &sent, &updated); err != nil {
			return nil, fmt.Errorf("scan journal: %w", err)
		}
		if err := DecodeJournalAction(&e, []byte(action)); err != nil {
			return nil, err
		}
		e.State, e.UptimeAtSend = hearth.JournalState(state), time.Duration(uptime)
		e.CreatedAt, e.SentAt, e.UpdatedAt = time.Time(created), time.Time(sent), time.Time(updated)
		out = append(out, &e)
	}
	if f.Newest {
		slices.Reverse(out)
	}
	return out, rows.Err()
}
