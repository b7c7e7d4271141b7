package metrics

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// The open ends of a time range in Prometheus' HTTP API. Clients (Grafana,
// client_golang's API client) send exactly these instants, formatted in
// RFC 3339, to mean "unbounded", so ParseTime must accept them although
// their years have more than four digits.
var (
	// MinTime is the earliest instant the API accepts.
	MinTime = time.Unix(math.MinInt64/1000+62135596801, 0).UTC()
	// MaxTime is the latest instant the API accepts.
	MaxTime = time.Unix(math.MaxInt64/1000-62135596801, 999999999).UTC()

	minTimeText = MinTime.Format(time.RFC3339Nano)
	maxTimeText = MaxTime.Format(time.RFC3339Nano)
)

// ParseTime parses a time parameter of the Prometheus HTTP API: Unix seconds
// as a decimal number, rounded to the millisecond ("1700000000.123"), or an
// RFC 3339 timestamp ("2023-11-14T22:13:20.123Z"). Numbers that are not
// finite or lie outside [MinTime, MaxTime] are refused.
func ParseTime(s string) (time.Time, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || f < float64(MinTime.Unix()) || f > float64(MaxTime.Unix()) {
			return time.Time{}, fmt.Errorf("cannot parse %q to a valid timestamp", s)
		}
		sec, frac := math.Modf(f)
		ms := math.Round(frac * 1000)
		return time.Unix(int64(sec), int64(ms)*int64(time.Millisecond)).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	switch s {
	case minTimeText:
		return MinTime, nil
	case maxTimeText:
		return MaxTime, nil
	}
	return time.Time{}, fmt.Errorf("cannot parse %q to a valid timestamp", s)
}

// ParseDuration parses a duration parameter of the Prometheus HTTP API (step,
// timeout, lookback_delta): seconds as a decimal number ("15", "0.5") or a
// Prometheus duration ("15s", "5m", "1h30m", "1d", "1w", "1y"). Numbers
// that are not finite or do not fit a time.Duration are refused.
func ParseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		ns := f * float64(time.Second)
		// float64(math.MaxInt64) rounds up to 2^63, so >= keeps the
		// conversion below in range.
		if math.IsNaN(ns) || ns >= float64(math.MaxInt64) || ns < float64(math.MinInt64) {
			return 0, fmt.Errorf("cannot parse %q to a valid duration. It overflows int64", s)
		}
		return time.Duration(ns), nil
	}
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	return 0, fmt.Errorf("cannot parse %q to a valid duration", s)
}
