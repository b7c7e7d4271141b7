package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func testProfileService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	if st.Profiles == nil {
		t.Fatal("the store under test has no ProfileService")
	}
	eco := &hearth.Profile{Name: "eco", Description: "Cheap hours", Mode: hearth.PowerEco, Watts: 2000,
		ModelWatts: map[string]float64{"Antminer S21": 3000, "Antminer S19j Pro": 2600.5}}
	if err := st.Profiles.SetProfile(ctx, eco); err != nil {
		t.Fatal(err)
	}
	if !eco.UpdatedAt.Equal(Now) {
		t.Fatalf("UpdatedAt = %v, want the store's clock %v", eco.UpdatedAt, Now)
	}
	if err := st.Profiles.SetProfile(ctx, &hearth.Profile{Name: "awake", Mode: hearth.PowerMax}); err != nil {
		t.Fatal(err)
	}

	got, err := st.Profiles.FindProfileByName(ctx, "eco")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, eco) {
		t.Fatalf("read back %+v, stored %+v", got, eco)
	}
	all, err := st.Profiles.FindProfiles(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "awake" || all[1].Name != "eco" {
		t.Fatalf("FindProfiles = %v, %v; want awake, eco by name", all, err)
	}
	if all[0].ModelWatts != nil {
		t.Errorf("a profile without per-model watts reads %v", all[0].ModelWatts)
	}

	// Setting again replaces the profile whole.
	later := Now.Add(time.Hour)
	st.SetNow(func() time.Time { return later })
	eco2 := &hearth.Profile{Name: "eco", Mode: hearth.PowerTarget, ModelWatts: map[string]float64{"Antminer S21": 2800}}
	if err := st.Profiles.SetProfile(ctx, eco2); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Profiles.FindProfileByName(ctx, "eco"); !reflect.DeepEqual(got, eco2) || !got.UpdatedAt.Equal(later) {
		t.Fatalf("after replacing: %+v, want %+v", got, eco2)
	}

	for name, p := range map[string]*hearth.Profile{
		"nil":            nil,
		"bad name":       {Name: "a/b", Mode: hearth.PowerMax},
		"target no watt": {Name: "x", Mode: hearth.PowerTarget},
		"negative model": {Name: "x", Mode: hearth.PowerEco, Watts: 1, ModelWatts: map[string]float64{"S21": -1}},
		"nul in name":    {Name: "x\x00", Mode: hearth.PowerMax},
	} {
		if err := st.Profiles.SetProfile(ctx, p); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if _, err := st.Profiles.FindProfileByName(ctx, "nope"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("unknown: %v", err)
	}
	if _, err := st.Profiles.FindProfileByName(ctx, "nul\x00"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("a name no store can hold: %v, want ENOTFOUND", err)
	}

	t.Run("DeleteInUse", func(t *testing.T) {
		barn := &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
			State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "eco"},
				Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://pool:3333", UserPattern: "acct.{site}", Password: "secret"}}}}
		if err := st.Desired.SetDesired(ctx, barn); err != nil {
			t.Fatal(err)
		}
		err := st.Profiles.DeleteProfile(ctx, "eco")
		if hearth.ErrorCode(err) != hearth.ECONFLICT || !strings.Contains(hearth.ErrorMessage(err), "site barn") {
			t.Fatalf("delete while site barn uses it: %v; want ECONFLICT naming site barn", err)
		}
		if err := st.Desired.DeleteDesired(ctx, barn.Scope); err != nil {
			t.Fatal(err)
		}

		night := &hearth.Schedule{Name: "night", Target: hearth.Scope{Kind: hearth.ScopeGroup, ID: "row-a"},
			Change:     hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"profile":"eco"}`)},
			Recurrence: "22:00-06:00", TimeZone: "Europe/Berlin", Enabled: true}
		if err := st.Schedules.CreateSchedule(ctx, night); err != nil {
			t.Fatal(err)
		}
		err = st.Profiles.DeleteProfile(ctx, "eco")
		if hearth.ErrorCode(err) != hearth.ECONFLICT || !strings.Contains(hearth.ErrorMessage(err), "schedule night") {
			t.Fatalf("delete while schedule night uses it: %v; want ECONFLICT naming the schedule", err)
		}
		if _, err := st.Profiles.FindProfileByName(ctx, "eco"); err != nil {
			t.Fatalf("a refused delete removed the profile: %v", err)
		}
		if err := st.Schedules.DeleteSchedule(ctx, night.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.Profiles.DeleteProfile(ctx, "eco"); err != nil {
			t.Fatalf("delete unused: %v", err)
		}
		if _, err := st.Profiles.FindProfileByName(ctx, "eco"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Fatalf("after delete: %v", err)
		}
		if err := st.Profiles.DeleteProfile(ctx, "eco"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Fatalf("delete twice: %v", err)
		}
		if err := st.Profiles.DeleteProfile(ctx, "nul\x00"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Fatalf("delete a name no store can hold: %v", err)
		}
	})

	t.Run("Reopen", func(t *testing.T) {
		st := st.Reopen(t)
		got, err := st.Profiles.FindProfileByName(ctx, "awake")
		if err != nil || got.Mode != hearth.PowerMax {
			t.Fatalf("after reopening: %+v, %v", got, err)
		}
	})
}
