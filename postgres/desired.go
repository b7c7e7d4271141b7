package postgres

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.DesiredStateService = (*DesiredStateService)(nil)

// DesiredStateService keeps desired states in PostgreSQL, pool passwords
// sealed. It implements hearth.DesiredStateService with the logic every
// relational store shares (sqlstore.DesiredStateService).
type DesiredStateService struct {
	*sqlstore.DesiredStateService
}

// NewDesiredStateService returns the desired states of db, sealing pool
// passwords with box.
func NewDesiredStateService(db *DB, box sqlstore.Sealer) *DesiredStateService {
	return &DesiredStateService{sqlstore.NewDesiredStateService(db.shared(), box)}
}
