package schedule

import (
	"math"
	"time"
)

// date is a calendar day in a schedule's zone, kept apart from instants so
// that day arithmetic never goes through a clock change.
type date struct {
	y int
	m time.Month
	d int
}

// dateOf returns the local calendar day of t in loc.
func dateOf(t time.Time, loc *time.Location) date {
	y, m, d := t.In(loc).Date()
	return date{y, m, d}
}

// add returns the day n days after (or before, for negative n) dt.
func (dt date) add(n int) date {
	y, m, d := time.Date(dt.y, dt.m, dt.d+n, 12, 0, 0, 0, time.UTC).Date()
	return date{y, m, d}
}

// at returns the instant the local wall clock in loc shows minute (minutes
// after midnight, may exceed a day) of dt, by the package's daylight saving
// rules: a time skipped by a clock change happens at the first instant
// after the gap, and a time that happens twice happens at its first
// occurrence. time.Date leaves both cases unspecified, so they are worked
// out here from the zone's offsets.
func at(loc *time.Location, dt date, minute int) time.Time {
	wall := time.Date(dt.y, dt.m, dt.d, 0, minute, 0, 0, time.UTC).Unix()
	// The offsets in use around the wall time: a clock change within two
	// days either side is enough for every zone's history.
	var valid int64
	latest := int64(math.MinInt64)
	found := false
	for _, probe := range [...]int64{wall - 2*86400, wall, wall + 2*86400} {
		_, off := time.Unix(probe, 0).In(loc).Zone()
		candidate := wall - int64(off)
		if _, got := time.Unix(candidate, 0).In(loc).Zone(); got == off {
			if !found || candidate < valid {
				valid, found = candidate, true
			}
		}
		if candidate > latest {
			latest = candidate
		}
	}
	if found {
		return time.Unix(valid, 0).In(loc)
	}
	// In a gap: the latest candidate lies after the clock change, and the
	// zone period containing it starts at the change.
	start, _ := time.Unix(latest, 0).In(loc).ZoneBounds()
	return start
}
