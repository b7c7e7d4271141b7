package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// AuditService keeps the audit log in the audit table of SQLite, with the
// logic every relational store shares (sqlstore.AuditService).
type AuditService struct {
	*sqlstore.AuditService
}

var _ hearth.AuditService = (*AuditService)(nil)

// NewAuditService returns the audit log of db.
func NewAuditService(db *DB) *AuditService {
	return &AuditService{sqlstore.NewAuditService(db.shared())}
}
