package postgres

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.AlertHistoryService = (*AlertHistoryService)(nil)

// AlertHistoryService keeps the alert history in PostgreSQL. It implements
// hearth.AlertHistoryService with the logic every relational store
// shares (sqlstore.AlertHistoryService).
type AlertHistoryService struct {
	*sqlstore.AlertHistoryService
}

// NewAlertHistoryService returns the alert history kept in db.
func NewAlertHistoryService(db *DB) *AlertHistoryService {
	return &AlertHistoryService{sqlstore.NewAlertHistoryService(db.shared())}
}
