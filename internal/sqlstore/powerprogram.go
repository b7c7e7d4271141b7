package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.PowerProgramService = (*PowerProgramService)(nil)

// PowerProgramService keeps power programs in the power_programs table,
// each secret sealed with box. It implements hearth.PowerProgramService
// once for SQLite and PostgreSQL alike.
type PowerProgramService struct {
	db    *DB
	store sealedConfigs
}

// NewPowerProgramService returns the power programs kept in db.
func NewPowerProgramService(db *DB, box Sealer) *PowerProgramService {
	return &PowerProgramService{db: db, store: sealedConfigs{db: db, box: box, table: "power_programs", what: "Power program"}}
}

// programColumns lists the columns scanProgram reads, in its order.
func (s *PowerProgramService) programColumns() string {
	return `name, kind, sites` + s.db.JSONText + `, fail_mode, silent_after_ns, enabled, settings` + s.db.JSONText + `, secret, created_at, updated_at`
}

// FindPowerPrograms returns every program by name, secrets redacted.
func (s *PowerProgramService) FindPowerPrograms(ctx context.Context) ([]*hearth.PowerProgram, error) {
	return findAll(ctx, s.store, `SELECT `+s.programColumns()+` FROM power_programs ORDER BY name`, scanProgram,
		func(p *hearth.PowerProgram) { p.Secret = hearth.RedactedSecret })
}

// FindPowerProgramByName returns one program with its secret opened.
func (s *PowerProgramService) FindPowerProgramByName(ctx context.Context, name string) (*hearth.PowerProgram, error) {
	p, secret, err := findOne(ctx, s.store, `SELECT `+s.programColumns()+` FROM power_programs WHERE name = ?`, name, scanProgram)
	if err != nil {
		return nil, err
	}
	p.Secret = secret
	return p, nil
}

// SetPowerProgram creates or replaces p. A secret of "***" keeps the
// stored one; an empty secret removes it. p's times are set, and its
// secret redacted, once stored.
func (s *PowerProgramService) SetPowerProgram(ctx context.Context, p *hearth.PowerProgram) error {
	if p == nil {
		return hearth.Errorf(hearth.EINVALID, "Power program required.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	sites, err := json.Marshal(p.Sites)
	if err != nil {
		return fmt.Errorf("encode sites: %w", err)
	}
	var settings any
	if len(p.Settings) > 0 {
		settings = string(p.Settings)
	}
	created, now, hasSecret, err := s.store.upsert(ctx, p.Name, p.Secret, func(tx *sql.Tx, sealed []byte, created, now time.Time) error {
		_, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO power_programs (name, kind, sites, fail_mode, silent_after_ns, enabled, settings, secret, created_at, updated_at)
		VALUES (?, ?, `+s.db.JSONParam+`, ?, ?, ?, `+s.db.JSONParam+`, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, sites = excluded.sites, fail_mode = excluded.fail_mode,
			silent_after_ns = excluded.silent_after_ns, enabled = excluded.enabled, settings = excluded.settings,
			secret = excluded.secret, updated_at = excluded.updated_at`),
			p.Name, string(p.Kind), string(sites), string(p.FailMode), int64(p.SilentAfter), p.Enabled, settings, sealed,
			s.db.Time(created), s.db.Time(now))
		return err
	})
	if err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt, p.Secret = created, now, ""
	if hasSecret {
		p.Secret = hearth.RedactedSecret
	}
	return nil
}

// DeletePowerProgram removes a program, or returns ENOTFOUND.
func (s *PowerProgramService) DeletePowerProgram(ctx context.Context, name string) error {
	return s.store.delete(ctx, name)
}

// scanProgram reads one row of programColumns, with the sealed secret.
func scanProgram(row rowScanner) (*hearth.PowerProgram, []byte, error) {
	var p hearth.PowerProgram
	var kind, sites, failMode string
	var settings sql.NullString
	var silent int64
	var sealed []byte
	var created, updated Time
	if err := row.Scan(&p.Name, &kind, &sites, &failMode, &silent, &p.Enabled, &settings, &sealed, &created, &updated); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal([]byte(sites), &p.Sites); err != nil {
		return nil, nil, fmt.Errorf("sites of %q: %w", p.Name, err)
	}
	p.Kind, p.FailMode, p.SilentAfter = hearth.ProgramKind(kind), hearth.FailMode(failMode), time.Duration(silent)
	if settings.Valid {
		p.Settings = json.RawMessage(settings.String)
	}
	p.CreatedAt, p.UpdatedAt = time.Time(created), time.Time(updated)
	return &p, sealed, nil
}
