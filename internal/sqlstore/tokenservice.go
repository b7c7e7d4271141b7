package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Compile-time check that TokenService does what it claims.
var (
	_ hearth.TokenService = (*TokenService)(nil)
	_ AdminTokenMaker     = (*TokenService)(nil)
)

// TokenService keeps API tokens in a relational store. It implements
// hearth.TokenService once for SQLite and PostgreSQL alike.
type TokenService struct {
	db *DB
}

// NewTokenService returns the tokens kept in db.
func NewTokenService(db *DB) *TokenService {
	return &TokenService{db: db}
}

// CreateToken makes a new token and returns its secret once; only the hash
// is kept. It returns EINVALID when name is empty or longer than 100
// characters, or not text the database can hold.
func (s *TokenService) CreateToken(ctx context.Context, name string) (*hearth.Token, string, error) {
	name, err := TokenName(name)
	if err != nil {
		return nil, "", err
	}
	tok, secret, err := s.createToken(ctx, s.db.Write(), name, s.db.Now())
	if s.db.violates(err, InvalidValue) {
		return nil, "", hearth.WrapError(hearth.EINVALID, err, "Token name must be valid UTF-8 text.")
	} else if err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// EnsureAdminToken makes the first admin token when the database has never
// had one, and returns its secret with created true, so that a fresh install
// can print it once. On every later call, across restarts and even after the
// admin token is revoked, it returns "" and false: a revoked credential must
// not come back by restarting hearth. Two hearth processes starting at once
// on a new database make one admin token between them.
func (s *TokenService) EnsureAdminToken(ctx context.Context) (secret string, created bool, err error) {
	tx, err := s.db.BeginWrite(ctx, LockAdminToken)
	if err != nil {
		return "", false, err
	}
	defer tx.Rollback()

	if _, done, err := s.db.GetSetting(ctx, tx, SettingAdminTokenCreated); err != nil || done {
		return "", false, err
	}
	now := s.db.Now()
	tok, secret, err := s.createToken(ctx, tx, AdminTokenName, now)
	if err != nil {
		return "", false, err
	}
	if err := s.db.SetSetting(ctx, tx, SettingAdminTokenCreated, strconv.FormatInt(tok.ID, 10), now); err != nil {
		return "", false, err
	}
	if err := tx.Commit(); err != nil {
		return "", false, fmt.Errorf("commit admin token: %w", err)
	}
	return secret, true, nil
}

// rowQueryer is a *sql.DB or a *sql.Tx.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// createToken inserts a token with a fresh secret and returns it with the
// secret.
func (s *TokenService) createToken(ctx context.Context, q rowQueryer, name string, now time.Time) (*hearth.Token, string, error) {
	secret, prefix, hash, err := NewTokenSecret()
	if err != nil {
		return nil, "", err
	}
	tok := &hearth.Token{Name: name, Prefix: prefix, CreatedAt: now}
	if err := q.QueryRowContext(ctx, s.db.q(`INSERT INTO tokens (name, hash, prefix, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		tok.Name, hash[:], tok.Prefix, s.db.Time(now)).Scan(&tok.ID); err != nil {
		return nil, "", fmt.Errorf("insert token: %w", err)
	}
	return tok, secret, nil
}

// Authenticate returns the token whose secret this is, or EUNAUTHORIZED. The
// token is found by the SHA-256 of the whole secret, so how long a lookup
// takes says nothing about how much of a guess was right.
//
// It records the use at most once a minute. That record is bookkeeping: if
// writing it fails (a full disk, say), the request is still authenticated,
// so that an operator keeps access to the API needed to fix the problem.
func (s *TokenService) Authenticate(ctx context.Context, secret string) (*hearth.Token, error) {
	hash, ok := TokenHash(secret)
	if !ok {
		return nil, hearth.Errorf(hearth.EUNAUTHORIZED, "Invalid API token.")
	}
	tok, err := scanToken(s.db.Read().QueryRowContext(ctx,
		s.db.q(`SELECT id, name, prefix, created_at, last_used_at FROM tokens WHERE hash = ?`), hash[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hearth.Errorf(hearth.EUNAUTHORIZED, "Invalid API token.")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate token: %w", err)
	}

	now := s.db.Now()
	if now.Sub(tok.LastUsedAt) >= TokenTouchInterval {
		// The condition repeats the check in SQL so that concurrent
		// requests after a quiet minute record the use once.
		if _, err := s.db.Write().ExecContext(ctx,
			s.db.q(`UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`),
			s.db.Time(now), tok.ID, s.db.Time(now.Add(-TokenTouchInterval))); err == nil {
			tok.LastUsedAt = now
		}
	}
	return tok, nil
}

// FindTokens returns every token, oldest first.
func (s *TokenService) FindTokens(ctx context.Context) ([]*hearth.Token, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, name, prefix, created_at, last_used_at FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	defer rows.Close()

	toks := make([]*hearth.Token, 0)
	for rows.Next() {
		tok, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("find tokens: %w", err)
		}
		toks = append(toks, tok)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	return toks, nil
}

// DeleteToken revokes the token and returns ENOTFOUND when it is unknown.
// The next request carrying its secret is refused.
func (s *TokenService) DeleteToken(ctx context.Context, id int64) error {
	return s.db.deleteRow(ctx, `DELETE FROM tokens WHERE id = ?`, id, fmt.Sprintf("token %d", id),
		hearth.Errorf(hearth.ENOTFOUND, "Token %d not found.", id))
}

// scanToken reads id, name, prefix, created_at and last_used_at.
func scanToken(row rowScanner) (*hearth.Token, error) {
	var tok hearth.Token
	if err := row.Scan(&tok.ID, &tok.Name, &tok.Prefix, (*Time)(&tok.CreatedAt), (*Time)(&tok.LastUsedAt)); err != nil {
		return nil, err
	}
	return &tok, nil
}
