package postgres

import (
	"database/sql/driver"
	"fmt"
	"time"
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

// Scan implements sql.Scanner.
func (t *timestamp) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*t = timestamp{}
	case time.Time:
		*t = timestamp(v.UTC())
	default:
		return fmt.Errorf("timestamp: cannot scan %T", v)
	}
	return nil
}
