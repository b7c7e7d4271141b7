package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.ReceiverService = (*ReceiverService)(nil)

// ReceiverService keeps notification receivers in SQLite, secrets sealed
// with a box. It implements hearth.ReceiverService with the logic every
// relational store shares (sqlstore.ReceiverService).
type ReceiverService struct {
	*sqlstore.ReceiverService
}

// NewReceiverService returns the receivers kept in db, sealing secrets
// with box.
func NewReceiverService(db *DB, box sqlstore.Sealer) *ReceiverService {
	return &ReceiverService{sqlstore.NewReceiverService(db.shared(), box)}
}
