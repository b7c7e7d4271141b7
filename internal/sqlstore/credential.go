package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
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

	// cache holds every credential, passwords still sealed, for Resolve:
	// every poll and command of a fleet asks, and a query each would be
	// the costliest part of sending a command. This service's own writes
	// drop it; credentialCacheTTL bounds how long another instance's
	// writes to a shared PostgreSQL go unseen.
	cacheMu sync.Mutex
	cache   *credentialCache
}

// credentialCacheTTL is how long Resolve trusts its copy of the table.
const credentialCacheTTL = 30 * time.Second

// credentialCache is one read of the credentials table.
type credentialCache struct {
	loaded time.Time
	byKey  map[credentialKey]sealedCredential
}

// credentialKey is a credential's scope.
type credentialKey struct {
	family        hearth.Family
	site, minerID string
}

// sealedCredential is a user with the password as stored.
type sealedCredential struct {
	user   string
	sealed []byte
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
	defer s.dropCache()
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
	defer s.dropCache()
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
// site's, its family's; zero when there is none. It reads a copy of the
// table kept in memory (see CredentialService.cache).
func (s *CredentialService) Resolve(ctx context.Context, m *hearth.Miner) (hearth.Credentials, error) {
	c, err := s.cached(ctx)
	if err != nil {
		return hearth.Credentials{}, fmt.Errorf("resolve credential of %s: %w", m.ID, err)
	}
	keys := []credentialKey{{m.Family, "", m.ID}, {m.Family, m.Site, ""}, {m.Family, "", ""}}
	if m.Site == "" {
		keys = append(keys[:1], keys[2])
	}
	for _, k := range keys {
		sc, ok := c.byKey[k]
		if !ok {
			continue
		}
		pw, err := s.box.Open(sc.sealed)
		if err != nil {
			return hearth.Credentials{}, err
		}
		return hearth.Credentials{User: sc.user, Password: string(pw)}, nil
	}
	return hearth.Credentials{}, nil
}

// cached returns the copy of the table, reading it again when it is
// missing or older than credentialCacheTTL.
func (s *CredentialService) cached(ctx context.Context) (*credentialCache, error) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	now := time.Now()
	if s.cache != nil && now.Sub(s.cache.loaded) < credentialCacheTTL {
		return s.cache, nil
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT family, site, miner_id, "user", password FROM credentials`)
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	defer rows.Close()
	c := &credentialCache{loaded: now, byKey: map[credentialKey]sealedCredential{}}
	for rows.Next() {
		var k credentialKey
		var family string
		var sc sealedCredential
		if err := rows.Scan(&family, &k.site, &k.minerID, &sc.user, &sc.sealed); err != nil {
			return nil, fmt.Errorf("scan credential: %w", err)
		}
		k.family = hearth.Family(family)
		c.byKey[k] = sc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	s.cache = c
	return c, nil
}

// dropCache makes the next Resolve read the table again.
func (s *CredentialService) dropCache() {
	s.cacheMu.Lock()
	s.cache = nil
	s.cacheMu.Unlock()
}
