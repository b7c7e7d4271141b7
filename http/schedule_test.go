package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

func TestSchedules_CRUD(t *testing.T) {
	f := newFixture(t)
	night := map[string]any{"name": "night", "target": map[string]any{"kind": "site", "id": "barn"},
		"change":     map[string]any{"kind": "power-profile", "payload": map[string]any{"mode": "eco", "watts": 2500}},
		"recurrence": "22:00-06:00", "time_zone": "Europe/Oslo"}
	rec := serve(f.Handler, withToken(request("POST", "/api/v1/schedules", night), validToken))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
	}
	var created hearth.Schedule
	decode(t, rec, &created)
	if created.ID == "" || !created.Enabled || rec.Header().Get("Location") != "/api/v1/schedules/"+created.ID {
		t.Fatalf("created %+v (Location %q): want an ID and enabled by default", created, rec.Header().Get("Location"))
	}

	night["enabled"] = false
	night["recurrence"] = "23:00-05:00"
	rec = serve(f.Handler, withToken(request("PUT", "/api/v1/schedules/"+created.ID, night), validToken))
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	stored, err := f.Schedules.FindScheduleByID(t.Context(), created.ID)
	if err != nil || stored.Enabled || stored.Recurrence != "23:00-05:00" {
		t.Fatalf("after PUT: %+v, %v", stored, err)
	}

	night["change"] = map[string]any{"kind": "pause", "payload": map[string]any{"mode": "max"}}
	if rec := serve(f.Handler, withToken(request("PUT", "/api/v1/schedules/"+created.ID, night), validToken)); rec.Code != http.StatusBadRequest {
		t.Errorf("PUT of a pause with a payload: %d, want 400", rec.Code)
	}
	if rec := serve(f.Handler, request("POST", "/api/v1/schedules", night)); rec.Code != http.StatusUnauthorized {
		t.Errorf("POST without a token: %d, want 401", rec.Code)
	}

	if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/schedules/"+created.ID, nil), validToken)); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(f.Handler, withToken(request("GET", "/api/v1/schedules/"+created.ID, nil), validToken)); rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", rec.Code)
	}
}

// A schedule's JSON says when its windows next open and close, computed in
// its own time zone, so that a page can show "opens 22:00" without parsing
// the recurrence. testNow is 12:00 UTC on 1 March 2026, 13:00 in Oslo.
func TestSchedules_NextWindow(t *testing.T) {
	f := newFixture(t)
	add := func(body map[string]any) string {
		t.Helper()
		rec := serve(f.Handler, withToken(request("POST", "/api/v1/schedules", body), validToken))
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
		}
		var created hearthhttp.ScheduleView
		decode(t, rec, &created)
		return created.ID
	}
	pause := map[string]any{"kind": "pause"}
	barn := map[string]any{"kind": "site", "id": "barn"}
	night := add(map[string]any{"name": "night", "target": barn, "change": pause, "recurrence": "22:00-06:00", "time_zone": "Europe/Oslo"})
	noon := add(map[string]any{"name": "noon", "target": barn, "change": pause, "recurrence": "12:00-14:00", "time_zone": "Europe/Oslo"})
	off := add(map[string]any{"name": "off", "target": barn, "change": pause, "recurrence": "12:00-14:00", "time_zone": "Europe/Oslo", "enabled": false})

	rec := serve(f.Handler, withToken(request("GET", "/api/v1/schedules", nil), validToken))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body.String())
	}
	var list hearthhttp.ScheduleList
	decode(t, rec, &list)
	byID := map[string]*hearthhttp.ScheduleView{}
	for _, s := range list.Schedules {
		byID[s.ID] = s
	}
	utc := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		id           string
		inForce      bool
		open, closes time.Time
	}{
		// Oslo is UTC+1 in March before the change: 22:00 there is 21:00 UTC.
		{night, false, utc(1, 21), utc(2, 5)},
		// In force since 11:00 UTC: it closes at 13:00 UTC and opens next tomorrow.
		{noon, true, utc(2, 11), utc(1, 13)},
		{off, false, time.Time{}, time.Time{}},
	} {
		v := byID[c.id]
		if v == nil {
			t.Fatalf("schedule %s not listed", c.id)
		}
		if v.InForce != c.inForce || !v.NextOpening.Equal(c.open) || !v.NextClosing.Equal(c.closes) {
			t.Errorf("%s: in force %v, opens %v, closes %v; want %v, %v, %v", v.Name, v.InForce, v.NextOpening, v.NextClosing, c.inForce, c.open, c.closes)
		}
	}
	// One schedule read alone carries them too, in UTC.
	rec = serve(f.Handler, withToken(request("GET", "/api/v1/schedules/"+night, nil), validToken))
	if !strings.Contains(rec.Body.String(), `"next_opening":"2026-03-01T21:00:00Z"`) {
		t.Errorf("GET one schedule lacks next_opening: %s", rec.Body.String())
	}
}
