package hearth_test

import (
	"math"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func TestResolvePowerRequests(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)
	limit := func(src hearth.PowerSource, id string, w float64) *hearth.PowerRequest {
		return &hearth.PowerRequest{ID: id, Source: src, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: w, Start: t0, End: t0.Add(time.Hour)}
	}
	shed := &hearth.PowerRequest{ID: "e1/0", Source: hearth.SourceOpenADR, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 0.5, Start: t0}
	for _, tc := range []struct {
		name string
		reqs []*hearth.PowerRequest
		at   time.Time
		want string
	}{
		{"none", nil, t0, ""},
		{"the tightest holds", []*hearth.PowerRequest{limit(hearth.SourceSignal, "a", 80_000), shed, limit(hearth.SourcePrice, "b", 40_000)}, t0, "b"},
		{"a shed of half of 100 kW beats a 60 kW limit", []*hearth.PowerRequest{limit(hearth.SourceSignal, "a", 60_000), shed}, t0.Add(time.Minute), "e1/0"},
		{"an override wins even when looser", []*hearth.PowerRequest{limit(hearth.SourceOverride, "o", 1e6), shed}, t0, "o"},
		{"a lapsed request is ignored", []*hearth.PowerRequest{limit(hearth.SourcePrice, "b", 10_000), limit(hearth.SourceSignal, "a", 90_000)}, t0.Add(2 * time.Hour), ""},
		{"a resume from a non-override source lifts nothing", []*hearth.PowerRequest{{ID: "r", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestResume, Start: t0}, limit(hearth.SourcePrice, "b", 10_000)}, t0, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hearth.ResolvePowerRequests(tc.reqs, tc.at, 100_000, 0)
			id := ""
			if got != nil {
				id = got.ID
			}
			if id != tc.want {
				t.Errorf("held %q, want %q", id, tc.want)
			}
		})
	}
	if w := shed.Watts(100_000, 5_000); w != 55_000 {
		t.Errorf("half shed of 100 kW beside 5 kW of fixed load allows %v W", w)
	}
	if w := (&hearth.PowerRequest{Kind: hearth.RequestResume}).Watts(1, 1); !math.IsInf(w, 1) {
		t.Errorf("resume allows %v W", w)
	}
}

func TestPowerRequestValidate(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)
	ok := hearth.PowerRequest{ID: "x", Source: hearth.SourceOverride, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 5000, Start: t0}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*hearth.PowerRequest){
		"no id":          func(r *hearth.PowerRequest) { r.ID = "" },
		"bad source":     func(r *hearth.PowerRequest) { r.Source = "moon" },
		"no site":        func(r *hearth.PowerRequest) { r.Site = "" },
		"ends first":     func(r *hearth.PowerRequest) { r.End = t0.Add(-time.Second) },
		"negative limit": func(r *hearth.PowerRequest) { r.LimitWatts = -1 },
		"NaN limit":      func(r *hearth.PowerRequest) { r.LimitWatts = math.NaN() },
		"shed above 1":   func(r *hearth.PowerRequest) { r.Kind, r.ShedFraction = hearth.RequestShed, 1.5 },
		"unknown kind":   func(r *hearth.PowerRequest) { r.Kind = "more" },
	} {
		r := ok
		mutate(&r)
		if err := r.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}
