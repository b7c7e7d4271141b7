package sqlite

import (
	"database/sql/driver"
	"encoding/json"
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

// tagList stores a miner's tags as a JSON array in a TEXT column, so that
// SQLite's JSON functions can query them. No tags is stored as "[]" and read
// back as nil.
type tagList []string

// Value implements driver.Valuer.
func (l tagList) Value() (driver.Value, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	return string(b), nil
}

// Scan implements sql.Scanner.
func (l *tagList) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("tags: cannot scan %T", v)
	}
	var tags []string
	if err := json.Unmarshal(b, &tags); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	if len(tags) == 0 {
		tags = nil
	}
	*l = tags
	return nil
}
