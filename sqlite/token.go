package sqlite

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// Compile-time check that TokenService does what it claims.
var _ hearth.TokenService = (*TokenService)(nil)

// TokenService keeps API tokens in SQLite. It implements hearth.TokenService
// and sqlstore.AdminTokenMaker with the logic every relational store shares
// (sqlstore.TokenService).
type TokenService struct {
	*sqlstore.TokenService
}

// NewTokenService returns the tokens kept in db.
func NewTokenService(db *DB) *TokenService {
	return &TokenService{sqlstore.NewTokenService(db.shared())}
}
