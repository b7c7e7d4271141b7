package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// pauseBarn is a recurring schedule that pauses site barn on weekday
// afternoons.
func pauseBarn() *hearth.Schedule {
	return &hearth.Schedule{
		Name:       "peak avoidance",
		Target:     hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		Change:     hearth.Change{Kind: hearth.ChangePause},
		Recurrence: "15:00-17:30 mon-fri",
		TimeZone:   "Europe/Berlin",
		Enabled:    true,
	}
}

func testScheduleService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	pause := pauseBarn()
	if err := st.Schedules.CreateSchedule(ctx, pause); err != nil {
		t.Fatal(err)
	}
	if pause.ID == "" {
		t.Fatal("CreateSchedule set no ID")
	}
	start := time.Date(2026, 3, 2, 22, 0, 0, 123456789, time.FixedZone("CET", 3600))
	eco := &hearth.Schedule{
		Name:   "eco night",
		Target: hearth.Scope{Kind: hearth.ScopeGroup, ID: "row-a"},
		Change: hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"mode":"eco","watts":2500}`)},
		Start:  start, End: start.Add(8 * time.Hour),
	}
	if err := st.Schedules.CreateSchedule(ctx, eco); err != nil {
		t.Fatal(err)
	}
	if eco.ID == pause.ID {
		t.Fatalf("two schedules share ID %q", eco.ID)
	}

	t.Run("FindByID", func(t *testing.T) {
		got, err := st.Schedules.FindScheduleByID(ctx, eco.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "eco night" || got.Target != eco.Target || got.Change.Kind != hearth.ChangePowerProfile || got.Enabled {
			t.Errorf("got %+v", got)
		}
		if !got.Start.Equal(eco.Start) || !got.End.Equal(eco.End) {
			t.Errorf("window %v-%v, want %v-%v (as CreateSchedule left it)", got.Start, got.End, eco.Start, eco.End)
		}
		var p hearth.PowerProfile
		if err := json.Unmarshal(got.Change.Payload, &p); err != nil || p.Mode != hearth.PowerEco || p.Watts != 2500 {
			t.Errorf("payload %s (%v)", got.Change.Payload, err)
		}
		if _, err := st.Schedules.FindScheduleByID(ctx, "sch_none"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Errorf("missing schedule: %v, want ENOTFOUND", err)
		}
	})

	t.Run("FindAll", func(t *testing.T) {
		got, err := st.Schedules.FindSchedules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != eco.ID || got[1].ID != pause.ID {
			t.Fatalf("got %+v, want eco night then peak avoidance", got)
		}
		if got[1].Recurrence != "15:00-17:30 mon-fri" || got[1].TimeZone != "Europe/Berlin" || !got[1].Enabled || len(got[1].Change.Payload) != 0 {
			t.Errorf("pause %+v", got[1])
		}
		if !got[1].Start.IsZero() || !got[1].End.IsZero() {
			t.Errorf("recurring schedule has window %v-%v", got[1].Start, got[1].End)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		for name, change := range map[string]func(*hearth.Schedule){
			"BadRecurrence": func(s *hearth.Schedule) { s.Recurrence = "25:00-26:00" },
			"NoName":        func(s *hearth.Schedule) { s.Name = " " },
			"BadZone":       func(s *hearth.Schedule) { s.TimeZone = "Mars/Olympus" },
			"PausePayload":  func(s *hearth.Schedule) { s.Change.Payload = json.RawMessage(`{"mode":"max"}`) },
			"ProfileNoWatts": func(s *hearth.Schedule) {
				s.Change = hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"mode":"eco"}`)}
			},
			"PoolsEmpty": func(s *hearth.Schedule) {
				s.Change = hearth.Change{Kind: hearth.ChangePools, Payload: json.RawMessage(`{"pools":[]}`)}
			},
		} {
			t.Run(name, func(t *testing.T) {
				s := pauseBarn()
				change(s)
				if err := st.Schedules.CreateSchedule(ctx, s); hearth.ErrorCode(err) != hearth.EINVALID {
					t.Errorf("create: %v, want EINVALID", err)
				}
				s.ID = pause.ID
				if err := st.Schedules.UpdateSchedule(ctx, s); hearth.ErrorCode(err) != hearth.EINVALID {
					t.Errorf("update: %v, want EINVALID", err)
				}
			})
		}
		got, err := st.Schedules.FindSchedules(ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("after refused writes: %d schedules, %v", len(got), err)
		}
	})

	t.Run("Update", func(t *testing.T) {
		u := pauseBarn()
		u.ID, u.Name, u.Enabled = pause.ID, "pools at night", false
		u.Change = hearth.Change{Kind: hearth.ChangePools, Payload: json.RawMessage(`{"pools":[{"url":"stratum+tcp://night:3333","user_pattern":"acct.{site}"}]}`)}
		if err := st.Schedules.UpdateSchedule(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := st.Schedules.FindScheduleByID(ctx, pause.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "pools at night" || got.Enabled || got.Change.Kind != hearth.ChangePools {
			t.Errorf("got %+v", got)
		}
		d, err := got.Change.Desired()
		if err != nil || len(d.Pools) != 1 || d.Pools[0].URL != "stratum+tcp://night:3333" {
			t.Errorf("pools payload read back as %+v (%v)", d, err)
		}
		u.ID = "sch_none"
		if err := st.Schedules.UpdateSchedule(ctx, u); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Errorf("update of a missing schedule: %v, want ENOTFOUND", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if err := st.Schedules.DeleteSchedule(ctx, eco.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.Schedules.DeleteSchedule(ctx, eco.ID); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Errorf("second delete: %v, want ENOTFOUND", err)
		}
		if err := st.Schedules.DeleteSchedule(ctx, "bad\x00id"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Errorf("delete of an unholdable ID: %v, want ENOTFOUND", err)
		}
		got, err := st.Schedules.FindSchedules(ctx)
		if err != nil || len(got) != 1 || got[0].ID != pause.ID {
			t.Fatalf("after delete: %+v, %v", got, err)
		}
	})
}

// testScheduleService_Reopen checks that a schedule survives a restart and
// still compiles.
func testScheduleService_Reopen(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	s := pauseBarn()
	if err := st.Schedules.CreateSchedule(ctx, s); err != nil {
		t.Fatal(err)
	}
	st = st.Reopen(t)
	got, err := st.Schedules.FindScheduleByID(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != s.Name || got.Recurrence != s.Recurrence || got.Target != s.Target || got.Change.Kind != hearth.ChangePause {
		t.Errorf("after reopen %+v, want %+v", got, s)
	}
}
