package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.PowerProgramService = (*PowerProgramService)(nil)

// PowerProgramService keeps power programs in the power_programs table,
// each secret sealed with box. It implements hearth.PowerProgramService
// once for SQLite and PostgreSQL alike.
type PowerProgramService struct {
	db  *DB
	box Sealer
}

// NewPowerProgramService returns the power programs kept in db.
func NewPowerProgramService(db *DB, box Sealer) *PowerProgramService {
	return &PowerProgramService{db: db, box: box}
}

// programColumns lists the columns scanProgram reads, in its order.
func (s *PowerProgramService) programColumns() string {
	return `name, kind, sites` + s.db.JSONText + `, fail_mode, silent_after_ns, enabled, settings` + s.db.JSONText + `, secret, created_at, updated_at`
}

// FindPowerPrograms returns every program by name, secrets redacted.
func (s *PowerProgramService) FindPowerPrograms(ctx context.Context) ([]*hearth.PowerProgram, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+s.programColumns()+` FROM power_programs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("find power programs: %w", err)
	}
	defer rows.Close()
	out := []*hearth.PowerProgram{}
	for rows.Next() {
		p, sealed, err := scanProgram(rows)
		if err != nil {
			return nil, fmt.Errorf("find power programs: %w", err)
		}
		if len(sealed) > 0 {
			p.Secret = hearth.RedactedSecret
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find power programs: %w", err)
	}
	return out, nil
}

// FindPowerProgramByName returns one program with its secret opened.
func (s *PowerProgramService) FindPowerProgramByName(ctx context.Context, name string) (*hearth.PowerProgram, error) {
	p, sealed, err := scanProgram(s.db.Read().QueryRowContext(ctx, s.db.q(`SELECT `+s.programColumns()+` FROM power_programs WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) || s.db.violates(err, InvalidValue) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Power program %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find power program %q: %w", name, err)
	}
	if len(sealed) > 0 {
		secret, err := s.box.Open(sealed)
		if err != nil {
			return nil, fmt.Errorf("open secret of power program %q: %w", name, err)
		}
		p.Secret = string(secret)
	}
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
	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return fmt.Errorf("set power program %q: %w", p.Name, err)
	}
	defer tx.Rollback()
	var sealed []byte
	var created Time
	err = tx.QueryRowContext(ctx, s.db.q(`SELECT secret, created_at FROM power_programs WHERE name = ?`+s.db.ForUpdate), p.Name).Scan(&sealed, &created)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		if s.db.violates(err, InvalidValue) {
			return hearth.WrapError(hearth.EINVALID, err, "Power program name %q is not valid text.", p.Name)
		}
		return fmt.Errorf("set power program %q: %w", p.Name, err)
	}
	switch {
	case p.Secret == hearth.RedactedSecret && !exists:
		return hearth.Errorf(hearth.EINVALID, "Power program %q has no stored secret to keep; give the secret itself.", p.Name)
	case p.Secret == hearth.RedactedSecret:
	case p.Secret == "":
		sealed = nil
	default:
		if sealed, err = s.box.Seal([]byte(p.Secret)); err != nil {
			return err
		}
	}
	now := s.db.Now()
	if !exists {
		created = Time(now)
	}
	_, err = tx.ExecContext(ctx, s.db.q(`INSERT INTO power_programs (name, kind, sites, fail_mode, silent_after_ns, enabled, settings, secret, created_at, updated_at)
		VALUES (?, ?, `+s.db.JSONParam+`, ?, ?, ?, `+s.db.JSONParam+`, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, sites = excluded.sites, fail_mode = excluded.fail_mode,
			silent_after_ns = excluded.silent_after_ns, enabled = excluded.enabled, settings = excluded.settings,
			secret = excluded.secret, updated_at = excluded.updated_at`),
		p.Name, string(p.Kind), string(sites), string(p.FailMode), int64(p.SilentAfter), p.Enabled, settings, sealed,
		s.db.Time(time.Time(created)), s.db.Time(now))
	if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Power program %q has an invalid field.", p.Name)
	} else if err != nil {
		return fmt.Errorf("set power program %q: %w", p.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set power program %q: %w", p.Name, err)
	}
	p.CreatedAt, p.UpdatedAt = time.Time(created), now
	if len(sealed) > 0 {
		p.Secret = hearth.RedactedSecret
	}
	return nil
}

// DeletePowerProgram removes a program, or returns ENOTFOUND.
func (s *PowerProgramService) DeletePowerProgram(ctx context.Context, name string) error {
	return s.db.deleteRow(ctx, `DELETE FROM power_programs WHERE name = ?`, name, fmt.Sprintf("power program %q", name),
		hearth.Errorf(hearth.ENOTFOUND, "Power program %q not found.", name))
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
