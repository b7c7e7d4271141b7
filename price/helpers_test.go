package price_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// fixture reads a file of testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// utc parses an RFC 3339 time for expectations.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantCode fails unless err carries the hearth code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := hearth.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// checkWellFormed asserts what every feed promises: points sorted by
// start, each ending after it starts, none overlapping, prices finite.
func checkWellFormed(t testing.TB, points []hearth.PricePoint) {
	t.Helper()
	for i, p := range points {
		if !p.End.After(p.Start) {
			t.Fatalf("point %d ends %v, not after its start %v", i, p.End, p.Start)
		}
		if math.IsNaN(p.PerKWh) || math.IsInf(p.PerKWh, 0) {
			t.Fatalf("point %d has price %v", i, p.PerKWh)
		}
		if i > 0 && p.Start.Before(points[i-1].End) {
			t.Fatalf("point %d starts %v before point %d ends %v", i, p.Start, i-1, points[i-1].End)
		}
	}
}

// checkContiguous asserts that points follow each other without gaps
// from first to last.
func checkContiguous(t *testing.T, points []hearth.PricePoint, first, last time.Time) {
	t.Helper()
	checkWellFormed(t, points)
	if len(points) == 0 {
		t.Fatal("no points")
	}
	if !points[0].Start.Equal(first) {
		t.Errorf("first start = %v, want %v", points[0].Start, first)
	}
	if end := points[len(points)-1].End; !end.Equal(last) {
		t.Errorf("last end = %v, want %v", end, last)
	}
	for i := 1; i < len(points); i++ {
		if !points[i].Start.Equal(points[i-1].End) {
			t.Errorf("gap between point %d ending %v and point %d starting %v", i-1, points[i-1].End, i, points[i].Start)
		}
	}
}

// near reports whether a and b agree to a millionth.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
