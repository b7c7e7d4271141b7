package schedule_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// A night-time eco profile keeps its local end time on the night the
// clocks go back, so it lasts nine hours.
func ExamplePlan_Next() {
	p, err := schedule.Compile(&hearth.Schedule{
		ID: "eco-night", Name: "eco profile overnight", Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeSite, ID: "home"},
		Change:     hearth.Change{Kind: hearth.ChangePowerProfile, Payload: []byte(`{"mode":"eco","watts":2500}`)},
		Recurrence: "22:00-06:00", TimeZone: "Europe/Berlin",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	after := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
	for range 2 {
		start, end, _ := p.Next(after)
		fmt.Println(start.Format(time.RFC3339), end.Format(time.RFC3339), end.Sub(start))
		after = start
	}
	// Output:
	// 2026-10-24T22:00:00+02:00 2026-10-25T06:00:00+01:00 9h0m0s
	// 2026-10-25T22:00:00+01:00 2026-10-26T06:00:00+01:00 8h0m0s
}

// Parse reports what is wrong with a recurrence in words a user can act on.
func ExampleParse() {
	for _, text := range []string{"15:00-17:30 MON-FRI jun-sep", "0 22 * * 1-5 --for 480m", "15:00-17:30 mon-fry"} {
		sp, err := schedule.Parse(text)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(sp)
	}
	// Output:
	// 15:00-17:30 mon-fri jun-sep
	// 0 22 * * 1-5 for 8h
	// error: "fry" is not a day name (mon, tue, wed, thu, fri, sat, sun).
}

func BenchmarkActive(b *testing.B) {
	p, err := schedule.Compile(&hearth.Schedule{
		ID: "b", Name: "b", Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeGroup, ID: "g"},
		Change:     hearth.Change{Kind: hearth.ChangePause},
		Recurrence: "15:00-17:30 mon-fri jun-sep", TimeZone: "Europe/Berlin",
	})
	if err != nil {
		b.Fatal(err)
	}
	t := time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)
	for b.Loop() {
		p.Active(t)
	}
}

func BenchmarkNext(b *testing.B) {
	p, err := schedule.Compile(&hearth.Schedule{
		ID: "b", Name: "b", Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeGroup, ID: "g"},
		Change:     hearth.Change{Kind: hearth.ChangePause},
		Recurrence: "15:00-17:30 mon-fri jun-sep", TimeZone: "Europe/Berlin",
	})
	if err != nil {
		b.Fatal(err)
	}
	t := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) // the next is eight months away
	for b.Loop() {
		p.Next(t)
	}
}
