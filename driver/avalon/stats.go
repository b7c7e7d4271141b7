package avalon

import (
	"math"
	"strconv"
	"strings"
)

// Limits of ParseStats, so that a hostile blob costs bounded memory.
const (
	// maxStatsKeys bounds the tokens kept from one blob; real blobs have
	// about a hundred.
	maxStatsKeys = 1024
	// maxKeyLen bounds a key; real keys are short ("SYSTEMSTATU",
	// "Nonce Mask").
	maxKeyLen = 32
)

// Stats is the telemetry an Avalon packs into one string, the value of
// "MM ID0" (older firmware) or "MM ID0:Summary" and "HBinfo" (newer) in its
// stats reply: a run of Key[value] tokens such as
//
//	'STATS':{Ver[Q-25052801_14a19a2] SYSTEMSTATU[Work: In Idle, Hash Board: 1] TMax[77] MGHS[26907.01 26025.06] Nonce Mask[25]}
//
// A value holds one field or several separated by spaces (one per board,
// per chip or per power-supply reading). Stats maps each key to its raw
// value; the accessors split and convert it.
type Stats map[string]string

// ParseStats reads the Key[value] tokens of s. It never fails: what cannot
// be read is skipped, so a firmware that adds, drops or garbles a token
// costs that token only.
//
//   - A key is the text since the previous token, section brace, quote,
//     colon or comma, trimmed; it may hold inner spaces ("Nonce Mask") but
//     must be at most 32 bytes of letters, digits, '_', '-', '.', '%' and
//     spaces, else the token is skipped.
//   - A value runs to the matching ']': brackets nest, so "A[x[1] y]" gives
//     A = "x[1] y". An unterminated value runs to the end of s.
//   - Section wrappers ('STATS':{…}, 'HB0':{…}) are transparent: their keys
//     are already unique (PVT_T0, PVT_T1 …), so one flat map holds them.
//   - The first occurrence of a key wins, and at most 1024 keys are kept.
func ParseStats(s string) Stats {
	st := Stats{}
	keyStart := 0
	for i := 0; i < len(s); {
		switch s[i] {
		case '[':
			key := strings.TrimSpace(s[keyStart:i])
			end, next := closing(s, i+1)
			if validKey(key) && len(st) < maxStatsKeys {
				if _, dup := st[key]; !dup {
					st[key] = s[i+1 : end]
				}
			}
			i, keyStart = next, next
		case ']', '{', '}', '\'', '"', ':', ',':
			i++
			keyStart = i
		default:
			i++
		}
	}
	return st
}

// closing returns the end of the value that starts at from (the index of
// its ']', or len(s) when it is unterminated) and the index after it.
func closing(s string, from int) (end, next int) {
	depth := 1
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j, j + 1
			}
		}
	}
	return len(s), len(s)
}

// validKey reports whether key looks like an Avalon stats key.
func validKey(key string) bool {
	if key == "" || len(key) > maxKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_' || c == '-' || c == '.' || c == '%' || c == ' ':
		default:
			return false
		}
	}
	return true
}

// Merge adds the keys of other that s lacks, so that the HBinfo blob of
// newer firmware joins its summary blob.
func (s Stats) Merge(other Stats) {
	for k, v := range other {
		if _, ok := s[k]; !ok && len(s) < maxStatsKeys {
			s[k] = v
		}
	}
}

// Has reports whether key was present.
func (s Stats) Has(key string) bool {
	_, ok := s[key]
	return ok
}

// Text returns key's value trimmed of spaces, or "" when it is absent.
func (s Stats) Text(key string) string { return strings.TrimSpace(s[key]) }

// Fields returns key's value split at spaces: one entry per board, chip or
// reading.
func (s Stats) Fields(key string) []string { return strings.Fields(s[key]) }

// Float returns the first field of key as a number. ok is false when the
// key is absent or the field is not a finite number ("inf" and "nan" occur
// on Avalons). A trailing '%' is dropped ("FanR[72%]").
func (s Stats) Float(key string) (f float64, ok bool) {
	return s.FloatAt(key, 0)
}

// FloatAt returns field i of key as a number, as Float does for field 0.
func (s Stats) FloatAt(key string, i int) (f float64, ok bool) {
	v, present := s[key]
	if !present || i < 0 {
		return 0, false
	}
	for n := 0; ; n++ {
		v = strings.TrimLeft(v, " \t\r\n")
		if v == "" {
			return 0, false
		}
		field := v
		if k := strings.IndexAny(v, " \t\r\n"); k >= 0 {
			field, v = v[:k], v[k:]
		} else {
			v = ""
		}
		if n == i {
			return number(field)
		}
	}
}

// Floats returns every field of key that is a finite number, in order,
// skipping the others.
func (s Stats) Floats(key string) []float64 {
	fields := s.Fields(key)
	out := make([]float64, 0, len(fields))
	for _, f := range fields {
		if x, ok := number(f); ok {
			out = append(out, x)
		}
	}
	return out
}

// number parses one field, dropping a trailing '%'.
func number(field string) (float64, bool) {
	field = strings.TrimSuffix(field, "%")
	f, err := strconv.ParseFloat(field, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
