package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.Journal = (*JournalService)(nil)

// JournalService keeps the command journal in SQLite. It implements
// hearth.Journal with the logic every relational store shares
// (sqlstore.JournalService).
type JournalService struct {
	*sqlstore.JournalService
}

// NewJournalService returns the command journal of db.
func NewJournalService(db *DB) *JournalService {
	return &JournalService{sqlstore.NewJournalService(db.shared())}
}
