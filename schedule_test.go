package hearth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func TestScheduleValidate(t *testing.T) {
	start := time.Date(2026, 7, 14, 13, 0, 0, 0, time.UTC)
	valid := func() hearth.Schedule {
		return hearth.Schedule{
			Name:       "peak-charge avoidance",
			Target:     hearth.Scope{Kind: hearth.ScopeGroup, ID: "x"},
			Change:     hearth.Change{Kind: hearth.ChangePause},
			Recurrence: "15:00-17:30 mon-fri jun-sep",
			TimeZone:   "Europe/Berlin",
			Enabled:    true,
		}
	}
	good := valid()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid recurring schedule: %v", err)
	}
	oneOff := valid()
	oneOff.Recurrence, oneOff.TimeZone, oneOff.Start, oneOff.End = "", "", start, start.Add(2*time.Hour)
	if err := oneOff.Validate(); err != nil {
		t.Fatalf("valid one-off schedule: %v", err)
	}

	tests := []struct {
		name, wantInMessage string
		edit                func(s *hearth.Schedule)
	}{
		{"no name", "needs a name", func(s *hearth.Schedule) { s.Name = " " }},
		{"no target kind", "target kind", func(s *hearth.Schedule) { s.Target.Kind = "" }},
		{"bad target kind", `"rack"`, func(s *hearth.Schedule) { s.Target.Kind = "rack" }},
		{"no target ID", "needs an ID", func(s *hearth.Schedule) { s.Target.ID = "" }},
		{"no change", "change kind", func(s *hearth.Schedule) { s.Change.Kind = "" }},
		{"bad change", `"puase"`, func(s *hearth.Schedule) { s.Change.Kind = "puase" }},
		{"bad payload", "not valid JSON", func(s *hearth.Schedule) {
			s.Change = hearth.Change{Kind: hearth.ChangePowerProfile, Payload: []byte(`{"profile":`)}
		}},
		{"no timing", "either a start and an end, or a recurrence", func(s *hearth.Schedule) { s.Recurrence = "" }},
		{"both timings", "not both", func(s *hearth.Schedule) { s.Start, s.End = start, start.Add(time.Hour) }},
		{"start only", "both a start and an end", func(s *hearth.Schedule) { s.Recurrence, s.Start = "", start }},
		{"end before start", "must end after it starts", func(s *hearth.Schedule) {
			s.Recurrence, s.Start, s.End = "", start, start.Add(-time.Hour)
		}},
		{"no zone", "needs a time zone", func(s *hearth.Schedule) { s.TimeZone = "" }},
		{"unknown zone", "Unknown time zone", func(s *hearth.Schedule) { s.TimeZone = "Mars/Olympus_Mons" }},
		{"Local zone", "not an IANA zone", func(s *hearth.Schedule) { s.TimeZone = "Local" }},
		{"long recurrence", "at most", func(s *hearth.Schedule) { s.Recurrence = strings.Repeat("x", 201) }},
	}
	for _, tt := range tests {
		s := valid()
		tt.edit(&s)
		err := s.Validate()
		if hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: Validate = %v, want EINVALID", tt.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantInMessage) {
			t.Errorf("%s: Validate = %q, want it to say %q", tt.name, err, tt.wantInMessage)
		}
	}
}
