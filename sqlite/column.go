package sqlite

import (
	"database/sql/driver"
	"time"

	"github.com/hearth-fleet/hearth/internal/sqlstore"
)

// timeLayout is how times are stored: UTC text of fixed width, so that it
// sorts as text in time order, keeps nanoseconds and stays readable in the
// sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// timestamp stores a time.Time in a TEXT column. The zero time is stored as
// NULL, meaning "never".
type timestamp time.Time

// Value implements driver.Valuer.
func (t timestamp) Value() (driver.Value, error) {
	if time.Time(t).IsZero() {
		return nil, nil
	}
	return time.Time(t).UTC().Format(timeLayout), nil
}

// Scan implements sql.Scanner, reading as every store does
// (sqlstore.Time).
func (t *timestamp) Scan(v any) error {
	return (*sqlstore.Time)(t).Scan(v)
}
