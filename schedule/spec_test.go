package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

func TestParseNormalises(t *testing.T) {
	tests := []struct{ in, want string }{
		{"15:00-17:30 mon-fri jun-sep", "15:00-17:30 mon-fri jun-sep"},
		{"  15:00-17:30   JUN-SEP  Mon-Fri ", "15:00-17:30 mon-fri jun-sep"},
		{"7:05-9:00", "07:05-09:00"},
		{"22:00-06:00 daily", "22:00-06:00"},
		{"00:00-24:00 sat,sun", "00:00-24:00 sat,sun"},
		{"23:00-07:00 weekdays nov-feb", "23:00-07:00 weekdays nov-feb"},
		{"0 22 * * 1-5 for 8h", "0 22 * * 1-5 for 8h"},
		{"30 14 1 6-9 * --for 2h30m", "30 14 1 6-9 * for 2h30m"},
		{"0 22 * * MON-FRI for 480m", "0 22 * * mon-fri for 8h"},
		{"@daily for 1h", "0 0 * * * for 1h"},
		{"*/15 8-18/2 * jan,jul sun,7 for 90s", "*/15 8-18/2 * jan,jul sun,7 for 1m30s"},
	}
	for _, tt := range tests {
		sp, err := schedule.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := sp.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ in, wantInMessage string }{
		{"", "empty"},
		{"15:00", "start-end"},
		{"15:00-15:00", "same time"},
		{"25:00-26:00", "not a time of day"},
		{"15:00-17:60", "not a time of day"},
		{"15:00-17:30 someday", "neither days"},
		{"15:00-17:30 mon-fri tue", "days are given twice"},
		{"15:00-17:30 jun jul", "months are given twice"},
		{"15:00-17:30 mon-fry", `"fry" is not a day`},
		{"0 22 * * 1-5", "five cron fields"},
		{"0 22 * * 1-5 for", "five cron fields"},
		{"0 22 * * 1-5 for eight", "not a duration"},
		{"0 22 * * 1-5 for 0s", "between one minute"},
		{"0 22 * * 1-5 for 800h", "between one minute"},
		{"60 22 * * * for 1h", "out of range 0-59"},
		{"0 24 * * * for 1h", "out of range 0-23"},
		{"0 0 0 * * for 1h", "out of range 1-31"},
		{"0 0 * 13 * for 1h", "out of range 1-12"},
		{"0 0 * * 8 for 1h", "out of range 0-7"},
		{"0 5-1 * * * for 1h", "runs backwards"},
		{"*/0 * * * * for 1h", "bad step"},
		{"0 0 31 2 * for 1h", "never happens"},
		{"0 0 30,31 feb * for 1h", "never happens"},
		{"@fortnightly for 1h", "Unknown shorthand"},
		{"0 0 1,,2 * * for 1h", "empty item"},
		{strings.Repeat("1", 201), "at most"},
	}
	for _, tt := range tests {
		_, err := schedule.Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted it", tt.in)
			continue
		}
		if hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("Parse(%q) code = %q, want %q", tt.in, hearth.ErrorCode(err), hearth.EINVALID)
		}
		if !strings.Contains(err.Error(), tt.wantInMessage) {
			t.Errorf("Parse(%q) = %q, want it to say %q", tt.in, err, tt.wantInMessage)
		}
	}
}

func TestCompileRejectsBadRecurrence(t *testing.T) {
	s := &hearth.Schedule{
		ID: "s", Name: "n", Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeMiner, ID: "m"},
		Change:     hearth.Change{Kind: hearth.ChangePause},
		Recurrence: "15:00-17:30 mon-fry", TimeZone: "Europe/Berlin",
	}
	if _, err := schedule.Compile(s); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("Compile = %v, want EINVALID", err)
	}
	s.Recurrence, s.TimeZone = "15:00-17:30", "Europe/Atlantis"
	if _, err := schedule.Compile(s); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("Compile with an unknown zone = %v, want EINVALID", err)
	}
}

// FuzzParse feeds the parser outside text: it must not panic, what it
// accepts must read back the same from its normal form, and evaluation
// of what it accepts must terminate.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"15:00-17:30 mon-fri jun-sep", "22:00-06:00", "00:00-24:00 sat,sun", "23:00-07:00 weekdays nov-feb",
		"10:00-11:00 fri-mon", "0 22 * * 1-5 for 8h", "30 14 1 6-9 * --for 2h30m", "@daily for 1h",
		"*/15 8-18/2 * jan,jul sun,7 for 90s", "5/10 * * * * for 5m", "0 12 1 * mon for 1h", "0 0 31 2 * for 1h",
		"* * * * * for 744h", "7:5-9:00", "24:00-01:00", "-1 * * * * for 1h", "0 0 * * +1 for 1h", "",
	} {
		f.Add(seed)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	from := time.Date(2026, 10, 24, 23, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, text string) {
		sp, err := schedule.Parse(text)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("Parse(%q) code %q: %v", text, hearth.ErrorCode(err), err)
			}
			return
		}
		again, err := schedule.Parse(sp.String())
		if err != nil || again.String() != sp.String() {
			t.Fatalf("Parse(%q) normal form %q reads back as %v, %v", text, sp.String(), again, err)
		}
		p, err := schedule.Compile(&hearth.Schedule{
			ID: "f", Name: "fuzz", Enabled: true,
			Target:     hearth.Scope{Kind: hearth.ScopeSite, ID: "s"},
			Change:     hearth.Change{Kind: hearth.ChangePause},
			Recurrence: text, TimeZone: "Europe/Berlin",
		})
		if err != nil {
			t.Fatalf("Compile after Parse accepted %q: %v", text, err)
		}
		start, end, ok := p.Next(from)
		if !ok {
			t.Fatalf("%q has no next window", text)
		}
		if !start.After(from) || !end.After(start) {
			t.Fatalf("%q: Next(%s) = %s–%s", text, from, start, end)
		}
		if !p.Active(start) {
			t.Fatalf("%q: not in force at the start %s of its next window", text, start)
		}
		if !p.Active(from) && p.Active(start.Add(-time.Second)) {
			t.Fatalf("%q: in force before the start %s of its next window", text, start)
		}
	})
}
