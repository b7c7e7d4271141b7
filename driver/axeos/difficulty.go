package axeos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseDifficulty parses a share difficulty as AxeOS printed it before
// v2.11.0: a number of up to three significant digits with an SI suffix,
// such as "483k", "4.29G" or "0". The suffixes are k (or K), M, G, T, P and
// E, each a power of 1000. A plain number, also in exponent form, is
// accepted as well, because the firmware's "%.3g" formatting prints 999 500
// as "1e+03k".
//
// It returns an error for empty input, an unknown suffix, a negative or
// non-finite value, or anything that is not a decimal number.
func ParseDifficulty(s string) (float64, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return 0, fmt.Errorf("parse difficulty %q: empty", s)
	}
	multiplier := 1.0
	switch text[len(text)-1] {
	case 'k', 'K':
		multiplier = 1e3
	case 'M':
		multiplier = 1e6
	case 'G':
		multiplier = 1e9
	case 'T':
		multiplier = 1e12
	case 'P':
		multiplier = 1e15
	case 'E':
		multiplier = 1e18
	}
	number := text
	if multiplier != 1 {
		number = strings.TrimSpace(text[:len(text)-1])
	}
	if !isDecimal(number) {
		return 0, fmt.Errorf("parse difficulty %q: not a number with an SI suffix", s)
	}
	v, err := strconv.ParseFloat(number, 64)
	if err != nil {
		return 0, fmt.Errorf("parse difficulty %q: %w", s, err)
	}
	v *= multiplier
	if v == 0 {
		return 0, nil // also for "-0"
	}
	if v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("parse difficulty %q: out of range", s)
	}
	return v, nil
}

// isDecimal reports whether s is spelled like a decimal number (digits, a
// point, an exponent, signs), which keeps strconv from accepting "Inf",
// "NaN", hexadecimal floats and underscores.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits
}

// difficulty is a best-share difficulty as /api/system/info sends it: a
// string with an SI suffix before v2.11.0, a JSON number since. A value
// that parses neither way is recorded as absent.
type difficulty struct {
	v  float64
	ok bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *difficulty) UnmarshalJSON(b []byte) error {
	*d = difficulty{}
	if len(b) == 0 {
		return nil
	}
	if b[0] == '"' {
		s, ok := unquote(b)
		if !ok {
			return nil
		}
		if v, err := ParseDifficulty(string(s)); err == nil {
			*d = difficulty{v: v, ok: true}
		}
		return nil
	}
	var f flexFloat
	_ = f.UnmarshalJSON(b)
	if f.ok && f.v >= 0 {
		*d = difficulty{v: f.v, ok: true}
	}
	return nil
}
