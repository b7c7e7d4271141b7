package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// GetSetting returns the value stored under key in the settings table, and
// whether there is one.
func (d Dialect) GetSetting(ctx context.Context, tx *sql.Tx, key string) (string, bool, error) {
	var value string
	err := tx.QueryRowContext(ctx, d.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any earlier value.
func (d Dialect) SetSetting(ctx context.Context, tx *sql.Tx, key, value string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
		key, value, d.Time(now)); err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}
