package metrics_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1700000000", t0},
		{"1700000000.123", t0.Add(123 * time.Millisecond)},
		{"1700000000.1234", t0.Add(123 * time.Millisecond)}, // rounded to the millisecond
		{"1700000000.9996", t0.Add(time.Second)},
		{"-1.5", time.Unix(-1, -500*int64(time.Millisecond)).UTC()},
		{"1e9", time.Unix(1e9, 0).UTC()},
		{"2023-11-14T22:13:20Z", t0},
		{"2023-11-14T23:13:20.5+01:00", t0.Add(500 * time.Millisecond)},
		{metrics.MinTime.Format(time.RFC3339Nano), metrics.MinTime},
		{metrics.MaxTime.Format(time.RFC3339Nano), metrics.MaxTime},
	}
	for _, tt := range tests {
		got, err := metrics.ParseTime(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "now", "NaN", "Inf", "-Inf", "1e300", "2023-11-14", "2023-11-14 22:13:20"} {
		if got, err := metrics.ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %s, want an error", bad, got)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"15", 15 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{"15s", 15 * time.Second},
		{"5m", 5 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1d", 24 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"100ms", 100 * time.Millisecond},
		{"-15", -15 * time.Second},
	}
	for _, tt := range tests {
		got, err := metrics.ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "5 minutes", "NaN", "Inf", "1e10", "-1e10", "5M", "1.5h"} {
		if got, err := metrics.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %s, want an error", bad, got)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, seed := range []string{
		"1700000000", "1700000000.123", "-1.5", "1e9", "0x1p30", "1_000",
		"2023-11-14T22:13:20Z", "2023-11-14T23:13:20.123456789+01:00",
		metrics.MinTime.Format(time.RFC3339Nano), metrics.MaxTime.Format(time.RFC3339Nano),
		"9223372036854775807", "-9223372036854775808", "NaN", "+Inf", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := metrics.ParseTime(s)
		if err != nil {
			return
		}
		// Every accepted time must survive the conversion to the TSDB's
		// milliseconds without overflowing.
		ms := got.UnixMilli()
		if ms/1000 != got.Unix() && ms/1000 != got.Unix()+1 {
			t.Fatalf("ParseTime(%q) = %s: milliseconds %d do not match seconds %d", s, got, ms, got.Unix())
		}
		// A number is seconds rounded to the millisecond.
		// (Checked where float64 holds the value to well under a millisecond.)
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && math.Abs(f) < 1e11 {
			if d := math.Abs(float64(got.Unix()) - f + float64(got.Nanosecond())/1e9); d > 0.0005+1e-4 {
				t.Fatalf("ParseTime(%q) = %s, %g s away from the number", s, got, d)
			}
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, seed := range []string{
		"15", "0.5", "15s", "5m", "1h30m", "1d", "1w", "1y", "100ms", "-15",
		"9223372036", "9223372037", "1e10", "NaN", "", "0x10", "1_0",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := metrics.ParseDuration(s)
		if err != nil {
			return
		}
		// A number is seconds: same sign, and close to it.
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
			if (f > 0 && got < 0) || (f < 0 && got > 0) {
				t.Fatalf("ParseDuration(%q) = %s: sign flipped", s, got)
			}
			if d := math.Abs(got.Seconds() - f); d > 1e-6*math.Max(1, math.Abs(f)) {
				t.Fatalf("ParseDuration(%q) = %s, %g s away from the number", s, got, d)
			}
			return
		}
		if got < 0 {
			t.Fatalf("ParseDuration(%q) = %s: a Prometheus duration is never negative", s, got)
		}
	})
}
