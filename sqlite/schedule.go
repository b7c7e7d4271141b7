package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.ScheduleService = (*ScheduleService)(nil)

// ScheduleService keeps schedules in SQLite. It implements
// hearth.ScheduleService with the logic every relational store shares
// (sqlstore.ScheduleService).
type ScheduleService struct {
	*sqlstore.ScheduleService
}

// NewScheduleService returns the schedules kept in db.
func NewScheduleService(db *DB) *ScheduleService {
	return &ScheduleService{sqlstore.NewScheduleService(db.shared())}
}
