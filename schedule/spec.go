// Package schedule is hearth's schedule engine: it parses the recurrence of
// a hearth.Schedule, says which windows are in force at an instant, finds
// the next window, and runs a Runner that calls back when windows open and
// close. It holds no state worth keeping: after a restart the Runner works
// out again from the clock which windows are in force, so a window that was
// open when hearth stopped is applied again.
//
// # Recurrence syntax
//
// A recurrence is one of two forms; words are case-insensitive and separated
// by spaces.
//
// The window form is a daily window of local time with optional day and
// month filters:
//
//	15:00-17:30 mon-fri jun-sep    sleep on summer weekday afternoons
//	22:00-06:00                    every night (crosses midnight)
//	00:00-24:00 sat,sun            whole weekends (Saturday 00:00 to Monday 00:00)
//	23:00-07:00 weekdays nov-feb   winter weeknights
//
// The times are HH:MM (24:00 is allowed as an end). An end before the start
// means the window ends on the next day; a window cannot start and end at
// the same time. The day filter is "daily",
// "weekdays" (mon-fri), "weekends" (sat,sun), or a comma list of days and
// day ranges (mon,wed,fri-sun; a range may wrap: fri-mon). The month filter
// is a comma list of months and month ranges (jun-sep, dec,jan; nov-feb
// wraps). Filters apply to the day the window starts: "22:00-06:00 fri"
// runs from Friday night to Saturday morning.
//
// The cron form is a standard five-field cron expression for the start
// followed by "for" (or "--for") and a Go duration:
//
//	0 22 * * 1-5 for 8h           weeknights from 22:00 for eight hours
//	30 14 1 6-9 * --for 2h30m     the first of each summer month
//	@daily for 1h                 @hourly, @daily, @weekly, @monthly, @yearly
//
// The fields are minute (0-59), hour (0-23), day of month (1-31), month
// (1-12 or jan-dec) and day of week (0-7 or sun-sat, 0 and 7 both Sunday),
// each "*", a value, a range a-b, a list, and an optional step (*/15, 8-18/2,
// 5/10). As in Vixie cron, when both the day of month and the day of week
// are restricted a day matches if either does. The duration is elapsed time
// (8h is eight hours even on a night with a clock change) and at most 31
// days. Windows of the cron form that overlap or touch join into one.
//
// # Daylight saving
//
// Starts (and the ends of the window form) are local wall-clock times,
// mapped to instants by these rules:
//
//   - A time that does not exist because the clocks go forward (02:30 on the
//     spring-forward night in Europe) happens at the first instant after the
//     gap (03:00 new time). Several skipped times collapse into that one
//     instant, and a window form window whose start and end both fall in the
//     gap does not happen that day.
//   - A time that happens twice because the clocks go back (02:30 on the
//     fall-back night in Europe) happens once, at its first occurrence
//     (summer time).
//   - The window form keeps its local end time: "22:00-06:00" on the
//     fall-back night lasts nine hours and on the spring-forward night seven.
package schedule

import (
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"

	// Zones are compiled in so that tests and minimal hosts agree on them.
	_ "time/tzdata"
)

// MaxDuration caps the duration of a cron-form recurrence. Longer "windows"
// are better expressed as one-off schedules, and the cap bounds how far back
// evaluation has to look for a window still in force.
const MaxDuration = 31 * 24 * time.Hour

// Spec is a parsed recurrence: the set of local start times and how each
// window's end is found. A Spec is independent of the time zone; a Plan
// pairs it with one.
type Spec struct {
	minutes uint64 // bit m: minute m (0-59) matches
	hours   uint32 // bit h: hour h (0-23) matches
	doms    uint32 // bit d: day of month d (1-31) matches
	months  uint16 // bit m: month m (1-12) matches
	dows    uint8  // bit d: weekday d (0 Sunday - 6) matches
	// domStar and dowStar record an unrestricted field, which decides the
	// Vixie either-or rule for days.
	domStar, dowStar bool

	// window is true for the window form, whose end is the local time
	// endMinute (minutes after the start day's midnight, up to 2*24*60).
	window    bool
	endMinute int
	// duration is the length of each cron-form window.
	duration time.Duration

	// slots are the matching minutes of a day, ascending, precomputed for
	// searching.
	slots []int
	text  string
}

// String returns the recurrence in a normalised form that Parse accepts.
func (sp *Spec) String() string { return sp.text }

// Parse parses a recurrence in the window form or the cron form described
// in the package documentation. Errors are EINVALID and say what is wrong.
func Parse(text string) (*Spec, error) {
	if len(text) > hearth.MaxRecurrenceLength {
		return nil, hearth.Errorf(hearth.EINVALID, "A recurrence is at most %d characters.", hearth.MaxRecurrenceLength)
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "The recurrence is empty.")
	}
	var sp *Spec
	var err error
	if strings.Contains(words[0], ":") {
		sp, err = parseWindow(words)
	} else {
		sp, err = parseCron(words)
	}
	if err != nil {
		return nil, err
	}
	if !sp.canMatch() {
		return nil, hearth.Errorf(hearth.EINVALID, "The recurrence %q never happens: no month has the days it names.", text)
	}
	for m := 0; m < 24*60; m++ {
		if sp.hours&(1<<(m/60)) != 0 && sp.minutes&(1<<(m%60)) != 0 {
			sp.slots = append(sp.slots, m)
		}
	}
	return sp, nil
}

// allBits returns a set with bits lo..hi.
func allBits(lo, hi int) uint32 {
	var set uint32
	for v := lo; v <= hi; v++ {
		set |= 1 << v
	}
	return set
}

// daysInMonth is the longest each month can be (February in a leap year).
var daysInMonth = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// canMatch reports whether some day can match: "0 0 31 2 *" cannot.
func (sp *Spec) canMatch() bool {
	if sp.minutes == 0 || sp.hours == 0 {
		return false
	}
	if sp.dows == 0 && sp.doms == 0 {
		return false
	}
	if !sp.domStar && !sp.dowStar && sp.dows != 0 {
		return sp.months != 0 // a weekday matches in every month
	}
	for m := 1; m <= 12; m++ {
		if sp.months&(1<<m) == 0 {
			continue
		}
		if sp.domStar {
			if sp.dows != 0 {
				return true
			}
			continue
		}
		if sp.doms&allBits(1, daysInMonth[m]) != 0 {
			return true
		}
	}
	return false
}

// matchesDay reports whether the local date y-m-d is a start day.
func (sp *Spec) matchesDay(y int, m time.Month, d int) bool {
	if sp.months&(1<<int(m)) == 0 {
		return false
	}
	dow := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	domOK := sp.doms&(1<<d) != 0
	dowOK := sp.dows&(1<<int(dow)) != 0
	switch {
	case sp.domStar && sp.dowStar:
		return true
	case sp.domStar:
		return dowOK
	case sp.dowStar:
		return domOK
	default:
		return domOK || dowOK
	}
}
