package hearth

import (
	"context"
	"time"
)

// Token is an API credential. Only a hash of its secret is stored, so a copy
// of the database cannot be used to call the API; the secret itself is shown
// once, when the token is made.
type Token struct {
	// ID identifies the token for listing and revocation. IDs are never
	// reused, so an audit entry naming a token stays unambiguous.
	ID int64 `json:"id"`
	// Name says what the token is for ("admin", "grafana", "home-assistant").
	Name string `json:"name"`
	// Prefix is the first 8 characters of the secret. It lets a user tell
	// which token a secret in a config file is without revealing the secret.
	Prefix string `json:"prefix"`

	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is when the token last authenticated a request, to the
	// minute; zero means never. It tells a user which tokens are stale and
	// can be revoked.
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// TokenService keeps the API credentials.
type TokenService interface {
	// CreateToken makes a new token and returns its secret once; only the
	// hash is kept. It returns EINVALID when name is empty or too long.
	CreateToken(ctx context.Context, name string) (*Token, string, error)
	// Authenticate returns the token whose secret this is, or EUNAUTHORIZED.
	Authenticate(ctx context.Context, secret string) (*Token, error)
	// FindTokens returns every token, oldest first.
	FindTokens(ctx context.Context) ([]*Token, error)
	// DeleteToken revokes the token and returns ENOTFOUND when it is unknown.
	DeleteToken(ctx context.Context, id int64) error
}
