package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

var _ hearth.ProfileService = (*ProfileService)(nil)

// ProfileService keeps named power profiles in SQLite. It implements
// hearth.ProfileService with the logic every relational store shares
// (sqlstore.ProfileService).
type ProfileService struct {
	*sqlstore.ProfileService
}

// NewProfileService returns the profiles kept in db.
func NewProfileService(db *DB) *ProfileService {
	return &ProfileService{sqlstore.NewProfileService(db.shared())}
}
