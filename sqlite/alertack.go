package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.AlertAckService = (*AlertAckService)(nil)

// AlertAckService keeps the acknowledgement state of alerts in SQLite. It
// implements hearth.AlertAckService with the logic every relational store
// shares (sqlstore.AlertAckService).
type AlertAckService struct {
	*sqlstore.AlertAckService
}

// NewAlertAckService returns the acknowledgements kept in db.
func NewAlertAckService(db *DB) *AlertAckService {
	return &AlertAckService{sqlstore.NewAlertAckService(db.shared())}
}
