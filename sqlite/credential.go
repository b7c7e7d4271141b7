package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// Sealer encrypts and decrypts secrets; secret.Box is one. See
// sqlstore.Sealer.
type Sealer = sqlstore.Sealer

// CredentialService keeps miner credentials with sealed passwords.
type CredentialService struct {
	db  *DB
	box Sealer
}

var _ hearth.CredentialService = (*CredentialService)(nil)

// NewCredentialService returns the credential store of db, sealing
// passwords with box.
func NewCredentialService(db *DB, box Sealer) *CredentialService {
	return &CredentialService{db: db, box: box}
}

// SetCredential stores c with its password sealed.
func (s *CredentialService) SetCredential(ctx context.Context, c *hearth.MinerCredential) error {
	if err := c.Validate(); err != nil {
		return err
	}
	sealed, err := s.box.Seal([]byte(c.Password))
	if err != nil {
		return err
	}
	c.UpdatedAt = s.db.now()
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (family, site, miner_id, user, password, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (family, site, miner_id) DO UPDATE SET user = excluded.user, password = excluded.password, updated_at = excluded.updated_at`,
		string(c.Family), c.Site, c.MinerID, c.User, sealed, timestamp(c.UpdatedAt)); err != nil {
		return fmt.Errorf("store credential: %w", err)
	}
	return tx.Commit()
}

// DeleteCredential removes the credential of this scope.
func (s *CredentialService) DeleteCredential(ctx context.Context, family hearth.Family, site, minerID string) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE family = ? AND site = ? AND miner_id = ?`, string(family), site, minerID)
	if err != nil {
		return fmt.Errorf("delete credential: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "No %s credential for that scope.", family)
	}
	return tx.Commit()
}

// FindCredentials lists every credential, passwords left out.
func (s *CredentialService) FindCredentials(ctx context.Context) ([]*hearth.MinerCredential, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT family, site, miner_id, user, updated_at FROM credentials ORDER BY family, site, miner_id`)
	if err != nil {
		return nil, fmt.Errorf("query credentials: %w", err)
	}
	defer rows.Close()
	out := []*hearth.MinerCredential{}
	for rows.Next() {
		var c hearth.MinerCredential
		var family string
		var at timestamp
		if err := rows.Scan(&family, &c.Site, &c.MinerID, &c.User, &at); err != nil {
			return nil, fmt.Errorf("scan credential: %w", err)
		}
		c.Family, c.UpdatedAt = hearth.Family(family), time.Time(at)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// Resolve returns the most specific credential for m: its own, its
// site's, its family's; zero when there is none.
func (s *CredentialService) Resolve(ctx context.Context, m *hearth.Miner) (hearth.Credentials, error) {
	var user string
	var sealed []byte
	err := s.db.read.QueryRowContext(ctx, `SELECT user, password FROM credentials
		WHERE family = ? AND ((site = '' AND miner_id = '') OR (site = ? AND ? != '' AND miner_id = '') OR (miner_id = ? AND site = ''))
		ORDER BY (miner_id != '') DESC, (site != '') DESC LIMIT 1`,
		string(m.Family), m.Site, m.Site, m.ID).Scan(&user, &sealed)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return hearth.Credentials{}, nil
		}
		return hearth.Credentials{}, fmt.Errorf("resolve credential of %s: %w", m.ID, err)
	}
	pw, err := s.box.Open(sealed)
	if err != nil {
		return hearth.Credentials{}, err
	}
	return hearth.Credentials{User: user, Password: string(pw)}, nil
}
