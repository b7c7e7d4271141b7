package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.CredentialService = (*CredentialService)(nil)

// CredentialService keeps miner credentials with sealed passwords in a
// relational store. It implements hearth.CredentialService once for SQLite
// and PostgreSQL alike; "user" is quoted because PostgreSQL reserves it.
type CredentialService struct {
	db  *DB
	box Sealer
}

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
	c.UpdatedAt = s.db.Now()
	if _, err := s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO credentials (family, site, miner_id, "user", password, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (family, site, miner_id) DO UPDATE SET "user" = excluded."user", password = excluded.password, updated_at = excluded.updated_at`),
		string(c.Family), c.Site, c.MinerID, c.User, sealed, s.db.Time(c.UpdatedAt)); err != nil {
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Credential has a field that is not valid text.")
		}
		return fmt.Errorf("store credential: %w", err)
	}
	return nil
}

// DeleteCredential removes the credential of this scope.
func (s *CredentialService) DeleteCredential(ctx context.Context, family hearth.Family, site, minerID string) error {
	r, err := s.db.Write().ExecContext(ctx, s.db.q(`DELETE FROM credentials WHERE family = ? AND site = ? AND miner_id = ?`), string(family), site, minerID)
	if err != nil && !s.db.violates(err, InvalidValue) {
		return fmt.Errorf("delete credential: %w", err)
	}
	// A scope the database cannot even hold as text has no credential.
	if n := RowsAffected(r); n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "No %s credential for that scope.", family)
	}
	return nil
}

// RowsAffected returns how many rows r changed; 0 when r is nil.
func RowsAffected(r sql.Result) int64 {
	if r == nil {
		return 0
	}
	n, _ := r.RowsAffected()
	return n
}

// FindCredentials lists every credential, passwords left out.
func (s *CredentialService) FindCredentials(ctx context.Context) ([]*hearth.MinerCredential, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT family, site, miner_id, "user", updated_at FROM credentials ORDER BY family, site, miner_id`)
	if err != nil {
		return nil, fmt.Errorf("query credentials: %w", err)
	}
	defer rows.Close()
	out := []*hearth.MinerCredential{}
	for rows.Next() {
		var c hearth.MinerCredential
		var family string
		var at Time
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
	err := s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT "user", password FROM credentials
		WHERE family = ? AND ((site = '' AND miner_id = '') OR (site = ? AND CAST(? AS TEXT) <> '' AND miner_id = '') OR (miner_id = ? AND site = ''))
		ORDER BY (miner_id <> '') DESC, (site <> '') DESC LIMIT 1`),
		string(m.Family), m.Site, m.Site, m.ID).Scan(&user, &sealed)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
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
