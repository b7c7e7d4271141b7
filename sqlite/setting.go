package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// getSetting returns the value stored under key, and whether there is one
// (sqlstore.Dialect.GetSetting).
func getSetting(ctx context.Context, tx *sql.Tx, key string) (string, bool, error) {
	return dialect.GetSetting(ctx, tx, key)
}

// setSetting stores value under key, replacing any earlier value
// (sqlstore.Dialect.SetSetting).
func setSetting(ctx context.Context, tx *sql.Tx, key, value string, now time.Time) error {
	return dialect.SetSetting(ctx, tx, key, value, now)
}
