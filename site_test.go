package hearth_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestSite_Validate(t *testing.T) {
	ok := []hearth.Site{
		{Name: "north-barn"},
		{Name: "Site 2 (old dairy)", PowerBudget: 500e3, Voltage: 400, Phases: 3, MainBreaker: 800, PDULimitCurrent: 32, PDULimitPower: 22e3, TimeZone: "Europe/Oslo"},
		{Name: "x", Phases: 1, TimeZone: "UTC"},
		{Name: "x", TimeZone: "America/Argentina/Buenos_Aires"},
	}
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	for _, tc := range []struct {
		site  hearth.Site
		field string
	}{
		{hearth.Site{}, "name"},
		{hearth.Site{Name: " padded"}, "name"},
		{hearth.Site{Name: "a/b"}, "name"},
		{hearth.Site{Name: strings.Repeat("x", 65)}, "name"},
		{hearth.Site{Name: "x", Phases: 2}, "phases"},
		{hearth.Site{Name: "x", PowerBudget: -1}, "power_budget_w"},
		{hearth.Site{Name: "x", Voltage: math.NaN()}, "voltage_v"},
		{hearth.Site{Name: "x", PDULimitPower: math.Inf(1)}, "pdu_limit_w"},
		{hearth.Site{Name: "x", TimeZone: "Mars/Olympus_Mons"}, "time_zone"},
		{hearth.Site{Name: "x", TimeZone: "Local"}, "time_zone"},
		{hearth.Site{Name: "x", TimeZone: "europe/oslo "}, "time_zone"},
	} {
		err := tc.site.Validate()
		if hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(hearth.ErrorMessage(err), tc.field) {
			t.Errorf("%+v: %v, want invalid naming %s", tc.site, err, tc.field)
		}
	}
}

func TestPosition(t *testing.T) {
	p := hearth.Position{Row: "A", Rack: "07", Slot: "4"}
	if got := p.String(); got != "row A rack 07 slot 4" {
		t.Errorf("String=%q", got)
	}
	if err := (hearth.Position{Shelf: strings.Repeat("9", 33)}).Validate(); hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(err.Error(), "shelf") {
		t.Errorf("long shelf: %v", err)
	}
	m := hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Site: "x/y"}
	if err := m.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("miner with a bad site name: %v", err)
	}

	empty, nine := "", "9"
	a := hearth.PositionAssignment{Site: &empty, Rack: &nine}
	site, got := a.Apply("barn", p)
	if site != "" || got != (hearth.Position{Row: "A", Rack: "9", Slot: "4"}) {
		t.Errorf("Apply: %q %+v", site, got)
	}
}
