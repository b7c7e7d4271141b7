package sqlstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// TagList stores a miner's tags as a JSON array (SQLite TEXT, PostgreSQL
// jsonb), so that each database's JSON functions can query them. No tags is
// stored as "[]" and read back as nil.
type TagList []string

// Value implements driver.Valuer.
func (l TagList) Value() (driver.Value, error) {
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
func (l *TagList) Scan(v any) error {
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
