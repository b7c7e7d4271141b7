package hearth_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// eco is a profile for a mixed fleet: its own watts for two models, a
// default for the rest.
func eco() *hearth.Profile {
	return &hearth.Profile{Name: "eco", Mode: hearth.PowerEco, Watts: 2000,
		ModelWatts: map[string]float64{"Antminer S21": 3000, "Antminer S19j Pro": 2600}}
}

func TestProfile_Validate(t *testing.T) {
	if err := eco().Validate(); err != nil {
		t.Fatal(err)
	}
	onlyModels := &hearth.Profile{Name: "night", Mode: hearth.PowerTarget, ModelWatts: map[string]float64{"Antminer S21": 2500}}
	if err := onlyModels.Validate(); err != nil {
		t.Fatalf("target with per-model watts only: %v", err)
	}
	for name, p := range map[string]*hearth.Profile{
		"no name":        {Mode: hearth.PowerMax},
		"slash in name":  {Name: "a/b", Mode: hearth.PowerMax},
		"padded name":    {Name: " eco", Mode: hearth.PowerMax},
		"unknown mode":   {Name: "x", Mode: "turbo"},
		"target no watt": {Name: "x", Mode: hearth.PowerTarget},
		"negative model": {Name: "x", Mode: hearth.PowerEco, Watts: 100, ModelWatts: map[string]float64{"Antminer S21": -5}},
		"zero model":     {Name: "x", Mode: hearth.PowerEco, Watts: 100, ModelWatts: map[string]float64{"Antminer S21": 0}},
		"empty model":    {Name: "x", Mode: hearth.PowerEco, Watts: 100, ModelWatts: map[string]float64{"": 10}},
		"sleep watts":    {Name: "x", Mode: hearth.PowerSleep, Watts: 100},
		"negative watts": {Name: "x", Mode: hearth.PowerMax, Watts: -1},
	} {
		if err := p.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestProfile_Resolve(t *testing.T) {
	p := eco()
	for model, want := range map[string]float64{"Antminer S21": 3000, "Antminer S19j Pro": 2600, "Bitaxe Gamma": 2000} {
		got, err := p.Resolve(model)
		if err != nil || got != (hearth.PowerProfile{Mode: hearth.PowerEco, Watts: want}) {
			t.Errorf("Resolve(%q) = %+v, %v; want eco at %v W", model, got, err, want)
		}
	}
	night := &hearth.Profile{Name: "night", Mode: hearth.PowerTarget, ModelWatts: map[string]float64{"Antminer S21": 2500}}
	_, err := night.Resolve("Bitaxe Gamma")
	if hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(hearth.ErrorMessage(err), `"night"`) || !strings.Contains(hearth.ErrorMessage(err), `"Bitaxe Gamma"`) {
		t.Fatalf("model without watts: %v; want EINVALID naming profile and model", err)
	}
	sleep := &hearth.Profile{Name: "off", Mode: hearth.PowerSleep}
	if got, err := sleep.Resolve("anything"); err != nil || got.Mode != hearth.PowerSleep {
		t.Fatalf("sleep: %+v, %v", got, err)
	}
}

func TestPowerProfile_ProfileReference(t *testing.T) {
	if err := (hearth.PowerProfile{Profile: "eco"}).Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []hearth.PowerProfile{
		{Profile: "eco", Mode: hearth.PowerEco},
		{Profile: "eco", Watts: 100},
		{Profile: "a/b"},
	} {
		if err := p.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", p, err)
		}
	}
	// Records stored before profiles existed read as they did.
	var d hearth.DesiredState
	if err := json.Unmarshal([]byte(`{"power":{"mode":"eco","watts":2500}}`), &d); err != nil || d.Validate() != nil || *d.Power != (hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2500}) {
		t.Fatalf("old record: %+v, %v", d.Power, err)
	}
	b, _ := json.Marshal(hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2500})
	if string(b) != `{"mode":"eco","watts":2500}` {
		t.Fatalf("old record written as %s", b)
	}
	b, _ = json.Marshal(hearth.PowerProfile{Profile: "eco"})
	if string(b) != `{"profile":"eco"}` {
		t.Fatalf("reference written as %s", b)
	}
	c := hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"profile":"night"}`)}
	if got, err := c.Desired(); err != nil || got.Power.Profile != "night" {
		t.Fatalf("schedule change to a named profile: %+v, %v", got.Power, err)
	}
}

func TestProfileUsers(t *testing.T) {
	records := []*hearth.DesiredRecord{
		{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "eco"}}},
		{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "tank"}, State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "night"}}},
		{Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: "m1"}, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerMax}}},
	}
	schedules := []*hearth.Schedule{
		{ID: "sch_1", Name: "overnight", Change: hearth.Change{Kind: hearth.ChangePowerProfile, Payload: json.RawMessage(`{"profile":"eco"}`)}},
		{ID: "sch_2", Name: "peak", Change: hearth.Change{Kind: hearth.ChangePause}},
	}
	got := hearth.ProfileUsers("eco", records, schedules)
	if want := []string{"site barn", "schedule overnight (sch_1)"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("users of eco = %q, want %q", got, want)
	}
	if got := hearth.ProfileUsers("summer", records, schedules); len(got) != 0 {
		t.Fatalf("users of an unused profile: %q", got)
	}
}
