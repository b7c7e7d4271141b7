package openadr

import (
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Duration is an ISO 8601 duration as OpenADR uses it: a length, or
// Infinite for "P9999Y", which the User Guide reserves for 'infinity'.
type Duration struct {
	D        time.Duration
	Infinite bool
}

// durationPattern is the duration pattern of the specification's YAML,
// without its lookahead (RE2 has none; ParseDuration checks it by hand).
var durationPattern = regexp.MustCompile(`^(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// infiniteYears is the year count from which a duration means infinity:
// "P9999Y" by the User Guide, and anything past what time.Duration holds
// (about 292 years) can only mean the same.
const infiniteYears = 200

// ParseDuration parses an ISO 8601 duration such as "PT15M", "P1D" or
// "P9999Y". Years count 365 days and months 30 (the User Guide advises
// against months for exactly this ambiguity). A malformed duration is an
// EPROTOCOL error, since it comes from the VTN.
func ParseDuration(s string) (Duration, error) {
	m := durationPattern.FindStringSubmatch(s)
	// The YAML's lookahead: P must be followed by a digit or T and a digit.
	if m == nil || len(s) < 2+len(m[1]) || !(isDigit(s[len(m[1])+1]) || (s[len(m[1])+1] == 'T' && len(s) > len(m[1])+2 && isDigit(s[len(m[1])+2]))) {
		return Duration{}, hearth.Errorf(hearth.EPROTOCOL, "OpenADR duration %q is not an ISO 8601 duration.", clip(s))
	}
	if m[2] != "" {
		if y, err := strconv.ParseUint(m[2], 10, 64); err != nil || y >= infiniteYears {
			if m[1] == "-" {
				return Duration{}, hearth.Errorf(hearth.EPROTOCOL, "OpenADR duration %q is negative infinity.", clip(s))
			}
			return Duration{Infinite: true}, nil
		}
	}
	units := []struct {
		field string
		unit  float64
	}{
		{m[2], 365 * 24 * float64(time.Hour)},
		{m[3], 30 * 24 * float64(time.Hour)},
		{m[4], 24 * float64(time.Hour)},
		{m[6], float64(time.Hour)},
		{m[7], float64(time.Minute)},
		{m[8], float64(time.Second)},
	}
	if m[5] == "W" {
		units[2].unit = 7 * 24 * float64(time.Hour)
	}
	var total float64
	for _, u := range units {
		if u.field == "" {
			continue
		}
		n, err := strconv.ParseFloat(u.field, 64)
		if err != nil {
			return Duration{}, hearth.Errorf(hearth.EPROTOCOL, "OpenADR duration %q has a bad number.", clip(s))
		}
		total += n * u.unit
	}
	if total >= math.MaxInt64 || math.IsInf(total, 0) || math.IsNaN(total) {
		if m[1] == "-" {
			return Duration{}, hearth.Errorf(hearth.EPROTOCOL, "OpenADR duration %q is too long.", clip(s))
		}
		return Duration{Infinite: true}, nil
	}
	d := time.Duration(total)
	if m[1] == "-" {
		d = -d
	}
	return Duration{D: d}, nil
}

// String formats d back as ISO 8601 in seconds, or "P9999Y".
func (d Duration) String() string {
	if d.Infinite {
		return "P9999Y"
	}
	return FormatDuration(d.D)
}

// FormatDuration writes a time.Duration as an ISO 8601 duration in whole
// hours, minutes and seconds, the form VTNs parse most reliably.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := sign + "PT"
	if h := d / time.Hour; h > 0 {
		s += strconv.FormatInt(int64(h), 10) + "H"
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		s += strconv.FormatInt(int64(m), 10) + "M"
		d -= m * time.Minute
	}
	if d > 0 {
		s += strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
	}
	return s
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// clip shortens outside text quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
