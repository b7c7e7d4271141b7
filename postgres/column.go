package postgres

import (
	"database/sql/driver"
	"time"

	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// timestamp stores a time.Time in a TIMESTAMPTZ column. The zero time is
// stored as NULL, meaning "never", and times read back are in UTC.
type timestamp time.Time

// Value implements driver.Valuer.
func (t timestamp) Value() (driver.Value, error) {
	if time.Time(t).IsZero() {
		return nil, nil
	}
	return time.Time(t).UTC(), nil
}

// Scan implements sql.Scanner, reading as every store does
// (sqlstore.Time).
func (t *timestamp) Scan(v any) error {
	return (*sqlstore.Time)(t).Scan(v)
}
