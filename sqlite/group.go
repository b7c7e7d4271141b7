package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.GroupService = (*GroupService)(nil)

// GroupService keeps groups of miners in SQLite. It implements
// hearth.GroupService with the logic every relational store shares
// (sqlstore.GroupService).
type GroupService struct {
	*sqlstore.GroupService
}

// NewGroupService returns the groups kept in db.
func NewGroupService(db *DB) *GroupService {
	return &GroupService{sqlstore.NewGroupService(db.shared())}
}
