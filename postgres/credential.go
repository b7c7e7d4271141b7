package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// CredentialService keeps miner credentials with sealed passwords.
type CredentialService struct {
	db  *DB
	box sqlstore.Sealer
}

var _ hearth.CredentialService = (*CredentialService)(nil)

// NewCredentialService returns the credential store of db, sealing
// passwords with box (a secret.Box, the same the SQLite store uses).
func NewCredentialService(db *DB, box sqlstore.Sealer) *CredentialService {
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
	if _, err := s.db.db.ExecContext(ctx, `INSERT INTO credentials (family, site, miner_id, "user", password, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (family, site, miner_id) DO UPDATE SET "user" = excluded."user", password = excluded.password, updated_at = excluded.updated_at`,
		string(c.Family), c.Site, c.MinerID, c.User, sealed, timestamp(c.UpdatedAt)); err != nil {
		if invalidInput(err) {
			return hearth.WrapError(hearth.EINVALID, err, "Credential has a field that is not valid text.")
		}
		return fmt.Errorf("store credential: %w", err)
	}
	return nil
}

// DeleteCredential removes the credential of this scope.
func (s *CredentialService) DeleteCredential(ctx context.Context, family hearth.Family, site, minerID string) error {
	r, err := s.db.db.ExecContext(ctx, `DELETE FROM credentials WHERE family = $1 AND site = $2 AND miner_id = $3`, string(family), site, minerID)
	if err != nil && !invalidInput(err) {
		return fmt.Errorf("delete credential: %w", err)
	}
	if n := rowsAffected(r); n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "No %s credential for that scope.", family)
	}
	return nil
}

// rowsAffected returns how many rows r changed; 0 when r is nil.
func rowsAffected(r sql.Result) int64 {
	if r == nil {
		return 0
	}
	n, _ := r.RowsAffected()
	return n
}

// FindCredentials lists every credential, passwords left out.
func (s *CredentialService) FindCredentials(ctx context.Context) ([]*hearth.MinerCredential, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT family, site, miner_id, "user", updated_at FROM credentials ORDER BY family, site, miner_id`)
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
	err := s.db.db.QueryRowContext(ctx, `SELECT "user", password FROM credentials
		WHERE family = $1 AND ((site = '' AND miner_id = '') OR (site = $2 AND $2::text <> '' AND miner_id = '') OR (miner_id = $3 AND site = ''))
		ORDER BY (miner_id <> '') DESC, (site <> '') DESC LIMIT 1`,
		string(m.Family), m.Site, m.ID).Scan(&user, &sealed)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) || invalidInput(err) {
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
