package axeos

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// AxeOS builds its JSON with cJSON, and over the releases several fields
// have changed type (best difficulty went from "483k" to 483000; flags from
// numbers to booleans), while forks send numbers as strings. The types in
// this file accept every such spelling. They never fail: a value of the
// wrong kind is recorded as absent, so that one odd field cannot cost the
// whole reading.

// flexFloat is a number that may arrive as a JSON number, a numeric string
// or a boolean. ok reports whether a usable value was present.
type flexFloat struct {
	v  float64
	ok bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	*f = flexFloat{}
	if len(b) == 0 {
		return nil
	}
	var v float64
	var err error
	switch b[0] {
	case 'n': // null
		return nil
	case 't':
		v = 1
	case 'f':
		v = 0
	case '"':
		s, ok := unquote(b)
		if !ok {
			return nil
		}
		v, err = strconv.ParseFloat(string(bytes.TrimSpace(s)), 64)
	case '{', '[':
		return nil
	default:
		v, err = strconv.ParseFloat(string(b), 64)
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	*f = flexFloat{v: v, ok: true}
	return nil
}

// float returns the value, or zero when absent.
func (f flexFloat) float() float64 { return f.v }

// positive returns the value when present and above zero, else zero. AxeOS
// reports -1 or 0 for a sensor it does not have or has not read yet.
func (f flexFloat) positive() float64 {
	if f.ok && f.v > 0 {
		return f.v
	}
	return 0
}

// count returns the value as a non-negative integer count.
func (f flexFloat) count() uint64 {
	switch {
	case !f.ok || f.v <= 0:
		return 0
	case f.v >= math.MaxUint64:
		return math.MaxUint64
	default:
		return uint64(f.v)
	}
}

// int returns the value truncated to an int, or zero when absent or out of
// range.
func (f flexFloat) int() int {
	if !f.ok || f.v < math.MinInt32 || f.v > math.MaxInt32 {
		return 0
	}
	return int(f.v)
}

// flexBool is a flag that may arrive as true/false, 0/1 or "0"/"1"/"true".
type flexBool struct {
	v  bool
	ok bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	*f = flexBool{}
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case 'n', '{', '[':
		return nil
	case 't':
		*f = flexBool{v: true, ok: true}
	case 'f':
		*f = flexBool{v: false, ok: true}
	case '"':
		s, ok := unquote(b)
		if !ok {
			return nil
		}
		if v, err := strconv.ParseBool(string(bytes.TrimSpace(s))); err == nil {
			*f = flexBool{v: v, ok: true}
		}
	default:
		if v, err := strconv.ParseFloat(string(b), 64); err == nil && !math.IsNaN(v) {
			*f = flexBool{v: v != 0, ok: true}
		}
	}
	return nil
}

// unquote returns the contents of a JSON string literal. Plain strings
// (the only kind that can hold a number) are sliced without copying; ones
// with escapes go through encoding/json.
func unquote(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, false
	}
	return []byte(s), true
}
