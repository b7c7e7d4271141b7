package axeos_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/hearth-fleet/hearth/driver/axeos"
)

func TestParseDifficulty(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"483k", 483000},
		{"0", 0},
		{"4.29G", 4.29e9},
		{"2.88M", 2.88e6},
		{"258M", 258e6},
		{"1.2K", 1200},
		{"12.3T", 12.3e12},
		{"1.5P", 1.5e15},
		{"2E", 2e18},
		{"1e+03k", 1e6}, // %.3g of 999 500
		{" 42 ", 42},
		{"483000", 483000},
		{"5213338092", 5213338092},
		{"7.5", 7.5},
		{"-0", 0},
	} {
		got, err := axeos.ParseDifficulty(tc.in)
		if err != nil {
			t.Errorf("ParseDifficulty(%q): %v", tc.in, err)
			continue
		}
		if math.Abs(got-tc.want) > 1e-9*math.Max(1, tc.want) {
			t.Errorf("ParseDifficulty(%q) = %g, want %g", tc.in, got, tc.want)
		}
	}
}

func TestParseDifficultyRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "k", "M", "abc", "12x", "1.2m", "-5k", "NaN", "Inf", "+Inf",
		"0x1p3", "1_000", "1e400", "1e300G", "12 k k", "--1",
	} {
		if got, err := axeos.ParseDifficulty(in); err == nil {
			t.Errorf("ParseDifficulty(%q) = %g, want an error", in, got)
		}
	}
}

// FuzzParseDifficulty checks that any input either fails or gives a finite,
// non-negative value, and that a parsed value survives being printed and
// parsed again.
func FuzzParseDifficulty(f *testing.F) {
	for _, s := range []string{"483k", "0", "4.29G", "2.88M", "1e+03k", "1.2K", "5213338092", "12.3T", "2E", "-0", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := axeos.ParseDifficulty(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("ParseDifficulty(%q) = %g", s, v)
		}
		again, err := axeos.ParseDifficulty(strconv.FormatFloat(v, 'g', -1, 64))
		if err != nil || again != v {
			t.Fatalf("ParseDifficulty(%q) = %g, which parses back as %g, %v", s, v, again, err)
		}
	})
}
