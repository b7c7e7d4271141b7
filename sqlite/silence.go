package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.SilenceService = (*SilenceService)(nil)

// SilenceService keeps the silences of alerts in SQLite. It implements
// hearth.SilenceService with the logic every relational store shares
// (sqlstore.SilenceService).
type SilenceService struct {
	*sqlstore.SilenceService
}

// NewSilenceService returns the silences kept in db.
func NewSilenceService(db *DB) *SilenceService {
	return &SilenceService{sqlstore.NewSilenceService(db.shared())}
}
