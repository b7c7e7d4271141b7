package schedule_test

import (
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// Fixed offsets spell out expected instants without going through the zone
// database the code under test uses.
var (
	cet  = time.FixedZone("CET", 1*3600)
	cest = time.FixedZone("CEST", 2*3600)
	est  = time.FixedZone("EST", -5*3600)
	edt  = time.FixedZone("EDT", -4*3600)
	aest = time.FixedZone("AEST", 10*3600)
	aedt = time.FixedZone("AEDT", 11*3600)
	jst  = time.FixedZone("JST", 9*3600)
	ist  = time.FixedZone("IST", 5*3600+1800)
)

// on returns the instant of a wall time at a fixed offset.
func on(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

// recurring compiles an enabled recurring schedule.
func recurring(t *testing.T, recurrence, zone string) *schedule.Plan {
	t.Helper()
	p, err := schedule.Compile(&hearth.Schedule{
		ID: "s1", Name: "test", Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeGroup, ID: "g1"},
		Change:     hearth.Change{Kind: hearth.ChangePause},
		Recurrence: recurrence, TimeZone: zone,
	})
	if err != nil {
		t.Fatalf("Compile(%q, %s): %v", recurrence, zone, err)
	}
	return p
}

// window is an expected window.
type window struct{ start, end time.Time }

// wantNext checks that the windows following after are want, in order.
func wantNext(t *testing.T, p *schedule.Plan, after time.Time, want ...window) {
	t.Helper()
	for i, w := range want {
		start, end, ok := p.Next(after)
		if !ok {
			t.Fatalf("%s: Next(%s) #%d: no window, want %s–%s", p.Schedule.Recurrence, after, i, w.start, w.end)
		}
		if !start.Equal(w.start) || !end.Equal(w.end) {
			t.Errorf("%s: Next(%s) #%d = %s–%s (UTC %s–%s), want %s–%s",
				p.Schedule.Recurrence, after, i, start, end, start.UTC(), end.UTC(), w.start, w.end)
		}
		after = start
	}
}

func TestNextAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name, recurrence, zone string
		after                  time.Time
		want                   []window
	}{
		{
			"Berlin spring forward: 02:30 does not exist, runs at 03:00 CEST",
			"30 2 * * * for 1h", "Europe/Berlin", on(time.UTC, 2026, 3, 28, 12, 0),
			[]window{
				{on(cest, 2026, 3, 29, 3, 0), on(cest, 2026, 3, 29, 4, 0)},
				{on(cest, 2026, 3, 30, 2, 30), on(cest, 2026, 3, 30, 3, 30)},
			},
		},
		{
			"Berlin fall back: 02:30 happens twice, runs once at the first (CEST)",
			"30 2 * * * for 1h", "Europe/Berlin", on(time.UTC, 2026, 10, 24, 12, 0),
			[]window{
				{on(cest, 2026, 10, 25, 2, 30), on(cest, 2026, 10, 25, 3, 30)},
				{on(cet, 2026, 10, 26, 2, 30), on(cet, 2026, 10, 26, 3, 30)},
			},
		},
		{
			"Berlin fall-back night keeps the local end: 22:00-06:00 lasts 9 h",
			"22:00-06:00", "Europe/Berlin", on(time.UTC, 2026, 10, 24, 12, 0),
			[]window{
				{on(cest, 2026, 10, 24, 22, 0), on(cet, 2026, 10, 25, 6, 0)},
				{on(cet, 2026, 10, 25, 22, 0), on(cet, 2026, 10, 26, 6, 0)},
			},
		},
		{
			"Berlin spring-forward night: 22:00-06:00 lasts 7 h",
			"22:00-06:00", "Europe/Berlin", on(time.UTC, 2026, 3, 28, 12, 0),
			[]window{
				{on(cet, 2026, 3, 28, 22, 0), on(cest, 2026, 3, 29, 6, 0)},
			},
		},
		{
			"Berlin window starting in the gap starts at 03:00 and keeps its end",
			"02:30-03:30", "Europe/Berlin", on(time.UTC, 2026, 3, 28, 12, 0),
			[]window{
				{on(cest, 2026, 3, 29, 3, 0), on(cest, 2026, 3, 29, 3, 30)},
			},
		},
		{
			"Berlin window wholly inside the gap does not happen that day",
			"02:10-02:50", "Europe/Berlin", on(time.UTC, 2026, 3, 28, 12, 0),
			[]window{
				{on(cest, 2026, 3, 30, 2, 10), on(cest, 2026, 3, 30, 2, 50)},
			},
		},
		{
			"Berlin window ending in the repeated hour ends at its first occurrence",
			"01:00-02:30", "Europe/Berlin", on(time.UTC, 2026, 10, 24, 12, 0),
			[]window{
				{on(cest, 2026, 10, 25, 1, 0), on(cest, 2026, 10, 25, 2, 30)},
			},
		},
		{
			"Berlin cron duration is elapsed time across the fall-back",
			"0 22 * * * for 8h", "Europe/Berlin", on(time.UTC, 2026, 10, 24, 12, 0),
			[]window{
				{on(cest, 2026, 10, 24, 22, 0), on(cet, 2026, 10, 25, 5, 0)},
			},
		},
		{
			"New York spring forward: 02:30 runs at 03:00 EDT",
			"30 2 * * * for 30m", "America/New_York", on(time.UTC, 2026, 3, 7, 12, 0),
			[]window{
				{on(edt, 2026, 3, 8, 3, 0), on(edt, 2026, 3, 8, 3, 30)},
				{on(edt, 2026, 3, 9, 2, 30), on(edt, 2026, 3, 9, 3, 0)},
			},
		},
		{
			"New York fall back: 01:30 runs once, in EDT",
			"30 1 * * * for 30m", "America/New_York", on(time.UTC, 2026, 10, 31, 12, 0),
			[]window{
				{on(edt, 2026, 11, 1, 1, 30), on(edt, 2026, 11, 1, 2, 0)},
				{on(est, 2026, 11, 2, 1, 30), on(est, 2026, 11, 2, 2, 0)},
			},
		},
		{
			"New York hourly across the fall back: the repeated 01:00 fires once",
			"0 * * * * for 30m", "America/New_York", on(edt, 2026, 10, 31, 23, 30),
			[]window{
				{on(edt, 2026, 11, 1, 0, 0), on(edt, 2026, 11, 1, 0, 30)},
				{on(edt, 2026, 11, 1, 1, 0), on(edt, 2026, 11, 1, 1, 30)},
				{on(est, 2026, 11, 1, 2, 0), on(est, 2026, 11, 1, 2, 30)},
			},
		},
		{
			"New York every 15 minutes in the gap collapses into one start at 03:00",
			"*/15 2-3 * * * for 5m", "America/New_York", on(est, 2026, 3, 8, 1, 0),
			[]window{
				{on(edt, 2026, 3, 8, 3, 0), on(edt, 2026, 3, 8, 3, 5)},
				{on(edt, 2026, 3, 8, 3, 15), on(edt, 2026, 3, 8, 3, 20)},
			},
		},
		{
			"Sydney spring forward (October): 02:30 runs at 03:00 AEDT",
			"30 2 * * * for 1h", "Australia/Sydney", on(time.UTC, 2026, 10, 3, 0, 0),
			[]window{
				{on(aedt, 2026, 10, 4, 3, 0), on(aedt, 2026, 10, 4, 4, 0)},
				{on(aedt, 2026, 10, 5, 2, 30), on(aedt, 2026, 10, 5, 3, 30)},
			},
		},
		{
			"Sydney fall back (April): 02:30 runs once, in AEDT",
			"30 2 * * * for 1h", "Australia/Sydney", on(time.UTC, 2026, 4, 4, 0, 0),
			[]window{
				{on(aedt, 2026, 4, 5, 2, 30), on(aedt, 2026, 4, 5, 3, 30)},
				{on(aest, 2026, 4, 6, 2, 30), on(aest, 2026, 4, 6, 3, 30)},
			},
		},
		{
			"Sydney fall-back night 22:00-06:00 lasts 9 h",
			"22:00-06:00", "Australia/Sydney", on(time.UTC, 2026, 4, 4, 0, 0),
			[]window{
				{on(aedt, 2026, 4, 4, 22, 0), on(aest, 2026, 4, 5, 6, 0)},
			},
		},
		{
			"Tokyo has no daylight saving",
			"15:00-17:30 mon-fri", "Asia/Tokyo", on(time.UTC, 2026, 3, 27, 0, 0), // a Friday
			[]window{
				{on(jst, 2026, 3, 27, 15, 0), on(jst, 2026, 3, 27, 17, 30)},
				{on(jst, 2026, 3, 30, 15, 0), on(jst, 2026, 3, 30, 17, 30)},
			},
		},
		{
			"Kolkata half-hour offset",
			"0 9 * * * for 1h", "Asia/Kolkata", on(time.UTC, 2026, 10, 25, 0, 0),
			[]window{
				{on(ist, 2026, 10, 25, 9, 0), on(ist, 2026, 10, 25, 10, 0)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantNext(t, recurring(t, tt.recurrence, tt.zone), tt.after, tt.want...)
		})
	}
}

func TestFallBackNightLastsNineHours(t *testing.T) {
	p := recurring(t, "22:00-06:00", "Europe/Berlin")
	start, end, ok := p.Next(on(time.UTC, 2026, 10, 24, 0, 0))
	if !ok || end.Sub(start) != 9*time.Hour {
		t.Fatalf("window %s–%s lasts %s, want 9h", start, end, end.Sub(start))
	}
	// In force for the whole nine hours, including the repeated hour.
	for at := start; at.Before(end); at = at.Add(15 * time.Minute) {
		if !p.Active(at) {
			t.Errorf("not in force at %s (UTC %s)", at, at.UTC())
		}
	}
	if p.Active(end) {
		t.Errorf("in force at its end %s", end)
	}
	if p.Active(start.Add(-time.Second)) {
		t.Errorf("in force before its start")
	}
}

func TestWeekdaysJuneToSeptember(t *testing.T) {
	p := recurring(t, "15:00-17:30 mon-fri jun-sep", "Europe/Berlin")
	tests := []struct {
		at   time.Time
		want bool
	}{
		{on(cest, 2026, 5, 29, 16, 0), false}, // Friday in May
		{on(cest, 2026, 5, 31, 16, 0), false}, // Sunday
		{on(cest, 2026, 6, 1, 14, 59), false}, // Monday 1 June, before
		{on(cest, 2026, 6, 1, 15, 0), true},   // opens at 15:00
		{on(cest, 2026, 6, 1, 17, 29), true},  //
		{on(cest, 2026, 6, 1, 17, 30), false}, // closed at 17:30
		{on(cest, 2026, 6, 6, 16, 0), false},  // Saturday
		{on(cest, 2026, 6, 8, 16, 0), true},   // Monday
		{on(cest, 2026, 9, 30, 16, 0), true},  // Wednesday 30 September
		{on(cest, 2026, 10, 1, 16, 0), false}, // Thursday 1 October
		{on(cest, 2026, 7, 1, 10, 0), false},  // wrong time of day
	}
	for _, tt := range tests {
		if got := p.Active(tt.at); got != tt.want {
			t.Errorf("Active(%s %s) = %v, want %v", tt.at.Weekday(), tt.at, got, tt.want)
		}
	}
	wantNext(t, p, on(cest, 2026, 5, 28, 12, 0),
		window{on(cest, 2026, 6, 1, 15, 0), on(cest, 2026, 6, 1, 17, 30)},
		window{on(cest, 2026, 6, 2, 15, 0), on(cest, 2026, 6, 2, 17, 30)})
	// After the season, the next window is next June's first weekday
	// (1 June 2027 is a Tuesday).
	wantNext(t, p, on(cest, 2026, 9, 30, 18, 0),
		window{on(cest, 2027, 6, 1, 15, 0), on(cest, 2027, 6, 1, 17, 30)})
}

func TestWindowFilters(t *testing.T) {
	tests := []struct {
		recurrence string
		at         time.Time
		want       bool
	}{
		// The day filter applies to the day a window starts.
		{"22:00-06:00 fri", on(cest, 2026, 6, 6, 5, 59), true},     // Saturday morning
		{"22:00-06:00 fri", on(cest, 2026, 6, 6, 6, 0), false},     // ended
		{"22:00-06:00 fri", on(cest, 2026, 6, 6, 22, 0), false},    // Saturday night
		{"22:00-06:00 fri", on(cest, 2026, 6, 5, 22, 0), true},     // Friday night
		{"22:00-06:00 fri", on(cest, 2026, 6, 5, 5, 0), false},     // Friday morning: Thursday's
		{"23:00-07:00 nov-feb", on(cet, 2026, 1, 10, 3, 0), true},  // wraps over the year
		{"23:00-07:00 nov-feb", on(cet, 2026, 12, 1, 23, 0), true}, //
		{"23:00-07:00 nov-feb", on(cet, 2026, 3, 1, 6, 0), true},   // started 28 February
		{"23:00-07:00 nov-feb", on(cet, 2026, 3, 1, 23, 30), false},
		{"10:00-11:00 fri-mon", on(cest, 2026, 6, 7, 10, 30), true}, // Sunday, in a wrapping range
		{"10:00-11:00 fri-mon", on(cest, 2026, 6, 9, 10, 30), false},
		{"10:00-11:00 weekends", on(cest, 2026, 6, 6, 10, 30), true},
		{"10:00-11:00 weekends", on(cest, 2026, 6, 8, 10, 30), false},
		// Whole weekend days join into one window.
		{"00:00-24:00 sat,sun", on(cest, 2026, 6, 7, 23, 59), true},
		{"00:00-24:00 sat,sun", on(cest, 2026, 6, 8, 0, 0), false},
		// Cron: day of month or day of week when both are given.
		{"0 12 1 * mon for 1h", on(cest, 2026, 7, 1, 12, 30), true}, // Wednesday 1 July
		{"0 12 1 * mon for 1h", on(cest, 2026, 7, 6, 12, 30), true}, // Monday
		{"0 12 1 * mon for 1h", on(cest, 2026, 7, 7, 12, 30), false},
		{"0 12 * 6-9 1-5 for 1h", on(cest, 2026, 6, 1, 12, 30), true},
		{"0 12 * 6-9 1-5 for 1h", on(cest, 2026, 5, 29, 12, 30), false},
	}
	for _, tt := range tests {
		p := recurring(t, tt.recurrence, "Europe/Berlin")
		if got := p.Active(tt.at); got != tt.want {
			t.Errorf("%q: Active(%s %s) = %v, want %v", tt.recurrence, tt.at.Weekday(), tt.at, got, tt.want)
		}
	}
}

func TestCurrentJoinsWindows(t *testing.T) {
	p := recurring(t, "00:00-24:00 sat,sun", "Europe/Berlin")
	start, end, ok := p.Current(on(cest, 2026, 6, 7, 12, 0))
	if !ok || !start.Equal(on(cest, 2026, 6, 6, 0, 0)) || !end.Equal(on(cest, 2026, 6, 8, 0, 0)) {
		t.Errorf("weekend window = %s–%s %v, want Saturday 00:00 to Monday 00:00", start, end, ok)
	}
	// Overlapping cron windows are one window: every 30 minutes for an
	// hour from 08:00 to 09:30 is in force 08:00-10:30.
	p = recurring(t, "*/30 8-9 * * * for 1h", "Europe/Berlin")
	start, end, ok = p.Current(on(cest, 2026, 6, 7, 9, 45))
	if !ok || !start.Equal(on(cest, 2026, 6, 7, 8, 0)) || !end.Equal(on(cest, 2026, 6, 7, 10, 30)) {
		t.Errorf("joined window = %s–%s %v, want 08:00-10:30", start, end, ok)
	}
	start, end, ok = p.Next(on(cest, 2026, 6, 7, 9, 45))
	if !ok || !start.Equal(on(cest, 2026, 6, 8, 8, 0)) || !end.Equal(on(cest, 2026, 6, 8, 10, 30)) {
		t.Errorf("next joined window = %s–%s %v, want tomorrow 08:00-10:30", start, end, ok)
	}
}

func TestOneOff(t *testing.T) {
	start, end := on(cest, 2026, 7, 14, 15, 0), on(cest, 2026, 7, 14, 17, 30)
	s := &hearth.Schedule{
		ID: "once", Name: "heat wave", Enabled: true,
		Target: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		Change: hearth.Change{Kind: hearth.ChangePowerProfile, Payload: []byte(`{"mode":"eco","watts":2500}`)},
		Start:  start, End: end,
	}
	p, err := schedule.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.Active(start.Add(-time.Second)) || !p.Active(start) || !p.Active(end.Add(-time.Second)) || p.Active(end) {
		t.Error("one-off in force outside [start, end)")
	}
	if gs, ge, ok := p.Next(start.Add(-time.Hour)); !ok || !gs.Equal(start) || !ge.Equal(end) {
		t.Errorf("Next before = %s–%s %v", gs, ge, ok)
	}
	if _, _, ok := p.Next(start); ok {
		t.Error("Next after the start found a window")
	}
	s.Enabled = false
	if p.Active(start) {
		t.Error("disabled schedule in force")
	}
	if _, _, ok := p.Next(start.Add(-time.Hour)); ok {
		t.Error("disabled schedule has a next window")
	}
}

func TestRareStartsAreFound(t *testing.T) {
	p := recurring(t, "0 12 29 2 * for 1h", "Europe/Berlin")
	wantNext(t, p, on(cet, 2026, 3, 1, 0, 0),
		window{on(cet, 2028, 2, 29, 12, 0), on(cet, 2028, 2, 29, 13, 0)},
		window{on(cet, 2032, 2, 29, 12, 0), on(cet, 2032, 2, 29, 13, 0)})
}
