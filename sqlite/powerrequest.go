package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.PowerRequestService = (*PowerRequestService)(nil)

// PowerRequestService keeps power requests in SQLite. It implements
// hearth.PowerRequestService with the logic every relational store shares
// (sqlstore.PowerRequestService).
type PowerRequestService struct {
	*sqlstore.PowerRequestService
}

// NewPowerRequestService returns the power requests kept in db.
func NewPowerRequestService(db *DB) *PowerRequestService {
	return &PowerRequestService{sqlstore.NewPowerRequestService(db.shared())}
}
