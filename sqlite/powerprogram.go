package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.PowerProgramService = (*PowerProgramService)(nil)

// PowerProgramService keeps power programs in SQLite, secrets sealed with a
// box. It implements hearth.PowerProgramService with the logic every
// relational store shares (sqlstore.PowerProgramService).
type PowerProgramService struct {
	*sqlstore.PowerProgramService
}

// NewPowerProgramService returns the power programs kept in db, sealing
// secrets with box.
func NewPowerProgramService(db *DB, box sqlstore.Sealer) *PowerProgramService {
	return &PowerProgramService{sqlstore.NewPowerProgramService(db.shared(), box)}
}
