package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// Sealer encrypts and decrypts secrets; secret.Box is one. See
// sqlstore.Sealer.
type Sealer = sqlstore.Sealer

// CredentialService keeps miner credentials with sealed passwords in SQLite,
// with the logic every relational store shares (sqlstore.CredentialService).
type CredentialService struct {
	*sqlstore.CredentialService
}

var _ hearth.CredentialService = (*CredentialService)(nil)

// NewCredentialService returns the credential store of db, sealing
// passwords with box.
func NewCredentialService(db *DB, box Sealer) *CredentialService {
	return &CredentialService{sqlstore.NewCredentialService(db.shared(), box)}
}
