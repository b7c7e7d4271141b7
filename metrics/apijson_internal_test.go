package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// appendString must always produce valid JSON that decodes to the input
// (with invalid UTF-8 replaced), whatever bytes a label value holds.
func FuzzAppendString(f *testing.F) {
	for _, seed := range []string{"", "Antminer S21", `quote " backslash \ `, "\x00\x1f\n\t\r", "\u2028\u2029", "\xff\xfe", "é€𝄞", "</script>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("appendString(%q) = %s: not JSON: %v", s, b, err)
		}
		// Each byte that is not part of valid UTF-8 becomes U+FFFD.
		var want strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			want.WriteRune(r)
			i += size
		}
		if got != want.String() {
			t.Fatalf("appendString(%q) decodes to %q, want %q", s, got, want.String())
		}
	})
}

func TestAppendTimestampAndFloat(t *testing.T) {
	ts := []struct {
		ms   int64
		want string
	}{
		{1700000000123, "1700000000.123"},
		{1700000000100, "1700000000.100"},
		{1700000000001, "1700000000.001"},
		{1700000000000, "1700000000"},
		{-1500, "-1.500"},
		{0, "0"},
		{math.MinInt64, "-9223372036854775.808"},
	}
	for _, tt := range ts {
		if got := string(appendTimestamp(nil, tt.ms)); got != tt.want {
			t.Errorf("appendTimestamp(%d) = %s, want %s", tt.ms, got, tt.want)
		}
	}
	fs := []struct {
		v    float64
		want string
	}{
		{42, "42"}, {0.1, "0.1"}, {1e14, "100000000000000"}, {1e21, "1e+21"}, {1e-7, "1e-07"},
		{0, "0"}, {math.Inf(1), "+Inf"}, {math.Inf(-1), "-Inf"}, {math.NaN(), "NaN"},
	}
	for _, tt := range fs {
		if got := string(appendFloat(nil, tt.v)); got != tt.want {
			t.Errorf("appendFloat(%g) = %s, want %s", tt.v, got, tt.want)
		}
	}
}
