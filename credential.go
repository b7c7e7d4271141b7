package hearth

import (
	"context"
	"time"
)

// MinerCredential is a user and password hearth uses to control miners of
// one family, for the whole fleet, one site, or one miner. The most
// specific one applies: miner over site over the family's fleet-wide one,
// and the family's documented default when there is none.
type MinerCredential struct {
	Family Family `json:"family"`
	// Site, when set, limits the credential to the miners of that site.
	Site string `json:"site,omitempty"`
	// MinerID, when set, limits it to one miner.
	MinerID string `json:"miner_id,omitempty"`
	User    string `json:"user"`
	// Password is stored encrypted and never returned: it is empty in
	// everything FindCredentials gives back.
	Password  string    `json:"password,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate reports an EINVALID error when c cannot be stored.
func (c *MinerCredential) Validate() error {
	if c.Family == "" {
		return Errorf(EINVALID, "A credential needs a family.")
	}
	if c.Site != "" && c.MinerID != "" {
		return Errorf(EINVALID, "A credential is for a site or for a miner, not both.")
	}
	if c.User == "" && c.Password == "" {
		return Errorf(EINVALID, "A credential needs a user or a password.")
	}
	return nil
}

// CredentialService keeps miner credentials, encrypted at rest.
type CredentialService interface {
	// SetCredential stores c, replacing the one of the same family, site
	// and miner.
	SetCredential(ctx context.Context, c *MinerCredential) error
	// DeleteCredential removes one; ENOTFOUND when there is none.
	DeleteCredential(ctx context.Context, family Family, site, minerID string) error
	// FindCredentials lists them without passwords.
	FindCredentials(ctx context.Context) ([]*MinerCredential, error)
	// Resolve returns the credentials to use for m, zero when only the
	// family's default applies.
	Resolve(ctx context.Context, m *Miner) (Credentials, error)
}
