package postgres

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// CredentialService keeps miner credentials with sealed passwords in PostgreSQL,
// with the logic every relational store shares (sqlstore.CredentialService).
type CredentialService struct {
	*sqlstore.CredentialService
}

var _ hearth.CredentialService = (*CredentialService)(nil)

// NewCredentialService returns the credential store of db, sealing
// passwords with box (a secret.Box, the same the SQLite store uses).
func NewCredentialService(db *DB, box sqlstore.Sealer) *CredentialService {
	return &CredentialService{sqlstore.NewCredentialService(db.shared(), box)}
}
