package sqlite

import (
	"database/sql/driver"
	"fmt"
	"time"
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

// Scan implements sql.Scanner.
func (t *timestamp) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		*t = timestamp{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("timestamp: cannot scan %T", v)
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*t = timestamp(parsed.UTC())
	return nil
}
